// The comparison view's arithmetic: side B against side A for one page
// and device (two periods, or two segments). Pure functions.
//
// Clicks are compared as shares, not counts, so a busier period does not
// paint the whole page: per cell, B's share of B's clicks of that layer
// minus A's share of A's (a cell holding 10 % of A's clicks and 25 % of
// B's is +15 points). Totals are the layers' `total`, hidden cells (under
// k_min) included, as the heatmap view counts them.

import type { Cell, ClickLayer, FormFunnel, Forms, Grid, PageRow } from "../types";
import { cellRect, type HeatmapContext, type Rect, union } from "../heatmap/draw";
import { shares, type Depth } from "../heatmap/scroll";

export interface DiffCell {
  x: number;
  y: number;
  /** Clicks on each side. */
  a: number;
  b: number;
  /** Shares of the side's layer total (0..1). */
  shareA: number;
  shareB: number;
  /** shareB − shareA, in −1..1: positive where B clicked relatively more. */
  diff: number;
}

type Side = Pick<ClickLayer, "cells" | "total">;

/** The share difference of every cell either side has, sorted by |diff|, largest last (drawn on top). */
export function diffLayer(a: Side | undefined, b: Side | undefined): DiffCell[] {
  const cells = new Map<string, DiffCell>();
  const add = (side: Side | undefined, key: "a" | "b") => {
    for (const c of side?.cells ?? []) {
      const id = `${c.x},${c.y}`;
      let cell = cells.get(id);
      if (!cell) {
        cell = { x: c.x, y: c.y, a: 0, b: 0, shareA: 0, shareB: 0, diff: 0 };
        cells.set(id, cell);
      }
      cell[key] += c.count;
    }
  };
  add(a, "a");
  add(b, "b");
  const totalA = a?.total ?? 0;
  const totalB = b?.total ?? 0;
  for (const cell of cells.values()) {
    cell.shareA = totalA > 0 ? cell.a / totalA : 0;
    cell.shareB = totalB > 0 ? cell.b / totalB : 0;
    cell.diff = cell.shareB - cell.shareA;
  }
  return [...cells.values()].sort((p, q) => Math.abs(p.diff) - Math.abs(q.diff) || p.y - q.y || p.x - q.x);
}

/** The largest |diff| over the layers (0 when nothing differs). */
export function maxAbsDiff(layers: { cells: DiffCell[] }[]): number {
  let max = 0;
  for (const l of layers) for (const c of l.cells) max = Math.max(max, Math.abs(c.diff));
  return max;
}

type RGB = [number, number, number];

/** The diverging scale's two hues: blue where A clicked relatively more, orange where B did. */
export const MORE_IN_A: RGB = [37, 99, 235];
export const MORE_IN_B: RGB = [234, 88, 12];
/** Weakest drawn alpha, so a small but real difference stays visible. */
export const MIN_ALPHA = 0.14;
export const MAX_ALPHA = 0.78;

/**
 * The colour of a difference relative to the largest: t in −1..1 (clamped);
 * negative → blue (more in A), positive → orange (more in B), 0 → fully
 * transparent.
 */
export function divergingColour(t: number): [number, number, number, number] {
  const x = Math.max(-1, Math.min(1, Number.isFinite(t) ? t : 0));
  if (x === 0) return [0, 0, 0, 0];
  const [r, g, b] = x < 0 ? MORE_IN_A : MORE_IN_B;
  return [r, g, b, +(MIN_ALPHA + (MAX_ALPHA - MIN_ALPHA) * Math.abs(x)).toFixed(3)];
}

export function divergingCss(t: number): string {
  const [r, g, b, a] = divergingColour(t);
  return `rgba(${r},${g},${b},${a})`;
}

/** A CSS gradient for the legend: more in A (left) … no difference … more in B (right). */
export function divergingLegend(): string {
  const stops = [-1, -0.5, -0.15, 0, 0.15, 0.5, 1].map((t, i, all) => `${t === 0 ? "rgba(255,255,255,0)" : divergingCss(t)} ${Math.round((i / (all.length - 1)) * 100)}%`);
  return `linear-gradient(to right, ${stops.join(", ")})`;
}

export interface DiffLayer {
  cells: DiffCell[];
  grid: Grid;
  width: number;
  offsetY?: number;
}

/** What drawDifference needs of a 2D context (a subset of what drawHeatmap needs). */
export type DiffContext = Pick<HeatmapContext, "fillStyle" | "clearRect" | "fillRect">;

/**
 * Fills each cell that differs with the diverging colour of diff / max
 * (max: the largest |diff| of all layers, so both layers share a scale).
 * Cells with no difference stay transparent.
 */
export function drawDifference(ctx: DiffContext, opts: { width: number; height: number; layers: DiffLayer[] }): { drawn: number; max: number; bounds: Rect | null } {
  ctx.clearRect(0, 0, opts.width, opts.height);
  const max = maxAbsDiff(opts.layers);
  const painted: Rect[] = [];
  if (max <= 0) return { drawn: 0, max, bounds: null };
  for (const layer of opts.layers) {
    for (const cell of layer.cells) {
      if (cell.diff === 0) continue;
      const r = cellRect(cell, layer.grid, layer.width, layer.offsetY ?? 0);
      if (r.x >= opts.width || r.y >= opts.height) continue;
      ctx.fillStyle = divergingCss(cell.diff / max);
      ctx.fillRect(r.x, r.y, r.w, r.h);
      painted.push(r);
    }
  }
  return { drawn: painted.length, max, bounds: union(painted) };
}

/** "+12.5 pts", "−3 pts", "0 pts": a difference of shares in percentage points. */
export function points(diff: number, digits = 1): string {
  if (!Number.isFinite(diff)) return "–";
  const v = +(diff * 100).toFixed(digits);
  if (v === 0) return "0 pts";
  return `${v > 0 ? "+" : "−"}${Math.abs(v)} pts`;
}

/** "+25%", "−50%", "new" (A was 0), "–" (both 0): B against A, relative. */
export function change(a: number, b: number): string {
  if (a === 0) return b === 0 ? "–" : "new";
  const p = Math.round(((b - a) / a) * 100);
  return p === 0 ? "0%" : `${p > 0 ? "+" : "−"}${Math.abs(p)}%`;
}

export interface Figure {
  label: string;
  a: number | null;
  b: number | null;
  /** b − a, null when a side has no row. */
  diff: number | null;
}

/** A page's row of a `…/pages` answer (null when the page is not in it). */
export function pageRow(rows: PageRow[] | undefined, page: string): PageRow | null {
  return rows?.find((r) => r.page === page) ?? null;
}

/** Views, visitors and clicks of both sides; a page absent from a side's list counts 0 there. */
export function pageFigures(a: PageRow | null, b: PageRow | null): Figure[] {
  return (["views", "visitors", "clicks"] as const).map((key) => {
    const x = a?.[key] ?? 0;
    const y = b?.[key] ?? 0;
    return { label: key[0]!.toUpperCase() + key.slice(1), a: x, b: y, diff: y - x };
  });
}

export interface DepthDiff {
  pct: number;
  /** Shares of page views that reached the depth (0..1). */
  a: number;
  b: number;
  diff: number;
}

/** Scroll reached per depth bucket on both sides, every bucket either side has. */
export function diffScroll(a: { depth: Depth[]; total: number } | undefined, b: { depth: Depth[]; total: number } | undefined): DepthDiff[] {
  const sa = new Map(shares(a?.depth ?? [], a?.total ?? 0).map((r) => [r.pct, r.share]));
  const sb = new Map(shares(b?.depth ?? [], b?.total ?? 0).map((r) => [r.pct, r.share]));
  const pcts = [...new Set([...sa.keys(), ...sb.keys()])].sort((x, y) => x - y);
  return pcts.map((pct) => {
    const x = sa.get(pct) ?? 0;
    const y = sb.get(pct) ?? 0;
    return { pct, a: x, b: y, diff: y - x };
  });
}

export interface Rate {
  a: number | null;
  b: number | null;
  /** b − a when both sides have it. */
  diff: number | null;
}

function rate(a: number | undefined, b: number | undefined): Rate {
  const x = a ?? null;
  const y = b ?? null;
  return { a: x, b: y, diff: x === null || y === null ? null : y - x };
}

export interface FieldDiff {
  field: string;
  position: number;
  reach: Rate;
  dropOff: Rate;
}

export interface FormDiff {
  form: string;
  started: { a: number; b: number };
  submit: Rate;
  abandon: Rate;
  fields: FieldDiff[];
}

/**
 * Forms of both sides matched by selector, fields matched by selector in
 * form order (the smaller position of the two): reach rate, drop-off and
 * the form's submit and abandon rates, with B − A where both sides have
 * the figure (a form or field under k_min on one side has none there).
 */
export function diffForms(a: Forms | undefined, b: Forms | undefined): FormDiff[] {
  const byForm = new Map<string, { a?: FormFunnel; b?: FormFunnel }>();
  for (const f of a?.forms ?? []) byForm.set(f.form, { ...byForm.get(f.form), a: f });
  for (const f of b?.forms ?? []) byForm.set(f.form, { ...byForm.get(f.form), b: f });
  const out: FormDiff[] = [];
  for (const [form, pair] of byForm) {
    const fields = new Map<string, { position: number; a?: FormFunnel["fields"][number]; b?: FormFunnel["fields"][number] }>();
    for (const side of ["a", "b"] as const) {
      for (const f of pair[side]?.fields ?? []) {
        const entry = fields.get(f.field) ?? { position: f.position };
        entry.position = Math.min(entry.position, f.position);
        entry[side] = f;
        fields.set(f.field, entry);
      }
    }
    out.push({
      form,
      started: { a: pair.a?.started ?? 0, b: pair.b?.started ?? 0 },
      submit: rate(pair.a?.submit_rate, pair.b?.submit_rate),
      abandon: rate(pair.a?.abandon_rate, pair.b?.abandon_rate),
      fields: [...fields.entries()]
        .map(([field, e]) => ({ field, position: e.position, reach: rate(e.a?.reach_rate, e.b?.reach_rate), dropOff: rate(e.a?.drop_off, e.b?.drop_off) }))
        .sort((x, y) => x.position - y.position || x.field.localeCompare(y.field)),
    });
  }
  // Most started (both sides) first, as the forms answer orders them.
  return out.sort((x, y) => y.started.a + y.started.b - (x.started.a + x.started.b) || x.form.localeCompare(y.form));
}

/** The cells of a click layer as the difference view needs them (fixed layer: across the viewport). */
export function diffLayers(
  a: { cells: Cell[]; total: number; grid: Grid; fixed?: ClickLayer } | undefined,
  b: { cells: Cell[]; total: number; grid: Grid; fixed?: ClickLayer } | undefined,
  size: { width: number; viewport: number },
): DiffLayer[] {
  const grid = b?.grid ?? a?.grid ?? { cols: 64, row_px: 16 };
  const layers: DiffLayer[] = [{ cells: diffLayer(a, b), grid, width: size.width }];
  const fixed = diffLayer(a?.fixed, b?.fixed);
  if (fixed.length) layers.push({ cells: fixed, grid: b?.fixed?.grid ?? a?.fixed?.grid ?? grid, width: size.viewport, offsetY: 0 });
  return layers;
}
