// Segments in the URL and in API queries (pure), and the selector's
// behaviour against a server with and without `…/segments` (happy-dom).
// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { clearSegments, loadSegments, segmentFilter, segmentPicker } from "../src/segment-picker";
import {
  campaignKey,
  campaignOptions,
  isAllVisitors,
  parseCampaignKey,
  segmentLabel,
  segmentOf,
  segmentPatch,
  segmentQuery,
  sessionSource,
  sharedFilters,
  sourceOptions,
} from "../src/segments";
import { state } from "../src/state";
import type { Segments } from "../src/types";

const ANSWER: Segments = {
  k_min: 5,
  sources: [
    { source: "direct", visitors: 7 },
    { source: "search", visitors: 12 },
    { source: "carrier-pigeon", visitors: 99 },
  ],
  campaigns: [
    { param: "utm_source", value: "google", visitors: 7 },
    { param: "utm_campaign", value: "spring", visitors: 9 },
    { param: "utm_source", value: "newsletter", visitors: 11 },
  ],
};

describe("segments in the URL", () => {
  it("reads the source and utm_* parameters, dropping what is not one", () => {
    expect(segmentOf({ source: "search", utm_source: "google", utm_campaign: "spring", page: "x", device: "mobile" })).toEqual({
      source: "search",
      utm: [["utm_campaign", "spring"], ["utm_source", "google"]],
    });
    expect(segmentOf({ source: "carrier-pigeon", "utm_Bad-Name": "x", utm_source: "" })).toEqual({ utm: [] });
    expect(isAllVisitors(segmentOf({ from: "2026-11-01" }))).toBe(true);
  });

  it("reads one side of the comparison by prefix", () => {
    const params = { a_source: "email", b_source: "social", b_utm_medium: "cpc", source: "direct" };
    expect(segmentOf(params, "a_")).toEqual({ source: "email", utm: [] });
    expect(segmentOf(params, "b_")).toEqual({ source: "social", utm: [["utm_medium", "cpc"]] });
  });

  it("turns a segment into API parameters, and back into a URL patch that replaces the old one", () => {
    expect(segmentQuery({ source: "search", utm: [["utm_source", "google"]] })).toEqual({ source: "search", utm_source: "google" });
    expect(segmentQuery({ utm: [] })).toEqual({});
    const params = { page: "p", source: "direct", utm_campaign: "old" };
    expect(segmentPatch(params, { source: "search", utm: [["utm_source", "google"]] })).toEqual({
      source: "search",
      utm_campaign: undefined,
      utm_source: "google",
    });
    expect(segmentPatch(params, { utm: [] })).toEqual({ source: undefined, utm_campaign: undefined });
    expect(segmentPatch({ a_source: "x", source: "direct" }, { utm: [["utm_medium", "email"]] }, "a_")).toEqual({ a_source: undefined, a_utm_medium: "email" });
  });

  it("keys campaigns as name=value pairs", () => {
    expect(campaignKey([["utm_campaign", "spring"], ["utm_source", "google"]])).toBe("utm_campaign=spring&utm_source=google");
    expect(parseCampaignKey("utm_source=google&bogus&utm_campaign=spring")).toEqual([["utm_campaign", "spring"], ["utm_source", "google"]]);
    expect(parseCampaignKey("")).toEqual([]);
  });

  it("labels segments in words", () => {
    expect(segmentLabel({ utm: [] })).toBe("All visitors");
    expect(segmentLabel({ source: "search", utm: [["utm_campaign", "spring"]] })).toBe("Search engines · utm_campaign=spring");
  });

  it("keeps days, device and segment when moving between views", () => {
    expect(sharedFilters({ from: "a", to: "b", device: "mobile", source: "email", utm_source: "x", page: "p", tab: "scroll", offset: "50" })).toEqual({
      from: "a",
      to: "b",
      device: "mobile",
      source: "email",
      utm_source: "x",
    });
  });
});

describe("segment options", () => {
  it("lists known sources by visitors, and the current one when the server did not list it", () => {
    expect(sourceOptions(ANSWER, { utm: [] }).map((o) => o.value)).toEqual(["", "search", "direct"]);
    const withUnlisted = sourceOptions(ANSWER, { source: "email", utm: [] });
    expect(withUnlisted.at(-1)).toMatchObject({ value: "email", unlisted: true });
    expect(sourceOptions(null, { utm: [] })).toEqual([{ value: "", label: "All sources" }]);
  });

  it("lists campaigns grouped by parameter, most visitors first", () => {
    expect(campaignOptions(ANSWER, { utm: [] }).map((o) => o.value)).toEqual([
      "",
      "utm_campaign=spring",
      "utm_source=newsletter",
      "utm_source=google",
    ]);
    expect(campaignOptions(ANSWER, { utm: [["utm_medium", "cpc"]] }).at(-1)).toMatchObject({ value: "utm_medium=cpc", unlisted: true });
  });
});

function respond(status: number, body: unknown) {
  return vi.fn(async () => new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } }));
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe("the segment selector", () => {
  beforeEach(() => {
    clearSegments();
    state.segmentSupport.clear();
  });
  afterEach(() => vi.unstubAllGlobals());

  it("fills both dropdowns from …/segments and reports a choice", async () => {
    const fetch = respond(200, ANSWER);
    vi.stubGlobal("fetch", fetch);
    const chosen: unknown[] = [];
    const el = segmentPicker({ site: "demo", segment: { utm: [] }, query: { from: "2026-11-01", to: "2026-11-30", page: "https://a.example/" }, onChange: (s) => chosen.push(s) });
    expect(el.dataset.state).toBe("loading");
    await settle();
    await settle();
    expect(el.dataset.state).toBe("ready");
    const [url] = fetch.mock.calls[0] as unknown as [string];
    expect(url).toBe("/v1/sites/demo/segments?from=2026-11-01&to=2026-11-30&page=https%3A%2F%2Fa.example%2F");
    const source = el.querySelector<HTMLSelectElement>("#filter-segment-source")!;
    const campaign = el.querySelector<HTMLSelectElement>("#filter-segment-campaign")!;
    expect(source.disabled).toBe(false);
    expect([...source.options].map((o) => o.value)).toEqual(["", "search", "direct"]);
    source.value = "search";
    source.dispatchEvent(new Event("change"));
    campaign.value = "utm_source=google";
    campaign.dispatchEvent(new Event("change"));
    expect(chosen).toEqual([{ source: "search", utm: [] }, { source: undefined, utm: [["utm_source", "google"]] }]);
    expect(state.segmentSupport.get("demo")).toBe(true);
    await expect(segmentFilter("demo", { source: "search", utm: [] })).resolves.toEqual({ query: { source: "search" }, ignored: false });
  });

  it("stays disabled when the server has no segments (404), and views then send no segment", async () => {
    vi.stubGlobal("fetch", respond(404, { error: { code: "not_found", message: "no such endpoint" } }));
    const el = segmentPicker({ site: "demo", segment: { source: "search", utm: [] }, query: {}, onChange: () => {} });
    await settle();
    await settle();
    expect(el.dataset.state).toBe("unsupported");
    expect(el.classList.contains("ignored")).toBe(true);
    expect(el.querySelector<HTMLSelectElement>("#filter-segment-source")!.disabled).toBe(true);
    // The current choice still shows what the URL asked for.
    expect(el.querySelector<HTMLSelectElement>("#filter-segment-source")!.value).toBe("search");
    await expect(segmentFilter("demo", { source: "search", utm: [] })).resolves.toEqual({ query: {}, ignored: true });
    await expect(segmentFilter("demo", { utm: [] })).resolves.toEqual({ query: {}, ignored: false });
  });

  it("probes the server once for a view's segment, and sends it when the probe fails otherwise", async () => {
    const fetch = respond(503, { error: { code: "unavailable", message: "ClickHouse" } });
    vi.stubGlobal("fetch", fetch);
    await expect(segmentFilter("demo", { source: "email", utm: [] }, { from: "2026-11-01" })).resolves.toEqual({ query: { source: "email" }, ignored: false });
    // A failed answer is not cached: the selector asks again.
    await expect(loadSegments("demo", { from: "2026-11-01" })).rejects.toMatchObject({ status: 503 });
    expect(fetch).toHaveBeenCalledTimes(2);
    const el = segmentPicker({ site: "demo", segment: { source: "email", utm: [] }, query: { from: "2026-11-01" }, onChange: () => {} });
    await settle();
    await settle();
    expect(el.dataset.state).toBe("error");
    // Clearing the current choice stays possible.
    expect(el.querySelector<HTMLSelectElement>("#filter-segment-source")!.disabled).toBe(false);
  });

  it("does not ask the server when no segment is chosen", async () => {
    const fetch = respond(200, ANSWER);
    vi.stubGlobal("fetch", fetch);
    await expect(segmentFilter("demo", { utm: [] })).resolves.toEqual({ query: {}, ignored: false });
    expect(fetch).not.toHaveBeenCalled();
  });
});

describe("a session's source", () => {
  it("says where a listed session came from, if the server said", () => {
    expect(sessionSource("search", { utm_source: "google" })).toBe("Search engines · utm_source=google");
    expect(sessionSource("unknown", {})).toBe("Unknown source");
    expect(sessionSource(undefined, undefined)).toBeNull();
    expect(sessionSource("teleport", { utm_medium: "cpc" })).toBe("utm_medium=cpc");
  });
});
