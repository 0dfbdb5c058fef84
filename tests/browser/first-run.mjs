// Drives Debian's Chromium through a first run for
// crates/server/tests/first_run.rs: after deploy/local/run.sh, a visitor
// accepts the demo shop's consent banner, browses to a product and types
// into the checkout; then the admin signs into the console with the demo
// key and finds a heatmap over a demo page and a replay of a session.
//
//   node first-run.mjs <veil url> <admin key> <screenshot dir>
//
// Same protocol as recorder.mjs: a JSON line per phase, then a line on
// stdin to go on.

import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { drive, launchChromium, phase } from "./chromium.mjs";

const [veilUrl, adminKey, screenshots] = process.argv.slice(2);

const browser = await launchChromium();

async function openPage(viewport) {
  const context = await browser.newContext({ viewport, deviceScaleFactor: 1 });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (error) => errors.push(String(error)));
  return { context, page, errors };
}

// What the visitor types: none of it may reach a table or a replay.
const typed = {
  "#email": "ada.lovelace@example.org",
  "#full-name": "Ada Typedsecret",
  "#street": "Keizersgracht 123",
  "#card": "4111 1111 1111 1111",
  "#password": "hunter2-Typedsecret",
};

await drive(browser, async () => {
  mkdirSync(screenshots, { recursive: true });

  // 1. A visitor of the demo shop: banner, accept, browse, checkout.
  const visitor = await openPage({ width: 1280, height: 800 });
  await visitor.page.goto(`${veilUrl}/`);
  await visitor.page.waitForSelector("#consent-banner:not([hidden])", { timeout: 15000 });
  const bannerBeforeConsent = await visitor.page.isVisible("#consent-banner");
  await visitor.page.screenshot({ path: join(screenshots, "demo-shop.png") });
  await visitor.page.click("#consent-accept");
  await visitor.page.waitForFunction(() => Object.keys(localStorage).some((k) => k.startsWith("veil:")), null, {
    timeout: 15000,
  });
  await visitor.page.click("#shop-now");
  await visitor.page.waitForSelector(".grid .card");
  await visitor.page.click('a.card[href="/products/trail-jacket"]');
  await visitor.page.waitForSelector("#add-to-cart");
  await visitor.page.waitForTimeout(600);
  await visitor.page.click(".swatch--moss");
  await visitor.page.click("#add-to-cart");
  await visitor.page.waitForSelector("#checkout-form");
  for (const [selector, text] of Object.entries(typed)) {
    await visitor.page.click(selector);
    await visitor.page.type(selector, text, { delay: 5 });
  }
  await visitor.page.waitForTimeout(600);
  await visitor.page.evaluate(() => window.veil.flush());
  const visitorErrors = visitor.errors;
  await visitor.context.close();
  await phase("visited", { bannerBeforeConsent, typed: Object.values(typed), pageErrors: visitorErrors });

  // 2. The admin: pages, then the heatmap of a product page.
  const admin = await openPage({ width: 1600, height: 1000 });
  await admin.page.goto(`${veilUrl}/console`);
  await admin.page.fill("#login-key", adminKey);
  await admin.page.click("#login-submit");
  await admin.page.waitForSelector("#nav-pages", { timeout: 15000 });
  await admin.page.click("#nav-pages");
  await admin.page.waitForSelector("[data-page]", { timeout: 15000 });
  const pages = await admin.page.$$eval("[data-page]", (rows) => rows.map((r) => r.dataset.page));
  await admin.page.screenshot({ path: join(screenshots, "first-run-pages.png") });
  const product = pages.find((key) => key.includes("/products/")) ?? pages[0];
  await admin.page.click(`[data-page="${product}"]`);
  await admin.page.waitForSelector("#heatmap-canvas", { timeout: 15000 });
  await admin.page.waitForFunction(() => Number(document.querySelector("#heatmap-canvas")?.dataset.total) > 0, null, {
    timeout: 20000,
  });
  // The recorded demo page behind the overlay.
  await admin.page.waitForFunction(
    () => [...document.querySelectorAll("iframe")].some((f) => f.contentDocument?.body?.textContent?.trim().length > 0),
    null,
    { timeout: 20000 },
  );
  await admin.page.waitForTimeout(800);
  const heatmap = await admin.page.evaluate(() => {
    const canvas = document.querySelector("#heatmap-canvas");
    const ctx = canvas.getContext("2d");
    const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
    let painted = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i] > 0) painted++;
    return { total: Number(canvas.dataset.total), cells: Number(canvas.dataset.cells), painted };
  });
  await admin.page.screenshot({ path: join(screenshots, "first-run-heatmap.png") });
  await phase("heatmap", { pages, product, heatmap });

  // 3. Sessions, and the replay of one.
  await admin.page.click("#nav-sessions");
  await admin.page.waitForSelector("[data-session]", { timeout: 15000 });
  const sessions = await admin.page.$$eval("[data-session]", (rows) => rows.map((r) => r.dataset.session));
  await admin.page.screenshot({ path: join(screenshots, "first-run-sessions.png") });
  await admin.page.click(`[data-session="${sessions[0]}"]`);
  await admin.page.waitForSelector("#replay iframe", { timeout: 20000 });
  await admin.page.waitForFunction(
    () => (document.querySelector("#replay iframe")?.contentDocument?.body?.textContent ?? "").includes("Noorderlicht"),
    null,
    { timeout: 20000 },
  );
  await admin.page.waitForTimeout(1500);
  const replayed = await admin.page.evaluate(
    () => document.querySelector("#replay iframe")?.contentDocument?.documentElement?.outerHTML ?? "",
  );
  await admin.page.screenshot({ path: join(screenshots, "first-run-replay.png") });
  await phase("replay", {
    sessions,
    replayedSession: sessions[0],
    typedInReplay: Object.values(typed).filter((t) => replayed.includes(t)),
    pageErrors: admin.errors,
  });
});
