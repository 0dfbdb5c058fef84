// Sessions: the recorded visits with the API's filters, sortable and
// paged; a row opens the replay. All filters live in the URL.

import { api } from "../api";
import { rangeFrom } from "../dates";
import { h, icon } from "../dom";
import { dateTime, duration, num, relative, shortId, splitPage } from "../format";
import { href, navigate, type ParamPatch, type Params, type Route } from "../router";
import { segmentFilter, segmentPicker } from "../segment-picker";
import { isAllVisitors, segmentLabel, segmentOf, segmentPatch, sessionSource } from "../segments";
import { sessionKey, state } from "../state";
import type { SessionRow } from "../types";
import { badge, dateRange, deviceLabel, deviceSwitch, emptyState, errorState, filterBar, header, loading, note, pager } from "../ui";
import type { View } from "../view";
import { deviceParam } from "./pages";

export const HAS_FLAGS = ["rage", "dead", "errors"] as const;
const LIMITS = [25, 50, 100];
const MIN_DURATIONS: [string, string][] = [
  ["", "Any length"],
  ["10s", "≥ 10 s"],
  ["30s", "≥ 30 s"],
  ["1m", "≥ 1 min"],
  ["3m", "≥ 3 min"],
  ["10m", "≥ 10 min"],
];

/** `has` URL value ("rage,errors") ↔ set of flags, unknown ones dropped, fixed order. */
export function parseHas(value: string | undefined): string[] {
  const set = new Set((value ?? "").split(",").map((s) => s.trim()));
  return HAS_FLAGS.filter((f) => set.has(f));
}

export function toggleHas(value: string | undefined, flag: string): string {
  const flags = new Set(parseHas(value));
  if (flags.has(flag)) flags.delete(flag);
  else flags.add(flag);
  return HAS_FLAGS.filter((f) => flags.has(f)).join(",");
}

/** The API query of a sessions URL (paging clamped to what the API takes). */
export function sessionsQuery(params: Params): Record<string, string | number | undefined> {
  const limit = LIMITS.includes(Number(params.limit)) ? Number(params.limit) : 50;
  const offset = Math.max(0, Math.floor(Number(params.offset) || 0));
  return {
    ...rangeFrom(params),
    page: params.page || undefined,
    device: deviceParam(params.device, "all"),
    min_duration: params.min_duration || undefined,
    has: parseHas(params.has).join(",") || undefined,
    user: params.user || undefined,
    sort: params.sort === "duration" ? "duration" : "start",
    limit,
    offset,
  };
}

export const sessionsView: View = ({ root, route, site }) => {
  let alive = true;
  let seq = 0;
  let params: Params = route.params;
  let pageKeys: string[] | null = null;

  const top = h("div");
  const body = h("div", { class: "view-body" });
  root.replaceChildren(h("div", { class: "view" }, top, body));

  // Paging resets whenever a filter changes.
  const go = (next: ParamPatch, keepOffset = false) =>
    navigate(href(["sites", site.id, "sessions"], { ...params, offset: keepOffset ? params.offset : undefined, ...next }), true);

  const segmentsQuery = () => {
    const device = deviceParam(params.device, "all");
    return { ...rangeFrom(params), page: params.page || undefined, device: device === "all" ? undefined : device };
  };

  const datalist = h("datalist", { id: "session-pages" });
  async function loadPageKeys(): Promise<void> {
    if (pageKeys) return;
    try {
      const { pages } = await api.pages(site.id, { ...rangeFrom(params), limit: 200 });
      pageKeys = pages.map((p) => p.page);
      datalist.replaceChildren(...pageKeys.map((p) => h("option", { value: p })));
    } catch {
      pageKeys = [];
    }
  }

  function drawTop(): void {
    const q = sessionsQuery(params);
    const has = parseHas(params.has);
    const pageInput = h("input", {
      type: "search",
      placeholder: "Any page (URL or page key)",
      value: params.page ?? "",
      list: "session-pages",
      "aria-label": "Page",
      id: "filter-page",
      onfocus: () => void loadPageKeys(),
      onchange: (e: Event) => go({ page: (e.target as HTMLInputElement).value.trim() }),
    });
    const userInput = h("input", {
      type: "search",
      placeholder: "Your user id",
      value: params.user ?? "",
      "aria-label": "User id",
      id: "filter-user",
      title: "The id your site passed to veil.identify(); Veil hashes it the same way to find the sessions.",
      onchange: (e: Event) => go({ user: (e.target as HTMLInputElement).value.trim() }),
    });
    const select = (id: string, label: string, value: string, options: [string, string][], key: string) =>
      h(
        "select",
        { id, "aria-label": label, onchange: (e: Event) => go({ [key]: (e.target as HTMLSelectElement).value }) },
        ...options.map(([v, text]) => h("option", { value: v, selected: v === value }, text)),
      );
    top.replaceChildren(
      header("Sessions", "Recorded visits, newest first. Open one to watch the replay."),
      filterBar(
        dateRange(rangeFrom(params), (r) => go(r)),
        deviceSwitch(deviceParam(params.device, "all"), (d) => go({ device: d }), ["all", "desktop", "tablet", "mobile"]),
        segmentPicker({ site: site.id, segment: segmentOf(params), query: segmentsQuery(), onChange: (s) => go(segmentPatch(params, s)) }),
      ),
      filterBar(
        h("div", { class: "search-wrap grow" }, icon("pages", 15), pageInput, datalist),
        select("filter-duration", "Minimum duration", params.min_duration ?? "", MIN_DURATIONS, "min_duration"),
        h(
          "div",
          { class: "chips", role: "group", "aria-label": "Sessions with" },
          ...HAS_FLAGS.map((f) =>
            h(
              "button",
              {
                type: "button",
                class: `chip ${f}${has.includes(f) ? " active" : ""}`,
                "aria-pressed": String(has.includes(f)),
                dataset: { has: f },
                onclick: () => go({ has: toggleHas(params.has, f) }),
              },
              icon(f === "rage" ? "rage" : f === "dead" ? "dead" : "error", 13),
              f === "rage" ? "Rage clicks" : f === "dead" ? "Dead clicks" : "Errors",
            ),
          ),
        ),
        h("div", { class: "search-wrap" }, icon("user", 15), userInput),
        select("filter-sort", "Sort", String(q.sort), [["start", "Newest first"], ["duration", "Longest first"]], "sort"),
      ),
    );
  }

  async function load(): Promise<void> {
    const my = ++seq;
    const q = sessionsQuery(params);
    body.replaceChildren(loading("Loading sessions…"));
    try {
      const segment = await segmentFilter(site.id, segmentOf(params), segmentsQuery());
      if (!alive || my !== seq) return;
      const answer = await api.sessions(site.id, { ...q, ...segment.query });
      if (!alive || my !== seq) return;
      for (const s of answer.sessions) state.sessions.set(sessionKey(site.id, s.session), s);
      draw(answer.sessions.filter((s) => !state.reported.has(sessionKey(site.id, s.session))), answer.total, q);
      if (segment.ignored) {
        body.prepend(note("info", `This server cannot filter by segment yet: sessions of all visitors are listed, not only "${segmentLabel(segmentOf(params))}".`));
      }
    } catch (error) {
      if (!alive || my !== seq) return;
      body.replaceChildren(errorState(error, () => void load()));
    }
  }

  function draw(rows: SessionRow[], total: number, q: ReturnType<typeof sessionsQuery>): void {
    const offset = Number(q.offset);
    const limit = Number(q.limit);
    if (rows.length === 0) {
      const filtered = params.page || params.has || params.min_duration || params.user || (params.device && params.device !== "all") || !isAllVisitors(segmentOf(params));
      body.replaceChildren(
        emptyState(
          "sessions",
          offset > 0 ? "No more sessions" : "No sessions found",
          filtered
            ? "No recorded visit matches these filters. Loosen them or pick a longer period."
            : `Nothing was recorded in this period. Recordings need the "recording" purpose and are kept ${site.retention_days} days.`,
          filtered ? h("a", { class: "btn", href: href(["sites", site.id, "sessions"], { from: q.from, to: q.to }) }, "Clear filters") : null,
        ),
      );
      return;
    }
    const sortBy = (key: "start" | "duration", label: string) =>
      h(
        "button",
        { type: "button", class: "th-sort", onclick: () => go({ sort: key === "start" ? undefined : key }) },
        label,
        q.sort === key ? h("span", { class: "sort-arrow" }, "↓") : null,
      );
    const replayHref = (s: SessionRow) => href(["sites", site.id, "sessions", s.session], params);
    const maxDuration = Math.max(...rows.map((r) => r.duration_ms), 1);
    body.replaceChildren(
      h(
        "div",
        { class: "card flush" },
        h(
          "table",
          { class: "table clickable", id: "sessions-table" },
          h(
            "thead",
            null,
            h(
              "tr",
              null,
              h("th", { "aria-sort": q.sort === "start" ? "descending" : "none" }, sortBy("start", "Started")),
              h("th", { "aria-sort": q.sort === "duration" ? "descending" : "none" }, sortBy("duration", "Duration")),
              h("th", null, "Pages"),
              h("th", null, "Device"),
              h("th", { class: "num" }, "Clicks"),
              h("th", null, "Signals"),
              h("th", { class: "actions" }),
            ),
          ),
          h(
            "tbody",
            null,
            ...rows.map((s) => {
              const open = () => navigate(replayHref(s));
              const entry = splitPage(s.entry_page);
              const more = Math.max(0, (s.pages?.length ?? 1) - 1);
              return h(
                "tr",
                { dataset: { session: s.session }, tabindex: "0", onclick: open, onkeydown: (e: KeyboardEvent) => e.key === "Enter" && open() },
                h(
                  "td",
                  null,
                  h("div", { class: "strong" }, relative(s.started_at)),
                  h("div", { class: "muted small", title: s.session }, dateTime(s.started_at), " · ", h("span", { class: "mono" }, shortId(s.session))),
                ),
                h(
                  "td",
                  null,
                  h("div", { class: "strong" }, duration(s.duration_ms)),
                  h(
                    "div",
                    { class: "duration-bar", title: `${duration(s.active_ms)} active` },
                    h("span", { class: "total", style: { width: `${(s.duration_ms / maxDuration) * 100}%` } }, h("span", { class: "active", style: { width: `${s.duration_ms ? Math.min(100, (s.active_ms / s.duration_ms) * 100) : 0}%` } })),
                  ),
                ),
                h(
                  "td",
                  { class: "page-cell" },
                  h("div", { class: "page-path", title: s.entry_page }, entry.path),
                  h("div", { class: "muted small" }, more ? `+ ${more} more page${more === 1 ? "" : "s"}` : entry.host),
                ),
                h(
                  "td",
                  null,
                  h("span", { class: "device" }, icon(s.device, 15), deviceLabel(s.device)),
                  h("div", { class: "muted small" }, h("span", { class: "cap" }, s.browser), sessionSource(s.source, s.utm) ? ` · ${sessionSource(s.source, s.utm)}` : null),
                ),
                h("td", { class: "num" }, num(s.clicks)),
                h(
                  "td",
                  null,
                  h(
                    "div",
                    { class: "signals" },
                  s.rage_clicks ? badge([icon("rage", 12), num(s.rage_clicks)], "rage") : null,
                  s.dead_clicks ? badge([icon("dead", 12), num(s.dead_clicks)], "dead") : null,
                  s.errors ? badge([icon("error", 12), num(s.errors)], "error") : null,
                  s.user ? badge([icon("user", 12), "linked"], "") : null,
                  ),
                ),
                h(
                  "td",
                  { class: "actions" },
                  h("a", { class: "btn play small", href: replayHref(s), onclick: (e: Event) => e.stopPropagation(), "aria-label": "Watch replay" }, icon("play", 13), "Watch"),
                ),
              );
            }),
          ),
        ),
        h(
          "div",
          { class: "table-foot" },
          h(
            "label",
            { class: "muted small" },
            "Rows ",
            h(
              "select",
              { onchange: (e: Event) => go({ limit: (e.target as HTMLSelectElement).value }) },
              ...LIMITS.map((l) => h("option", { value: String(l), selected: l === limit }, String(l))),
            ),
          ),
          pager({ offset, limit, shown: rows.length, total, onPage: (o) => go({ offset: o ? String(o) : undefined }, false) }),
        ),
      ),
    );
  }

  drawTop();
  void load();

  return {
    update(next: Route) {
      params = next.params;
      drawTop();
      void load();
      return true;
    },
    destroy() {
      alive = false;
    },
  };
};
