import { DAY_MS, localDate, localToUtc } from "./time.ts";

/**
 * The demo plant's last week on the shop floor, so period KPIs have believable answers: every
 * machine runs the shifts that have ended (from a week ago up to the current shift), with set-ups,
 * waits, breakdowns with reasons and preventive maintenance between the runs, and reports counts
 * per shift on the work orders of that time. Pure: times come from the shifts and `now`.
 *
 * Orders are one per product per four business days. The demo's cycle times are chosen so that, with
 * equal quantities of every product, each work center is loaded alike (machines / (products routed
 * through it x cycle) is the same everywhere); a period's quantity is then what the work center
 * with the least run time made at PERFORMANCE of its ideal rate, so no machine beats its ideal cycle.
 */

const MINUTE = 60_000;
/** Share of the ideal rate the tightest work center of a period ran at (performance factor). */
const PERFORMANCE = 0.85;
/** Business days per history work order (few orders: each costs inventory several events to follow). */
const DAYS_PER_ORDER = 4;
const UNPLANNED = ["MECH", "ELEC", "NOMAT", "QUAL"] as const;
const REASON_NOTES: Record<string, string> = {
  MECH: "Spindle drive alarm, reset by maintenance",
  ELEC: "Tripped breaker on the control cabinet",
  NOMAT: "Waiting for material from the warehouse",
  QUAL: "Stopped after an out-of-tolerance part",
  PM: "Weekly lubrication",
};

interface Interval {
  start: number;
  end: number;
}
export interface HistoryInput {
  plantCode: string;
  timeZone: string;
  /** Shifts ending at or before this instant are history (the hour of seeding, so all seeds agree). */
  cut: Date;
  rand: () => number;
  id: (...parts: (string | number)[]) => string;
  workCenters: { id: string; code: string }[];
  machines: { id: string; workCenterId: string; code: string; idealCycleSeconds: number }[];
  products: { id: string; code: string; routing: { sequence: number; name: string; workCenterId: string; parallel: boolean }[] }[];
  shiftPatterns: { id: string; name: string; breaks: { startOffsetMinutes: number; durationMinutes: number }[] }[];
  shifts: { id: string; patternId: string; businessDate: Date; startsAt: Date; endsAt: Date }[];
}
export type StopState = "SETUP" | "IDLE" | "DOWN" | "MAINTENANCE";
export interface DemoMachineStop {
  machineId: string;
  state: StopState;
  startedAt: Date;
  endedAt: Date;
}
export interface DemoDowntime {
  id: string;
  machineId: string;
  reasonCode: string;
  startedAt: Date;
  endedAt: Date;
  note: string;
}
export interface DemoProductionLog {
  id: string;
  workOrderId: string;
  operationId: string;
  sequence: number;
  machineId: string;
  shiftId: string;
  goodQuantity: number;
  scrapQuantity: number;
  loggedAt: Date;
}
/** A completed preventive maintenance (the weekly lubrication of a work center's first machine). */
export interface DemoMaintenance {
  id: string;
  machineId: string;
  startedAt: Date;
  endedAt: Date;
}
export interface DemoHistoryOrder {
  id: string;
  number: string;
  productId: string;
  quantity: number;
  dueDate: Date;
  plannedStart: Date;
  plannedEnd: Date;
  completedAt: Date;
  status: "COMPLETED" | "CLOSED";
  priority: number;
  operations: {
    id: string;
    sequence: number;
    name: string;
    workCenterId: string;
    machineId: string;
    parallel: boolean;
    status: "COMPLETED";
    plannedStart: Date;
    plannedEnd: Date;
  }[];
}
export interface DemoHistory {
  workOrders: DemoHistoryOrder[];
  productionLogs: DemoProductionLog[];
  /** Non-RUNNING intervals of each machine; between them (from the first to `end`) machines ran. */
  stops: DemoMachineStop[];
  /** Start of the first history shift. */
  start: Date;
  /** End of the last history shift: the machines' current states begin after it. */
  end: Date;
  downtimes: DemoDowntime[];
  maintenance: DemoMaintenance[];
}

/** Parts of `from` not covered by `cut`. */
function subtract(from: Interval[], cut: Interval[]): Interval[] {
  let result = from;
  for (const c of cut)
    result = result.flatMap((i) =>
      c.end <= i.start || c.start >= i.end
        ? [i]
        : [
            { start: i.start, end: c.start },
            { start: c.end, end: i.end },
          ].filter((p) => p.end > p.start),
    );
  return result;
}
const length = (xs: Interval[]) => xs.reduce((s, i) => s + i.end - i.start, 0);

/** The instant `offset` ms of running time into `running` (its end when beyond). */
function atRunOffset(running: Interval[], offset: number): number {
  let left = offset;
  for (const i of running) {
    if (left <= i.end - i.start) return i.start + left;
    left -= i.end - i.start;
  }
  return running.at(-1)?.end ?? 0;
}

/** When the weekly lubrication of the i-th work center's first machine was done: Early shift, 3 + 2i days ago. */
export function lubricationWindow(timeZone: string, now: Date, workCenterIndex: number): Interval {
  const day = new Date(localDate(now, timeZone).getTime() - (3 + 2 * workCenterIndex) * DAY_MS);
  const start = localToUtc(day, 6 * 60 + 150, timeZone).getTime();
  return { start, end: start + 60 * MINUTE };
}

interface Slot {
  shift: HistoryInput["shifts"][number];
  machine: HistoryInput["machines"][number];
  running: Interval[];
  run: number;
}

export function buildHistory(input: HistoryInput): DemoHistory {
  const { rand, id, plantCode: p } = input;
  const between = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  const today = localDate(input.cut, input.timeZone).getTime();
  const shifts = input.shifts.filter((s) => s.endsAt <= input.cut && today - s.businessDate.getTime() <= 7 * DAY_MS);
  const stops: DemoMachineStop[] = [];
  const downtimes: DemoDowntime[] = [];
  const maintenance: DemoMaintenance[] = [];
  const firstOfCenter = new Map(input.workCenters.map((wc, i) => [input.machines.find((m) => m.workCenterId === wc.id)?.id, i]));
  // PM done before the history began is still maintenance history (the schedule's last reset).
  for (const [machineId, i] of firstOfCenter) {
    if (!machineId) continue;
    const w = lubricationWindow(input.timeZone, input.cut, i);
    maintenance.push({ id: id(p, "pm-done", i), machineId, startedAt: new Date(w.start), endedAt: new Date(w.end) });
  }

  const slots: Slot[] = [];
  for (const shift of shifts) {
    const pattern = input.shiftPatterns.find((sp) => sp.id === shift.patternId)!;
    const s0 = shift.startsAt.getTime(),
      s1 = shift.endsAt.getTime();
    const at = (minutes: number) => Math.min(s1, s0 + minutes * MINUTE);
    const breaks = pattern.breaks.map((b) => ({ start: at(b.startOffsetMinutes), end: at(b.startOffsetMinutes + b.durationMinutes) }));
    const operating = subtract([{ start: s0, end: s1 }], breaks);
    for (const machine of input.machines) {
      const events: { state: StopState; window: Interval; reason?: string }[] = [];
      const pm = maintenance.find((m) => m.machineId === machine.id && m.startedAt.getTime() >= s0 && m.endedAt.getTime() <= s1);
      if (pm) events.push({ state: "MAINTENANCE", window: { start: pm.startedAt.getTime(), end: pm.endedAt.getTime() }, reason: "PM" });
      else {
        // A changeover at the start, a wait before the first break, a stop after the second.
        if (rand() < 0.4) events.push({ state: "SETUP", window: { start: s0, end: at(between(20, 35)) } });
        if (rand() < 0.25) {
          const from = between(40, 85);
          events.push({ state: "IDLE", window: { start: at(from), end: at(from + between(10, 30)) } });
        }
        if (rand() < 0.35) {
          const from = between(280, 410);
          events.push({ state: "DOWN", window: { start: at(from), end: at(from + between(15, 60)) }, reason: UNPLANNED[between(0, 3)] });
        }
      }
      for (const e of events.filter((e) => e.window.end > e.window.start)) {
        const startedAt = new Date(e.window.start),
          endedAt = new Date(e.window.end);
        stops.push({ machineId: machine.id, state: e.state, startedAt, endedAt });
        if (e.reason && e.reason !== "PM")
          downtimes.push({
            id: id(p, "downtime", machine.code, shift.id),
            machineId: machine.id,
            reasonCode: e.reason,
            startedAt,
            endedAt,
            note: REASON_NOTES[e.reason]!,
          });
      }
      const running = subtract(
        operating,
        events.map((e) => e.window),
      );
      slots.push({ shift, machine, running, run: length(running) });
    }
  }
  for (const m of maintenance)
    downtimes.push({
      id: id(p, "downtime", "pm", m.id),
      machineId: m.machineId,
      reasonCode: "PM",
      startedAt: m.startedAt,
      endedAt: m.endedAt,
      note: REASON_NOTES.PM!,
    });

  // Orders per product per DAYS_PER_ORDER business days (today's ended shifts go with the latest).
  const periodOf = (s: Slot) => Math.floor(Math.round((today - s.shift.businessDate.getTime()) / DAY_MS) / DAYS_PER_ORDER);
  const periods = [...new Set(slots.map(periodOf))].sort((a, b) => b - a);
  const workOrders: DemoHistoryOrder[] = [];
  const productionLogs: DemoProductionLog[] = [];
  let sequenceNumber = 0;
  for (const period of periods) {
    const inPeriod = slots.filter((s) => periodOf(s) === period);
    const startsAt = new Date(Math.min(...inPeriod.map((s) => s.shift.startsAt.getTime())));
    const endsAt = new Date(Math.max(...inPeriod.map((s) => s.shift.endsAt.getTime())));
    const centers = input.workCenters.map((wc) => {
      const own = inPeriod.filter((s) => s.machine.workCenterId === wc.id);
      const products = input.products.filter((pr) => pr.routing.some((r) => r.workCenterId === wc.id));
      const cycle = own[0]?.machine.idealCycleSeconds ?? 1;
      const run = own.reduce((sum, s) => sum + s.run, 0);
      return { wc, own, products, run, capacity: (PERFORMANCE * run) / 1000 / (products.length * cycle * 1.02) };
    });
    const quantity = Math.floor(Math.min(...centers.filter((c) => c.products.length).map((c) => c.capacity)) / 10) * 10;
    const completedAt = endsAt;
    const orders = input.products.map((product) => {
      sequenceNumber += 1;
      const order: DemoHistoryOrder = {
        id: id(p, "hist-wo", period, product.code),
        number: `WO-${p}-${2000 + sequenceNumber}`,
        productId: product.id,
        quantity,
        dueDate: new Date(endsAt.getTime() + DAY_MS),
        plannedStart: startsAt,
        plannedEnd: endsAt,
        completedAt,
        status: completedAt.getTime() + DAY_MS <= input.cut.getTime() ? "CLOSED" : "COMPLETED",
        priority: 3,
        operations: product.routing.map((step) => ({
          id: id(p, "hist-op", period, product.code, step.sequence),
          sequence: step.sequence,
          name: step.name,
          workCenterId: step.workCenterId,
          machineId: input.machines.find((m) => m.workCenterId === step.workCenterId)!.id,
          parallel: step.parallel,
          status: "COMPLETED" as const,
          plannedStart: startsAt,
          plannedEnd: endsAt,
        })),
      };
      workOrders.push(order);
      return order;
    });
    for (const c of centers) productionLogs.push(...centerLogs(c, orders, quantity, rand, id, p));
  }
  return {
    workOrders,
    productionLogs,
    stops,
    start: shifts[0]?.startsAt ?? input.cut,
    end: new Date(Math.max(0, ...shifts.map((s) => s.endsAt.getTime()))),
    downtimes,
    maintenance,
  };
}

/**
 * The counts one work center reported in a period: its run time is shared out among the products
 * routed through it, in turn (each gets an equal share of the run time), and each product's good
 * and scrap units are spread over the machine-shifts of its share (cumulative rounding, so they
 * add up exactly). A machine-shift logs once per product it made, at the end of that run.
 */
function centerLogs(
  c: { wc: { id: string }; own: Slot[]; products: { id: string }[]; run: number },
  orders: DemoHistoryOrder[],
  quantity: number,
  rand: () => number,
  id: HistoryInput["id"],
  p: string,
): DemoProductionLog[] {
  const logs: DemoProductionLog[] = [];
  const k = c.products.length;
  if (!k || c.run <= 0) return logs;
  const share = c.run / k;
  const slots = [...c.own].sort((a, b) => a.shift.startsAt.getTime() - b.shift.startsAt.getTime() || a.machine.code.localeCompare(b.machine.code));
  const scrap = c.products.map(() => Math.round(quantity * (0.01 + 0.02 * rand())));
  let cum = 0;
  for (const slot of slots) {
    const c0 = cum,
      c1 = cum + slot.run;
    cum = c1;
    for (const [j, product] of c.products.entries()) {
      const from = Math.max(c0, j * share),
        to = Math.min(c1, (j + 1) * share);
      if (to <= from) continue;
      const a = (from - j * share) / share,
        b = (to - j * share) / share;
      const good = Math.round(quantity * b) - Math.round(quantity * a);
      const bad = Math.round(scrap[j]! * b) - Math.round(scrap[j]! * a);
      if (good + bad <= 0) continue;
      const order = orders.find((o) => o.productId === product.id)!;
      const op = order.operations.find((o) => o.workCenterId === c.wc.id)!;
      const endOfRun = atRunOffset(slot.running, to - c0);
      logs.push({
        id: id(p, "hist-log", slot.shift.id, slot.machine.id, product.id),
        workOrderId: order.id,
        operationId: op.id,
        sequence: op.sequence,
        machineId: slot.machine.id,
        shiftId: slot.shift.id,
        goodQuantity: good,
        scrapQuantity: bad,
        loggedAt: new Date(Math.min(endOfRun, slot.shift.endsAt.getTime() - MINUTE)),
      });
    }
  }
  return logs;
}
