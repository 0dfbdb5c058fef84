import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { resolveOptions } from "../src/options";
import { backoffMs, KEEPALIVE_BYTES, MAX_TRIES, retryAfterMs, Transport, type TransportDeps } from "../src/transport";
import { decodeBody, ENDPOINT, FakeServer } from "./helpers";

let server: FakeServer;
let seq: number;
let refused: string[];

function transport(over: Partial<TransportDeps> = {}, gzip = false): Transport {
  return new Transport({
    config: resolveOptions({ site: "shop", endpoint: ENDPOINT, compress: gzip ? undefined : false }),
    log: () => {},
    token: () => "v1.t.m",
    nextSeq: () => ++seq,
    holdUntil: () => 0,
    refused: (code) => refused.push(code),
    random: () => 0.5,
    ...over,
  });
}

const draft = (events: unknown[] = [{ type: 5, timestamp: 1, data: { tag: "veil.click", payload: {} } }]) => ({
  session: "3f2b8c1e-0000-4000-8000-000000000000",
  page: { url: "https://shop.example/cart", title: "Cart" },
  viewport: { w: 1280, h: 720 },
  document: { w: 1280, h: 4100 },
  events,
});

beforeEach(() => {
  server = new FakeServer();
  vi.stubGlobal("fetch", server.fetch);
  seq = 0;
  refused = [];
});

afterEach(() => {
  vi.useRealTimers();
});

describe("sending", () => {
  it("posts MessagePack with the token, one batch in flight at a time, in order", async () => {
    const answers: ((r: Response) => void)[] = [];
    server.fetch.mockImplementation(
      (_url: RequestInfo | URL, init: RequestInit = {}) =>
        new Promise<Response>((resolve) => {
          server.seen.push({ body: init.body, headers: init.headers } as never);
          answers.push(resolve);
        }),
    );
    const t = transport();
    t.push(draft([{ n: 1 }]));
    t.push(draft([{ n: 2 }]));
    const all = t.drain();
    await vi.waitFor(() => expect(answers).toHaveLength(1));
    await new Promise((r) => setTimeout(r, 20));
    expect(answers).toHaveLength(1);
    answers[0](new Response(null, { status: 202 }));
    await vi.waitFor(() => expect(answers).toHaveLength(2));
    answers[1](new Response(null, { status: 202 }));
    await all;
    const batches = server.seen.map((s) => decodeBody(s.body, null));
    expect(batches.map((b) => [b.seq, (b.events[0] as unknown as { n: number }).n])).toEqual([
      [1, 1],
      [2, 2],
    ]);
    expect(server.seen[0].headers).toMatchObject({ "Content-Type": "application/msgpack", "X-Consent-Token": "v1.t.m" });
    expect(server.seen[0].headers).not.toHaveProperty("Content-Encoding");
  });

  it("gzips with CompressionStream and says so", async () => {
    const t = transport({}, true);
    t.push(draft([{ text: "a".repeat(5000) }]));
    await t.drain();
    const [sent] = server.ingests();
    expect(sent.headers["content-encoding"]).toBe("gzip");
    expect((sent.body as Uint8Array).byteLength).toBeLessThan(1000);
    expect(decodeBody(sent.body, "gzip").events).toEqual([{ text: "a".repeat(5000) }]);
  });

  it("uses a pluggable compressor, and falls back to none when it declines", async () => {
    const zstd = vi.fn(async (data: Uint8Array) => ({ body: data, encoding: "zstd" as const }));
    const t1 = new Transport({
      config: resolveOptions({ site: "shop", endpoint: ENDPOINT, compress: zstd }),
      log: () => {},
      token: () => "tok",
      nextSeq: () => 1,
      holdUntil: () => 0,
      refused: () => {},
    });
    t1.push(draft());
    await t1.drain();
    expect(zstd).toHaveBeenCalledTimes(1);
    expect(server.ingests()[0].headers["content-encoding"]).toBe("zstd");
    const t2 = new Transport({
      config: resolveOptions({ site: "shop", endpoint: ENDPOINT, compress: async () => null }),
      log: () => {},
      token: () => "tok",
      nextSeq: () => 2,
      holdUntil: () => 0,
      refused: () => {},
    });
    t2.push(draft());
    await t2.drain();
    expect(server.ingests()[1].headers).not.toHaveProperty("content-encoding");
  });

  it("waits until minSessionMs has passed", async () => {
    vi.useFakeTimers();
    const start = Date.now();
    const t = transport({ holdUntil: () => start + 3000 });
    t.push(draft());
    await vi.advanceTimersByTimeAsync(2999);
    expect(server.fetch).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(server.ingests()).toHaveLength(1);
  });
});

describe("retries", () => {
  it("honours Retry-After on 503 and 429, keeping the seq", async () => {
    vi.useFakeTimers();
    server.ingestReplies = [
      { status: 503, headers: { "Retry-After": "7" }, body: { error: { code: "unavailable", message: "" } } },
      { status: 429, headers: { "Retry-After": "2" }, body: { error: { code: "rate_limited", message: "" } } },
    ];
    const t = transport();
    t.push(draft());
    const done = t.drain();
    await vi.advanceTimersByTimeAsync(0);
    expect(server.ingests()).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(6999);
    expect(server.ingests()).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(server.ingests()).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1999);
    expect(server.ingests()).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    await done;
    expect(server.batches().map((b) => b.seq)).toEqual([1, 1, 1]);
  });

  it("backs off exponentially on network errors and gives up after MAX_TRIES", async () => {
    vi.useFakeTimers();
    server.ingestReplies = Array(MAX_TRIES).fill("network-error");
    const t = transport();
    t.push(draft());
    const done = t.drain();
    const times: number[] = [];
    server.fetch.mockImplementation(async () => {
      times.push(Date.now());
      throw new TypeError("Failed to fetch");
    });
    const dropped = expect(done).rejects.toThrow(/dropped/);
    await vi.advanceTimersByTimeAsync(120_000);
    await dropped;
    expect(times).toHaveLength(MAX_TRIES);
    const gaps = times.slice(1).map((t, i) => t - times[i]);
    // random() = 0.5: three quarters of 1 s, 2 s, 4 s, 8 s.
    expect(gaps).toEqual([750, 1500, 3000, 6000]);
  });

  it("drops a batch the server calls malformed without retrying, then goes on", async () => {
    vi.useFakeTimers();
    server.ingestReplies = [{ status: 400, body: { error: { code: "malformed_body", message: "" } } }];
    const t = transport();
    const first = t.push(draft());
    const second = t.push(draft());
    await vi.advanceTimersByTimeAsync(60_000);
    await expect(first.done).rejects.toThrow(/400 malformed_body/);
    await expect(second.done).resolves.toBeUndefined();
    expect(server.batches().map((b) => b.seq)).toEqual([1, 2]);
    expect(refused).toEqual([]);
  });

  it("reports refusals of the token itself", async () => {
    server.ingestReplies = [{ status: 401, body: { error: { code: "token_expired", message: "" } } }];
    const t = transport();
    t.push(draft());
    await t.drain().catch(() => {});
    expect(refused).toEqual(["token_expired"]);
  });

  it("backoff and Retry-After parsing", () => {
    expect(backoffMs(1, () => 0)).toBe(500);
    expect(backoffMs(1, () => 1)).toBe(1000);
    expect(backoffMs(10, () => 1)).toBe(30_000);
    expect(retryAfterMs("3", 0)).toBe(3000);
    expect(retryAfterMs(new Date(60_000).toUTCString(), 0)).toBe(60_000);
    expect(retryAfterMs(null, 0)).toBeNull();
    expect(retryAfterMs("soon", 0)).toBeNull();
  });
});

describe("unload", () => {
  it("sends what is queued at once with keepalive, gzipped synchronously", async () => {
    const t = transport({ holdUntil: () => 0 }, true);
    // Not yet started: the pump is async, unload is not.
    t.push(draft([{ n: 1 }]));
    t.unload();
    const [sent] = server.ingests();
    expect(sent.keepalive).toBe(true);
    expect(sent.headers["content-encoding"]).toBe("gzip");
    expect(decodeBody(sent.body, "gzip").events).toEqual([{ n: 1 }]);
  });

  it("falls back to sendBeacon with token, format and encoding in the query", async () => {
    server.fetch.mockImplementation(async () => {
      throw new TypeError("keepalive budget exceeded");
    });
    const t = transport({ token: () => "v1.a+b/c.m" }, true);
    const d = t.push(draft([{ n: 1 }]));
    t.unload();
    await d.done;
    expect(server.beacons).toHaveLength(1);
    const { url, data } = server.beacons[0];
    expect(url.pathname).toBe("/v1/ingest");
    expect(url.searchParams.get("consent")).toBe("v1.a+b/c.m");
    expect(url.searchParams.get("format")).toBe("msgpack");
    expect(url.searchParams.get("encoding")).toBe("gzip");
    expect(data.type).toBe("text/plain");
    const body = new Uint8Array(await data.arrayBuffer());
    expect(decodeBody(body, "gzip").events).toEqual([{ n: 1 }]);
  });

  it("a beacon without compression names no encoding (the server knows no 'none')", () => {
    server.fetch.mockImplementation(async () => {
      throw new TypeError("offline");
    });
    const t = transport();
    t.push(draft());
    t.unload();
    return vi.waitFor(() => {
      expect(server.beacons).toHaveLength(1);
      expect(server.beacons[0].url.searchParams.has("encoding")).toBe(false);
    });
  });

  it("splits a batch too big for keepalive into consecutive seqs", async () => {
    // Incompressible text, so gzip cannot bring it under the limit.
    const noise = (n: number) => Array.from({ length: n }, () => Math.random().toString(36).slice(2)).join("");
    const events = Array.from({ length: 8 }, (_, i) => ({ i, text: noise(2500) }));
    const t = transport({}, true);
    const d = t.push(draft(events));
    t.unload();
    await d.done;
    // The first part takes most of the 64 KiB keepalive budget; the rest go by beacon.
    const [fetched] = server.ingests();
    expect(fetched.keepalive).toBe(true);
    const bodies = [fetched.body as Uint8Array];
    for (const b of server.beacons) bodies.push(new Uint8Array(await b.data.arrayBuffer()));
    expect(bodies.length).toBeGreaterThan(1);
    for (const body of bodies) expect(body.byteLength).toBeLessThanOrEqual(KEEPALIVE_BYTES);
    const batches = bodies.map((body) => decodeBody(body, "gzip"));
    expect(batches.map((b) => b.seq)).toEqual(batches.map((_, i) => i + 1));
    expect(batches.flatMap((b) => b.events.map((e) => (e as unknown as { i: number }).i))).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });
});
