import type { HeatmapEmit } from "./heatmap";
import { maskedSelector } from "./selector";

/**
 * Form analytics (`veil.form`): how long each field held the visitor,
 * whether they corrected it, whether it showed an error, and which forms
 * they left unsent. Password, payment and one-time-code fields count like
 * any other (how long someone spends in a field is not its value), so what
 * leaves is only ever places, durations and flags: of a field's value not
 * even its length is kept in the payload, and in memory only its length,
 * to notice a deletion.
 */

/** A focus longer than this is reported as this long: the visitor was away, not filling in. */
export const MAX_FIELD_MS = 1_800_000;

/** Input types that are pressed, not filled in (or never seen). */
const NOT_FILLED = ["hidden", "submit", "button", "reset", "image"];

export function isFillable(el: Element): boolean {
  const tag = el.localName;
  if (tag === "select" || tag === "textarea") return true;
  return tag === "input" && !NOT_FILLED.includes(String((el as HTMLInputElement).type || "text").toLowerCase());
}

function formOf(field: Element): HTMLFormElement | null {
  return (field as HTMLInputElement).form ?? null;
}

/** Place among the fields the visitor fills in: the form's (`form="…"` owners too), or the document's formless ones. */
export function fieldIndex(field: Element): number {
  const form = formOf(field);
  const peers = form
    ? Array.from(form.elements)
    : Array.from(field.ownerDocument.querySelectorAll("input,select,textarea")).filter((el) => !formOf(el));
  return Math.max(0, peers.filter(isFillable).indexOf(field));
}

/** How much is filled in, enough to notice a deletion; never the value. */
function amount(field: Element): number {
  const f = field as HTMLInputElement;
  if (f.type === "checkbox" || f.type === "radio") return f.checked ? 1 : 0;
  if (f.type === "select-multiple") return (field as HTMLSelectElement).selectedOptions.length;
  return String(f.value ?? "").length;
}

/** A field's and its form's selectors, fixed when it is focused: the page may move it before it is reported. */
interface Place {
  form: string;
  field: string;
  index: number;
}

/** One focus of one field, up to its blur. */
interface Episode {
  el: Element;
  owner: Element | null;
  place: Place;
  start: number;
  /** `amount` at the previous input event (at focus before the first). */
  amount: number;
  /** Held something already when focused: any change then is a correction. */
  prefilled: boolean;
  changed: boolean;
  refill: boolean;
}

interface Held {
  episode: Episode;
  t: number;
  timer: ReturnType<typeof setTimeout>;
}

/**
 * Capture-phase listeners on the document, like the click tracker, so a
 * site's `stopPropagation` hides nothing. A blur is reported a tick late:
 * a site's own blur validation (React's `onBlur` runs after a capture
 * listener on the document) sets `aria-invalid` only after this sees the
 * event. Nothing runs while the visitor is idle.
 */
export class FormTracker {
  private episode: Episode | null = null;
  private held: Held[] = [];
  /** Forms focused in this page view and not submitted since: the last field focused in each. */
  private touched = new Map<Element, Place>();
  /** Forms already reported abandoned in this page view. */
  private reported = new Set<Element>();
  /** Fields a blocked submit (or the site's `checkValidity`) declared invalid. */
  private flagged = new WeakSet<Element>();
  private readonly listeners: [string, (e: Event) => void][] = [
    ["focusin", (e) => this.focus(e)],
    ["focusout", (e) => this.blur(e)],
    ["input", (e) => this.input(e)],
    ["invalid", (e) => this.flagged.add(e.target as Element)],
    ["submit", (e) => this.submit(e)],
  ];

  constructor(
    private readonly win: Window,
    private readonly emit: HeatmapEmit,
    private readonly now: () => number = Date.now,
  ) {}

  start(): void {
    for (const [type, listener] of this.listeners) {
      this.win.document.addEventListener(type, listener, { capture: true, passive: true });
    }
  }

  /** Stops listening and forgets; blurs not reported yet are dropped (a withdrawal must not send them). */
  stop(): void {
    for (const [type, listener] of this.listeners) {
      this.win.document.removeEventListener(type, listener, { capture: true });
    }
    this.held.forEach((h) => clearTimeout(h.timer));
    this.held = [];
    this.episode = null;
    this.touched.clear();
    this.reported.clear();
  }

  /** Reports blurs that are still waiting for the site's validation. */
  release(): void {
    const held = this.held;
    this.held = [];
    held.forEach((h) => {
      clearTimeout(h.timer);
      this.report(h.episode, h.t);
    });
  }

  /**
   * The page is hidden or left: the focused field's episode ends here, and
   * every form focused and not submitted is abandoned (once per page view,
   * so a visitor who comes back and leaves again is not counted twice).
   */
  hidden(): void {
    this.release();
    this.finish();
    this.abandon(null);
  }

  /**
   * An SPA navigation ends the old view's forms. A field that keeps focus
   * across it (a search box that writes its query into the URL as the
   * visitor types) has not been left: its episode and its form go on into
   * the new view instead of being abandoned on every keystroke.
   */
  navigated(): void {
    this.release();
    const episode = this.episode;
    const stays = episode && episode.el.isConnected && this.win.document.activeElement === episode.el ? episode : null;
    if (!stays) this.finish();
    this.abandon(stays?.owner ?? null);
    this.touched.clear();
    this.reported.clear();
    if (stays?.owner) this.touched.set(stays.owner, stays.place);
  }

  private focus(e: Event): void {
    const el = e.target as Element | null;
    if (!el || el.nodeType !== 1 || !isFillable(el)) return;
    // A field removed from the page loses focus without a focusout.
    this.finish();
    const owner = formOf(el);
    const place = { form: owner ? maskedSelector(owner) : "", field: maskedSelector(el), index: fieldIndex(el) };
    const filled = amount(el);
    this.episode = { el, owner, place, start: this.now(), amount: filled, prefilled: filled > 0, changed: false, refill: false };
    if (owner) this.touched.set(owner, place);
  }

  private blur(e: Event): void {
    const episode = this.episode;
    if (!episode || e.target !== episode.el) return;
    this.episode = null;
    const held: Held = { episode, t: this.now(), timer: setTimeout(() => this.decide(held), 0) };
    this.held.push(held);
  }

  private input(e: Event): void {
    const episode = this.episode;
    if (!episode || e.target !== episode.el) return;
    const filled = amount(episode.el);
    if (filled < episode.amount || episode.prefilled) episode.refill = true;
    episode.amount = filled;
    episode.changed = true;
  }

  private submit(e: Event): void {
    const form = e.target as Element | null;
    if (!form || form.nodeType !== 1) return;
    // The blur that led to the submit button goes first.
    this.release();
    const place = this.touched.get(form);
    this.touched.delete(form);
    this.emit("veil.form", { action: "submit", form: place?.form ?? maskedSelector(form) }, this.now());
  }

  private decide(held: Held): void {
    this.held = this.held.filter((h) => h !== held);
    this.report(held.episode, held.t);
  }

  /** Ends the open episode now, if there is one. */
  private finish(): void {
    const episode = this.episode;
    this.episode = null;
    if (episode) this.report(episode, this.now());
  }

  private report(episode: Episode, t: number): void {
    const { form, field, index } = episode.place;
    this.emit(
      "veil.form",
      {
        action: "field",
        form,
        field,
        index,
        ms: Math.min(MAX_FIELD_MS, Math.max(0, Math.round(t - episode.start))),
        refill: episode.refill,
        error: this.showsError(episode),
      },
      t,
    );
  }

  /**
   * `aria-invalid` is the site saying so. The browser's own `:invalid` is
   * also true of a required field nobody has touched yet, so it counts
   * only once the visitor changed the field or a submit was refused.
   */
  private showsError(episode: Episode): boolean {
    const el = episode.el;
    if ((el.getAttribute("aria-invalid") || "").trim().toLowerCase() === "true") return true;
    const valid = (el as HTMLInputElement).validity?.valid;
    return valid === false && (episode.changed || this.flagged.has(el));
  }

  private abandon(except: Element | null): void {
    const t = this.now();
    this.touched.forEach((place, form) => {
      if (form === except || this.reported.has(form)) return;
      this.reported.add(form);
      this.emit("veil.form", { action: "abandon", form: place.form, field: place.field, index: place.index }, t);
    });
  }
}
