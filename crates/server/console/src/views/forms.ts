// The Forms tab of a page's view: each form as a funnel of its fields,
// the field most visitors who gave up stopped at marked, from the
// aggregated `veil.form` events (no value of any field is ever sent).
// Pure rendering of the API answer, so it is tested without a server.

import { h, icon } from "../dom";
import { duration, num, percent, plural } from "../format";
import type { FormField, FormFunnel, Forms } from "../types";
import { emptyState, note } from "../ui";

export const EMPTY_FORMS = "No form interactions recorded on this page in this period";

/** Fields in the order the form asks for them: the funnel's order, whatever the answer's. */
export function funnelFields(form: FormFunnel): FormField[] {
  return [...form.fields].sort((a, b) => a.position - b.position || a.field.localeCompare(b.field));
}

export function formTitle(form: FormFunnel): string {
  return form.form === "" ? "Fields outside any form" : form.form;
}

/** The whole tab: one funnel per form, or the empty state. */
export function formsView(data: Forms): HTMLElement {
  const el = h("div", { class: "forms", id: "forms" });
  if (data.forms.length === 0) {
    el.append(
      emptyState(
        "form",
        EMPTY_FORMS,
        data.k_min > 1
          ? `Nobody focused a field of this page in this period, or fewer than ${data.k_min} distinct visitors did (this site's k_min). Try a longer period or another device.`
          : "Nobody focused a field of this page in this period and device. Try a longer period or another device.",
      ),
    );
    return el;
  }
  if (data.k_min > 1) {
    el.append(note("privacy", `Forms and fields used by fewer than ${data.k_min} distinct visitors are not shown (k_min = ${data.k_min}, set in veil.toml).`));
  }
  el.append(...data.forms.map(formCard), h("p", { class: "hint" }, "Only where visitors went and for how long is recorded, never what they typed. Selectors are masked by the recorder."));
  return el;
}

function fact(label: string, value: string, hint: string): HTMLElement {
  return h("div", { class: "form-fact" }, h("div", { class: "stat-label" }, label), h("div", { class: "form-fact-value" }, value), h("div", { class: "stat-hint" }, hint));
}

/** Where the visitors who left unsent stopped, said in words: the point of the funnel. */
function dropLine(form: FormFunnel): HTMLElement | null {
  // Fields outside any form are never submitted, so never abandoned either.
  if (form.form === "") return null;
  if (form.last_field) {
    const at = form.fields.find((f) => f.field === form.last_field);
    return h(
      "p",
      { class: "form-drop" },
      icon("flag", 15),
      h("span", null, "Most visitors who left stopped at ", h("code", null, form.last_field)),
      at ? h("span", { class: "form-drop-count" }, `${num(at.abandoned)} of ${num(form.abandoned)} abandonments ended there`) : null,
    );
  }
  if (form.abandoned === 0) return h("p", { class: "form-drop none" }, icon("info", 15), h("span", null, "No visitor left this form unsent in this period."));
  return null;
}

function formCard(form: FormFunnel): HTMLElement {
  const fields = funnelFields(form);
  return h(
    "section",
    { class: "card flush form-funnel", dataset: { form: form.form } },
    h(
      "header",
      { class: "form-head" },
      h("div", { class: "form-name" }, icon("form", 18), h("h2", null, h("code", null, formTitle(form))), h("span", { class: "muted" }, plural(form.visitors, "visitor"))),
      h(
        "div",
        { class: "form-facts" },
        fact("Started", num(form.started), "page views that focused a field"),
        form.form === "" ? null : fact("Submit rate", percent(form.submit_rate), `${num(form.submitted)} submitted`),
        form.form === "" ? null : fact("Abandon rate", percent(form.abandon_rate), `${num(form.abandoned)} left unsent`),
      ),
    ),
    dropLine(form),
    fields.length
      ? h(
          "table",
          { class: "table funnel" },
          h(
            "thead",
            null,
            h(
              "tr",
              null,
              h("th", { class: "num" }, "#"),
              h("th", null, "Field"),
              h("th", null, "Reached"),
              h("th", { class: "num", title: "Share of the form's starts that never reached this field" }, "Drop-off"),
              h("th", { class: "num" }, "Median time"),
              h("th", { class: "num", title: "Share of visits to the field that corrected what was there" }, "Refills"),
              h("th", { class: "num", title: "Share of visits to the field that ended with it showing an error" }, "Errors"),
              h("th", { class: "num", title: "Abandonments whose last field was this one" }, "Left here"),
            ),
          ),
          h("tbody", null, ...fields.map((f) => fieldRow(f, f.field === form.last_field))),
        )
      : h("p", { class: "table-empty muted" }, "No field of this form reached the privacy threshold."),
  );
}

function fieldRow(f: FormField, last: boolean): HTMLElement {
  return h(
    "tr",
    { class: last ? "last" : "", dataset: { field: f.field, position: f.position, last: last ? "true" : undefined } },
    h("td", { class: "num muted" }, String(f.position + 1)),
    h("td", { class: "field-cell" }, h("code", { title: f.field }, f.field), last ? h("span", { class: "badge danger" }, icon("flag", 12), "Most left here") : null),
    h(
      "td",
      { class: "reach-cell" },
      h(
        "div",
        { class: "reach" },
        h("div", { class: "funnel-bar", title: `${num(f.reached)} page views reached this field` }, h("span", { style: { width: `${Math.min(1, Math.max(0, f.reach_rate)) * 100}%` } })),
        h("span", { class: "reach-value" }, percent(f.reach_rate), h("span", { class: "muted" }, ` · ${num(f.reached)}`)),
      ),
    ),
    h("td", { class: "num" }, f.drop_off > 0 ? percent(f.drop_off) : h("span", { class: "muted" }, "0%")),
    h("td", { class: "num" }, duration(f.median_ms)),
    h("td", { class: "num", title: `${num(f.refilled)} of ${num(f.reached)}` }, rate(f.refill_rate, "warn")),
    h("td", { class: "num", title: `${num(f.errored)} of ${num(f.reached)}` }, rate(f.error_rate, "error")),
    h("td", { class: "num" }, f.abandoned ? h("span", { class: `badge ${last ? "danger" : "subtle"}` }, num(f.abandoned)) : h("span", { class: "muted" }, "0")),
  );
}

function rate(fraction: number, tone: string): HTMLElement {
  return fraction > 0 ? h("span", { class: `badge ${tone}` }, percent(fraction)) : h("span", { class: "muted" }, "0%");
}
