// The page behind a heatmap: the newest recorded snapshot of the page,
// rebuilt by rrweb's Replayer in a sandboxed iframe (scripts never run),
// paused right after the full snapshot, shown whole (the iframe as tall as
// the document) and scaled to fit. Overlays (the heatmap canvas, the scroll
// band) sit on top in document coordinates.

import { h } from "../dom";
import { loadReplayer } from "../lazy";
import type { Snapshot } from "../types";
import { freezeDocument } from "./viewport-units";

/** Canvas limits of browsers (~32k px per side): longer pages are cut there. */
export const MAX_HEIGHT = 30_000;
/** Page widths used when nothing was recorded for a device class. */
export const FALLBACK_WIDTH = { desktop: 1280, tablet: 820, mobile: 390 } as const;

export interface Stage {
  /** The scaled box to put in the layout. */
  el: HTMLElement;
  /** Unscaled box in document coordinates; overlays go in here. */
  inner: HTMLElement;
  width: number;
  height: number;
  viewport: { w: number; h: number };
  snapshot: boolean;
  /** True when the document was taller than MAX_HEIGHT. */
  cut: boolean;
  scale: number;
  fit(available: number): void;
  destroy(): void;
}

const frame = () => new Promise<void>((resolve) => requestAnimationFrame(() => resolve()));
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Fits a document `width` into `available` CSS px, never enlarging. */
export function fitScale(width: number, available: number): number {
  if (width <= 0 || available <= 0) return 1;
  return Math.min(1, available / width);
}

/** Time offset (ms from the first event) just after the full snapshot. */
export function snapshotOffset(events: { type: number; timestamp: number }[]): number {
  if (events.length === 0) return 0;
  const first = events[0]!.timestamp;
  const full = events.find((e) => e.type === 2);
  return (full ? full.timestamp - first : 0) + 1;
}

function box(
  el: HTMLElement,
  inner: HTMLElement,
  width: number,
  height: number,
  snapshot: boolean,
  viewport: { w: number; h: number },
  destroy = () => {},
): Stage {
  const cut = height > MAX_HEIGHT;
  const h2 = Math.min(height, MAX_HEIGHT);
  inner.style.width = `${width}px`;
  inner.style.height = `${h2}px`;
  const stage: Stage = {
    el,
    inner,
    width,
    height: h2,
    viewport,
    snapshot,
    cut,
    scale: 1,
    fit(available: number) {
      stage.scale = fitScale(width, available);
      el.style.width = `${Math.round(width * stage.scale)}px`;
      el.style.height = `${Math.round(h2 * stage.scale)}px`;
      inner.style.transform = stage.scale === 1 ? "" : `scale(${stage.scale})`;
      // Labels on overlays keep their size on screen.
      inner.style.setProperty("--label-scale", String(+(1 / stage.scale).toFixed(3)));
    },
    destroy,
  };
  return stage;
}

/** A blank page (grid paper) when no snapshot was recorded; appended to `host`. */
export function blankStage(host: HTMLElement, width: number, height: number): Stage {
  const inner = h("div", { class: "hm-inner hm-blank" });
  const el = h("div", { class: "hm-stage" }, inner);
  host.append(el);
  return box(el, inner, width, Math.max(height, 600), false, { w: width, h: Math.min(height, 800) });
}

/**
 * Rebuilds the snapshot in a stage appended to `host` (which must be in
 * the document so the iframe gets a document), then measures it. The
 * stage is built in place and never moved afterwards: moving an iframe in
 * the DOM reloads it empty. Rejects (and removes the stage) if rrweb fails.
 */
export async function snapshotStage(host: HTMLElement, snapshot: Snapshot): Promise<Stage> {
  const { Replayer } = await loadReplayer();
  const viewport = snapshot.viewport;
  const replayerRoot = h("div", { class: "hm-replayer" });
  const inner = h("div", { class: "hm-inner" }, replayerRoot);
  const el = h("div", { class: "hm-stage measuring" }, inner);
  inner.style.width = `${viewport.w}px`;
  host.append(el);
  const replayer = new Replayer(snapshot.events as never[], {
    root: replayerRoot,
    // Keep rrweb's defaults that matter here: scripts never run (the
    // iframe is sandboxed "allow-same-origin" only), no canvas replay.
    UNSAFE_replayCanvas: false,
    showWarning: false,
    showDebug: false,
    mouseTail: false,
    triggerFocus: false,
    pauseAnimation: true,
    skipInactive: false,
    insertStyleRules: ["html, body { scroll-behavior: auto !important; }", "* { caret-color: transparent !important; }"],
  });
  const destroy = () => {
    try {
      replayer.destroy();
    } catch {
      // already gone
    }
  };
  try {
    replayer.pause(snapshotOffset(snapshot.events));
    await frame();
    const iframe = replayer.iframe;
    const doc = iframe.contentDocument;
    if (!doc?.documentElement) throw new Error("the snapshot could not be rebuilt");
    iframe.setAttribute("width", String(viewport.w));
    iframe.setAttribute("height", String(viewport.h));
    iframe.setAttribute("tabindex", "-1");
    iframe.setAttribute("title", "Recorded page");
    freezeDocument(doc, viewport.w, viewport.h);
    await Promise.race([doc.fonts?.ready ?? Promise.resolve(), sleep(600)]);
    await frame();
    const root = doc.documentElement;
    const width = Math.max(viewport.w, root.scrollWidth || 0);
    const height = Math.max(viewport.h, root.scrollHeight || 0, doc.body?.scrollHeight || 0);
    const shown = Math.min(height, MAX_HEIGHT);
    iframe.setAttribute("width", String(width));
    iframe.setAttribute("height", String(shown));
    iframe.style.width = `${width}px`;
    iframe.style.height = `${shown}px`;
    // A snapshot taken mid-page restores its scroll offset; the page is
    // shown whole from its top.
    iframe.contentWindow?.scrollTo(0, 0);
    el.classList.remove("measuring");
    return box(el, inner, width, height, true, viewport, destroy);
  } catch (error) {
    destroy();
    el.remove();
    throw error;
  }
}
