import { afterEach, describe, expect, it, vi } from "vitest";
import { api, apiBase, ApiError, buildUrl, describeError, onUnauthorized } from "../src/api";

function respond(status: number, body: unknown) {
  return vi.fn(async () => new Response(body === undefined ? null : JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } }));
}

afterEach(() => {
  vi.unstubAllGlobals();
  onUnauthorized(() => {});
});

describe("urls", () => {
  it("leaves out empty query values", () => {
    expect(buildUrl("/v1/x", { a: "1", b: "", c: undefined, d: null, e: 0, f: false, g: true })).toBe("/v1/x?a=1&e=0&g=true");
    expect(buildUrl("/v1/x")).toBe("/v1/x");
    expect(buildUrl("/v1/h", { page: "https://a.example/p?x=1" })).toBe("/v1/h?page=https%3A%2F%2Fa.example%2Fp%3Fx%3D1");
  });

  it("finds the mount prefix from the console's path", () => {
    expect(apiBase("/console/")).toBe("");
    expect(apiBase("/console")).toBe("");
    expect(apiBase("/veil/console/")).toBe("/veil");
  });
});

describe("requests", () => {
  it("sends GETs with the cookie and without the CSRF header", async () => {
    const fetch = respond(200, { sites: [] });
    vi.stubGlobal("fetch", fetch);
    await api.sites();
    const [url, init] = fetch.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe("/v1/sites");
    expect(init.method).toBe("GET");
    expect(init.credentials).toBe("same-origin");
    expect((init.headers as Record<string, string>)["X-Veil-Console"]).toBeUndefined();
  });

  it("asks for a page's forms with the view's page, device and days", async () => {
    const fetch = respond(200, { forms: [] });
    vi.stubGlobal("fetch", fetch);
    await api.forms("demo", { page: "https://a.example/checkout", device: "mobile", from: "2026-11-01", to: "2026-11-30" });
    const [url] = fetch.mock.calls[0] as unknown as [string];
    expect(url).toBe("/v1/sites/demo/forms?page=https%3A%2F%2Fa.example%2Fcheckout&device=mobile&from=2026-11-01&to=2026-11-30");
  });

  it("asks for insights and segments with the view's filters", async () => {
    const fetch = respond(200, { insights: [] });
    vi.stubGlobal("fetch", fetch);
    await api.insights("demo", { page: undefined, device: "all", from: "2026-11-01", to: "2026-11-30", limit: 200 });
    await api.segments("demo", { from: "2026-11-01", to: "2026-11-30", page: "https://a.example/", device: "mobile" });
    const urls = fetch.mock.calls.map((c) => (c as unknown as [string])[0]);
    expect(urls).toEqual([
      "/v1/sites/demo/insights?device=all&from=2026-11-01&to=2026-11-30&limit=200",
      "/v1/sites/demo/segments?from=2026-11-01&to=2026-11-30&page=https%3A%2F%2Fa.example%2F&device=mobile",
    ]);
  });

  it("builds CSV download links with the view's query and format=csv", () => {
    const q = { page: "https://a.example/cart", device: "desktop", from: "2026-11-01", to: "2026-11-30", source: "search" };
    expect(api.csvUrl("demo", "click", q)).toBe(
      "/v1/sites/demo/heatmaps?page=https%3A%2F%2Fa.example%2Fcart&device=desktop&from=2026-11-01&to=2026-11-30&source=search&kind=click&format=csv",
    );
    expect(api.csvUrl("demo", "scroll", q)).toContain("&kind=scroll&format=csv");
    expect(api.csvUrl("my site", "forms", { page: "p" })).toBe("/v1/sites/my%20site/forms?page=p&format=csv");
  });

  it("sends every non-GET with X-Veil-Console: 1 and a JSON body", async () => {
    const fetch = respond(202, { status: "reported" });
    vi.stubGlobal("fetch", fetch);
    await api.report("demo", "s-1", "e-mail visible");
    await api.erase("demo", "v/1");
    const [url, init] = fetch.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe("/v1/sites/demo/sessions/s-1/report");
    expect(init.method).toBe("POST");
    expect(init.credentials).toBe("same-origin");
    expect(init.headers).toMatchObject({ "X-Veil-Console": "1", "Content-Type": "application/json" });
    expect(JSON.parse(String(init.body))).toEqual({ reason: "e-mail visible" });
    const [url2, init2] = fetch.mock.calls[1] as unknown as [string, RequestInit];
    expect(url2).toBe("/v1/sites/demo/visitors/v%2F1");
    expect(init2.method).toBe("DELETE");
    expect(init2.headers).toMatchObject({ "X-Veil-Console": "1" });
  });

  it("turns error bodies into ApiErrors and reports 401s", async () => {
    vi.stubGlobal("fetch", respond(403, { error: { code: "forbidden", message: "needs the admin role" } }));
    await expect(api.reports("demo")).rejects.toMatchObject({ status: 403, code: "forbidden", message: "needs the admin role" });
    const seen = vi.fn();
    onUnauthorized(seen);
    vi.stubGlobal("fetch", respond(401, { error: { code: "unauthorized", message: "no key" } }));
    await expect(api.me()).rejects.toBeInstanceOf(ApiError);
    expect(seen).toHaveBeenCalledTimes(1);
  });

  it("does not treat a wrong key at the login form as an expired login", async () => {
    const seen = vi.fn();
    onUnauthorized(seen);
    vi.stubGlobal("fetch", respond(401, { error: { code: "unauthorized", message: "bad key" } }));
    await expect(api.login("nope")).rejects.toMatchObject({ status: 401 });
    expect(seen).not.toHaveBeenCalled();
  });

  it("reports a cut replay stream as incomplete, not as a shorter recording", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => new Response('[{"type":4,"data":{},"timestamp":1},{"type":2,', { status: 200 })));
    await expect(api.sessionEvents("demo", "s")).rejects.toMatchObject({ code: "incomplete" });
    vi.stubGlobal("fetch", vi.fn(async () => new Response('[{"type":4,"data":{},"timestamp":1}]', { status: 200 })));
    const progress: number[] = [];
    const events = await api.sessionEvents("demo", "s", (n) => progress.push(n));
    expect(events).toHaveLength(1);
    expect(progress.at(-1)).toBeGreaterThan(0);
  });

  it("says so when the server cannot be reached", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => Promise.reject(new TypeError("Failed to fetch"))));
    await expect(api.sites()).rejects.toMatchObject({ status: 0, code: "network" });
  });
});

describe("error messages", () => {
  it("explains 403 and 503 in the user's terms", () => {
    expect(describeError(new ApiError(403, "forbidden", "x"))).toMatchObject({ title: "Needs an admin key", retry: false });
    expect(describeError(new ApiError(403, "forbidden", "x")).message).toMatch(/needs an admin key/i);
    expect(describeError(new ApiError(503, "unavailable", "x"))).toMatchObject({ title: "Store unavailable", retry: true });
    expect(describeError(new ApiError(503, "unavailable", "x")).message).toMatch(/store is unavailable.*retry/i);
    expect(describeError(new ApiError(400, "bad_request", "limit must be between 1 and 500"))).toMatchObject({ message: "limit must be between 1 and 500", retry: false });
    expect(describeError(new Error("boom"))).toMatchObject({ message: "boom", retry: true });
  });
});
