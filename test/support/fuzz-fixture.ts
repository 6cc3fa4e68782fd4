// A plant with one entity of every type a mutation can name, built through the graph's own
// mutations, several of a type where mutations need it in different states. Ids are kept by type
// name ("WorkOrder") and, for the other states, by "Type:state" ("WorkOrder:planned"). A step that
// fails (its mutation's input changed shape) is listed in `problems`, and the rest still runs.
import { randomUUID } from "node:crypto";
import type { TestStack } from "./stack.ts";
import { FixtureSteps } from "./fuzz-steps.ts";

export interface FuzzFixture {
  ids: Map<string, string>;
  /** A downtime reason code of the organization. */
  reasonCode: string;
  /** A person clocked in to the current shift. */
  clockedIn: string;
  /** Steps that failed or were skipped: "logHandover: BAD_USER_INPUT Field \"createdBy\" is not defined…". */
  problems: string[];
}

type WorkOrderStep = "release" | "start" | "complete-op" | "complete" | "hold";

export async function buildFuzzFixture(stack: TestStack, organizationId: string): Promise<FuzzFixture> {
  const f = new FixtureSteps(stack.gatewayUrl);
  const { ids, step, need, one, query: q } = f;
  const now = Date.now();
  const day = 86_400_000;

  await step("createPlant", async () => {
    const plant = await one(`mutation { createPlant(input: { code: "FZ", name: "Fuzz plant", timeZone: "Europe/Berlin" }) { id } }`);
    ids.set("Plant", plant.id);
  });
  await step("createArea", async () => {
    const area = await one(`mutation($p: ID!) { createArea(input: { plantId: $p, code: "A", name: "Area" }) { id } }`, { p: need("Plant") });
    ids.set("Area", area.id);
  });
  await step("createWorkCenter", async () => {
    const wc = await one(`mutation($a: ID!) { createWorkCenter(input: { areaId: $a, code: "WC", name: "Work center" }) { id } }`, {
      a: need("Area"),
    });
    ids.set("WorkCenter", wc.id);
  });
  for (const [key, code] of [
    ["Machine", "M-1"],
    ["Machine:other", "M-2"],
  ] as const)
    await step(`createMachine ${code}`, async () => {
      const m = await one(
        `mutation($w: ID!, $c: String!) { createMachine(input: { workCenterId: $w, code: $c, name: $c, idealCycleSeconds: 30 }) { id } }`,
        { w: need("WorkCenter"), c: code },
      );
      ids.set(key, m.id);
    });
  // Reason codes are reference data no mutation creates (the demo seed writes them).
  const reasonCode = "FZ-JAM";
  await step("DowntimeReason row", async () => {
    const reasonId = randomUUID();
    await stack.subgraphs.equipment.pool.query(
      `INSERT INTO "DowntimeReason" (id, "organizationId", code, description, kind) VALUES ($1, $2, $3, 'Jam', 'UNPLANNED')`,
      [reasonId, organizationId, reasonCode],
    );
    ids.set("DowntimeReason", reasonId);
  });

  // Inventory: a material with stock in four lots, two locations.
  await step("createMaterial", async () => {
    const material = await one(
      `mutation { createMaterial(input: { code: "FZ-MAT", description: "Fuzz material", unitOfMeasure: "EA", reorderPoint: 1, safetyStock: 1 }) { id } }`,
    );
    ids.set("Material", material.id);
  });
  for (const [key, code, type] of [
    ["Location", "FZ-WH", "WAREHOUSE"],
    ["Location:other", "FZ-LS", "LINE_SIDE"],
  ] as const)
    await step(`createLocation ${code}`, async () => {
      const l = await one(
        `mutation($p: ID!, $c: String!, $t: LocationType) { createLocation(input: { plantId: $p, code: $c, name: $c, type: $t }) { id } }`,
        { p: need("Plant"), c: code, t: type },
      );
      ids.set(key, l.id);
    });
  await step("receiveStock (4 lots)", async () => {
    for (const lot of ["FZ-LOT-1", "FZ-LOT-2", "FZ-LOT-3", "FZ-LOT-4"])
      await q(
        `mutation($m: ID!, $l: ID!, $n: String!) { receiveStock(input: { materialId: $m, locationId: $l, lotNumber: $n, quantity: 1000, unitCost: 2 }) { documentId } }`,
        { m: need("Material"), l: need("Location"), n: lot },
      );
    const { lots } = await q(`query($p: ID!) { lots(plantId: $p, limit: 10) { items { id lotNumber } } }`, { p: need("Plant") });
    const lotId = (n: string) => {
      const lot = (lots.items as { id: string; lotNumber: string }[]).find((l) => l.lotNumber === n);
      if (!lot) throw new Error(`lots(plantId) does not list ${n}`);
      return lot.id;
    };
    ids.set("Lot", lotId("FZ-LOT-1"));
    ids.set("Lot:spare", lotId("FZ-LOT-2"));
    ids.set("Lot:held", lotId("FZ-LOT-3"));
    ids.set("Lot:ncr", lotId("FZ-LOT-4")); // an NCR's lot hold must not block the default lot
  });
  await step(
    "holdLot",
    async () => void (await q(`mutation($l: ID!) { holdLot(lotId: $l, reason: "fuzz fixture") { id } }`, { l: need("Lot:held") })),
  );

  // Production: one product, work orders in every state a mutation needs.
  await step("createProduct", async () => {
    const product = await one(`mutation($i: CreateProductInput!) { createProduct(input: $i) { id } }`, {
      i: {
        plantId: need("Plant"),
        code: "FZ-PRD",
        name: "Fuzz product",
        routing: [{ sequence: 10, name: "Make", workCenterId: need("WorkCenter"), cycleTimeSeconds: 60 }],
        billOfMaterials: [{ materialId: need("Material"), quantityPer: 1 }],
      },
    });
    ids.set("Product", product.id);
  });
  let n = 0;
  /** A work order taken through `steps`; its operation's id is kept under `opKey`. */
  const workOrder = (key: string, steps: WorkOrderStep[], opKey?: string) =>
    step(`work order ${key || "(default)"}: createWorkOrder, ${steps.join(", ") || "nothing more"}`, async () => {
      const wo = await one(`mutation($i: CreateWorkOrderInput!) { createWorkOrder(input: $i) { id operations { id } } }`, {
        i: { productId: need("Product"), number: `FZ-WO-${++n}`, quantity: 100, dueDate: new Date(now + 30 * day).toISOString() },
      });
      const op = wo.operations?.[0]?.id as string | undefined;
      if (!op) throw new Error("the work order has no operation");
      for (const s of steps) {
        if (s === "release") await q(`mutation($id: ID!) { releaseWorkOrder(id: $id) { id } }`, { id: wo.id });
        if (s === "start") await q(`mutation($id: ID!) { startOperation(id: $id) { id } }`, { id: op });
        if (s === "complete-op") await q(`mutation($id: ID!) { completeOperation(id: $id) { id } }`, { id: op });
        if (s === "complete") await q(`mutation($id: ID!) { completeWorkOrder(id: $id) { id } }`, { id: wo.id });
        if (s === "hold") {
          const hold = await one(`mutation($id: ID!) { placeWorkOrderHold(workOrderId: $id, reason: "fuzz fixture") { id } }`, { id: wo.id });
          ids.set("WorkOrderHold", hold.id);
        }
      }
      ids.set(`WorkOrder${key}`, wo.id);
      if (opKey) ids.set(opKey, op);
    });
  await workOrder("", ["release", "start"], "Operation");
  await workOrder(":planned", [], "Operation:pending");
  await workOrder(":planned2", []);
  await workOrder(":released", ["release"], "Operation:ready");
  await workOrder(":inProgress2", ["release", "start"]);
  await workOrder(":inProgress3", ["release", "start"], "Operation:running2");
  await workOrder(":inProgress4", ["release", "start"], "Operation:running3");
  await workOrder(":onHold", ["release", "start", "hold"]);
  await workOrder(":allOpsDone", ["release", "start", "complete-op"]);
  await workOrder(":completed", ["release", "start", "complete-op", "complete"]);
  for (const key of ["ProblemReport", "ProblemReport:ack"])
    await step(`reportProblem ${key}`, async () => {
      const p = await one(`mutation($o: ID!) { reportProblem(input: { operationId: $o, kind: OTHER, description: "fuzz fixture" }) { id } }`, {
        o: need("Operation"),
      });
      ids.set(key, p.id);
    });
  await step(
    "acknowledgeProblem",
    async () => void (await q(`mutation($id: ID!) { acknowledgeProblem(id: $id) { id } }`, { id: need("ProblemReport:ack") })),
  );
  await drain(stack); // inventory learns of the released work orders
  await step("issueStock", async () => {
    await q(
      `mutation($m: ID!, $w: ID!, $l: ID!) { issueStock(input: { materialId: $m, workOrderId: $w, lotId: $l, quantity: 10 }) { documentId } }`,
      {
        m: need("Material"),
        w: need("WorkOrder"),
        l: need("Lot"),
      },
    );
  });

  // Equipment: a due PM schedule and its maintenance order.
  await step("createPmSchedule", async () => {
    const pm = await one(
      `mutation($m: ID!, $s: DateTime) { createPmSchedule(input: { machineId: $m, name: "Lube", trigger: CALENDAR, interval: 1, startsAt: $s }) { id } }`,
      { m: need("Machine:other"), s: new Date(now - 3 * day).toISOString() },
    );
    ids.set("PmSchedule", pm.id);
  });
  await step("checkPmSchedules", async () => {
    const orders = (await one(`mutation($p: ID!) { checkPmSchedules(plantId: $p) { id } }`, { p: need("Plant") })) as unknown as { id: string }[];
    if (!orders[0]) throw new Error("made no maintenance order for the due schedule");
    ids.set("MaintenanceOrder", orders[0].id);
  });

  await qualityFixture(f);
  await shiftsFixture(f, now);
  await drain(stack);
  return { ids, reasonCode, clockedIn: CLOCKED_IN, problems: f.problems };
}

/** Quality: a plan with one numeric characteristic, an inspection, NCRs in every state. */
async function qualityFixture(f: FixtureSteps): Promise<void> {
  const { ids } = f;
  await f.step("createInspectionPlan", async () => {
    const plan = await f.one(
      `mutation($p: ID!, $pr: ID!) { createInspectionPlan(input: { plantId: $p, code: "FZ-PLAN", name: "Fuzz plan", productId: $pr,
        characteristics: [{ name: "Diameter", kind: NUMERIC, nominal: 5, lowerLimit: 0, upperLimit: 10, unit: "mm" }] }) { id characteristics { id } } }`,
      { p: f.need("Plant"), pr: f.need("Product") },
    );
    ids.set("InspectionPlan", plan.id);
    if (plan.characteristics?.[0]) ids.set("Characteristic", plan.characteristics[0].id);
  });
  await f.step("recordInspection", async () => {
    const inspection = await f.one(
      `mutation($p: ID!, $w: ID!, $c: ID!) { recordInspection(input: { planId: $p, workOrderId: $w, quantityInspected: 1, measurements: [{ characteristicId: $c, value: 5 }] }) { id } }`,
      { p: f.need("InspectionPlan"), w: f.need("WorkOrder"), c: f.need("Characteristic") },
    );
    ids.set("Inspection", inspection.id);
  });
  let n = 0;
  const ncr = (key: string, steps: ("review" | "disposition")[], lot = false) =>
    f.step(`NCR ${key || "(default)"}: openNcr, ${steps.join(", ") || "nothing more"}`, async () => {
      const created = await f.one(`mutation($i: OpenNcrInput!) { openNcr(input: $i) { id } }`, {
        i: {
          plantId: f.need("Plant"),
          number: `FZ-NCR-${++n}`,
          title: "Fuzz NCR",
          severity: "MINOR",
          ...(lot ? { materialId: f.need("Material"), lotId: f.need("Lot:ncr") } : {}),
        },
      });
      if (steps.includes("review")) await f.query(`mutation($id: ID!) { reviewNcr(id: $id, assignee: "qa") { id } }`, { id: created.id });
      if (steps.includes("disposition"))
        await f.query(
          `mutation($id: ID!) { dispositionNcr(input: { id: $id, disposition: USE_AS_IS, rootCause: "fuzz", containmentAction: "none" }) { id } }`,
          { id: created.id },
        );
      ids.set(`Ncr${key}`, created.id);
    });
  await ncr("", []);
  await ncr(":open", []);
  await ncr(":review", ["review"]);
  await ncr(":review2", ["review"]);
  await ncr(":dispositioned", ["review", "disposition"]);
  await ncr(":withLot", [], true);
}

const CLOCKED_IN = "fz.present";

/** Shifts: a 24-hour pattern (so a shift is always current), its shifts, a crew, a handover, a clock-in. */
async function shiftsFixture(f: FixtureSteps, now: number): Promise<void> {
  const { ids } = f;
  const day = 86_400_000;
  await f.step("createShiftPattern", async () => {
    const pattern = await f.one(
      `mutation($p: ID!) { createShiftPattern(input: { plantId: $p, name: "FZ all day", timeZone: "Europe/Berlin", startTime: "00:00", durationMinutes: 1440 }) { id } }`,
      { p: f.need("Plant") },
    );
    ids.set("ShiftPattern", pattern.id);
  });
  const date = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  await f.step("generateShifts, shiftAt", async () => {
    await f.query(`mutation($p: ID!, $f: Date!, $t: Date!) { generateShifts(patternId: $p, fromDate: $f, toDate: $t) { id } }`, {
      p: f.need("ShiftPattern"),
      f: date(now - day),
      t: date(now + day),
    });
    const shift = await f.one(`query($p: ID!, $at: DateTime!) { shiftAt(plantId: $p, at: $at) { id } }`, {
      p: f.need("Plant"),
      at: new Date().toISOString(),
    });
    ids.set("Shift", shift.id);
  });
  await f.step("createCrew", async () => {
    const crew = await f.one(
      `mutation($p: ID!) { createCrew(input: { plantId: $p, name: "FZ crew", members: [{ personId: "fz.crew", displayName: "Crew", role: "operator" }] }) { id } }`,
      { p: f.need("Plant") },
    );
    ids.set("Crew", crew.id);
  });
  await f.step("logHandover", async () => {
    const handover = await f.one(`mutation($s: ID!) { logHandover(input: { shiftId: $s, notes: "fuzz" }) { id } }`, { s: f.need("Shift") });
    ids.set("Handover", handover.id);
  });
  await f.step("clockIn", async () => {
    await f.query(`mutation($s: ID!, $p: String!) { clockIn(input: { shiftId: $s, personId: $p }) { id } }`, { s: f.need("Shift"), p: CLOCKED_IN });
  });
}

/** Lets every event-feed follower apply what is waiting. */
export async function drain(stack: TestStack): Promise<void> {
  for (const sg of Object.values(stack.subgraphs)) for (const c of sg.consumers) await c.drain();
}
