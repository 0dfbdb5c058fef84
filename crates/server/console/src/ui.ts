// Shared pieces of the views: page header, filters, states, dialogs, toasts.

import { describeError } from "./api";
import { PRESETS, type Range, isDay, lastDays, spanDays } from "./dates";
import { type Child, h, icon, type ICONS } from "./dom";
import type { DeviceFilter } from "./types";

export function header(title: string, subtitle: Child, ...actions: Child[]): HTMLElement {
  return h(
    "header",
    { class: "view-header" },
    h("div", { class: "view-title" }, h("h1", null, title), subtitle ? h("p", { class: "muted" }, subtitle) : null),
    actions.length ? h("div", { class: "view-actions" }, ...actions) : null,
  );
}

export function filterBar(...children: Child[]): HTMLElement {
  return h("div", { class: "filter-bar" }, ...children);
}

/**
 * From/to day inputs with quick presets. Calls back with a valid, ordered
 * range. The inputs are `#<id>-from` and `#<id>-to`.
 */
export function dateRange(range: Range, onChange: (range: Range) => void, id = "filter"): HTMLElement {
  const from = h("input", { type: "date", value: range.from, max: range.to, "aria-label": "From", id: `${id}-from` });
  const to = h("input", { type: "date", value: range.to, min: range.from, "aria-label": "To", id: `${id}-to` });
  const changed = () => {
    if (!isDay(from.value) || !isDay(to.value)) return;
    const [a, b] = from.value <= to.value ? [from.value, to.value] : [to.value, from.value];
    onChange({ from: a, to: b });
  };
  from.addEventListener("change", changed);
  to.addEventListener("change", changed);
  const today = lastDays(1).to;
  const days = spanDays(range.from, range.to);
  const presets = PRESETS.map((p) =>
    h(
      "button",
      {
        type: "button",
        class: "chip" + (range.to === today && days === p.days ? " active" : ""),
        onclick: () => onChange(lastDays(p.days)),
      },
      p.label,
    ),
  );
  return h(
    "div",
    { class: "date-range" },
    h("span", { class: "field-icon" }, icon("calendar", 15)),
    from,
    h("span", { class: "muted" }, "–"),
    to,
    h("div", { class: "chips" }, ...presets),
  );
}

const DEVICE_LABELS: Record<DeviceFilter, string> = {
  desktop: "Desktop",
  tablet: "Tablet",
  mobile: "Mobile",
  all: "All devices",
};

/** A segmented control of device classes. */
export function deviceSwitch(
  value: DeviceFilter,
  onChange: (device: DeviceFilter) => void,
  order: DeviceFilter[] = ["desktop", "tablet", "mobile", "all"],
): HTMLElement {
  return h(
    "div",
    { class: "segmented", role: "radiogroup", "aria-label": "Device" },
    ...order.map((d) =>
      h(
        "button",
        {
          type: "button",
          role: "radio",
          "aria-checked": String(d === value),
          class: d === value ? "active" : "",
          dataset: { device: d },
          title: DEVICE_LABELS[d],
          onclick: () => d !== value && onChange(d),
        },
        icon(d, 15),
        h("span", null, DEVICE_LABELS[d]),
      ),
    ),
  );
}

export function deviceLabel(d: string): string {
  return DEVICE_LABELS[d as DeviceFilter] ?? d;
}

export function loading(text = "Loading…"): HTMLElement {
  return h("div", { class: "state loading", role: "status" }, h("span", { class: "spinner" }), h("span", null, text));
}

export function emptyState(name: keyof typeof ICONS, title: string, text: Child, ...actions: Child[]): HTMLElement {
  return h(
    "div",
    { class: "state empty" },
    h("div", { class: "state-icon" }, icon(name, 28)),
    h("h2", null, title),
    h("p", { class: "muted" }, text),
    actions.length ? h("div", { class: "state-actions" }, ...actions) : null,
  );
}

/** An error box with the server's message and, when it may help, a Retry button. */
export function errorState(error: unknown, retry?: () => void): HTMLElement {
  const d = describeError(error);
  return h(
    "div",
    { class: "state error", role: "alert" },
    h("div", { class: "state-icon" }, icon(d.title === "Needs an admin key" ? "shield" : "error", 28)),
    h("h2", null, d.title),
    h("p", { class: "muted" }, d.message),
    d.retry && retry
      ? h("div", { class: "state-actions" }, h("button", { class: "btn", type: "button", onclick: retry }, icon("refresh", 15), "Retry"))
      : null,
  );
}

export function stat(label: string, value: Child, hint?: Child, tone = ""): HTMLElement {
  return h(
    "div",
    { class: `stat ${tone}` },
    h("div", { class: "stat-label" }, label),
    h("div", { class: "stat-value" }, value),
    hint ? h("div", { class: "stat-hint" }, hint) : null,
  );
}

/** A one-line notice inside a view (privacy thresholds, missing snapshots, fallbacks). */
export function note(kind: "info" | "error" | "privacy", text: string, detail?: string): HTMLElement {
  return h(
    "div",
    { class: `note ${kind}` },
    icon(kind === "error" ? "error" : kind === "privacy" ? "shield" : "info", 15),
    h("span", null, text, detail ? h("span", { class: "muted" }, ` (${detail})`) : null),
  );
}

/**
 * A download link to an API export (`format=csv`): a plain same-origin
 * link, so the console cookie goes with it and the browser saves the
 * server's `Content-Disposition` file.
 */
export function downloadLink(id: string, url: string, label: string, title?: string): HTMLAnchorElement {
  return h("a", { class: "btn ghost small", id, href: url, download: "", title: title ?? label, rel: "noopener" }, icon("sheet", 14), label);
}

export function badge(text: Child, tone = ""): HTMLElement {
  return h("span", { class: `badge ${tone}` }, text);
}

/** A modal dialog (native <dialog>). Resolves when closed; `close` closes it from outside. */
export function dialog(opts: {
  title: string;
  body: Child;
  actions: (close: () => void) => Child[];
  id?: string;
  onClose?: () => void;
}): { el: HTMLDialogElement; close: () => void } {
  const el = h("dialog", { class: "dialog", id: opts.id });
  const close = () => {
    if (el.open) el.close();
  };
  el.addEventListener("close", () => {
    el.remove();
    opts.onClose?.();
  });
  el.append(
    h(
      "div",
      { class: "dialog-head" },
      h("h2", null, opts.title),
      h("button", { type: "button", class: "icon-btn", "aria-label": "Close", onclick: close }, icon("x", 16)),
    ),
    h("div", { class: "dialog-body" }, opts.body),
    h("div", { class: "dialog-actions" }, ...opts.actions(close)),
  );
  document.body.append(el);
  el.showModal();
  return { el, close };
}

let toastHost: HTMLElement | null = null;

/** A short notice in the corner. */
export function toast(message: string, tone: "ok" | "warn" | "error" = "ok", ms = 5000): void {
  if (!toastHost || !toastHost.isConnected) {
    toastHost = h("div", { class: "toasts", role: "status", "aria-live": "polite" });
    document.body.append(toastHost);
  }
  const el = h(
    "div",
    { class: `toast ${tone}` },
    icon(tone === "ok" ? "info" : "error", 16),
    h("span", null, message),
  );
  toastHost.append(el);
  setTimeout(() => {
    el.classList.add("leaving");
    setTimeout(() => el.remove(), 300);
  }, ms);
}

/** A "1–50 of 312" pager. */
export function pager(opts: { offset: number; limit: number; shown: number; total?: number; onPage: (offset: number) => void }): HTMLElement {
  const { offset, limit, shown, total } = opts;
  const end = offset + shown;
  const hasNext = total === undefined ? shown >= limit : end < total;
  const label = shown === 0 ? "No rows" : `${offset + 1}–${end}${total === undefined ? "" : ` of ${total.toLocaleString("en-US")}`}`;
  return h(
    "div",
    { class: "pager" },
    h("span", { class: "muted" }, label),
    h(
      "button",
      { class: "btn ghost small", type: "button", disabled: offset <= 0, onclick: () => opts.onPage(Math.max(0, offset - limit)) },
      icon("back", 14),
      "Previous",
    ),
    h("button", { class: "btn ghost small", type: "button", disabled: !hasNext, onclick: () => opts.onPage(offset + limit) }, "Next", icon("chevron", 14)),
  );
}

/** A button that copies text, with a short "Copied" feedback. */
export function copyButton(text: string, label = "Copy"): HTMLElement {
  const btn = h("button", { type: "button", class: "icon-btn", title: label, "aria-label": label }, icon("copy", 14));
  btn.addEventListener("click", async (e) => {
    e.stopPropagation();
    try {
      await navigator.clipboard.writeText(text);
      toast("Copied to the clipboard");
    } catch {
      toast("Copy failed: select the text instead", "warn");
    }
  });
  return btn;
}
