/** @vitest-environment-options {"settings": {"enableIframePageLoading": true}} */
import { record } from "@rrweb/record";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  isSensitiveInput,
  maskInputFn,
  maskSelector,
  maskTextFn,
  REMOVED_FIELD_SELECTOR,
  rrwebPrivacyOptions,
} from "../src/masking";

beforeEach(() => {
  document.body.innerHTML = "";
});

const sel = maskSelector({ maskTextSelector: ".pii" });

function el(html: string, selector: string): HTMLElement {
  document.body.innerHTML = html;
  return document.querySelector(selector)!;
}

describe("input values", () => {
  it("are masked with the same length by default", () => {
    expect(maskInputFn(sel)("Jan Jansen", el("<input id=n>", "#n"))).toBe("**********");
  });

  it("data-veil-unmask shows them; a sensitive field's value is removed whole, not masked", () => {
    const mask = maskInputFn(sel);
    expect(mask("shoes", el("<form data-veil-unmask><input type=search id=q></form>", "#q"))).toBe("shoes");
    for (const field of [
      "<input type=password id=f>",
      "<input type=hidden id=f>",
      '<input autocomplete="cc-number" id=f>',
      '<input autocomplete="billing cc-csc" id=f>',
      '<input autocomplete="one-time-code" id=f>',
      '<select autocomplete="cc-exp-month" id=f></select>',
    ]) {
      const input = el(`<div data-veil-unmask>${field}</div>`, "#f");
      expect(isSensitiveInput(input), field).toBe(true);
      expect(mask("4111", input), field).toBe("");
    }
    expect(isSensitiveInput(el('<input autocomplete="section-acc-1 name" id=f>', "#f"))).toBe(false);
  });

  it("password, cc-* and one-time-code fields are blocked (removed), hidden inputs and other fields are not", () => {
    const removed = [
      "<input type=password id=f>",
      "<input type=text data-rr-is-password=true id=f>",
      '<input autocomplete="cc-number" id=f>',
      '<input autocomplete="billing cc-csc" id=f>',
      '<input autocomplete="one-time-code" id=f>',
      '<select autocomplete="cc-exp-month" id=f></select>',
    ];
    for (const field of removed) expect(el(field, "#f").matches(REMOVED_FIELD_SELECTOR), field).toBe(true);
    for (const field of [
      "<input type=hidden id=f>",
      "<input type=email id=f>",
      '<input autocomplete="section-acc-1 name" id=f>',
      "<textarea id=f></textarea>",
    ]) {
      expect(el(field, "#f").matches(REMOVED_FIELD_SELECTOR), field).toBe(false);
    }
  });

  it("a nearer mask rule wins over an outer unmask", () => {
    const input = el('<div data-veil-unmask><div data-veil-mask><input id=f></div></div>', "#f");
    expect(maskInputFn(sel)("secret", input)).toBe("******");
  });
});

describe("text", () => {
  it("is masked keeping whitespace, and unmasked by the nearer data-veil-unmask", () => {
    const mask = maskTextFn(sel);
    expect(mask("Jan  Jansen\n", el("<p data-veil-mask id=t>x</p>", "#t"))).toBe("***  ******\n");
    expect(mask("Total 12", el("<div class=pii><span data-veil-unmask id=t>x</span></div>", "#t"))).toBe("Total 12");
    expect(mask("Jan", el("<div data-veil-unmask><span class=pii id=t>x</span></div>", "#t"))).toBe("***");
    expect(mask("Jan", el("<span class=pii data-veil-unmask id=t>x</span>", "#t"))).toBe("***");
  });
});

describe("with the real rrweb recorder", () => {
  let stop: (() => void) | undefined;
  beforeEach(() => {
    // happy-dom names these globals without defining them; rrweb's
    // polyfill step reads their prototypes.
    const w = window as unknown as Record<string, unknown>;
    for (const name of ["NodeList", "DOMTokenList"]) {
      if (name in w && !w[name]) w[name] = class {};
    }
  });
  afterEach(() => stop?.());

  // rrweb sees no text content in happy-dom's nodes, so text masking is
  // covered by the unit tests above; values and blocking are checked
  // against rrweb itself here.
  it("the first snapshot carries no typed or hidden value, and blocks what is blocked", () => {
    document.body.innerHTML = `
      <form>
        <input id=name value="Jan Jansen">
        <input id=email type=email value="jan@example.com">
        <input id=pw type=password value="hunter2">
        <input type=hidden value="hidden-field-secret-4711">
        <input type=file>
        <input autocomplete=cc-number value="4111111111111111">
        <textarea>my private note</textarea>
        <select><option value=a>A</option><option value=nl selected>Netherlands</option></select>
        <input type=submit value="Pay now">
        <input data-veil-unmask type=search value="red shoes">
        <input data-veil-unmask type=hidden value="csrf-token-0815">
      </form>
      <div class=ads id=ad><span>ad</span></div>`;
    (document.getElementById("name") as HTMLInputElement).value = "typed by the visitor";
    const events: { type: number; data: unknown }[] = [];
    stop = record({
      ...rrwebPrivacyOptions({ maskTextSelector: null, blockSelector: ".ads" }),
      emit: (e: unknown) => events.push(e as { type: number; data: unknown }),
    } as Parameters<typeof record>[0]);
    const snapshot = JSON.stringify(events.filter((e) => e.type === 2));
    expect(snapshot).toContain('"tagName":"input"');
    for (const secret of [
      "Jan Jansen",
      "typed by the visitor",
      "jan@example.com",
      "hunter2",
      "hidden-field-secret-4711",
      "csrf-token-0815",
      "4111111111111111",
      "my private note",
    ]) {
      expect(snapshot, secret).not.toContain(`"value":"${secret}"`);
    }
    expect(snapshot).toContain('"value":"********************"');
    expect(snapshot).toContain('"tagName":"select","attributes":{"value":"**"}');
    expect(snapshot).toContain('"value":"Pay now"');
    expect(snapshot).toContain('"value":"red shoes"');
    // A blocked element keeps only its size.
    expect(snapshot).toMatch(/"tagName":"div","attributes":\{"class":"ads","rr_width":"[^"]*","rr_height":"[^"]*"\},"childNodes":\[\]/);
  });
  it("password, cc-* and one-time-code fields are recorded as empty same-size boxes, with no Input events", async () => {
    document.body.innerHTML = `
      <form>
        <input id=name value="Jan">
        <input id=pw type=password name=pass placeholder="Your password" value="hunter2">
        <input id=otp autocomplete=one-time-code value="123456">
        <select id=exp autocomplete=cc-exp-month><option value=07 selected>07</option></select>
        <input id=csrf type=hidden value="csrf-token-0815">
      </form>`;
    const events: { type: number; data: Record<string, unknown> }[] = [];
    stop = record({
      ...rrwebPrivacyOptions({ maskTextSelector: null, blockSelector: null }),
      emit: (e: unknown) => events.push(e as { type: number; data: Record<string, unknown> }),
    } as Parameters<typeof record>[0]);
    const snapshot = JSON.stringify(events.filter((e) => e.type === 2));
    const box = /\{"rr_width":"[^"]*","rr_height":"[^"]*"\},"childNodes":\[\]/.source;
    // Three boxes: password, one-time-code, and the card-expiry select (its options gone too).
    expect(snapshot.match(new RegExp(`"tagName":"input","attributes":${box}`, "g"))).toHaveLength(2);
    expect(snapshot).toMatch(new RegExp(`"tagName":"select","attributes":${box}`));
    for (const gone of ["hunter2", "*******", "Your password", "pass", "123456", "******", "07", "csrf-token-0815"]) {
      expect(snapshot, gone).not.toContain(`"${gone}"`);
    }
    // A hidden input stays hidden in the replay; its value is removed, not masked.
    expect(snapshot).toMatch(/"type":"hidden","value":""/);
    expect(snapshot).toContain('"value":"***"');

    const tick = () => new Promise((resolve) => setTimeout(resolve, 0));
    const type = async (id: string, value: string) => {
      const input = document.getElementById(id) as HTMLInputElement;
      input.value = value;
      input.dispatchEvent(new Event("input", { bubbles: true }));
      await tick(); // rrweb reports a value set by script a task later
    };
    await type("pw", "hunter22");
    await type("otp", "654321");
    await type("name", "Jane");
    // "Show password": rrweb's mutation observer marks the field
    // data-rr-is-password (done by hand: rrweb's observers do not run
    // under happy-dom), and it stays removed as plain text too.
    const pw = document.getElementById("pw") as HTMLInputElement;
    pw.type = "text";
    pw.setAttribute("data-rr-is-password", "true");
    await type("pw", "hunter222");
    const inputs = events.filter((e) => e.type === 3 && e.data.source === 5);
    expect(inputs.map((e) => e.data.id)).toEqual([record.mirror.getId(document.getElementById("name") as Node)]);
    expect(inputs[0].data.text).toBe("****");
    expect(JSON.stringify(events)).not.toContain("hunter2");
  });
});
