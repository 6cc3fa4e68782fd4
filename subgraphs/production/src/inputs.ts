import { z } from "zod";
import { parseInput, zText } from "@mes/shared";

/** A reason, resolution or note argument: required, trimmed, bounded. */
export function requiredText(value: string, argName: string): string {
  return parseInput(zText, value, argName);
}

export function optionalText(value: string | null | undefined, argName: string): string | null {
  return value == null ? null : parseInput(zText, value, argName);
}

/** An operator is named by the person id the shifts subgraph knows them by. */
export const zOperatorId = z.string().trim().min(1).max(128);

/** The longest [from, to) window a schedule or KPI query may ask for (a quarter). */
export const MAX_WINDOW_DAYS = 92;
