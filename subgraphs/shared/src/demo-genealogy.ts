/**
 * Lakeside's two-level genealogy: a closed drive-shaft order turned two steel bar lots into a shaft
 * lot; a completed bearing-hub order pressed shafts from that lot, bearings and seals into a hub lot.
 * So "what went into finished lot LAK-HUB-6204-P001" has an answer two levels deep.
 */

export interface GenealogyInput {
  plantCode: string;
  id: (...parts: (string | number)[]) => string;
  materials: { id: string; code: string }[];
  products: { id: string; code: string }[];
  workOrders: { id: string; productId: string; status: string; quantity: number; plannedEnd: Date }[];
  lots: { id: string; materialId: string }[];
  locations: { id: string; code: string }[];
}
export interface GenealogyStep {
  workOrderId: string;
  issues: { materialId: string; lotId: string; quantity: number }[];
  receipt: { materialId: string; lotId: string; lotNumber: string; locationId: string; quantity: number; receivedAt: Date };
}

export function buildGenealogy(input: GenealogyInput): GenealogyStep[] {
  const p = input.plantCode;
  const material = (code: string) => input.materials.find((m) => m.code === code)!.id;
  const product = (code: string) => input.products.find((pr) => pr.code === code)?.id;
  const shaftOrder = input.workOrders.find((w) => w.productId === product("SHF-40") && w.status === "CLOSED");
  const hubOrder = input.workOrders.find((w) => w.productId === product("HUB-6204") && w.status === "COMPLETED");
  if (!shaftOrder || !hubOrder) return [];
  const lotsOf = (code: string) => input.lots.filter((l) => l.materialId === material(code));
  const location = (code: string) => input.locations.find((l) => l.code === code)!.id;
  const [bar1, bar2] = lotsOf("STL-BAR-20");
  // 0.45 m of bar per shaft (the BOM), half from each bar lot.
  const barHalf = Math.round(shaftOrder.quantity * 0.45 * 50) / 100;
  // Half the shafts went into hubs, so some shaft stock is left on hand.
  const hubs = Math.max(1, Math.min(hubOrder.quantity, Math.floor(shaftOrder.quantity / 2)));
  const shaftLot = { materialId: material("SHF-40"), lotId: input.id(p, "lot", "SHF-40", "P001"), lotNumber: `${p}-SHF-40-P001` };
  return [
    {
      workOrderId: shaftOrder.id,
      issues: [
        { materialId: material("STL-BAR-20"), lotId: bar1!.id, quantity: barHalf },
        { materialId: material("STL-BAR-20"), lotId: bar2!.id, quantity: barHalf },
      ],
      receipt: { ...shaftLot, locationId: location("LS-01"), quantity: shaftOrder.quantity, receivedAt: shaftOrder.plannedEnd },
    },
    {
      workOrderId: hubOrder.id,
      issues: [
        { materialId: shaftLot.materialId, lotId: shaftLot.lotId, quantity: hubs },
        { materialId: material("BRG-6204"), lotId: lotsOf("BRG-6204")[0]!.id, quantity: 2 * hubs },
        { materialId: material("SEAL-40"), lotId: lotsOf("SEAL-40")[0]!.id, quantity: hubs },
      ],
      receipt: {
        materialId: material("HUB-6204"),
        lotId: input.id(p, "lot", "HUB-6204", "P001"),
        lotNumber: `${p}-HUB-6204-P001`,
        locationId: location("WH-01"),
        quantity: hubs,
        receivedAt: hubOrder.plannedEnd,
      },
    },
  ];
}
