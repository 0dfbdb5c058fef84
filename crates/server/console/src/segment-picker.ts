// The segment selector of the filter bars (source and campaign dropdowns
// filled from `GET …/segments`), and what a view sends for a segment.
//
// Until the server answers `…/segments` the console does not know it can
// filter by segment: a server without segments answers 404 there and
// ignores `source=` elsewhere, which would show all visitors under a
// segment's name. So after a 404 the selector is disabled and views send
// no segment (and say so when the URL asked for one).

import { api, ApiError, describeError, type Query } from "./api";
import { h, icon } from "./dom";
import {
  campaignKey,
  campaignOptions,
  isAllVisitors,
  parseCampaignKey,
  type Option,
  type Segment,
  segmentQuery,
  sourceOptions,
} from "./segments";
import { state } from "./state";
import type { Segments, Source } from "./types";

/** Answers are reused for a minute (the filter bar is redrawn on every change). */
const TTL_MS = 60_000;
const cache = new Map<string, { at: number; answer: Promise<Segments | null> }>();

/** The segments of a range (and page, device); null when the server has no segments (404). */
export function loadSegments(site: string, query: Query): Promise<Segments | null> {
  const key = JSON.stringify([site, query]);
  const hit = cache.get(key);
  if (hit && Date.now() - hit.at < TTL_MS) return hit.answer;
  const answer = api.segments(site, query).then(
    (segments) => {
      state.segmentSupport.set(site, true);
      return segments;
    },
    (error: unknown) => {
      if (error instanceof ApiError && error.status === 404) {
        state.segmentSupport.set(site, false);
        return null;
      }
      throw error;
    },
  );
  answer.catch(() => cache.delete(key));
  cache.set(key, { at: Date.now(), answer });
  return answer;
}

/** Forgets the answers (tests; a new login). */
export function clearSegments(): void {
  cache.clear();
}

export interface SegmentFilter {
  /** The API parameters to add to a view's query. */
  query: Record<string, string>;
  /** The URL asked for a segment that this server cannot filter by. */
  ignored: boolean;
}

/**
 * What a view sends for `segment`: nothing for all visitors; the
 * segment's parameters once the server is known to have segments (asked
 * with `probe`, the query the view's selector uses, so it is one request).
 * A failed probe other than 404 sends the segment: the server decides.
 */
export async function segmentFilter(site: string, segment: Segment, probe: Query = {}): Promise<SegmentFilter> {
  if (isAllVisitors(segment)) return { query: {}, ignored: false };
  let supported = state.segmentSupport.get(site);
  if (supported === undefined) {
    try {
      supported = (await loadSegments(site, probe)) !== null;
    } catch {
      supported = true;
    }
  }
  return supported ? { query: segmentQuery(segment), ignored: false } : { query: {}, ignored: true };
}

export interface PickerOptions {
  site: string;
  segment: Segment;
  /** The `…/segments` query: the view's days, and its page and device if any. */
  query: Query;
  onChange(segment: Segment): void;
  /** Id of the wrapper; the selects are `<id>-source` and `<id>-campaign`. */
  id?: string;
}

/**
 * Two dropdowns: traffic source and campaign. `data-state` on the wrapper
 * is `loading`, `ready`, `unsupported` (404: no segments on this server)
 * or `error` (the current choice can still be cleared).
 */
export function segmentPicker(opts: PickerOptions): HTMLElement {
  const id = opts.id ?? "filter-segment";
  const { segment } = opts;
  const source = h("select", { id: `${id}-source`, "aria-label": "Traffic source", disabled: true });
  const campaign = h("select", { id: `${id}-campaign`, "aria-label": "Campaign", disabled: true });
  const el = h(
    "div",
    { class: "segment-picker", id, dataset: { state: "loading" }, title: "Segment: where visitors came from" },
    h("span", { class: "field-icon" }, icon("segment", 15)),
    source,
    campaign,
  );
  const fill = (select: HTMLSelectElement, options: Option[], value: string) =>
    select.replaceChildren(...options.map((o) => h("option", { value: o.value, selected: o.value === value }, o.label)));
  const fillBoth = (answer: Segments | null) => {
    fill(source, sourceOptions(answer, segment), segment.source ?? "");
    fill(campaign, campaignOptions(answer, segment), campaignKey(segment.utm));
  };
  fillBoth(null);
  source.addEventListener("change", () => opts.onChange({ source: (source.value || undefined) as Source | undefined, utm: segment.utm }));
  campaign.addEventListener("change", () => opts.onChange({ source: segment.source, utm: parseCampaignKey(campaign.value) }));

  loadSegments(opts.site, opts.query).then(
    (answer) => {
      if (answer === null) {
        el.dataset.state = "unsupported";
        el.title = "This Veil server has no segment filter yet (GET …/segments answered 404): all visitors are shown.";
        el.classList.toggle("ignored", !isAllVisitors(segment));
        return;
      }
      el.dataset.state = "ready";
      fillBoth(answer);
      source.disabled = false;
      campaign.disabled = false;
      if (answer.k_min > 1) el.title = `Segments with fewer than ${answer.k_min} visitors in this period are not listed (k_min).`;
    },
    (error: unknown) => {
      el.dataset.state = "error";
      el.title = `Segments could not be loaded: ${describeError(error).message}`;
      // The current choice stays and can be cleared.
      source.disabled = !segment.source;
      campaign.disabled = segment.utm.length === 0;
    },
  );
  return el;
}
