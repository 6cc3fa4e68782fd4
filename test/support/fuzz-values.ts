// Bad values per GraphQL type and, where a field's name tells, per meaning. Each value class says
// whether it must be refused or only must not break anything (valid for some meanings, or a
// value whose storage is checked instead). Pure: no server, no schema walk.
import { randomUUID } from "node:crypto";

/** refuse: the input is invalid whatever else is sent; lenient: may be accepted, never a 500. */
export type Expect = "refuse" | "lenient";

export interface BadValue {
  cls: string;
  expect: Expect;
  value?: unknown;
  /** Swap the value with this sibling's (a window given end before start). */
  swapWith?: string;
  /** Set the value to this sibling's (a window of length 0). */
  copyFrom?: string;
  /** If accepted, the stored number must be the one sent (checked in the audit trail). */
  exact?: boolean;
  /** Lenient only because the id names another subgraph's entity, which issue 12 is to check. */
  foreignReference?: boolean;
}

/** Names of numbers that may be negative (measurements, limits, signed changes). */
const SIGNED = /^(value|nominal)$|Limit$|Change$/;
/** Signed numbers for which 0 means "nothing happened". */
const ZERO_IS_NOTHING = /Change$/;
/** Names of numbers that may be 0 but not negative. */
const NON_NEGATIVE = /^(offset|unitCost|requiredPeople|priority)$|^(scrap|setup|safety|reorder|startOffset)/;
/** DateTime names of things that have already happened: never in the future. */
export const HAPPENED = /^(at|asOf)$|edAt$/;
/** DateTime names of things planned or due: in the future by default. */
const PLANNED = /^(due|expires|planned)|^plannedStart|^plannedEnd/i;

export type Meaning = "signed" | "non-negative" | "positive";

export function numberMeaning(name: string): Meaning {
  if (SIGNED.test(name)) return "signed";
  if (NON_NEGATIVE.test(name)) return "non-negative";
  return "positive";
}

const WINDOW_WORDS: [string, string][] = [
  ["from", "to"],
  ["start", "end"],
  ["lower", "upper"],
  ["after", "before"],
  ["min", "max"],
];
const cap = (s: string) => s[0]!.toUpperCase() + s.slice(1);

/** A start/end pair among siblings: startedAt/endedAt, from/to, fromDate/toDate, lowerLimit/upperLimit... */
export function windowRole(name: string, siblings: readonly string[]): { role: "start" | "end"; partner: string } | null {
  for (const [a, b] of WINDOW_WORDS) {
    for (const [x, y, role] of [
      [a, b, "start"],
      [b, a, "end"],
    ] as const) {
      const partner = name.startsWith(x) ? y + name.slice(x.length) : name.includes(cap(x)) ? name.replace(cap(x), cap(y)) : null;
      if (partner && partner !== name && siblings.includes(partner)) return { role, partner };
    }
  }
  return null;
}

const iso = (ms: number) => new Date(ms).toISOString();
const HOUR = 3_600_000;
const DAY = 86_400_000;

/** A valid DateTime for a field: past for what happened, future for what is planned, a recent window otherwise. */
export function validDateTime(name: string, siblings: readonly string[], now: number): string {
  const w = windowRole(name, siblings);
  if (w) {
    const happened = HAPPENED.test(name) || HAPPENED.test(w.partner);
    const [start, end] = happened
      ? [now - 3 * HOUR, now - 2 * HOUR]
      : PLANNED.test(name)
        ? [now + DAY, now + DAY + HOUR]
        : [now - 7 * DAY, now + DAY];
    return iso(w.role === "start" ? start : end);
  }
  if (HAPPENED.test(name)) return iso(now - 5_000);
  if (PLANNED.test(name)) return iso(now + 7 * DAY);
  return iso(now - 5_000);
}

export function validDate(name: string, siblings: readonly string[], now: number): string {
  const w = windowRole(name, siblings);
  return iso(w?.role === "end" ? now + DAY : now).slice(0, 10);
}

const STRING_CLASSES: BadValue[] = [
  { cls: "NUL character", expect: "refuse", value: "FZ\u0000x" },
  { cls: "lone surrogate", expect: "refuse", value: "FZ\ud800x" },
  { cls: "empty string", expect: "refuse", value: "" },
  { cls: "whitespace only", expect: "refuse", value: " \t\n " },
  { cls: "100k characters", expect: "refuse", value: "x".repeat(100_000) },
];
/** Valid text for a name or note, but the characters SQL, HTML and shells treat specially. */
const MARKUP: BadValue = { cls: "quotes and markup", expect: "lenient", value: `O'Brien "x" <b>&amp;</b>; DROP TABLE x; --` };

/** Strings whose name gives them a format. */
function stringMeaningClasses(name: string): BadValue[] {
  if (/timeZone$/i.test(name)) return [{ cls: "unknown time zone", expect: "refuse", value: "Mars/Olympus_Mons" }];
  if (/Time$/.test(name)) return [{ cls: "impossible local time", expect: "refuse", value: "25:61" }];
  if (/Code$/.test(name) && name !== "code") return [{ cls: "unknown code", expect: "refuse", value: "FZ-NO-SUCH-CODE" }];
  return [];
}

export interface SiteInfo {
  /** Named GraphQL type: String, ID, Int, Float, Boolean, DateTime, Date, JSON, or an enum. */
  typeName: string;
  isEnum: boolean;
  name: string;
  siblings: readonly string[];
  /** An existing id of another entity type (an id of the wrong kind). */
  otherTypeId: string;
  /** The id names an entity another subgraph owns (checked against the copy of its reference data). */
  foreign?: boolean;
}

/** Bad values for one leaf (scalar or enum) site. */
export function leafValues(site: SiteInfo, now: number): BadValue[] {
  const { typeName, name, siblings } = site;
  if (site.isEnum) return [{ cls: "unknown enum value", expect: "refuse", value: "NOT_A_VALUE" }];
  switch (typeName) {
    case "ID": {
      // A malformed, nil or unknown id names no entity, whoever owns the type: refused everywhere
      // (another subgraph's entities are checked against the local copy of its reference data).
      const existence: Pick<BadValue, "expect" | "foreignReference"> = site.foreign
        ? { expect: "refuse", foreignReference: true }
        : { expect: "refuse" };
      return [
        ...STRING_CLASSES,
        { cls: "not a UUID", expect: "refuse", value: "not-a-uuid" },
        { cls: "nil UUID", expect: "refuse", value: "00000000-0000-0000-0000-000000000000" },
        { cls: "unknown UUID", ...existence, value: randomUUID() },
        { cls: "id of another entity type", ...existence, value: site.otherTypeId },
      ];
    }
    case "String":
      return [...STRING_CLASSES, MARKUP, ...stringMeaningClasses(name)];
    case "Float":
      return floatValues(name);
    case "Int":
      return intValues(name);
    case "DateTime":
      return dateTimeValues(name, siblings, now);
    case "Date":
      return dateValues(name, siblings);
    default:
      return [];
  }
}

function signValues(name: string): BadValue[] {
  const meaning = numberMeaning(name);
  const zero: Expect = meaning === "positive" || ZERO_IS_NOTHING.test(name) ? "refuse" : "lenient";
  return [
    { cls: "-1", expect: meaning === "signed" ? "lenient" : "refuse", value: -1 },
    { cls: "0", expect: zero, value: 0 },
    { cls: "-0", expect: zero, value: -0 },
  ];
}

function floatValues(name: string): BadValue[] {
  return [
    { cls: "1e308", expect: "refuse", value: 1e308 },
    { cls: "-1e308", expect: "refuse", value: -1e308 },
    { cls: "1e16", expect: "refuse", value: 1e16 },
    // Beyond some Decimal columns (10,2 and 18,6): stored exactly or refused, never a 500.
    { cls: "1e13", expect: "lenient", value: 1e13, exact: true },
    { cls: "1e9", expect: "lenient", value: 1e9, exact: true },
    ...signValues(name),
    // Below a column's precision: stored exactly or refused, never rounded to 0.
    { cls: "1e-9", expect: "lenient", value: 1e-9, exact: true },
    { cls: "0.00001", expect: "lenient", value: 0.00001, exact: true },
  ];
}

function intValues(name: string): BadValue[] {
  return [
    { cls: "1e308", expect: "refuse", value: 1e308 },
    { cls: "1e16", expect: "refuse", value: 1e16 },
    { cls: "2^31", expect: "refuse", value: 2 ** 31 },
    { cls: "2^31-1", expect: "lenient", value: 2 ** 31 - 1 },
    ...signValues(name),
    { cls: "1e-9", expect: "refuse", value: 1e-9 },
    { cls: "0.00001", expect: "refuse", value: 0.00001 },
  ];
}

function windowSwap(name: string, siblings: readonly string[]): BadValue[] {
  const w = windowRole(name, siblings);
  return w?.role === "start" ? [{ cls: `${name} after ${w.partner}`, expect: "refuse", swapWith: w.partner }] : [];
}

function dateTimeValues(name: string, siblings: readonly string[], now: number): BadValue[] {
  return [
    { cls: "impossible date 2025-02-30", expect: "refuse", value: "2025-02-30T00:00:00Z" },
    { cls: "date without time", expect: "refuse", value: "2025-02-28" },
    { cls: "time without offset", expect: "refuse", value: "2025-02-28T10:00:00" },
    { cls: "impossible time 25:61", expect: "refuse", value: "2025-02-28T25:61:00Z" },
    { cls: "offset beyond 14 hours", expect: "refuse", value: "2025-02-28T10:00:00+25:00" },
    { cls: "words (yesterday)", expect: "refuse", value: "yesterday" },
    { cls: "a number (epoch milliseconds)", expect: "refuse", value: 1_740_736_800_000 },
    { cls: "year 0001", expect: "refuse", value: "0001-01-01T00:00:00Z" },
    { cls: "year 9999", expect: "refuse", value: "9999-12-31T23:59:59Z" },
    ...(HAPPENED.test(name) ? [{ cls: "in the future (must have happened)", expect: "refuse" as const, value: iso(now + 2 * DAY) }] : []),
    ...windowSwap(name, siblings),
    ...emptyWindow(name, siblings),
  ];
}

/** A DateTime window that starts when it ends (a Date window [d, d] is one day, and fine). */
function emptyWindow(name: string, siblings: readonly string[]): BadValue[] {
  const w = windowRole(name, siblings);
  return w?.role === "start" ? [{ cls: `${name} equal to ${w.partner}`, expect: "refuse", copyFrom: w.partner }] : [];
}

function dateValues(name: string, siblings: readonly string[]): BadValue[] {
  return [
    { cls: "impossible date 2025-02-30", expect: "refuse", value: "2025-02-30" },
    { cls: "date-time for a date", expect: "refuse", value: "2025-03-01T00:00:00Z" },
    { cls: "words (yesterday)", expect: "refuse", value: "yesterday" },
    { cls: "year 0001", expect: "refuse", value: "0001-01-01" },
    { cls: "year 9999", expect: "refuse", value: "9999-12-31" },
    ...windowSwap(name, siblings),
  ];
}

/** Bad shapes of a list: empty (may be fine), the valid item twice (may be fine), 10,000 items. */
export function listValues(item: unknown): BadValue[] {
  return [
    { cls: "empty list", expect: "lenient", value: [] },
    { cls: "item twice", expect: "lenient", value: [item, item] },
    { cls: "10,000 items", expect: "refuse", value: Array.from({ length: 10_000 }, () => item) },
  ];
}
