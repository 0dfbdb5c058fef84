// Retention settings of every site (read-only: they live in veil.toml) and
// the consent log of the current site.

import { api } from "../../api";
import { rangeFrom } from "../../dates";
import { h, icon } from "../../dom";
import { dateTime, num, shortId } from "../../format";
import { href, navigate, type ParamPatch, type Params, type Route } from "../../router";
import { state } from "../../state";
import type { ConsentEntry } from "../../types";
import { badge, dateRange, emptyState, errorState, filterBar, loading, pager } from "../../ui";
import type { Section } from "../admin";

const LIMIT = 100;

export const retentionSection: Section = ({ body, site, route }) => {
  let alive = true;
  let seq = 0;
  let params: Params = route.params;
  const settings = h("div");
  const logTop = h("div");
  const log = h("div");
  body.replaceChildren(settings, h("h2", { class: "section-title" }, `Consent log · ${site.id}`), logTop, log);

  const go = (next: ParamPatch) => navigate(href(["sites", site.id, "admin", "retention"], { ...params, offset: undefined, ...next }), true);

  function drawSettings(): void {
    settings.replaceChildren(
      h(
        "div",
        { class: "site-cards", id: "retention" },
        ...state.sites.map((s) =>
          h(
            "div",
            { class: `card site-card${s.id === site.id ? " current" : ""}`, dataset: { site: s.id } },
            h("h3", null, s.id),
            h(
              "dl",
              { class: "facts-grid" },
              h("dt", null, "Recordings kept"),
              h("dd", { dataset: { field: "retention_days" } }, `${num(s.retention_days)} days`),
              h("dt", null, "Heatmaps kept"),
              h("dd", { dataset: { field: "heatmap_retention_days" } }, `${num(s.heatmap_retention_days)} days`),
              h("dt", null, "k_min"),
              h("dd", { dataset: { field: "k_min" } }, `${num(s.k_min)} visitor${s.k_min === 1 ? "" : "s"} per heatmap cell`),
              h("dt", null, "Purposes"),
              h("dd", null, ...(s.purposes ?? []).map((p) => badge(p, "subtle"))),
            ),
          ),
        ),
      ),
      h(
        "p",
        { class: "note info" },
        icon("info", 15),
        h("span", null, "These are set per site in veil.toml (", h("code", null, "retention_days"), ", ", h("code", null, "heatmap_retention_days"), ", ", h("code", null, "k_min"), ") and enforced hourly. Change the file and restart veil serve to change them."),
      ),
    );
  }

  function query() {
    return { ...rangeFrom(params), limit: LIMIT, offset: Math.max(0, Number(params.offset) || 0) };
  }

  function drawLogTop(): void {
    const q = query();
    logTop.replaceChildren(
      filterBar(
        dateRange(rangeFrom(params), (r) => go(r)),
        h("a", { class: "btn ghost", href: api.consentsUrl(site.id, { from: q.from, to: q.to, limit: 10000 }), download: `veil-consents-${site.id}.json` }, icon("download", 14), "Download JSON"),
      ),
    );
  }

  async function load(): Promise<void> {
    const my = ++seq;
    const q = query();
    log.replaceChildren(loading("Loading the consent log…"));
    try {
      const { consents } = await api.consents(site.id, q);
      if (!alive || my !== seq) return;
      draw(consents, q.offset);
    } catch (error) {
      if (alive && my === seq) log.replaceChildren(errorState(error, () => void load()));
    }
  }

  function draw(rows: ConsentEntry[], offset: number): void {
    if (rows.length === 0 && offset === 0) {
      log.replaceChildren(h("div", { id: "consent-log" }, emptyState("shield", "No consent records", "No visitor granted or withdrew consent in this period.")));
      return;
    }
    log.replaceChildren(
      h(
        "div",
        { class: "card flush" },
        h(
          "table",
          { class: "table", id: "consent-log" },
          h("thead", null, h("tr", null, h("th", null, "When"), h("th", null, "Action"), h("th", null, "Visitor"), h("th", null, "Purposes"), h("th", null, "CMP proof"), h("th", null, "Expires"))),
          h(
            "tbody",
            null,
            ...rows.map((c) =>
              h(
                "tr",
                { dataset: { consent: c.consent_id } },
                h("td", { class: "nowrap" }, dateTime(c.at, true)),
                h("td", null, badge(c.action, c.action === "grant" ? "ok" : "warn"), c.erase ? badge("erase", "danger") : null),
                h("td", { class: "mono", title: c.visitor }, c.visitor ? shortId(c.visitor, 12) : "–"),
                h("td", null, ...(c.purposes ?? []).map((p) => badge(p, "subtle"))),
                h(
                  "td",
                  { class: "proof" },
                  c.cmp?.framework ? h("span", { class: "strong" }, c.cmp.framework) : h("span", { class: "muted" }, "none"),
                  c.cmp?.proof ? h("div", { class: "mono small muted", title: c.cmp.proof }, shortId(c.cmp.proof, 28)) : null,
                ),
                h("td", { class: "nowrap muted" }, c.expires_at ? dateTime(c.expires_at) : "–"),
              ),
            ),
          ),
        ),
        h("div", { class: "table-foot" }, h("span", { class: "muted small" }, "Oldest first. The log is append-only; erasing a visitor removes their records and keeps a withdrawal marker without the visitor id."), pager({ offset, limit: LIMIT, shown: rows.length, onPage: (o) => go({ offset: o ? String(o) : undefined }) })),
      ),
    );
  }

  drawSettings();
  drawLogTop();
  void load();
  return {
    update(next: Route) {
      params = next.params;
      drawLogTop();
      void load();
      return true;
    },
    destroy() {
      alive = false;
    },
  };
};
