import { documentSize, type HeatmapEmit } from "./heatmap";

/** At most one reading per this long while the visitor keeps scrolling. */
export const SCROLL_THROTTLE_MS = 500;

/**
 * Scroll depth of one page view: only the deepest point matters (the
 * server keeps "deepest fraction reached"), so a reading is sent only
 * when it grows, throttled, plus the first reading when a page view
 * begins (a visitor who never scrolls still saw the first screen).
 */
export class ScrollDepth {
  private deepest = 0;
  private at = { x: 0, y: 0 };
  private sent = -1;
  private lastSentAt = -Infinity;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly onScroll = () => this.check();

  constructor(
    private readonly win: Window,
    private readonly emit: HeatmapEmit,
    private readonly now: () => number = Date.now,
  ) {}

  start(): void {
    this.win.addEventListener("scroll", this.onScroll, { passive: true });
    this.win.addEventListener("resize", this.onScroll, { passive: true });
    this.check();
  }

  stop(): void {
    this.win.removeEventListener("scroll", this.onScroll);
    this.win.removeEventListener("resize", this.onScroll);
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Sends a reading not sent yet (the page is hidden or left). */
  flush(): void {
    if (this.deepest > this.sent) this.send();
  }

  /** A new page view (SPA navigation): depth starts over. */
  reset(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.deepest = 0;
    this.sent = -1;
    this.lastSentAt = -Infinity;
    this.check();
  }

  private check(): void {
    const bottom = this.win.scrollY + this.win.innerHeight;
    if (bottom <= this.deepest) return;
    this.deepest = bottom;
    this.at = { x: this.win.scrollX, y: this.win.scrollY };
    if (this.timer !== undefined) return;
    const wait = this.lastSentAt + SCROLL_THROTTLE_MS - this.now();
    if (wait <= 0) this.send();
    else this.timer = setTimeout(() => this.send(), wait);
  }

  private send(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const t = this.now();
    const { w, h } = documentSize(this.win.document);
    this.sent = this.deepest;
    this.lastSentAt = t;
    this.emit(
      "veil.scroll",
      { x: Math.round(this.at.x), y: Math.round(this.at.y), w, h, vw: this.win.innerWidth, vh: this.win.innerHeight, fixed: false },
      t,
    );
  }
}
