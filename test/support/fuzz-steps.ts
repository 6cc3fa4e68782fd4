// Fixture steps that fail one at a time: a mutation whose input changed shape (a field removed,
// one made required) breaks the step that calls it, which is recorded with the graph's own error;
// steps needing what it would have made say so; the rest of the fixture and the suite still run.
import { graphql } from "./graphql.ts";

/** A step needed an id an earlier (failed) step should have made. */
class Missing extends Error {
  constructor(readonly key: string) {
    super(`needs ${key}`);
  }
}

export class FixtureSteps {
  readonly problems: string[] = [];

  constructor(
    readonly url: string,
    readonly ids = new Map<string, string>(),
  ) {}

  /** The id kept under `key`; a step asking for one no earlier step made is skipped. */
  need = (key: string): string => {
    const id = this.ids.get(key);
    if (!id) throw new Missing(key);
    return id;
  };

  /** Runs one step; its failure is recorded (not thrown). */
  step = async (what: string, run: () => Promise<void>): Promise<void> => {
    try {
      await run();
    } catch (e) {
      const why = e instanceof Missing ? `skipped: it ${e.message}, which an earlier step did not make` : e instanceof Error ? e.message : String(e);
      this.problems.push(`${what}: ${why}`);
    }
  };

  /** Sends one operation; an error answer throws its codes and messages (one line, unlike a stack of JSON). */
  query = async (query: string, variables: Record<string, unknown> = {}): Promise<Record<string, any>> => {
    const res = await graphql(this.url, query, variables);
    if (res.errors?.length) throw new Error(res.errors.map((e) => `${e.extensions?.code ?? "NO_CODE"} ${e.message}`).join("; "));
    if (!res.data) throw new Error(`HTTP ${res.status} without data`);
    return res.data;
  };

  /** The one root field's value of an operation, which must be an object or a list. */
  one = async (query: string, variables: Record<string, unknown> = {}): Promise<Record<string, any>> => {
    const value = Object.values(await this.query(query, variables))[0];
    if (!value || typeof value !== "object") throw new Error(`answered ${JSON.stringify(value)}`);
    return value as Record<string, any>;
  };
}
