import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { SUBGRAPHS, migrationsDir } from "@mes/db";
import { PUBLISHED_KINDS, kindOfArgument } from "./catalogue.ts";

describe("kindOfArgument", () => {
  const known = new Set(["Machine", "WorkCenter", "Location", "Lot", "InspectionPlan", "ShiftPattern", "WorkOrderHold", "Plant", "Shift"]);
  it.each([
    ["machineId", "Machine"],
    ["workCenterId", "WorkCenter"],
    ["fromLocationId", "Location"],
    ["toLocationId", "Location"],
    ["lotIds", "Lot"],
    ["parentLotId", "Lot"],
    ["planId", "InspectionPlan"],
    ["patternId", "ShiftPattern"],
    ["holdId", "WorkOrderHold"],
    ["plantId", "Plant"],
    ["shiftId", "Shift"],
    ["id", null],
    ["requestId", null],
    ["externalId", null],
    ["machine", null],
  ])("%s names %s", (name, kind) => {
    expect(kindOfArgument(name, known)).toBe(kind);
  });
});

describe("the published kinds", () => {
  // What each subgraph's migrations publish: SELECT mes_publish_reference('Kind', 'status', 'start', 'end').
  const published = new Map<string, { owner: string; args: string[] }>();
  for (const subgraph of SUBGRAPHS) {
    for (const m of fs.readdirSync(migrationsDir(subgraph)).filter((d) => /^\d/.test(d))) {
      const sql = fs.readFileSync(path.join(migrationsDir(subgraph), m, "migration.sql"), "utf8");
      for (const [, args] of sql.matchAll(/^SELECT mes_publish_reference\(([^)]*)\);/gm)) {
        const values = args!.split(",").map((a) => a.trim().replace(/^'|'$/g, ""));
        published.set(values[0]!, { owner: subgraph, args: values.slice(1) });
      }
    }
  }

  it("are published by their owner's migrations with the catalogue's columns", () => {
    const expected = Object.entries(PUBLISHED_KINDS).map(([kind, k]) => {
      const window = "window" in k ? k.window : ["", ""];
      const details = "details" in k ? [k.details.join(" ")] : [];
      return [kind, { owner: k.owner, args: ["status" in k ? k.status : "", window[0], window[1], ...details] }];
    });
    expect(Object.fromEntries(published)).toEqual(Object.fromEntries(expected));
  });
});
