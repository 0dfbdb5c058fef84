// The two sides of the comparison view, read from and written to its URL.
// Same page and device on both sides; the sides differ either by period
// (`by=range`, the default: `a_from`/`a_to` against `b_from`/`b_to`, both
// under the shared segment `source`/`utm_*`) or by segment (`by=segment`:
// `a_source`/`a_utm_*` against `b_source`/`b_utm_*` over the shared days
// `from`/`to`). Pure functions.

import { addDays, isDay, rangeFrom, spanDays, type Range } from "../dates";
import { href, type ParamPatch, type Params } from "../router";
import { segmentLabel, segmentOf, segmentPatch, sharedFilters, type Segment } from "../segments";

export type CompareBy = "range" | "segment";

export interface Side {
  range: Range;
  segment: Segment;
}

export interface Sides {
  by: CompareBy;
  a: Side;
  b: Side;
}

/** The `count` days just before `range` (as long as it). */
export function previousPeriod(range: Range): Range {
  const days = spanDays(range.from, range.to);
  const to = addDays(range.from, -1);
  return { from: addDays(to, -(days - 1)), to };
}

function sideRange(params: Params, side: "a" | "b"): Range | null {
  const from = params[`${side}_from`];
  const to = params[`${side}_to`];
  if (!isDay(from) || !isDay(to)) return null;
  return from <= to ? { from, to } : { from: to, to: from };
}

/**
 * The sides of a comparison URL. By period: B is `b_from`–`b_to`, else the
 * shared days (`from`/`to`, else the last 30 days); A is `a_from`–`a_to`,
 * else the period just before B. By segment: both sides take the shared
 * days; A is `a_*` (all visitors by default), B is `b_*`, else the shared
 * segment.
 */
export function compareSides(params: Params, now: number = Date.now()): Sides {
  const by: CompareBy = params.by === "segment" ? "segment" : "range";
  const shared = rangeFrom(params, now);
  const segment = segmentOf(params);
  if (by === "range") {
    const b = sideRange(params, "b") ?? shared;
    const a = sideRange(params, "a") ?? previousPeriod(b);
    return { by, a: { range: a, segment }, b: { range: b, segment } };
  }
  const a = segmentOf(params, "a_");
  const b = segmentOf(params, "b_");
  const hasB = Object.keys(params).some((k) => k.startsWith("b_") && k !== "b_from" && k !== "b_to");
  return { by, a: { range: shared, segment: a }, b: { range: shared, segment: hasB ? b : segment } };
}

/** The patch that sets one side's days (by period) or segment (by segment). */
export function sidePatch(params: Params, by: CompareBy, side: "a" | "b", next: Partial<Side>): ParamPatch {
  if (by === "range") {
    return next.range ? { [`${side}_from`]: next.range.from, [`${side}_to`]: next.range.to } : {};
  }
  return next.segment ? segmentPatch(params, next.segment, `${side}_`) : {};
}

/**
 * Switching between by-period and by-segment: the sides' current values
 * become the new mode's shared ones (B's days; the shared segment), so
 * the page keeps showing the same B.
 */
export function switchPatch(params: Params, sides: Sides, by: CompareBy): ParamPatch {
  if (by === sides.by) return {};
  const patch: ParamPatch = { by: by === "range" ? undefined : by };
  for (const key of Object.keys(params)) if (/^[ab]_/.test(key)) patch[key] = undefined;
  if (by === "segment") {
    Object.assign(patch, { from: sides.b.range.from, to: sides.b.range.to });
  } else {
    Object.assign(patch, segmentPatch(params, sides.b.segment));
  }
  return patch;
}

/** "2026-11-01 – 2026-11-14", "All visitors", or both. */
export function sideLabel(side: Side, by: CompareBy): string {
  return by === "range" ? `${side.range.from} – ${side.range.to}` : segmentLabel(side.segment);
}

/**
 * The comparison of a heatmap's page: its page, device, days and segment;
 * B is the heatmap's period, A the one before it.
 */
export function compareHref(site: string, params: Params): string {
  const keep = sharedFilters(params);
  return href(["sites", site, "compare"], { page: params.page, ...keep, device: params.device || "desktop" });
}
