// The comparison view's tables: page figures, scroll reached per depth and
// the form funnels of both sides with their differences. Pure rendering
// of compare/diff.ts results.

import type { DepthDiff, Figure, FormDiff, Rate } from "../compare/diff";
import { change, points } from "../compare/diff";
import { h, icon } from "../dom";
import { num, percent } from "../format";
import { emptyState } from "../ui";

/** A signed difference with its tone: `more` (B higher), `less`, or none. */
function signed(text: string, diff: number | null, higherIsBetter = true): HTMLElement {
  const tone = diff === null || diff === 0 ? "" : (diff > 0) === higherIsBetter ? "up" : "down";
  return h("span", { class: `delta ${tone}` }, text);
}

function sideHead(label: string, side: "a" | "b"): HTMLElement {
  return h("th", { class: "num" }, h("span", { class: `side-dot ${side}` }), label);
}

export function figuresTable(figures: Figure[], missing: { a: boolean; b: boolean }): HTMLElement {
  return h(
    "div",
    { class: "card flush" },
    h(
      "table",
      { class: "table compare-table", id: "compare-figures" },
      h("thead", null, h("tr", null, h("th", null, "This page"), sideHead("A", "a"), sideHead("B", "b"), h("th", { class: "num" }, "B − A"), h("th", { class: "num" }, "Change"))),
      h(
        "tbody",
        null,
        ...figures.map((f) =>
          h(
            "tr",
            { dataset: { figure: f.label.toLowerCase() } },
            h("td", { class: "strong" }, f.label),
            h("td", { class: "num" }, num(f.a)),
            h("td", { class: "num" }, num(f.b)),
            h("td", { class: "num" }, f.diff === null ? "–" : signed(`${f.diff > 0 ? "+" : f.diff < 0 ? "−" : ""}${num(Math.abs(f.diff))}`, f.diff)),
            h("td", { class: "num" }, f.a === null || f.b === null ? "–" : signed(change(f.a, f.b), f.diff)),
          ),
        ),
      ),
    ),
    missing.a || missing.b
      ? h(
          "p",
          { class: "table-empty muted small" },
          `The page is not among the ${missing.a && missing.b ? "pages of either side" : `pages of side ${missing.a ? "A" : "B"}`} (no views, or fewer visitors than k_min): counted as 0.`,
        )
      : null,
  );
}

export function scrollTable(rows: DepthDiff[]): HTMLElement {
  const shown = rows.filter((r) => r.pct % 10 === 0);
  if (shown.length === 0) return h("p", { class: "muted", id: "compare-scroll" }, "No scroll data on either side.");
  return h(
    "table",
    { class: "table compact compare-table", id: "compare-scroll" },
    h("thead", null, h("tr", null, h("th", null, "Depth"), sideHead("A", "a"), sideHead("B", "b"), h("th", { class: "num" }, "B − A"))),
    h(
      "tbody",
      null,
      ...shown.map((r) =>
        h(
          "tr",
          { dataset: { pct: r.pct } },
          h("td", { class: "muted" }, `${r.pct}%`),
          h("td", { class: "num" }, `${Math.round(r.a * 100)}%`),
          h("td", { class: "num" }, `${Math.round(r.b * 100)}%`),
          h("td", { class: "num" }, signed(points(r.diff, 0), r.diff)),
        ),
      ),
    ),
  );
}

function rateCells(r: Rate, higherIsBetter = true): HTMLElement[] {
  return [
    h("td", { class: "num" }, r.a === null ? h("span", { class: "muted" }, "–") : percent(r.a)),
    h("td", { class: "num" }, r.b === null ? h("span", { class: "muted" }, "–") : percent(r.b)),
    h("td", { class: "num" }, r.diff === null ? h("span", { class: "muted" }, "–") : signed(points(r.diff), r.diff, higherIsBetter)),
  ];
}

export function formsComparison(forms: FormDiff[]): HTMLElement {
  const el = h("div", { class: "forms", id: "compare-forms" });
  if (forms.length === 0) {
    el.append(emptyState("form", "No form interactions on either side", "Nobody focused a field of this page in these periods and segments."));
    return el;
  }
  for (const f of forms) {
    el.append(
      h(
        "section",
        { class: "card flush form-funnel", dataset: { form: f.form } },
        h(
          "header",
          { class: "form-head" },
          h("div", { class: "form-name" }, icon("form", 18), h("h2", null, h("code", null, f.form === "" ? "Fields outside any form" : f.form))),
          h(
            "table",
            { class: "table compact compare-table form-rates" },
            h("thead", null, h("tr", null, h("th", null), sideHead("A", "a"), sideHead("B", "b"), h("th", { class: "num" }, "B − A"))),
            h(
              "tbody",
              null,
              h("tr", { dataset: { rate: "started" } }, h("td", null, "Started"), h("td", { class: "num" }, num(f.started.a)), h("td", { class: "num" }, num(f.started.b)), h("td", { class: "num" }, signed(change(f.started.a, f.started.b), f.started.b - f.started.a))),
              f.form === "" ? null : h("tr", { dataset: { rate: "submit" } }, h("td", null, "Submit rate"), ...rateCells(f.submit)),
              f.form === "" ? null : h("tr", { dataset: { rate: "abandon" } }, h("td", null, "Abandon rate"), ...rateCells(f.abandon, false)),
            ),
          ),
        ),
        h(
          "table",
          { class: "table funnel compare-table" },
          h(
            "thead",
            null,
            h(
              "tr",
              null,
              h("th", { class: "num" }, "#"),
              h("th", null, "Field"),
              h("th", { class: "num" }, "Reach A"),
              h("th", { class: "num" }, "Reach B"),
              h("th", { class: "num" }, "B − A"),
              h("th", { class: "num" }, "Drop-off A"),
              h("th", { class: "num" }, "Drop-off B"),
              h("th", { class: "num" }, "B − A"),
            ),
          ),
          h(
            "tbody",
            null,
            ...f.fields.map((field, i) =>
              h(
                "tr",
                { dataset: { field: field.field } },
                h("td", { class: "num muted" }, String(i + 1)),
                h("td", { class: "field-cell" }, h("code", { title: field.field }, field.field)),
                ...rateCells(field.reach),
                ...rateCells(field.dropOff, false),
              ),
            ),
          ),
        ),
      ),
    );
  }
  el.append(h("p", { class: "hint" }, "Rates are of each side's own starts; a dash means the form or field was not shown on that side (no use, or fewer visitors than k_min)."));
  return el;
}
