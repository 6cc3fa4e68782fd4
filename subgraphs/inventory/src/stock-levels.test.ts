import { describe, expect, it } from "vitest";
import { Prisma, type StockAlertSeverity } from "./generated/prisma/client.ts";
import { alertChange, availabilityOf, mostSevereFirst, planIssue, reservedAfterIssue, severityOf } from "./stock-levels.ts";

const D = (n: number | string) => new Prisma.Decimal(n);

describe("availabilityOf", () => {
  it("is on hand less reserved; missing sums count as zero", () => {
    const a = availabilityOf(D(100), D(30));
    expect([a.onHand, a.reserved, a.available].map(String)).toEqual(["100", "30", "70"]);
    expect(availabilityOf(null, null).available.isZero()).toBe(true);
    expect(availabilityOf(D(40), null).available.toString()).toBe("40");
  });

  it("goes negative when more is reserved than is there", () => {
    expect(availabilityOf(D(10), D(25)).available.toString()).toBe("-15");
    expect(availabilityOf(null, D(5)).available.toString()).toBe("-5");
  });
});

describe("severityOf (reorder point 50, safety stock 20)", () => {
  const at = (available: number | string) => severityOf(D(available), D(50), D(20));

  it("is nothing at or above the reorder point", () => {
    expect(at(60)).toBeNull();
    expect(at(50)).toBeNull();
  });

  it("is below the reorder point just under it, and still at exactly the safety stock", () => {
    expect(at("49.9999")).toBe("BELOW_REORDER_POINT");
    expect(at(20)).toBe("BELOW_REORDER_POINT");
  });

  it("is below the safety stock under it, down to anything above zero", () => {
    expect(at(19)).toBe("BELOW_SAFETY_STOCK");
    expect(at("0.0001")).toBe("BELOW_SAFETY_STOCK");
  });

  it("is a stockout at zero or below", () => {
    expect(at(0)).toBe("STOCKOUT");
    expect(at(-5)).toBe("STOCKOUT");
  });

  it("is a stockout at zero even for a material without a reorder point", () => {
    expect(severityOf(D(0), D(0), D(0))).toBe("STOCKOUT");
    expect(severityOf(D(1), D(0), D(0))).toBeNull();
  });
});

describe("alertChange", () => {
  const open = { id: "A1", severity: "BELOW_REORDER_POINT" as StockAlertSeverity, available: D(30) };

  it("opens an alert when availability drops below the reorder point", () => {
    expect(alertChange(null, "BELOW_REORDER_POINT", D(30))).toEqual({ kind: "open", severity: "BELOW_REORDER_POINT" });
  });

  it("changes nothing while the open alert is the same", () => {
    expect(alertChange(open, "BELOW_REORDER_POINT", D("30.0000"))).toEqual({ kind: "none" });
  });

  it("updates the open alert when its severity or quantity changes", () => {
    expect(alertChange(open, "BELOW_REORDER_POINT", D(25))).toEqual({ kind: "update", alert: open, severity: "BELOW_REORDER_POINT" });
    expect(alertChange(open, "STOCKOUT", D(30))).toEqual({ kind: "update", alert: open, severity: "STOCKOUT" });
  });

  it("clears the open alert when availability is back, and does nothing without one", () => {
    expect(alertChange(open, null, D(80))).toEqual({ kind: "clear", alert: open });
    expect(alertChange(null, null, D(80))).toEqual({ kind: "none" });
  });
});

describe("mostSevereFirst", () => {
  it("orders stockouts, then below safety stock, then below reorder point, keeping order within one", () => {
    const alerts: { id: string; severity: StockAlertSeverity }[] = [
      { id: "a", severity: "BELOW_REORDER_POINT" },
      { id: "b", severity: "STOCKOUT" },
      { id: "c", severity: "BELOW_SAFETY_STOCK" },
      { id: "d", severity: "STOCKOUT" },
      { id: "e", severity: "BELOW_REORDER_POINT" },
    ];
    expect(alerts.sort(mostSevereFirst).map((a) => a.id)).toEqual(["b", "d", "c", "a", "e"]);
  });
});

describe("planIssue", () => {
  const rows = [
    { id: "oldest", quantity: D(40) },
    { id: "middle", quantity: D(30) },
    { id: "newest", quantity: D(50) },
  ];
  const takes = (wanted: number | string) => planIssue(rows, D(wanted)).takes.map((t) => [t.row.id, t.quantity.toString()]);

  it("takes the oldest rows first, the last one only in part", () => {
    expect(takes(60)).toEqual([
      ["oldest", "40"],
      ["middle", "20"],
    ]);
    expect(takes("0.5")).toEqual([["oldest", "0.5"]]);
  });

  it("stops at exactly the end of a row", () => {
    expect(takes(40)).toEqual([["oldest", "40"]]);
    expect(takes(120)).toEqual([
      ["oldest", "40"],
      ["middle", "30"],
      ["newest", "50"],
    ]);
  });

  it("takes nothing when the rows hold less than wanted, and says how much they hold", () => {
    const plan = planIssue(rows, D("120.0001"));
    expect(plan.takes).toEqual([]);
    expect(plan.there.toString()).toBe("120");
    expect(planIssue([], D(1)).there.isZero()).toBe(true);
  });
});

describe("reservedAfterIssue", () => {
  it("reduces the reservation by what was issued, never below zero", () => {
    expect(reservedAfterIssue(D(100), D(30)).toString()).toBe("70");
    expect(reservedAfterIssue(D(30), D(30)).isZero()).toBe(true);
    expect(reservedAfterIssue(D(20), D(30)).isZero()).toBe(true);
  });
});
