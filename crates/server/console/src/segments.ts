// Segments: where visitors came from (the referrer class of the landing
// page, `source`) and the campaign of its URL (the site's allow-listed
// `utm_*` parameters). A segment lives in the URL next to the date and
// device filters (`?source=search&utm_campaign=spring`), is sent to the
// API as the same parameters, and is ANDed with the other filters by the
// server. Pure functions: the picker and the server probe are in
// segment-picker.ts.

import type { ParamPatch, Params } from "./router";
import type { Segments, Source } from "./types";

export const SOURCES: Source[] = ["direct", "search", "social", "email", "other", "unknown"];

export const SOURCE_LABELS: Record<Source, string> = {
  direct: "Direct",
  search: "Search engines",
  social: "Social networks",
  email: "E-mail",
  other: "Other sites",
  unknown: "Unknown source",
};

/** A UTM parameter name the console passes on (`utm_source`, `utm_content`, …). */
const UTM_NAME = /^utm_[a-z0-9_]{1,32}$/;
/** What a campaign value may look like in the URL (the server lower-cases and vets it again). */
const UTM_VALUE = /^[^\u0000-\u001f]{1,64}$/;

export interface Segment {
  source?: Source;
  /** `[name, value]` pairs, sorted by name. */
  utm: [string, string][];
}

export const ALL_VISITORS: Segment = { utm: [] };

export function isSource(value: string | undefined): value is Source {
  return SOURCES.includes(value as Source);
}

export function isUtmName(name: string): boolean {
  return UTM_NAME.test(name);
}

/**
 * The segment of a route's parameters; `prefix` reads one side of the
 * comparison view (`a_source`, `a_utm_campaign`). Unknown sources and
 * malformed names or values are dropped.
 */
export function segmentOf(params: Params, prefix = ""): Segment {
  const source = params[`${prefix}source`];
  const utm: [string, string][] = [];
  for (const [key, value] of Object.entries(params)) {
    if (!key.startsWith(prefix)) continue;
    const name = key.slice(prefix.length);
    if (isUtmName(name) && UTM_VALUE.test(value)) utm.push([name, value]);
  }
  utm.sort((a, b) => a[0].localeCompare(b[0]));
  return isSource(source) ? { source, utm } : { utm };
}

export function isAllVisitors(segment: Segment): boolean {
  return !segment.source && segment.utm.length === 0;
}

/** The API parameters of a segment (empty for all visitors). */
export function segmentQuery(segment: Segment): Record<string, string> {
  const out: Record<string, string> = {};
  if (segment.source) out.source = segment.source;
  for (const [name, value] of segment.utm) out[name] = value;
  return out;
}

/**
 * The route patch that sets `segment` (with `prefix`): every segment key
 * the route has now is removed first, so a new campaign replaces the old.
 */
export function segmentPatch(params: Params, segment: Segment, prefix = ""): ParamPatch {
  const patch: ParamPatch = {};
  for (const key of Object.keys(params)) {
    if (!key.startsWith(prefix)) continue;
    const name = key.slice(prefix.length);
    if (name === "source" || isUtmName(name)) patch[key] = undefined;
  }
  if (segment.source) patch[`${prefix}source`] = segment.source;
  for (const [name, value] of segment.utm) patch[`${prefix}${name}`] = value;
  return patch;
}

/** `utm_source=google`, several joined with `&`: the campaign dropdown's values. */
export function campaignKey(utm: [string, string][]): string {
  return utm.map(([name, value]) => `${name}=${value}`).join("&");
}

export function parseCampaignKey(key: string): [string, string][] {
  if (!key) return [];
  const out: [string, string][] = [];
  for (const part of key.split("&")) {
    const at = part.indexOf("=");
    if (at <= 0) continue;
    const name = part.slice(0, at);
    const value = part.slice(at + 1);
    if (isUtmName(name) && UTM_VALUE.test(value)) out.push([name, value]);
  }
  return out.sort((a, b) => a[0].localeCompare(b[0]));
}

/** A session's source and campaign as the sessions list sends them ("Search engines · utm_source=google"), or null. */
export function sessionSource(source: string | undefined, utm: Record<string, string> | undefined): string | null {
  const pairs = Object.entries(utm ?? {}).sort((a, b) => a[0].localeCompare(b[0]));
  if (!isSource(source) && pairs.length === 0) return null;
  return segmentLabel({ source: isSource(source) ? source : undefined, utm: pairs });
}

/** "All visitors", "Search engines", "Search engines · utm_campaign=spring". */
export function segmentLabel(segment: Segment): string {
  const parts: string[] = [];
  if (segment.source) parts.push(SOURCE_LABELS[segment.source]);
  if (segment.utm.length) parts.push(campaignKey(segment.utm).replace(/&/g, " & "));
  return parts.length ? parts.join(" · ") : "All visitors";
}

export interface Option {
  value: string;
  label: string;
  /** Not in the server's list (fewer than k_min visitors, or a shared link). */
  unlisted?: boolean;
}

/** The source dropdown: all visitors, the listed sources (most visitors first), and the current one if unlisted. */
export function sourceOptions(answer: Segments | null, current: Segment): Option[] {
  const options: Option[] = [{ value: "", label: "All sources" }];
  const listed = [...(answer?.sources ?? [])].filter((s) => isSource(s.source)).sort((a, b) => b.visitors - a.visitors || a.source.localeCompare(b.source));
  for (const s of listed) options.push({ value: s.source, label: `${SOURCE_LABELS[s.source as Source]} (${s.visitors.toLocaleString("en-US")})` });
  if (current.source && !listed.some((s) => s.source === current.source)) {
    options.push({ value: current.source, label: `${SOURCE_LABELS[current.source]} (few visitors)`, unlisted: true });
  }
  return options;
}

/** The campaign dropdown: all campaigns, the listed `param=value` pairs grouped by parameter, and the current one if unlisted. */
export function campaignOptions(answer: Segments | null, current: Segment): Option[] {
  const options: Option[] = [{ value: "", label: "All campaigns" }];
  const listed = [...(answer?.campaigns ?? [])]
    .filter((c) => isUtmName(c.param) && UTM_VALUE.test(c.value))
    .sort((a, b) => a.param.localeCompare(b.param) || b.visitors - a.visitors || a.value.localeCompare(b.value));
  for (const c of listed) options.push({ value: campaignKey([[c.param, c.value]]), label: `${c.param} = ${c.value} (${c.visitors.toLocaleString("en-US")})` });
  const key = campaignKey(current.utm);
  if (key && !options.some((o) => o.value === key)) options.push({ value: key, label: `${key.replace(/&/g, " & ")} (few visitors)`, unlisted: true });
  return options;
}

/**
 * The filters a link to another view keeps: days, device and segment
 * (a page's heatmap opened from the Pages view shows the same visitors).
 */
export function sharedFilters(params: Params): Params {
  const out: Params = {};
  for (const [key, value] of Object.entries(params)) {
    if (key === "from" || key === "to" || key === "device" || key === "source" || isUtmName(key)) out[key] = value;
  }
  return out;
}
