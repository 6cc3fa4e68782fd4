// The fuzz cases of a schema: for every root field (mutations and queries), every site of its
// arguments and every bad value of the site's type and meaning, one case that sends the field's
// valid baseline with that one value changed. Nothing here lists mutations: a new one is covered.
import { getNamedType, isEnumType, isInputObjectType, isListType, isNonNullType, type GraphQLField } from "graphql";
import { randomUUID } from "node:crypto";
import { typeOfIdName } from "./tenancy-probe.ts";
import type { FuzzFixture } from "./fuzz-fixture.ts";
import { ownedTypeNames, referenceOf, type Reference } from "./fuzz-owners.ts";
import { leafValues, listValues, windowRole, type BadValue, type Expect } from "./fuzz-values.ts";
import {
  baselineOf,
  getPath,
  operationOf,
  partnerPath,
  pathText,
  setPath,
  sitesOf,
  type BaselineOptions,
  type Path,
  type Site,
} from "./fuzz-walk.ts";

type Field = GraphQLField<unknown, unknown>;
export type Kind = "mutation" | "query";

export interface FuzzCase {
  requestId: string;
  kind: Kind;
  field: Field;
  site: Site;
  cls: string;
  expect: Expect;
  /** The number sent, when an accepted value must be stored as sent. */
  exact?: number;
  /** Paths an error may name for this case (the site; for a window, its partner too). */
  names: string[];
  /** Set when the case is lenient only because its id names another subgraph's entity (issue 12). */
  foreign?: Reference;
  request(now: number): { query: string; variables: Record<string, unknown> };
}

/**
 * Where a mutation needs an entity in another state than the type's default one (a planned work
 * order to release, a completed one to close). A mutation missing here still gets cases; its
 * baseline may then be refused, which the summary counts.
 */
const STATE_FOR: Record<string, Record<string, string>> = {
  releaseWorkOrder: { WorkOrder: "planned" },
  cancelWorkOrder: { WorkOrder: "planned2" },
  completeWorkOrder: { WorkOrder: "allOpsDone" },
  closeWorkOrder: { WorkOrder: "completed" },
  placeWorkOrderHold: { WorkOrder: "inProgress2" },
  startOperation: { Operation: "ready" },
  pauseOperation: { Operation: "running2" },
  completeOperation: { Operation: "running3" },
  rescheduleOperation: { Operation: "pending" },
  resolveProblem: { ProblemReport: "ack" },
  reviewNcr: { Ncr: "open" },
  assignNcr: { Ncr: "review" },
  dispositionNcr: { Ncr: "review2" },
  closeNcr: { Ncr: "dispositioned" },
  requestLotHold: { Ncr: "withLot" },
  setMachineState: { Machine: "other" }, // it goes DOWN: the default machine keeps running
  holdLot: { Lot: "spare" },
  releaseLot: { Lot: "held" },
};
/** Enum arguments whose first value is refused with the optional fields a baseline sends (RUNNING takes no reason code). */
const ENUM_FOR: Record<string, Record<string, string>> = {
  setMachineState: { state: "DOWN" },
};
/** Id names that mean a second entity of the type (a transfer's destination). */
const STATE_FOR_NAME: Record<string, string> = { toLocationId: "other" };

export interface CaseContext {
  fixture: FuzzFixture;
}

/** The entity type an id names, among `known` types: workOrderId -> WorkOrder, fromLocationId -> Location, patternId -> ShiftPattern. */
export function entityOf(name: string, returnType: string, known: Set<string>): string | null {
  const direct = typeOfIdName(name, returnType);
  if (!direct) return null;
  const words = direct.split(/(?=[A-Z])/);
  for (let i = 0; i < words.length; i++) {
    const candidate = words.slice(i).join("");
    if (known.has(candidate)) return candidate;
    const longer = [...known].find((k) => k.endsWith(candidate));
    if (longer) return longer;
  }
  return null;
}

function baselineOptions(field: Field, kind: Kind, ctx: CaseContext, now: number, force: Path[], seq: () => number): BaselineOptions {
  const { ids, reasonCode, clockedIn } = ctx.fixture;
  const known = new Set([...ids.keys()].filter((k) => !k.includes(":")));
  const returnType = getNamedType(field.type).name;
  return {
    now,
    includeOptional: kind === "mutation",
    force,
    id(name) {
      const type = entityOf(name, returnType, known);
      if (!type) return randomUUID();
      const state = STATE_FOR[field.name]?.[type] ?? STATE_FOR_NAME[name];
      return (state && ids.get(`${type}:${state}`)) || ids.get(type)!;
    },
    string(name, parent) {
      if (parent === "clockOut" && name === "personId") return clockedIn;
      if (/timeZone$/i.test(name)) return "Europe/Berlin";
      if (/Time$/.test(name)) return "06:00";
      if (/Code$/.test(name) && name !== "code") return reasonCode;
      return `FZ${seq()}`;
    },
    enumValue(name, parent) {
      return ENUM_FOR[parent]?.[name];
    },
    number(name, parent, siblings) {
      const w = windowRole(name, siblings);
      if (w) return w.role === "start" ? 0 : 10;
      if (parent === "CreateShiftPatternInput" && name === "durationMinutes") return 480;
      if (/Minutes$/.test(name)) return 30;
      if (/[sS]equence$/.test(name)) return 10;
      return 1;
    },
  };
}

/** An existing id of another entity type than the site names. */
function otherTypeId(site: Site, field: Field, ctx: CaseContext): string {
  const known = new Set([...ctx.fixture.ids.keys()].filter((k) => !k.includes(":")));
  const type = entityOf(site.name, getNamedType(field.type).name, known);
  // A fixture that failed to make either (see its problems) still gets a well-formed id sent.
  return ctx.fixture.ids.get(type === "Plant" ? "Machine" : "Plant") ?? randomUUID();
}

let counter = 0;
const nextSeq = () => ++counter;

/** Every case of one root field. */
export function casesOf(kind: Kind, field: Field, ctx: CaseContext): FuzzCase[] {
  const cases: FuzzCase[] = [];
  for (const site of sitesOf(field)) {
    const own = isNonNullType(site.type) ? site.type.ofType : site.type;
    const named = getNamedType(site.type);
    const partner = partnerPath(site);
    const force = partner ? [site.path, partner] : [site.path];
    const base = (now: number) => baselineOf(field, baselineOptions(field, kind, ctx, now, force, nextSeq));
    let values: BadValue[];
    let foreign: Reference | undefined;
    if (isListType(own)) {
      values = listValues(getPath(base(Date.now()), [...site.path, 0]));
    } else if (isInputObjectType(named)) {
      continue; // its fields are sites of their own
    } else {
      // Which subgraph owns what the id names: from the schema, not the fixture (which may lack a type).
      const reference =
        named.name === "ID" ? referenceOf(kind, field.name, entityOf(site.name, getNamedType(field.type).name, ownedTypeNames())) : null;
      values = leafValues(
        {
          typeName: named.name,
          isEnum: isEnumType(named),
          name: site.name,
          siblings: site.siblings,
          otherTypeId: otherTypeId(site, field, ctx),
          foreign: reference?.scope === "foreign",
        },
        Date.now(),
      );
      foreign = reference ?? undefined;
    }
    for (const v of values) {
      const requestId = `fz-${nextSeq()}`;
      cases.push({
        requestId,
        kind,
        field,
        site,
        cls: v.cls,
        // A query only reads: any answer is fine but a 500 or a write.
        expect: kind === "query" ? "lenient" : v.expect,
        exact: v.exact && typeof v.value === "number" ? v.value : undefined,
        names: [pathText(site.path), ...(partner ? [pathText(partner)] : [])],
        foreign: kind === "mutation" && v.foreignReference ? foreign : undefined,
        request(now) {
          const variables = base(now);
          if (v.swapWith) {
            const other = [...site.path.slice(0, -1), v.swapWith];
            const [a, b] = [getPath(variables, site.path), getPath(variables, other)];
            setPath(variables, site.path, b);
            setPath(variables, other, a);
          } else if (v.copyFrom) {
            setPath(variables, site.path, getPath(variables, [...site.path.slice(0, -1), v.copyFrom]));
          } else {
            setPath(variables, site.path, v.value);
          }
          return { query: operationOf(kind, field, variables), variables };
        },
      });
    }
  }
  return cases;
}

/** The valid baseline request of a root field (nothing fuzzed). */
export function baselineRequest(kind: Kind, field: Field, ctx: CaseContext, now: number) {
  const variables = baselineOf(field, baselineOptions(field, kind, ctx, now, [], nextSeq));
  return { query: operationOf(kind, field, variables), variables };
}

/** Whether a refusal names one of the case's paths: in `extensions.fields`, or in a coercion message. */
export function namesField(errors: { message: string; fields?: { field: string }[] }[], names: string[]): boolean {
  return errors.some((e) =>
    names.some((p) => {
      // The field itself, its list or object (input.routing for input.routing.0.name), or its path without the argument.
      if (e.fields?.some((f) => f.field === p || p.startsWith(`${f.field}.`) || f.field.startsWith(`${p}.`) || p.endsWith(`.${f.field}`)))
        return true;
      const message = e.message.replace(/\[(\d+)\]/g, ".$1");
      const topLevel = !p.includes(".");
      return message.includes(`"${p}`) || (topLevel && message.includes(`"$${p}"`)) || (!e.fields && message.includes(p.split(".").at(-1)!));
    }),
  );
}
