import { describe, expect, it } from "vitest";
import { Prisma } from "./generated/prisma/client.ts";
import { mergeRequirements, NO_POSITION, shortageOf, shortagesOf, type MaterialPosition, type MaterialShortage } from "./shortages.ts";

const D = (n: number | string) => new Prisma.Decimal(n);
const line = (required: number | string, materialId = "m1") => ({ materialId, requiredQuantity: D(required) });
const position = (
  moved: number | string,
  reservedForOrder: number | string,
  onHand: number | string,
  reservedAtPlant: number | string,
): MaterialPosition => ({
  moved: D(moved),
  reservedForOrder: D(reservedForOrder),
  onHand: D(onHand),
  reservedAtPlant: D(reservedAtPlant),
});
const plain = (s: MaterialShortage) => ({
  issued: s.issuedQuantity.toString(),
  stillNeeded: s.stillNeededQuantity.toString(),
  reserved: s.reservedQuantity.toString(),
  available: s.availableQuantity.toString(),
  short: s.shortQuantity.toString(),
});

describe("shortageOf", () => {
  it("counts this order's reservation and what is available at the plant against what it still needs", () => {
    // Needs 100, nothing issued; 100 reserved for it of 60 on hand with 30 more reserved for another order:
    // available = 60 − 130 = −70; it can get 100 − 70 = 30 (on hand less the other's 30); short 70.
    expect(plain(shortageOf(line(100), position(0, 100, 60, 130)))).toEqual({
      issued: "0",
      stillNeeded: "100",
      reserved: "100",
      available: "-70",
      short: "70",
    });
  });

  it("is 0 when the plant holds enough", () => {
    // Needs 40, reserved 40, 50 on hand, only this order reserves: available 10, coverable 50.
    expect(plain(shortageOf(line(40), position(0, 40, 50, 40)))).toEqual({
      issued: "0",
      stillNeeded: "40",
      reserved: "40",
      available: "10",
      short: "0",
    });
  });

  it("takes issues off what is still needed and puts returns back", () => {
    // Issued 30 and 15 (−45), returned 5 (+5): net issued 40; needs 60 more; 25 reserved, 10 available.
    expect(plain(shortageOf(line(100), position(-40, 25, 35, 25)))).toEqual({
      issued: "40",
      stillNeeded: "60",
      reserved: "25",
      available: "10",
      short: "25",
    });
  });

  it("needs nothing more once issued in full or beyond", () => {
    expect(plain(shortageOf(line(10), position(-10, 0, 0, 0))).short).toBe("0");
    // Over-issued: still needed never goes below 0.
    expect(plain(shortageOf(line(10), position(-12.5, 0, 0, 5)))).toEqual({
      issued: "12.5",
      stillNeeded: "0",
      reserved: "0",
      available: "-5",
      short: "0",
    });
  });

  it("is never short of more than it still needs, however over-reserved the plant is", () => {
    // 5 on hand, 50 reserved by others, none for this order: reserved + available = −45, counted as 0.
    expect(plain(shortageOf(line(8), position(0, 0, 5, 50))).short).toBe("8");
  });

  it("keeps decimal quantities exact", () => {
    // 0.3 × 7 = 2.1 required; 0.7 issued; 0.2 available, 0 reserved: 1.4 − 0.2 = 1.2.
    expect(plain(shortageOf(line("2.1"), position("-0.7", 0, "0.2", 0))).short).toBe("1.2");
  });

  it("with nothing known in inventory, all of the requirement is short", () => {
    expect(plain(shortageOf(line(12), NO_POSITION)).short).toBe("12");
  });
});

describe("shortagesOf", () => {
  const lines = [line(10, "a"), line(10, "b"), line(10, "c")];
  const positions = [position(0, 10, 4, 10), position(0, 10, 30, 10), position(-10, 0, 0, 0)];

  it("lists only the materials the order is short of, in requirement order", () => {
    const short = shortagesOf("RELEASED", lines, positions);
    // a: 10 reserved of 4 on hand → can get 4, short 6; b: covered; c: issued in full.
    expect(short.map((s) => [s.materialId, s.shortQuantity.toString()])).toEqual([["a", "6"]]);
  });

  it("is empty once the order has ended, and computed when the status is unknown", () => {
    for (const status of ["COMPLETED", "CLOSED", "CANCELLED"]) expect(shortagesOf(status, lines, positions)).toEqual([]);
    expect(shortagesOf(undefined, lines, positions)).toHaveLength(1);
    expect(shortagesOf("PLANNED", lines, positions)).toHaveLength(1);
  });
});

describe("mergeRequirements", () => {
  it("adds up a material named on two lines and keeps first-seen order", () => {
    const merged = mergeRequirements([line(2, "x"), line(3, "y"), line("1.5", "x")]);
    expect(merged.map((l) => [l.materialId, l.requiredQuantity.toString()])).toEqual([
      ["x", "3.5"],
      ["y", "3"],
    ]);
  });
});
