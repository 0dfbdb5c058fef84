import { maskedSelector } from "./selector";

export type HeatmapTag = "veil.click" | "veil.scroll" | "veil.form";

/** Receives heatmap readings; `timestamp` is when they happened. */
export type HeatmapEmit = (tag: HeatmapTag, payload: Record<string, unknown>, timestamp: number) => void;

/** Rage: this many clicks … */
export const RAGE_CLICKS = 3;
/** … within this long … */
export const RAGE_WINDOW_MS = 1000;
/** … and this close together (the server uses the same rule, SPEC §6). */
export const RAGE_RADIUS_PX = 30;
/** A click that changed nothing for this long was a dead click. */
export const DEAD_WINDOW_MS = 1000;

const INTERACTIVE =
  'a,button,input,select,textarea,label,summary,[role="button"],[onclick],[contenteditable]:not([contenteditable="false"])';

export function isInteractive(el: Element): boolean {
  try {
    return el.closest(INTERACTIVE) !== null;
  } catch {
    return true;
  }
}

/** Inside a fixed or sticky box the click belongs to the viewport, not the document. */
export function inFixedBox(el: Element, win: Window): boolean {
  for (let node: Element | null = el; node; node = node.parentElement) {
    const position = win.getComputedStyle(node).position;
    if (position === "fixed" || position === "sticky") return true;
  }
  return false;
}

/** Document size the server places clicks against. */
export function documentSize(doc: Document): { w: number; h: number } {
  const root = doc.documentElement;
  return { w: root.scrollWidth, h: root.scrollHeight };
}

interface Pending {
  payload: Record<string, unknown>;
  timestamp: number;
  href: string;
  changed: boolean;
  timer: ReturnType<typeof setTimeout>;
}

/**
 * Clicks with rage and dead flags. A click on something that is not a
 * control is held for a second: if no mutation, scroll or URL change
 * follows, the page ignored it (`dead`). Held clicks are released early,
 * undecided-as-alive, when the page is left or hidden, so they are
 * counted on the page they happened on.
 */
export class ClickTracker {
  private recent: { t: number; x: number; y: number }[] = [];
  private pending: Pending[] = [];
  private observer: MutationObserver | null = null;
  private waiters: (() => void)[] = [];
  private readonly onClick = (e: Event) => this.click(e as MouseEvent);
  private readonly onChange = () => this.pending.forEach((p) => (p.changed = true));

  constructor(
    private readonly win: Window,
    private readonly emit: HeatmapEmit,
    private readonly now: () => number = Date.now,
  ) {}

  start(): void {
    this.win.document.addEventListener("click", this.onClick, { capture: true, passive: true });
  }

  stop(): void {
    this.win.document.removeEventListener("click", this.onClick, { capture: true });
    this.pending.forEach((p) => clearTimeout(p.timer));
    this.pending = [];
    this.recent = [];
    this.unobserve();
    this.wake();
  }

  /** Emits held clicks now, as not dead (the page is being left). */
  release(): void {
    const held = this.pending;
    this.pending = [];
    held.forEach((p) => {
      clearTimeout(p.timer);
      this.emit("veil.click", p.payload, p.timestamp);
    });
    this.unobserve();
    this.wake();
  }

  /** Resolves once every held click has been decided. */
  settled(): Promise<void> {
    if (this.pending.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private click(e: MouseEvent): void {
    // nodeType, not instanceof: the target may come from another realm.
    const target = e.target as Element | null;
    if (!target || target.nodeType !== 1) return;
    const t = this.now();
    const win = this.win;
    // pageX/pageY by definition; computed so that zoomed or synthetic
    // events without page coordinates agree.
    const x = Math.round(e.clientX + win.scrollX);
    const y = Math.round(e.clientY + win.scrollY);
    this.recent = this.recent.filter((c) => t - c.t <= RAGE_WINDOW_MS);
    this.recent.push({ t, x, y });
    const near = this.recent.filter((c) => Math.hypot(c.x - x, c.y - y) <= RAGE_RADIUS_PX);
    const { w, h } = documentSize(win.document);
    const payload: Record<string, unknown> = {
      x,
      y,
      w,
      h,
      vw: win.innerWidth,
      vh: win.innerHeight,
      fixed: false,
      selector: maskedSelector(target),
      rage: near.length >= RAGE_CLICKS,
      dead: false,
    };
    if (inFixedBox(target, win)) {
      payload.fixed = true;
      payload.vx = Math.round(e.clientX);
      payload.vy = Math.round(e.clientY);
    }
    if (isInteractive(target)) {
      this.emit("veil.click", payload, t);
      return;
    }
    const pending: Pending = {
      payload,
      timestamp: t,
      href: win.location.href,
      changed: false,
      timer: setTimeout(() => this.decide(pending), DEAD_WINDOW_MS),
    };
    this.pending.push(pending);
    this.observe();
  }

  private decide(p: Pending): void {
    this.pending = this.pending.filter((q) => q !== p);
    p.payload.dead = !p.changed && this.win.location.href === p.href;
    this.emit("veil.click", p.payload, p.timestamp);
    if (this.pending.length === 0) {
      this.unobserve();
      this.wake();
    }
  }

  private observe(): void {
    if (this.observer) return;
    const Observer = (this.win as unknown as { MutationObserver: typeof MutationObserver }).MutationObserver;
    this.observer = new Observer(this.onChange);
    this.observer.observe(this.win.document, { subtree: true, childList: true, attributes: true, characterData: true });
    // Capture: a scrolling container counts as much as the window.
    this.win.document.addEventListener("scroll", this.onChange, { capture: true, passive: true });
  }

  private unobserve(): void {
    if (!this.observer) return;
    this.observer.disconnect();
    this.observer = null;
    this.win.document.removeEventListener("scroll", this.onChange, { capture: true });
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    waiters.forEach((w) => w());
  }
}
