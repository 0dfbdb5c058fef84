// The heatmap shows the whole page at once, in an iframe as tall as the
// document. CSS viewport units would then grow with it (a `100vh` hero as
// tall as the page) and the recorded click positions would drift. So the
// recorded viewport is frozen into the snapshot's CSS: `50vh` becomes
// `calc(50 * 8px)` for an 800 px high viewport.

const UNIT = /(-?(?:\d+\.?\d*|\.\d+))(s|l|d)?(vh|vw|vmin|vmax)\b/gi;

export function freezeViewportUnits(css: string, vw: number, vh: number): string {
  if (!/v(h|w|min|max)\b/i.test(css)) return css;
  const small = Math.min(vw, vh);
  const large = Math.max(vw, vh);
  return css.replace(UNIT, (_all, n: string, _variant: string | undefined, unit: string) => {
    const base = { vh, vw, vmin: small, vmax: large }[unit.toLowerCase() as "vh"] ?? vh;
    const px = (parseFloat(n) * base) / 100;
    return `${+px.toFixed(3)}px`;
  });
}

/** Applies `freezeViewportUnits` to every style sheet and style attribute of a document. */
export function freezeDocument(doc: Document, vw: number, vh: number): void {
  doc.querySelectorAll("style").forEach((style) => {
    const text = style.textContent ?? "";
    const frozen = freezeViewportUnits(text, vw, vh);
    if (frozen !== text) style.textContent = frozen;
  });
  doc.querySelectorAll<HTMLElement>("[style]").forEach((el) => {
    const text = el.getAttribute("style") ?? "";
    const frozen = freezeViewportUnits(text, vw, vh);
    if (frozen !== text) el.setAttribute("style", frozen);
  });
}
