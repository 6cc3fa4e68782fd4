import { z } from "zod";

/** zod building blocks for mutation input, with messages a person can act on. */
export const zId = z.uuid({ error: "must be a valid id (UUID)" });
export const zCode = z.string().trim().min(1, "must not be empty").max(64, "must be at most 64 characters");
export const zName = z.string().trim().min(1, "must not be empty").max(200, "must be at most 200 characters");
export const zQuantity = z.number().finite().positive("must be greater than 0").max(1e12, "is too large");
export const zNonNegative = z.number().finite().min(0, "must be 0 or more").max(1e12, "is too large");
export const zDate = z.date({ error: "must be a valid date-time" });
/** A reason, note or description a person writes: required, trimmed, bounded. */
export const zText = z.string().trim().min(1, "must not be empty").max(5000, "must be at most 5000 characters");

/**
 * The zod shape of a generated GraphQL input type T, written `z.object({...} satisfies InputShape<T>)`:
 * exactly T's fields (a field added to the SDL input but not validated, or validated but not in the
 * SDL, fails to compile), each accepting nothing T's field does not allow (an SDL type change fails
 * too). zod may be stricter (refuse null for a field with an SDL default) and may transform.
 */
export type InputShape<T> = { [K in keyof T]-?: z.ZodType<unknown, T[K]> };
