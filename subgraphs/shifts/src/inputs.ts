import type { z } from "zod";

/**
 * The zod shape of a generated GraphQL input type T, for `z.object({...} satisfies InputShape<T>)`:
 * every field of T and no other (a field added to the SDL input, or to zod alone, fails to compile),
 * each accepting nothing T's field does not allow (an SDL type change fails too). zod may still
 * refine and transform: only what it accepts is checked, not what it returns.
 */
export type InputShape<T> = { [K in keyof T]-?: z.ZodType<unknown, T[K]> };
