import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { MASK_INPUT_OPTIONS, REMOVED_FIELD_SELECTOR } from "../src/masking";
import { rr, resetFakeRrweb, rrwebMove } from "./fake-rrweb";
import {
  click,
  decodeBody,
  ENDPOINT,
  FakeServer,
  freshVeil,
  resetPage,
  setDocumentSize,
  setVisibility,
  storageKeys,
  unloadAll,
} from "./helpers";

vi.mock("@rrweb/record", async () => ({ record: (await import("./fake-rrweb")).fakeRecord }));

let server: FakeServer;

beforeEach(() => {
  resetPage();
  resetFakeRrweb();
  server = new FakeServer();
  vi.stubGlobal("fetch", server.fetch);
  vi.useFakeTimers();
  setDocumentSize(1280, 4100);
  setVisibility("visible");
  document.title = "Cart";
});

afterEach(async () => {
  await unloadAll();
  vi.useRealTimers();
});

async function consented(purposes: ("recording" | "heatmaps")[], options: Record<string, unknown> = {}) {
  const veil = await freshVeil();
  veil.init({ site: "shop", endpoint: ENDPOINT, compress: false, ...options });
  await veil.consent.grant(purposes);
  return veil;
}

function button(): HTMLElement {
  document.body.innerHTML = "<main><button id=buy>Buy</button></main>";
  return document.getElementById("buy")!;
}

describe("batches", () => {
  it("the envelope is SPEC §4's", async () => {
    history.replaceState(null, "", "/cart?x=1");
    const veil = await consented(["heatmaps"]);
    click(button());
    await veil.flush();
    const [batch] = server.batches();
    expect(Object.keys(batch)).toEqual([
      "v",
      "site",
      "session",
      "seq",
      "page",
      "viewport",
      "document",
      "source",
      "events",
    ]);
    expect(batch).toMatchObject({
      v: 1,
      site: "shop",
      seq: 1,
      page: { url: "http://localhost:3000/cart?x=1", title: "Cart" },
      viewport: { w: window.innerWidth, h: window.innerHeight },
      document: { w: 1280, h: 4100 },
      source: { referrer: "direct", utm: {} },
    });
    expect(batch.session).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    for (const event of batch.events) {
      expect(Object.keys(event).sort()).toEqual(["data", "timestamp", "type"]);
      expect(event.type).toBe(5);
      expect(["veil.click", "veil.scroll"]).toContain(event.data.tag);
    }
    const clickEvent = batch.events.find((e) => e.data.tag === "veil.click")!;
    expect(Object.keys(clickEvent.data.payload!)).toEqual(
      expect.arrayContaining(["x", "y", "w", "h", "vw", "vh", "fixed", "selector", "rage", "dead"]),
    );
    expect(server.ingests()[0].headers["content-type"]).toBe("application/msgpack");
  });

  it("are cut every 5 s", async () => {
    await consented(["heatmaps"]);
    const b = button();
    click(b);
    await vi.advanceTimersByTimeAsync(4900);
    expect(server.ingests()).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(100);
    expect(server.ingests()).toHaveLength(1);
    click(b);
    await vi.advanceTimersByTimeAsync(5000);
    expect(server.batches().map((x) => x.seq)).toEqual([1, 2]);
  });

  it("are cut at about 64 KB of events", async () => {
    await consented(["recording"]);
    const big = { type: 3, timestamp: 1, data: { source: 0, texts: [{ id: 1, value: "x".repeat(20_000) }] } };
    rr.emit!(big);
    rr.emit!(big);
    await vi.advanceTimersByTimeAsync(0);
    expect(server.ingests()).toHaveLength(0);
    rr.emit!(big);
    rr.emit!(big);
    await vi.advanceTimersByTimeAsync(0);
    expect(server.ingests()).toHaveLength(1);
    expect(server.batches()[0].events.length).toBe(2 + 4); // Meta + FullSnapshot + 4
  });

  it("seq goes on across page loads of the session (sessionStorage)", async () => {
    let veil = await consented(["heatmaps"]);
    click(button());
    await veil.flush();
    click(button());
    await veil.flush();
    veil.stop();
    veil = await freshVeil();
    veil.init({ site: "shop", endpoint: ENDPOINT, compress: false });
    click(button());
    await veil.flush();
    const batches = server.batches();
    expect(batches.map((b) => b.seq)).toEqual([1, 2, 3]);
    expect(new Set(batches.map((b) => b.session)).size).toBe(1);
  });

  it("every batch of a session carries its landing page's source, never the referrer", async () => {
    history.replaceState(null, "", "/landing?utm_source=Newsletter&utm_medium=email&utm_campaign=Spring%20Sale&q=1");
    Object.defineProperty(document, "referrer", {
      value: "https://www.google.com/search?q=jan+de+vries",
      configurable: true,
    });
    try {
      let veil = await consented(["heatmaps"]);
      click(button());
      await veil.flush();
      // Another page of the same visit: the source is the visit's, not this page's.
      veil.stop();
      history.replaceState(null, "", "/cart");
      Object.defineProperty(document, "referrer", { value: "http://localhost:3000/landing", configurable: true });
      veil = await freshVeil();
      veil.init({ site: "shop", endpoint: ENDPOINT, compress: false });
      click(button());
      await veil.flush();
      const batches = server.batches();
      expect(batches).toHaveLength(2);
      for (const batch of batches) {
        expect((batch as unknown as Record<string, unknown>).source).toEqual({
          referrer: "email",
          utm: { utm_source: "Newsletter", utm_medium: "email", utm_campaign: "Spring Sale" },
        });
        expect(JSON.stringify(batch)).not.toContain("jan+de+vries");
        expect(JSON.stringify(batch)).not.toContain("google.com");
      }
    } finally {
      Object.defineProperty(document, "referrer", { value: "", configurable: true });
    }
  });

  it("a new session begins after 30 idle minutes", async () => {
    const veil = await consented(["heatmaps"]);
    click(button());
    await veil.flush();
    await vi.advanceTimersByTimeAsync(31 * 60_000);
    click(button());
    await vi.advanceTimersByTimeAsync(0);
    click(button());
    await veil.flush();
    const sessions = server.batches().map((b) => [b.session, b.seq] as const);
    expect(sessions[0][0]).not.toBe(sessions[sessions.length - 1][0]);
    expect(sessions[sessions.length - 1][1]).toBe(1);
  });
});

describe("flush", () => {
  it("resolves only once the server acknowledged the batch", async () => {
    const veil = await consented(["heatmaps"]);
    let answer!: (r: Response) => void;
    server.fetch.mockImplementationOnce(() => new Promise<Response>((resolve) => (answer = resolve)));
    click(button());
    let done = false;
    const flushed = veil.flush().then(() => (done = true));
    await vi.advanceTimersByTimeAsync(100);
    expect(done).toBe(false);
    answer(new Response(JSON.stringify({ accepted: 2, dropped: 0 }), { status: 202 }));
    await flushed;
    expect(done).toBe(true);
  });

  it("waits for a held click's dead-click decision and includes it", async () => {
    const veil = await consented(["heatmaps"]);
    document.body.innerHTML = "<p id=t>text</p>";
    click(document.getElementById("t")!);
    const flushed = veil.flush();
    await vi.advanceTimersByTimeAsync(1000);
    await flushed;
    const clicks = server.events().filter((e) => e.data.tag === "veil.click");
    expect(clicks.map((e) => e.data.payload!.dead)).toEqual([true]);
  });
});

describe("identify", () => {
  it("puts the id in following batches and never in storage", async () => {
    const veil = await consented(["heatmaps"]);
    click(button());
    await veil.flush();
    veil.identify("customer-4711");
    click(button());
    await veil.flush();
    const batches = server.batches();
    expect(batches[0]).not.toHaveProperty("user");
    expect(batches[1].user).toBe("customer-4711");
    for (const key of storageKeys()) {
      const value = localStorage.getItem(key) ?? sessionStorage.getItem(key);
      expect(value).not.toContain("4711");
    }
    veil.identify(null);
    click(button());
    await veil.flush();
    expect(server.batches()[2]).not.toHaveProperty("user");
  });
});

describe("hiding the page", () => {
  it("sends the buffer at once with keepalive", async () => {
    await consented(["heatmaps"]);
    click(button());
    setVisibility("hidden");
    const [sent] = server.ingests();
    expect(sent.keepalive).toBe(true);
    expect(decodeBody(sent.body, null).events.some((e) => e.data.tag === "veil.click")).toBe(true);
  });

  it("on pagehide, falls back to a beacon when keepalive fetch fails", async () => {
    await consented(["heatmaps"]);
    click(button());
    server.fetch.mockImplementation(async () => {
      throw new TypeError("keepalive refused");
    });
    window.dispatchEvent(new Event("pagehide"));
    await vi.waitFor(() => expect(server.beacons).toHaveLength(1));
    const { url } = server.beacons[0];
    expect(url.searchParams.get("consent")).toBe("v1.tok1.mac");
    expect(url.searchParams.get("format")).toBe("msgpack");
  });

  it("drops a session shorter than minSessionMs", async () => {
    const veil = await consented(["heatmaps"], { minSessionMs: 10_000 });
    const b = button();
    click(b);
    await vi.advanceTimersByTimeAsync(6000);
    expect(server.ingests()).toHaveLength(0);
    setVisibility("hidden");
    await vi.advanceTimersByTimeAsync(20_000);
    expect(server.ingests()).toHaveLength(0);
    expect(server.beacons).toHaveLength(0);
    setVisibility("visible");
    click(b);
    await veil.flush();
    expect(server.events().filter((e) => e.data.tag === "veil.click")).toHaveLength(1);
  });
});

describe("scope", () => {
  it("records only on matching pages, following SPA navigation", async () => {
    history.replaceState(null, "", "/home");
    const veil = await consented(["heatmaps"], { pages: ["*/checkout*", /\/cart$/] });
    const b = button();
    click(b);
    await veil.flush();
    expect(server.ingests()).toHaveLength(0);
    history.pushState(null, "", "/checkout/step-1");
    click(b);
    history.pushState(null, "", "/about");
    click(b);
    history.pushState(null, "", "/cart");
    click(b);
    await veil.flush();
    const clicksByPage = server
      .batches()
      .map((batch) => [new URL(batch.page.url).pathname, batch.events.filter((e) => e.data.tag === "veil.click").length]);
    expect(clicksByPage).toEqual([
      ["/checkout/step-1", 1],
      ["/cart", 1],
    ]);
  });

  it("sampleRate 0 records nothing, and the draw is kept for the session", async () => {
    const veil = await consented(["heatmaps"], { sampleRate: 0 });
    click(button());
    await vi.advanceTimersByTimeAsync(10_000);
    await veil.flush();
    expect(server.ingests()).toHaveLength(0);
    expect(JSON.parse(sessionStorage.getItem("veil:session")!).sampled).toBe(false);
  });

  it("a session drawn in stays in, whatever later pages draw", async () => {
    const random = vi.spyOn(Math, "random").mockReturnValue(0.2);
    let veil = await consented(["heatmaps"], { sampleRate: 0.5 });
    veil.stop();
    random.mockReturnValue(0.9);
    veil = await freshVeil();
    veil.init({ site: "shop", endpoint: ENDPOINT, compress: false, sampleRate: 0.5 });
    click(button());
    await veil.flush();
    expect(server.ingests().length).toBeGreaterThan(0);
  });
});

describe("purposes", () => {
  it("heatmaps alone: no rrweb, plain custom events", async () => {
    const veil = await consented(["heatmaps"]);
    click(button());
    await veil.flush();
    expect(rr.options).toHaveLength(0);
    const events = server.events();
    expect(events.length).toBeGreaterThan(0);
    expect(events.every((e) => e.type === 5)).toBe(true);
  });

  it("recording: rrweb with Veil's privacy options, heatmap events in its stream", async () => {
    const veil = await consented(["recording", "heatmaps"], { blockSelector: ".ads", maskTextSelector: ".name" });
    expect(rr.options).toHaveLength(1);
    const options = rr.options[0];
    expect(options).toMatchObject({
      maskInputOptions: MASK_INPUT_OPTIONS,
      maskTextSelector: '[data-veil-mask],[contenteditable]:not([contenteditable="false"]),.name',
      blockSelector: `[data-veil-block],${REMOVED_FIELD_SELECTOR},.ads`,
      recordCanvas: false,
      recordCrossOriginIframes: false,
      inlineImages: false,
      collectFonts: false,
    });
    expect(options).not.toHaveProperty("plugins");
    expect(options).not.toHaveProperty("maskAllInputs");
    click(button());
    rrwebMove();
    await veil.flush();
    const types = server.events().map((e) => (e.type === 5 ? e.data.tag : e.type));
    expect(types.slice(0, 2)).toEqual([4, 2]);
    expect(types).toContain("veil.click");
    expect(types).toContain(3);
  });

  it("recording alone sends no heatmap events", async () => {
    const veil = await consented(["recording"]);
    click(button());
    await veil.flush();
    expect(server.events().map((e) => e.type)).toEqual([4, 2]);
  });

  it("navigation cuts the batch and takes a new full snapshot", async () => {
    history.replaceState(null, "", "/a");
    const veil = await consented(["recording"]);
    rrwebMove();
    history.pushState(null, "", "/b");
    rrwebMove();
    window.history.replaceState(null, "", "/b"); // same URL: not a navigation
    await veil.flush();
    const batches = server.batches();
    expect(batches.map((b) => new URL(b.page.url).pathname)).toEqual(["/a", "/b"]);
    expect(batches[1].events.map((e) => e.type)).toEqual([4, 2, 3]);
    expect(rr.snapshots).toBe(2);
  });

  it("withdrawal stops rrweb at once", async () => {
    const veil = await consented(["recording"]);
    await veil.consent.withdraw({ erase: false });
    expect(rr.stops).toBe(1);
    expect(rr.emit).toBeNull();
  });
});
