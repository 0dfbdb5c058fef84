// Pages: the most viewed page keys of a site with views, clicks and
// visitors, for a period, device and segment; a row opens the page's
// heatmap with the same filters.

import { api } from "../api";
import { rangeFrom } from "../dates";
import { h, icon } from "../dom";
import { num, pct, splitPage } from "../format";
import { href, navigate, type ParamPatch, type Params, type Route } from "../router";
import { segmentFilter, segmentPicker } from "../segment-picker";
import { segmentLabel, segmentOf, segmentPatch, segmentQuery } from "../segments";
import type { DeviceFilter, PageRow } from "../types";
import { dateRange, deviceSwitch, emptyState, errorState, filterBar, header, loading, note, stat } from "../ui";
import type { View } from "../view";

type SortKey = "views" | "clicks" | "visitors" | "cpv" | "page";
const LIMIT = 200;

export function deviceParam(value: string | undefined, fallback: DeviceFilter): DeviceFilter {
  return value === "desktop" || value === "tablet" || value === "mobile" || value === "all" ? value : fallback;
}

export function sortPages(rows: PageRow[], key: SortKey, desc: boolean): PageRow[] {
  const value = (r: PageRow): number | string =>
    key === "page" ? r.page : key === "cpv" ? (r.views ? r.clicks / r.views : 0) : r[key];
  return [...rows].sort((a, b) => {
    const x = value(a);
    const y = value(b);
    const c = typeof x === "string" ? x.localeCompare(y as string) : x - (y as number);
    return (desc ? -c : c) || a.page.localeCompare(b.page);
  });
}

export const pagesView: View = ({ root, route, site }) => {
  let alive = true;
  let params: Params = route.params;
  let rows: PageRow[] | null = null;
  let sortKey: SortKey = "views";
  let desc = true;
  let search = "";
  let ignoredSegment = false;

  const body = h("div", { class: "view-body" });
  const top = h("div");
  root.replaceChildren(h("div", { class: "view" }, top, body));

  const go = (next: ParamPatch) => navigate(href(["sites", site.id, "pages"], { ...params, ...next }), true);
  const segmentsQuery = () => {
    const device = deviceParam(params.device, "all");
    return { ...rangeFrom(params), device: device === "all" ? undefined : device };
  };

  function drawTop(): void {
    const range = rangeFrom(params);
    const device = deviceParam(params.device, "all");
    const searchBox = h("input", {
      type: "search",
      class: "search",
      placeholder: "Filter pages",
      value: search,
      "aria-label": "Filter pages",
      oninput: (e: Event) => {
        search = (e.target as HTMLInputElement).value;
        drawTable();
      },
    });
    top.replaceChildren(
      header("Pages", "The most viewed pages. Open one to see where visitors click and how far they scroll."),
      filterBar(
        dateRange(range, (r) => go(r)),
        deviceSwitch(device, (d) => go({ device: d }), ["all", "desktop", "tablet", "mobile"]),
        segmentPicker({ site: site.id, segment: segmentOf(params), query: segmentsQuery(), onChange: (s) => go(segmentPatch(params, s)) }),
        h("div", { class: "search-wrap" }, icon("search", 15), searchBox),
      ),
    );
  }

  async function load(): Promise<void> {
    const range = rangeFrom(params);
    const device = deviceParam(params.device, "all");
    body.replaceChildren(loading("Loading pages…"));
    rows = null;
    try {
      const segment = await segmentFilter(site.id, segmentOf(params), segmentsQuery());
      if (!alive) return;
      ignoredSegment = segment.ignored;
      const answer = await api.pages(site.id, { ...range, device, limit: LIMIT, ...segment.query });
      if (!alive) return;
      rows = answer.pages ?? [];
      drawTable();
    } catch (error) {
      if (!alive) return;
      body.replaceChildren(errorState(error, () => void load()));
    }
  }

  function drawTable(): void {
    if (!rows) return;
    const segmentNote = ignoredSegment
      ? note("info", `This server cannot filter by segment yet: all visitors are shown, not only "${segmentLabel(segmentOf(params))}".`)
      : null;
    if (rows.length === 0) {
      body.replaceChildren(
        ...(segmentNote ? [segmentNote] : []),
        emptyState(
          "pages",
          "No page views in this period",
          site.k_min > 1
            ? `Nothing recorded yet, or no page reached ${site.k_min} distinct visitors (this site's k_min). Try a longer period or all devices.`
            : "Nothing was recorded for this period and device. Check that the recorder runs on your site and that visitors consented to heatmaps.",
        ),
      );
      return;
    }
    const views = rows.reduce((s, r) => s + r.views, 0);
    const clicks = rows.reduce((s, r) => s + r.clicks, 0);
    const top = Math.max(...rows.map((r) => r.views));
    const needle = search.trim().toLowerCase();
    const shown = sortPages(rows, sortKey, desc).filter((r) => !needle || r.page.toLowerCase().includes(needle));
    const device = deviceParam(params.device, "all");
    const range = rangeFrom(params);

    const th = (label: string, key: SortKey, numeric = true) =>
      h(
        "th",
        { class: numeric ? "num sortable" : "sortable", "aria-sort": sortKey === key ? (desc ? "descending" : "ascending") : "none" },
        h(
          "button",
          {
            type: "button",
            onclick: () => {
              if (sortKey === key) desc = !desc;
              else {
                sortKey = key;
                desc = key !== "page";
              }
              drawTable();
            },
          },
          label,
          sortKey === key ? h("span", { class: "sort-arrow" }, desc ? "↓" : "↑") : null,
        ),
      );

    const seg = segmentQuery(segmentOf(params));
    const heatmapHref = (page: string) =>
      href(["sites", site.id, "heatmap"], { page, device: device === "all" ? undefined : device, from: range.from, to: range.to, ...seg });

    const table = h(
      "table",
      { class: "table clickable", id: "pages-table" },
      h("thead", null, h("tr", null, th("Page", "page", false), th("Views", "views"), th("Clicks", "clicks"), th("Clicks / view", "cpv"), th("Visitors", "visitors"), h("th", { class: "actions" }))),
      h(
        "tbody",
        null,
        ...shown.map((r) => {
          const { host, path } = splitPage(r.page);
          const open = () => navigate(heatmapHref(r.page));
          return h(
            "tr",
            {
              dataset: { page: r.page },
              tabindex: "0",
              onclick: open,
              onkeydown: (e: KeyboardEvent) => e.key === "Enter" && open(),
            },
            h(
              "td",
              { class: "page-cell" },
              h("div", { class: "page-path", title: r.page }, path),
              h("div", { class: "page-host muted" }, host),
              h("div", { class: "bar", "aria-hidden": "true" }, h("span", { style: { width: `${(r.views / top) * 100}%` } })),
            ),
            h("td", { class: "num" }, num(r.views)),
            h("td", { class: "num" }, num(r.clicks)),
            h("td", { class: "num" }, r.views ? (r.clicks / r.views).toFixed(1) : "–"),
            h("td", { class: "num" }, num(r.visitors)),
            h(
              "td",
              { class: "actions" },
              h("a", { class: "btn ghost small", href: heatmapHref(r.page), onclick: (e: Event) => e.stopPropagation() }, icon("pages", 14), "Heatmap"),
              h(
                "a",
                {
                  class: "btn ghost small",
                  href: href(["sites", site.id, "sessions"], { page: r.page, device: device === "all" ? undefined : device, from: range.from, to: range.to, ...seg }),
                  onclick: (e: Event) => e.stopPropagation(),
                },
                icon("play", 13),
                "Sessions",
              ),
            ),
          );
        }),
      ),
    );
    body.replaceChildren(
      ...(segmentNote ? [segmentNote] : []),
      h(
        "div",
        { class: "stats" },
        stat("Pages", num(rows.length), rows.length >= LIMIT ? `top ${LIMIT} shown` : undefined),
        stat("Page views", num(views)),
        stat("Clicks", num(clicks), `${(views ? clicks / views : 0).toFixed(1)} per view`),
        stat("Busiest page", pct(top, views), "of all page views"),
      ),
      h("div", { class: "card flush" }, table, shown.length === 0 ? h("p", { class: "table-empty muted" }, "No page matches the filter.") : null),
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
