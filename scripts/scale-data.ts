// The scale data set (issue: dashboards at shop-floor speed): one organization, 2 plants, 500
// machines, 5,000 materials, 20,000 work orders with 80,000 operations, 1,000,000 stock
// transactions, 200,000 production logs and a year of machine status history, written with
// set-based SQL (generate_series) into each subgraph's own database. Ids are derived from names
// (md5), so the five databases refer to each other's rows without sharing anything at run time.
import { createHash } from "node:crypto";

export const SCALE_ORG = "5ca1e000-0000-4000-8000-000000000001";
/**
 * An id from md5('scale:<kind>:' || <sql expression>), the same in every database, shaped as a
 * version-4 UUID (version and variant digits set), which the graph's input checks expect.
 */
const id = (kind: string, expr: string) => `overlay(overlay(md5('scale:${kind}:' || (${expr})::text) placing '4' from 13) placing '8' from 17)::uuid`;

/** The same id in JavaScript, for benchmarks and tests. */
export function scaleId(kind: string, key: string | number): string {
  const md5 = createHash("md5").update(`scale:${kind}:${key}`).digest("hex");
  const h = `${md5.slice(0, 12)}4${md5.slice(13, 16)}8${md5.slice(17)}`;
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export interface ScaleSize {
  plants: number;
  machinesPerPlant: number;
  materials: number;
  workOrders: number;
  operationsPerOrder: number;
  stockTransactions: number;
  productionLogs: number;
  historyDays: number;
  /** Hours between two status changes of one machine. */
  statusEveryHours: number;
}

export function scaleSize(factor: number): ScaleSize {
  const n = (x: number) => Math.max(1, Math.round(x * factor));
  return {
    plants: 2,
    machinesPerPlant: n(250),
    materials: n(5000),
    workOrders: n(20_000),
    operationsPerOrder: 4,
    stockTransactions: n(1_000_000),
    productionLogs: n(200_000),
    historyDays: 365,
    statusEveryHours: 8,
  };
}

export interface Step {
  label: string;
  rows: number;
  /** Statements for rows [from, to) of the step; run in batches so progress can be shown. */
  sql: (from: number, to: number) => string;
}

const ORG = `'${SCALE_ORG}'::uuid`;
const plantOf = (i: string) => `${id("plant", `(${i}) % 2`)}`;
const WC_PER_PLANT = 25;

/** The steps per subgraph, in order. Rows are numbered 0..rows-1 (generate_series). */
export function scaleSteps(size: ScaleSize): Record<string, Step[]> {
  const machines = size.machinesPerPlant * size.plants;
  const perWc = Math.max(1, Math.floor(size.machinesPerPlant / WC_PER_PLANT));
  const products = 100 * size.plants;
  const lots = size.materials * size.plants;
  const changesPerMachine = Math.floor((size.historyDays * 24) / size.statusEveryHours);
  // Work orders: numbered 0..n-1; the newest 5% are open (released or in progress), older ones closed.
  const open = Math.max(50, Math.floor(size.workOrders * 0.05));
  const woStatus = (i: string) =>
    `CASE WHEN ${i} >= ${size.workOrders - open} THEN (CASE WHEN ${i} % 3 = 0 THEN 'RELEASED' ELSE 'IN_PROGRESS' END) WHEN ${i} % 50 = 0 THEN 'CANCELLED' ELSE 'CLOSED' END::"WorkOrderStatus"`;
  const woTime = (i: string) =>
    `now() - ((${size.workOrders} - ${i}) * interval '${((size.historyDays * 24 * 60) / size.workOrders).toFixed(3)} minutes')`;
  const machineOf = (plant: string, k: string) => id("machine", `(${plant}) || ':' || ((${k}) % ${size.machinesPerPlant})`);
  return {
    equipment: [
      {
        label: "plants, areas, work centers",
        rows: size.plants,
        sql: (a, b) => `
        INSERT INTO "Plant" (id, "organizationId", code, name, "timeZone")
          SELECT ${id("plant", "p")}, ${ORG}, (ARRAY['NOR','SOU'])[p + 1], (ARRAY['Scale North','Scale South'])[p + 1], (ARRAY['Europe/Berlin','America/Chicago'])[p + 1]
          FROM generate_series(${a}, ${b - 1}) p;
        INSERT INTO "Area" (id, "organizationId", "plantId", code, name)
          SELECT ${id("area", "p || ':' || a")}, ${ORG}, ${id("plant", "p")}, 'A' || a, 'Area ' || a
          FROM generate_series(${a}, ${b - 1}) p, generate_series(0, 4) a;
        INSERT INTO "WorkCenter" (id, "organizationId", "plantId", "areaId", code, name)
          SELECT ${id("wc", "p || ':' || w")}, ${ORG}, ${id("plant", "p")}, ${id("area", "p || ':' || (w % 5)")}, 'WC' || lpad(w::text, 2, '0'), 'Work center ' || w
          FROM generate_series(${a}, ${b - 1}) p, generate_series(0, ${WC_PER_PLANT - 1}) w;
        INSERT INTO "DowntimeReason" (id, "organizationId", code, description, kind) VALUES
          (${id("reason", "'MECH'")}, ${ORG}, 'MECH', 'Mechanical failure', 'UNPLANNED'),
          (${id("reason", "'CHANGE'")}, ${ORG}, 'CHANGE', 'Changeover', 'PLANNED')
          ON CONFLICT DO NOTHING;`,
      },
      {
        label: "machines",
        rows: machines,
        sql: (a, b) => `
        INSERT INTO "Machine" (id, "organizationId", "plantId", "workCenterId", code, name, state, "stateSince", "idealCycleSeconds")
          SELECT ${machineOf("m % 2", "m / 2")}, ${ORG}, ${plantOf("m")}, ${id("wc", `(m % 2) || ':' || least((m / 2) / ${perWc}, ${WC_PER_PLANT - 1})`)},
                 'M' || lpad((m / 2)::text, 4, '0'), 'Machine ' || (m / 2),
                 (ARRAY['RUNNING','RUNNING','RUNNING','IDLE','SETUP','DOWN'])[(m % 6) + 1]::"MachineState", now() - interval '1 hour', 20 + (m % 40)
          FROM generate_series(${a}, ${b - 1}) m;`,
      },
      {
        label: "machine status history (a year)",
        rows: machines * changesPerMachine,
        sql: (a, b) => `
        INSERT INTO "MachineStatusChange" (id, "organizationId", "plantId", "machineId", state, "startedAt", "endedAt")
          SELECT ${id("msc", "i")}, ${ORG}, ${plantOf(`i / ${changesPerMachine} % 2`)}, ${machineOf(`i / ${changesPerMachine} % 2`, `i / ${changesPerMachine} / 2`)},
                 (ARRAY['RUNNING','RUNNING','IDLE','SETUP','RUNNING','DOWN','RUNNING','MAINTENANCE'])[(i % 8) + 1]::"MachineState",
                 now() - ((${changesPerMachine} - i % ${changesPerMachine}) * interval '${size.statusEveryHours} hours') - interval '1 hour',
                 CASE WHEN i % ${changesPerMachine} = ${changesPerMachine - 1} THEN NULL
                      ELSE now() - ((${changesPerMachine} - i % ${changesPerMachine} - 1) * interval '${size.statusEveryHours} hours') - interval '1 hour' END
          FROM generate_series(${a}, ${b - 1}) i;`,
      },
    ],
    shifts: [
      {
        label: "shift patterns and a year of shifts",
        rows: size.plants,
        sql: (a, b) => `
        INSERT INTO "ShiftPattern" (id, "organizationId", "plantId", name, "timeZone", "startMinute", "durationMinutes", breaks)
          SELECT ${id("pattern", "p || ':' || s")}, ${ORG}, ${id("plant", "p")}, (ARRAY['Early','Late','Night'])[s + 1],
                 (ARRAY['Europe/Berlin','America/Chicago'])[p + 1], 360 + s * 480, 480, '[{"startOffsetMinutes": 240, "durationMinutes": 30}]'
          FROM generate_series(${a}, ${b - 1}) p, generate_series(0, 2) s;
        INSERT INTO "Shift" (id, "organizationId", "plantId", "patternId", "businessDate", "startsAt", "endsAt")
          SELECT ${id("shift", "p || ':' || s || ':' || d")}, ${ORG}, ${id("plant", "p")}, ${id("pattern", "p || ':' || s")},
                 (current_date - d), ((current_date - d) + make_interval(mins => 360 + s * 480)) AT TIME ZONE (ARRAY['Europe/Berlin','America/Chicago'])[p + 1] AT TIME ZONE 'UTC',
                 ((current_date - d) + make_interval(mins => 840 + s * 480)) AT TIME ZONE (ARRAY['Europe/Berlin','America/Chicago'])[p + 1] AT TIME ZONE 'UTC'
          FROM generate_series(${a}, ${b - 1}) p, generate_series(0, 2) s, generate_series(-2, ${size.historyDays}) d;`,
      },
    ],
    inventory: [
      {
        label: "materials and locations",
        rows: size.materials,
        sql: (a, b) => `
        INSERT INTO "Material" (id, "organizationId", code, description, "unitOfMeasure", "reorderPoint", "safetyStock", "updatedAt")
          SELECT ${id("material", "i")}, ${ORG}, 'MAT-' || lpad(i::text, 5, '0'), 'Material ' || i, 'EA', 100, 20, now()
          FROM generate_series(${a}, ${b - 1}) i;
        INSERT INTO "Location" (id, "organizationId", "plantId", code, name, type)
          SELECT ${id("location", "p || ':' || l")}, ${ORG}, ${id("plant", "p")}, (ARRAY['WH-01','LS-01','QA-01','SH-01'])[l + 1], 'Location ' || l,
                 (ARRAY['WAREHOUSE','LINE_SIDE','QUARANTINE','SHIPPING'])[l + 1]::"LocationType"
          FROM generate_series(0, ${size.plants - 1}) p, generate_series(0, 3) l WHERE ${a} = 0
          ON CONFLICT DO NOTHING;`,
      },
      {
        label: "lots, stock and cost layers",
        rows: lots,
        sql: (a, b) => `
        INSERT INTO "Lot" (id, "organizationId", "plantId", "materialId", "lotNumber", supplier, "receivedAt")
          SELECT ${id("lot", "i")}, ${ORG}, ${plantOf("i")}, ${id("material", `i / 2 % ${size.materials}`)}, 'L' || lpad(i::text, 6, '0'), 'Supplier ' || (i % 17), now() - interval '200 days'
          FROM generate_series(${a}, ${b - 1}) i;
        INSERT INTO "Stock" (id, "organizationId", "plantId", "materialId", "locationId", "lotId", quantity, "updatedAt")
          SELECT ${id("stock", "i")}, ${ORG}, ${plantOf("i")}, ${id("material", `i / 2 % ${size.materials}`)}, ${id("location", "(i % 2) || ':0'")}, ${id("lot", "i")},
                 CASE WHEN i % 20 = 0 THEN 50 ELSE 500 + (i % 700) END, now()
          FROM generate_series(${a}, ${b - 1}) i;
        INSERT INTO "CostLayer" (id, "organizationId", "plantId", "materialId", "sourceTransactionId", "receivedAt", "originalQuantity", "remainingQuantity", "unitCost", "remainingValue")
          -- remainingValue as the costing migration backfills it (round(remaining × unitCost, 2)): stock values read from it.
          SELECT id, org, plant, material, txn, received, original, remaining, "unitCost", round(remaining * "unitCost", 2)
          FROM (SELECT ${id("layer", "i")} AS id, ${ORG} AS org, ${plantOf("i")} AS plant, ${id("material", `i / 2 % ${size.materials}`)} AS material,
                       ${id("txn", "i")} AS txn, now() - interval '200 days' AS received, 1000 AS original,
                       CASE WHEN i % 20 = 0 THEN 50 ELSE 500 + (i % 700) END AS remaining, 1 + (i % 90) / 10.0 AS "unitCost"
                  FROM generate_series(${a}, ${b - 1}) i) layer;`,
      },
      {
        label: "stock transactions",
        rows: size.stockTransactions,
        sql: (a, b) => `
        INSERT INTO "StockTransaction" (id, "organizationId", "plantId", "documentId", type, "materialId", "lotId", "locationId", quantity, "totalCost", "workOrderId", actor, "createdAt")
          SELECT ${id("txn", "i")}, ${ORG}, ${plantOf(`i % ${lots}`)}, ${id("doc", "i")},
                 CASE WHEN i < ${lots} THEN 'RECEIPT' ELSE 'ISSUE' END::"StockTransactionType",
                 ${id("material", `(i % ${lots}) / 2 % ${size.materials}`)}, ${id("lot", `i % ${lots}`)}, ${id("location", `(i % ${lots} % 2) || ':0'`)},
                 CASE WHEN i < ${lots} THEN 1000 ELSE -(1 + i % 5) END, CASE WHEN i < ${lots} THEN 1000 ELSE -(1 + i % 5) * 2.5 END,
                 CASE WHEN i < ${lots} THEN NULL ELSE ${id("wo", `i % ${size.workOrders}`)} END, 'scale-data',
                 now() - interval '200 days' + (i * interval '${((199 * 86400) / size.stockTransactions).toFixed(3)} seconds')
          FROM generate_series(${a}, ${b - 1}) i;`,
      },
    ],
    production: [
      {
        label: "products, routings and bills of materials",
        rows: products,
        sql: (a, b) => `
        INSERT INTO "Product" (id, "organizationId", "plantId", code, name, "updatedAt")
          SELECT ${id("product", "i")}, ${ORG}, ${plantOf("i")}, 'PRD-' || lpad(i::text, 4, '0'), 'Product ' || i, now()
          FROM generate_series(${a}, ${b - 1}) i;
        INSERT INTO "RoutingStep" (id, "organizationId", "plantId", "productId", sequence, name, "workCenterId", "cycleTimeSeconds")
          SELECT ${id("routing", "i || ':' || s")}, ${ORG}, ${plantOf("i")}, ${id("product", "i")}, (s + 1) * 10, 'Step ' || (s + 1), ${id("wc", `(i % 2) || ':' || ((i + s * 7) % ${WC_PER_PLANT})`)}, 30 + s * 15
          FROM generate_series(${a}, ${b - 1}) i, generate_series(0, ${size.operationsPerOrder - 1}) s;
        INSERT INTO "BomLine" (id, "organizationId", "plantId", "productId", "materialId", "quantityPer")
          SELECT ${id("bom", "i || ':' || k")}, ${ORG}, ${plantOf("i")}, ${id("product", "i")}, ${id("material", `(i * 5 + k) % ${size.materials}`)}, 1 + k
          FROM generate_series(${a}, ${b - 1}) i, generate_series(0, 4) k;`,
      },
      {
        label: "work orders and operations",
        rows: size.workOrders,
        sql: (a, b) => `
        INSERT INTO "WorkOrder" (id, "organizationId", "plantId", number, "productId", quantity, "dueDate", "plannedStart", "plannedEnd", status, priority,
                                 "releasedAt", "startedAt", "completedAt", "closedAt", "createdAt", "updatedAt")
          SELECT ${id("wo", "i")}, ${ORG}, ${plantOf("i")}, 'WO-' || lpad(i::text, 6, '0'), ${id("product", `i % ${products}`)}, 100 + i % 400,
                 ${woTime("i")} + interval '3 days', ${woTime("i")}, ${woTime("i")} + interval '1 day', ${woStatus("i")}, 1 + i % 5,
                 ${woTime("i")}, CASE WHEN ${woStatus("i")} IN ('IN_PROGRESS','CLOSED') THEN ${woTime("i")} + interval '1 hour' END,
                 CASE WHEN ${woStatus("i")} = 'CLOSED' THEN ${woTime("i")} + interval '20 hours' END,
                 CASE WHEN ${woStatus("i")} = 'CLOSED' THEN ${woTime("i")} + interval '22 hours' END, ${woTime("i")} - interval '1 day', now()
          FROM generate_series(${a}, ${b - 1}) i;
        INSERT INTO "Operation" (id, "organizationId", "plantId", "workOrderId", sequence, name, "workCenterId", "machineId", status,
                                 "plannedStart", "plannedEnd", "startedAt", "completedAt", "goodQuantity", "scrapQuantity", "updatedAt")
          SELECT ${id("op", "i || ':' || s")}, ${ORG}, ${plantOf("i")}, ${id("wo", "i")}, (s + 1) * 10, 'Step ' || (s + 1),
                 ${id("wc", `(i % 2) || ':' || (((i % ${products}) + s * 7) % ${WC_PER_PLANT})`)}, ${machineOf("i % 2", `(i / 2 + s * 11)`)},
                 CASE WHEN ${woStatus("i")} = 'CLOSED' THEN 'COMPLETED' WHEN ${woStatus("i")} = 'IN_PROGRESS' AND s = 0 THEN 'COMPLETED'
                      WHEN ${woStatus("i")} = 'IN_PROGRESS' AND s = 1 THEN 'IN_PROGRESS' WHEN s = 0 THEN 'READY' ELSE 'PENDING' END::"OperationStatus",
                 ${woTime("i")} + s * interval '4 hours', ${woTime("i")} + (s + 1) * interval '4 hours',
                 CASE WHEN ${woStatus("i")} = 'CLOSED' OR (${woStatus("i")} = 'IN_PROGRESS' AND s < 2) THEN ${woTime("i")} + s * interval '4 hours' END,
                 CASE WHEN ${woStatus("i")} = 'CLOSED' OR (${woStatus("i")} = 'IN_PROGRESS' AND s = 0) THEN ${woTime("i")} + (s + 1) * interval '4 hours' END,
                 CASE WHEN ${woStatus("i")} = 'CLOSED' THEN 100 + i % 400 ELSE 0 END, 0, now()
          FROM generate_series(${a}, ${b - 1}) i, generate_series(0, ${size.operationsPerOrder - 1}) s;`,
      },
      {
        label: "production logs",
        rows: size.productionLogs,
        sql: (a, b) => `
        INSERT INTO "ProductionLog" (id, "organizationId", "plantId", "operationId", "workOrderId", "machineId", "goodQuantity", "scrapQuantity", "loggedBy", "loggedAt")
          SELECT ${id("plog", "i")}, ${ORG}, ${plantOf(`i % ${size.workOrders}`)}, ${id("op", `(i % ${size.workOrders}) || ':' || (i / ${size.workOrders} % ${size.operationsPerOrder})`)},
                 ${id("wo", `i % ${size.workOrders}`)}, ${machineOf(`i % ${size.workOrders} % 2`, `(i % ${size.workOrders} / 2 + (i / ${size.workOrders} % ${size.operationsPerOrder}) * 11)`)},
                 10 + i % 20, i % 3, 'scale-data', ${woTime(`(i % ${size.workOrders})`)} + (i / ${size.workOrders} % ${size.operationsPerOrder}) * interval '4 hours' + interval '1 hour'
          FROM generate_series(${a}, ${b - 1}) i;`,
      },
    ],
    quality: [
      {
        label: "inspection plans and inspections",
        rows: size.workOrders,
        sql: (a, b) => `
        INSERT INTO "InspectionPlan" (id, "organizationId", "plantId", code, name, "productId", "sampleSize")
          SELECT ${id("plan", "i")}, ${ORG}, ${plantOf("i")}, 'IP-' || lpad(i::text, 4, '0'), 'Final inspection ' || i, ${id("product", "i")}, 5
          FROM generate_series(0, ${products - 1}) i WHERE ${a} = 0;
        INSERT INTO "Inspection" (id, "organizationId", "plantId", "planId", "workOrderId", "quantityInspected", result, inspector, "recordedBy", "inspectedAt")
          SELECT ${id("inspection", "i")}, ${ORG}, ${plantOf("i")}, ${id("plan", `i % ${products}`)}, ${id("wo", "i")}, 5,
                 CASE WHEN i % 23 = 0 THEN 'FAIL' ELSE 'PASS' END::"InspectionResult", 'qa.scale', 'qa.scale', ${woTime("i")} + interval '5 hours'
          FROM generate_series(${a}, ${b - 1}) i;`,
      },
    ],
  };
}
