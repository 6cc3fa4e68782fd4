import type { z } from "zod";

type Extra<A, B> = Exclude<keyof A, keyof B>;

/** Passes when both sides name the same fields; otherwise names the fields only one side has. */
type SameFields<Zod, GraphQL> = [Extra<Zod, GraphQL>, Extra<GraphQL, Zod>] extends [never, never]
  ? unknown
  : { "zod and the GraphQL input name different fields": { onlyInZod: Extra<Zod, GraphQL>; onlyInGraphQL: Extra<GraphQL, Zod> } };

/**
 * Ties the zod schema of a mutation input to its generated GraphQL input type `I` at compile time
 * (at run time it returns the schema as it is): every value zod accepts must be an `I`, and both
 * must name the same fields, so a field added to the SDL input or to zod alone does not compile.
 * Usage: `inputSchema<CreateInspectionPlanInput>()(z.object({ ... }))`.
 */
export function inputSchema<I>() {
  return <S extends z.ZodType<unknown, I>>(schema: S & SameFields<z.input<S>, I>): S => schema;
}
