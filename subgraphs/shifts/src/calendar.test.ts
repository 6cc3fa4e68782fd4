import { describe, expect, it } from "vitest";
import { breakMinutes, breakProblems, breakWindows, businessDates, shiftWindow, startMinuteOf } from "./calendar.ts";

const day = (date: string) => new Date(`${date}T00:00:00Z`);
const iso = (w: { startsAt: Date; endsAt: Date }) => ({ startsAt: w.startsAt.toISOString(), endsAt: w.endsAt.toISOString() });
const pattern = (startTime: string, durationMinutes: number, timeZone: string) => ({
  startMinute: startMinuteOf(startTime),
  durationMinutes,
  timeZone,
});

describe("startMinuteOf", () => {
  it("reads HH:MM as minutes after midnight", () => {
    expect(startMinuteOf("00:00")).toBe(0);
    expect(startMinuteOf("06:30")).toBe(390);
    expect(startMinuteOf("22:00")).toBe(1320);
    expect(startMinuteOf("23:59")).toBe(1439);
  });
});

describe("shiftWindow in the plant's time zone", () => {
  it("places a day shift at its local time (Berlin winter, UTC+1)", () => {
    expect(iso(shiftWindow(pattern("06:00", 480, "Europe/Berlin"), day("2026-01-15")))).toEqual({
      startsAt: "2026-01-15T05:00:00.000Z",
      endsAt: "2026-01-15T13:00:00.000Z",
    });
  });

  it("ends a night shift on the next local day", () => {
    expect(iso(shiftWindow(pattern("22:00", 480, "Europe/Berlin"), day("2026-01-15")))).toEqual({
      startsAt: "2026-01-15T21:00:00.000Z",
      endsAt: "2026-01-16T05:00:00.000Z",
    });
  });

  it("Europe/Berlin, clocks forward (29 March 2026): the night shift lasts 7 real hours", () => {
    // 22:00 CET (+1) to 06:00 CEST (+2).
    expect(iso(shiftWindow(pattern("22:00", 480, "Europe/Berlin"), day("2026-03-28")))).toEqual({
      startsAt: "2026-03-28T21:00:00.000Z",
      endsAt: "2026-03-29T04:00:00.000Z",
    });
  });

  it("Europe/Berlin, clocks back (25 October 2026): the night shift lasts 9 real hours", () => {
    // 22:00 CEST (+2) to 06:00 CET (+1).
    expect(iso(shiftWindow(pattern("22:00", 480, "Europe/Berlin"), day("2026-10-24")))).toEqual({
      startsAt: "2026-10-24T20:00:00.000Z",
      endsAt: "2026-10-25T05:00:00.000Z",
    });
    // The day shift after it is already in winter time.
    expect(iso(shiftWindow(pattern("06:00", 480, "Europe/Berlin"), day("2026-10-25")))).toEqual({
      startsAt: "2026-10-25T05:00:00.000Z",
      endsAt: "2026-10-25T13:00:00.000Z",
    });
  });

  it("America/Chicago, clocks forward (8 March 2026): the night shift lasts 7 real hours", () => {
    // 22:00 CST (-6) to 06:00 CDT (-5).
    expect(iso(shiftWindow(pattern("22:00", 480, "America/Chicago"), day("2026-03-07")))).toEqual({
      startsAt: "2026-03-08T04:00:00.000Z",
      endsAt: "2026-03-08T11:00:00.000Z",
    });
  });

  it("America/Chicago, clocks back (1 November 2026): the night shift lasts 9 real hours", () => {
    // 22:00 CDT (-5) to 06:00 CST (-6).
    expect(iso(shiftWindow(pattern("22:00", 480, "America/Chicago"), day("2026-10-31")))).toEqual({
      startsAt: "2026-11-01T03:00:00.000Z",
      endsAt: "2026-11-01T12:00:00.000Z",
    });
  });

  it("a 24-hour shift ends at the same local time the next day", () => {
    expect(iso(shiftWindow(pattern("06:00", 1440, "America/Chicago"), day("2026-07-01")))).toEqual({
      startsAt: "2026-07-01T11:00:00.000Z",
      endsAt: "2026-07-02T11:00:00.000Z",
    });
  });
});

describe("businessDates", () => {
  it("gives each local date from fromDate to toDate, both included", () => {
    expect(businessDates(day("2026-10-24"), day("2026-10-26"))).toEqual([day("2026-10-24"), day("2026-10-25"), day("2026-10-26")]);
    expect(businessDates(day("2026-03-03"), day("2026-03-03"))).toEqual([day("2026-03-03")]);
  });

  it("allows 62 dates and refuses 63", () => {
    // January (31) + February (28) + 3 March = 62 dates.
    expect(businessDates(day("2026-01-01"), day("2026-03-03"))).toHaveLength(62);
    expect(() => businessDates(day("2026-01-01"), day("2026-03-04"))).toThrow("At most 62 days at once");
  });

  it("refuses a reversed range as bad input on toDate", () => {
    expect(() => businessDates(day("2026-03-04"), day("2026-03-03"))).toThrow(
      expect.objectContaining({
        message: "toDate must not be before fromDate",
        extensions: { code: "BAD_USER_INPUT", fields: [{ field: "toDate", message: "must not be before fromDate" }] },
      }),
    );
  });
});

describe("breakProblems", () => {
  it("accepts no breaks, and breaks that touch each other or the shift end", () => {
    expect(breakProblems([], 480)).toEqual([]);
    expect(
      breakProblems(
        [
          { startOffsetMinutes: 0, durationMinutes: 30 },
          { startOffsetMinutes: 30, durationMinutes: 30 },
          { startOffsetMinutes: 450, durationMinutes: 30 },
        ],
        480,
      ),
    ).toEqual([]);
  });

  it("names a break ending after the shift", () => {
    expect(breakProblems([{ startOffsetMinutes: 470, durationMinutes: 30 }], 480)).toEqual([
      { index: 0, message: "break must end within the shift" },
    ]);
    expect(breakProblems([{ startOffsetMinutes: 451, durationMinutes: 30 }], 480)).toEqual([
      { index: 0, message: "break must end within the shift" },
    ]);
  });

  it("names overlapping breaks by their position in start order", () => {
    // Given out of order: the 60-minute break at 100 overlaps the one at 120 (sorted position 1).
    expect(
      breakProblems(
        [
          { startOffsetMinutes: 120, durationMinutes: 15 },
          { startOffsetMinutes: 100, durationMinutes: 60 },
        ],
        480,
      ),
    ).toEqual([{ index: 1, message: "breaks must not overlap" }]);
  });

  it("names both problems of one break", () => {
    expect(
      breakProblems(
        [
          { startOffsetMinutes: 400, durationMinutes: 60 },
          { startOffsetMinutes: 430, durationMinutes: 60 },
        ],
        480,
      ),
    ).toEqual([
      { index: 1, message: "break must end within the shift" },
      { index: 1, message: "breaks must not overlap" },
    ]);
  });
});

describe("breakWindows: by local wall-clock time", () => {
  const windows = (
    startTime: string,
    durationMinutes: number,
    timeZone: string,
    date: string,
    breaks: { startOffsetMinutes: number; durationMinutes: number }[],
  ) => {
    const p = pattern(startTime, durationMinutes, timeZone);
    const businessDate = day(date);
    const shift = { businessDate, ...shiftWindow(p, businessDate) };
    const placed = breakWindows(shift, p, breaks);
    return { shift: iso(shift), breaks: placed.map(iso), minutes: breakMinutes(placed) };
  };
  // A 22:00 night of 8 local hours: a 30-minute break at 02:00 and another at 05:00, 60 minutes in all.
  const night = [
    { startOffsetMinutes: 240, durationMinutes: 30 },
    { startOffsetMinutes: 420, durationMinutes: 30 },
  ];

  it("places a day shift's break at its local time", () => {
    expect(windows("06:00", 480, "Europe/Berlin", "2026-02-02", [{ startOffsetMinutes: 240, durationMinutes: 30 }]).breaks).toEqual([
      { startsAt: "2026-02-02T09:00:00.000Z", endsAt: "2026-02-02T09:30:00.000Z" },
    ]);
  });

  it("places the breaks of a night shift across midnight on the next local day (Chicago, ordinary night)", () => {
    expect(windows("22:00", 480, "America/Chicago", "2026-02-02", night)).toEqual({
      shift: { startsAt: "2026-02-03T04:00:00.000Z", endsAt: "2026-02-03T12:00:00.000Z" },
      // 02:00 and 05:00 CST (-6).
      breaks: [
        { startsAt: "2026-02-03T08:00:00.000Z", endsAt: "2026-02-03T08:30:00.000Z" },
        { startsAt: "2026-02-03T11:00:00.000Z", endsAt: "2026-02-03T11:30:00.000Z" },
      ],
      minutes: 60,
    });
  });

  it("Europe/Berlin spring forward (29 March 2026): a 7-hour night keeps its 60 break minutes", () => {
    expect(windows("22:00", 480, "Europe/Berlin", "2026-03-28", night)).toEqual({
      shift: { startsAt: "2026-03-28T21:00:00.000Z", endsAt: "2026-03-29T04:00:00.000Z" },
      // 02:00 does not exist: the break starts at the jump, 03:00 CEST (01:00Z); 05:00 CEST is 03:00Z.
      breaks: [
        { startsAt: "2026-03-29T01:00:00.000Z", endsAt: "2026-03-29T01:30:00.000Z" },
        { startsAt: "2026-03-29T03:00:00.000Z", endsAt: "2026-03-29T03:30:00.000Z" },
      ],
      minutes: 60,
    });
  });

  it("Europe/Berlin fall back (25 October 2026): a 9-hour night, 02:00 is the first 02:00 (CEST)", () => {
    expect(windows("22:00", 480, "Europe/Berlin", "2026-10-24", night)).toEqual({
      shift: { startsAt: "2026-10-24T20:00:00.000Z", endsAt: "2026-10-25T05:00:00.000Z" },
      breaks: [
        { startsAt: "2026-10-25T00:00:00.000Z", endsAt: "2026-10-25T00:30:00.000Z" },
        // 05:00 CET (+1).
        { startsAt: "2026-10-25T04:00:00.000Z", endsAt: "2026-10-25T04:30:00.000Z" },
      ],
      minutes: 60,
    });
  });

  it("America/Chicago spring forward (8 March 2026): 7 hours, 02:00 becomes 03:00 CDT", () => {
    expect(windows("22:00", 480, "America/Chicago", "2026-03-07", night)).toEqual({
      shift: { startsAt: "2026-03-08T04:00:00.000Z", endsAt: "2026-03-08T11:00:00.000Z" },
      breaks: [
        { startsAt: "2026-03-08T08:00:00.000Z", endsAt: "2026-03-08T08:30:00.000Z" },
        { startsAt: "2026-03-08T10:00:00.000Z", endsAt: "2026-03-08T10:30:00.000Z" },
      ],
      minutes: 60,
    });
  });

  it("America/Chicago fall back (1 November 2026): 9 hours, 01:30 is the first 01:30 (CDT)", () => {
    const breaks = [
      { startOffsetMinutes: 210, durationMinutes: 30 },
      { startOffsetMinutes: 420, durationMinutes: 30 },
    ];
    expect(windows("22:00", 480, "America/Chicago", "2026-10-31", breaks)).toEqual({
      shift: { startsAt: "2026-11-01T03:00:00.000Z", endsAt: "2026-11-01T12:00:00.000Z" },
      breaks: [
        { startsAt: "2026-11-01T06:30:00.000Z", endsAt: "2026-11-01T07:00:00.000Z" },
        // 05:00 CST (-6).
        { startsAt: "2026-11-01T11:00:00.000Z", endsAt: "2026-11-01T11:30:00.000Z" },
      ],
      minutes: 60,
    });
  });

  it("a break at its local time near the end of a spring-forward night stays inside it (not after the end)", () => {
    // Elapsed offsets put 05:30 + 30 at 06:30-07:00 local, after the 06:00 end; by the clock it ends with the shift.
    expect(windows("22:00", 480, "Europe/Berlin", "2026-03-28", [{ startOffsetMinutes: 450, durationMinutes: 30 }])).toMatchObject({
      breaks: [{ startsAt: "2026-03-29T03:30:00.000Z", endsAt: "2026-03-29T04:00:00.000Z" }],
      minutes: 30,
    });
  });

  it("a break wholly in the skipped hour (02:30-03:00) moves to the jump, and a following 03:00 break after it", () => {
    const breaks = [
      { startOffsetMinutes: 270, durationMinutes: 30 },
      { startOffsetMinutes: 300, durationMinutes: 30 },
    ];
    expect(windows("22:00", 480, "Europe/Berlin", "2026-03-28", breaks)).toMatchObject({
      breaks: [
        { startsAt: "2026-03-29T01:00:00.000Z", endsAt: "2026-03-29T01:30:00.000Z" },
        { startsAt: "2026-03-29T01:30:00.000Z", endsAt: "2026-03-29T02:00:00.000Z" },
      ],
      minutes: 60,
    });
  });

  it("cuts a break at the end of a shift the skipped hour shortened (shift 19:00-03:00, break 02:00-03:00)", () => {
    // The shift ends at the jump (03:00 CEST = 01:00Z): the break starting there has no time left.
    expect(windows("19:00", 480, "Europe/Berlin", "2026-03-28", [{ startOffsetMinutes: 420, durationMinutes: 60 }])).toEqual({
      shift: { startsAt: "2026-03-28T18:00:00.000Z", endsAt: "2026-03-29T01:00:00.000Z" },
      breaks: [],
      minutes: 0,
    });
    // 01:30-02:30 local: 30 real minutes exist before the shift ends.
    expect(windows("19:00", 480, "Europe/Berlin", "2026-03-28", [{ startOffsetMinutes: 390, durationMinutes: 60 }])).toMatchObject({
      breaks: [{ startsAt: "2026-03-29T00:30:00.000Z", endsAt: "2026-03-29T01:00:00.000Z" }],
      minutes: 30,
    });
  });

  it("has no windows without breaks", () => {
    expect(windows("06:00", 480, "Europe/Berlin", "2026-02-02", []).breaks).toEqual([]);
  });
});
