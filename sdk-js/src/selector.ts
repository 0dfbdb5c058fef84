/**
 * A CSS selector for a clicked element that names its place in the page
 * without carrying anything the visitor typed or the site knows about
 * them: ids and classes are kept only when they look like the page's own
 * vocabulary, never attribute values or text.
 */

const MAX_LEVELS = 5;
const MAX_CLASSES = 3;
const MAX_NAME = 40;

/** A plain CSS identifier (nothing to escape, so nothing to smuggle). */
const IDENT = /^-?[A-Za-z_][A-Za-z0-9_-]*$/;

/**
 * Generated or personal: runs of 4+ digits (order numbers, user ids,
 * timestamps), a segment mixing letters and 3+ digits (hashes such as
 * `css-1x2y3z4`), hex-ish blobs, or anything too long.
 */
export function looksGenerated(name: string): boolean {
  if (name.length > MAX_NAME || name.includes("@")) return true;
  if (/\d{4,}/.test(name)) return true;
  return name.split(/[-_]+/).some((part) => {
    const digits = (part.match(/\d/g) ?? []).length;
    if (digits >= 3 && /[a-z]/i.test(part)) return true;
    return part.length >= 8 && digits >= 2;
  });
}

export function safeName(name: string): boolean {
  return IDENT.test(name) && !looksGenerated(name);
}

function step(el: Element): { text: string; anchored: boolean } {
  const tag = el.localName.toLowerCase();
  if (!IDENT.test(tag)) return { text: "*", anchored: false };
  const id = el.getAttribute("id");
  if (id && safeName(id)) return { text: `${tag}#${id}`, anchored: true };
  let text = tag;
  const classes: string[] = [];
  for (const name of Array.from(el.classList)) {
    if (classes.length >= MAX_CLASSES) break;
    if (safeName(name) && !classes.includes(name)) classes.push(name);
  }
  if (classes.length) text += "." + classes.join(".");
  const parent = el.parentElement;
  if (parent) {
    const same = Array.from(parent.children).filter((c) => c.localName === el.localName);
    if (same.length > 1) text += `:nth-of-type(${same.indexOf(el) + 1})`;
  }
  return { text, anchored: false };
}

/**
 * Up to five levels from the target, joined with ` > `; stops early at a
 * usable id (it already pins the element down) and at the document body.
 */
export function maskedSelector(target: Element): string {
  const parts: string[] = [];
  let el: Element | null = target;
  while (el && parts.length < MAX_LEVELS) {
    const tag = el.localName.toLowerCase();
    if (tag === "html") break;
    const { text, anchored } = step(el);
    parts.unshift(text);
    if (anchored || tag === "body") break;
    el = el.parentElement;
  }
  return parts.join(" > ");
}
