// Hash routes (`#/sites/demo/pages?device=mobile`): the server serves one
// index.html and the filters live in the URL, so reload, back and shared
// links keep the view.

export type Params = Record<string, string>;
/** Changes to apply to the parameters of a route: `undefined` removes one. */
export type ParamPatch = Record<string, string | undefined>;

export type AdminSection = "review" | "erasure" | "audit" | "retention";
export const ADMIN_SECTIONS: AdminSection[] = ["review", "erasure", "audit", "retention"];

export type Route =
  | { name: "login"; params: Params }
  | { name: "home"; params: Params }
  | { name: "pages"; site: string; params: Params }
  | { name: "heatmap"; site: string; params: Params }
  | { name: "compare"; site: string; params: Params }
  | { name: "insights"; site: string; params: Params }
  | { name: "sessions"; site: string; params: Params }
  | { name: "replay"; site: string; session: string; params: Params }
  | { name: "admin"; site: string; section: AdminSection; params: Params }
  | { name: "not_found"; params: Params };

/** `#/a/b?x=1` → segments `["a", "b"]` (decoded) and params `{x: "1"}`. */
export function splitHash(hash: string): { segments: string[]; params: Params } {
  const text = hash.replace(/^#/, "");
  const q = text.indexOf("?");
  const path = q < 0 ? text : text.slice(0, q);
  const params: Params = {};
  if (q >= 0) new URLSearchParams(text.slice(q + 1)).forEach((value, key) => (params[key] = value));
  const segments = path
    .split("/")
    .filter((s) => s !== "")
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    });
  return { segments, params };
}

export function parseRoute(hash: string): Route {
  const { segments, params } = splitHash(hash);
  const [first, site, view, id, extra] = segments;
  if (segments.length === 0) return { name: "home", params };
  if (first === "login" && segments.length === 1) return { name: "login", params };
  if (first !== "sites" || !site) return { name: "not_found", params };
  if (!view) return { name: "pages", site, params };
  switch (view) {
    case "pages":
      if (!id) return { name: "pages", site, params };
      break;
    case "heatmap":
      if (!id) return { name: "heatmap", site, params };
      break;
    case "compare":
      if (!id) return { name: "compare", site, params };
      break;
    case "insights":
      if (!id) return { name: "insights", site, params };
      break;
    case "sessions":
      if (!id) return { name: "sessions", site, params };
      if (!extra) return { name: "replay", site, session: id, params };
      break;
    case "admin": {
      const section = (id ?? "review") as AdminSection;
      if (ADMIN_SECTIONS.includes(section) && !extra) return { name: "admin", site, section, params };
      break;
    }
  }
  return { name: "not_found", params };
}

/** Builds a hash link; empty parameter values are left out. */
export function href(segments: string[], params: Record<string, string | number | undefined | null> = {}): string {
  const path = "#/" + segments.map(encodeURIComponent).join("/");
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === "") continue;
    search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `${path}?${text}` : path;
}

/** Sends the browser to a hash route (adds a history entry unless `replace`). */
export function navigate(hash: string, replace = false): void {
  if (replace) {
    history.replaceState(null, "", hash);
    window.dispatchEvent(new HashChangeEvent("hashchange"));
  } else {
    location.hash = hash;
  }
}
