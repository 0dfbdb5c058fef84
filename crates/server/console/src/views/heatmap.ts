// Heatmap of one page: clicks (canvas over the recorded page), scroll
// depth (a band over the page), the element ranking and the page's form
// funnels, with date, device and segment filters, CSV and PNG exports and
// a way into the comparison. The recorded page (stage) is kept while only
// the tab changes; it is rebuilt when the page or device changes.

import { api } from "../api";
import { compareHref } from "../compare/sides";
import { rangeFrom } from "../dates";
import { h, icon, mount } from "../dom";
import { num, pct, splitPage } from "../format";
import { cssColour, hiddenClicks, cellsHeight } from "../heatmap/draw";
import { clickOverlay, scrollOverlay, tooltipText, type ClickOverlay, type ScrollOverlay } from "../heatmap/overlay";
import { buildStage } from "../heatmap/page-stage";
import { depthReachedBy, shares } from "../heatmap/scroll";
import type { Stage } from "../heatmap/stage";
import { href, navigate, type ParamPatch, type Params, type Route } from "../router";
import { segmentFilter, segmentPicker, type SegmentFilter } from "../segment-picker";
import { segmentLabel, segmentOf, segmentPatch, segmentQuery, sharedFilters } from "../segments";
import type { ClickHeatmap, DeviceFilter, Forms, ScrollHeatmap } from "../types";
import { dateRange, deviceSwitch, emptyState, errorState, filterBar, header, loading, note, stat } from "../ui";
import type { View } from "../view";
import { exportActions } from "./exports";
import { formsView } from "./forms";
import { deviceParam } from "./pages";

export { snapshotDevices } from "../heatmap/page-stage";

type Tab = "clicks" | "scroll" | "elements" | "forms";
const TABS: { id: Tab; label: string; icon: "click" | "scroll" | "list" | "form" }[] = [
  { id: "clicks", label: "Clicks", icon: "click" },
  { id: "scroll", label: "Scroll", icon: "scroll" },
  { id: "elements", label: "Elements", icon: "list" },
  { id: "forms", label: "Forms", icon: "form" },
];

/** The tab of a `tab` parameter; clicks when absent or unknown. */
export function tabParam(value: string | undefined): Tab {
  return TABS.some((t) => t.id === value) ? (value as Tab) : "clicks";
}

export const heatmapView: View = ({ root, route, site }) => {
  let seq = 0;
  let params: Params = route.params;
  const clicksCache = new Map<string, Promise<ClickHeatmap>>();
  const scrollCache = new Map<string, Promise<ScrollHeatmap>>();
  const formsCache = new Map<string, Promise<Forms>>();
  let stage: Stage | null = null;
  let stageKey = "";
  let overlay: ClickOverlay | null = null;
  let band: ScrollOverlay | null = null;
  let showRage = true;
  let showDead = true;
  let dim = true;
  let segment: SegmentFilter = { query: {}, ignored: false };

  const top = h("div");
  const exportsBar = h("div", { class: "tab-actions" });
  const stats = h("div", { class: "stats" });
  const notes = h("div", { class: "notes" });
  const tooltip = h("div", { class: "hm-tooltip", hidden: true, role: "tooltip" });
  const stageCol = h("div", { class: "hm-stage-col" }, tooltip);
  const stageMsg = h("div", { class: "hm-stage-msg" });
  const side = h("aside", { class: "hm-side" });
  const workspace = h("div", { class: "hm-workspace" }, h("div", { class: "hm-canvas-col" }, stageMsg, stageCol), side);
  const elementsPanel = h("div", { class: "hm-elements", hidden: true });
  const formsPanel = h("div", { class: "hm-forms", hidden: true });
  const body = h("div", { class: "view-body" }, stats, notes, workspace, elementsPanel, formsPanel);
  root.replaceChildren(h("div", { class: "view heatmap-view" }, top, body));

  // The column's padding (16 px each side) is not room for the page.
  const fit = () => stage?.fit(Math.max(200, stageCol.clientWidth - 32));
  const resize = new ResizeObserver(() => fit());
  resize.observe(stageCol);

  const page = () => params.page ?? "";
  const device = (): DeviceFilter => deviceParam(params.device, "desktop");
  const tab = (): Tab => tabParam(params.tab);
  const go = (next: ParamPatch) => navigate(href(["sites", site.id, "heatmap"], { ...params, ...next }), true);
  /** The `…/segments` query of the selector: this page, days and device. */
  const segmentsQuery = () => ({ ...rangeFrom(params), page: page() || undefined, device: device() === "all" ? undefined : device() });

  function drawTop(): void {
    const range = rangeFrom(params);
    const { host, path } = splitPage(page());
    const seg = segmentQuery(segmentOf(params));
    top.replaceChildren(
      h(
        "a",
        { class: "back", href: href(["sites", site.id, "pages"], { ...sharedFilters(params), device: params.device }) },
        icon("back", 15),
        "Pages",
      ),
      header(path === "/" ? "Home page" : path || "Heatmap", host ? h("span", { class: "mono" }, page()) : "Pick a page on the Pages view."),
      filterBar(
        dateRange(range, (r) => go(r)),
        deviceSwitch(device(), (d) => go({ device: d })),
        segmentPicker({ site: site.id, segment: segmentOf(params), query: segmentsQuery(), onChange: (s) => go(segmentPatch(params, s)) }),
        h(
          "a",
          { class: "btn ghost", href: href(["sites", site.id, "sessions"], { page: page(), from: range.from, to: range.to, device: device() === "all" ? undefined : device(), ...seg }) },
          icon("play", 14),
          "Watch sessions",
        ),
        page()
          ? h("a", { class: "btn ghost", id: "open-compare", href: compareHref(site.id, { ...params, device: device() }), title: "This period against the one before, or one segment against another" }, icon("compare", 14), "Compare")
          : null,
      ),
      h(
        "div",
        { class: "tabs", role: "tablist" },
        ...TABS.map((t) =>
          h(
            "button",
            {
              type: "button",
              role: "tab",
              id: `tab-${t.id}`,
              "aria-selected": String(t.id === tab()),
              class: t.id === tab() ? "active" : "",
              onclick: () => t.id !== tab() && go({ tab: t.id === "clicks" ? undefined : t.id }),
            },
            icon(t.icon, 15),
            t.label,
          ),
        ),
        exportsBar,
      ),
    );
  }

  function drawExports(): void {
    if (!page()) return exportsBar.replaceChildren();
    exportsBar.replaceChildren(
      exportActions({
        site: site.id,
        tab: tab(),
        query: query(),
        page: page(),
        range: rangeFrom(params),
        picture: () =>
          stage && overlay && tab() === "clicks"
            ? { iframe: stage.inner.querySelector("iframe"), heatmap: overlay.canvas, width: stage.width, height: stage.height, dim: dim && stage.snapshot }
            : null,
      }),
    );
  }

  function query() {
    return { page: page(), device: device(), ...rangeFrom(params), ...segment.query };
  }

  function cached<T>(cache: Map<string, Promise<T>>, load: () => Promise<T>): Promise<T> {
    const key = JSON.stringify(query());
    let p = cache.get(key);
    if (!p) {
      p = load();
      p.catch(() => cache.delete(key));
      cache.set(key, p);
    }
    return p;
  }
  const clicks = () => cached(clicksCache, () => api.clickHeatmap(site.id, query()));
  const scroll = () => cached(scrollCache, () => api.scrollHeatmap(site.id, query()));
  const forms = () => cached(formsCache, () => api.forms(site.id, query()));

  /** Makes sure the stage shows this page and device; returns false if superseded. */
  async function ensureStage(my: number, fallbackHeight: number): Promise<boolean> {
    const key = `${page()}|${device()}`;
    if (stage && stageKey === key) return true;
    clearStage();
    stageKey = key;
    stageMsg.replaceChildren(loading("Rebuilding the recorded page…"));
    const built = await buildStage(stageCol, site.id, page(), device(), fallbackHeight, () => my === seq);
    if (!built) return false;
    stageMsg.replaceChildren(...(built.message ? [built.message] : []));
    if (dim && built.stage.snapshot) built.stage.inner.classList.add("dim");
    stage = built.stage;
    fit();
    return true;
  }

  function clearStage(): void {
    overlay?.remove();
    band?.remove();
    overlay = null;
    band = null;
    stage?.destroy();
    stage?.el.remove();
    stage = null;
    stageKey = "";
  }

  async function refresh(): Promise<void> {
    const my = ++seq;
    drawTop();
    if (!page()) {
      workspace.hidden = true;
      elementsPanel.hidden = true;
      formsPanel.hidden = true;
      stats.replaceChildren();
      notes.replaceChildren(emptyState("pages", "No page selected", "Open a page from the Pages view.", h("a", { class: "btn", href: href(["sites", site.id, "pages"]) }, "Pages")));
      return;
    }
    notes.replaceChildren();
    segment = await segmentFilter(site.id, segmentOf(params), segmentsQuery());
    if (my !== seq) return;
    drawExports();
    const t = tab();
    workspace.hidden = t === "elements" || t === "forms";
    elementsPanel.hidden = t !== "elements";
    formsPanel.hidden = t !== "forms";
    stats.replaceChildren(loading(t === "scroll" ? "Loading scroll depth…" : t === "forms" ? "Loading forms…" : "Loading clicks…"));
    try {
      if (t === "forms") {
        const data = await forms();
        if (my !== seq) return;
        stats.replaceChildren();
        segmentNote();
        formsPanel.replaceChildren(formsView(data));
      } else if (t === "scroll") {
        const data = await scroll();
        if (my !== seq) return;
        drawScrollStats(data);
        if (!(await ensureStage(my, 3000))) return;
        showScroll(data);
      } else {
        const data = await clicks();
        if (my !== seq) return;
        drawClickStats(data);
        if (t === "elements") {
          drawElements(data);
          return;
        }
        const height = Math.max(cellsHeight(data), data.fixed ? cellsHeight(data.fixed) : 0) + 240;
        if (!(await ensureStage(my, height))) return;
        showClicks(data);
        drawExports();
      }
    } catch (error) {
      if (my !== seq) return;
      stats.replaceChildren();
      workspace.hidden = true;
      elementsPanel.hidden = true;
      formsPanel.hidden = true;
      notes.replaceChildren(errorState(error, () => void refresh()));
    }
  }

  /** Says which visitors the figures are of, when not all of them (or when the server cannot filter). */
  function segmentNote(): void {
    const asked = segmentOf(params);
    if (segment.ignored) notes.append(note("info", `This server cannot filter by segment yet: all visitors are shown, not only "${segmentLabel(asked)}".`));
    else if (Object.keys(segment.query).length) notes.append(note("info", `Segment: ${segmentLabel(asked)}.`));
  }

  function showClicks(data: ClickHeatmap): void {
    band?.remove();
    band = null;
    overlay?.remove();
    overlay = clickOverlay(stage!, data, { showRage, showDead });
    attachTooltip((x, y) => {
      const hit = overlay?.cellAt(x, y);
      return hit ? tooltipText(hit, data.total + (data.fixed?.total ?? 0)) : null;
    });
    drawClickSide(data);
  }

  function showScroll(data: ScrollHeatmap): void {
    overlay?.remove();
    overlay = null;
    band?.remove();
    band = scrollOverlay(stage!, data);
    attachTooltip((_x, y) => (data.total > 0 ? `${pct(band!.shareAt(y) * data.total, data.total)} of page views reached this point` : null));
    drawScrollSide(data);
  }

  function attachTooltip(text: (x: number, y: number) => string | null): void {
    const s = stage!;
    s.inner.onmousemove = (e: MouseEvent) => {
      const rect = s.inner.getBoundingClientRect();
      const x = (e.clientX - rect.left) / s.scale;
      const y = (e.clientY - rect.top) / s.scale;
      const value = text(x, y);
      if (!value) {
        tooltip.hidden = true;
        return;
      }
      tooltip.textContent = value;
      tooltip.hidden = false;
      const col = stageCol.getBoundingClientRect();
      tooltip.style.left = `${e.clientX - col.left + 14}px`;
      tooltip.style.top = `${e.clientY - col.top + 14}px`;
    };
    s.inner.onmouseleave = () => (tooltip.hidden = true);
  }

  function drawClickStats(data: ClickHeatmap): void {
    const layers = [data, ...(data.fixed ? [data.fixed] : [])];
    const total = data.total + (data.fixed?.total ?? 0);
    const rage = layers.reduce((s, l) => s + l.cells.reduce((a, c) => a + (c.rage ?? 0), 0), 0);
    const dead = layers.reduce((s, l) => s + l.cells.reduce((a, c) => a + (c.dead ?? 0), 0), 0);
    stats.replaceChildren(
      stat("Clicks", num(total), data.fixed?.total ? `${num(data.fixed.total)} on fixed or sticky elements` : undefined),
      stat("Visitors", num(data.visitors), "distinct, who clicked"),
      stat("Rage clicks", num(rage), pct(rage, total) + " of clicks", rage ? "tone-rage" : ""),
      stat("Dead clicks", num(dead), pct(dead, total) + " of clicks", dead ? "tone-dead" : ""),
    );
    const hidden = hiddenClicks(data) + (data.fixed ? hiddenClicks(data.fixed) : 0);
    const k = data.k_min ?? site.k_min;
    notes.replaceChildren();
    segmentNote();
    if (hidden > 0) {
      notes.append(
        note(
          "privacy",
          `${num(hidden)} of ${num(total)} clicks are not shown: they fell in areas clicked by fewer than ${k} distinct visitors (k_min = ${k}, set in veil.toml).`,
        ),
      );
    }
    if (total === 0) {
      notes.append(note("info", "No clicks recorded on this page for this period and device. Try a longer period or another device."));
    }
  }

  function drawClickSide(data: ClickHeatmap): void {
    const max = Math.max(0, ...data.cells.map((c) => c.count), ...(data.fixed?.cells ?? []).map((c) => c.count));
    const toggle = (label: string, checked: boolean, onChange: (v: boolean) => void, swatch: HTMLElement) =>
      h(
        "label",
        { class: "toggle" },
        h("input", { type: "checkbox", checked, onchange: (e: Event) => onChange((e.target as HTMLInputElement).checked) }),
        swatch,
        h("span", null, label),
      );
    const elements = (data.elements ?? []).slice(0, 6);
    const total = data.total + (data.fixed?.total ?? 0);
    mount(
      side,
      h(
        "section",
        { class: "card legend" },
        h("h3", null, "Click density"),
        h("div", { class: "scale", style: { background: `linear-gradient(to right, ${[0.05, 0.25, 0.5, 0.75, 1].map((t) => cssColour(t, 0.95)).join(", ")})` } }),
        h("div", { class: "scale-labels" }, h("span", null, "fewer"), h("span", null, max ? `${num(max)} clicks / cell` : "more")),
        h("p", { class: "hint" }, "A cell is 1/64 of the page width and 16 px high."),
        toggle("Rage clicks", showRage, (v) => ((showRage = v), overlay?.redraw({ showRage, showDead })), h("span", { class: "swatch rage" })),
        toggle("Dead clicks", showDead, (v) => ((showDead = v), overlay?.redraw({ showRage, showDead })), h("span", { class: "swatch dead" })),
        toggle("Dim the page", dim, (v) => {
          dim = v;
          stage?.inner.classList.toggle("dim", v && stage.snapshot);
        }, h("span", { class: "swatch dimmer" })),
        data.fixed && data.fixed.cells.length
          ? h("p", { class: "hint" }, "Clicks on fixed or sticky elements (headers, chat buttons) are drawn on the first screen.")
          : null,
      ),
      h(
        "section",
        { class: "card" },
        h("h3", null, "Most clicked elements"),
        elements.length
          ? h(
              "ol",
              { class: "mini-rank" },
              ...elements.map((e) =>
                h(
                  "li",
                  null,
                  h("code", { title: e.selector }, e.selector),
                  h("span", { class: "mini-count" }, num(e.count), h("span", { class: "muted" }, ` · ${pct(e.count, total)}`)),
                ),
              ),
            )
          : h("p", { class: "muted" }, "No element reached the privacy threshold."),
        elements.length ? h("a", { class: "link", href: href(["sites", site.id, "heatmap"], { ...params, tab: "elements" }) }, "All elements →") : null,
      ),
      stage?.cut ? note("info", `This page is taller than ${num(stage.height)} px; the heatmap stops there.`) : null,
    );
  }

  function drawScrollStats(data: ScrollHeatmap): void {
    const half = depthReachedBy(data.depth, data.total, 0.5);
    const bottom = shares(data.depth, data.total).find((r) => r.pct === 100)?.share ?? 0;
    stats.replaceChildren(
      stat("Page views", num(data.total)),
      stat("Half of views reached", `${half}%`, "of the page height"),
      stat("Reached the bottom", `${Math.round(bottom * 100)}%`, "of page views"),
    );
    notes.replaceChildren();
    segmentNote();
    if (data.total === 0) notes.append(note("info", "No scroll data for this page, period and device."));
  }

  function drawScrollSide(data: ScrollHeatmap): void {
    const rows = shares(data.depth, data.total);
    side.replaceChildren(
      h(
        "section",
        { class: "card legend" },
        h("h3", null, "Scroll depth"),
        h("div", { class: "scale", style: { background: `linear-gradient(to right, ${[0.02, 0.25, 0.5, 0.75, 1].map((t) => cssColour(t, 0.95)).join(", ")})` } }),
        h("div", { class: "scale-labels" }, h("span", null, "few views"), h("span", null, "all views")),
        h("p", { class: "hint" }, "Share of page views that scrolled at least this far down the page."),
      ),
      h(
        "section",
        { class: "card" },
        h("h3", null, "Views reaching each depth"),
        h(
          "div",
          { class: "depth-chart", id: "scroll-depth" },
          ...rows
            .filter((r) => r.pct % 10 === 0)
            .map((r) =>
              h(
                "div",
                { class: "depth-row" },
                h("span", { class: "depth-pct" }, `${r.pct}%`),
                h("span", { class: "depth-bar" }, h("span", { style: { width: `${r.share * 100}%`, background: cssColour(r.share, 0.9) } })),
                h("span", { class: "depth-val" }, `${Math.round(r.share * 100)}%`),
              ),
            ),
        ),
      ),
    );
  }

  function drawElements(data: ClickHeatmap): void {
    const rows = data.elements ?? [];
    const total = data.total + (data.fixed?.total ?? 0);
    if (rows.length === 0) {
      elementsPanel.replaceChildren(
        emptyState("list", "No elements to rank", "No clicked element reached the privacy threshold in this period, or the recorder sent no selectors."),
      );
      return;
    }
    const top = Math.max(...rows.map((r) => r.count));
    elementsPanel.replaceChildren(
      h(
        "div",
        { class: "card flush" },
        h(
          "table",
          { class: "table", id: "elements-table" },
          h(
            "thead",
            null,
            h("tr", null, h("th", { class: "num" }, "#"), h("th", null, "Element"), h("th", { class: "num" }, "Clicks"), h("th", { class: "num" }, "Share"), h("th", { class: "num" }, "Visitors"), h("th", { class: "num" }, "Rage"), h("th", { class: "num" }, "Dead")),
          ),
          h(
            "tbody",
            null,
            ...rows.map((r, i) =>
              h(
                "tr",
                { dataset: { selector: r.selector } },
                h("td", { class: "num muted" }, String(i + 1)),
                h("td", { class: "selector-cell" }, h("code", { title: r.selector }, r.selector), h("div", { class: "bar" }, h("span", { style: { width: `${(r.count / top) * 100}%` } }))),
                h("td", { class: "num" }, num(r.count)),
                h("td", { class: "num" }, pct(r.count, total)),
                h("td", { class: "num" }, num(r.visitors)),
                h("td", { class: "num" }, r.rage ? h("span", { class: "badge rage" }, num(r.rage)) : h("span", { class: "muted" }, "0")),
                h("td", { class: "num" }, r.dead ? h("span", { class: "badge dead" }, num(r.dead)) : h("span", { class: "muted" }, "0")),
              ),
            ),
          ),
        ),
      ),
      h("p", { class: "hint" }, "Selectors are masked by the recorder: ids and classes that look personal are removed."),
    );
  }

  void refresh();

  return {
    update(next: Route) {
      params = next.params;
      void refresh();
      return true;
    },
    destroy() {
      seq++;
      resize.disconnect();
      clearStage();
    },
  };
};
