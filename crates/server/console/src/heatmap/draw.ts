// Drawing a click heatmap on a canvas in document coordinates. Pure
// geometry and colour functions, plus `drawHeatmap`, which only talks to a
// minimal canvas-context interface so tests can run it on a fake.
//
// How it draws (the usual "alpha stamp, then colourise" heatmap):
// 1. every cell leaves a radial alpha stamp at its centre, its strength the
//    cell's count relative to the busiest cell (with a floor, so a single
//    click stays visible next to a hot spot); overlapping stamps add up;
// 2. the alpha of each pixel picks a colour from a blue → green → yellow →
//    red palette; alpha 0 stays fully transparent;
// 3. rage and dead cells get rings on top.
// Nothing is painted farther than a stamp's radius from a cell: the rest
// of the canvas keeps alpha 0 (no tint), which the browser tests check.

import type { Cell, Grid } from "../types";

export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface Layer {
  cells: Cell[];
  grid: Grid;
  /** Width the grid's columns divide: the document width, or the viewport width for the fixed layer. */
  width: number;
  /** Added to every row's y: 0 for both layers when the page is shown from its top. */
  offsetY?: number;
}

export interface Stamp {
  cx: number;
  cy: number;
  radius: number;
  /** 0 < alpha ≤ 1. */
  alpha: number;
}

export interface Marker {
  cx: number;
  cy: number;
  radius: number;
  kind: "rage" | "dead";
  count: number;
}

/** The weakest stamp relative to the strongest: a lone click still shows. */
export const MIN_INTENSITY = 0.18;
/** Stamp radius relative to the larger side of a cell (the blur). */
export const BLUR = 1.25;
/** The smallest stamp radius in CSS px (narrow mobile grids). */
export const MIN_RADIUS = 14;

/** The rectangle of cell (x, y): column x of `cols` across `width`, row y of `row_px`. */
export function cellRect(cell: Pick<Cell, "x" | "y">, grid: Grid, width: number, offsetY = 0): Rect {
  const w = width / grid.cols;
  return { x: cell.x * w, y: offsetY + cell.y * grid.row_px, w, h: grid.row_px };
}

export function cellCentre(cell: Pick<Cell, "x" | "y">, grid: Grid, width: number, offsetY = 0): { x: number; y: number } {
  const r = cellRect(cell, grid, width, offsetY);
  return { x: r.x + r.w / 2, y: r.y + r.h / 2 };
}

/** The busiest cell's count over all layers (0 when there are none). */
export function maxCount(layers: { cells: Cell[] }[]): number {
  let max = 0;
  for (const layer of layers) for (const c of layer.cells) if (c.count > max) max = c.count;
  return max;
}

/** A cell's strength in (0, 1]: count / max, never below MIN_INTENSITY; 0 for an empty cell. */
export function intensity(count: number, max: number): number {
  if (count <= 0 || max <= 0) return 0;
  return Math.min(1, Math.max(MIN_INTENSITY, count / max));
}

export function stampRadius(grid: Grid, width: number): number {
  return Math.max(MIN_RADIUS, Math.max(width / grid.cols, grid.row_px) * BLUR);
}

/** One stamp per non-empty cell, strongest last (drawn on top). */
export function stamps(layers: Layer[], max = maxCount(layers)): Stamp[] {
  const out: Stamp[] = [];
  for (const layer of layers) {
    const radius = stampRadius(layer.grid, layer.width);
    for (const cell of layer.cells) {
      const alpha = intensity(cell.count, max);
      if (alpha <= 0) continue;
      const c = cellCentre(cell, layer.grid, layer.width, layer.offsetY ?? 0);
      out.push({ cx: c.x, cy: c.y, radius, alpha });
    }
  }
  return out.sort((a, b) => a.alpha - b.alpha);
}

/** At most this many rings of each kind, the busiest. */
export const MAX_MARKERS = 40;
/** A cell gets a ring when it has at least this share of the busiest cell's rage (or dead) clicks. */
export const MARKER_SHARE = 0.2;

/**
 * Rings for the cells where rage clicks and dead clicks concentrate: per
 * kind, the busiest cells (up to MAX_MARKERS) holding at least
 * MARKER_SHARE of the top cell's count. A ring on every stray dead click
 * would bury the page.
 */
export function markers(layers: Layer[], limit = MAX_MARKERS): Marker[] {
  const out: Marker[] = [];
  for (const kind of ["rage", "dead"] as const) {
    const found: Marker[] = [];
    for (const layer of layers) {
      const radius = Math.max(7, Math.min(12, layer.width / layer.grid.cols / 2 + 2)) - (kind === "dead" ? 2 : 0);
      for (const cell of layer.cells) {
        const count = cell[kind] ?? 0;
        if (count <= 0) continue;
        const c = cellCentre(cell, layer.grid, layer.width, layer.offsetY ?? 0);
        found.push({ cx: c.x, cy: c.y, radius, kind, count });
      }
    }
    const top = Math.max(0, ...found.map((m) => m.count));
    out.push(...found.filter((m) => m.count >= top * MARKER_SHARE).sort((a, b) => b.count - a.count).slice(0, limit));
  }
  return out;
}

/** The square a stamp can paint, clipped to the canvas; null when fully outside. */
export function stampBounds(s: { cx: number; cy: number; radius: number }, width: number, height: number): Rect | null {
  const x0 = Math.max(0, Math.floor(s.cx - s.radius));
  const y0 = Math.max(0, Math.floor(s.cy - s.radius));
  const x1 = Math.min(width, Math.ceil(s.cx + s.radius));
  const y1 = Math.min(height, Math.ceil(s.cy + s.radius));
  if (x1 <= x0 || y1 <= y0) return null;
  return { x: x0, y: y0, w: x1 - x0, h: y1 - y0 };
}

export function union(rects: Rect[]): Rect | null {
  if (rects.length === 0) return null;
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (const r of rects) {
    x0 = Math.min(x0, r.x);
    y0 = Math.min(y0, r.y);
    x1 = Math.max(x1, r.x + r.w);
    y1 = Math.max(y1, r.y + r.h);
  }
  return { x: x0, y: y0, w: x1 - x0, h: y1 - y0 };
}

type RGBA = [number, number, number, number];

/** Colour stops of the scale: transparent blue → blue → green → yellow → red. */
export const STOPS: { t: number; rgba: RGBA }[] = [
  { t: 0, rgba: [37, 99, 235, 0] },
  { t: 0.2, rgba: [37, 99, 235, 0.55] },
  { t: 0.45, rgba: [16, 185, 129, 0.72] },
  { t: 0.7, rgba: [250, 204, 21, 0.82] },
  { t: 1, rgba: [239, 68, 68, 0.9] },
];

/** The scale's colour at t in [0, 1] (clamped); alpha in [0, 1]. */
export function colourAt(t: number): RGBA {
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0));
  for (let i = 1; i < STOPS.length; i++) {
    const a = STOPS[i - 1]!;
    const b = STOPS[i]!;
    if (x <= b.t) {
      const f = (x - a.t) / (b.t - a.t);
      return [
        Math.round(a.rgba[0] + (b.rgba[0] - a.rgba[0]) * f),
        Math.round(a.rgba[1] + (b.rgba[1] - a.rgba[1]) * f),
        Math.round(a.rgba[2] + (b.rgba[2] - a.rgba[2]) * f),
        a.rgba[3] + (b.rgba[3] - a.rgba[3]) * f,
      ];
    }
  }
  return STOPS[STOPS.length - 1]!.rgba;
}

export function cssColour(t: number, alpha?: number): string {
  const [r, g, b, a] = colourAt(t);
  return `rgba(${r},${g},${b},${+(alpha ?? a).toFixed(3)})`;
}

/** 256 RGBA entries indexed by accumulated stamp alpha; entry 0 is fully transparent. */
export function palette(): Uint8ClampedArray {
  const out = new Uint8ClampedArray(256 * 4);
  for (let i = 1; i < 256; i++) {
    const [r, g, b, a] = colourAt(i / 255);
    out[i * 4] = r;
    out[i * 4 + 1] = g;
    out[i * 4 + 2] = b;
    // Never round a painted pixel down to invisible.
    out[i * 4 + 3] = Math.max(1, Math.round(a * 255));
  }
  return out;
}

/** Maps every pixel's alpha through the palette, in place; alpha 0 stays 0. */
export function colorize(pixels: Uint8ClampedArray, colours: Uint8ClampedArray = palette()): void {
  for (let i = 0; i < pixels.length; i += 4) {
    const a = pixels[i + 3]!;
    if (a === 0) {
      pixels[i] = pixels[i + 1] = pixels[i + 2] = 0;
      continue;
    }
    const p = a * 4;
    pixels[i] = colours[p]!;
    pixels[i + 1] = colours[p + 1]!;
    pixels[i + 2] = colours[p + 2]!;
    pixels[i + 3] = colours[p + 3]!;
  }
}

/** What `drawHeatmap` needs of a CanvasRenderingContext2D. */
export interface HeatmapContext {
  globalCompositeOperation: string;
  fillStyle: unknown;
  strokeStyle: unknown;
  lineWidth: number;
  clearRect(x: number, y: number, w: number, h: number): void;
  fillRect(x: number, y: number, w: number, h: number): void;
  createRadialGradient(x0: number, y0: number, r0: number, x1: number, y1: number, r1: number): {
    addColorStop(offset: number, colour: string): void;
  };
  getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray };
  putImageData(image: { data: Uint8ClampedArray }, x: number, y: number): void;
  beginPath(): void;
  arc(x: number, y: number, r: number, start: number, end: number): void;
  moveTo(x: number, y: number): void;
  lineTo(x: number, y: number): void;
  stroke(): void;
  fill(): void;
  setLineDash(segments: number[]): void;
}

export interface DrawOptions {
  width: number;
  height: number;
  layers: Layer[];
  showRage?: boolean;
  showDead?: boolean;
}

export interface DrawResult {
  stamps: number;
  markers: number;
  max: number;
  /** Where anything was painted (null: nothing). */
  bounds: Rect | null;
}

export function drawHeatmap(ctx: HeatmapContext, opts: DrawOptions): DrawResult {
  const { width, height, layers } = opts;
  ctx.clearRect(0, 0, width, height);
  const max = maxCount(layers);
  const all = stamps(layers, max);
  const painted: Rect[] = [];
  ctx.globalCompositeOperation = "source-over";
  for (const s of all) {
    const box = stampBounds(s, width, height);
    if (!box) continue;
    const g = ctx.createRadialGradient(s.cx, s.cy, 0, s.cx, s.cy, s.radius);
    g.addColorStop(0, `rgba(0,0,0,${s.alpha.toFixed(3)})`);
    g.addColorStop(0.45, `rgba(0,0,0,${(s.alpha * 0.6).toFixed(3)})`);
    g.addColorStop(1, "rgba(0,0,0,0)");
    ctx.fillStyle = g;
    ctx.fillRect(box.x, box.y, box.w, box.h);
    painted.push(box);
  }
  const area = union(painted);
  if (area) {
    const image = ctx.getImageData(area.x, area.y, area.w, area.h);
    colorize(image.data);
    ctx.putImageData(image, area.x, area.y);
  }
  let drawnMarkers = 0;
  for (const m of markers(layers)) {
    if (m.kind === "rage" && opts.showRage === false) continue;
    if (m.kind === "dead" && opts.showDead === false) continue;
    const box = stampBounds({ cx: m.cx, cy: m.cy, radius: m.radius + 2 }, width, height);
    if (!box) continue;
    drawMarker(ctx, m);
    painted.push(box);
    drawnMarkers++;
  }
  return { stamps: all.length, markers: drawnMarkers, max, bounds: union(painted) };
}

function drawMarker(ctx: HeatmapContext, m: Marker): void {
  ctx.setLineDash([]);
  if (m.kind === "rage") {
    // A white halo, then a solid red ring: readable on any colour.
    ring(ctx, m, "rgba(255,255,255,0.95)", 4.5);
    ring(ctx, m, "rgb(220,38,38)", 2.25);
  } else {
    ring(ctx, m, "rgba(255,255,255,0.85)", 3.5);
    ctx.setLineDash([3, 2.5]);
    ring(ctx, m, "rgb(30,41,59)", 1.75);
    ctx.setLineDash([]);
  }
}

function ring(ctx: HeatmapContext, m: Marker, colour: string, width: number): void {
  ctx.beginPath();
  ctx.arc(m.cx, m.cy, m.radius, 0, Math.PI * 2);
  ctx.strokeStyle = colour;
  ctx.lineWidth = width;
  ctx.stroke();
}

/** Clicks of a layer that fell in cells the API left out (fewer than k_min visitors). */
export function hiddenClicks(layer: { cells: Cell[]; total: number }): number {
  const shown = layer.cells.reduce((sum, c) => sum + c.count, 0);
  return Math.max(0, layer.total - shown);
}

/** The document height the cells need (last row's bottom), for a page without a snapshot. */
export function cellsHeight(layer: { cells: Cell[]; grid: Grid }): number {
  let rows = 0;
  for (const c of layer.cells) rows = Math.max(rows, c.y + 1);
  return rows * layer.grid.row_px;
}
