import { describe, expect, it } from "vitest";
import { belongsToShift, outsideShift, shiftKey, shiftWindowOf } from "./shift-attribution.ts";

const PLANT = "00000000-0000-4000-8000-000000000001";
const OTHER_PLANT = "00000000-0000-4000-8000-000000000002";
// Night shift 22:00-06:00 (across midnight), as the shifts subgraph sends it.
const night = shiftWindowOf({ id: "night", startsAt: "2027-03-01T22:00:00.000Z", endsAt: "2027-03-02T06:00:00.000Z", plant: { id: PLANT } });
const log = (shiftId: string | null, loggedAt: string, plantId = PLANT) => ({ shiftId, plantId, loggedAt: new Date(loggedAt) });

describe("shift attribution", () => {
  it("gives a log to the shift it names, wherever its time falls", () => {
    expect(belongsToShift(log("night", "2027-03-02T06:05:00Z"), night)).toBe(true); // entered after the end
    expect(belongsToShift(log("early", "2027-03-01T23:00:00Z"), night)).toBe(false); // names another shift
  });

  it("gives a log naming no shift to the shift of its plant whose window contains it: start inclusive, end exclusive", () => {
    expect(belongsToShift(log(null, "2027-03-01T22:00:00Z"), night)).toBe(true);
    expect(belongsToShift(log(null, "2027-03-02T00:30:00Z"), night)).toBe(true); // after midnight
    expect(belongsToShift(log(null, "2027-03-02T06:00:00Z"), night)).toBe(false);
    expect(belongsToShift(log(null, "2027-03-01T21:59:59Z"), night)).toBe(false);
    expect(belongsToShift(log(null, "2027-03-02T00:30:00Z", OTHER_PLANT), night)).toBe(false);
  });

  it("counts only named logs when the window was not sent", () => {
    const bare = shiftWindowOf({ id: "night" });
    expect(bare).toEqual({ id: "night", plantId: null, start: null, end: null });
    expect(belongsToShift(log(null, "2027-03-02T00:30:00Z"), bare)).toBe(false);
    expect(belongsToShift(log("night", "2027-03-02T00:30:00Z"), bare)).toBe(true);
  });

  it("keys a shift by id, plant and window", () => {
    expect(shiftKey(night)).toBe(`["night","${PLANT}","2027-03-01T22:00:00.000Z","2027-03-02T06:00:00.000Z"]`);
  });
});

describe("the shift a log may name", () => {
  // Day shift 05:00-13:00Z; the accepted clock skew is 5 minutes.
  const day = { startsAt: new Date("2026-01-20T05:00:00Z"), endsAt: new Date("2026-01-20T13:00:00Z") };
  const at = (iso: string) => outsideShift(new Date(iso), day);

  it("accepts a time within the window, both edges included", () => {
    expect(at("2026-01-20T05:00:00Z")).toBeNull();
    expect(at("2026-01-20T10:00:00Z")).toBeNull();
    expect(at("2026-01-20T13:00:00Z")).toBeNull();
  });

  it("allows the clock skew at both edges, exactly 5 minutes included", () => {
    expect(at("2026-01-20T04:55:00Z")).toBeNull();
    expect(at("2026-01-20T13:05:00Z")).toBeNull();
  });

  it("refuses a time beyond the skew, saying on which side", () => {
    expect(at("2026-01-20T04:54:59.999Z")).toBe("before");
    expect(at("2026-01-20T13:05:00.001Z")).toBe("after");
    expect(at("2026-01-21T10:00:00Z")).toBe("after"); // the same hour a day later
  });

  it("takes another skew when given (none: the window exactly)", () => {
    expect(outsideShift(new Date("2026-01-20T13:00:00.001Z"), day, 0)).toBe("after");
    expect(outsideShift(new Date("2026-01-20T04:59:59.999Z"), day, 0)).toBe("before");
  });
});
