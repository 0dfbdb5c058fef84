import { describe, expect, it } from "vitest";
import {
  BLUR,
  MIN_INTENSITY,
  MIN_RADIUS,
  cellCentre,
  cellRect,
  cellsHeight,
  colorize,
  colourAt,
  drawHeatmap,
  hiddenClicks,
  intensity,
  markers,
  maxCount,
  palette,
  stampBounds,
  stampRadius,
  stamps,
  union,
  type Layer,
} from "../src/heatmap/draw";
import { FakeContext } from "./fake-canvas";

const grid = { cols: 64, row_px: 16 };

describe("cell → rectangle", () => {
  it("maps column x of 64 across the document width and row y of 16 px from the top", () => {
    expect(cellRect({ x: 0, y: 0 }, grid, 1280)).toEqual({ x: 0, y: 0, w: 20, h: 16 });
    expect(cellRect({ x: 12, y: 40 }, grid, 1280)).toEqual({ x: 240, y: 640, w: 20, h: 16 });
    expect(cellRect({ x: 63, y: 1 }, grid, 1280)).toEqual({ x: 1260, y: 16, w: 20, h: 16 });
  });

  it("follows the document width (a mobile page has narrower cells)", () => {
    const r = cellRect({ x: 32, y: 2 }, grid, 384);
    expect(r).toEqual({ x: 192, y: 32, w: 6, h: 16 });
  });

  it("shifts a layer by its offset and centres in the middle of the cell", () => {
    expect(cellRect({ x: 1, y: 1 }, grid, 640, 100).y).toBe(116);
    expect(cellCentre({ x: 1, y: 1 }, grid, 640)).toEqual({ x: 15, y: 24 });
  });

  it("is the inverse of the server's cell of a click", () => {
    // SPEC §6: column floor(x / w * cols), row floor(y / row_px).
    const w = 1366;
    for (const [x, y] of [[0, 0], [683, 4100], [1365, 15], [300.5, 333]] as const) {
      const cell = { x: Math.floor((x / w) * 64), y: Math.floor(y / 16) };
      const r = cellRect(cell, grid, w);
      expect(x).toBeGreaterThanOrEqual(r.x - 1e-9);
      expect(x).toBeLessThan(r.x + r.w + 1e-9);
      expect(y).toBeGreaterThanOrEqual(r.y);
      expect(y).toBeLessThan(r.y + r.h);
    }
  });
});

describe("normalisation", () => {
  it("takes the busiest cell over all layers", () => {
    expect(maxCount([{ cells: [] }])).toBe(0);
    expect(maxCount([{ cells: [{ x: 0, y: 0, count: 3 }] }, { cells: [{ x: 1, y: 0, count: 9 }, { x: 2, y: 0, count: 4 }] }])).toBe(9);
  });

  it("scales counts by the max with a floor so one click stays visible", () => {
    expect(intensity(50, 50)).toBe(1);
    expect(intensity(25, 50)).toBe(0.5);
    expect(intensity(1, 1000)).toBe(MIN_INTENSITY);
    expect(intensity(0, 10)).toBe(0);
    expect(intensity(5, 0)).toBe(0);
    expect(intensity(80, 50)).toBe(1);
  });

  it("makes one stamp per non-empty cell, strongest drawn last", () => {
    const layer: Layer = { cells: [{ x: 1, y: 1, count: 10 }, { x: 2, y: 2, count: 0 }, { x: 3, y: 3, count: 2 }], grid, width: 1280 };
    const s = stamps([layer]);
    expect(s).toHaveLength(2);
    expect(s[1]!.alpha).toBe(1);
    expect(s[0]!.alpha).toBeCloseTo(0.2);
    expect(s[1]).toMatchObject({ cx: 30, cy: 24 });
  });

  it("blurs with a radius from the cell size, never below the minimum", () => {
    expect(stampRadius(grid, 1280)).toBe(20 * BLUR);
    expect(stampRadius(grid, 390)).toBe(16 * BLUR);
    expect(stampRadius({ cols: 64, row_px: 8 }, 390)).toBe(MIN_RADIUS);
  });
});

describe("colour scale", () => {
  it("runs from transparent blue through green and yellow to red", () => {
    const [r0, g0, b0, a0] = colourAt(0);
    expect(a0).toBe(0);
    expect(b0).toBeGreaterThan(r0);
    expect(b0).toBeGreaterThan(g0);
    const green = colourAt(0.45);
    expect(green[1]).toBeGreaterThan(green[0]);
    expect(green[1]).toBeGreaterThan(green[2]);
    const yellow = colourAt(0.7);
    expect(yellow[0]).toBeGreaterThan(200);
    expect(yellow[1]).toBeGreaterThan(180);
    const red = colourAt(1);
    expect(red[0]).toBeGreaterThan(200);
    expect(red[1]).toBeLessThan(100);
  });

  it("never gets more transparent as density rises, and clamps", () => {
    let last = -1;
    for (let t = 0; t <= 1.0001; t += 0.05) {
      const a = colourAt(t)[3];
      expect(a).toBeGreaterThanOrEqual(last);
      last = a;
    }
    expect(colourAt(-1)).toEqual(colourAt(0));
    expect(colourAt(7)).toEqual(colourAt(1));
    expect(colourAt(Number.NaN)).toEqual(colourAt(0));
  });

  it("has a palette whose entry 0 is transparent and every other entry visible", () => {
    const p = palette();
    expect(p.length).toBe(1024);
    expect([p[0], p[1], p[2], p[3]]).toEqual([0, 0, 0, 0]);
    for (let i = 1; i < 256; i++) expect(p[i * 4 + 3]).toBeGreaterThan(0);
  });

  it("colorizes by alpha and leaves alpha-0 pixels fully transparent", () => {
    const px = new Uint8ClampedArray([9, 9, 9, 0, 0, 0, 0, 255, 0, 0, 0, 60]);
    colorize(px);
    expect(Array.from(px.slice(0, 4))).toEqual([0, 0, 0, 0]);
    const hot = colourAt(1);
    expect(Array.from(px.slice(4, 7))).toEqual([hot[0], hot[1], hot[2]]);
    expect(px[11]).toBeGreaterThan(0);
    expect(px[11]).toBeLessThan(px[7]!);
  });
});

describe("rage and dead marking", () => {
  it("rings rage and dead cells, only those", () => {
    const layer: Layer = {
      cells: [
        { x: 10, y: 10, count: 20, rage: 3, dead: 0 },
        { x: 20, y: 5, count: 4, rage: 0, dead: 2 },
        { x: 30, y: 5, count: 9 },
        { x: 40, y: 5, count: 9, rage: 1, dead: 1 },
      ],
      grid,
      width: 1280,
    };
    const m = markers([layer]);
    expect(m.map((x) => [x.kind, x.count])).toEqual([["rage", 3], ["rage", 1], ["dead", 2], ["dead", 1]]);
    expect(m[0]).toMatchObject({ cx: 210, cy: 168 });
    // A dead ring sits inside a rage ring on the same cell.
    expect(m[3]!.radius).toBeLessThan(m[1]!.radius);
  });

  it("rings only where rage or dead clicks concentrate, the busiest first", () => {
    const cells = Array.from({ length: 100 }, (_, i) => ({ x: i % 64, y: Math.floor(i / 64), count: 10, dead: i === 7 ? 50 : 1 }));
    const m = markers([{ cells, grid, width: 1280 }]);
    expect(m).toHaveLength(1);
    expect(m[0]).toMatchObject({ kind: "dead", count: 50 });
    const many = Array.from({ length: 100 }, (_, i) => ({ x: i % 64, y: Math.floor(i / 64), count: 10, rage: 5 + (i % 3) }));
    const r = markers([{ cells: many, grid, width: 1280 }], 40);
    expect(r).toHaveLength(40);
    expect(r[0]!.count).toBe(7);
  });
});

describe("drawHeatmap", () => {
  const W = 640;
  const H = 400;
  const layer: Layer = {
    cells: [
      { x: 10, y: 5, count: 40, rage: 2, dead: 0 },
      { x: 11, y: 5, count: 12 },
      { x: 50, y: 20, count: 1, dead: 1 },
    ],
    grid,
    width: W,
  };

  it("paints where the clicks are and leaves alpha 0 everywhere else", () => {
    const ctx = new FakeContext(W, H);
    const result = drawHeatmap(ctx, { width: W, height: H, layers: [layer] });
    expect(result.stamps).toBe(3);
    expect(result.markers).toBe(2);
    expect(result.max).toBe(40);
    // Non-empty at every cell's centre, even the lone single click.
    for (const cell of layer.cells) {
      const c = cellCentre(cell, grid, W);
      expect(ctx.alphaAt(c.x, c.y)).toBeGreaterThan(0);
    }
    // Empty far away from all cells: corners, between the spots, the bottom.
    for (const [x, y] of [[0, 0], [W - 1, 0], [0, H - 1], [W - 1, H - 1], [300, 200], [100, 300], [600, 50]] as const) {
      expect(ctx.alphaAt(x, y)).toBe(0);
    }
    // Every painted pixel lies within a stamp's reach of some cell.
    const reach = stampRadius(grid, W) + 3;
    const centres = layer.cells.map((c) => cellCentre(c, grid, W));
    let painted = 0;
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        if (ctx.alphaAt(x, y) === 0) continue;
        painted++;
        const near = centres.some((c) => Math.hypot(x + 0.5 - c.x, y + 0.5 - c.y) <= reach * Math.SQRT2);
        expect(near).toBe(true);
      }
    }
    expect(painted).toBeGreaterThan(0);
    expect(painted).toBeLessThan(W * H * 0.1);
  });

  it("is hottest at the busiest cell", () => {
    const ctx = new FakeContext(W, H);
    drawHeatmap(ctx, { width: W, height: H, layers: [{ ...layer, cells: layer.cells.map((c) => ({ ...c, rage: 0, dead: 0 })) }] });
    const hot = cellCentre(layer.cells[0]!, grid, W);
    const cold = cellCentre(layer.cells[2]!, grid, W);
    expect(ctx.alphaAt(hot.x, hot.y)).toBeGreaterThan(ctx.alphaAt(cold.x, cold.y));
    const i = (Math.floor(hot.y) * W + Math.floor(hot.x)) * 4;
    // Red dominates at the hot spot.
    expect(ctx.data[i]!).toBeGreaterThan(ctx.data[i + 2]!);
  });

  it("draws nothing at all for no cells (no full-canvas tint)", () => {
    const ctx = new FakeContext(100, 100);
    const result = drawHeatmap(ctx, { width: 100, height: 100, layers: [{ cells: [], grid, width: 100 }] });
    expect(result).toMatchObject({ stamps: 0, markers: 0, bounds: null });
    expect(ctx.data.every((v) => v === 0)).toBe(true);
    expect(ctx.calls).not.toContain("getImageData");
  });

  it("hides rage and dead rings when asked", () => {
    const ctx = new FakeContext(W, H);
    const result = drawHeatmap(ctx, { width: W, height: H, layers: [layer], showRage: false, showDead: false });
    expect(result.markers).toBe(0);
    expect(ctx.calls).not.toContain("stroke");
  });

  it("places the fixed layer from the viewport top across the viewport width", () => {
    const fixed: Layer = { cells: [{ x: 32, y: 1, count: 5 }], grid, width: 320, offsetY: 0 };
    const ctx = new FakeContext(W, H);
    drawHeatmap(ctx, { width: W, height: H, layers: [{ cells: [], grid, width: W }, fixed] });
    expect(ctx.alphaAt(165, 24)).toBeGreaterThan(0);
    expect(ctx.alphaAt(330, 24)).toBe(0);
  });

  it("clips stamps to the canvas", () => {
    expect(stampBounds({ cx: -100, cy: 5, radius: 10 }, 50, 50)).toBeNull();
    expect(stampBounds({ cx: 2, cy: 2, radius: 10 }, 50, 50)).toEqual({ x: 0, y: 0, w: 12, h: 12 });
    expect(union([])).toBeNull();
    expect(union([{ x: 1, y: 2, w: 3, h: 4 }, { x: 10, y: 0, w: 2, h: 2 }])).toEqual({ x: 1, y: 0, w: 11, h: 6 });
  });
});

describe("totals", () => {
  it("counts clicks hidden by k_min", () => {
    expect(hiddenClicks({ total: 100, cells: [{ x: 0, y: 0, count: 60 }, { x: 1, y: 0, count: 30 }] })).toBe(10);
    expect(hiddenClicks({ total: 5, cells: [{ x: 0, y: 0, count: 5 }] })).toBe(0);
  });

  it("knows how tall the cells reach", () => {
    expect(cellsHeight({ grid, cells: [{ x: 0, y: 10, count: 1 }, { x: 0, y: 3, count: 1 }] })).toBe(176);
    expect(cellsHeight({ grid, cells: [] })).toBe(0);
  });
});
