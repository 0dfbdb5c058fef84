// Drives Debian's Chromium for crates/server/tests/forms_browser.rs: a
// visitor consents on a checkout page, fills in name and e-mail, types a
// phone number and deletes most of it again, then leaves the page with the
// form unsent; after the test has seen the server store that, an analyst
// signs into the console and opens the page's Forms tab.
//
//   node forms.mjs <checkout url> <veil url> <analyst key> <screenshot dir>
//
// Same protocol as recorder.mjs: a JSON line per phase, then a line on
// stdin to go on.

import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { drive, launchChromium, phase } from "./chromium.mjs";

const [pageUrl, veilUrl, analystKey, screenshots] = process.argv.slice(2);

/** What the visitor types; the test looks for each in every table. */
const TYPED = { name: "Jane Roe", email: "jane.roe@example.com", phone: "+31 6 12345678" };
/** Left of the phone number after the visitor deletes most of it. */
const PHONE_LEFT = "+31";

const browser = await launchChromium();
await drive(browser, async () => {
  mkdirSync(screenshots, { recursive: true });

  // 1. The visitor: consent, three fields, then away with the form unsent.
  const visitor = await browser.newContext({ viewport: { width: 1280, height: 720 }, deviceScaleFactor: 1 });
  const page = await visitor.newPage();
  const consoleErrors = [];
  page.on("console", (message) => {
    if (message.type() === "error") consoleErrors.push(message.text());
  });
  page.on("pageerror", (error) => consoleErrors.push(String(error)));
  await page.goto(pageUrl);
  await page.waitForFunction(() => typeof window.veil === "object");
  await page.evaluate(() => window.veil.consent.grant(["recording", "heatmaps"]));
  await page.waitForFunction(() => Object.keys(localStorage).some((k) => k.startsWith("veil")), null, { timeout: 10000 });
  for (const id of ["name", "email", "phone"]) {
    await page.click(`#${id}`);
    await page.keyboard.type(TYPED[id], { delay: 40 });
    await page.waitForTimeout(300);
  }
  for (let i = PHONE_LEFT.length; i < TYPED.phone.length; i++) await page.keyboard.press("Backspace");
  const phoneLeft = await page.inputValue("#phone");
  await page.waitForTimeout(500);
  // Away with the focus still in the phone field: the recorder's page hide
  // ends that field and abandons the form, and sends what it holds.
  await page.goto("about:blank");
  await page.waitForTimeout(1500);
  await visitor.close();
  await phase("abandoned", { typed: Object.values(TYPED), phoneLeft, consoleErrors });

  // 2. The analyst: Pages → the checkout page → Forms.
  const analyst = await browser.newContext({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1 });
  const console_ = await analyst.newPage();
  const pageErrors = [];
  console_.on("pageerror", (error) => pageErrors.push(String(error)));
  await console_.goto(`${veilUrl}/console`);
  await console_.fill("#login-key", analystKey);
  await console_.click("#login-submit");
  await console_.waitForSelector("#nav-pages", { timeout: 15000 });
  await console_.click("#nav-pages");
  const row = await console_.waitForSelector("tr[data-page]", { timeout: 15000 });
  const pageKey = await row.getAttribute("data-page");
  await row.click();
  await console_.click("#tab-forms");
  await console_.waitForSelector("#forms tr[data-field]", { timeout: 15000 });
  const forms = await console_.evaluate(() =>
    [...document.querySelectorAll("#forms [data-form]")].map((card) => ({
      form: card.dataset.form,
      facts: [...card.querySelectorAll(".form-fact")].map((f) => f.textContent),
      drop: card.querySelector(".form-drop")?.textContent ?? null,
      rows: [...card.querySelectorAll("tr[data-field]")].map((r) => ({
        field: r.dataset.field,
        last: r.dataset.last === "true",
        bar: r.querySelector(".funnel-bar > span")?.style.width ?? null,
        cells: [...r.querySelectorAll("td")].map((td) => td.textContent.trim()),
      })),
    })),
  );
  const url = console_.url();
  await console_.screenshot({ path: join(screenshots, "forms.png") });
  await analyst.close();
  await phase("console", { pageKey, url, forms, pageErrors });
});
