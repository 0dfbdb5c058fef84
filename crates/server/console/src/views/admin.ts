// Admin: review queue, erasure & export, audit log, retention & consent
// log. Hidden from analysts (the API answers 403 to them anyway).

import { h, icon } from "../dom";
import { href, type AdminSection, type Route } from "../router";
import { header } from "../ui";
import type { View, ViewContext, ViewInstance } from "../view";
import { auditSection } from "./admin/audit";
import { erasureSection } from "./admin/erasure";
import { retentionSection } from "./admin/retention";
import { reviewSection } from "./admin/review";

export type Section = (ctx: ViewContext & { body: HTMLElement }) => ViewInstance;

const SECTIONS: Record<AdminSection, { title: string; text: string; icon: "review" | "eraser" | "list" | "clock"; view: Section }> = {
  review: { title: "Review queue", text: "Sessions analysts reported for personal data. Hidden from analysts until you decide.", icon: "review", view: reviewSection },
  erasure: { title: "Erasure & export", text: "Answer a visitor's GDPR request: export everything stored about them (art. 15) or erase it (art. 17).", icon: "eraser", view: erasureSection },
  audit: { title: "Audit log", text: "Who watched which recording, exported, erased, reported or reviewed what. Append-only.", icon: "list", view: auditSection },
  retention: { title: "Retention & consent", text: "How long data is kept per site, and the consent log with CMP proofs.", icon: "clock", view: retentionSection },
};

export const adminView: View = (ctx) => {
  let section: AdminSection = ctx.route.name === "admin" ? ctx.route.section : "review";
  let instance: ViewInstance = {};
  const top = h("div");
  const body = h("div", { class: "view-body" });
  ctx.root.replaceChildren(h("div", { class: "view admin-view" }, top, body));

  function mountSection(route: Route): void {
    instance.destroy?.();
    const s = SECTIONS[section];
    top.replaceChildren(
      header(s.title, s.text),
      h(
        "div",
        { class: "tabs", role: "tablist" },
        ...(Object.keys(SECTIONS) as AdminSection[]).map((id) =>
          h(
            "a",
            { role: "tab", href: href(["sites", ctx.site.id, "admin", id]), class: id === section ? "active" : "", "aria-selected": String(id === section) },
            icon(SECTIONS[id].icon, 15),
            SECTIONS[id].title,
          ),
        ),
      ),
    );
    body.replaceChildren();
    instance = s.view({ ...ctx, route, body });
  }

  mountSection(ctx.route);
  return {
    update(route: Route) {
      if (route.name !== "admin") return false;
      if (route.section !== section) {
        section = route.section;
        mountSection(route);
      } else if (!instance.update?.(route)) {
        mountSection(route);
      }
      return true;
    },
    destroy: () => instance.destroy?.(),
  };
};
