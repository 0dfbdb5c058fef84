import { beforeEach, describe, expect, it } from "vitest";
import { looksGenerated, maskedSelector } from "../src/selector";

beforeEach(() => {
  document.body.innerHTML = "";
});

function el(html: string, selector: string): Element {
  document.body.innerHTML = html;
  return document.querySelector(selector)!;
}

describe("masked selector", () => {
  it("stops at a usable id", () => {
    expect(maskedSelector(el("<main><form id=checkout><button>Pay</button></form></main>", "button"))).toBe(
      "form#checkout > button",
    );
  });

  it("drops ids that look generated or personal", () => {
    const cases = ["user-12345", "jan@example.com", "order_20240101", "a1b2c3d4e5", ":r1:", "9lives"];
    for (const id of cases) {
      const target = document.createElement("span");
      target.id = id;
      document.body.replaceChildren(target);
      const selector = maskedSelector(target);
      expect(selector, id).not.toContain("#");
      expect(selector, id).not.toContain(id);
    }
  });

  it("keeps at most three plain classes and drops hashed ones", () => {
    const target = el(
      '<div><a class="css-1x2y3z btn btn-primary big item-99887 wide" href="/u/jan">x</a></div>',
      "a",
    );
    expect(maskedSelector(target)).toBe("body > div > a.btn.btn-primary.big");
  });

  it("adds :nth-of-type only among same-tag siblings", () => {
    const target = el("<ul><li>a</li><li>b</li><li class=x>c</li></ul><p>z</p>", "li.x");
    expect(maskedSelector(target)).toBe("body > ul > li.x:nth-of-type(3)");
  });

  it("never carries attribute values or text", () => {
    const target = el(
      '<section data-user="jan@example.com" title="Jan Jansen"><button name="iban" value="NL91ABNA0417164300" aria-label="Jan">Jan Jansen</button></section>',
      "button",
    );
    const selector = maskedSelector(target);
    expect(selector).toBe("body > section > button");
    for (const secret of ["jan", "Jan", "NL91", "iban", "["]) expect(selector).not.toContain(secret);
  });

  it("walks at most five levels", () => {
    const target = el("<div><div><div><div><div><div><div><b>deep</b></div></div></div></div></div></div></div>", "b");
    const selector = maskedSelector(target);
    expect(selector.split(" > ")).toHaveLength(5);
    expect(selector.endsWith("b")).toBe(true);
  });

  it("tells generated names from the page's vocabulary", () => {
    expect(looksGenerated("col-md-6")).toBe(false);
    expect(looksGenerated("h1")).toBe(false);
    expect(looksGenerated("buy")).toBe(false);
    expect(looksGenerated("x-2024")).toBe(true);
    expect(looksGenerated("sc-a1b2c3")).toBe(true);
    expect(looksGenerated("me@x")).toBe(true);
  });
});
