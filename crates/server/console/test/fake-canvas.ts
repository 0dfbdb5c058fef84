// A tiny software 2D context for tests: enough of CanvasRenderingContext2D
// for drawHeatmap (radial-gradient rectangles composited source-over,
// image data, stroked arcs and lines) and for the PNG export's compositing
// (stroked rectangles, and drawImage of another FakeContext, scaled
// nearest-neighbour), rasterised into an RGBA buffer.

import type { HeatmapContext } from "../src/heatmap/draw";

type Stop = { offset: number; rgba: [number, number, number, number] };

class Gradient {
  stops: Stop[] = [];
  constructor(
    readonly cx: number,
    readonly cy: number,
    readonly r: number,
  ) {}
  addColorStop(offset: number, colour: string): void {
    this.stops.push({ offset, rgba: parseColour(colour) });
    this.stops.sort((a, b) => a.offset - b.offset);
  }
  at(x: number, y: number): [number, number, number, number] {
    const t = Math.min(1, Math.hypot(x - this.cx, y - this.cy) / this.r);
    for (let i = 1; i < this.stops.length; i++) {
      const a = this.stops[i - 1]!;
      const b = this.stops[i]!;
      if (t <= b.offset) {
        const f = (t - a.offset) / (b.offset - a.offset || 1);
        return a.rgba.map((v, k) => v + (b.rgba[k]! - v) * f) as [number, number, number, number];
      }
    }
    return this.stops[this.stops.length - 1]!.rgba;
  }
}

export function parseColour(colour: string): [number, number, number, number] {
  const hex = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(colour);
  if (hex) return [parseInt(hex[1]!, 16), parseInt(hex[2]!, 16), parseInt(hex[3]!, 16), 1];
  const m = /rgba?\(([^)]+)\)/.exec(colour);
  if (!m) throw new Error(`unsupported colour ${colour}`);
  const parts = m[1]!.split(",").map((s) => parseFloat(s));
  return [parts[0]!, parts[1]!, parts[2]!, parts[3] ?? 1];
}

export class FakeContext implements HeatmapContext {
  readonly data: Uint8ClampedArray;
  globalCompositeOperation = "source-over";
  fillStyle: unknown = "#000";
  strokeStyle: unknown = "#000";
  lineWidth = 1;
  calls: string[] = [];
  private pen: { x: number; y: number } = { x: 0, y: 0 };
  private segments: ({ kind: "arc"; x: number; y: number; r: number } | { kind: "line"; x0: number; y0: number; x1: number; y1: number })[] = [];

  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.data = new Uint8ClampedArray(width * height * 4);
  }

  alphaAt(x: number, y: number): number {
    return this.data[(Math.floor(y) * this.width + Math.floor(x)) * 4 + 3]!;
  }

  clearRect(x: number, y: number, w: number, h: number): void {
    this.calls.push("clearRect");
    this.each(x, y, w, h, (i) => this.data.fill(0, i, i + 4));
  }

  fillRect(x: number, y: number, w: number, h: number): void {
    this.calls.push("fillRect");
    const style = this.fillStyle;
    this.each(x, y, w, h, (i, px, py) => {
      const [r, g, b, a] = style instanceof Gradient ? style.at(px + 0.5, py + 0.5) : parseColour(String(style));
      this.blend(i, r, g, b, a);
    });
  }

  createRadialGradient(_x0: number, _y0: number, _r0: number, x1: number, y1: number, r1: number) {
    return new Gradient(x1, y1, r1);
  }

  getImageData(x: number, y: number, w: number, h: number) {
    this.calls.push("getImageData");
    const out = new Uint8ClampedArray(w * h * 4);
    for (let row = 0; row < h; row++) {
      const from = ((y + row) * this.width + x) * 4;
      out.set(this.data.subarray(from, from + w * 4), row * w * 4);
    }
    return { data: out, width: w, height: h };
  }

  putImageData(image: { data: Uint8ClampedArray; width?: number }, x: number, y: number): void {
    this.calls.push("putImageData");
    const w = image.width ?? this.width;
    const h = image.data.length / 4 / w;
    for (let row = 0; row < h; row++) {
      this.data.set(image.data.subarray(row * w * 4, (row + 1) * w * 4), ((y + row) * this.width + x) * 4);
    }
  }

  strokeRect(x: number, y: number, w: number, h: number): void {
    this.calls.push("strokeRect");
    const [r, g, b, a] = parseColour(String(this.strokeStyle));
    const t = Math.max(1, Math.round(this.lineWidth));
    for (const [ex, ey, ew, eh] of [[x, y, w, t], [x, y + h - t, w, t], [x, y, t, h], [x + w - t, y, t, h]] as const) {
      this.each(ex, ey, ew, eh, (i) => this.blend(i, r, g, b, a));
    }
  }

  /** Draws another FakeContext (a stand-in for an image or canvas) into the rectangle, source-over. */
  drawImage(image: unknown, dx: number, dy: number, dw: number, dh: number): void {
    this.calls.push("drawImage");
    if (!(image instanceof FakeContext)) throw new Error("the fake canvas draws only other fake canvases");
    this.each(dx, dy, dw, dh, (i, px, py) => {
      const sx = Math.min(image.width - 1, Math.floor(((px + 0.5 - dx) / dw) * image.width));
      const sy = Math.min(image.height - 1, Math.floor(((py + 0.5 - dy) / dh) * image.height));
      const j = (sy * image.width + sx) * 4;
      const a = image.data[j + 3]! / 255;
      if (a > 0) this.blend(i, image.data[j]!, image.data[j + 1]!, image.data[j + 2]!, a);
    });
  }

  /** The RGBA of one pixel. */
  pixel(x: number, y: number): [number, number, number, number] {
    const i = (Math.floor(y) * this.width + Math.floor(x)) * 4;
    return [this.data[i]!, this.data[i + 1]!, this.data[i + 2]!, this.data[i + 3]!];
  }

  beginPath(): void {
    this.segments = [];
  }
  arc(x: number, y: number, r: number): void {
    this.segments.push({ kind: "arc", x, y, r });
  }
  moveTo(x: number, y: number): void {
    this.pen = { x, y };
  }
  lineTo(x: number, y: number): void {
    this.segments.push({ kind: "line", x0: this.pen.x, y0: this.pen.y, x1: x, y1: y });
    this.pen = { x, y };
  }
  setLineDash(): void {}
  fill(): void {}

  stroke(): void {
    this.calls.push("stroke");
    const [r, g, b, a] = parseColour(String(this.strokeStyle));
    const half = this.lineWidth / 2;
    for (const s of this.segments) {
      const box =
        s.kind === "arc"
          ? [s.x - s.r - half, s.y - s.r - half, 2 * (s.r + half), 2 * (s.r + half)]
          : [Math.min(s.x0, s.x1) - half, Math.min(s.y0, s.y1) - half, Math.abs(s.x1 - s.x0) + 2 * half, Math.abs(s.y1 - s.y0) + 2 * half];
      this.each(Math.floor(box[0]!), Math.floor(box[1]!), Math.ceil(box[2]!) + 1, Math.ceil(box[3]!) + 1, (i, px, py) => {
        const cx = px + 0.5;
        const cy = py + 0.5;
        const d = s.kind === "arc" ? Math.abs(Math.hypot(cx - s.x, cy - s.y) - s.r) : distToSegment(cx, cy, s);
        if (d <= half) this.blend(i, r, g, b, a);
      });
    }
  }

  private blend(i: number, r: number, g: number, b: number, a: number): void {
    const da = this.data[i + 3]! / 255;
    const oa = a + da * (1 - a);
    if (oa <= 0) return;
    this.data[i] = (r * a + this.data[i]! * da * (1 - a)) / oa;
    this.data[i + 1] = (g * a + this.data[i + 1]! * da * (1 - a)) / oa;
    this.data[i + 2] = (b * a + this.data[i + 2]! * da * (1 - a)) / oa;
    this.data[i + 3] = Math.round(oa * 255);
  }

  private each(x: number, y: number, w: number, h: number, fn: (i: number, px: number, py: number) => void): void {
    const x0 = Math.max(0, Math.floor(x));
    const y0 = Math.max(0, Math.floor(y));
    const x1 = Math.min(this.width, Math.ceil(x + w));
    const y1 = Math.min(this.height, Math.ceil(y + h));
    for (let py = y0; py < y1; py++) for (let px = x0; px < x1; px++) fn((py * this.width + px) * 4, px, py);
  }
}

function distToSegment(x: number, y: number, s: { x0: number; y0: number; x1: number; y1: number }): number {
  const dx = s.x1 - s.x0;
  const dy = s.y1 - s.y0;
  const len = dx * dx + dy * dy;
  const t = len ? Math.max(0, Math.min(1, ((x - s.x0) * dx + (y - s.y0) * dy) / len)) : 0;
  return Math.hypot(x - (s.x0 + t * dx), y - (s.y0 + t * dy));
}
