// The access log: who did what, newest first, with filters and paging.

import { api } from "../../api";
import { rangeFrom } from "../../dates";
import { h, icon } from "../../dom";
import { dateTime, shortId } from "../../format";
import { href, navigate, type ParamPatch, type Params, type Route } from "../../router";
import { state } from "../../state";
import type { AuditEntry } from "../../types";
import { badge, dateRange, emptyState, errorState, filterBar, loading, pager } from "../../ui";
import type { Section } from "../admin";

export const AUDIT_ACTIONS = [
  "recording.read",
  "visitor.export",
  "visitor.erase",
  "visitor.erase.second_pass",
  "session.report",
  "session.released",
  "session.erased",
];
const LIMIT = 100;

export function actionTone(action: string): string {
  if (action.includes("erase")) return "danger";
  if (action === "session.report") return "warn";
  if (action === "visitor.export") return "info";
  return "";
}

/** The detail object as a short "key: value" line. */
export function detailText(detail: unknown): string {
  if (detail === null || detail === undefined) return "";
  if (typeof detail !== "object") return String(detail);
  const entries = Object.entries(detail as Record<string, unknown>);
  return entries.map(([k, v]) => `${k}: ${typeof v === "object" ? JSON.stringify(v) : String(v)}`).join(", ");
}

export const auditSection: Section = ({ body, site, route }) => {
  let alive = true;
  let seq = 0;
  let params: Params = route.params;
  const top = h("div");
  const table = h("div");
  body.replaceChildren(top, table);

  const go = (next: ParamPatch) => navigate(href(["sites", site.id, "admin", "audit"], { ...params, offset: undefined, ...next }), true);

  function query() {
    const idFilter = params.id?.trim();
    return {
      ...rangeFrom(params),
      site: params.site === "*" ? undefined : (params.site ?? site.id),
      actor: params.actor || undefined,
      action: params.action || undefined,
      // The log names sessions and visitors only by a hash: the server finds
      // them from the raw id (a session id looks like a UUID).
      session: idFilter && params.idkind !== "visitor" ? idFilter : undefined,
      visitor: idFilter && params.idkind === "visitor" ? idFilter : undefined,
      limit: LIMIT,
      offset: Math.max(0, Number(params.offset) || 0),
    };
  }

  function drawTop(): void {
    const q = query();
    const siteSelect = h(
      "select",
      { "aria-label": "Site", id: "audit-site", onchange: (e: Event) => go({ site: (e.target as HTMLSelectElement).value }) },
      h("option", { value: "*", selected: q.site === undefined }, "All sites"),
      ...state.sites.map((s) => h("option", { value: s.id, selected: q.site === s.id }, s.id)),
    );
    const actionSelect = h(
      "select",
      { "aria-label": "Action", id: "audit-action", onchange: (e: Event) => go({ action: (e.target as HTMLSelectElement).value }) },
      h("option", { value: "" }, "Any action"),
      ...AUDIT_ACTIONS.map((a) => h("option", { value: a, selected: a === q.action }, a)),
    );
    const actor = h("input", {
      type: "search",
      placeholder: "Actor (key name)",
      value: params.actor ?? "",
      "aria-label": "Actor",
      id: "audit-actor",
      onchange: (e: Event) => go({ actor: (e.target as HTMLInputElement).value.trim() }),
    });
    const idInput = h("input", {
      type: "search",
      placeholder: "Session or visitor id",
      value: params.id ?? "",
      "aria-label": "Session or visitor id",
      id: "audit-subject",
      onchange: (e: Event) => go({ id: (e.target as HTMLInputElement).value.trim() }),
    });
    const kind = h(
      "select",
      { "aria-label": "Id kind", onchange: (e: Event) => go({ idkind: (e.target as HTMLSelectElement).value }) },
      h("option", { value: "session", selected: params.idkind !== "visitor" }, "is a session"),
      h("option", { value: "visitor", selected: params.idkind === "visitor" }, "is a visitor"),
    );
    top.replaceChildren(
      filterBar(dateRange(rangeFrom(params), (r) => go(r)), siteSelect, actionSelect),
      filterBar(
        h("div", { class: "search-wrap" }, icon("user", 15), actor),
        h("div", { class: "search-wrap grow" }, icon("search", 15), idInput),
        kind,
        h("a", { class: "btn ghost", href: api.auditUrl({ ...q, limit: 10000, offset: 0 }), download: "veil-audit.json" }, icon("download", 14), "Download JSON"),
      ),
    );
  }

  async function load(): Promise<void> {
    const my = ++seq;
    const q = query();
    table.replaceChildren(loading("Loading the audit log…"));
    try {
      const { entries } = await api.audit(q);
      if (!alive || my !== seq) return;
      draw(entries, q.offset);
    } catch (error) {
      if (alive && my === seq) table.replaceChildren(errorState(error, () => void load()));
    }
  }

  function draw(entries: AuditEntry[], offset: number): void {
    if (entries.length === 0 && offset === 0) {
      table.replaceChildren(h("div", { id: "audit-log" }, emptyState("list", "No entries", "Nothing was logged for these filters and dates.")));
      return;
    }
    table.replaceChildren(
      h(
        "div",
        { class: "card flush" },
        h(
          "table",
          { class: "table", id: "audit-log" },
          h("thead", null, h("tr", null, h("th", null, "When"), h("th", null, "Actor"), h("th", null, "Action"), h("th", null, "Site"), h("th", null, "Subject"), h("th", null, "Detail"))),
          h(
            "tbody",
            null,
            ...entries.map((e) =>
              h(
                "tr",
                { dataset: { action: e.action } },
                h("td", { class: "nowrap" }, dateTime(e.at, true)),
                h("td", null, h("span", { class: "strong" }, e.actor), " ", badge(e.role, "subtle")),
                h("td", null, badge(e.action, actionTone(e.action))),
                h("td", null, e.site || h("span", { class: "muted" }, "–")),
                h("td", { class: "mono", title: e.subject }, e.subject ? shortId(e.subject, 22) : "–"),
                h("td", { class: "detail" }, detailText(e.detail)),
              ),
            ),
          ),
        ),
        h("div", { class: "table-foot" }, h("span", { class: "muted small" }, "Subjects are one-way hashes: the log survives erasures without naming anyone."), pager({ offset, limit: LIMIT, shown: entries.length, onPage: (o) => go({ offset: o ? String(o) : undefined }) })),
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
