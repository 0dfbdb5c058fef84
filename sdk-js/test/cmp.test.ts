import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { watchGcm } from "../src/cmp/gcm";
import { LOCATOR, watchTcf } from "../src/cmp/tcf";
import { rr, resetFakeRrweb } from "./fake-rrweb";
import { ENDPOINT, FakeServer, freshVeil, resetPage, settle, storageKeys, unloadAll } from "./helpers";

vi.mock("@rrweb/record", async () => ({ record: (await import("./fake-rrweb")).fakeRecord }));

const noLog = () => {};

/** A consent granted on an earlier page (token v1.kept.mac, heatmaps). */
function keepGrant() {
  localStorage.setItem("veil:token", "v1.kept.mac");
  localStorage.setItem("veil:visitor", "0".repeat(32));
  localStorage.setItem("veil:expires", "2099-01-01T00:00:00.000Z");
  localStorage.setItem("veil:purposes", "heatmaps");
}

/** A TCF v2.2 CMP as pages embed it: one `__tcfapi`, listeners told of every change. */
function tcfStub() {
  const listeners = new Map<number, (data: unknown, ok: boolean) => void>();
  let next = 1;
  let data: Record<string, unknown> = { eventStatus: "cmpuishown", gdprApplies: true, tcString: "", purpose: { consents: {} } };
  const api = vi.fn((command: string, _version: number, callback: (d: unknown, ok: boolean) => void, param?: unknown) => {
    if (command === "addEventListener") {
      const id = next++;
      listeners.set(id, callback);
      callback({ ...data, listenerId: id }, true);
    } else if (command === "removeEventListener") {
      listeners.delete(param as number);
      callback(true, true);
    }
  });
  const set = (update: Record<string, unknown>) => {
    data = { ...data, ...update };
    listeners.forEach((cb, id) => cb({ ...data, listenerId: id }, true));
  };
  const consents = (ids: number[]) => Object.fromEntries(ids.map((id) => [id, true]));
  return { api, listeners, set, consents };
}

describe("IAB TCF v2.2 adapter", () => {
  const map = { recording: [1, 8], heatmaps: [1, 8] };

  beforeEach(() => resetPage());

  it("waits while the CMP shows its UI, then grants what the purposes allow, with the TC string as proof", () => {
    const tcf = tcfStub();
    (window as unknown as { __tcfapi: unknown }).__tcfapi = tcf.api;
    const grant = vi.fn();
    const deny = vi.fn();
    watchTcf(window, map, ["recording", "heatmaps"], { grant, deny }, noLog);
    expect(tcf.api).toHaveBeenCalledWith("addEventListener", 2, expect.any(Function));
    expect(grant).not.toHaveBeenCalled();
    expect(deny).not.toHaveBeenCalled();
    tcf.set({ eventStatus: "useractioncomplete", tcString: "CQ-TC", purpose: { consents: tcf.consents([1, 8]) } });
    expect(grant).toHaveBeenCalledWith(["recording", "heatmaps"], { framework: "tcf", proof: "CQ-TC" });
  });

  it("denies when a needed purpose is missing (purpose 1 alone)", () => {
    const tcf = tcfStub();
    (window as unknown as { __tcfapi: unknown }).__tcfapi = tcf.api;
    const grant = vi.fn();
    const deny = vi.fn();
    watchTcf(window, map, ["recording", "heatmaps"], { grant, deny }, noLog);
    tcf.set({ eventStatus: "tcloaded", tcString: "CQ", purpose: { consents: tcf.consents([1, 7, 9]) } });
    expect(grant).not.toHaveBeenCalled();
    expect(deny).toHaveBeenCalledTimes(1);
  });

  it("maps purposes per option and accepts publisher consents", () => {
    const tcf = tcfStub();
    (window as unknown as { __tcfapi: unknown }).__tcfapi = tcf.api;
    const grant = vi.fn();
    watchTcf(window, { recording: [1, 8, 9], heatmaps: [1, 8] }, ["recording", "heatmaps"], { grant, deny: vi.fn() }, noLog);
    tcf.set({ eventStatus: "tcloaded", purpose: { consents: tcf.consents([1]) }, publisher: { consents: tcf.consents([8]) } });
    expect(grant).toHaveBeenLastCalledWith(["heatmaps"], { framework: "tcf", proof: "" });
  });

  it("gives nothing when GDPR does not apply (no consent signal)", () => {
    const tcf = tcfStub();
    (window as unknown as { __tcfapi: unknown }).__tcfapi = tcf.api;
    const grant = vi.fn();
    const deny = vi.fn();
    watchTcf(window, map, ["heatmaps"], { grant, deny }, noLog);
    tcf.set({ eventStatus: "tcloaded", gdprApplies: false, purpose: { consents: tcf.consents([1, 8]) } });
    expect(grant).not.toHaveBeenCalled();
    expect(deny).not.toHaveBeenCalled();
  });

  it("finds a CMP that loads late, and removes its listener when unwatched", () => {
    vi.useFakeTimers();
    try {
      const tcf = tcfStub();
      const grant = vi.fn();
      const unwatch = watchTcf(window, map, ["heatmaps"], { grant, deny: vi.fn() }, noLog);
      vi.advanceTimersByTime(350);
      (window as unknown as { __tcfapi: unknown }).__tcfapi = tcf.api;
      vi.advanceTimersByTime(100);
      expect(tcf.listeners.size).toBe(1);
      unwatch();
      expect(tcf.listeners.size).toBe(0);
      tcf.set({ eventStatus: "useractioncomplete", purpose: { consents: tcf.consents([1, 8]) } });
      expect(grant).not.toHaveBeenCalled();
    } finally {
      vi.useRealTimers();
    }
  });
});

describe("Google Consent Mode v2 adapter", () => {
  beforeEach(() => resetPage());

  function gtag(...args: unknown[]) {
    const w = window as unknown as { dataLayer: unknown[] };
    w.dataLayer = w.dataLayer || [];
    // gtag pushes its `arguments` object, not an array.
    (function (..._: unknown[]) {
      // eslint-disable-next-line prefer-rest-params
      w.dataLayer.push(arguments);
    })(...args);
  }

  it("a default 'denied' only means 'not yet'; an update to granted grants, with the state as proof", () => {
    gtag("consent", "default", { ad_storage: "denied", analytics_storage: "denied" });
    const grant = vi.fn();
    const deny = vi.fn();
    watchGcm(window, ["recording", "heatmaps"], { grant, deny }, noLog);
    expect(grant).not.toHaveBeenCalled();
    expect(deny).not.toHaveBeenCalled();
    gtag("consent", "update", { analytics_storage: "granted" });
    expect(grant).toHaveBeenCalledTimes(1);
    const [purposes, proof] = grant.mock.calls[0];
    expect(purposes).toEqual(["recording", "heatmaps"]);
    expect(proof.framework).toBe("gcm");
    expect(JSON.parse(proof.proof)).toEqual({ ad_storage: "denied", analytics_storage: "granted" });
  });

  it("reads commands already in the dataLayer, and an update to denied withdraws", () => {
    gtag("consent", "default", { analytics_storage: "denied" });
    gtag("consent", "update", { analytics_storage: "granted" });
    const grant = vi.fn();
    const deny = vi.fn();
    watchGcm(window, ["heatmaps"], { grant, deny }, noLog);
    expect(grant).toHaveBeenCalledWith(["heatmaps"], expect.objectContaining({ framework: "gcm" }));
    gtag("consent", "update", { analytics_storage: "denied" });
    expect(deny).toHaveBeenCalledTimes(1);
  });

  it("a regional default 'denied' holds back a global default 'granted'", () => {
    gtag("consent", "default", { analytics_storage: "denied", region: ["ES"] });
    gtag("consent", "default", { analytics_storage: "granted" });
    const grant = vi.fn();
    watchGcm(window, ["heatmaps"], { grant, deny: vi.fn() }, noLog);
    expect(grant).not.toHaveBeenCalled();
    gtag("consent", "update", { analytics_storage: "granted" });
    expect(grant).toHaveBeenCalledTimes(1);
  });

  it("a global default 'granted' grants; other dataLayer traffic is ignored and still pushed", () => {
    const grant = vi.fn();
    watchGcm(window, ["heatmaps"], { grant, deny: vi.fn() }, noLog);
    gtag("event", "page_view");
    (window as unknown as { dataLayer: unknown[] }).dataLayer.push({ event: "gtm.js" });
    expect(grant).not.toHaveBeenCalled();
    gtag("consent", "default", { analytics_storage: "granted" });
    expect(grant).toHaveBeenCalledTimes(1);
    expect((window as unknown as { dataLayer: unknown[] }).dataLayer).toHaveLength(3);
  });

  it("unwatching restores the dataLayer's push", () => {
    const dataLayer: unknown[] = [];
    const push = dataLayer.push;
    (window as unknown as { dataLayer: unknown[] }).dataLayer = dataLayer;
    const grant = vi.fn();
    const unwatch = watchGcm(window, ["heatmaps"], { grant, deny: vi.fn() }, noLog);
    expect(dataLayer.push).not.toBe(push);
    unwatch();
    expect(dataLayer.push).toBe(push);
    gtag("consent", "update", { analytics_storage: "granted" });
    expect(grant).not.toHaveBeenCalled();
  });
});

describe("CMP adapters wired to the recorder", () => {
  let server: FakeServer;
  beforeEach(() => {
    resetPage();
    server = new FakeServer();
    vi.stubGlobal("fetch", server.fetch);
  });
  afterEach(() => unloadAll());

  it("tcf: the grant carries framework and TC string; a later refusal withdraws", async () => {
    const tcf = tcfStub();
    (window as unknown as { __tcfapi: unknown }).__tcfapi = tcf.api;
    const veil = await freshVeil();
    veil.init({ site: "shop", endpoint: ENDPOINT, cmp: "tcf", compress: false });
    await settle();
    expect(server.fetch).not.toHaveBeenCalled();
    tcf.set({ eventStatus: "useractioncomplete", tcString: "CQTEST", purpose: { consents: tcf.consents([1, 8]) } });
    await vi.waitFor(() => expect(localStorage.getItem("veil:token")).toBeTruthy());
    const body = JSON.parse(server.seen[0].body as string);
    expect(body.cmp).toEqual({ framework: "tcf", proof: "CQTEST" });
    tcf.set({ eventStatus: "useractioncomplete", purpose: { consents: {} } });
    await vi.waitFor(() => expect(server.seen.some((s) => s.path === "/v1/consent/withdraw")).toBe(true));
    expect(storageKeys()).toEqual([]);
  });

  it("tcf: a consent kept from an earlier page waits for the CMP before recording", async () => {
    keepGrant();
    const tcf = tcfStub();
    (window as unknown as { __tcfapi: unknown }).__tcfapi = tcf.api;
    const veil = await freshVeil();
    veil.init({ site: "shop", endpoint: ENDPOINT, cmp: "tcf", purposes: ["heatmaps"], compress: false });
    await veil.flush();
    expect(server.ingests()).toEqual([]);
    tcf.set({ eventStatus: "tcloaded", tcString: "CQ", purpose: { consents: tcf.consents([1, 8]) } });
    await settle();
    await veil.flush();
    expect(server.seen.filter((s) => s.path === "/v1/consent")).toEqual([]);
    expect(server.ingests().map((s) => s.headers["x-consent-token"])).toEqual(["v1.kept.mac"]);
  });

  it("gcm: nothing on the default, consent on the update, proof is the consent state", async () => {
    const w = window as unknown as { dataLayer: unknown[] };
    w.dataLayer = [["consent", "default", { analytics_storage: "denied" }]];
    const veil = await freshVeil();
    veil.init({ site: "shop", endpoint: ENDPOINT, cmp: "gcm", compress: false });
    await settle();
    expect(server.fetch).not.toHaveBeenCalled();
    expect(storageKeys()).toEqual([]);
    w.dataLayer.push(["consent", "update", { analytics_storage: "granted" }]);
    await vi.waitFor(() => expect(localStorage.getItem("veil:token")).toBeTruthy());
    const body = JSON.parse(server.seen[0].body as string);
    expect(body.purposes).toEqual(["recording", "heatmaps"]);
    expect(body.cmp.framework).toBe("gcm");
    expect(JSON.parse(body.cmp.proof)).toEqual({ analytics_storage: "granted" });
  });
});

type Listener = (event: { data: unknown; source: unknown }) => void;

/** A window in a frame tree: only what the TCF frame protocol touches. */
class FakeFrame {
  frames: Record<string, unknown> = {};
  readonly parent: FakeFrame;
  readonly top: FakeFrame;
  listeners = new Set<Listener>();
  /** what other frames posted to this one */
  received: unknown[] = [];
  onMessage: ((data: unknown) => void) | null = null;
  constructor(parent?: FakeFrame) {
    this.parent = parent ?? this;
    this.top = parent ? parent.top : this;
  }
  addEventListener(type: string, fn: Listener) {
    if (type === "message") this.listeners.add(fn);
  }
  removeEventListener(type: string, fn: Listener) {
    if (type === "message") this.listeners.delete(fn);
  }
  postMessage(data: unknown) {
    this.received.push(data);
    this.onMessage?.(data);
  }
  /** A message event from `source`, a task later as in a browser. */
  deliver(data: unknown, source: unknown) {
    setTimeout(() => this.listeners.forEach((fn) => fn({ data, source })), 0);
  }
}

interface Call {
  command: string;
  parameter?: unknown;
  version: number;
  callId: string;
}

/**
 * A TCF CMP living in `host` (with its `__tcfapiLocator` child frame),
 * answering `caller`'s posted calls the way the IAB reference stub does.
 */
function frameCmp(host: FakeFrame, caller: FakeFrame, { asString = false } = {}) {
  host.frames[LOCATOR] = {};
  const listeners = new Map<number, string>();
  let next = 1;
  let data: Record<string, unknown> = { eventStatus: "cmpuishown", gdprApplies: true, tcString: "", purpose: { consents: {} } };
  const reply = (callId: string, returnValue: unknown, success = true) => {
    const message = { __tcfapiReturn: { returnValue, success, callId } };
    caller.deliver(asString ? JSON.stringify(message) : message, host);
  };
  host.onMessage = (message) => {
    const call = (message as { __tcfapiCall?: Call }).__tcfapiCall;
    if (!call) return;
    if (call.command === "addEventListener") {
      const id = next++;
      listeners.set(id, call.callId);
      reply(call.callId, { ...data, listenerId: id });
    } else if (call.command === "removeEventListener") {
      reply(call.callId, listeners.delete(call.parameter as number));
    }
  };
  const set = (update: Record<string, unknown>) => {
    data = { ...data, ...update };
    listeners.forEach((callId, id) => reply(callId, { ...data, listenerId: id }));
  };
  return { listeners, set, calls: () => host.received.map((m) => (m as { __tcfapiCall: Call }).__tcfapiCall) };
}

const consents = (ids: number[]) => Object.fromEntries(ids.map((id) => [id, true]));

describe("IAB TCF v2.2 through the __tcfapiLocator frame protocol", () => {
  const map = { recording: [1, 8], heatmaps: [1, 8] };
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("a recorder two frames below the CMP posts __tcfapiCall to the locator's window and hears its answers", () => {
    const top = new FakeFrame();
    const middle = new FakeFrame(top);
    const frame = new FakeFrame(middle);
    const cmp = frameCmp(top, frame);
    const grant = vi.fn();
    const deny = vi.fn();
    watchTcf(frame as unknown as Window, map, ["recording", "heatmaps"], { grant, deny }, noLog);
    expect(middle.received).toEqual([]);
    expect(cmp.calls()).toEqual([{ command: "addEventListener", parameter: undefined, version: 2, callId: expect.any(String) }]);
    vi.advanceTimersByTime(0);
    expect(cmp.listeners.size).toBe(1);
    expect(grant).not.toHaveBeenCalled();
    cmp.set({ eventStatus: "useractioncomplete", tcString: "CQ-FRAME", purpose: { consents: consents([1, 8]) } });
    vi.advanceTimersByTime(0);
    expect(grant).toHaveBeenCalledWith(["recording", "heatmaps"], { framework: "tcf", proof: "CQ-FRAME" });
    cmp.set({ eventStatus: "useractioncomplete", purpose: { consents: {} } });
    vi.advanceTimersByTime(0);
    expect(deny).toHaveBeenCalledTimes(1);
  });

  it("takes the nearest window with a locator, and answers sent as JSON strings", () => {
    const top = new FakeFrame();
    // The middle frame has a locator too: it is the nearest, so it is asked.
    const middle = new FakeFrame(top);
    const inner = new FakeFrame(middle);
    frameCmp(top, inner);
    const cmp = frameCmp(middle, inner, { asString: true });
    const grant = vi.fn();
    watchTcf(inner as unknown as Window, map, ["heatmaps"], { grant, deny: vi.fn() }, noLog);
    expect(top.received).toEqual([]);
    cmp.set({ eventStatus: "tcloaded", tcString: "CQ-S", purpose: { consents: consents([1, 8]) } });
    vi.advanceTimersByTime(0);
    expect(grant).toHaveBeenCalledWith(["heatmaps"], { framework: "tcf", proof: "CQ-S" });
  });

  it("ignores answers from another frame or with a callId it did not make", () => {
    const top = new FakeFrame();
    const frame = new FakeFrame(top);
    const cmp = frameCmp(top, frame);
    const grant = vi.fn();
    watchTcf(frame as unknown as Window, map, ["heatmaps"], { grant, deny: vi.fn() }, noLog);
    const { callId } = cmp.calls()[0];
    const forged = { eventStatus: "useractioncomplete", tcString: "FORGED", purpose: { consents: consents([1, 8]) } };
    const intruder = new FakeFrame(top);
    frame.deliver({ __tcfapiReturn: { returnValue: forged, success: true, callId } }, intruder);
    frame.deliver({ __tcfapiReturn: { returnValue: forged, success: true, callId: "veil-guess-1" } }, top);
    frame.deliver("not json __tcfapiReturn", top);
    vi.advanceTimersByTime(0);
    expect(grant).not.toHaveBeenCalled();
    frame.deliver({ __tcfapiReturn: { returnValue: forged, success: true, callId } }, top);
    vi.advanceTimersByTime(0);
    expect(grant).toHaveBeenCalledTimes(1);
  });

  it("unwatching removes the CMP listener and stops hearing it", () => {
    const top = new FakeFrame();
    const frame = new FakeFrame(top);
    const cmp = frameCmp(top, frame);
    const grant = vi.fn();
    const unwatch = watchTcf(frame as unknown as Window, map, ["heatmaps"], { grant, deny: vi.fn() }, noLog);
    vi.advanceTimersByTime(0);
    unwatch();
    expect(cmp.calls()[1]).toEqual({ command: "removeEventListener", parameter: 1, version: 2, callId: expect.any(String) });
    expect(cmp.listeners.size).toBe(0);
    expect(frame.listeners.size).toBe(0);
    cmp.set({ eventStatus: "useractioncomplete", purpose: { consents: consents([1, 8]) } });
    vi.advanceTimersByTime(0);
    expect(grant).not.toHaveBeenCalled();
  });

  it("a window's own __tcfapi wins over a locator up the chain; no locator anywhere means no call", () => {
    const top = new FakeFrame();
    const frame = new FakeFrame(top);
    const cmp = frameCmp(top, frame);
    const own = tcfStub();
    (frame as unknown as { __tcfapi: unknown }).__tcfapi = own.api;
    watchTcf(frame as unknown as Window, map, ["heatmaps"], { grant: vi.fn(), deny: vi.fn() }, noLog);
    expect(own.listeners.size).toBe(1);
    expect(cmp.calls()).toEqual([]);
    const lonely = new FakeFrame(new FakeFrame());
    const unwatch = watchTcf(lonely as unknown as Window, map, ["heatmaps"], { grant: vi.fn(), deny: vi.fn() }, noLog);
    vi.advanceTimersByTime(60_000);
    expect(lonely.parent.received).toEqual([]);
    unwatch();
  });
});

describe("a CMP that shows up or answers after 10 s", () => {
  const map = { recording: [1, 8], heatmaps: [1, 8] };
  beforeEach(() => {
    resetPage();
    vi.useFakeTimers();
  });
  afterEach(() => vi.useRealTimers());

  it("a __tcfapi installed at 25 s is still found and heard", () => {
    const tcf = tcfStub();
    const grant = vi.fn();
    const unwatch = watchTcf(window, map, ["heatmaps"], { grant, deny: vi.fn() }, noLog);
    vi.advanceTimersByTime(25_000);
    (window as unknown as { __tcfapi: unknown }).__tcfapi = tcf.api;
    vi.advanceTimersByTime(1_000);
    expect(tcf.listeners.size).toBe(1);
    tcf.set({ eventStatus: "useractioncomplete", purpose: { consents: tcf.consents([1, 8]) } });
    expect(grant).toHaveBeenCalledTimes(1);
    unwatch();
  });

  it("a locator frame that appears at 15 s is still used", () => {
    const top = new FakeFrame();
    const frame = new FakeFrame(top);
    const grant = vi.fn();
    watchTcf(frame as unknown as Window, map, ["heatmaps"], { grant, deny: vi.fn() }, noLog);
    vi.advanceTimersByTime(15_000);
    const cmp = frameCmp(top, frame);
    vi.advanceTimersByTime(1_000);
    expect(cmp.calls()).toHaveLength(1);
    cmp.set({ eventStatus: "tcloaded", purpose: { consents: consents([1, 8]) } });
    vi.advanceTimersByTime(0);
    expect(grant).toHaveBeenCalledTimes(1);
  });
});

describe("late CMP answers wired to the recorder", () => {
  let server: FakeServer;
  beforeEach(() => {
    resetPage();
    resetFakeRrweb();
    server = new FakeServer();
    vi.stubGlobal("fetch", server.fetch);
    vi.useFakeTimers();
  });
  afterEach(async () => {
    await unloadAll();
    vi.useRealTimers();
  });

  it("tcf: a consent given 30 s in starts recording", async () => {
    const veil = await freshVeil();
    veil.init({ site: "shop", endpoint: ENDPOINT, cmp: "tcf", compress: false });
    await vi.advanceTimersByTimeAsync(20_000);
    const tcf = tcfStub();
    (window as unknown as { __tcfapi: unknown }).__tcfapi = tcf.api;
    await vi.advanceTimersByTimeAsync(10_000);
    expect(server.fetch).not.toHaveBeenCalled();
    expect(rr.options).toHaveLength(0);
    tcf.set({ eventStatus: "useractioncomplete", tcString: "CQ-LATE", purpose: { consents: tcf.consents([1, 8]) } });
    await vi.waitFor(() => expect(rr.options).toHaveLength(1));
    expect(JSON.parse(server.seen[0].body as string).cmp).toEqual({ framework: "tcf", proof: "CQ-LATE" });
  });

  it("tcf: a refusal 30 s in withdraws a consent kept from an earlier page", async () => {
    keepGrant();
    const veil = await freshVeil();
    veil.init({ site: "shop", endpoint: ENDPOINT, cmp: "tcf", purposes: ["heatmaps"], compress: false });
    await vi.advanceTimersByTimeAsync(30_000);
    expect(storageKeys()).not.toEqual([]);
    const tcf = tcfStub();
    (window as unknown as { __tcfapi: unknown }).__tcfapi = tcf.api;
    await vi.advanceTimersByTimeAsync(1_000);
    tcf.set({ eventStatus: "useractioncomplete", purpose: { consents: {} } });
    await vi.waitFor(() => expect(server.seen.map((s) => s.path)).toContain("/v1/consent/withdraw"));
    expect(server.seen.find((s) => s.path === "/v1/consent/withdraw")?.headers["x-consent-token"]).toBe("v1.kept.mac");
    expect(storageKeys()).toEqual([]);
  });

  it("tcf: after consent, a refusal much later still stops recording", async () => {
    const tcf = tcfStub();
    (window as unknown as { __tcfapi: unknown }).__tcfapi = tcf.api;
    const veil = await freshVeil();
    veil.init({ site: "shop", endpoint: ENDPOINT, cmp: "tcf", compress: false });
    tcf.set({ eventStatus: "useractioncomplete", purpose: { consents: tcf.consents([1, 8]) } });
    await vi.waitFor(() => expect(rr.options).toHaveLength(1));
    await vi.advanceTimersByTimeAsync(60_000);
    tcf.set({ eventStatus: "useractioncomplete", purpose: { consents: {} } });
    await vi.waitFor(() => expect(rr.stops).toBe(1));
    expect(storageKeys()).toEqual([]);
  });

  it("gcm: an update pushed 30 s in grants, and a later one to denied withdraws", async () => {
    const w = window as unknown as { dataLayer: unknown[] };
    w.dataLayer = [["consent", "default", { analytics_storage: "denied" }]];
    const veil = await freshVeil();
    veil.init({ site: "shop", endpoint: ENDPOINT, cmp: "gcm", compress: false });
    await vi.advanceTimersByTimeAsync(30_000);
    w.dataLayer.push(["consent", "update", { analytics_storage: "granted" }]);
    await vi.waitFor(() => expect(rr.options).toHaveLength(1));
    await vi.advanceTimersByTimeAsync(30_000);
    w.dataLayer.push(["consent", "update", { analytics_storage: "denied" }]);
    await vi.waitFor(() => expect(rr.stops).toBe(1));
    expect(storageKeys()).toEqual([]);
  });
});
