// The console's only door to the server. Cookie auth (the console login
// sets an HttpOnly SameSite=Strict cookie), `credentials: "same-origin"`,
// and on every non-GET request the `X-Veil-Console: 1` header the server's
// CSRF guard asks for.

import type {
  AuditEntry,
  ClickHeatmap,
  ConsentEntry,
  ErasureReceipt,
  Forms,
  Insights,
  Me,
  PageRow,
  Report,
  RrwebEvent,
  ScrollHeatmap,
  Segments,
  SessionList,
  Site,
  Snapshot,
} from "./types";

export type Query = Record<string, string | number | boolean | null | undefined>;

/** An answer other than 2xx, or no answer at all (`status` 0). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/**
 * The path prefix the server is mounted under: the console lives at
 * `<prefix>/console/`, the API at `<prefix>/v1/…`. Empty in the usual case.
 */
export function apiBase(pathname: string): string {
  const at = pathname.indexOf("/console");
  return at > 0 ? pathname.slice(0, at) : "";
}

/** `path?query`, leaving out empty values; keys keep their given order. */
export function buildUrl(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === "" || value === false) continue;
    params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

const enc = encodeURIComponent;

/** Called on any 401 (the login expired or was never made). */
let unauthorized: () => void = () => {};
export function onUnauthorized(handler: () => void): void {
  unauthorized = handler;
}

function base(): string {
  return typeof location === "undefined" ? "" : apiBase(location.pathname);
}

async function errorFrom(response: Response): Promise<ApiError> {
  let code = "http_" + response.status;
  let message = response.statusText || `HTTP ${response.status}`;
  try {
    const body = (await response.json()) as { error?: { code?: string; message?: string } };
    if (body?.error?.code) code = body.error.code;
    if (body?.error?.message) message = body.error.message;
  } catch {
    // Not JSON (a proxy's error page): keep the status line.
  }
  return new ApiError(response.status, code, message);
}

async function send(method: string, path: string, query?: Query, body?: unknown): Promise<Response> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (method !== "GET") headers["X-Veil-Console"] = "1";
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response: Response;
  try {
    response = await fetch(base() + buildUrl(path, query), {
      method,
      headers,
      credentials: "same-origin",
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, "network", "Cannot reach the Veil server. Check your connection and retry.");
  }
  if (!response.ok) {
    const error = await errorFrom(response);
    // A wrong key at the login form is the form's business, not a redirect.
    if (response.status === 401 && path !== "/console/login") unauthorized();
    throw error;
  }
  return response;
}

async function json<T>(method: string, path: string, query?: Query, body?: unknown): Promise<T> {
  const response = await send(method, path, query, body);
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  if (!text) return undefined as T;
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new ApiError(0, "bad_response", "The server sent an answer the console cannot read.");
  }
}

/**
 * Reads a response body, reporting bytes so far (recordings can be large).
 * The bytes are counted on a clone while `text()` reads the original:
 * reading the body itself through a stream reader makes Chromium's
 * network log report the request as aborted.
 */
async function readText(response: Response, progress?: (bytes: number) => void): Promise<string> {
  if (!response.body || !progress) return response.text();
  const copy = response.clone();
  const counting = (async () => {
    const reader = copy.body!.getReader();
    let bytes = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      bytes += value.byteLength;
      progress(bytes);
    }
  })().catch(() => {});
  const text = await response.text();
  await counting;
  return text;
}

export const api = {
  login: (key: string) => json<Me>("POST", "/console/login", undefined, { key }),
  logout: () => json<void>("POST", "/console/logout"),
  me: () => json<Me>("GET", "/console/me"),

  sites: () => json<{ sites: Site[] }>("GET", "/v1/sites"),
  pages: (site: string, query: Query) => json<{ pages: PageRow[] }>("GET", `/v1/sites/${enc(site)}/pages`, query),
  clickHeatmap: (site: string, query: Query) =>
    json<ClickHeatmap>("GET", `/v1/sites/${enc(site)}/heatmaps`, { ...query, kind: "click" }),
  scrollHeatmap: (site: string, query: Query) =>
    json<ScrollHeatmap>("GET", `/v1/sites/${enc(site)}/heatmaps`, { ...query, kind: "scroll" }),
  forms: (site: string, query: Query) => json<Forms>("GET", `/v1/sites/${enc(site)}/forms`, query),
  insights: (site: string, query: Query) => json<Insights>("GET", `/v1/sites/${enc(site)}/insights`, query),
  segments: (site: string, query: Query) => json<Segments>("GET", `/v1/sites/${enc(site)}/segments`, query),
  /**
   * A `format=csv` download of an analysis answer (docs/heatmaps.md,
   * docs/forms.md): the same query as the view's, for a plain link (the
   * console cookie goes with a same-origin navigation).
   */
  csvUrl: (site: string, what: "click" | "scroll" | "forms", query: Query) =>
    base() +
    buildUrl(
      `/v1/sites/${enc(site)}/${what === "forms" ? "forms" : "heatmaps"}`,
      what === "forms" ? { ...query, format: "csv" } : { ...query, kind: what, format: "csv" },
    ),
  snapshot: (site: string, page: string, device: string) =>
    json<Snapshot>("GET", `/v1/sites/${enc(site)}/snapshot`, { page, device }),

  sessions: (site: string, query: Query) => json<SessionList>("GET", `/v1/sites/${enc(site)}/sessions`, query),
  async sessionEvents(site: string, session: string, progress?: (bytes: number) => void): Promise<RrwebEvent[]> {
    const response = await send("GET", `/v1/sites/${enc(site)}/sessions/${enc(session)}/events`);
    const text = await readText(response, progress);
    try {
      const events = JSON.parse(text) as unknown;
      if (Array.isArray(events)) return events as RrwebEvent[];
    } catch {
      // fall through
    }
    // The server cuts the stream when the store fails mid-answer, so a
    // broken body means "incomplete", never "shorter recording".
    throw new ApiError(0, "incomplete", "The recording arrived incomplete (the store failed while sending it).");
  },
  report: (site: string, session: string, reason: string) =>
    json<unknown>("POST", `/v1/sites/${enc(site)}/sessions/${enc(session)}/report`, undefined, { reason }),

  reports: (site: string) => json<{ reports: Report[] }>("GET", `/v1/sites/${enc(site)}/reports`),
  review: (site: string, session: string, action: "release" | "erase") =>
    json<unknown>("POST", `/v1/sites/${enc(site)}/sessions/${enc(session)}/review`, undefined, { action }),
  erase: (site: string, visitor: string) =>
    json<ErasureReceipt>("DELETE", `/v1/sites/${enc(site)}/visitors/${enc(visitor)}`),
  exportUrl: (site: string, visitor: string) => `${base()}/v1/sites/${enc(site)}/visitors/${enc(visitor)}/export`,
  audit: (query: Query) => json<{ entries: AuditEntry[] }>("GET", "/v1/audit", query),
  auditUrl: (query: Query) => base() + buildUrl("/v1/audit", query),
  consents: (site: string, query: Query) =>
    json<{ consents: ConsentEntry[] }>("GET", `/v1/sites/${enc(site)}/consents`, query),
  consentsUrl: (site: string, query: Query) => base() + buildUrl(`/v1/sites/${enc(site)}/consents`, query),
};

/** What to tell the user about a failure, by status. */
export function describeError(error: unknown): { title: string; message: string; retry: boolean } {
  if (!(error instanceof ApiError)) {
    return { title: "Something went wrong", message: String((error as Error)?.message ?? error), retry: true };
  }
  switch (error.status) {
    case 0:
      return {
        title: error.code === "network" ? "Server unreachable" : "Incomplete answer",
        message: error.message,
        retry: true,
      };
    case 401:
      return { title: "Signed out", message: "Your console login has expired. Sign in again.", retry: false };
    case 403:
      return { title: "Needs an admin key", message: "This needs an admin key. Sign in with an admin API key.", retry: false };
    case 404:
      return { title: "Not found", message: error.message || "Nothing here.", retry: false };
    case 400:
      return { title: "Check the filters", message: error.message, retry: false };
    case 503:
      return {
        title: "Store unavailable",
        message: "The store is unavailable right now (ClickHouse did not answer). Retry in a moment.",
        retry: true,
      };
    default:
      return { title: `Error ${error.status}`, message: error.message, retry: error.status >= 500 };
  }
}
