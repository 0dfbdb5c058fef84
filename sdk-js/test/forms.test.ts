import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { FormTracker, MAX_FIELD_MS } from "../src/forms";
import { resetFakeRrweb } from "./fake-rrweb";
import { decodeBody, ENDPOINT, FakeServer, freshVeil, resetPage, setVisibility, unloadAll } from "./helpers";

vi.mock("@rrweb/record", async () => ({ record: (await import("./fake-rrweb")).fakeRecord }));

type Emitted = { tag: string; payload: Record<string, unknown>; t: number };
let emitted: Emitted[];
const emit = (tag: string, payload: Record<string, unknown>, t: number) => emitted.push({ tag, payload, t });
const payloads = () => emitted.map((e) => e.payload);

const $ = <T extends HTMLElement = HTMLInputElement>(selector: string) => document.querySelector(selector) as T;

/** One keystroke per input event, as a visitor types. */
function type(el: HTMLInputElement | HTMLTextAreaElement, text: string): void {
  for (const ch of text) {
    el.value += ch;
    el.dispatchEvent(new Event("input", { bubbles: true }));
  }
}

function backspace(el: HTMLInputElement | HTMLTextAreaElement, times = 1): void {
  for (let i = 0; i < times; i++) {
    el.value = el.value.slice(0, -1);
    el.dispatchEvent(new Event("input", { bubbles: true }));
  }
}

function submit(form: HTMLFormElement): void {
  form.dispatchEvent(new Event("submit", { bubbles: true, cancelable: true }));
}

const CHECKOUT = `
  <form id=checkout-form>
    <input type=hidden name=csrf value=abc>
    <input id=name name=name>
    <button type=button>Look up</button>
    <input id=email type=email name=email>
    <select class=country name=country><option value="">Choose</option><option>DE</option></select>
    <input type=submit value=Pay>
  </form>`;

beforeEach(() => {
  vi.useFakeTimers();
  emitted = [];
  document.body.innerHTML = "";
  (document.activeElement as HTMLElement | null)?.blur?.();
});

afterEach(() => {
  vi.useRealTimers();
});

describe("form fields", () => {
  let tracker: FormTracker;
  beforeEach(() => {
    tracker = new FormTracker(window, emit);
    tracker.start();
  });
  afterEach(() => tracker.stop());

  it("focus, typing and blur give one field event: form, field, index among filled-in fields, time", () => {
    document.body.innerHTML = CHECKOUT;
    const email = $("#email");
    email.focus();
    vi.advanceTimersByTime(700);
    type(email, "jan@shop.test");
    vi.advanceTimersByTime(500);
    const blurredAt = Date.now();
    email.blur();
    vi.advanceTimersByTime(0);
    expect(emitted).toEqual([
      {
        tag: "veil.form",
        payload: {
          action: "field",
          form: "form#checkout-form",
          field: "input#email",
          index: 1,
          ms: 1200,
          refill: false,
          error: false,
        },
        t: blurredAt,
      },
    ]);
    $("select").focus();
    $("select").blur();
    vi.advanceTimersByTime(0);
    expect(emitted[1].payload).toMatchObject({ field: "form#checkout-form > select.country", index: 2, ms: 0 });
  });

  it("a focused field that was never typed in still counts; fields outside any form are indexed among themselves", () => {
    document.body.innerHTML = `<input id=q type=search><form><input id=inside></form><textarea id=note></textarea>`;
    $("#note").focus();
    $("#note").blur();
    vi.advanceTimersByTime(0);
    expect(payloads()).toEqual([
      { action: "field", form: "", field: "textarea#note", index: 1, ms: 0, refill: false, error: false },
    ]);
  });

  it("deleting characters is a correction", () => {
    document.body.innerHTML = CHECKOUT;
    const name = $("#name");
    name.focus();
    type(name, "Jann");
    backspace(name);
    type(name, "e");
    name.blur();
    vi.advanceTimersByTime(0);
    expect(payloads()).toEqual([expect.objectContaining({ field: "input#name", index: 0, refill: true })]);
  });

  it("changing in a later focus what was filled in before is a refill; only looking at it is not", () => {
    document.body.innerHTML = CHECKOUT;
    const name = $("#name");
    name.focus();
    type(name, "Jane");
    name.blur();
    name.focus();
    name.blur();
    name.focus();
    type(name, "t");
    name.blur();
    vi.advanceTimersByTime(0);
    expect(payloads().map((p) => p.refill)).toEqual([false, false, true]);
  });

  it("aria-invalid at blur is an error, also when the site's own blur handler sets it", () => {
    document.body.innerHTML = CHECKOUT;
    const name = $("#name");
    const email = $("#email");
    email.setAttribute("aria-invalid", "true");
    email.focus();
    email.blur();
    // React's onBlur listens for focusout on its root, after the recorder.
    const validate = (e: Event) => {
      if (e.target === name) name.setAttribute("aria-invalid", name.value.length < 2 ? "true" : "false");
    };
    $("form").addEventListener("focusout", validate);
    name.focus();
    type(name, "J");
    name.blur();
    vi.advanceTimersByTime(0);
    name.focus();
    type(name, "ane");
    name.blur();
    vi.advanceTimersByTime(0);
    expect(payloads().map((p) => [p.field, p.error])).toEqual([
      ["input#email", true],
      ["input#name", true],
      ["input#name", false],
    ]);
  });

  it(":invalid is an error once the visitor changed the field or a submit was refused, not before", () => {
    document.body.innerHTML = `<form id=signup><input id=email type=email required><input id=zip required pattern="[0-9]{5}"></form>`;
    const email = $("#email");
    const zip = $("#zip");
    email.focus();
    email.blur(); // required and empty, but untouched
    email.focus();
    type(email, "jan");
    email.blur(); // typed something that is no address
    zip.focus();
    zip.blur();
    vi.advanceTimersByTime(0);
    expect(payloads().map((p) => p.error)).toEqual([false, true, false]);
    // A refused submit fires `invalid` on the fields; the browser focuses the first one.
    $<HTMLFormElement>("form").requestSubmit();
    zip.focus();
    zip.blur();
    vi.advanceTimersByTime(0);
    expect(payloads().filter((p) => p.action === "submit")).toEqual([]);
    expect(emitted[3].payload).toMatchObject({ field: "input#zip", error: true });
  });

  it("the time in a field is capped at 30 minutes", () => {
    document.body.innerHTML = CHECKOUT;
    $("#name").focus();
    vi.advanceTimersByTime(MAX_FIELD_MS + 60_000);
    $("#name").blur();
    vi.advanceTimersByTime(0);
    expect(emitted[0].payload.ms).toBe(1_800_000);
  });
});

describe("submits and abandons", () => {
  let tracker: FormTracker;
  beforeEach(() => {
    tracker = new FormTracker(window, emit);
    tracker.start();
  });
  afterEach(() => tracker.stop());

  it("a submit is reported once, even if the site stops its propagation, and the form is then not abandoned", () => {
    document.body.innerHTML = CHECKOUT;
    const form = $<HTMLFormElement>("form");
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      e.stopPropagation();
    });
    $("#name").focus();
    type($("#name"), "Jane");
    $("#name").blur(); // onto the submit button
    submit(form);
    tracker.hidden();
    expect(payloads()).toEqual([
      expect.objectContaining({ action: "field", field: "input#name" }),
      { action: "submit", form: "form#checkout-form" },
    ]);
  });

  it("a focus after the submit starts the form again", () => {
    document.body.innerHTML = CHECKOUT;
    $("#name").focus();
    submit($<HTMLFormElement>("form"));
    $("#email").focus();
    tracker.hidden();
    expect(payloads().filter((p) => p.action !== "field")).toEqual([
      { action: "submit", form: "form#checkout-form" },
      { action: "abandon", form: "form#checkout-form", field: "input#email", index: 1 },
    ]);
  });

  it("hiding the page ends the focused field and abandons the form once, naming the last field focused", () => {
    document.body.innerHTML = CHECKOUT + `<form id=newsletter><input id=news type=email></form>`;
    $("#name").focus();
    type($("#name"), "Jane");
    vi.advanceTimersByTime(300);
    $("#email").focus();
    vi.advanceTimersByTime(400);
    tracker.hidden();
    expect(payloads()).toEqual([
      { action: "field", form: "form#checkout-form", field: "input#name", index: 0, ms: 300, refill: false, error: false },
      { action: "field", form: "form#checkout-form", field: "input#email", index: 1, ms: 400, refill: false, error: false },
      { action: "abandon", form: "form#checkout-form", field: "input#email", index: 1 },
    ]);
    // Back to the tab and away again: the same page view, no second abandon.
    $("#email").blur();
    $("#email").focus();
    tracker.hidden();
    expect(payloads().filter((p) => p.action === "abandon")).toHaveLength(1);
  });

  it("fields outside any form are never abandoned", () => {
    document.body.innerHTML = `<input id=q type=search>`;
    $("#q").focus();
    tracker.hidden();
    expect(payloads().map((p) => p.action)).toEqual(["field"]);
  });

  it("an SPA navigation abandons the old view's forms; a field keeping focus across it goes on", () => {
    document.body.innerHTML = CHECKOUT + `<form id=search><input id=q type=search></form>`;
    $("#name").focus();
    $("#q").focus();
    type($("#q"), "sh");
    tracker.navigated(); // the search box writes ?q= into the URL
    type($("#q"), "oes");
    vi.advanceTimersByTime(0);
    expect(payloads().filter((p) => p.action !== "field")).toEqual([
      { action: "abandon", form: "form#checkout-form", field: "input#name", index: 0 },
    ]);
    $("#q").blur();
    tracker.navigated();
    expect(payloads().slice(-2)).toEqual([
      expect.objectContaining({ action: "field", form: "form#search", field: "input#q" }),
      { action: "abandon", form: "form#search", field: "input#q", index: 0 },
    ]);
    // A new view: the checkout form may be abandoned again there.
    $("#name").focus();
    tracker.hidden();
    expect(payloads().filter((p) => p.action === "abandon").map((p) => p.form)).toEqual([
      "form#checkout-form",
      "form#search",
      "form#checkout-form",
    ]);
  });

  it("stop forgets: a blur not reported yet is dropped, and nothing is listened to any more", () => {
    document.body.innerHTML = CHECKOUT;
    $("#name").focus();
    $("#name").blur();
    vi.advanceTimersByTime(0);
    expect(payloads().map((p) => p.action)).toEqual(["field"]);
    $("#email").focus();
    $("#email").blur();
    tracker.stop();
    vi.advanceTimersByTime(10);
    $("#name").focus();
    submit($<HTMLFormElement>("form"));
    tracker.hidden();
    expect(emitted).toHaveLength(1);
  });
});

describe("values", () => {
  let tracker: FormTracker;
  beforeEach(() => {
    tracker = new FormTracker(window, emit);
    tracker.start();
  });
  afterEach(() => tracker.stop());

  it("nothing typed, nor its length, ever leaves, also from password, payment, one-time-code and blocked fields", () => {
    vi.setSystemTime(1_000_000_000_000);
    document.body.innerHTML = `
      <form id=login>
        <input id=user autocomplete=username>
        <input id=pass type=password>
        <input id=otp autocomplete=one-time-code>
        <input id=card autocomplete=cc-number>
        <textarea id=note data-veil-block></textarea>
        <input id=agree type=checkbox required>
      </form>`;
    const typed: [string, string][] = [
      ["#user", "janeQdoe@example.org"], // 20
      ["#pass", "hunter2secret"], // 13
      ["#otp", "91827364550"], // 11
      ["#card", "4929 1234 5678 9012"], // 19
      ["#note", "my private note to self"], // 23
    ];
    for (const [selector, text] of typed) {
      const el = $(selector);
      el.focus();
      vi.advanceTimersByTime(250);
      type(el, text);
      backspace(el, 2);
      type(el, text.slice(-2));
      el.blur();
    }
    $<HTMLFormElement>("form").requestSubmit(); // refused: the checkbox is required
    $("#pass").focus();
    type($("#pass"), "hunter2secret!");
    tracker.hidden();
    const actions = payloads().map((p) => p.action);
    expect(actions.filter((a) => a === "field")).toHaveLength(6);
    expect(actions).toContain("abandon");
    for (const event of emitted) {
      expect(Object.keys(event.payload).sort()).toEqual(
        event.payload.action === "field"
          ? ["action", "error", "field", "form", "index", "ms", "refill"]
          : event.payload.action === "abandon"
            ? ["action", "field", "form", "index"]
            : ["action", "form"],
      );
    }
    const serialized = JSON.stringify(emitted.map((e) => ({ type: 5, timestamp: e.t, data: { tag: e.tag, payload: e.payload } })));
    for (const [, text] of typed) {
      expect(serialized).not.toContain(text);
      expect(serialized).not.toContain(text.slice(0, 7));
    }
    expect(serialized).not.toContain("hunter2");
    expect(serialized).not.toContain("9012");
    // Nor any length typed (standalone numbers: timestamps are long digit runs).
    for (const length of [11, 13, 14, 19, 20, 23]) expect(serialized).not.toMatch(new RegExp(`(?<![0-9])${length}(?![0-9])`));
  });
});

describe("through the recorder", () => {
  let server: FakeServer;

  beforeEach(() => {
    resetPage();
    resetFakeRrweb();
    server = new FakeServer();
    vi.stubGlobal("fetch", server.fetch);
    setVisibility("visible");
  });

  afterEach(async () => {
    await unloadAll();
  });

  async function page(purposes: ("recording" | "heatmaps")[] | null) {
    const veil = await freshVeil();
    veil.init({ site: "shop", endpoint: ENDPOINT, compress: false });
    if (purposes) await veil.consent.grant(purposes);
    return veil;
  }

  const formEvents = () => server.events().filter((e) => e.type === 5 && e.data.tag === "veil.form");

  function fillIn(): void {
    document.body.innerHTML = CHECKOUT;
    $("#name").focus();
    type($("#name"), "Jane");
    $("#email").focus();
  }

  it("veil.form events only with heatmaps consent", async () => {
    let veil = await page(null);
    fillIn();
    await vi.advanceTimersByTimeAsync(10_000);
    window.dispatchEvent(new Event("pagehide"));
    expect(server.seen).toEqual([]);

    veil = await page(["recording"]);
    fillIn();
    await veil.flush();
    window.dispatchEvent(new Event("pagehide"));
    await veil.flush();
    expect(server.events().length).toBeGreaterThan(0);
    expect(formEvents()).toEqual([]);

    await veil.consent.grant(["recording", "heatmaps"]);
    fillIn();
    await veil.flush();
    expect(formEvents().map((e) => e.data.payload)).toEqual([
      { action: "field", form: "form#checkout-form", field: "input#name", index: 0, ms: 0, refill: false, error: false },
    ]);
  });

  it("on page hide the focused field and the abandoned form leave with the last batch", async () => {
    await page(["heatmaps"]);
    fillIn();
    setVisibility("hidden");
    const [sent] = server.ingests();
    expect(sent.keepalive).toBe(true);
    const events = decodeBody(sent.body, null).events.filter((e) => e.data.tag === "veil.form");
    expect(events.map((e) => [e.type, e.data.payload!.action, e.data.payload!.field])).toEqual([
      [5, "field", "input#name"],
      [5, "field", "input#email"],
      [5, "abandon", "input#email"],
    ]);
  });

  it("a submit counts; an SPA navigation abandons the old view's forms in the old page's batch", async () => {
    history.replaceState(null, "", "/checkout");
    const veil = await page(["heatmaps"]);
    document.body.innerHTML = CHECKOUT + `<form id=newsletter><input id=news type=email></form>`;
    $("#news").focus();
    submit($<HTMLFormElement>("#newsletter"));
    $("#name").focus();
    $("#name").blur();
    history.pushState(null, "", "/thanks");
    await veil.flush();
    const byPage = server.batches().map((b) => [
      new URL(b.page.url).pathname,
      b.events.filter((e) => e.data.tag === "veil.form").map((e) => `${e.data.payload!.action} ${e.data.payload!.form}`),
    ]);
    expect(byPage).toEqual([
      [
        "/checkout",
        [
          "submit form#newsletter",
          "field form#newsletter",
          "field form#checkout-form",
          "abandon form#checkout-form",
        ],
      ],
      ["/thanks", []],
    ]);
  });
});
