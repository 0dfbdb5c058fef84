// Comparison of one page and device, side A against side B: two periods
// or two segments. The click difference is drawn over the recorded page
// (per cell, B's share of B's clicks minus A's share of A's, on a
// diverging scale: orange where B clicked relatively more, blue where A
// did), with the page's figures, scroll reached per depth and the form
// funnels of both sides and their differences.

import { api, type Query } from "../api";
import { diffForms, diffLayers, diffScroll, divergingLegend, drawDifference, pageFigures, pageRow, points, type DiffLayer } from "../compare/diff";
import { compareSides, sideLabel, sidePatch, switchPatch, type CompareBy, type Side, type Sides } from "../compare/sides";
import { h, icon } from "../dom";
import { num, splitPage } from "../format";
import { cellsHeight, cellRect } from "../heatmap/draw";
import { buildStage } from "../heatmap/page-stage";
import type { Stage } from "../heatmap/stage";
import { href, navigate, type ParamPatch, type Params, type Route } from "../router";
import { segmentFilter, segmentPicker } from "../segment-picker";
import { segmentOf, segmentPatch, segmentQuery } from "../segments";
import type { ClickHeatmap, DeviceFilter, Forms, PageRow, ScrollHeatmap } from "../types";
import { dateRange, deviceSwitch, emptyState, errorState, filterBar, header, loading, note } from "../ui";
import type { View } from "../view";
import { figuresTable, formsComparison, scrollTable } from "./compare-tables";
import { deviceParam } from "./pages";

interface SideData {
  pages: PageRow[];
  clicks: ClickHeatmap;
  scroll: ScrollHeatmap;
  forms: Forms;
}

export const compareView: View = ({ root, route, site }) => {
  let seq = 0;
  let params: Params = route.params;
  let stage: Stage | null = null;
  let stageKey = "";
  let canvas: HTMLCanvasElement | null = null;

  const top = h("div");
  const sidesEl = h("div", { class: "compare-sides" });
  const notes = h("div", { class: "notes" });
  const figures = h("div", { class: "compare-figures" });
  const tooltip = h("div", { class: "hm-tooltip", hidden: true, role: "tooltip" });
  const stageCol = h("div", { class: "hm-stage-col" }, tooltip);
  const stageMsg = h("div", { class: "hm-stage-msg" });
  const side = h("aside", { class: "hm-side" });
  const workspace = h("div", { class: "hm-workspace" }, h("div", { class: "hm-canvas-col" }, stageMsg, stageCol), side);
  const formsEl = h("div");
  const body = h("div", { class: "view-body" }, sidesEl, notes, figures, workspace, h("h2", { class: "section-title" }, "Forms"), formsEl);
  root.replaceChildren(h("div", { class: "view compare-view", id: "compare" }, top, body));

  const fit = () => stage?.fit(Math.max(200, stageCol.clientWidth - 32));
  const resize = new ResizeObserver(() => fit());
  resize.observe(stageCol);

  const page = () => params.page ?? "";
  const device = (): DeviceFilter => deviceParam(params.device, "desktop");
  const go = (next: ParamPatch) => navigate(href(["sites", site.id, "compare"], { ...params, ...next }), true);

  function drawTop(sides: Sides): void {
    const { host, path } = splitPage(page());
    const shared = sides.b;
    const mode = (by: CompareBy, label: string, title: string) =>
      h(
        "button",
        {
          type: "button",
          role: "radio",
          "aria-checked": String(sides.by === by),
          class: sides.by === by ? "active" : "",
          dataset: { by },
          title,
          onclick: () => sides.by !== by && go(switchPatch(params, sides, by)),
        },
        h("span", null, label),
      );
    top.replaceChildren(
      h("a", { class: "back", href: href(["sites", site.id, "heatmap"], { page: page(), device: device(), from: shared.range.from, to: shared.range.to, ...segmentQuery(shared.segment) }) }, icon("back", 15), "Heatmap"),
      header(`Compare: ${path === "/" ? "Home page" : path || "a page"}`, host ? h("span", { class: "mono" }, page()) : "Open a page's heatmap, then Compare."),
      filterBar(
        h("div", { class: "segmented", role: "radiogroup", "aria-label": "Compare", id: "compare-by" }, mode("range", "Two periods", "Same segment, two date ranges"), mode("segment", "Two segments", "Same days, two segments")),
        deviceSwitch(device(), (d) => go({ device: d })),
        sides.by === "range"
          ? segmentPicker({ site: site.id, segment: segmentOf(params), query: pickerQuery(shared), onChange: (s) => go(segmentPatch(params, s)) })
          : dateRange(shared.range, (r) => go(r)),
      ),
    );
    sidesEl.replaceChildren(sideCard(sides, "a"), sideCard(sides, "b"));
  }

  function pickerQuery(s: Side): Query {
    return { from: s.range.from, to: s.range.to, page: page(), device: device() === "all" ? undefined : device() };
  }

  function sideCard(sides: Sides, which: "a" | "b"): HTMLElement {
    const s = sides[which];
    const onRange = (range: Side["range"]) => go(sidePatch(params, sides.by, which, { range }));
    const editor =
      sides.by === "range"
        ? dateRange(s.range, onRange, `compare-${which}`)
        : segmentPicker({ site: site.id, segment: s.segment, query: pickerQuery(s), id: `compare-${which}-segment`, onChange: (segment) => go(sidePatch(params, sides.by, which, { segment })) });
    return h(
      "section",
      { class: `card compare-side ${which}`, id: `compare-${which}`, dataset: { label: sideLabel(s, sides.by) } },
      h("h3", null, h("span", { class: `side-dot ${which}` }), `Side ${which.toUpperCase()}`, h("span", { class: "muted" }, ` · ${sideLabel(s, sides.by)}`)),
      editor,
    );
  }

  async function loadSide(s: Side): Promise<{ data: SideData; ignored: boolean }> {
    const filter = await segmentFilter(site.id, s.segment, pickerQuery(s));
    const base = { page: page(), device: device(), from: s.range.from, to: s.range.to, ...filter.query };
    const [pages, clicks, scroll, forms] = await Promise.all([
      api.pages(site.id, { device: device(), from: s.range.from, to: s.range.to, limit: 1000, ...filter.query }),
      api.clickHeatmap(site.id, base),
      api.scrollHeatmap(site.id, base),
      api.forms(site.id, base),
    ]);
    return { data: { pages: pages.pages ?? [], clicks, scroll, forms }, ignored: filter.ignored };
  }

  async function refresh(): Promise<void> {
    const my = ++seq;
    const sides = compareSides(params);
    drawTop(sides);
    if (!page()) {
      workspace.hidden = true;
      figures.replaceChildren();
      formsEl.replaceChildren();
      notes.replaceChildren(emptyState("compare", "No page selected", "Open a page's heatmap and press Compare.", h("a", { class: "btn", href: href(["sites", site.id, "pages"]) }, "Pages")));
      return;
    }
    workspace.hidden = false;
    notes.replaceChildren();
    figures.replaceChildren(loading("Loading both sides…"));
    formsEl.replaceChildren();
    side.replaceChildren();
    let a: { data: SideData; ignored: boolean };
    let b: { data: SideData; ignored: boolean };
    try {
      [a, b] = await Promise.all([loadSide(sides.a), loadSide(sides.b)]);
    } catch (error) {
      if (my !== seq) return;
      figures.replaceChildren(errorState(error, () => void refresh()));
      workspace.hidden = true;
      return;
    }
    if (my !== seq) return;
    if (a.ignored || b.ignored) notes.append(note("info", "This server cannot filter by segment yet: both sides show all visitors."));
    if (sides.by === "segment" && JSON.stringify(sides.a.segment) === JSON.stringify(sides.b.segment)) {
      notes.append(note("info", "Both sides have the same segment: pick a different one for A or B."));
    }
    const rowA = pageRow(a.data.pages, page());
    const rowB = pageRow(b.data.pages, page());
    figures.replaceChildren(figuresTable(pageFigures(rowA, rowB), { a: !rowA, b: !rowB }));
    formsEl.replaceChildren(formsComparison(diffForms(a.data.forms, b.data.forms)));
    const height = Math.max(cellsHeight(a.data.clicks), cellsHeight(b.data.clicks)) + 240;
    if (!(await ensureStage(my, height))) return;
    drawDiff(sides, a.data, b.data);
  }

  async function ensureStage(my: number, fallbackHeight: number): Promise<boolean> {
    const key = `${page()}|${device()}`;
    if (stage && stageKey === key) return true;
    clearStage();
    stageKey = key;
    stageMsg.replaceChildren(loading("Rebuilding the recorded page…"));
    const built = await buildStage(stageCol, site.id, page(), device(), fallbackHeight, () => my === seq);
    if (!built) return false;
    stageMsg.replaceChildren(...(built.message ? [built.message] : []));
    if (built.stage.snapshot) built.stage.inner.classList.add("dim");
    stage = built.stage;
    fit();
    return true;
  }

  function clearStage(): void {
    canvas?.remove();
    canvas = null;
    stage?.destroy();
    stage?.el.remove();
    stage = null;
    stageKey = "";
  }

  function drawDiff(sides: Sides, a: SideData, b: SideData): void {
    const s = stage!;
    const layers = diffLayers(a.clicks, b.clicks, { width: s.width, viewport: s.viewport.w });
    canvas?.remove();
    canvas = h("canvas", { id: "compare-canvas", class: "hm-canvas", width: s.width, height: s.height, role: "img", "aria-label": "Click difference, B against A" });
    canvas.style.width = `${s.width}px`;
    canvas.style.height = `${s.height}px`;
    s.inner.append(canvas);
    const ctx = canvas.getContext("2d");
    const result = ctx ? drawDifference(ctx, { width: s.width, height: s.height, layers }) : { drawn: 0, max: 0 };
    Object.assign(canvas.dataset, {
      drawn: String(result.drawn),
      max: String(result.max),
      cells: String(layers.reduce((n, l) => n + l.cells.length, 0)),
      totalA: String(a.clicks.total + (a.clicks.fixed?.total ?? 0)),
      totalB: String(b.clicks.total + (b.clicks.fixed?.total ?? 0)),
    });
    attachTooltip(s, layers);
    const labelA = sideLabel(sides.a, sides.by);
    const labelB = sideLabel(sides.b, sides.by);
    side.replaceChildren(
      h(
        "section",
        { class: "card legend", id: "compare-legend" },
        h("h3", null, "Click difference"),
        h("div", { class: "scale", style: { background: divergingLegend() } }),
        h("div", { class: "scale-labels" }, h("span", null, result.max ? `${points(-result.max)}` : "A"), h("span", null, "same"), h("span", null, result.max ? `${points(result.max)}` : "B")),
        h("p", { class: "legend-line" }, h("span", { class: "side-dot a" }), h("span", null, h("strong", null, "Blue"), `: more of A's clicks (${labelA})`)),
        h("p", { class: "legend-line" }, h("span", { class: "side-dot b" }), h("span", null, h("strong", null, "Orange"), `: more of B's clicks (${labelB})`)),
        h("p", { class: "hint" }, "Per cell: its share of B's clicks minus its share of A's, in percentage points, so a busier side does not colour the whole page."),
        h("p", { class: "hint" }, `A: ${num(Number(canvas.dataset.totalA))} clicks · B: ${num(Number(canvas.dataset.totalB))} clicks`),
      ),
      h("section", { class: "card" }, h("h3", null, "Scroll reached"), scrollTable(diffScroll(a.scroll, b.scroll))),
    );
  }

  function attachTooltip(s: Stage, layers: DiffLayer[]): void {
    s.inner.onmousemove = (e: MouseEvent) => {
      const rect = s.inner.getBoundingClientRect();
      const x = (e.clientX - rect.left) / s.scale;
      const y = (e.clientY - rect.top) / s.scale;
      let text: string | null = null;
      for (let i = layers.length - 1; i >= 0 && !text; i--) {
        const layer = layers[i]!;
        const cell = layer.cells.find((c) => {
          const r = cellRect(c, layer.grid, layer.width, layer.offsetY ?? 0);
          return x >= r.x && x < r.x + r.w && y >= r.y && y < r.y + r.h;
        });
        if (cell) text = `A ${(cell.shareA * 100).toFixed(1)}% (${num(cell.a)}) · B ${(cell.shareB * 100).toFixed(1)}% (${num(cell.b)}) · ${points(cell.diff)}`;
      }
      tooltip.hidden = !text;
      if (!text) return;
      tooltip.textContent = text;
      const col = stageCol.getBoundingClientRect();
      tooltip.style.left = `${e.clientX - col.left + 14}px`;
      tooltip.style.top = `${e.clientY - col.top + 14}px`;
    };
    s.inner.onmouseleave = () => (tooltip.hidden = true);
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
