import type { z } from "zod";

/**
 * The zod shape of a generated GraphQL input type: exactly its fields (a field added to the SDL but
 * not validated, or validated but not in the SDL, fails to compile), each accepting nothing the
 * GraphQL type does not (validation may be stricter, e.g. refuse null for a field with a default).
 * Use: `z.object({ ... } satisfies InputShape<CreateMaterialInput>)`.
 */
export type InputShape<T> = { [K in keyof Required<T>]: z.ZodType<unknown, T[K]> };
