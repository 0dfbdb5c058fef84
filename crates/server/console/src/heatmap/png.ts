// The PNG export of a heatmap over its page, the parts that need no
// browser: the picture's size, its file name, and the compositing of
// background, dimming and heatmap (drawn on a minimal canvas interface, so
// tests run it on a fake). rasterise.ts turns the recorded page into the
// background and saves the file.

/** Largest side of the exported picture (browsers allow ~32k; encoders get slow well before). */
export const MAX_SIDE = 16_384;
/** Largest area in pixels (16.7 M px is 64 MiB of RGBA). */
export const MAX_AREA = 4096 * 4096;

export interface ExportSize {
  width: number;
  height: number;
  /** Picture pixels per document CSS pixel. */
  scale: number;
}

/**
 * The picture's size for a document of `width` × `height` CSS px at
 * `ratio` pixels per CSS px, shrunk (never stretched beyond `ratio`) to
 * stay within MAX_SIDE and MAX_AREA; at least 1 × 1.
 */
export function exportSize(width: number, height: number, ratio = 1, maxSide = MAX_SIDE, maxArea = MAX_AREA): ExportSize {
  const w = Math.max(1, Math.round(width));
  const h = Math.max(1, Math.round(height));
  const r = Number.isFinite(ratio) && ratio > 0 ? ratio : 1;
  const scale = Math.min(r, maxSide / w, maxSide / h, Math.sqrt(maxArea / (w * h)));
  return { width: Math.max(1, Math.floor(w * scale)), height: Math.max(1, Math.floor(h * scale)), scale };
}

/** A page key as a file-name part: `https://Shop.example/products/:id` → `shop.example-products-id`. */
export function pageSlug(page: string): string {
  const slug = page
    .replace(/^[a-z][a-z0-9+.-]*:\/\//i, "")
    .toLowerCase()
    .replace(/[^a-z0-9._]+/g, "-")
    .replace(/-{2,}/g, "-")
    .replace(/^[-.]+|[-.]+$/g, "")
    .slice(0, 80)
    .replace(/[-.]+$/, "");
  return slug || "page";
}

/** `heatmap-<page>-<from>-<to>.png`. */
export function pngFileName(page: string, from: string, to: string, kind = "heatmap"): string {
  const day = (d: string) => (/^\d{4}-\d{2}-\d{2}$/.test(d) ? d : "");
  return [kind, pageSlug(page), day(from), day(to)].filter(Boolean).join("-") + ".png";
}

/** An element's box in document CSS px, for the wireframe background. */
export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
  kind: "block" | "text" | "media" | "control";
}

export type Background<I> =
  /** The recorded page, rasterised: drawn over the whole picture. */
  | { kind: "page"; image: I }
  /** A plain outline of the page (its images would taint the canvas, or it could not be rasterised). */
  | { kind: "wireframe"; boxes: Box[] };

/** What `composeExport` needs of a CanvasRenderingContext2D. */
export interface ExportContext<I> {
  fillStyle: unknown;
  strokeStyle: unknown;
  lineWidth: number;
  fillRect(x: number, y: number, w: number, h: number): void;
  strokeRect(x: number, y: number, w: number, h: number): void;
  drawImage(image: I, dx: number, dy: number, dw: number, dh: number): void;
}

export interface ComposeOptions<I> {
  size: ExportSize;
  background: Background<I>;
  /** The "Dim the page" veil of the view, over the page and under the heatmap. */
  dim: boolean;
  /** The heatmap canvas, document CSS px (as #heatmap-canvas). */
  heatmap: I;
  /** The heatmap canvas's size in CSS px (the stage), drawn scaled to the picture. */
  document: { width: number; height: number };
}

/** The view's dimming colour (`.hm-inner.dim::after`). */
export const DIM = "rgba(15,23,42,0.28)";
export const PAPER = "#ffffff";
/** Wireframe grid spacing in CSS px, like the blank stage's grid paper. */
export const GRID = 80;

const WIRE: Record<Box["kind"], { fill?: string; stroke?: string }> = {
  block: { stroke: "rgba(100,116,139,0.45)" },
  text: { fill: "rgba(148,163,184,0.45)" },
  media: { fill: "rgba(203,213,225,0.9)", stroke: "rgba(100,116,139,0.6)" },
  control: { fill: "rgba(226,232,240,0.95)", stroke: "rgba(71,85,105,0.7)" },
};

/**
 * Paints the picture, in this order: white paper; the background (the
 * rasterised page, or grid and element outlines); the dimming veil when
 * asked (over a page only: a wireframe is light already); the heatmap,
 * scaled from document px to the picture. Returns the steps it took.
 */
export function composeExport<I>(ctx: ExportContext<I>, opts: ComposeOptions<I>): string[] {
  const { width, height, scale } = opts.size;
  const steps: string[] = [];
  ctx.fillStyle = PAPER;
  ctx.fillRect(0, 0, width, height);
  steps.push("paper");
  if (opts.background.kind === "page") {
    ctx.drawImage(opts.background.image, 0, 0, width, height);
    steps.push("page");
    if (opts.dim) {
      ctx.fillStyle = DIM;
      ctx.fillRect(0, 0, width, height);
      steps.push("dim");
    }
  } else {
    drawWireframe(ctx, opts.background.boxes, opts.size);
    steps.push("wireframe");
  }
  const sx = opts.document.width > 0 ? width / opts.document.width : scale;
  const sy = opts.document.height > 0 ? height / opts.document.height : scale;
  ctx.drawImage(opts.heatmap, 0, 0, opts.document.width * sx, opts.document.height * sy);
  steps.push("heatmap");
  return steps;
}

/** Grid paper and the outlines of the page's elements, scaled to the picture. */
export function drawWireframe<I>(ctx: ExportContext<I>, boxes: Box[], size: ExportSize): void {
  const { width, height, scale } = size;
  ctx.fillStyle = "rgba(238,240,246,1)";
  const step = GRID * scale;
  if (step >= 4) {
    for (let x = step; x < width; x += step) ctx.fillRect(Math.round(x), 0, 1, height);
    for (let y = step; y < height; y += step) ctx.fillRect(0, Math.round(y), width, 1);
  }
  ctx.lineWidth = Math.max(1, scale);
  for (const box of boxes) {
    const style = WIRE[box.kind];
    const x = box.x * scale;
    const y = box.y * scale;
    const w = box.w * scale;
    const h = box.h * scale;
    if (w < 1 || h < 1 || x >= width || y >= height) continue;
    if (style.fill) {
      ctx.fillStyle = style.fill;
      ctx.fillRect(x, y, w, h);
    }
    if (style.stroke) {
      ctx.strokeStyle = style.stroke;
      ctx.strokeRect(x + 0.5, y + 0.5, Math.max(0, w - 1), Math.max(0, h - 1));
    }
  }
}

/** True when `bytes` start with the PNG signature (what the browser test checks of the download). */
export function isPng(bytes: Uint8Array): boolean {
  const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  return bytes.length >= 8 && signature.every((b, i) => bytes[i] === b);
}
