// What happened when in a recording, for the markers under the player and
// the session's event list: clicks (veil.click custom events, with their
// rage and dead flags), errors and page views. Pure functions.

import type { RrwebEvent } from "../types";

export type MarkerKind = "click" | "rage" | "dead" | "error" | "page";

export interface TimelineMarker {
  /** ms from the first event. */
  offset: number;
  kind: MarkerKind;
  label: string;
}

export interface Timeline {
  start: number;
  end: number;
  duration: number;
  markers: TimelineMarker[];
}

const EVENT_META = 4;
const EVENT_CUSTOM = 5;
const EVENT_PLUGIN = 6;

function text(value: unknown, max = 160): string {
  const s = typeof value === "string" ? value : value === undefined || value === null ? "" : JSON.stringify(value);
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

function pathOf(url: string): string {
  const m = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*([^?#]*)/i.exec(url);
  return m ? m[1] || "/" : url;
}

/** The marker of one event, or null for events that are not shown. */
export function markerOf(event: RrwebEvent, start: number): TimelineMarker | null {
  const offset = Math.max(0, event.timestamp - start);
  const data = event.data ?? {};
  if (event.type === EVENT_META && typeof data.href === "string") {
    return { offset, kind: "page", label: pathOf(data.href) };
  }
  if (event.type === EVENT_CUSTOM) {
    const tag = data.tag;
    const payload = data.payload ?? {};
    if (tag === "veil.click") {
      const kind: MarkerKind = payload.rage ? "rage" : payload.dead ? "dead" : "click";
      return { offset, kind, label: text(payload.selector) || "click" };
    }
    if (tag === "veil.error" || tag === "error") {
      return { offset, kind: "error", label: text(payload.message ?? payload) || "error" };
    }
    return null;
  }
  if (event.type === EVENT_PLUGIN && typeof data.plugin === "string" && data.plugin.startsWith("rrweb/console")) {
    const p = data.payload ?? {};
    if (p.level === "error") {
      const parts = Array.isArray(p.payload) ? p.payload.map((x: unknown) => text(x, 80)).join(" ") : text(p.payload);
      return { offset, kind: "error", label: parts || "console error" };
    }
  }
  return null;
}

export function timeline(events: RrwebEvent[]): Timeline {
  if (events.length === 0) return { start: 0, end: 0, duration: 0, markers: [] };
  let start = Infinity;
  let end = -Infinity;
  for (const e of events) {
    if (e.timestamp < start) start = e.timestamp;
    if (e.timestamp > end) end = e.timestamp;
  }
  const markers: TimelineMarker[] = [];
  for (const e of events) {
    const m = markerOf(e, start);
    if (m) markers.push(m);
  }
  markers.sort((a, b) => a.offset - b.offset);
  return { start, end, duration: end - start, markers };
}

/** Position of an offset on a timeline of `duration` ms, in percent (0..100). */
export function position(offset: number, duration: number): number {
  if (duration <= 0) return 0;
  return Math.min(100, Math.max(0, (offset / duration) * 100));
}

export function counts(markers: TimelineMarker[]): Record<MarkerKind, number> {
  const out: Record<MarkerKind, number> = { click: 0, rage: 0, dead: 0, error: 0, page: 0 };
  for (const m of markers) out[m.kind]++;
  // Rage and dead clicks are clicks too.
  out.click += out.rage + out.dead;
  return out;
}

/** The recorded viewport (from the first Meta event), for sizing the player. */
export function viewportOf(events: RrwebEvent[]): { w: number; h: number } | null {
  const meta = events.find((e) => e.type === EVENT_META && e.data?.width && e.data?.height);
  return meta ? { w: Number(meta.data.width), h: Number(meta.data.height) } : null;
}

/**
 * Player size: the full available width (the controls need it), as tall
 * as the recorded aspect ratio asks but at most `maxH`; rrweb-player
 * scales the page into that box and centres it (a phone recording gets
 * side margins).
 */
export function playerSize(viewport: { w: number; h: number } | null, maxW: number, maxH: number): { width: number; height: number } {
  const ratio = viewport && viewport.w > 0 && viewport.h > 0 ? viewport.h / viewport.w : 9 / 16;
  const width = Math.max(320, Math.floor(maxW));
  const height = Math.max(200, Math.min(Math.floor(maxH), Math.floor(width * ratio)));
  return { width, height };
}
