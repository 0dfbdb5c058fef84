// The comparison view's arithmetic: share differences per cell and their
// drawing on a diverging scale, scroll reached, form and page figures of
// both sides, and the sides read from the URL.
import { describe, expect, it } from "vitest";
import {
  change,
  diffForms,
  diffLayer,
  diffLayers,
  diffScroll,
  divergingColour,
  drawDifference,
  maxAbsDiff,
  MORE_IN_A,
  MORE_IN_B,
  pageFigures,
  pageRow,
  points,
} from "../src/compare/diff";
import { compareHref, compareSides, previousPeriod, sideLabel, sidePatch, switchPatch } from "../src/compare/sides";
import { parseRoute } from "../src/router";
import type { FormField, FormFunnel, Forms } from "../src/types";
import { FakeContext } from "./fake-canvas";

const grid = { cols: 64, row_px: 16 };

describe("click share differences", () => {
  it("compares each cell's share of its side's layer total", () => {
    const a = { cells: [{ x: 1, y: 1, count: 10 }, { x: 2, y: 2, count: 30 }], total: 100 };
    const b = { cells: [{ x: 1, y: 1, count: 50 }, { x: 3, y: 3, count: 20 }], total: 200 };
    const cells = diffLayer(a, b);
    const at = (x: number, y: number) => cells.find((c) => c.x === x && c.y === y)!;
    expect(at(1, 1)).toMatchObject({ a: 10, b: 50, shareA: 0.1, shareB: 0.25 });
    expect(at(1, 1).diff).toBeCloseTo(0.15);
    expect(at(2, 2).diff).toBeCloseTo(-0.3);
    expect(at(3, 3).diff).toBeCloseTo(0.1);
    // Largest |diff| last, drawn on top.
    expect(cells.map((c) => `${c.x},${c.y}`)).toEqual(["3,3", "1,1", "2,2"]);
    expect(maxAbsDiff([{ cells }])).toBeCloseTo(0.3);
  });

  it("is zero for the same distribution at a different volume", () => {
    const a = { cells: [{ x: 0, y: 0, count: 2 }, { x: 1, y: 0, count: 6 }], total: 8 };
    const b = { cells: [{ x: 0, y: 0, count: 20 }, { x: 1, y: 0, count: 60 }], total: 80 };
    expect(diffLayer(a, b).every((c) => Math.abs(c.diff) < 1e-12)).toBe(true);
  });

  it("treats a side without clicks as shares of 0", () => {
    const cells = diffLayer({ cells: [], total: 0 }, { cells: [{ x: 5, y: 5, count: 3 }], total: 3 });
    expect(cells).toEqual([{ x: 5, y: 5, a: 0, b: 3, shareA: 0, shareB: 1, diff: 1 }]);
    expect(diffLayer(undefined, undefined)).toEqual([]);
  });

  it("keeps the fixed layer apart, across the viewport", () => {
    const a = { cells: [{ x: 1, y: 1, count: 1 }], total: 1, grid, fixed: { grid, cells: [{ x: 0, y: 0, count: 1 }], total: 1, visitors: 1 } };
    const b = { cells: [{ x: 1, y: 1, count: 1 }], total: 1, grid };
    const layers = diffLayers(a, b, { width: 1280, viewport: 1024 });
    expect(layers).toHaveLength(2);
    expect(layers[1]).toMatchObject({ width: 1024, offsetY: 0 });
    expect(layers[1]!.cells[0]!.diff).toBe(-1);
  });
});

describe("diverging scale", () => {
  it("is blue for more in A, orange for more in B, transparent for no difference", () => {
    expect(divergingColour(0)).toEqual([0, 0, 0, 0]);
    expect(divergingColour(-1).slice(0, 3)).toEqual(MORE_IN_A);
    expect(divergingColour(0.5).slice(0, 3)).toEqual(MORE_IN_B);
    expect(divergingColour(1)[3]).toBeGreaterThan(divergingColour(0.2)[3]);
    expect(divergingColour(7)).toEqual(divergingColour(1));
  });

  it("paints each differing cell in its side's hue and nothing else", () => {
    const ctx = new FakeContext(640, 160);
    const cells = diffLayer({ cells: [{ x: 10, y: 2, count: 8 }, { x: 40, y: 5, count: 2 }], total: 10 }, { cells: [{ x: 40, y: 5, count: 9 }, { x: 10, y: 2, count: 1 }], total: 10 });
    const result = drawDifference(ctx, { width: 640, height: 160, layers: [{ cells, grid, width: 640 }] });
    expect(result.drawn).toBe(2);
    expect(result.max).toBeCloseTo(0.7);
    // Cell (10, 2) lost share in B: blue. Cell (40, 5) gained: orange.
    const blue = ctx.pixel(10 * 10 + 5, 2 * 16 + 8);
    const orange = ctx.pixel(40 * 10 + 5, 5 * 16 + 8);
    expect(blue[2]).toBeGreaterThan(blue[0]);
    expect(orange[0]).toBeGreaterThan(orange[2]);
    expect(blue[3]).toBeGreaterThan(0);
    expect(ctx.alphaAt(300, 120)).toBe(0);
    expect(result.bounds).toEqual({ x: 100, y: 32, w: 310, h: 64 });
  });

  it("draws nothing when the sides agree", () => {
    const ctx = new FakeContext(64, 32);
    const cells = diffLayer({ cells: [{ x: 1, y: 1, count: 1 }], total: 1 }, { cells: [{ x: 1, y: 1, count: 4 }], total: 4 });
    expect(drawDifference(ctx, { width: 64, height: 32, layers: [{ cells, grid, width: 64 }] })).toMatchObject({ drawn: 0, max: 0 });
    expect(ctx.data.every((v) => v === 0)).toBe(true);
  });

  it("says differences in points and changes in percent", () => {
    expect(points(0.15)).toBe("+15 pts");
    expect(points(-0.034)).toBe("−3.4 pts");
    expect(points(0.0001)).toBe("0 pts");
    expect(change(100, 125)).toBe("+25%");
    expect(change(4, 2)).toBe("−50%");
    expect(change(0, 3)).toBe("new");
    expect(change(0, 0)).toBe("–");
  });
});

describe("page figures and scroll", () => {
  it("takes the page's row of each side, 0 when absent", () => {
    const rows = [{ page: "p", views: 10, clicks: 30, visitors: 8 }];
    expect(pageRow(rows, "p")).toEqual(rows[0]);
    expect(pageRow(rows, "q")).toBeNull();
    expect(pageFigures(rows[0]!, { page: "p", views: 15, clicks: 20, visitors: 8 })).toEqual([
      { label: "Views", a: 10, b: 15, diff: 5 },
      { label: "Visitors", a: 8, b: 8, diff: 0 },
      { label: "Clicks", a: 30, b: 20, diff: -10 },
    ]);
    expect(pageFigures(null, rows[0]!)[0]).toEqual({ label: "Views", a: 0, b: 10, diff: 10 });
  });

  it("compares the share of page views reaching each depth", () => {
    const rows = diffScroll(
      { depth: [{ pct: 0, reached: 100 }, { pct: 50, reached: 40 }], total: 100 },
      { depth: [{ pct: 50, reached: 30 }, { pct: 0, reached: 50 }, { pct: 100, reached: 5 }], total: 50 },
    );
    expect(rows.map((r) => r.pct)).toEqual([0, 50, 100]);
    expect(rows[1]).toMatchObject({ a: 0.4, b: 0.6 });
    expect(rows[1]!.diff).toBeCloseTo(0.2);
    expect(rows[2]).toMatchObject({ a: 0, b: 0.1 });
    expect(diffScroll(undefined, undefined)).toEqual([]);
  });
});

function field(name: string, position: number, reach: number): FormField {
  return { field: name, position, reached: 0, reach_rate: reach, drop_off: 1 - reach, median_ms: 0, refilled: 0, refill_rate: 0, errored: 0, error_rate: 0, abandoned: 0, visitors: 0 };
}
function form(name: string, started: number, submit: number, fields: FormField[]): FormFunnel {
  return { form: name, started, submitted: 0, submit_rate: submit, abandoned: 0, abandon_rate: 1 - submit, last_field: null, visitors: started, fields };
}
const forms = (...list: FormFunnel[]): Forms => ({ page: "p", device: "all", from: "", to: "", k_min: 1, forms: list });

describe("form figures", () => {
  it("matches forms and fields by selector, in form order, with B − A where both have them", () => {
    const a = forms(form("form#checkout", 100, 0.4, [field("input#email", 1, 0.8), field("input#name", 0, 1)]), form("form.coupon", 5, 0.2, []));
    const b = forms(form("form#checkout", 80, 0.5, [field("input#name", 0, 1), field("input#phone", 2, 0.5), field("input#email", 1, 0.6)]));
    const diff = diffForms(a, b);
    expect(diff.map((f) => f.form)).toEqual(["form#checkout", "form.coupon"]);
    const checkout = diff[0]!;
    expect(checkout.started).toEqual({ a: 100, b: 80 });
    expect(checkout.submit.diff).toBeCloseTo(0.1);
    expect(checkout.fields.map((f) => f.field)).toEqual(["input#name", "input#email", "input#phone"]);
    expect(checkout.fields[1]!.reach.diff).toBeCloseTo(-0.2);
    expect(checkout.fields[1]!.dropOff.diff).toBeCloseTo(0.2);
    expect(checkout.fields[2]!.reach).toEqual({ a: null, b: 0.5, diff: null });
    expect(diff[1]!.submit).toEqual({ a: 0.2, b: null, diff: null });
  });
});

describe("the sides", () => {
  const now = Date.parse("2026-11-30T12:00:00Z");

  it("compares a period with the one before it by default", () => {
    expect(previousPeriod({ from: "2026-11-15", to: "2026-11-28" })).toEqual({ from: "2026-11-01", to: "2026-11-14" });
    expect(previousPeriod({ from: "2026-03-01", to: "2026-03-01" })).toEqual({ from: "2026-02-28", to: "2026-02-28" });
    const sides = compareSides({ page: "p", from: "2026-11-15", to: "2026-11-28", source: "search" }, now);
    expect(sides.by).toBe("range");
    expect(sides.b.range).toEqual({ from: "2026-11-15", to: "2026-11-28" });
    expect(sides.a.range).toEqual({ from: "2026-11-01", to: "2026-11-14" });
    expect(sides.a.segment).toEqual({ source: "search", utm: [] });
    expect(sides.b.segment).toEqual(sides.a.segment);
    expect(compareSides({}, now).b.range).toEqual({ from: "2026-11-01", to: "2026-11-30" });
  });

  it("reads each side's own days, put the right way round", () => {
    const sides = compareSides({ a_from: "2026-10-10", a_to: "2026-10-01", b_from: "2026-11-01", b_to: "2026-11-07" }, now);
    expect(sides.a.range).toEqual({ from: "2026-10-01", to: "2026-10-10" });
    expect(sides.b.range).toEqual({ from: "2026-11-01", to: "2026-11-07" });
    expect(sidePatch({}, "range", "a", { range: { from: "2026-01-01", to: "2026-01-31" } })).toEqual({ a_from: "2026-01-01", a_to: "2026-01-31" });
    expect(sideLabel(sides.a, "range")).toBe("2026-10-01 – 2026-10-10");
  });

  it("compares two segments over the same days", () => {
    const sides = compareSides({ by: "segment", from: "2026-11-01", to: "2026-11-30", a_source: "direct", b_utm_campaign: "spring" }, now);
    expect(sides.a).toEqual({ range: { from: "2026-11-01", to: "2026-11-30" }, segment: { source: "direct", utm: [] } });
    expect(sides.b.segment).toEqual({ utm: [["utm_campaign", "spring"]] });
    expect(sideLabel(sides.a, "segment")).toBe("Direct");
    // Without a B segment, B is the shared segment (what the heatmap showed).
    expect(compareSides({ by: "segment", source: "email" }, now).b.segment).toEqual({ source: "email", utm: [] });
    expect(compareSides({ by: "segment", source: "email" }, now).a.segment).toEqual({ utm: [] });
    expect(sidePatch({ a_source: "direct" }, "segment", "a", { segment: { source: "social", utm: [] } })).toEqual({ a_source: "social" });
  });

  it("switches modes keeping side B", () => {
    const params = { page: "p", b_from: "2026-11-10", b_to: "2026-11-20", a_from: "2026-10-01", a_to: "2026-10-11", source: "search" };
    const patch = switchPatch(params, compareSides(params, now), "segment");
    expect(patch).toMatchObject({ by: "segment", from: "2026-11-10", to: "2026-11-20", a_from: undefined, b_to: undefined });
    const back = { page: "p", by: "segment", b_source: "social", a_source: "direct" };
    expect(switchPatch(back, compareSides(back, now), "range")).toMatchObject({ by: undefined, b_source: undefined, a_source: undefined, source: "social" });
  });

  it("is opened from a heatmap with its page, device, days and segment", () => {
    const route = parseRoute(compareHref("demo", { page: "https://a.example/", from: "2026-11-01", to: "2026-11-30", source: "search", tab: "scroll" }));
    expect(route).toMatchObject({ name: "compare", site: "demo", params: { page: "https://a.example/", device: "desktop", from: "2026-11-01", to: "2026-11-30", source: "search" } });
    expect(route.params.tab).toBeUndefined();
  });
});
