// Insights: the pages that frustrate visitors (rage clicks, dead clicks,
// quick backs, excessive scrolling), ranked by the sessions that showed
// each signal, grouped by page, each with its example sessions to watch
// and a link to all of the page's sessions.

import { api } from "../api";
import { rangeFrom } from "../dates";
import { h, icon } from "../dom";
import { num, plural, shortId, splitPage } from "../format";
import { groupByPage, heatmapHref, occurrences, replayHref, SIGNAL_ORDER, signalInfo, sessionsHref, totals, type PageInsights } from "../insights";
import { href, navigate, type ParamPatch, type Params, type Route } from "../router";
import type { Insight, Insights } from "../types";
import { badge, dateRange, deviceSwitch, emptyState, errorState, filterBar, header, loading, note, stat } from "../ui";
import type { View } from "../view";
import { deviceParam } from "./pages";

const LIMIT = 200;

export const insightsView: View = ({ root, route, site }) => {
  let alive = true;
  let seq = 0;
  let params: Params = route.params;
  let answer: Insights | null = null;

  const top = h("div");
  const body = h("div", { class: "view-body" });
  root.replaceChildren(h("div", { class: "view insights-view" }, top, body));

  const go = (next: ParamPatch) => navigate(href(["sites", site.id, "insights"], { ...params, ...next }), true);
  const signal = () => (params.signal && SIGNAL_ORDER.includes(params.signal as never) ? params.signal : "");

  function drawTop(): void {
    const range = rangeFrom(params);
    const pageInput = h("input", {
      type: "search",
      placeholder: "Every page (or a page key / URL)",
      value: params.page ?? "",
      "aria-label": "Page",
      id: "insights-page",
      onchange: (e: Event) => go({ page: (e.target as HTMLInputElement).value.trim() || undefined }),
    });
    top.replaceChildren(
      header("Insights", "Where visitors get frustrated: the signals of each page, ranked by the sessions that showed them. Open a session to watch it."),
      filterBar(
        dateRange(range, (r) => go(r)),
        deviceSwitch(deviceParam(params.device, "all"), (d) => go({ device: d === "all" ? undefined : d }), ["all", "desktop", "tablet", "mobile"]),
        h("div", { class: "search-wrap grow" }, icon("pages", 15), pageInput),
      ),
      h(
        "div",
        { class: "chips", role: "group", "aria-label": "Signal" },
        h("button", { type: "button", class: `chip${signal() ? "" : " active"}`, dataset: { signalFilter: "" }, onclick: () => go({ signal: undefined }) }, "All signals"),
        ...SIGNAL_ORDER.map((kind) =>
          h(
            "button",
            {
              type: "button",
              class: `chip${signal() === kind ? " active" : ""}`,
              "aria-pressed": String(signal() === kind),
              dataset: { signalFilter: kind },
              title: signalInfo(kind).text,
              onclick: () => go({ signal: signal() === kind ? undefined : kind }),
            },
            icon(signalInfo(kind).icon, 13),
            signalInfo(kind).label,
          ),
        ),
      ),
    );
  }

  async function load(): Promise<void> {
    const my = ++seq;
    const range = rangeFrom(params);
    body.replaceChildren(loading("Looking for frustrated visitors…"));
    answer = null;
    try {
      const data = await api.insights(site.id, { page: params.page || undefined, device: deviceParam(params.device, "all"), ...range, limit: LIMIT });
      if (!alive || my !== seq) return;
      answer = data;
      draw();
    } catch (error) {
      if (!alive || my !== seq) return;
      body.replaceChildren(errorState(error, () => void load()));
    }
  }

  function draw(): void {
    if (!answer) return;
    const all = answer.insights ?? [];
    const sums = totals(all);
    const only = signal() ? new Set([signal()]) : new Set<string>();
    const groups = groupByPage(all, only);
    const stats = h(
      "div",
      { class: "stats" },
      ...SIGNAL_ORDER.map((kind) => {
        const t = sums[kind]!;
        return stat(signalInfo(kind).label, num(t.occurrences), t.pages ? `${plural(t.pages, "page")} · ${plural(t.sessions, "session")}` : "none in this period", t.occurrences && kind === "rage_clicks" ? "tone-rage" : t.occurrences && kind === "dead_clicks" ? "tone-dead" : "");
      }),
    );
    const notes: HTMLElement[] = [];
    if (answer.k_min > 1) notes.push(note("privacy", `Signals seen by fewer than ${answer.k_min} distinct visitors are not shown (k_min = ${answer.k_min}, set in veil.toml).`));
    if (all.length >= LIMIT) notes.push(note("info", `The ${LIMIT} strongest signals are shown. Pick a page or a shorter period to see the rest.`));
    if (groups.length === 0) {
      body.replaceChildren(
        stats,
        ...notes,
        h(
          "div",
          { id: "insights", class: "insights" },
          emptyState(
            "insights",
            all.length ? "No page shows this signal" : "No frustration signals in this period",
            all.length
              ? "Pick another signal or all signals."
              : "Signals come from sessions recorded with both the recording and heatmaps purposes. Try a longer period or all devices.",
          ),
        ),
      );
      return;
    }
    body.replaceChildren(
      stats,
      ...notes,
      h("div", { id: "insights", class: "insights", dataset: { count: all.length } }, ...groups.map(pageCard)),
      h("p", { class: "hint" }, "Sessions and visitors are counted per page and signal. Example sessions are the ones that showed the signal in most batches."),
    );
  }

  function pageCard(group: PageInsights): HTMLElement {
    const { host, path } = splitPage(group.page);
    return h(
      "section",
      { class: "card flush insight-page", dataset: { page: group.page } },
      h(
        "header",
        { class: "insight-head" },
        h("div", { class: "page-cell" }, h("div", { class: "page-path", title: group.page }, path), h("div", { class: "page-host muted" }, host)),
        h(
          "div",
          { class: "row-actions" },
          h("a", { class: "btn ghost small", href: heatmapHref(site.id, group.page, params) }, icon("pages", 14), "Heatmap"),
          h("a", { class: "btn ghost small", href: sessionsHref(site.id, { page: group.page, signal: "" }, params) }, icon("play", 13), "All sessions"),
        ),
      ),
      h(
        "table",
        { class: "table insight-table" },
        h(
          "thead",
          null,
          h(
            "tr",
            null,
            h("th", null, "Signal"),
            h("th", { class: "num", title: "Sessions that showed the signal on this page" }, "Sessions"),
            h("th", { class: "num" }, "Visitors"),
            h("th", { class: "num" }, "Occurrences"),
            h("th", null, "Watch"),
          ),
        ),
        h("tbody", null, ...group.signals.map(signalRow)),
      ),
    );
  }

  function signalRow(insight: Insight): HTMLElement {
    const info = signalInfo(insight.signal);
    const tone = insight.signal === "rage_clicks" ? "rage" : insight.signal === "dead_clicks" ? "dead" : "warn";
    return h(
      "tr",
      { dataset: { signal: insight.signal, sessions: insight.sessions } },
      h("td", null, badge([icon(info.icon, 12), info.label], tone), h("div", { class: "muted small" }, info.text)),
      h("td", { class: "num strong" }, num(insight.sessions)),
      h("td", { class: "num" }, num(insight.visitors)),
      h("td", { class: "num" }, occurrences(insight)),
      h(
        "td",
        { class: "examples" },
        ...insight.examples.map((session) =>
          h(
            "a",
            { class: "btn play small example", href: replayHref(site.id, session, insight, params), dataset: { session }, title: `Watch session ${session}` },
            icon("play", 12),
            h("span", { class: "mono" }, shortId(session, 6)),
          ),
        ),
        h("a", { class: "link small", href: sessionsHref(site.id, insight, params) }, insight.examples.length ? "all →" : "sessions →"),
      ),
    );
  }

  drawTop();
  void load();

  return {
    update(next: Route) {
      const reload = ["from", "to", "device", "page"].some((k) => next.params[k] !== params[k]);
      params = next.params;
      drawTop();
      if (reload) void load();
      else draw();
      return true;
    },
    destroy() {
      alive = false;
    },
  };
};
