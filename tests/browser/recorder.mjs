// Drives Debian's Chromium through one recorder scenario for
// crates/server/tests/recorder_browser.rs, which owns the real `veil serve`
// and ClickHouse and checks the server side between phases.
//
//   node recorder.mjs <scenario> <page url> <veil url>
//
// Scenarios: `plain` (the page grants through veil.consent), `tcf` (an IAB
// TCF v2.2 CMP stub), `gcm` (Google Consent Mode v2 through dataLayer).
// Protocol: one JSON line on stdout per phase; after each the script waits
// for a line on stdin before going on, so the test can look at the server.

import { drive, launchChromium, phase } from "./chromium.mjs";

const [scenario, pageUrl, veilUrl] = process.argv.slice(2);

const browser = await launchChromium();
await drive(browser, async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  const page = await context.newPage();
  const consoleErrors = [];
  page.on("console", (message) => {
    if (message.type() === "error") consoleErrors.push(message.text());
  });
  page.on("pageerror", (error) => consoleErrors.push(String(error)));
  // Every request the page makes to Veil, in order, with its phase.
  let current = "before_consent";
  const requests = [];
  page.on("request", (request) => {
    const url = request.url();
    if (url.startsWith(veilUrl) && !url.includes("/sdk/")) {
      requests.push({ phase: current, method: request.method(), path: new URL(url).pathname });
    }
  });
  const veilStorage = () =>
    page.evaluate(() => {
      const keys = [];
      for (const store of [localStorage, sessionStorage]) {
        for (let i = 0; i < store.length; i++) keys.push(store.key(i));
      }
      return { keys, cookie: document.cookie };
    });

  await page.goto(pageUrl);
  await page.waitForFunction(() => typeof window.veil === "object");

  // Before consent: a visitor types, clicks and scrolls. Nothing may leave.
  await page.fill("#name", "Jan before-consent Jansen");
  await page.click("#buy");
  await page.mouse.wheel(0, 800);
  await page.waitForTimeout(1500);
  await phase("before_consent", { requests, storage: await veilStorage(), consoleErrors });

  // Consent, by the scenario's route.
  current = "consented";
  if (scenario === "plain") {
    await page.evaluate(() => window.veil.consent.grant(["recording", "heatmaps"]));
  } else if (scenario === "tcf") {
    await page.evaluate(() => window.__tcfGrant());
  } else if (scenario === "gcm") {
    await page.evaluate(() => window.gtag("consent", "update", { analytics_storage: "granted" }));
  } else {
    throw new Error(`unknown scenario ${scenario}`);
  }
  await page.waitForFunction(() => Object.keys(localStorage).some((k) => k.startsWith("veil")), null, {
    timeout: 10000,
  });
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.waitForTimeout(300);
  // Clicks at known document coordinates: on the buy button (a real
  // button), twice on the promo button further down, once on blank page.
  const clicks = [];
  const clickAt = async (x, y) => {
    const scrollY = await page.evaluate(() => window.scrollY);
    await page.mouse.click(x, y - scrollY);
    clicks.push({ x, y });
    await page.waitForTimeout(150);
  };
  await clickAt(200, 425);
  await page.evaluate(() => window.scrollTo(0, 900));
  await page.waitForTimeout(300);
  await clickAt(780, 1220);
  await clickAt(790, 1225);
  await clickAt(500, 1000);
  // Blank page: nothing changes for a second, so the recorder calls it dead.
  await page.waitForTimeout(1300);
  await page.fill("#name", "");
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.type("#name", "Jan Typed-Secret");
  await page.type("#email", "jan.typed@example.com");
  await page.type("#password", "hunter2-typed-password");
  await page.type("#card", "4111 1111 1111 1111");
  await page.type("#note", "typed note secret");
  // To the bottom: scroll depth 100 %.
  await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
  await page.waitForTimeout(1200);
  await page.evaluate(() => window.veil.flush());
  const documentSize = await page.evaluate(() => ({
    w: document.documentElement.scrollWidth,
    h: document.documentElement.scrollHeight,
  }));
  await phase("recorded", {
    clicks,
    document: documentSize,
    requests,
    storage: await veilStorage(),
    typed: ["Jan Typed-Secret", "jan.typed@example.com", "hunter2-typed-password", "4111 1111 1111 1111", "typed note secret"],
    consoleErrors,
  });

  // Withdrawal with erasure: recording stops at once and the browser keeps
  // nothing of Veil.
  current = "withdrawn";
  await page.evaluate(() => window.veil.consent.withdraw({ erase: true }));
  current = "after_withdrawal";
  await page.mouse.click(200, 425);
  await page.fill("#name", "after withdrawal");
  await page.evaluate(() => window.scrollTo(0, 500));
  await page.waitForTimeout(6000);
  await phase("withdrawn", { requests, storage: await veilStorage(), consoleErrors });
});
