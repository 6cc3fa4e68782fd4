// Which TypeScript value stands behind each GraphQL type (what resolvers return and receive as
// parent), read by `pnpm codegen`: `export type XMapper` maps GraphQL type X. Tables are Prisma
// rows (decimals and foreign keys are turned into GraphQL fields by field resolvers).
import type { EventPayload } from "@mes/shared";
import type { Characteristic, Inspection, InspectionMeasurement, InspectionPlan, Ncr, NcrDefect } from "./generated/prisma/client.ts";

export type InspectionPlanMapper = InspectionPlan;
export type CharacteristicMapper = Characteristic;
export type InspectionMapper = Inspection;
/** A stored measurement with its characteristic (the measurementsOfInspection loader includes it). */
export type MeasurementMapper = InspectionMeasurement & { characteristic: Characteristic };
export type NcrMapper = Ncr;
export type NcrDefectMapper = NcrDefect;

/** Quality stores no work orders: a work order is its id, the key its inspections and NCRs hang on. */
export type WorkOrderMapper = { id: string };

/** What liveField hands NcrEvent's resolvers: the NcrOpened payload with the event's cursor and time. */
export type NcrEventMapper = EventPayload<"NcrOpened"> & { cursor: string; at: string };

// Entities other subgraphs own are references by id (entityRef also tags them with __typename).
export type PlantMapper = { id: string };
export type ProductMapper = { id: string };
export type MaterialMapper = { id: string };
export type LotMapper = { id: string };
export type LocationMapper = { id: string };
export type WorkCenterMapper = { id: string };
