import { describe, expect, it } from "vitest";
import { groupByPage, heatmapHref, occurrences, replayHref, sessionsHref, signalInfo, totals } from "../src/insights";
import { parseRoute } from "../src/router";
import type { Insight } from "../src/types";

const CHECKOUT = "https://shop.example/checkout";
const CART = "https://shop.example/cart";

function insight(page: string, signal: string, sessions: number, occurrences: number, examples: string[] = []): Insight {
  return { page, signal, sessions, occurrences, visitors: sessions, examples };
}

// As the API ranks them: by sessions, then occurrences.
const RANKED = [
  insight(CHECKOUT, "rage_clicks", 17, 41, ["s1", "s2"]),
  insight(CART, "quick_back", 9, 12, ["s3"]),
  insight(CHECKOUT, "dead_clicks", 6, 8),
  insight(CART, "excessive_scrolling", 2, 2),
];

describe("insights", () => {
  it("groups signals by page, pages in the order of their best signal", () => {
    const groups = groupByPage(RANKED);
    expect(groups.map((g) => g.page)).toEqual([CHECKOUT, CART]);
    expect(groups[0]!.signals.map((s) => s.signal)).toEqual(["rage_clicks", "dead_clicks"]);
    expect(groups[0]!.sessions).toBe(17);
    expect(groups[1]).toMatchObject({ rank: 1, sessions: 9 });
  });

  it("keeps only the chosen signals", () => {
    const groups = groupByPage(RANKED, new Set(["excessive_scrolling", "dead_clicks"]));
    expect(groups.map((g) => [g.page, g.signals.map((s) => s.signal)])).toEqual([
      [CHECKOUT, ["dead_clicks"]],
      [CART, ["excessive_scrolling"]],
    ]);
    expect(groupByPage(RANKED, new Set(["rage_clicks"])).map((g) => g.page)).toEqual([CHECKOUT]);
  });

  it("sums each signal over pages", () => {
    const t = totals(RANKED);
    expect(t.rage_clicks).toEqual({ occurrences: 41, sessions: 17, pages: 1 });
    expect(t.quick_back).toEqual({ occurrences: 12, sessions: 9, pages: 1 });
    expect(totals([]).dead_clicks).toEqual({ occurrences: 0, sessions: 0, pages: 0 });
  });

  it("names occurrences by what they are", () => {
    expect(occurrences({ signal: "rage_clicks", occurrences: 41 })).toBe("41 clicks");
    expect(occurrences({ signal: "quick_back", occurrences: 1 })).toBe("1 return");
    expect(occurrences({ signal: "excessive_scrolling", occurrences: 1200 })).toBe("1,200 page views");
    expect(signalInfo("new_signal").label).toBe("new signal");
  });

  it("links to the sessions that show a signal, and to their replays", () => {
    const params = { from: "2026-11-01", to: "2026-11-30", device: "mobile", signal: "rage_clicks" };
    const list = parseRoute(sessionsHref("demo", RANKED[0]!, params));
    expect(list).toMatchObject({ name: "sessions", site: "demo", params: { page: CHECKOUT, has: "rage", from: "2026-11-01", to: "2026-11-30", device: "mobile" } });
    expect(list.params.signal).toBeUndefined();
    expect(parseRoute(sessionsHref("demo", RANKED[1]!, { device: "all" })).params).toEqual({ page: CART });
    expect(parseRoute(replayHref("demo", "s1", RANKED[0]!, params))).toMatchObject({ name: "replay", session: "s1", params: { page: CHECKOUT, has: "rage" } });
    expect(parseRoute(replayHref("demo", "s3", RANKED[1]!, {})).params).toEqual({ page: CART });
    expect(parseRoute(heatmapHref("demo", CART, params))).toMatchObject({ name: "heatmap", params: { page: CART, device: "mobile" } });
  });
});
