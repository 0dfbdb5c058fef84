import type { Config } from "./options";

/**
 * Masking in the browser, stricter than rrweb's defaults; the server masks
 * again whatever arrives (SPEC §5), this is the first line.
 */

export const MASK_ATTR = "data-veil-mask";
export const BLOCK_ATTR = "data-veil-block";
export const UNMASK_ATTR = "data-veil-unmask";

/**
 * Every input kind whose value can carry what the visitor typed or the
 * site knows about them. rrweb's `maskAllInputs: true` would overwrite an
 * explicit list and leaves out `hidden` and `file` (a file path names the
 * visitor's folders), so the list is given in full instead.
 */
export const MASK_INPUT_OPTIONS: Record<string, boolean> = {
  color: true,
  date: true,
  "datetime-local": true,
  email: true,
  file: true,
  hidden: true,
  month: true,
  number: true,
  password: true,
  range: true,
  search: true,
  select: true,
  tel: true,
  text: true,
  textarea: true,
  time: true,
  url: true,
  week: true,
};

/** Never shown, whatever `data-veil-unmask` says. */
export function isSensitiveInput(el: Element | null): boolean {
  if (!el || el.localName !== "input") return false;
  const input = el as HTMLInputElement;
  const type = (input.getAttribute("type") || "").toLowerCase();
  if (type === "password" || type === "hidden" || input.hasAttribute("data-rr-is-password")) return true;
  const autocomplete = (input.getAttribute("autocomplete") || "").toLowerCase();
  return autocomplete.split(/\s+/).some((token) => token.startsWith("cc-") || token === "one-time-code");
}

export function maskSelector(config: Pick<Config, "maskTextSelector">): string {
  // Editable regions hold typed text as text nodes, not input values.
  const base = `[${MASK_ATTR}],[contenteditable]:not([contenteditable="false"])`;
  return config.maskTextSelector ? `${base},${config.maskTextSelector}` : base;
}

export function blockSelector(config: Pick<Config, "blockSelector">): string {
  return config.blockSelector ? `[${BLOCK_ATTR}],${config.blockSelector}` : `[${BLOCK_ATTR}]`;
}

function closest(el: Element | null, selector: string): Element | null {
  try {
    return el?.closest(selector) ?? null;
  } catch {
    return null;
  }
}

/**
 * rrweb has no "unmask", so it is decided when rrweb asks to mask: the
 * nearer of `data-veil-unmask` and a mask rule wins, and an element
 * carrying both stays masked.
 */
export function unmasked(el: Element | null, maskSel: string): boolean {
  const unmask = closest(el, `[${UNMASK_ATTR}]`);
  if (!unmask) return false;
  const mask = closest(el, maskSel);
  return !mask || (mask !== unmask && mask.contains(unmask));
}

const stars = (text: string) => "*".repeat(text.length);

/** Same length, so the replayed layout matches. */
export function maskInputFn(maskSel: string) {
  return (text: string, element: HTMLElement | null): string =>
    !isSensitiveInput(element) && unmasked(element, maskSel) ? text : stars(text);
}

/** Keeps whitespace so line breaks and word widths survive in replay. */
export function maskTextFn(maskSel: string) {
  return (text: string, element: HTMLElement | null): string =>
    unmasked(element, maskSel) ? text : text.replace(/\S/g, "*");
}

/** The rrweb `record()` options that carry Veil's privacy defaults. */
export function rrwebPrivacyOptions(config: Pick<Config, "maskTextSelector" | "blockSelector">) {
  const maskSel = maskSelector(config);
  return {
    maskInputOptions: { ...MASK_INPUT_OPTIONS },
    maskInputFn: maskInputFn(maskSel),
    maskTextSelector: maskSel,
    maskTextFn: maskTextFn(maskSel),
    blockSelector: blockSelector(config),
    recordCanvas: false,
    recordCrossOriginIframes: false,
    inlineImages: false,
    collectFonts: false,
    // Only the final value of a field: fewer events, no keystroke rhythm.
    sampling: { input: "last" as const },
    slimDOMOptions: { script: true, comment: true, headMetaVerification: true },
  };
}
