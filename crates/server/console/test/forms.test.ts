// @vitest-environment happy-dom
// The Forms tab as it is drawn: funnel order, bars, the marked drop-off
// field and the empty state, from answers shaped like GET …/forms.
import { describe, expect, it } from "vitest";
import { tabParam } from "../src/views/heatmap";
import { EMPTY_FORMS, formsView, funnelFields } from "../src/views/forms";
import type { FormField, FormFunnel, Forms } from "../src/types";

function field(name: string, position: number, reached: number, started: number, more: Partial<FormField> = {}): FormField {
  return {
    field: name,
    position,
    reached,
    reach_rate: reached / started,
    drop_off: 1 - reached / started,
    median_ms: 4200,
    refilled: 0,
    refill_rate: 0,
    errored: 0,
    error_rate: 0,
    abandoned: 0,
    visitors: reached,
    ...more,
  };
}

/** A checkout form of 8 starts, its fields listed out of order as an answer may. */
function checkout(): FormFunnel {
  return {
    form: "form#checkout",
    started: 8,
    submitted: 2,
    submit_rate: 0.25,
    abandoned: 6,
    abandon_rate: 0.75,
    last_field: "input#phone",
    visitors: 8,
    fields: [
      field("input#phone", 2, 4, 8, { abandoned: 4, median_ms: 65_000, errored: 1, error_rate: 0.25 }),
      field("input#name", 0, 8, 8, { abandoned: 1, refilled: 2, refill_rate: 0.25 }),
      field("input#email", 1, 6, 8, { abandoned: 1, median_ms: 300 }),
    ],
  };
}

function answer(forms: FormFunnel[], k_min = 1): Forms {
  return { page: "https://shop.example/checkout", device: "desktop", from: "2026-11-01", to: "2026-11-30", k_min, forms };
}

const rows = (el: HTMLElement) => [...el.querySelectorAll<HTMLTableRowElement>("tr[data-field]")];
const cells = (row: HTMLTableRowElement) => [...row.querySelectorAll("td")].map((td) => td.textContent?.trim());

describe("forms funnel", () => {
  it("lists the fields in form order, numbered from 1", () => {
    const el = formsView(answer([checkout()]));
    expect(rows(el).map((r) => r.dataset.field)).toEqual(["input#name", "input#email", "input#phone"]);
    expect(rows(el).map((r) => cells(r)[0])).toEqual(["1", "2", "3"]);
    expect(funnelFields({ ...checkout(), fields: [field("b", 1, 1, 1), field("a", 1, 1, 1), field("c", 0, 1, 1)] }).map((f) => f.field)).toEqual(["c", "a", "b"]);
  });

  it("draws each field's bar as long as its reach", () => {
    const el = formsView(answer([checkout()]));
    const widths = rows(el).map((r) => r.querySelector<HTMLElement>(".funnel-bar > span")!.style.width);
    expect(widths).toEqual(["100%", "75%", "50%"]);
    expect(rows(el).map((r) => r.querySelector(".reach-value")!.textContent)).toEqual(["100% · 8", "75% · 6", "50% · 4"]);
  });

  it("shows drop-off, median time, refills, errors and abandonments per field", () => {
    const [name, email, phone] = rows(formsView(answer([checkout()]))).map(cells);
    expect(name!.slice(3)).toEqual(["0%", "4s", "25%", "0%", "1"]);
    expect(email!.slice(3)).toEqual(["25%", "0.3s", "0%", "0%", "1"]);
    expect(phone!.slice(3)).toEqual(["50%", "1m 05s", "0%", "25%", "4"]);
  });

  it("marks the field most visitors who left stopped at", () => {
    const el = formsView(answer([checkout()]));
    const marked = rows(el).filter((r) => r.classList.contains("last"));
    expect(marked.map((r) => r.dataset.field)).toEqual(["input#phone"]);
    expect(marked[0]!.dataset.last).toBe("true");
    expect(marked[0]!.textContent).toContain("Most left here");
    expect(rows(el).filter((r) => r.dataset.last !== undefined)).toHaveLength(1);
    const drop = el.querySelector(".form-drop")!.textContent;
    expect(drop).toContain("Most visitors who left stopped at input#phone");
    expect(drop).toContain("4 of 6 abandonments ended there");
  });

  it("heads each form with its starts, submit rate and abandon rate", () => {
    const card = formsView(answer([checkout()])).querySelector<HTMLElement>("[data-form]")!;
    expect(card.dataset.form).toBe("form#checkout");
    const facts = [...card.querySelectorAll(".form-fact")].map((f) => f.querySelector(".form-fact-value")!.textContent);
    expect(facts).toEqual(["8", "25%", "75%"]);
    expect(card.querySelector(".form-facts")!.textContent).toContain("2 submitted");
    expect(card.querySelector(".form-name")!.textContent).toBe("form#checkout8 visitors");
  });

  it("marks nothing when no visitor left a form unsent", () => {
    const sent: FormFunnel = { ...checkout(), submitted: 8, submit_rate: 1, abandoned: 0, abandon_rate: 0, last_field: null, fields: [field("input#name", 0, 8, 8)] };
    const el = formsView(answer([sent]));
    expect(el.querySelector("tr.last")).toBeNull();
    expect(el.querySelector(".form-drop")!.textContent).toBe("No visitor left this form unsent in this period.");
  });

  it("names the fields outside any form, which are never submitted nor abandoned", () => {
    const loose: FormFunnel = { ...checkout(), form: "", submitted: 0, submit_rate: 0, abandoned: 0, abandon_rate: 0, last_field: null, fields: [field("input#search", 0, 3, 3)] };
    const el = formsView(answer([loose]));
    expect(el.querySelector("h2")!.textContent).toBe("Fields outside any form");
    expect([...el.querySelectorAll(".form-fact .stat-label")].map((l) => l.textContent)).toEqual(["Started"]);
    expect(el.querySelector(".form-drop")).toBeNull();
  });

  it("says so when the page has no form data", () => {
    const el = formsView(answer([]));
    expect(el.querySelector("h2")!.textContent).toBe(EMPTY_FORMS);
    expect(EMPTY_FORMS).toBe("No form interactions recorded on this page in this period");
    expect(rows(el)).toHaveLength(0);
    expect(formsView(answer([], 5)).textContent).toContain("fewer than 5 distinct visitors");
  });

  it("notes the privacy threshold and a form whose fields it hid", () => {
    const hidden: FormFunnel = { ...checkout(), fields: [] };
    const el = formsView(answer([hidden], 3));
    expect(el.querySelector(".note.privacy")!.textContent).toContain("fewer than 3 distinct visitors");
    expect(el.textContent).toContain("No field of this form reached the privacy threshold.");
  });

  it("is a tab of the page's view", () => {
    expect(tabParam("forms")).toBe("forms");
    expect(tabParam("bogus")).toBe("clicks");
    expect(tabParam(undefined)).toBe("clicks");
  });
});
