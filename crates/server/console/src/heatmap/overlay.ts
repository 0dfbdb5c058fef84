// Overlays on a stage, in document coordinates: the click heatmap canvas
// (#heatmap-canvas) and the scroll-depth band.

import { h } from "../dom";
import { num, pct } from "../format";
import type { Cell, ClickHeatmap, ScrollHeatmap } from "../types";
import { drawHeatmap, type Layer } from "./draw";
import { bandGradient, foldLines, reachedAt } from "./scroll";
import type { Stage } from "./stage";

export interface ClickOverlay {
  canvas: HTMLCanvasElement;
  redraw(opts: { showRage: boolean; showDead: boolean }): void;
  /** The cell (and its layer) under a document point, if any. */
  cellAt(x: number, y: number): { cell: Cell; fixed: boolean } | null;
  remove(): void;
}

export function clickLayers(data: ClickHeatmap, stage: Pick<Stage, "width" | "viewport">): Layer[] {
  const layers: Layer[] = [{ cells: data.cells ?? [], grid: data.grid, width: stage.width }];
  if (data.fixed && data.fixed.cells.length > 0) {
    // Fixed/sticky clicks are viewport-relative: drawn over the top of the
    // page as shown (the first screen), across the viewport's width.
    layers.push({ cells: data.fixed.cells, grid: data.fixed.grid ?? data.grid, width: stage.viewport.w, offsetY: 0 });
  }
  return layers;
}

/** Finds the cell under (x, y) in a layer, by the same mapping the drawing uses. */
export function findCell(layer: Layer, x: number, y: number): Cell | null {
  const col = Math.floor(x / (layer.width / layer.grid.cols));
  const row = Math.floor((y - (layer.offsetY ?? 0)) / layer.grid.row_px);
  return layer.cells.find((c) => c.x === col && c.y === row) ?? null;
}

export function clickOverlay(stage: Stage, data: ClickHeatmap, opts: { showRage: boolean; showDead: boolean }): ClickOverlay {
  const layers = clickLayers(data, stage);
  const canvas = h("canvas", {
    id: "heatmap-canvas",
    class: "hm-canvas",
    width: stage.width,
    height: stage.height,
    "aria-label": `Click heatmap: ${num(data.total)} clicks`,
    role: "img",
    dataset: {
      // Canvas pixels are document CSS px: docWidth = canvas width.
      docWidth: stage.width,
      total: data.total,
      cells: (data.cells ?? []).length,
      fixedTotal: data.fixed?.total ?? 0,
      fixedCells: data.fixed?.cells.length ?? 0,
    },
  });
  canvas.style.width = `${stage.width}px`;
  canvas.style.height = `${stage.height}px`;
  stage.inner.append(canvas);
  const redraw = (o: { showRage: boolean; showDead: boolean }) => {
    const ctx = canvas.getContext("2d", { willReadFrequently: true });
    if (!ctx) return;
    const result = drawHeatmap(ctx, { width: stage.width, height: stage.height, layers, ...o });
    canvas.dataset.max = String(result.max);
    canvas.dataset.drawn = String(result.stamps);
  };
  redraw(opts);
  return {
    canvas,
    redraw,
    cellAt(x, y) {
      // The fixed layer is drawn on top, so it wins where both have a cell.
      for (let i = layers.length - 1; i >= 0; i--) {
        const cell = findCell(layers[i]!, x, y);
        if (cell) return { cell, fixed: i > 0 };
      }
      return null;
    },
    remove: () => canvas.remove(),
  };
}

export interface ScrollOverlay {
  el: HTMLElement;
  /** Share of page views that reached document point y. */
  shareAt(y: number): number;
  remove(): void;
}

export function scrollOverlay(stage: Stage, data: ScrollHeatmap): ScrollOverlay {
  const el = h("div", { class: "hm-scroll", id: "scroll-band", dataset: { total: data.total } });
  el.style.background = bandGradient(data.depth, data.total);
  for (const line of foldLines(data.depth, data.total)) {
    if (line.pct <= 0 || line.pct >= 100) continue;
    el.append(
      h(
        "div",
        { class: "hm-fold", style: { top: `${line.pct}%` } },
        h("span", null, `${Math.round(line.share * 100)}% of views reached here`),
      ),
    );
  }
  if (stage.snapshot && stage.viewport.h < stage.height) {
    el.append(h("div", { class: "hm-fold viewport", style: { top: `${stage.viewport.h}px` } }, h("span", null, "Fold: first screen")));
  }
  stage.inner.append(el);
  const shareAt = (y: number) => reachedAt(data.depth, data.total, Math.floor(((y / stage.height) * 100) / 5) * 5);
  return { el, shareAt, remove: () => el.remove() };
}

export function tooltipText(hit: { cell: Cell; fixed: boolean }, total: number): string {
  const { cell, fixed } = hit;
  const parts = [`${num(cell.count)} clicks`, `${pct(cell.count, total)} of all`];
  if (cell.rage) parts.push(`${num(cell.rage)} rage`);
  if (cell.dead) parts.push(`${num(cell.dead)} dead`);
  if (fixed) parts.push("fixed header/sticky");
  return parts.join(" · ");
}
