// Boot and routing: who is signed in (GET /console/me), the sites, then the
// view of the hash route inside the shell.

import { api, ApiError, onUnauthorized } from "./api";
import { h } from "./dom";
import { href, navigate, parseRoute, type Route } from "./router";
import { createShell, type Shell } from "./shell";
import { isAdmin, resetState, siteById, state } from "./state";
import { emptyState, errorState, loading, toast } from "./ui";
import type { View, ViewInstance } from "./view";
import { adminView } from "./views/admin";
import { compareView } from "./views/compare";
import { heatmapView } from "./views/heatmap";
import { insightsView } from "./views/insights";
import { loginView } from "./views/login";
import { pagesView } from "./views/pages";
import { replayView } from "./views/replay";
import { sessionsView } from "./views/sessions";

// Opened as /console (no slash): settle on /console/ so hash links (which
// resolve against <base href="/console/">) stay in this document.
if (/\/console$/.test(location.pathname)) {
  history.replaceState(null, "", `${location.pathname}/${location.search}${location.hash}`);
}

const app = document.getElementById("app")!;
let shell: Shell | null = null;
let current: { name: string; site: string; instance: ViewInstance } | null = null;
let renderId = 0;

const VIEWS: Record<string, View> = {
  pages: pagesView,
  heatmap: heatmapView,
  compare: compareView,
  insights: insightsView,
  sessions: sessionsView,
  replay: replayView,
  admin: adminView,
};

onUnauthorized(() => {
  if (!state.me) return;
  resetState();
  teardown();
  navigate(href(["login"], { next: location.hash, expired: 1 }), true);
});

function teardown(): void {
  current?.instance.destroy?.();
  current = null;
  shell = null;
}

async function signOut(): Promise<void> {
  try {
    await api.logout();
  } catch {
    // Signed out locally either way; the cookie expires on its own.
  }
  resetState();
  teardown();
  navigate(href(["login"]));
}

/** Loads who is signed in and the sites; false when not signed in. */
async function ensureSession(): Promise<boolean> {
  if (state.me) return true;
  try {
    state.me = await api.me();
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return false;
    throw error;
  }
  const { sites } = await api.sites();
  state.sites = [...sites].sort((a, b) => a.id.localeCompare(b.id));
  return true;
}

function safeNext(next: string | undefined): string {
  return next && next.startsWith("#/") && !next.startsWith("#/login") ? next : "#/";
}

async function render(): Promise<void> {
  const id = ++renderId;
  const route = parseRoute(location.hash);

  if (route.name === "login") {
    teardown();
    if (state.me) return navigate(safeNext(route.params.next), true);
    loginView(
      app,
      async (me) => {
        state.me = me;
        try {
          const { sites } = await api.sites();
          state.sites = [...sites].sort((a, b) => a.id.localeCompare(b.id));
        } catch {
          state.sites = [];
        }
        navigate(safeNext(route.params.next), true);
      },
      route.params.expired ? "Your session has ended. Sign in again to continue." : undefined,
    );
    return;
  }

  if (!state.me) {
    app.replaceChildren(h("div", { class: "boot" }, loading("Opening the console…")));
    let signedIn: boolean;
    try {
      signedIn = await ensureSession();
    } catch (error) {
      if (id !== renderId) return;
      app.replaceChildren(h("div", { class: "boot" }, errorState(error, () => void render())));
      return;
    }
    if (id !== renderId) return;
    if (!signedIn) {
      const next = route.name === "home" ? undefined : location.hash;
      return navigate(href(["login"], { next }), true);
    }
  }

  if (!shell) {
    shell = createShell(() => void signOut());
    app.replaceChildren(shell.el);
  }

  if (route.name === "home") {
    const first = state.sites[0];
    if (first) return navigate(href(["sites", first.id, "pages"]), true);
    shell.update(route);
    return show(null, emptyState("pages", "No sites configured", "Add a [[sites]] entry to veil.toml and restart veil serve."));
  }
  shell.update(route);
  if (route.name === "not_found") {
    return show(null, emptyState("info", "Page not found", "This console address does not exist.", h("a", { class: "btn", href: "#/" }, "Go to the console")));
  }
  const site = siteById(route.site);
  if (!site) {
    return show(
      null,
      emptyState(
        "info",
        `No site "${route.site}"`,
        "This site is not configured on this Veil server.",
        ...state.sites.slice(0, 5).map((s) => h("a", { class: "btn ghost", href: href(["sites", s.id, "pages"]) }, s.id)),
      ),
    );
  }
  if (route.name === "admin" && !isAdmin()) {
    return show(null, errorState(new ApiError(403, "forbidden", "needs an admin key")));
  }

  if (current && current.name === route.name && current.site === route.site && current.instance.update?.(route)) return;
  current?.instance.destroy?.();
  current = null;
  const main = shell.main;
  main.replaceChildren();
  main.scrollTop = 0;
  const instance = VIEWS[route.name]!({ root: main, route, site, me: state.me! });
  current = { name: route.name, site: route.site, instance };
}

function show(_route: Route | null, content: HTMLElement): void {
  current?.instance.destroy?.();
  current = null;
  shell?.main.replaceChildren(content);
}

window.addEventListener("hashchange", () => void render());
window.addEventListener("unhandledrejection", (e) => {
  console.error(e.reason);
  toast(e.reason instanceof Error ? e.reason.message : "Unexpected error", "error");
});
void render();
