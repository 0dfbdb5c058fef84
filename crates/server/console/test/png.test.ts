// The PNG export's pure half: picture size, file name, and the order in
// which paper, page, dimming and heatmap are composited (on the fake
// canvas, pixel by pixel).
import { describe, expect, it } from "vitest";
import { composeExport, DIM, exportSize, isPng, MAX_AREA, MAX_SIDE, pageSlug, pngFileName, type Box } from "../src/heatmap/png";
import { drawHeatmap } from "../src/heatmap/draw";
import { FakeContext, parseColour } from "./fake-canvas";

describe("picture size", () => {
  it("keeps the document's size at 1 px per CSS px", () => {
    expect(exportSize(1280, 2400)).toEqual({ width: 1280, height: 2400, scale: 1 });
    expect(exportSize(390.4, 844.6)).toEqual({ width: 390, height: 845, scale: 1 });
  });

  it("honours a pixel ratio but shrinks to the side and area limits", () => {
    expect(exportSize(800, 600, 2)).toEqual({ width: 1600, height: 1200, scale: 2 });
    const tall = exportSize(1280, 30_000);
    expect(tall.width * tall.height).toBeLessThanOrEqual(MAX_AREA);
    expect(tall.height).toBeLessThanOrEqual(MAX_SIDE);
    expect(tall.width / tall.height).toBeCloseTo(1280 / 30_000, 2);
    const wide = exportSize(40_000, 100, 1, 16_384, Infinity);
    expect(wide.width).toBe(16_384);
    expect(wide.scale).toBeCloseTo(16_384 / 40_000);
  });

  it("never answers an empty picture", () => {
    expect(exportSize(0, 0)).toEqual({ width: 1, height: 1, scale: 1 });
    expect(exportSize(100, 100, Number.NaN).scale).toBe(1);
  });
});

describe("file name", () => {
  it("is heatmap-<page>-<from>-<to>.png with a safe page part", () => {
    expect(pngFileName("https://Shop.example/products/:id", "2026-11-01", "2026-11-30")).toBe("heatmap-shop.example-products-id-2026-11-01-2026-11-30.png");
    expect(pngFileName("https://shop.example/", "2026-11-01", "2026-11-01")).toBe("heatmap-shop.example-2026-11-01-2026-11-01.png");
    expect(pageSlug("http://127.0.0.1:8080/shop.html")).toBe("127.0.0.1-8080-shop.html");
    expect(pageSlug("../../etc/passwd")).toBe("etc-passwd");
    expect(pageSlug("")).toBe("page");
    expect(pageSlug("https://a.example/" + "x".repeat(300)).length).toBeLessThanOrEqual(80);
  });

  it("leaves out days that are not days", () => {
    expect(pngFileName("https://a.example/cart", "bogus", "2026-11-30")).toBe("heatmap-a.example-cart-2026-11-30.png");
  });
});

/** A flat-coloured fake canvas standing in for the rasterised page. */
function flat(width: number, height: number, colour: string): FakeContext {
  const c = new FakeContext(width, height);
  c.fillStyle = colour;
  c.fillRect(0, 0, width, height);
  return c;
}

describe("compositing", () => {
  const doc = { width: 200, height: 100 };

  it("paints paper, page, dimming, then the heatmap on top", () => {
    const heatmap = new FakeContext(200, 100);
    heatmap.fillStyle = "rgb(0,200,0)";
    heatmap.fillRect(150, 60, 20, 20);
    const out = new FakeContext(200, 100);
    const steps = composeExport(out, { size: exportSize(200, 100), background: { kind: "page", image: flat(200, 100, "rgb(200,40,40)") }, dim: true, heatmap, document: doc });
    expect(steps).toEqual(["paper", "page", "dim", "heatmap"]);
    expect(out.calls.filter((c) => c === "drawImage")).toHaveLength(2);
    // Away from the heatmap: the page under the dimming veil.
    const [dr, dg, db, da] = parseColour(DIM);
    const [r, g, b, a] = out.pixel(5, 5);
    expect(a).toBe(255);
    expect(r).toBeCloseTo(200 * (1 - da) + dr * da, -1);
    expect(g).toBeCloseTo(40 * (1 - da) + dg * da, -1);
    expect(b).toBeCloseTo(40 * (1 - da) + db * da, -1);
    // On the heatmap: its own colour, not dimmed (it is drawn last).
    expect(out.pixel(160, 70)).toEqual([0, 200, 0, 255]);
  });

  it("keeps a real heatmap's translucent colours over the page, and the page elsewhere", () => {
    const heatmap = new FakeContext(200, 100);
    drawHeatmap(heatmap, { width: 200, height: 100, layers: [{ cells: [{ x: 16, y: 3, count: 5 }], grid: { cols: 32, row_px: 16 }, width: 200 }] });
    const page = flat(200, 100, "rgb(255,255,255)");
    const out = new FakeContext(200, 100);
    composeExport(out, { size: exportSize(200, 100), background: { kind: "page", image: page }, dim: false, heatmap, document: doc });
    const centre = { x: 16 * (200 / 32) + 200 / 64, y: 3 * 16 + 8 };
    expect(heatmap.pixel(centre.x, centre.y)[3]).toBeGreaterThan(0);
    expect(out.pixel(centre.x, centre.y)).not.toEqual([255, 255, 255, 255]);
    expect(out.pixel(5, 5)).toEqual([255, 255, 255, 255]);
    expect(out.pixel(195, 95)).toEqual([255, 255, 255, 255]);
  });

  it("scales the heatmap from document px to the picture", () => {
    const heatmap = new FakeContext(200, 100);
    heatmap.fillStyle = "rgb(0,0,255)";
    heatmap.fillRect(100, 50, 100, 50); // the bottom-right quarter of the document
    const out = new FakeContext(100, 50);
    composeExport(out, { size: exportSize(200, 100, 0.5), background: { kind: "page", image: flat(200, 100, "rgb(255,255,255)") }, dim: false, heatmap, document: doc });
    expect(out.pixel(75, 40)).toEqual([0, 0, 255, 255]);
    expect(out.pixel(25, 10)).toEqual([255, 255, 255, 255]);
  });

  it("draws a wireframe of the page's boxes when the page cannot be drawn, undimmed", () => {
    const heatmap = new FakeContext(200, 100);
    const boxes: Box[] = [
      { x: 10, y: 10, w: 60, h: 30, kind: "media" },
      { x: 100, y: 20, w: 50, h: 12, kind: "text" },
      { x: 0, y: 0, w: 200, h: 100, kind: "block" },
    ];
    const out = new FakeContext(200, 100);
    const steps = composeExport(out, { size: exportSize(200, 100), background: { kind: "wireframe", boxes }, dim: true, heatmap, document: doc });
    expect(steps).toEqual(["paper", "wireframe", "heatmap"]);
    expect(out.calls).toContain("strokeRect");
    // Paper where nothing is, a grey box where the image was.
    expect(out.pixel(90, 70)).toEqual([255, 255, 255, 255]);
    const [mr, mg, mb] = out.pixel(40, 25);
    expect(mr).toBeLessThan(235);
    expect(mr).toBeLessThanOrEqual(mg);
    expect(mg).toBeLessThanOrEqual(mb);
  });
});

describe("PNG signature", () => {
  it("recognises the 8 signature bytes", () => {
    expect(isPng(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0]))).toBe(true);
    expect(isPng(new Uint8Array([0xff, 0xd8, 0xff]))).toBe(false);
  });
});
