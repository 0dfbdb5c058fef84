import { describe, expect, it } from "vitest";
import { href, parseRoute, splitHash } from "../src/router";

describe("hash routes", () => {
  it("splits path and parameters", () => {
    expect(splitHash("#/sites/demo/pages?device=mobile&from=2026-11-01")).toEqual({
      segments: ["sites", "demo", "pages"],
      params: { device: "mobile", from: "2026-11-01" },
    });
    expect(splitHash("")).toEqual({ segments: [], params: {} });
  });

  it("parses every view", () => {
    expect(parseRoute("")).toMatchObject({ name: "home" });
    expect(parseRoute("#/login?next=%23%2Fsites")).toMatchObject({ name: "login", params: { next: "#/sites" } });
    expect(parseRoute("#/sites/demo")).toMatchObject({ name: "pages", site: "demo" });
    expect(parseRoute("#/sites/demo/pages")).toMatchObject({ name: "pages", site: "demo" });
    expect(parseRoute("#/sites/demo/heatmap?page=x&tab=scroll")).toMatchObject({ name: "heatmap", site: "demo", params: { page: "x", tab: "scroll" } });
    expect(parseRoute("#/sites/demo/sessions")).toMatchObject({ name: "sessions", site: "demo" });
    expect(parseRoute("#/sites/demo/sessions/abc-123")).toMatchObject({ name: "replay", site: "demo", session: "abc-123" });
    expect(parseRoute("#/sites/demo/compare?page=x&by=segment")).toMatchObject({ name: "compare", site: "demo", params: { page: "x", by: "segment" } });
    expect(parseRoute("#/sites/demo/insights?signal=rage_clicks")).toMatchObject({ name: "insights", site: "demo", params: { signal: "rage_clicks" } });
    expect(parseRoute("#/sites/demo/insights/extra")).toMatchObject({ name: "not_found" });
    expect(parseRoute("#/sites/demo/admin")).toMatchObject({ name: "admin", section: "review" });
    expect(parseRoute("#/sites/demo/admin/audit")).toMatchObject({ name: "admin", section: "audit" });
    expect(parseRoute("#/sites/demo/admin/nope")).toMatchObject({ name: "not_found" });
    expect(parseRoute("#/elsewhere")).toMatchObject({ name: "not_found" });
  });

  it("round-trips page keys with slashes, colons and query characters", () => {
    const page = "https://shop.example/products/:id?variant=a&b=c#x";
    const link = href(["sites", "demo", "heatmap"], { page, device: "mobile", from: undefined, to: "" });
    expect(link.startsWith("#/sites/demo/heatmap?")).toBe(true);
    expect(link).not.toContain("from=");
    expect(parseRoute(link)).toMatchObject({ name: "heatmap", params: { page, device: "mobile" } });
    const replay = href(["sites", "my site", "sessions", "a/b"]);
    expect(parseRoute(replay)).toMatchObject({ name: "replay", site: "my site", session: "a/b" });
  });
});
