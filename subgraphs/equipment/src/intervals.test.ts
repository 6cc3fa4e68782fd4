import { describe, expect, it } from "vitest";
import { clip, happened, intersect, minutes, span, subtract, union } from "./intervals.ts";

const MIN = 60_000;
const iv = (startMin: number, endMin: number) => ({ start: startMin * MIN, end: endMin * MIN });

describe("span", () => {
  it("runs from start to end", () => {
    expect(span(new Date(0), new Date(5 * MIN), new Date(9 * MIN))).toEqual(iv(0, 5));
  });
  it("runs until the cap while still open", () => {
    expect(span(new Date(0), null, new Date(9 * MIN))).toEqual(iv(0, 9));
  });
});

describe("subtract", () => {
  it("splits an interval around a cut inside it", () => {
    expect(subtract([iv(0, 60)], [iv(20, 30)])).toEqual([iv(0, 20), iv(30, 60)]);
  });
  it("trims a cut overlapping either end and drops what a cut covers", () => {
    expect(subtract([iv(0, 60), iv(100, 110)], [iv(-10, 10), iv(50, 70), iv(90, 120)])).toEqual([iv(10, 50)]);
  });
  it("keeps an interval a cut only touches (half-open)", () => {
    expect(subtract([iv(10, 20)], [iv(0, 10), iv(20, 30)])).toEqual([iv(10, 20)]);
  });
  it("drops empty and inverted intervals", () => {
    expect(subtract([iv(5, 5), iv(9, 3)], [])).toEqual([]);
  });
  it("applies several cuts to the pieces of earlier ones", () => {
    expect(subtract([iv(0, 100)], [iv(10, 20), iv(40, 50), iv(15, 45)])).toEqual([iv(0, 10), iv(50, 100)]);
  });
});

describe("clip", () => {
  it("cuts intervals to the window and drops those outside it", () => {
    expect(clip([iv(-30, 10), iv(20, 30), iv(50, 90), iv(60, 70), iv(-5, 0)], iv(0, 60))).toEqual([iv(0, 10), iv(20, 30), iv(50, 60)]);
  });
});

describe("minutes", () => {
  it("adds up lengths", () => {
    expect(minutes([iv(0, 15), iv(30, 75)])).toBe(60);
  });
  it("is 0 for nothing", () => {
    expect(minutes([])).toBe(0);
  });
});

describe("intersect", () => {
  it("keeps the parts of the first list that lie within the second", () => {
    expect(intersect([iv(0, 60), iv(100, 120)], [iv(30, 110), iv(115, 200)])).toEqual([iv(30, 60), iv(100, 110), iv(115, 120)]);
  });
  it("is empty when nothing meets", () => {
    expect(intersect([iv(0, 10)], [iv(10, 20)])).toEqual([]);
  });
});

describe("happened", () => {
  it("ends a window that reaches into the future at now", () => {
    // A shift 06:00-14:00 asked about at 06:11: eleven minutes have happened.
    expect(happened(iv(360, 840), new Date(371 * MIN))).toEqual(iv(360, 371));
  });
  it("leaves a past window alone and empties a future one", () => {
    expect(happened(iv(0, 60), new Date(90 * MIN))).toEqual(iv(0, 60));
    expect(happened(iv(100, 160), new Date(90 * MIN))).toEqual(iv(100, 100));
  });
});

describe("union", () => {
  it("merges overlapping and touching intervals, in order", () => {
    expect(union([iv(50, 60), iv(0, 10), iv(5, 20), iv(20, 30)])).toEqual([iv(0, 30), iv(50, 60)]);
  });
  it("keeps one interval inside another once and drops empty ones", () => {
    expect(union([iv(0, 100), iv(10, 20), iv(40, 40)])).toEqual([iv(0, 100)]);
  });
  it("leaves its input as it was", () => {
    const items = [iv(0, 10), iv(5, 20)];
    union(items);
    expect(items).toEqual([iv(0, 10), iv(5, 20)]);
  });
});
