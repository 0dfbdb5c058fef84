import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  click,
  ENDPOINT,
  FakeServer,
  freshVeil,
  resetPage,
  settle,
  setVisibility,
  storageKeys,
  unloadAll,
} from "./helpers";

vi.mock("@rrweb/record", async () => ({ record: (await import("./fake-rrweb")).fakeRecord }));

let server: FakeServer;

beforeEach(() => {
  resetPage();
  server = new FakeServer();
  vi.stubGlobal("fetch", server.fetch);
  vi.useFakeTimers();
});

afterEach(async () => {
  await unloadAll();
  vi.useRealTimers();
});

async function started(options: Record<string, unknown> = {}) {
  const veil = await freshVeil();
  veil.init({ site: "shop", endpoint: ENDPOINT, compress: false, ...options });
  return veil;
}

describe("before consent", () => {
  it("sends nothing and stores nothing whatever the visitor does", async () => {
    const veil = await started();
    document.body.innerHTML = "<button id=b>Buy</button><p id=p>text</p>";
    click(document.getElementById("b")!);
    click(document.getElementById("p")!);
    window.dispatchEvent(new Event("scroll"));
    veil.identify("user-1");
    setVisibility("hidden");
    window.dispatchEvent(new Event("pagehide"));
    await vi.advanceTimersByTimeAsync(20_000);
    await veil.flush();
    expect(server.fetch).not.toHaveBeenCalled();
    expect(storageKeys()).toEqual([]);
    expect(document.cookie).toBe("");
  });
});

describe("grant", () => {
  it("asks the server for a token with a new visitor id, then stores it", async () => {
    const veil = await started();
    await veil.consent.grant(["recording", "heatmaps"]);
    const [request] = server.seen;
    expect(request.path).toBe("/v1/consent");
    expect(request.method).toBe("POST");
    expect(request.headers["content-type"]).toBe("application/json");
    expect(request.credentials).toBe("omit");
    const body = JSON.parse(request.body as string);
    expect(body).toMatchObject({ site: "shop", purposes: ["recording", "heatmaps"] });
    expect(body.visitor).toMatch(/^[0-9a-f]{32}$/);
    expect(body.cmp).toBeUndefined();
    expect(localStorage.getItem("veil:token")).toBe("v1.tok1.mac");
    expect(localStorage.getItem("veil:visitor")).toBe(body.visitor);
    expect(localStorage.getItem("veil:expires")).toBe("2099-01-01T00:00:00.000Z");
    expect(storageKeys().every((k) => k.startsWith("veil:"))).toBe(true);
  });

  it("sends batches under the token once granted", async () => {
    const veil = await started();
    await veil.consent.grant(["heatmaps"]);
    document.body.innerHTML = "<button id=b>Buy</button>";
    click(document.getElementById("b")!);
    await veil.flush();
    const [ingest] = server.ingests();
    expect(ingest.headers["x-consent-token"]).toBe("v1.tok1.mac");
    expect(server.events().some((e) => e.data.tag === "veil.click")).toBe(true);
  });

  it("stores nothing when the server refuses the consent", async () => {
    server.consentReply = { status: 403, body: { error: { code: "purpose_not_enabled", message: "no" } } };
    const veil = await started();
    await expect(veil.consent.grant(["recording"])).rejects.toMatchObject({ code: "purpose_not_enabled" });
    expect(storageKeys()).toEqual([]);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(server.ingests()).toEqual([]);
  });

  it("does not ask again on the next page when the consent is stored", async () => {
    let veil = await started();
    await veil.consent.grant(["heatmaps"]);
    const visitor = localStorage.getItem("veil:visitor");
    await veil.flush();
    veil.stop();
    server.seen = [];
    veil = await started();
    await veil.consent.grant(["heatmaps"]);
    expect(server.seen.filter((s) => s.path === "/v1/consent")).toEqual([]);
    document.body.innerHTML = "<button id=b>Buy</button>";
    click(document.getElementById("b")!);
    await veil.flush();
    expect(server.ingests()).toHaveLength(1);
    expect(localStorage.getItem("veil:visitor")).toBe(visitor);
  });

  it("narrowing the purposes gets a new token and withdraws the broader one", async () => {
    const veil = await started();
    await veil.consent.grant(["recording", "heatmaps"]);
    await veil.consent.grant(["heatmaps"]);
    await settle();
    const consents = server.seen.filter((s) => s.path === "/v1/consent").map((s) => JSON.parse(s.body as string));
    expect(consents.map((c) => c.purposes)).toEqual([["recording", "heatmaps"], ["heatmaps"]]);
    expect(consents[0].visitor).toBe(consents[1].visitor);
    const withdrawal = server.seen.find((s) => s.path === "/v1/consent/withdraw");
    expect(withdrawal?.headers["x-consent-token"]).toBe("v1.tok1.mac");
    expect(localStorage.getItem("veil:token")).toBe("v1.tok2.mac");
  });

  it("ignores purposes the page did not ask for", async () => {
    const veil = await started({ purposes: ["heatmaps"] });
    await veil.consent.grant(["recording", "heatmaps"]);
    expect(JSON.parse(server.seen[0].body as string).purposes).toEqual(["heatmaps"]);
  });
});

describe("withdrawal", () => {
  it("stops at once, clears every veil key, then tells the server", async () => {
    const veil = await started();
    await veil.consent.grant(["heatmaps"]);
    document.body.innerHTML = "<button id=b>Buy</button>";
    click(document.getElementById("b")!);
    sessionStorage.setItem("unrelated", "kept");
    localStorage.setItem("other", "kept");
    expect(storageKeys().filter((k) => k.startsWith("veil:")).length).toBeGreaterThan(0);

    await veil.consent.withdraw({ erase: true });
    expect(storageKeys()).toEqual(["other", "unrelated"]);
    const withdrawal = server.seen.find((s) => s.path === "/v1/consent/withdraw")!;
    expect(withdrawal.headers["x-consent-token"]).toBe("v1.tok1.mac");
    expect(JSON.parse(withdrawal.body as string)).toEqual({ erase: true });
    expect(withdrawal.keepalive).toBe(true);

    // The buffered click is gone and nothing new is captured.
    click(document.getElementById("b")!);
    setVisibility("hidden");
    await vi.advanceTimersByTimeAsync(30_000);
    expect(server.ingests()).toEqual([]);
    expect(storageKeys()).toEqual(["other", "unrelated"]);
  });

  it("a withdrawal while the server answers the grant keeps no token and withdraws it", async () => {
    let answer!: () => void;
    server.holdConsent = new Promise((resolve) => (answer = resolve));
    const veil = await started();
    const granting = veil.consent.grant(["heatmaps"]);
    await settle();
    expect(server.seen.map((s) => s.path)).toEqual(["/v1/consent"]);
    await veil.consent.withdraw({ erase: true });
    answer();
    await granting;
    await settle();
    expect(storageKeys()).toEqual([]);
    const withdrawal = server.seen.find((s) => s.path === "/v1/consent/withdraw");
    expect(withdrawal?.headers["x-consent-token"]).toBe("v1.tok1.mac");
    expect(JSON.parse(withdrawal?.body as string)).toEqual({ erase: true });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(server.ingests()).toEqual([]);
  });

  it("a withdrawal before the grant was sent means it is never sent", async () => {
    const veil = await started();
    const granting = veil.consent.grant(["heatmaps"]);
    await veil.consent.withdraw({ erase: false });
    await granting;
    expect(server.fetch).not.toHaveBeenCalled();
    expect(storageKeys()).toEqual([]);
  });

  it("still reaches the server after veil.stop()", async () => {
    const veil = await started();
    await veil.consent.grant(["heatmaps"]);
    veil.stop();
    await veil.consent.withdraw({ erase: true });
    expect(server.seen.filter((s) => s.path === "/v1/consent/withdraw")).toHaveLength(1);
    expect(storageKeys()).toEqual([]);
  });

  it("follows a withdrawal made in another tab", async () => {
    const veil = await started();
    await veil.consent.grant(["heatmaps"]);
    localStorage.removeItem("veil:token");
    window.dispatchEvent(new StorageEvent("storage", { key: "veil:token", oldValue: "v1.tok1.mac", newValue: null }));
    expect(storageKeys()).toEqual([]);
    document.body.innerHTML = "<button id=b>Buy</button>";
    click(document.getElementById("b")!);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(server.ingests()).toEqual([]);
    expect(server.seen.filter((s) => s.path === "/v1/consent/withdraw")).toEqual([]);
  });

  it("sends nothing to the server when there was no consent", async () => {
    const veil = await started();
    await veil.consent.withdraw({ erase: true });
    expect(server.fetch).not.toHaveBeenCalled();
  });

  it("an ingest answer consent_revoked counts as a withdrawal", async () => {
    const veil = await started();
    await veil.consent.grant(["heatmaps"]);
    server.ingestReplies = [{ status: 403, body: { error: { code: "consent_revoked", message: "revoked" } } }];
    document.body.innerHTML = "<button id=b>Buy</button>";
    click(document.getElementById("b")!);
    await expect(veil.flush()).rejects.toThrow();
    expect(storageKeys()).toEqual([]);
    click(document.getElementById("b")!);
    await vi.advanceTimersByTimeAsync(30_000);
    expect(server.ingests()).toHaveLength(1);
    expect(server.seen.filter((s) => s.path === "/v1/consent/withdraw")).toEqual([]);
  });
});

describe("Global Privacy Control", () => {
  it("is a refusal: a grant does nothing", async () => {
    Object.defineProperty(navigator, "globalPrivacyControl", { value: true, configurable: true });
    localStorage.setItem("veil:token", "old");
    const veil = await started();
    expect(storageKeys()).toEqual([]);
    await veil.consent.grant(["recording", "heatmaps"]);
    document.body.innerHTML = "<button id=b>Buy</button>";
    click(document.getElementById("b")!);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(server.fetch).not.toHaveBeenCalled();
    expect(storageKeys()).toEqual([]);
  });

  it("can be overridden with honorGpc: false", async () => {
    Object.defineProperty(navigator, "globalPrivacyControl", { value: true, configurable: true });
    const veil = await started({ honorGpc: false });
    await veil.consent.grant(["heatmaps"]);
    expect(server.seen.map((s) => s.path)).toEqual(["/v1/consent"]);
  });
});

describe("init", () => {
  it("refuses bad options", async () => {
    const veil = await freshVeil();
    expect(() => veil.init({ site: "Shop!", endpoint: ENDPOINT })).toThrow(/site/);
    expect(() => veil.init({ site: "shop", endpoint: "veil.example" })).toThrow(/endpoint/);
    expect(() => veil.init({ site: "shop", endpoint: ENDPOINT, sampleRate: 2 })).toThrow(/sampleRate/);
  });

  it("grant before init is an error, not a silent consent", async () => {
    const veil = await freshVeil();
    await expect(veil.consent.grant(["heatmaps"])).rejects.toThrow(/init/);
  });
});
