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

/**
 * Fields SPEC §5 removes entirely: password fields (also once a "show
 * password" button made them `type=text`: rrweb marks those
 * `data-rr-is-password`) and fields whose `autocomplete` is `cc-*` or
 * `one-time-code`. They are handed to rrweb's block, so rrweb records
 * nothing of them but an empty box of the same size (tag, `class`,
 * `rr_width`, `rr_height`): no value, not even its length, no other
 * attribute, no Input events, no attribute mutations. The element itself
 * stays so the replayed layout and rrweb's references to its siblings
 * hold. Hidden inputs are not blocked (a box would show in the replay
 * where the page shows nothing); their value is removed instead, see
 * `maskInputFn`.
 */
export const REMOVED_FIELD_SELECTOR = [
  'input[type="password" i]',
  "input[data-rr-is-password]",
  ...["input", "select", "textarea"].flatMap((tag) => [
    `${tag}[autocomplete^="cc-" i]`,
    `${tag}[autocomplete*=" cc-" i]`,
    `${tag}[autocomplete~="one-time-code" i]`,
  ]),
].join(",");

const FIELD_TAGS = ["input", "select", "textarea"];

/** Never shown, whatever `data-veil-unmask` says; their value is removed, not masked. */
export function isSensitiveInput(el: Element | null): boolean {
  if (!el || !FIELD_TAGS.includes(el.localName)) return false;
  const type = (el.getAttribute("type") || "").toLowerCase();
  if (el.localName === "input" && (type === "password" || type === "hidden" || el.hasAttribute("data-rr-is-password"))) {
    return true;
  }
  const autocomplete = (el.getAttribute("autocomplete") || "").toLowerCase();
  return autocomplete.split(/\s+/).some((token) => token.startsWith("cc-") || token === "one-time-code");
}

export function maskSelector(config: Pick<Config, "maskTextSelector">): string {
  // Editable regions hold typed text as text nodes, not input values.
  const base = `[${MASK_ATTR}],[contenteditable]:not([contenteditable="false"])`;
  return config.maskTextSelector ? `${base},${config.maskTextSelector}` : base;
}

export function blockSelector(config: Pick<Config, "blockSelector">): string {
  const base = `[${BLOCK_ATTR}],${REMOVED_FIELD_SELECTOR}`;
  return config.blockSelector ? `${base},${config.blockSelector}` : base;
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

/**
 * Same length, so the replayed layout matches; a sensitive field's value
 * is removed whole (reached for hidden inputs, and for a removed field
 * only if rrweb's block did not catch it).
 */
export function maskInputFn(maskSel: string) {
  return (text: string, element: HTMLElement | null): string => {
    if (isSensitiveInput(element)) return "";
    return unmasked(element, maskSel) ? text : stars(text);
  };
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
