import { encode } from "@msgpack/msgpack";
import type { PageInfo } from "./batcher";
import { gzipNow, gzipStream } from "./compress";
import { errorCode } from "./consent";
import type { Log } from "./log";
import type { TrafficSource } from "./source";
import type { Compressor, Config } from "./options";

/** Tries per batch before it is dropped. */
export const MAX_TRIES = 5;
/** Browsers cap the bodies of keepalive requests in flight at 64 KiB together. */
export const KEEPALIVE_BYTES = 64 * 1024;
const BACKOFF_BASE_MS = 1000;
const BACKOFF_CAP_MS = 30_000;
/** A server asking for more than this is treated as asking for this. */
const RETRY_AFTER_CAP_MS = 10 * 60_000;

export interface Size {
  w: number;
  h: number;
}

/** A batch waiting to be sent: its envelope fields and events (SPEC §4). */
export interface Draft {
  session: string;
  page: PageInfo;
  viewport: Size;
  document: Size;
  user?: string;
  /** The session's traffic source (docs/segments.md). */
  source?: TrafficSource;
  events: unknown[];
  /** Given when first prepared, kept across retries: the server dedupes by (session, seq). */
  seq?: number;
  body?: Uint8Array;
  encoding?: string | null;
  tries: number;
  fetching: boolean;
  done: Promise<void>;
  resolve: () => void;
  reject: (error: Error) => void;
}

export type DraftInit = Pick<Draft, "session" | "page" | "viewport" | "document" | "user" | "source" | "events">;

export interface TransportDeps {
  config: Config;
  log: Log;
  /** The consent token batches are sent under, read at send time. */
  token(): string | null;
  nextSeq(session: string): number;
  /** Nothing may leave before this time (ms; `minSessionMs`). */
  holdUntil(): number;
  /** The server refused the token itself (withdrawn elsewhere, expired, GPC). */
  refused(code: string): void;
  now?: () => number;
  random?: () => number;
}

type Outcome = { kind: "ok" } | { kind: "retry"; afterMs?: number } | { kind: "drop"; why: string };

/** Token-level refusals: every later batch would be refused too. */
const TOKEN_CODES = new Set(["consent_revoked", "gpc_opt_out", "token_expired", "invalid_token", "missing_token"]);

export function envelope(site: string, d: DraftInit & { seq: number }): Record<string, unknown> {
  const batch: Record<string, unknown> = {
    v: 1,
    site,
    session: d.session,
    seq: d.seq,
    page: d.page,
    viewport: d.viewport,
    document: d.document,
  };
  if (d.user !== undefined) batch.user = d.user;
  if (d.source !== undefined) batch.source = d.source;
  batch.events = d.events;
  return batch;
}

/** `Retry-After` as seconds or an HTTP date; null when absent or unreadable. */
export function retryAfterMs(value: string | null, now: number): number | null {
  if (!value) return null;
  const seconds = Number(value.trim());
  if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds * 1000, RETRY_AFTER_CAP_MS);
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.min(Math.max(0, date - now), RETRY_AFTER_CAP_MS) : null;
}

/** Exponential, with half of it random so many pages do not retry in step. */
export function backoffMs(tries: number, random: () => number): number {
  const base = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** (tries - 1));
  return base / 2 + random() * (base / 2);
}

/**
 * Sends batches in order, one at a time, so the server sees a session's
 * batches as they were cut. Retries what may succeed later (network
 * errors, 429, 5xx), drops what never will (other 4xx).
 */
export class Transport {
  private queue: Draft[] = [];
  private running = false;
  private generation = 0;
  private controller: AbortController | null = null;
  private sleeper: { timer: ReturnType<typeof setTimeout>; wake: () => void } | null = null;
  private keepaliveInFlight = 0;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly compressor: Compressor | null;

  constructor(private readonly deps: TransportDeps) {
    this.now = deps.now ?? Date.now;
    this.random = deps.random ?? Math.random;
    const c = deps.config.compress;
    this.compressor = c === false ? null : (c ?? gzipStream);
  }

  get pending(): number {
    return this.queue.length;
  }

  push(init: DraftInit): Draft {
    let resolve!: () => void;
    let reject!: (error: Error) => void;
    const done = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    // Nobody may be waiting on this batch; its failure is logged, not thrown.
    done.catch(() => {});
    const draft: Draft = { ...init, tries: 0, fetching: false, done, resolve, reject };
    this.queue.push(draft);
    void this.pump();
    return draft;
  }

  /** Settles when every batch queued so far is acknowledged (rejects if one was dropped). */
  drain(): Promise<void> {
    return Promise.all(this.queue.map((d) => d.done)).then(() => undefined);
  }

  /** Forgets every batch at once, aborting the one in flight (withdrawal). */
  clear(reason: string): void {
    this.generation++;
    this.controller?.abort();
    this.controller = null;
    const dropped = this.queue;
    this.queue = [];
    dropped.forEach((d) => d.reject(new Error(reason)));
    this.wake();
  }

  /**
   * The page is being hidden or unloaded: no later tick is guaranteed, so
   * every batch not already in flight leaves now, compressed synchronously,
   * by keepalive fetch while the 64 KiB keepalive budget lasts, else by
   * `sendBeacon`. These are not retried.
   */
  unload(): void {
    const token = this.deps.token();
    if (!token) return;
    for (const d of this.queue.slice()) {
      if (d.fetching) continue;
      this.queue.splice(this.queue.indexOf(d), 1);
      let parts: Part[];
      try {
        parts = this.partsNow(d, d.events, d.seq);
      } catch (error) {
        this.deps.log("batch could not be encoded; dropped", error);
        d.reject(new Error("encode failed"));
        continue;
      }
      Promise.all(parts.map((p) => this.sendNow(p, token))).then(d.resolve, d.reject);
    }
    this.wake();
  }

  private url(): string {
    return `${this.deps.config.endpoint}/v1/ingest`;
  }

  private headers(token: string, encoding: string | null | undefined): Record<string, string> {
    const headers: Record<string, string> = { "Content-Type": "application/msgpack", "X-Consent-Token": token };
    if (encoding) headers["Content-Encoding"] = encoding;
    return headers;
  }

  private async pump(): Promise<void> {
    if (this.running) return;
    this.running = true;
    const generation = this.generation;
    const current = () => generation === this.generation;
    try {
      while (current() && this.queue.length > 0) {
        const d = this.queue[0];
        const hold = this.deps.holdUntil() - this.now();
        if (hold > 0) {
          await this.sleep(hold);
          continue;
        }
        const outcome = await this.attempt(d);
        if (!current() || this.queue[0] !== d) continue;
        if (outcome.kind === "retry" && ++d.tries < MAX_TRIES) {
          await this.sleep(outcome.afterMs ?? backoffMs(d.tries, this.random));
          continue;
        }
        this.queue.shift();
        if (outcome.kind === "ok") {
          d.resolve();
        } else {
          const why = outcome.kind === "drop" ? outcome.why : `gave up after ${MAX_TRIES} tries`;
          this.deps.log(`batch ${d.seq} dropped: ${why}`);
          d.reject(new Error(`veil: batch dropped (${why})`));
        }
      }
    } finally {
      this.running = false;
      if (!current() && this.queue.length > 0) void this.pump();
    }
  }

  private async attempt(d: Draft): Promise<Outcome> {
    const token = this.deps.token();
    if (!token) return { kind: "drop", why: "no consent" };
    if (!d.body) {
      try {
        await this.prepare(d);
      } catch (error) {
        this.deps.log("batch could not be encoded", error);
        return { kind: "drop", why: "encode failed" };
      }
      if (this.queue[0] !== d) return { kind: "drop", why: "taken" };
    }
    const body = d.body as Uint8Array;
    const size = body.byteLength;
    // keepalive lets the request outlive the page, within the shared budget.
    const keepalive = this.keepaliveInFlight + size <= KEEPALIVE_BYTES;
    const controller = typeof AbortController === "function" ? new AbortController() : null;
    this.controller = controller;
    d.fetching = true;
    if (keepalive) this.keepaliveInFlight += size;
    let response: Response;
    try {
      response = await fetch(this.url(), {
        method: "POST",
        headers: this.headers(token, d.encoding),
        body: body as BodyInit,
        keepalive,
        credentials: "omit",
        signal: controller?.signal,
      });
    } catch {
      return { kind: "retry" };
    } finally {
      d.fetching = false;
      if (keepalive) this.keepaliveInFlight -= size;
      if (this.controller === controller) this.controller = null;
    }
    return this.judge(response);
  }

  private async judge(response: Response): Promise<Outcome> {
    const status = response.status;
    if (status === 202) return { kind: "ok" };
    if (status === 429 || status >= 500) {
      // Cross-origin, the header is readable only if the server exposes it.
      return { kind: "retry", afterMs: retryAfterMs(response.headers.get("Retry-After"), this.now()) ?? undefined };
    }
    const code = await errorCode(response);
    if ((status === 401 || status === 403) && TOKEN_CODES.has(code)) this.deps.refused(code);
    return { kind: "drop", why: `${status} ${code}` };
  }

  private async prepare(d: Draft): Promise<void> {
    if (d.seq === undefined) d.seq = this.deps.nextSeq(d.session);
    const raw = encode(envelope(this.deps.config.site, { ...d, seq: d.seq }), { ignoreUndefined: true });
    let compressed = null;
    if (this.compressor) {
      try {
        compressed = await this.compressor(raw);
      } catch (error) {
        this.deps.log("compression failed; sending uncompressed", error);
      }
    }
    d.body = compressed ? compressed.body : raw;
    d.encoding = compressed ? compressed.encoding : null;
  }

  /** Bodies small enough for keepalive, splitting the events where needed. */
  private partsNow(d: Draft, events: unknown[], seq: number | undefined): Part[] {
    if (events === d.events && d.body && d.body.byteLength <= KEEPALIVE_BYTES) {
      return [{ body: d.body, encoding: d.encoding ?? null }];
    }
    const n = seq ?? this.deps.nextSeq(d.session);
    if (d.seq === undefined) d.seq = n;
    const raw = encode(envelope(this.deps.config.site, { ...d, seq: n, events }), { ignoreUndefined: true });
    const part = this.compressor ? gzipNow(raw) : { body: raw, encoding: null };
    if (part.body.byteLength <= KEEPALIVE_BYTES || events.length <= 1) return [part];
    const half = Math.ceil(events.length / 2);
    return [...this.partsNow(d, events.slice(0, half), n), ...this.partsNow(d, events.slice(half), undefined)];
  }

  private async sendNow(part: Part, token: string): Promise<void> {
    const size = part.body.byteLength;
    if (this.keepaliveInFlight + size <= KEEPALIVE_BYTES) {
      this.keepaliveInFlight += size;
      let response: Response | null = null;
      try {
        response = await fetch(this.url(), {
          method: "POST",
          headers: this.headers(token, part.encoding),
          body: part.body as BodyInit,
          keepalive: true,
          credentials: "omit",
        });
      } catch {
        // Over the browser's budget after all, or offline: try the beacon.
      } finally {
        this.keepaliveInFlight -= size;
      }
      if (response) {
        const outcome = await this.judge(response);
        if (outcome.kind !== "ok") throw new Error(`veil: batch not accepted (${response.status})`);
        return;
      }
    }
    if (!this.beacon(part, token)) throw new Error("veil: beacon refused");
  }

  /** A beacon can set no headers: token, format and encoding go in the query. */
  private beacon(part: Part, token: string): boolean {
    if (typeof navigator === "undefined" || typeof navigator.sendBeacon !== "function") return false;
    let url = `${this.url()}?consent=${encodeURIComponent(token)}&format=msgpack`;
    if (part.encoding) url += `&encoding=${part.encoding}`;
    try {
      return navigator.sendBeacon(url, new Blob([part.body as BlobPart], { type: "text/plain" }));
    } catch {
      return false;
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        if (this.sleeper?.wake === wake) this.sleeper = null;
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.sleeper = { timer, wake };
    });
  }

  private wake(): void {
    this.sleeper?.wake();
  }
}

interface Part {
  body: Uint8Array;
  encoding: string | null;
}
