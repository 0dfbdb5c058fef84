import { gunzipSync } from "node:zlib";
import { decode } from "@msgpack/msgpack";
import { vi } from "vitest";

export interface Seen {
  url: string;
  path: string;
  query: URLSearchParams;
  method: string;
  headers: Record<string, string>;
  body: Uint8Array | string | undefined;
  keepalive: boolean;
  credentials: string | undefined;
}

type Reply = { status: number; body?: unknown; headers?: Record<string, string> } | "network-error";

export const ENDPOINT = "https://veil.example";

/**
 * Stands in for `veil serve`: records every request the recorder makes
 * and answers like the real server unless a test scripts other answers.
 */
export class FakeServer {
  seen: Seen[] = [];
  /** answers for the next ingest requests, in order; then 202 */
  ingestReplies: Reply[] = [];
  consentReply: Reply = {
    status: 201,
    body: { token: "v1.tok.mac", consent_id: "c-1", expires_at: "2099-01-01T00:00:00Z" },
  };
  tokens = 0;
  /** when set, consent answers wait for it */
  holdConsent: Promise<void> | null = null;
  beacons: { url: URL; data: Blob }[] = [];
  beaconAccepted = true;

  constructor() {
    // happy-dom's sendBeacon would really send: catch beacons here instead.
    vi.spyOn(navigator, "sendBeacon").mockImplementation((url: string | URL, data?: BodyInit | null) => {
      this.beacons.push({ url: new URL(String(url)), data: data as Blob });
      return this.beaconAccepted;
    });
  }
  fetch = vi.fn(async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = new URL(String(input));
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries((init.headers ?? {}) as Record<string, string>)) headers[k.toLowerCase()] = v;
    const body = init.body as Uint8Array | string | undefined;
    const seen: Seen = {
      url: url.href,
      path: url.pathname,
      query: url.searchParams,
      method: init.method ?? "GET",
      headers,
      body,
      keepalive: init.keepalive === true,
      credentials: init.credentials,
    };
    this.seen.push(seen);
    let reply: Reply;
    if (url.pathname === "/v1/consent") {
      if (this.holdConsent) await this.holdConsent;
      reply = this.consentReply;
      if (reply !== "network-error" && reply.status === 201) {
        this.tokens++;
        reply = { ...reply, body: { ...(reply.body as object), token: `v1.tok${this.tokens}.mac` } };
      }
    } else if (url.pathname === "/v1/consent/withdraw") {
      reply = { status: 200, body: { consent_id: "c-1", withdrawn: true } };
    } else {
      reply = this.ingestReplies.shift() ?? { status: 202, body: { accepted: 1, dropped: 0 } };
    }
    if (init.signal?.aborted) throw new DOMException("aborted", "AbortError");
    if (reply === "network-error") throw new TypeError("Failed to fetch");
    return new Response(reply.body === undefined ? null : JSON.stringify(reply.body), {
      status: reply.status,
      headers: { "Content-Type": "application/json", ...(reply.headers ?? {}) },
    });
  });

  ingests(): Seen[] {
    return this.seen.filter((s) => s.path === "/v1/ingest");
  }

  batches(): Batch[] {
    return this.ingests().map((s) => decodeBody(s.body, s.headers["content-encoding"] ?? s.query.get("encoding")));
  }

  events(): Event[] {
    return this.batches().flatMap((b) => b.events);
  }
}

export interface Event {
  type: number;
  timestamp: number;
  data: { tag?: string; payload?: Record<string, unknown> } & Record<string, unknown>;
}

export interface Batch {
  v: number;
  site: string;
  session: string;
  seq: number;
  page: { url: string; title: string };
  viewport: { w: number; h: number };
  document: { w: number; h: number };
  user?: string;
  events: Event[];
}

export function decodeBody(body: unknown, encoding: string | null | undefined): Batch {
  let bytes = body instanceof Uint8Array ? body : new Uint8Array(body as ArrayBuffer);
  if (encoding === "gzip") bytes = new Uint8Array(gunzipSync(bytes));
  return decode(bytes) as Batch;
}

export function storageKeys(): string[] {
  const keys: string[] = [];
  for (const s of [localStorage, sessionStorage]) {
    for (let i = 0; i < s.length; i++) keys.push(s.key(i) as string);
  }
  return keys.sort();
}

type VeilModule = typeof import("../src/index");
const loaded: VeilModule[] = [];

/** A fresh copy of the package (its module state is per page). */
export async function freshVeil(): Promise<VeilModule> {
  vi.resetModules();
  const veil = await import("../src/index");
  loaded.push(veil);
  return veil;
}

/**
 * Earlier "pages" must not keep listening to this test's document: each
 * is withdrawn (which stops everything at once, timers and queue too).
 */
export async function unloadAll(): Promise<void> {
  for (const veil of loaded.splice(0)) await veil.consent.withdraw().catch(() => {});
}

export function resetPage(): void {
  localStorage.clear();
  sessionStorage.clear();
  document.body.innerHTML = "";
  history.replaceState(null, "", "/");
  Object.defineProperty(navigator, "globalPrivacyControl", { value: undefined, configurable: true });
  delete (window as unknown as Record<string, unknown>).__tcfapi;
  delete (window as unknown as Record<string, unknown>).dataLayer;
}

export function click(el: Element, clientX = 10, clientY = 10): void {
  el.dispatchEvent(new MouseEvent("click", { bubbles: true, clientX, clientY }));
}

export function setScroll(y: number, x = 0): void {
  Object.defineProperty(window, "scrollY", { value: y, configurable: true });
  Object.defineProperty(window, "scrollX", { value: x, configurable: true });
}

export function setDocumentSize(w: number, h: number): void {
  Object.defineProperty(document.documentElement, "scrollWidth", { value: w, configurable: true });
  Object.defineProperty(document.documentElement, "scrollHeight", { value: h, configurable: true });
}

export function setVisibility(state: "hidden" | "visible"): void {
  Object.defineProperty(document, "visibilityState", { value: state, configurable: true });
  document.dispatchEvent(new Event("visibilitychange"));
}

/** Lets pending promise callbacks run (fetch answers, response bodies). */
export async function settle(rounds = 10): Promise<void> {
  for (let i = 0; i < rounds; i++) await Promise.resolve();
}
