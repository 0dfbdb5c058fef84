import { describe, expect, it } from "vitest";
import { counts, markerOf, playerSize, position, timeline, viewportOf } from "../src/replay/markers";
import type { RrwebEvent } from "../src/types";

const t0 = 1_795_514_400_000;
const click = (dt: number, extra: Record<string, unknown> = {}): RrwebEvent => ({
  type: 5,
  timestamp: t0 + dt,
  data: { tag: "veil.click", payload: { x: 10, y: 20, selector: "main > button.buy", rage: false, dead: false, ...extra } },
});
const events: RrwebEvent[] = [
  { type: 4, timestamp: t0, data: { href: "https://shop.example/cart?x=1", width: 1280, height: 720 } },
  { type: 2, timestamp: t0 + 5, data: { node: {}, initialOffset: { top: 0, left: 0 } } },
  { type: 3, timestamp: t0 + 900, data: { source: 1, positions: [] } },
  click(1000),
  click(2000, { rage: true }),
  click(3000, { dead: true }),
  { type: 5, timestamp: t0 + 3500, data: { tag: "veil.scroll", payload: { y: 400 } } },
  { type: 6, timestamp: t0 + 4000, data: { plugin: "rrweb/console@1", payload: { level: "error", payload: ['"TypeError: x is undefined"'] } } },
  { type: 6, timestamp: t0 + 4100, data: { plugin: "rrweb/console@1", payload: { level: "log", payload: ["hi"] } } },
  { type: 5, timestamp: t0 + 4500, data: { tag: "veil.error", payload: { message: "checkout failed" } } },
  { type: 4, timestamp: t0 + 8000, data: { href: "https://shop.example/checkout", width: 1280, height: 720 } },
];

describe("replay timeline", () => {
  it("marks clicks, rage and dead clicks, errors and page views", () => {
    const line = timeline(events);
    expect(line.duration).toBe(8000);
    expect(line.markers.map((m) => [m.offset, m.kind])).toEqual([
      [0, "page"],
      [1000, "click"],
      [2000, "rage"],
      [3000, "dead"],
      [4000, "error"],
      [4500, "error"],
      [8000, "page"],
    ]);
    expect(line.markers[0]!.label).toBe("/cart");
    expect(line.markers[1]!.label).toBe("main > button.buy");
    expect(line.markers[5]!.label).toBe("checkout failed");
  });

  it("ignores scroll and other custom events", () => {
    expect(markerOf(events[6]!, t0)).toBeNull();
    expect(markerOf({ type: 5, timestamp: t0, data: { tag: "mine", payload: {} } }, t0)).toBeNull();
  });

  it("counts rage and dead clicks as clicks too", () => {
    expect(counts(timeline(events).markers)).toEqual({ click: 3, rage: 1, dead: 1, error: 2, page: 2 });
  });

  it("positions markers in percent and survives an empty recording", () => {
    expect(position(2000, 8000)).toBe(25);
    expect(position(9000, 8000)).toBe(100);
    expect(position(5, 0)).toBe(0);
    expect(timeline([])).toEqual({ start: 0, end: 0, duration: 0, markers: [] });
  });

  it("sizes the player to the recorded aspect ratio", () => {
    expect(viewportOf(events)).toEqual({ w: 1280, h: 720 });
    expect(playerSize({ w: 1280, h: 720 }, 960, 1000)).toEqual({ width: 960, height: 540 });
    expect(playerSize({ w: 390, h: 844 }, 960, 600)).toEqual({ width: 960, height: 600 });
    expect(playerSize(null, 800, 900)).toEqual({ width: 800, height: 450 });
  });
});
