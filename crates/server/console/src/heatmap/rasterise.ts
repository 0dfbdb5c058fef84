// The PNG export's browser half: the recorded page (rrweb's rebuilt
// document in the stage's sandboxed iframe) serialised into an SVG
// <foreignObject> and drawn to a canvas, the heatmap canvas composited on
// top (png.ts), and the picture saved through canvas.toBlob and an object
// URL.
//
// An SVG image loads nothing from outside, so what the page needs is
// inlined first: style sheets as <style> text, images as data: URLs
// (painted from the loaded <img> elements; an image from another origin
// cannot be read back and becomes a grey placeholder). If the page still
// cannot be drawn, or the drawing would taint the canvas (a browser that
// treats foreignObject as cross-origin), the background is a wireframe
// of the page's element boxes instead: the export never fails for the
// page's sake.

import { composeExport, exportSize, type Background, type Box, type ExportSize } from "./png";

const PLACEHOLDER =
  "data:image/svg+xml;charset=utf-8," +
  encodeURIComponent('<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"><rect width="8" height="8" fill="#e2e8f0"/></svg>');
/** Images larger than this (per side) are inlined scaled down. */
const MAX_IMAGE_SIDE = 2048;
const LOAD_TIMEOUT_MS = 15_000;
const MAX_BOXES = 6000;
/** Elements looked at for the wireframe (each costs a style computation). */
const MAX_ELEMENTS = 20_000;

export interface PageExport {
  blob: Blob;
  size: ExportSize;
  background: "page" | "wireframe";
  /** Why the wireframe was used, when it was. */
  reason?: string;
}

function canvas(width: number, height: number): HTMLCanvasElement {
  const c = document.createElement("canvas");
  c.width = width;
  c.height = height;
  return c;
}

/** A loaded image as a data: URL, or null when it cannot be read back (another origin, not loaded). */
function imageData(img: HTMLImageElement): string | null {
  if (!img.complete || img.naturalWidth === 0 || img.naturalHeight === 0) return null;
  const ratio = Math.min(1, MAX_IMAGE_SIDE / Math.max(img.naturalWidth, img.naturalHeight));
  const c = canvas(Math.max(1, Math.round(img.naturalWidth * ratio)), Math.max(1, Math.round(img.naturalHeight * ratio)));
  try {
    c.getContext("2d")!.drawImage(img, 0, 0, c.width, c.height);
    return c.toDataURL("image/png");
  } catch {
    return null;
  }
}

/** The text of a style sheet the page can read (same origin, or rebuilt by rrweb), else null. */
function sheetText(sheet: CSSStyleSheet): string | null {
  try {
    return [...sheet.cssRules].map((r) => r.cssText).join("\n");
  } catch {
    return null;
  }
}

/**
 * A self-contained copy of `doc` as XHTML: no scripts or frames, every
 * readable style sheet as <style>, images as data: URLs or placeholders.
 */
export function inlineDocument(doc: Document): string {
  const root = doc.documentElement.cloneNode(true) as HTMLElement;
  root.querySelectorAll("script, noscript, iframe, frame, object, embed, audio, video, link:not([rel~='stylesheet'])").forEach((el) => {
    if (el.localName === "iframe" || el.localName === "video" || el.localName === "object" || el.localName === "embed") {
      // Keep the box the page laid out, empty.
      const box = doc.createElement("div");
      box.setAttribute("style", `${el.getAttribute("style") ?? ""};background:#e2e8f0;display:inline-block`);
      for (const a of ["class", "width", "height"]) if (el.hasAttribute(a)) box.setAttribute(a, el.getAttribute(a)!);
      el.replaceWith(box);
    } else {
      el.remove();
    }
  });
  // Linked style sheets (rrweb rebuilds most as <style> already).
  const links = [...doc.querySelectorAll<HTMLLinkElement>("link[rel~='stylesheet']")];
  const copies = [...root.querySelectorAll<HTMLLinkElement>("link[rel~='stylesheet']")];
  links.forEach((link, i) => {
    const text = link.sheet ? sheetText(link.sheet) : null;
    const copy = copies[i];
    if (!copy) return;
    if (text === null) copy.remove();
    else {
      const style = doc.createElement("style");
      style.textContent = text;
      copy.replaceWith(style);
    }
  });
  // Constructed sheets (adoptedStyleSheets) are not in the DOM at all.
  const adopted = (doc as Document & { adoptedStyleSheets?: CSSStyleSheet[] }).adoptedStyleSheets ?? [];
  if (adopted.length) {
    const style = doc.createElement("style");
    style.textContent = adopted.map((s) => sheetText(s) ?? "").join("\n");
    (root.querySelector("head") ?? root).append(style);
  }
  const images = [...doc.querySelectorAll("img")];
  root.querySelectorAll("img").forEach((copy, i) => {
    const data = images[i] ? imageData(images[i]!) : null;
    copy.removeAttribute("srcset");
    copy.removeAttribute("loading");
    copy.setAttribute("src", data ?? PLACEHOLDER);
  });
  const pictures = [...doc.querySelectorAll("canvas")];
  root.querySelectorAll("canvas").forEach((copy, i) => {
    let data: string | null = null;
    try {
      data = pictures[i]?.toDataURL("image/png") ?? null;
    } catch {
      data = null;
    }
    const img = doc.createElement("img");
    for (const a of ["class", "style", "width", "height"]) if (copy.hasAttribute(a)) img.setAttribute(a, copy.getAttribute(a)!);
    img.setAttribute("src", data ?? PLACEHOLDER);
    copy.replaceWith(img);
  });
  // The serialiser declares the XHTML namespace itself; a recorded
  // `xmlns` attribute next to it would make the XML invalid.
  root.removeAttribute("xmlns");
  return new XMLSerializer().serializeToString(root);
}

/** The SVG document drawing `xhtml` at `width` × `height` CSS px. */
export function svgOf(xhtml: string, width: number, height: number): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">` +
    `<foreignObject x="0" y="0" width="${width}" height="${height}">${xhtml}</foreignObject></svg>`
  );
}

function loadImage(url: string): Promise<HTMLImageElement> {
  return new Promise((resolve, reject) => {
    const img = new Image();
    const timer = setTimeout(() => reject(new Error("the page took too long to draw")), LOAD_TIMEOUT_MS);
    img.onload = () => {
      clearTimeout(timer);
      resolve(img);
    };
    img.onerror = () => {
      clearTimeout(timer);
      reject(new Error("the browser could not draw the serialised page"));
    };
    img.src = url;
  });
}

/** Whether drawing `img` leaves a canvas readable (false: it would taint the export). */
function readable(img: HTMLImageElement): boolean {
  const probe = canvas(1, 1);
  const ctx = probe.getContext("2d");
  if (!ctx) return false;
  try {
    ctx.drawImage(img, 0, 0, 1, 1);
    ctx.getImageData(0, 0, 1, 1);
    return true;
  } catch {
    return false;
  }
}

/** The boxes of a document's visible elements, in document CSS px (the page shown from its top). */
export function wireframeBoxes(doc: Document | null): Box[] {
  const win = doc?.defaultView;
  if (!doc?.body || !win) return [];
  const boxes: Box[] = [];
  const sx = win.scrollX;
  const sy = win.scrollY;
  let seen = 0;
  for (const el of doc.body.querySelectorAll<HTMLElement>("*")) {
    if (boxes.length >= MAX_BOXES || ++seen > MAX_ELEMENTS) break;
    const r = el.getBoundingClientRect();
    if (r.width < 2 || r.height < 2) continue;
    const style = win.getComputedStyle(el);
    if (style.visibility === "hidden" || style.display === "none" || Number(style.opacity) === 0) continue;
    const tag = el.localName;
    let kind: Box["kind"] | null = null;
    if (["img", "svg", "video", "canvas", "picture", "iframe"].includes(tag) || style.backgroundImage.includes("url(")) kind = "media";
    else if (["input", "button", "select", "textarea"].includes(tag) || (tag === "a" && style.display !== "inline")) kind = "control";
    else if ([...el.childNodes].some((n) => n.nodeType === 3 && n.textContent!.trim() !== "")) kind = "text";
    else if (style.borderTopWidth !== "0px" || (style.backgroundColor !== "rgba(0, 0, 0, 0)" && style.backgroundColor !== "transparent")) kind = "block";
    if (kind) boxes.push({ x: r.left + sx, y: r.top + sy, w: r.width, h: r.height, kind });
  }
  return boxes;
}

/** The page background: the rasterised document, or why not. */
async function pageBackground(iframe: HTMLIFrameElement | null, width: number, height: number): Promise<Background<CanvasImageSource> & { reason?: string }> {
  const doc = iframe?.contentDocument ?? null;
  if (!doc?.documentElement) return { kind: "wireframe", boxes: [], reason: "no recorded page" };
  try {
    const image = await loadImage("data:image/svg+xml;charset=utf-8," + encodeURIComponent(svgOf(inlineDocument(doc), width, height)));
    if (!readable(image)) return { kind: "wireframe", boxes: wireframeBoxes(doc), reason: "the browser does not let a drawn page be read back" };
    return { kind: "page", image };
  } catch (error) {
    return { kind: "wireframe", boxes: wireframeBoxes(doc), reason: String((error as Error)?.message ?? error) };
  }
}

function toBlob(c: HTMLCanvasElement): Promise<Blob> {
  return new Promise((resolve, reject) => {
    try {
      c.toBlob((blob) => (blob ? resolve(blob) : reject(new Error("the browser could not encode the PNG"))), "image/png");
    } catch (error) {
      reject(error);
    }
  });
}

export interface HeatmapPicture {
  /** The stage's iframe (rrweb's rebuilt page), or null for a blank stage. */
  iframe: HTMLIFrameElement | null;
  /** The heatmap canvas, document CSS px. */
  heatmap: HTMLCanvasElement;
  /** The stage's document size in CSS px. */
  width: number;
  height: number;
  dim: boolean;
}

/** Draws the picture and encodes it; falls back to the wireframe if the page's picture taints the canvas. */
export async function renderHeatmapPng(p: HeatmapPicture): Promise<PageExport> {
  const size = exportSize(p.width, p.height, 1);
  const document_ = { width: p.width, height: p.height };
  let background = await pageBackground(p.iframe, p.width, p.height);
  const paint = () => {
    const out = canvas(size.width, size.height);
    const ctx = out.getContext("2d");
    if (!ctx) throw new Error("the browser gave no 2D canvas");
    composeExport<CanvasImageSource>(ctx, { size, background, dim: p.dim, heatmap: p.heatmap, document: document_ });
    return out;
  };
  try {
    return { blob: await toBlob(paint()), size, background: background.kind, reason: background.reason };
  } catch (error) {
    if (background.kind !== "page") throw error;
    // Tainted after all: the same picture on the page's outline.
    background = { kind: "wireframe", boxes: wireframeBoxes(p.iframe?.contentDocument ?? null), reason: "the drawn page tainted the canvas" };
    return { blob: await toBlob(paint()), size, background: "wireframe", reason: background.reason };
  }
}

/** Offers `blob` as a download named `name` (an object URL, revoked once the download has started). */
export function saveBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  a.rel = "noopener";
  a.style.display = "none";
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
