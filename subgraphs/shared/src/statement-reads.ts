/**
 * What a request's SQL read, for the read cache: the tables its statements name and whether any
 * statement asked the database for the time. Recorded by the pool (db.ts) for requests that may be
 * cached; the cache keeps an answer only while none of those tables changed for its tenant.
 */
export interface StatementReads {
  /** Quoted identifiers the statements named (tables among them; the cache knows which are). */
  identifiers: Set<string>;
  /** A statement used the database's clock (now(), current_date, …): the answer ages with time. */
  clock: boolean;
  /** The answer must not be kept (an error, a status other than 200, or a resolver said so). */
  uncacheable: boolean;
}

interface Analysis {
  identifiers: string[];
  clock: boolean;
}

// Our tables are PascalCase, so every statement (Prisma's or by hand) names them in double quotes.
const QUOTED = /"([A-Za-z_][A-Za-z0-9_]*)"/g;
const CLOCK =
  /\b(now\s*\(|current_timestamp|current_date|current_time|localtimestamp|localtime|clock_timestamp|statement_timestamp|transaction_timestamp)\b/i;
const MEMO_MAX = 2000;
const memo = new Map<string, Analysis>();

/** The identifiers and clock use of one SQL text (memoized: Prisma sends the same texts again and again). */
export function analyseStatement(text: string): Analysis {
  let found = memo.get(text);
  if (found) return found;
  const identifiers = new Set<string>();
  for (const m of text.matchAll(QUOTED)) identifiers.add(m[1]!);
  found = { identifiers: [...identifiers], clock: CLOCK.test(text) };
  if (memo.size >= MEMO_MAX) memo.clear();
  memo.set(text, found);
  return found;
}

export function noteStatement(reads: StatementReads, text: string): void {
  const a = analyseStatement(text);
  for (const id of a.identifiers) reads.identifiers.add(id);
  if (a.clock) reads.clock = true;
}

export function newStatementReads(): StatementReads {
  return { identifiers: new Set(), clock: false, uncacheable: false };
}
