// Insights (docs/insights.md): the frustration signals of a site's pages as
// `GET …/insights` ranks them, grouped by page for the Insights view, with
// the links to the sessions that show them. Pure functions.

import { href, type Params } from "./router";
import type { Insight, SignalKind } from "./types";

export interface SignalInfo {
  label: string;
  /** What an occurrence is, singular and plural. */
  unit: [string, string];
  text: string;
  icon: "rage" | "dead" | "back" | "scroll";
  /** The sessions list's `has=` flag that finds these sessions, if there is one. */
  has?: "rage" | "dead";
}

export const SIGNALS: Record<SignalKind, SignalInfo> = {
  rage_clicks: {
    label: "Rage clicks",
    unit: ["click", "clicks"],
    text: "Bursts of clicks on one spot (3 within 1 s and 30 px)",
    icon: "rage",
    has: "rage",
  },
  dead_clicks: {
    label: "Dead clicks",
    unit: ["click", "clicks"],
    text: "Clicks after which nothing happened",
    icon: "dead",
    has: "dead",
  },
  quick_back: {
    label: "Quick backs",
    unit: ["return", "returns"],
    text: "Back to the page before within 7 s: this page did not give them what they came for",
    icon: "back",
  },
  excessive_scrolling: {
    label: "Excessive scrolling",
    unit: ["page view", "page views"],
    text: "Page views that scrolled three document heights or more: searching rather than reading",
    icon: "scroll",
  },
};

export const SIGNAL_ORDER = Object.keys(SIGNALS) as SignalKind[];

/** What the view knows of a signal, also for a name a newer server sends. */
export function signalInfo(signal: string): SignalInfo {
  return SIGNALS[signal as SignalKind] ?? { label: signal.replace(/_/g, " "), unit: ["occurrence", "occurrences"], text: "", icon: "scroll" };
}

/** "41 clicks", "1 return". */
export function occurrences(insight: Pick<Insight, "signal" | "occurrences">): string {
  const [one, many] = signalInfo(insight.signal).unit;
  return `${insight.occurrences.toLocaleString("en-US")} ${insight.occurrences === 1 ? one : many}`;
}

export interface PageInsights {
  page: string;
  /** The page's signals in the API's rank order. */
  signals: Insight[];
  /** Rank of the page's best signal in the whole answer (0 = top). */
  rank: number;
  /** The most sessions any one signal of the page was seen in. */
  sessions: number;
}

/**
 * Signals grouped by page, pages in the order of their best-ranked signal
 * (the API ranks by sessions, then occurrences). `only` keeps the given
 * signals (an empty set keeps all).
 */
export function groupByPage(insights: Insight[], only: ReadonlySet<string> = new Set()): PageInsights[] {
  const pages = new Map<string, PageInsights>();
  insights.forEach((insight, rank) => {
    if (only.size > 0 && !only.has(insight.signal)) return;
    let group = pages.get(insight.page);
    if (!group) {
      group = { page: insight.page, signals: [], rank, sessions: 0 };
      pages.set(insight.page, group);
    }
    group.signals.push(insight);
    group.sessions = Math.max(group.sessions, insight.sessions);
  });
  return [...pages.values()].sort((a, b) => a.rank - b.rank);
}

/** Per signal, over all pages: occurrences, page-sessions, and pages showing it. */
export function totals(insights: Insight[]): Record<string, { occurrences: number; sessions: number; pages: number }> {
  const out: Record<string, { occurrences: number; sessions: number; pages: number }> = {};
  for (const kind of SIGNAL_ORDER) out[kind] = { occurrences: 0, sessions: 0, pages: 0 };
  for (const i of insights) {
    const t = (out[i.signal] ??= { occurrences: 0, sessions: 0, pages: 0 });
    t.occurrences += i.occurrences;
    t.sessions += i.sessions;
    t.pages += 1;
  }
  return out;
}

/** The filters the insights view keeps in links: days and device. */
function days(params: Params): Params {
  const out: Params = {};
  for (const key of ["from", "to"] as const) if (params[key]) out[key] = params[key]!;
  if (params.device && params.device !== "all") out.device = params.device;
  return out;
}

/**
 * The sessions list showing a signal's sessions: the page, the days and
 * device, and `has=rage|dead` for click signals (quick backs and
 * scrolling have no sessions filter of their own: the page's sessions).
 */
export function sessionsHref(site: string, insight: Pick<Insight, "page" | "signal">, params: Params): string {
  return href(["sites", site, "sessions"], { page: insight.page, ...days(params), has: signalInfo(insight.signal).has });
}

/** The replay of one example session; its back link returns to the page's sessions. */
export function replayHref(site: string, session: string, insight: Pick<Insight, "page" | "signal">, params: Params): string {
  return href(["sites", site, "sessions", session], { page: insight.page, ...days(params), has: signalInfo(insight.signal).has });
}

export function heatmapHref(site: string, page: string, params: Params): string {
  return href(["sites", site, "heatmap"], { page, ...days(params) });
}
