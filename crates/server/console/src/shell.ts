// The frame around every signed-in view: sidebar with the site picker,
// role-aware navigation and the signed-in user; the main column.

import { h, icon } from "./dom";
import { href, navigate, type Route } from "./router";
import { isAdmin, state } from "./state";

export interface Shell {
  el: HTMLElement;
  main: HTMLElement;
  update(route: Route): void;
}

/** Where the site picker goes for another site: the same kind of view, without ids of this site. */
export function siteSwitchTarget(route: Route, site: string): string {
  switch (route.name) {
    case "sessions":
    case "replay":
      return href(["sites", site, "sessions"]);
    case "admin":
      return href(["sites", site, "admin", route.section]);
    case "insights":
      return href(["sites", site, "insights"]);
    default:
      return href(["sites", site, "pages"]);
  }
}

export function createShell(onLogout: () => void): Shell {
  const main = h("main", { class: "main", id: "view", tabindex: "-1" });
  const nav = h("nav", { class: "nav", "aria-label": "Main" });
  const picker = h("select", { class: "site-picker", id: "site-picker", "aria-label": "Site" });
  let current: Route | null = null;
  picker.addEventListener("change", () => current && navigate(siteSwitchTarget(current, picker.value)));

  const me = state.me!;
  const user = h(
    "div",
    { class: "me" },
    h("div", { class: "avatar", "aria-hidden": "true" }, (me.name[0] ?? "?").toUpperCase()),
    h("div", { class: "me-text" }, h("div", { class: "me-name" }, me.name), h("div", { class: "me-role" }, me.role)),
    h("button", { type: "button", class: "icon-btn", id: "logout", title: "Sign out", "aria-label": "Sign out", onclick: onLogout }, icon("logout", 16)),
  );

  const el = h(
    "div",
    { class: "app" },
    h(
      "aside",
      { class: "sidebar" },
      h("a", { class: "brand", href: "#/" }, h("span", { class: "brand-mark" }, icon("logo", 20)), h("span", null, "Veil")),
      h("label", { class: "site-label" }, h("span", null, "Site"), picker),
      nav,
      h("div", { class: "sidebar-foot" }, user),
    ),
    main,
  );

  function link(id: string, label: string, name: Parameters<typeof icon>[0], target: string, active: boolean, sub = false) {
    return h(
      "a",
      { id, href: target, class: `nav-link${sub ? " sub" : ""}${active ? " active" : ""}`, "aria-current": active ? "page" : undefined },
      icon(name, sub ? 15 : 17),
      h("span", null, label),
    );
  }

  function update(route: Route): void {
    current = route;
    const site = "site" in route ? route.site : (state.sites[0]?.id ?? "");
    picker.replaceChildren(...state.sites.map((s) => h("option", { value: s.id, selected: s.id === site }, s.id)));
    // A replay opened from the review queue belongs to the admin section.
    const reviewing = route.name === "replay" && route.params.review === "1" && isAdmin();
    const n = reviewing ? "admin" : route.name;
    const items: HTMLElement[] = [
      link("nav-pages", "Pages", "pages", href(["sites", site, "pages"]), n === "pages" || n === "heatmap" || n === "compare"),
      link("nav-insights", "Insights", "insights", href(["sites", site, "insights"]), n === "insights"),
      link("nav-sessions", "Sessions", "sessions", href(["sites", site, "sessions"]), n === "sessions" || n === "replay"),
    ];
    if (isAdmin()) {
      const section = route.name === "admin" ? route.section : reviewing ? "review" : null;
      items.push(
        h("div", { class: "nav-section" }, "Privacy"),
        link("nav-admin", "Admin", "shield", href(["sites", site, "admin", "review"]), n === "admin"),
        link("nav-admin-review", "Review queue", "review", href(["sites", site, "admin", "review"]), section === "review", true),
        link("nav-admin-erasure", "Erasure & export", "eraser", href(["sites", site, "admin", "erasure"]), section === "erasure", true),
        link("nav-admin-audit", "Audit log", "list", href(["sites", site, "admin", "audit"]), section === "audit", true),
        link("nav-admin-retention", "Retention & consent", "clock", href(["sites", site, "admin", "retention"]), section === "retention", true),
      );
    }
    nav.replaceChildren(...items);
  }

  return { el, main, update };
}
