import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ClickTracker } from "../src/heatmap";
import { ScrollDepth } from "../src/scroll";
import { click, setDocumentSize, setScroll } from "./helpers";

type Emitted = { tag: string; payload: Record<string, unknown>; t: number };
let emitted: Emitted[];
const emit = (tag: string, payload: Record<string, unknown>, t: number) => emitted.push({ tag, payload, t });

beforeEach(() => {
  vi.useFakeTimers();
  emitted = [];
  document.body.innerHTML = "";
  history.replaceState(null, "", "/");
  setScroll(0);
  setDocumentSize(1280, 4000);
});

afterEach(() => {
  vi.useRealTimers();
});

describe("clicks", () => {
  let tracker: ClickTracker;
  beforeEach(() => {
    tracker = new ClickTracker(window, emit);
    tracker.start();
  });
  afterEach(() => tracker.stop());

  it("places a click on a control in document coordinates, at once", () => {
    document.body.innerHTML = "<main><button id=buy class=primary>Buy</button></main>";
    setScroll(300, 5);
    click(document.getElementById("buy")!, 100, 200);
    expect(emitted).toHaveLength(1);
    expect(emitted[0].tag).toBe("veil.click");
    expect(emitted[0].payload).toEqual({
      x: 105,
      y: 500,
      w: 1280,
      h: 4000,
      vw: window.innerWidth,
      vh: window.innerHeight,
      fixed: false,
      selector: "button#buy",
      rage: false,
      dead: false,
    });
  });

  it("a click inside a fixed or sticky box also carries viewport coordinates", () => {
    document.body.innerHTML = '<header style="position: sticky; top: 0"><nav><a href="#x">Home</a></nav></header>';
    setScroll(900);
    click(document.querySelector("a")!, 40, 20);
    expect(emitted[0].payload).toMatchObject({ fixed: true, x: 40, y: 920, vx: 40, vy: 20 });
    emitted = [];
    document.body.innerHTML = '<div style="position: absolute"><button>ok</button></div>';
    click(document.querySelector("button")!, 40, 20);
    expect(emitted[0].payload.fixed).toBe(false);
    expect(emitted[0].payload).not.toHaveProperty("vx");
  });

  it("flags rage from the third click within 1 s and 30 px", () => {
    document.body.innerHTML = "<button>Pay</button>";
    const b = document.querySelector("button")!;
    click(b, 100, 100);
    vi.advanceTimersByTime(200);
    click(b, 110, 105);
    vi.advanceTimersByTime(200);
    click(b, 95, 110);
    vi.advanceTimersByTime(200);
    click(b, 100, 100);
    expect(emitted.map((e) => e.payload.rage)).toEqual([false, false, true, true]);
  });

  it("no rage when the clicks are far apart in space or time", () => {
    document.body.innerHTML = "<button>Pay</button>";
    const b = document.querySelector("button")!;
    click(b, 100, 100);
    click(b, 200, 100);
    click(b, 300, 100);
    vi.advanceTimersByTime(1100);
    click(b, 300, 100);
    vi.advanceTimersByTime(1100);
    click(b, 300, 100);
    expect(emitted.map((e) => e.payload.rage)).toEqual([false, false, false, false, false]);
  });

  it("a click on plain text that changes nothing is dead, reported after 1 s with its own time", () => {
    document.body.innerHTML = "<p>Just text</p>";
    const t0 = Date.now();
    click(document.querySelector("p")!);
    vi.advanceTimersByTime(999);
    expect(emitted).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(emitted).toHaveLength(1);
    expect(emitted[0].payload.dead).toBe(true);
    expect(emitted[0].t).toBe(t0);
  });

  it("not dead when the DOM changes, the page scrolls or the URL changes within 1 s", async () => {
    document.body.innerHTML = "<p id=a>one</p><p id=b>two</p><p id=c>three</p>";
    click(document.getElementById("a")!);
    await vi.advanceTimersByTimeAsync(100);
    document.getElementById("a")!.textContent = "changed";
    await vi.advanceTimersByTimeAsync(1000);

    click(document.getElementById("b")!);
    await vi.advanceTimersByTimeAsync(100);
    document.dispatchEvent(new Event("scroll"));
    await vi.advanceTimersByTimeAsync(1000);

    click(document.getElementById("c")!);
    history.pushState(null, "", "/elsewhere");
    await vi.advanceTimersByTimeAsync(1000);

    expect(emitted.map((e) => e.payload.dead)).toEqual([false, false, false]);
  });

  it("controls are never dead, even if nothing happens", async () => {
    document.body.innerHTML = '<div role="button"><span>x</span></div><label>l</label><div contenteditable>e</div>';
    click(document.querySelector("span")!);
    click(document.querySelector("label")!);
    click(document.querySelector("[contenteditable]")!);
    expect(emitted.map((e) => e.payload.dead)).toEqual([false, false, false]);
  });

  it("release emits held clicks at once as not dead; stop drops them", () => {
    document.body.innerHTML = "<p>t</p>";
    click(document.querySelector("p")!);
    tracker.release();
    expect(emitted.map((e) => e.payload.dead)).toEqual([false]);
    click(document.querySelector("p")!);
    tracker.stop();
    vi.advanceTimersByTime(2000);
    expect(emitted).toHaveLength(1);
  });
});

describe("scroll depth", () => {
  let depth: ScrollDepth;
  afterEach(() => depth.stop());

  const scrollTo = (y: number) => {
    setScroll(y);
    window.dispatchEvent(new Event("scroll"));
  };

  it("reports the first screen, then the deepest point at most every 500 ms", () => {
    depth = new ScrollDepth(window, emit);
    depth.start();
    expect(emitted.map((e) => e.payload)).toEqual([
      { x: 0, y: 0, w: 1280, h: 4000, vw: window.innerWidth, vh: window.innerHeight, fixed: false },
    ]);
    for (let y = 100; y <= 1000; y += 100) {
      scrollTo(y);
      vi.advanceTimersByTime(50);
    }
    // 500 ms after the first reading: one more, at the deepest point so far.
    expect(emitted).toHaveLength(2);
    expect(emitted[1].payload.y).toBe(1000);
    vi.advanceTimersByTime(1000);
    expect(emitted).toHaveLength(2);
  });

  it("scrolling back up reports nothing; hiding sends the pending reading", () => {
    depth = new ScrollDepth(window, emit);
    depth.start();
    vi.advanceTimersByTime(600);
    scrollTo(2000);
    expect(emitted.map((e) => e.payload.y)).toEqual([0, 2000]);
    vi.advanceTimersByTime(100);
    scrollTo(500);
    vi.advanceTimersByTime(100);
    expect(emitted).toHaveLength(2);
    scrollTo(2500);
    expect(emitted).toHaveLength(2);
    depth.flush();
    expect(emitted.map((e) => e.payload.y)).toEqual([0, 2000, 2500]);
    vi.advanceTimersByTime(1000);
    expect(emitted).toHaveLength(3);
  });

  it("a new page view starts from the top again", () => {
    depth = new ScrollDepth(window, emit);
    setScroll(3000);
    depth.start();
    setScroll(0);
    depth.reset();
    expect(emitted.map((e) => e.payload.y)).toEqual([3000, 0]);
  });
});
