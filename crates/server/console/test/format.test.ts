import { describe, expect, it } from "vitest";
import { addDays, isDay, lastDays, rangeFrom, spanDays } from "../src/dates";
import { bytes, clock, compact, duration, num, pct, percent, plural, relative, shortId, splitPage } from "../src/format";

describe("format", () => {
  it("formats numbers", () => {
    expect(num(1234567)).toBe("1,234,567");
    expect(num(undefined)).toBe("–");
    expect(compact(9999)).toBe("9,999");
    expect(compact(12_345)).toBe("12.3k");
    expect(compact(2_500_000)).toBe("2.5M");
    expect(pct(1, 3)).toBe("33%");
    expect(pct(1, 1000)).toBe("<1%");
    expect(pct(5, 0)).toBe("0%");
    expect(percent(0.3333)).toBe("33%");
    expect(percent(0.004)).toBe("<1%");
    expect(percent(0)).toBe("0%");
    expect(percent(Number.NaN)).toBe("–");
    expect(plural(1, "click")).toBe("1 click");
    expect(plural(3, "click")).toBe("3 clicks");
  });

  it("formats durations and player clocks", () => {
    expect(duration(0)).toBe("0s");
    expect(duration(300)).toBe("0.3s");
    expect(duration(4_200)).toBe("4s");
    expect(duration(65_000)).toBe("1m 05s");
    expect(duration(3_725_000)).toBe("1h 02m");
    expect(duration(-1)).toBe("–");
    expect(clock(65_000)).toBe("1:05");
    expect(clock(3_725_000)).toBe("1:02:05");
  });

  it("formats sizes, relative times, ids and page keys", () => {
    expect(bytes(512)).toBe("512 B");
    expect(bytes(2_400_000)).toBe("2.4 MB");
    const now = Date.parse("2026-11-24T12:00:00Z");
    expect(relative("2026-11-24T11:59:30Z", now)).toBe("just now");
    expect(relative("2026-11-24T11:00:00Z", now)).toBe("1 h ago");
    expect(relative("2026-11-23T10:00:00Z", now)).toBe("yesterday");
    expect(relative("2026-11-14T12:00:00Z", now)).toBe("10 days ago");
    expect(shortId("0123456789abcdef")).toBe("01234567…");
    expect(shortId("abc")).toBe("abc");
    expect(splitPage("https://shop.example/products/:id")).toEqual({ host: "shop.example", path: "/products/:id" });
    expect(splitPage("https://shop.example")).toEqual({ host: "shop.example", path: "/" });
    expect(splitPage("/local")).toEqual({ host: "", path: "/local" });
  });
});

describe("dates", () => {
  const now = Date.parse("2026-11-24T15:00:00Z");
  it("defaults to the last 30 days, today included", () => {
    expect(lastDays(30, now)).toEqual({ from: "2026-10-26", to: "2026-11-24" });
    expect(rangeFrom({}, now)).toEqual({ from: "2026-10-26", to: "2026-11-24" });
    expect(spanDays("2026-10-26", "2026-11-24")).toBe(30);
  });

  it("takes valid days from the URL and orders them", () => {
    expect(rangeFrom({ from: "2026-11-01", to: "2026-11-10" }, now)).toEqual({ from: "2026-11-01", to: "2026-11-10" });
    expect(rangeFrom({ from: "2026-11-10", to: "2026-11-01" }, now)).toEqual({ from: "2026-11-01", to: "2026-11-10" });
    expect(rangeFrom({ from: "2026-02-30", to: "nope" }, now)).toEqual({ from: "2026-10-26", to: "2026-11-24" });
    expect(isDay("2026-02-28")).toBe(true);
    expect(isDay("2026-02-29")).toBe(false);
    expect(addDays("2026-12-31", 1)).toBe("2027-01-01");
  });
});
