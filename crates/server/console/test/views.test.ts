// Pure helpers of the views (no DOM needed).
import { describe, expect, it } from "vitest";
import { snapshotOffset, fitScale } from "../src/heatmap/stage";
import { clickLayers, findCell, tooltipText } from "../src/heatmap/overlay";
import { siteSwitchTarget } from "../src/shell";
import { actionTone, detailText } from "../src/views/admin/audit";
import { isVisitorId } from "../src/views/admin/erasure";
import { snapshotDevices } from "../src/views/heatmap";
import { deviceParam, sortPages } from "../src/views/pages";
import { parseHas, sessionsQuery, toggleHas } from "../src/views/sessions";
import type { ClickHeatmap } from "../src/types";

describe("sessions filters", () => {
  it("keeps has-flags known and ordered", () => {
    expect(parseHas("errors, rage,bogus")).toEqual(["rage", "errors"]);
    expect(parseHas(undefined)).toEqual([]);
    expect(toggleHas("rage", "dead")).toBe("rage,dead");
    expect(toggleHas("rage,dead", "rage")).toBe("dead");
  });

  it("builds the API query from the URL", () => {
    const q = sessionsQuery({ from: "2026-11-01", to: "2026-11-30", has: "dead,rage", sort: "duration", limit: "25", offset: "50", device: "mobile", page: "" });
    expect(q).toMatchObject({ from: "2026-11-01", to: "2026-11-30", has: "rage,dead", sort: "duration", limit: 25, offset: 50, device: "mobile", page: undefined });
    expect(sessionsQuery({ limit: "9999", offset: "-3", sort: "x", device: "tv" })).toMatchObject({ limit: 50, offset: 0, sort: "start", device: "all" });
  });
});

describe("pages", () => {
  const rows = [
    { page: "https://a/x", views: 10, clicks: 50, visitors: 8 },
    { page: "https://a/y", views: 30, clicks: 30, visitors: 20 },
    { page: "https://a/z", views: 20, clicks: 10, visitors: 20 },
  ];
  it("sorts by any column", () => {
    expect(sortPages(rows, "views", true).map((r) => r.page)).toEqual(["https://a/y", "https://a/z", "https://a/x"]);
    expect(sortPages(rows, "cpv", true)[0]!.page).toBe("https://a/x");
    expect(sortPages(rows, "page", false)[0]!.page).toBe("https://a/x");
    expect(sortPages(rows, "visitors", true).map((r) => r.page)).toEqual(["https://a/y", "https://a/z", "https://a/x"]);
  });
  it("reads a device filter with a fallback", () => {
    expect(deviceParam("tablet", "desktop")).toBe("tablet");
    expect(deviceParam(undefined, "desktop")).toBe("desktop");
    expect(deviceParam("tv", "all")).toBe("all");
  });
});

describe("heatmap stage", () => {
  it("pauses just after the full snapshot", () => {
    expect(snapshotOffset([{ type: 4, timestamp: 1000 }, { type: 2, timestamp: 1040 }])).toBe(41);
    expect(snapshotOffset([])).toBe(0);
  });
  it("scales down to fit, never up", () => {
    expect(fitScale(1280, 640)).toBe(0.5);
    expect(fitScale(390, 900)).toBe(1);
  });
  it("tries the desktop page first for all devices", () => {
    expect(snapshotDevices("all")).toEqual(["desktop", "tablet", "mobile"]);
    expect(snapshotDevices("mobile")).toEqual(["mobile"]);
  });
  it("hit-tests cells with the drawing's mapping, fixed layer first", () => {
    const data = {
      grid: { cols: 64, row_px: 16 },
      cells: [{ x: 2, y: 3, count: 4, rage: 1, dead: 0 }],
      total: 10,
      fixed: { grid: { cols: 64, row_px: 16 }, cells: [{ x: 2, y: 3, count: 2 }], total: 2, visitors: 1 },
    } as unknown as ClickHeatmap;
    const layers = clickLayers(data, { width: 1280, viewport: { w: 640, h: 720 } });
    expect(layers).toHaveLength(2);
    expect(findCell(layers[0]!, 45, 50)).toMatchObject({ x: 2, y: 3 });
    expect(findCell(layers[0]!, 65, 50)).toBeNull();
    expect(findCell(layers[1]!, 25, 50)).toMatchObject({ count: 2 });
    expect(tooltipText({ cell: data.cells[0]!, fixed: false }, 12)).toBe("4 clicks · 33% of all · 1 rage");
  });
});

describe("admin helpers", () => {
  it("accepts hex and base64url visitor ids only", () => {
    expect(isVisitorId("9f1c6e0a9f1c6e0a9f1c6e0a9f1c6e0a")).toBe(true);
    expect(isVisitorId("q83vEjRWeJq83vEjRWeJqw")).toBe(true);
    expect(isVisitorId("bad id")).toBe(false);
    expect(isVisitorId("short")).toBe(false);
  });
  it("formats audit details and tones", () => {
    expect(detailText({ deleted: { recordings: 3 }, reason: "x" })).toBe('deleted: {"recordings":3}, reason: x');
    expect(detailText(null)).toBe("");
    expect(actionTone("visitor.erase")).toBe("danger");
    expect(actionTone("session.report")).toBe("warn");
    expect(actionTone("recording.read")).toBe("");
  });
  it("keeps the kind of view when switching sites", () => {
    expect(siteSwitchTarget({ name: "replay", site: "a", session: "s", params: {} }, "b")).toBe("#/sites/b/sessions");
    expect(siteSwitchTarget({ name: "admin", site: "a", section: "audit", params: {} }, "b")).toBe("#/sites/b/admin/audit");
    expect(siteSwitchTarget({ name: "heatmap", site: "a", params: { page: "x" } }, "b")).toBe("#/sites/b/pages");
    expect(siteSwitchTarget({ name: "compare", site: "a", params: { page: "x" } }, "b")).toBe("#/sites/b/pages");
    expect(siteSwitchTarget({ name: "insights", site: "a", params: { page: "x" } }, "b")).toBe("#/sites/b/insights");
  });
});
