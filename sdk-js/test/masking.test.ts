/** @vitest-environment-options {"settings": {"enableIframePageLoading": true}} */
import { record } from "@rrweb/record";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isSensitiveInput, maskInputFn, maskSelector, maskTextFn, rrwebPrivacyOptions } from "../src/masking";

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

  it("data-veil-unmask shows them, unless the field is sensitive", () => {
    const mask = maskInputFn(sel);
    expect(mask("shoes", el("<form data-veil-unmask><input type=search id=q></form>", "#q"))).toBe("shoes");
    for (const field of [
      "<input type=password id=f>",
      "<input type=hidden id=f>",
      '<input autocomplete="cc-number" id=f>',
      '<input autocomplete="billing cc-csc" id=f>',
      '<input autocomplete="one-time-code" id=f>',
    ]) {
      const input = el(`<div data-veil-unmask>${field}</div>`, "#f");
      expect(isSensitiveInput(input), field).toBe(true);
      expect(mask("4111", input), field).toBe("****");
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
});
