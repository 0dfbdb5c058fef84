// The heatmap view's exports: "Download CSV" of the tab's figures
// (`format=csv` of the same query: cells of both layers, the scroll map,
// or the forms) and "Export PNG" of the click heatmap over its page.

import { api, type Query } from "../api";
import type { Range } from "../dates";
import { h, icon } from "../dom";
import { bytes } from "../format";
import { pngFileName } from "../heatmap/png";
import { renderHeatmapPng, saveBlob, type HeatmapPicture } from "../heatmap/rasterise";
import { downloadLink, toast } from "../ui";

export type ExportTab = "clicks" | "scroll" | "elements" | "forms";

export interface ExportOptions {
  site: string;
  tab: ExportTab;
  /** The tab's API query (page, device, days, segment). */
  query: Query;
  page: string;
  range: Range;
  /** The picture to export, when the click heatmap is drawn; null otherwise. */
  picture: () => HeatmapPicture | null;
}

/** The CSV download of a tab: what it is called and where it comes from. */
export function csvExport(site: string, tab: ExportTab, query: Query): { id: string; url: string; label: string; title: string } {
  switch (tab) {
    case "scroll":
      return { id: "csv-scroll", url: api.csvUrl(site, "scroll", query), label: "Download CSV", title: "Scroll map as CSV (scroll-map.csv: pct, reached)" };
    case "forms":
      return { id: "csv-forms", url: api.csvUrl(site, "forms", query), label: "Download CSV", title: "Form funnels as CSV (forms.csv: a line per field)" };
    default:
      return {
        id: "csv-heatmap",
        url: api.csvUrl(site, "click", query),
        label: "Download CSV",
        title: "Click cells of both layers as CSV (heatmap.csv: layer, x, y, count, rage, dead)",
      };
  }
}

export function exportActions(opts: ExportOptions): HTMLElement {
  const csv = csvExport(opts.site, opts.tab, opts.query);
  const el = h("div", { class: "export-actions" }, downloadLink(csv.id, csv.url, csv.label, csv.title));
  if (opts.tab === "clicks") {
    const button = h("button", { type: "button", class: "btn ghost small", id: "export-png", title: "The heatmap over the page as a PNG picture" }, icon("image", 14), "Export PNG");
    button.addEventListener("click", async () => {
      const picture = opts.picture();
      if (!picture) {
        toast("The heatmap is still being drawn: try again in a moment.", "warn");
        return;
      }
      button.disabled = true;
      button.dataset.state = "rendering";
      try {
        const name = pngFileName(opts.page, opts.range.from, opts.range.to);
        const result = await renderHeatmapPng(picture);
        saveBlob(result.blob, name);
        Object.assign(button.dataset, { state: "done", pngBytes: String(result.blob.size), pngBackground: result.background, pngName: name });
        toast(
          result.background === "page"
            ? `Saved ${name} (${bytes(result.blob.size)})`
            : `Saved ${name} on the page's outline: ${result.reason ?? "the page could not be drawn"}`,
          result.background === "page" ? "ok" : "warn",
        );
      } catch (error) {
        button.dataset.state = "failed";
        toast(`The PNG could not be made: ${(error as Error)?.message ?? error}`, "error");
      } finally {
        button.disabled = false;
      }
    });
    el.append(button);
  }
  return el;
}
