import { describe, expect, it } from "vitest";
import { bandGradient, depthReachedBy, foldLines, reachedAt, shares } from "../src/heatmap/scroll";
import { freezeViewportUnits } from "../src/heatmap/viewport-units";

const depth = Array.from({ length: 21 }, (_, i) => ({ pct: i * 5, reached: Math.round(200 * (1 - i / 25)) }));

describe("scroll depth", () => {
  it("turns buckets into shares of page views, sorted by depth", () => {
    const s = shares([{ pct: 10, reached: 50 }, { pct: 0, reached: 100 }], 100);
    expect(s).toEqual([{ pct: 0, share: 1 }, { pct: 10, share: 0.5 }]);
    expect(shares([{ pct: 0, reached: 0 }], 0)).toEqual([{ pct: 0, share: 0 }]);
  });

  it("reads the share at a depth from its bucket", () => {
    expect(reachedAt(depth, 200, 0)).toBe(1);
    expect(reachedAt(depth, 200, 52)).toBeCloseTo(depth[10]!.reached / 200);
    expect(reachedAt(depth, 200, 100)).toBeCloseTo(depth[20]!.reached / 200);
  });

  it("finds how deep half of the views got", () => {
    expect(depthReachedBy(depth, 200, 0.5)).toBe(60);
    expect(depthReachedBy(depth, 200, 0)).toBe(100);
    expect(foldLines(depth, 200).map((l) => l.share)).toEqual([0.75, 0.5, 0.25]);
    expect(foldLines(depth, 0)).toEqual([]);
  });

  it("draws a gradient band with one stop per bucket", () => {
    const g = bandGradient(depth, 200);
    expect(g.startsWith("linear-gradient(to bottom, ")).toBe(true);
    expect(g.match(/%/g)).toHaveLength(21);
    expect(g).toContain(" 0%");
    expect(g).toContain(" 100%");
    expect(bandGradient([], 0)).toBe("none");
    // Depths nobody reached are dimmed, not coloured.
    expect(bandGradient([{ pct: 0, reached: 4 }, { pct: 50, reached: 0 }], 4)).toContain("rgba(15,23,42,0.5) 50%");
  });
});

describe("viewport units", () => {
  it("freezes vh, vw, vmin and vmax at the recorded viewport", () => {
    expect(freezeViewportUnits(".hero{min-height:100vh;width:50vw}", 1280, 800)).toBe(".hero{min-height:800px;width:640px}");
    expect(freezeViewportUnits("a{height:calc(100vh - 64px);margin:-10vh 0}", 1280, 800)).toBe("a{height:calc(800px - 64px);margin:-80px 0}");
    expect(freezeViewportUnits("b{font-size:2.5vmin;top:10vmax;h:100dvh;x:50svh}", 1000, 500)).toBe("b{font-size:12.5px;top:100px;h:500px;x:250px}");
  });

  it("leaves other text alone", () => {
    const css = ".a{width:100px} .b{height:50%} .vh-class{color:red}";
    expect(freezeViewportUnits(css, 1280, 800)).toBe(css);
  });
});
