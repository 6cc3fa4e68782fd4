import { createHash } from "node:crypto";
import { buildGenealogy, type GenealogyStep } from "./demo-genealogy.ts";
import { buildHistory, type DemoMachineStop, type DemoMaintenance, type DemoProductionLog } from "./demo-history.ts";
import { DAY_MS, localDate, localToUtc } from "./time.ts";

/**
 * The demo plant: one organization, two plants, machines in work centers, materials with lots and
 * stock, products with routings and BOMs, work orders in every status, three shifts (the night one
 * crossing midnight), inspections, NCRs and downtime history. Every subgraph seeds its own part from
 * this one description, so ids line up across subgraphs without any service reading another's data.
 * Ids are derived from names, so a re-seed gives the same ids.
 */

/** A stable UUID (version-5 layout) from a name. */
export function demoId(...parts: (string | number)[]): string {
  const h = createHash("sha1")
    .update(`mes-demo:${parts.join(":")}`)
    .digest("hex");
  const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Small deterministic PRNG, so the demo data is the same on every machine. */
function prng(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const DEMO_ORGANIZATION_ID = demoId("organization", "acme");

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export const WORK_ORDER_STATUSES = ["PLANNED", "RELEASED", "IN_PROGRESS", "ON_HOLD", "COMPLETED", "CLOSED", "CANCELLED"] as const;
export type DemoWorkOrderStatus = (typeof WORK_ORDER_STATUSES)[number];

export interface DemoPlant {
  id: string;
  code: string;
  name: string;
  timeZone: string;
  areas: { id: string; code: string; name: string }[];
  workCenters: { id: string; areaId: string; code: string; name: string }[];
  machines: {
    id: string;
    workCenterId: string;
    code: string;
    name: string;
    idealCycleSeconds: number;
    state: "RUNNING" | "IDLE" | "SETUP" | "DOWN" | "MAINTENANCE";
  }[];
  locations: { id: string; code: string; name: string; type: "WAREHOUSE" | "LINE_SIDE" | "QUARANTINE" | "SHIPPING" }[];
  /** Supplier lots, booked as receipts at `unitCost` (the newer lot of each material a little dearer). */
  lots: {
    id: string;
    materialId: string;
    lotNumber: string;
    supplier: string;
    receivedAt: Date;
    locationId: string;
    quantity: number;
    unitCost: number;
  }[];
  products: {
    id: string;
    code: string;
    name: string;
    routing: {
      id: string;
      sequence: number;
      name: string;
      workCenterId: string;
      setupMinutes: number;
      cycleTimeSeconds: number;
      parallel: boolean;
    }[];
    bom: { id: string; materialId: string; quantityPer: number }[];
  }[];
  workOrders: {
    id: string;
    number: string;
    productId: string;
    quantity: number;
    dueDate: Date;
    plannedStart: Date;
    plannedEnd: Date;
    status: DemoWorkOrderStatus;
    /** When it completed, when not the demo's default (around the planned end). */
    completedAt?: Date;
    priority: number;
    operations: {
      id: string;
      sequence: number;
      name: string;
      workCenterId: string;
      machineId: string;
      parallel: boolean;
      status: "PENDING" | "READY" | "IN_PROGRESS" | "PAUSED" | "COMPLETED";
      plannedStart: Date;
      plannedEnd: Date;
    }[];
  }[];
  shiftPatterns: {
    id: string;
    name: string;
    startMinute: number;
    durationMinutes: number;
    breaks: { startOffsetMinutes: number; durationMinutes: number }[];
  }[];
  /** Shift instances from a week ago to two days ahead, in the plant's time zone. */
  shifts: { id: string; patternId: string; businessDate: Date; startsAt: Date; endsAt: Date }[];
  crews: { id: string; name: string; members: { id: string; personId: string; displayName: string; role: string }[] }[];
  inspectionPlans: {
    id: string;
    code: string;
    name: string;
    productId: string;
    sampleSize: number;
    characteristics: {
      id: string;
      name: string;
      kind: "NUMERIC" | "ATTRIBUTE";
      nominal?: number;
      lowerLimit?: number;
      upperLimit?: number;
      unit?: string;
    }[];
  }[];
  inspections: {
    id: string;
    planId: string;
    workOrderId: string;
    quantityInspected: number;
    result: "PASS" | "FAIL";
    inspector: string;
    inspectedAt: Date;
  }[];
  ncrs: {
    id: string;
    number: string;
    title: string;
    severity: "MINOR" | "MAJOR" | "CRITICAL";
    status: "OPEN" | "UNDER_REVIEW" | "DISPOSITIONED" | "CLOSED";
    workOrderId: string;
    materialId: string;
    lotId: string;
    inspectionId: string;
    createdAt: Date;
  }[];
  downtimes: { id: string; machineId: string; reasonCode: string; startedAt: Date; endedAt: Date; note: string }[];
  /** Counts reported per machine and shift over the past week (see demo-history.ts). */
  productionLogs: DemoProductionLog[];
  /** Non-RUNNING intervals of the machines from `historyStart` to `historyEnd`; they ran in between. */
  machineStops: DemoMachineStop[];
  historyStart: Date;
  /** End of the last shift that has ended: the machines' current states begin after it. */
  historyEnd: Date;
  /** Completed weekly lubrications (one per work center's first machine): the PM schedules' last resets. */
  maintenance: DemoMaintenance[];
  /** Stock movements of work orders that make lots from lots: raw lots → an intermediate lot → a finished lot. */
  genealogy: GenealogyStep[];
  /** The past week's orders' material issues (bill of materials x quantity), from the plant's oldest lots. */
  consumption: { workOrderId: string; materialId: string; quantity: number }[];
}

export interface DemoData {
  organizationId: string;
  materials: {
    id: string;
    code: string;
    description: string;
    unitOfMeasure: string;
    reorderPoint: number;
    safetyStock: number;
    unitCost: number;
    costingMethod: "FIFO" | "MOVING_AVERAGE";
    /** Made in the plant (a work order's output): no supplier lots. */
    made: boolean;
  }[];
  downtimeReasons: { id: string; code: string; description: string; kind: "PLANNED" | "UNPLANNED" }[];
  plants: DemoPlant[];
}

const MATERIALS: [string, string, string, number, number, number][] = [
  ["STL-BAR-20", "Steel bar 20 mm, S355", "M", 400, 150, 4.2],
  ["STL-SHT-2", "Steel sheet 2 mm", "KG", 800, 300, 1.35],
  ["ALU-SHT-3", "Aluminium sheet 3 mm, 5083", "KG", 500, 200, 4.8],
  ["BOLT-M8", "Hex bolt M8x30, 8.8", "EA", 5000, 2000, 0.08],
  ["NUT-M8", "Hex nut M8, 8", "EA", 5000, 2000, 0.03],
  ["BRG-6204", "Deep groove ball bearing 6204", "EA", 300, 100, 2.9],
  ["SEAL-40", "Shaft seal 40x52x7", "EA", 300, 100, 1.1],
  ["PNT-RAL5010", "Powder coat RAL 5010", "KG", 120, 40, 9.5],
  ["PCB-CTRL", "Controller board rev C", "EA", 150, 50, 38],
  ["CBL-HARN", "Cable harness 1.2 m", "EA", 200, 80, 6.4],
  ["MTR-075", "Motor 0.75 kW", "EA", 60, 20, 115],
  ["BOX-M", "Shipping box, medium", "EA", 400, 150, 0.9],
  ["GRS-EP2", "Grease EP2", "KG", 30, 10, 7.2],
  ["PLT-EUR", "Euro pallet", "EA", 80, 30, 12.5],
];
/** Valued at the moving weighted average (all others FIFO), so stock valuation shows both methods. */
const MOVING_AVERAGE_MATERIALS = new Set(["BRG-6204"]);
/** Materials Lakeside makes: shafts (from steel bar) go into bearing hubs (the genealogy demo). */
const MADE_MATERIALS: [string, string][] = [
  ["SHF-40", "Drive shaft 40 mm (made at Lakeside)"],
  ["HUB-6204", "Bearing hub with shaft (made at Lakeside)"],
];
/** Below what the open orders need at each plant: "which open work orders are short of material". */
const SHORT_MATERIAL = "BOX-M";
/** A later delivery's price rise: the newer lot of each material costs this much more. */
const NEWER_LOT_PRICE = 1.06;

const DOWNTIME_REASONS: [string, string, "PLANNED" | "UNPLANNED"][] = [
  ["PM", "Preventive maintenance", "PLANNED"],
  ["CHANGEOVER", "Changeover", "PLANNED"],
  ["BREAK", "Scheduled break", "PLANNED"],
  ["MECH", "Mechanical failure", "UNPLANNED"],
  ["ELEC", "Electrical failure", "UNPLANNED"],
  ["NOMAT", "Waiting for material", "UNPLANNED"],
  ["QUAL", "Quality stop", "UNPLANNED"],
];

interface PlantSpec {
  code: string;
  name: string;
  timeZone: string;
  areas: { code: string; name: string; workCenters: { code: string; name: string; machines: number; cycle: number }[] }[];
}

// Cycle times (seconds per unit) are chosen so every work center is loaded alike by equal quantities of
// the plant's products: machines / (products routed through it x cycle) = 1/60 at each (demo-history.ts).
const PLANT_SPECS: PlantSpec[] = [
  {
    code: "RIV",
    name: "Riverside Assembly",
    timeZone: "America/Chicago",
    areas: [
      {
        code: "FAB",
        name: "Fabrication",
        workCenters: [
          { code: "CUT", name: "Laser cutting", machines: 4, cycle: 80 },
          { code: "BEND", name: "Press brake", machines: 4, cycle: 120 },
          { code: "WELD", name: "Robot welding", machines: 5, cycle: 150 },
        ],
      },
      {
        code: "ASM",
        name: "Assembly",
        workCenters: [
          { code: "PAINT", name: "Powder coating", machines: 2, cycle: 60 },
          { code: "ASSY", name: "Final assembly", machines: 4, cycle: 120 },
        ],
      },
    ],
  },
  {
    code: "LAK",
    name: "Lakeside Machining",
    timeZone: "Europe/Berlin",
    areas: [
      {
        code: "MCH",
        name: "Machining",
        workCenters: [
          { code: "LATHE", name: "CNC turning", machines: 6, cycle: 180 },
          { code: "MILL", name: "CNC milling", machines: 6, cycle: 120 },
          { code: "GRIND", name: "Grinding", machines: 3, cycle: 180 },
        ],
      },
      {
        code: "FIN",
        name: "Finishing",
        workCenters: [
          { code: "WASH", name: "Parts washing", machines: 2, cycle: 40 },
          { code: "PACK", name: "Inspection and packing", machines: 3, cycle: 60 },
        ],
      },
    ],
  },
];

const PRODUCT_SPECS: Record<string, { code: string; name: string; steps: [string, string][]; bom: [string, number][] }[]> = {
  RIV: [
    {
      code: "ENC-100",
      name: "Control enclosure 100",
      steps: [
        ["Cut blanks", "CUT"],
        ["Bend", "BEND"],
        ["Weld", "WELD"],
        ["Powder coat", "PAINT"],
        ["Assemble", "ASSY"],
      ],
      bom: [
        ["STL-SHT-2", 4.5],
        ["PNT-RAL5010", 0.3],
        ["BOLT-M8", 8],
        ["NUT-M8", 8],
        ["PCB-CTRL", 1],
        ["CBL-HARN", 1],
        ["BOX-M", 1],
      ],
    },
    {
      code: "FRM-200",
      name: "Machine frame 200",
      steps: [
        ["Cut profiles", "CUT"],
        ["Weld frame", "WELD"],
        ["Powder coat", "PAINT"],
      ],
      bom: [
        ["STL-BAR-20", 6],
        ["PNT-RAL5010", 0.5],
        ["BOLT-M8", 12],
      ],
    },
    {
      code: "DRV-075",
      name: "Drive unit 0.75 kW",
      steps: [
        ["Cut bracket", "CUT"],
        ["Bend bracket", "BEND"],
        ["Assemble drive", "ASSY"],
      ],
      bom: [
        ["ALU-SHT-3", 1.2],
        ["MTR-075", 1],
        ["BOLT-M8", 4],
        ["CBL-HARN", 1],
        ["BOX-M", 1],
      ],
    },
  ],
  LAK: [
    {
      code: "SHF-40",
      name: "Drive shaft 40 mm",
      steps: [
        ["Turn", "LATHE"],
        ["Mill keyway", "MILL"],
        ["Grind bearing seats", "GRIND"],
        ["Wash", "WASH"],
        ["Inspect and pack", "PACK"],
      ],
      bom: [
        ["STL-BAR-20", 0.45],
        ["BOX-M", 0.1],
      ],
    },
    {
      code: "HUB-6204",
      name: "Bearing hub",
      steps: [
        ["Turn", "LATHE"],
        ["Mill flange", "MILL"],
        ["Wash", "WASH"],
        ["Press bearings and pack", "PACK"],
      ],
      bom: [
        ["STL-BAR-20", 0.3],
        ["BRG-6204", 2],
        ["SEAL-40", 1],
        ["GRS-EP2", 0.01],
      ],
    },
    {
      code: "PLT-AL",
      name: "Aluminium mounting plate",
      steps: [
        ["Mill", "MILL"],
        ["Wash", "WASH"],
        ["Inspect and pack", "PACK"],
      ],
      bom: [
        ["ALU-SHT-3", 0.8],
        ["BOX-M", 0.05],
      ],
    },
  ],
};

const SHIFTS = [
  {
    name: "Early",
    startMinute: 6 * 60,
    breaks: [
      { startOffsetMinutes: 120, durationMinutes: 15 },
      { startOffsetMinutes: 240, durationMinutes: 30 },
    ],
  },
  {
    name: "Late",
    startMinute: 14 * 60,
    breaks: [
      { startOffsetMinutes: 120, durationMinutes: 15 },
      { startOffsetMinutes: 240, durationMinutes: 30 },
    ],
  },
  {
    name: "Night",
    startMinute: 22 * 60,
    breaks: [
      { startOffsetMinutes: 120, durationMinutes: 15 },
      { startOffsetMinutes: 240, durationMinutes: 30 },
    ],
  },
];

const OPERATORS = ["A. Novak", "B. Okafor", "C. Lindqvist", "D. Moreau", "E. Tanaka", "F. Garcia", "G. Schmidt", "H. Patel", "I. Rossi"];

/** Builds the demo data with timestamps relative to `now`. */
export function buildDemoData(now: Date = new Date()): DemoData {
  const rand = prng(42);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const t0 = Math.floor(now.getTime() / HOUR) * HOUR;
  const materials: DemoData["materials"] = [
    ...MATERIALS.map(([code, description, unitOfMeasure, reorderPoint, safetyStock, unitCost]) => ({
      id: demoId("material", code),
      code,
      description,
      unitOfMeasure,
      reorderPoint,
      safetyStock,
      unitCost,
      costingMethod: MOVING_AVERAGE_MATERIALS.has(code) ? ("MOVING_AVERAGE" as const) : ("FIFO" as const),
      made: false,
    })),
    ...MADE_MATERIALS.map(([code, description]) => ({
      id: demoId("material", code),
      code,
      description,
      unitOfMeasure: "EA",
      reorderPoint: 0,
      safetyStock: 0,
      unitCost: 0,
      costingMethod: "FIFO" as const,
      made: true,
    })),
  ];
  const materialByCode = new Map(materials.map((m) => [m.code, m]));
  const downtimeReasons = DOWNTIME_REASONS.map(([code, description, kind]) => ({ id: demoId("downtime-reason", code), code, description, kind }));

  const plants = PLANT_SPECS.map((spec, plantIndex): DemoPlant => {
    const p = spec.code;
    const areas = spec.areas.map((a) => ({ id: demoId(p, "area", a.code), code: a.code, name: a.name }));
    const workCenters = spec.areas.flatMap((a) =>
      a.workCenters.map((wc) => ({ id: demoId(p, "wc", wc.code), areaId: demoId(p, "area", a.code), code: wc.code, name: wc.name })),
    );
    const states = ["RUNNING", "RUNNING", "RUNNING", "IDLE", "SETUP", "DOWN", "MAINTENANCE"] as const;
    const machines = spec.areas.flatMap((a) =>
      a.workCenters.flatMap((wc) =>
        Array.from({ length: wc.machines }, (_, i) => ({
          id: demoId(p, "machine", wc.code, i + 1),
          workCenterId: demoId(p, "wc", wc.code),
          code: `${wc.code}-${String(i + 1).padStart(2, "0")}`,
          name: `${wc.name} ${i + 1}`,
          idealCycleSeconds: wc.cycle,
          state: pick(states),
        })),
      ),
    );
    const machinesOf = (wcCode: string) => machines.filter((m) => m.workCenterId === demoId(p, "wc", wcCode));
    const locations = [
      { id: demoId(p, "loc", "WH-01"), code: "WH-01", name: "Main warehouse", type: "WAREHOUSE" as const },
      { id: demoId(p, "loc", "LS-01"), code: "LS-01", name: "Line side store", type: "LINE_SIDE" as const },
      { id: demoId(p, "loc", "QA-01"), code: "QA-01", name: "Quarantine", type: "QUARANTINE" as const },
      { id: demoId(p, "loc", "SH-01"), code: "SH-01", name: "Shipping dock", type: "SHIPPING" as const },
    ];
    const lots = materials
      .filter((m) => !m.made)
      .flatMap((m, mi) =>
        [0, 1].map((k) => ({
          id: demoId(p, "lot", m.code, k + 1),
          materialId: m.id,
          lotNumber: `${p}-${m.code}-${String(k + 1).padStart(3, "0")}`,
          supplier: pick(["Nordic Steel AB", "Midwest Fasteners", "Rhein Components", "Pacific Electronics"]),
          receivedAt: new Date(t0 - (30 - k * 10 - (mi % 5)) * DAY),
          locationId: k === 0 ? locations[0]!.id : locations[1]!.id,
          quantity: 0, // sized below, once the open work orders are known
          unitCost: k === 0 ? m.unitCost : Math.round(m.unitCost * NEWER_LOT_PRICE * 10_000) / 10_000,
        })),
      );
    const products = PRODUCT_SPECS[p]!.map((ps) => ({
      id: demoId(p, "product", ps.code),
      code: ps.code,
      name: ps.name,
      routing: ps.steps.map(([name, wc], i) => ({
        id: demoId(p, "routing", ps.code, i + 1),
        sequence: (i + 1) * 10,
        name,
        workCenterId: demoId(p, "wc", wc),
        setupMinutes: 15 + 5 * (i % 3),
        cycleTimeSeconds: spec.areas.flatMap((a) => a.workCenters).find((w) => w.code === wc)!.cycle,
        parallel: false,
      })),
      bom: ps.bom.map(([code, quantityPer]) => ({ id: demoId(p, "bom", ps.code, code), materialId: materialByCode.get(code)!.id, quantityPer })),
    }));
    const workOrders = Array.from({ length: 28 }, (_, i) => {
      const status = WORK_ORDER_STATUSES[i % WORK_ORDER_STATUSES.length]!;
      const product = products[i % products.length]!;
      const quantity = 10 * (1 + Math.floor(rand() * 20));
      // Orders not started yet lie ahead; started, finished and cancelled ones in the past.
      const ahead = status === "PLANNED" || status === "RELEASED";
      const dayOffset =
        { PLANNED: 3, RELEASED: 1, IN_PROGRESS: -1, ON_HOLD: -1, COMPLETED: -4, CLOSED: -9, CANCELLED: -2 }[status] +
        (ahead ? 1 : -1) * Math.floor(i / 7);
      const plannedStart = new Date(t0 + dayOffset * DAY + (i % 3) * 4 * HOUR);
      let cursor = plannedStart.getTime();
      const done = status === "COMPLETED" || status === "CLOSED";
      const operations = product.routing.map((step, k) => {
        const minutes = step.setupMinutes + (quantity * step.cycleTimeSeconds) / 60;
        const start = new Date(cursor);
        cursor += Math.ceil(minutes) * 60_000;
        const opStatus = done
          ? ("COMPLETED" as const)
          : status === "IN_PROGRESS"
            ? k === 0
              ? ("COMPLETED" as const)
              : k === 1
                ? ("IN_PROGRESS" as const)
                : ("PENDING" as const)
            : status === "ON_HOLD"
              ? k === 0
                ? ("PAUSED" as const)
                : ("PENDING" as const)
              : status === "RELEASED" && k === 0
                ? ("READY" as const)
                : ("PENDING" as const);
        const wcCode = spec.areas.flatMap((a) => a.workCenters).find((w) => demoId(p, "wc", w.code) === step.workCenterId)!.code;
        return {
          id: demoId(p, "op", i + 1, step.sequence),
          sequence: step.sequence,
          name: step.name,
          workCenterId: step.workCenterId,
          machineId: pick(machinesOf(wcCode)).id,
          parallel: step.parallel,
          status: opStatus,
          plannedStart: start,
          plannedEnd: new Date(cursor),
        };
      });
      const plannedEnd = new Date(cursor);
      return {
        id: demoId(p, "wo", i + 1),
        number: `WO-${p}-${String(1001 + i)}`,
        productId: product.id,
        quantity,
        dueDate: new Date(plannedEnd.getTime() + (i % 4 === 0 ? -6 * HOUR : 2 * DAY)),
        plannedStart,
        plannedEnd,
        status,
        priority: 1 + (i % 5),
        operations,
      };
    });
    const shiftPatterns = SHIFTS.map((s) => ({
      id: demoId(p, "shift-pattern", s.name),
      name: s.name,
      startMinute: s.startMinute,
      durationMinutes: 480,
      breaks: s.breaks,
    }));
    const today = localDate(now, spec.timeZone);
    const shifts = Array.from({ length: 10 }, (_, k) => new Date(today.getTime() + (k - 7) * DAY_MS)).flatMap((businessDate) =>
      shiftPatterns.map((sp) => ({
        id: demoId(p, "shift", sp.name, businessDate.toISOString().slice(0, 10)),
        patternId: sp.id,
        businessDate,
        startsAt: localToUtc(businessDate, sp.startMinute, spec.timeZone),
        endsAt: localToUtc(businessDate, sp.startMinute + sp.durationMinutes, spec.timeZone),
      })),
    );
    // The past week on the shop floor: runs, stops and counts of every machine, and the orders they served.
    const history = buildHistory({
      plantCode: p,
      timeZone: spec.timeZone,
      cut: new Date(t0),
      rand: prng(1000 + plantIndex),
      id: demoId,
      workCenters,
      machines,
      products,
      shiftPatterns,
      shifts,
    });
    workOrders.push(...history.workOrders);
    // The past week's orders drew their bills of materials from stock (plant-wide, oldest lots first).
    const consumption = history.workOrders.flatMap((wo) =>
      products
        .find((pr) => pr.id === wo.productId)!
        .bom.map((l) => ({ workOrderId: wo.id, materialId: l.materialId, quantity: Math.round(l.quantityPer * wo.quantity * 10_000) / 10_000 })),
    );
    // Stock covers what the open orders reserve plus a margin over the reorder point; every fourth
    // material is low (available at half its reorder point), so low-stock alerts have something to show.
    // What the genealogy's and the past week's orders issued is on top (it has left stock since).
    const genealogy = buildGenealogy({ plantCode: p, id: demoId, materials, products, workOrders, lots, locations });
    const open = workOrders.filter((w) => w.status === "RELEASED" || w.status === "IN_PROGRESS" || w.status === "ON_HOLD");
    materials.forEach((m, mi) => {
      if (m.made) return;
      const reserved = open.reduce(
        (sum, w) => sum + (products.find((pr) => pr.id === w.productId)!.bom.find((b) => b.materialId === m.id)?.quantityPer ?? 0) * w.quantity,
        0,
      );
      const issued = [...genealogy.flatMap((g) => g.issues), ...consumption].reduce((sum, i) => sum + (i.materialId === m.id ? i.quantity : 0), 0);
      const wanted = Math.ceil(reserved + issued + m.reorderPoint * (mi % 4 === 3 ? 0.5 : 1.5 + rand()));
      // Shipping boxes are out: less on hand than the open orders reserve, so some orders are short.
      const total = m.code === SHORT_MATERIAL ? Math.ceil(issued) + Math.max(2, Math.floor(reserved * 0.7)) : wanted;
      const [older, newer] = lots.filter((l) => l.materialId === m.id) as [DemoPlant["lots"][number], DemoPlant["lots"][number]];
      older.quantity = Math.ceil(total * 0.6);
      newer.quantity = total - older.quantity;
    });
    const crews = ["A", "B", "C"].map((c, ci) => ({
      id: demoId(p, "crew", c),
      name: `Crew ${c}`,
      members: OPERATORS.slice(ci * 3, ci * 3 + 3).map((name, k) => ({
        id: demoId(p, "crew", c, "member", k),
        personId: `${p.toLowerCase()}-op-${ci * 3 + k + 1}`,
        displayName: name,
        role: k === 0 ? "SUPERVISOR" : "OPERATOR",
      })),
    }));
    const inspectionPlans = products.map((prod) => ({
      id: demoId(p, "ip", prod.code),
      code: `IP-${prod.code}`,
      name: `Final inspection ${prod.name}`,
      productId: prod.id,
      sampleSize: 5,
      characteristics: [
        {
          id: demoId(p, "ip", prod.code, "dim"),
          name: "Critical dimension",
          kind: "NUMERIC" as const,
          nominal: 40,
          lowerLimit: 39.95,
          upperLimit: 40.05,
          unit: "mm",
        },
        { id: demoId(p, "ip", prod.code, "visual"), name: "Visual check", kind: "ATTRIBUTE" as const },
      ],
    }));
    const finished = workOrders.filter((w) => w.status === "COMPLETED" || w.status === "CLOSED" || w.status === "IN_PROGRESS");
    const inspections = finished.map((wo, k) => ({
      id: demoId(p, "inspection", wo.number),
      planId: demoId(p, "ip", products.find((pr) => pr.id === wo.productId)!.code),
      workOrderId: wo.id,
      quantityInspected: 5,
      result: k % 4 === 1 ? ("FAIL" as const) : ("PASS" as const),
      inspector: pick(OPERATORS),
      inspectedAt: new Date(wo.plannedEnd.getTime() - HOUR),
    }));
    const ncrStatuses = ["OPEN", "UNDER_REVIEW", "DISPOSITIONED", "CLOSED"] as const;
    const ncrs = inspections
      .filter((ins) => ins.result === "FAIL")
      .map((ins, k) => {
        const wo = workOrders.find((w) => w.id === ins.workOrderId)!;
        const bomLine = products.find((pr) => pr.id === wo.productId)!.bom[0]!;
        return {
          id: demoId(p, "ncr", k + 1),
          number: `NCR-${p}-${String(k + 1).padStart(4, "0")}`,
          title: `Dimension out of tolerance on ${wo.number}`,
          severity: (["MINOR", "MAJOR", "CRITICAL"] as const)[k % 3]!,
          status: ncrStatuses[k % 4]!,
          workOrderId: wo.id,
          materialId: bomLine.materialId,
          lotId: lots.find((l) => l.materialId === bomLine.materialId)!.id,
          inspectionId: ins.id,
          createdAt: ins.inspectedAt,
        };
      });
    return {
      id: demoId("plant", p),
      code: p,
      name: spec.name,
      timeZone: spec.timeZone,
      areas,
      workCenters,
      machines,
      locations,
      lots,
      products,
      workOrders,
      shiftPatterns,
      shifts,
      crews,
      inspectionPlans,
      inspections,
      ncrs,
      downtimes: history.downtimes,
      productionLogs: history.productionLogs,
      machineStops: history.stops,
      historyStart: history.start,
      historyEnd: history.end,
      maintenance: history.maintenance,
      genealogy,
      consumption,
    };
  });
  return { organizationId: DEMO_ORGANIZATION_ID, materials, downtimeReasons, plants };
}
