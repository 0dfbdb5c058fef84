// Scroll map: how many page views reached each depth of the page, as a
// coloured band over the page (hot where everyone looked, cold where few
// did) with the usual "75 % / 50 % / 25 % of views reached here" lines.

import { colourAt } from "./draw";

export interface Depth {
  pct: number;
  reached: number;
}

/** Buckets sorted by depth, each with its share of page views (0..1). */
export function shares(depth: Depth[], total: number): { pct: number; share: number }[] {
  const base = total > 0 ? total : Math.max(0, ...depth.map((d) => d.reached));
  return [...depth]
    .sort((a, b) => a.pct - b.pct)
    .map((d) => ({ pct: d.pct, share: base > 0 ? Math.min(1, d.reached / base) : 0 }));
}

/** Share of page views that reached `pct` % of the document (step: the bucket at or above). */
export function reachedAt(depth: Depth[], total: number, pct: number): number {
  const rows = shares(depth, total);
  let share = rows.length ? rows[0]!.share : 0;
  for (const r of rows) {
    if (r.pct <= pct) share = r.share;
    else break;
  }
  return share;
}

/** The deepest bucket still reached by at least `share` of page views (0 when none). */
export function depthReachedBy(depth: Depth[], total: number, share: number): number {
  let deepest = 0;
  for (const r of shares(depth, total)) if (r.share >= share) deepest = Math.max(deepest, r.pct);
  return deepest;
}

/** Lines for the overlay: where 75, 50 and 25 % of page views still were. */
export function foldLines(depth: Depth[], total: number): { share: number; pct: number }[] {
  if (total <= 0) return [];
  return [0.75, 0.5, 0.25].map((share) => ({ share, pct: depthReachedBy(depth, total, share) }));
}

/**
 * A CSS gradient from the page's top (0 %) to its bottom (100 %): each
 * bucket's colour by the share of page views that got there. Opacity is
 * kept low so the page stays readable beneath.
 */
export function bandGradient(depth: Depth[], total: number, opacity = 0.5): string {
  const rows = shares(depth, total);
  if (rows.length === 0) return "none";
  const stops = rows.map((r) => {
    const [red, green, blue] = colourAt(r.share);
    // Areas nobody reached are dimmed grey rather than "cold blue".
    const colour = r.share > 0 ? `rgba(${red},${green},${blue},${opacity})` : `rgba(15,23,42,${opacity})`;
    return `${colour} ${r.pct}%`;
  });
  return `linear-gradient(to bottom, ${stops.join(", ")})`;
}
