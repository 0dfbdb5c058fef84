// Drives the analyst console in Debian's Chromium for
// crates/server/tests/console_browser.rs: records a visit of the test shop
// with the recorder (with a burst of rage clicks), then logs in as an
// analyst, checks the heatmap overlay pixel by pixel, its CSV link and PNG
// export and the segment selector, opens the comparison and the insights
// views, plays the replay, reports it, and checks an analyst cannot reach
// the admin pages while an admin sees the report.
//
//   node console.mjs <scenario> <shop url> <veil url> <analyst key> <admin key> <screenshot dir>
//
// Same protocol as recorder.mjs: a JSON line per phase, then a line on
// stdin to go on.

import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { drive, launchChromium, phase } from "./chromium.mjs";
import { compareView, exportsOf, insightsView, segmentSelector } from "./console-views.mjs";

const [, shopUrl, veilUrl, analystKey, adminKey, screenshots] = process.argv.slice(2);

const browser = await launchChromium();

/** A fresh browser profile whose page errors are collected. */
async function openPage(viewport = { width: 1280, height: 720 }) {
  const context = await browser.newContext({ viewport, deviceScaleFactor: 1 });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (error) => errors.push(String(error)));
  return { context, page, errors };
}

/** Logs into the console with `key` and waits for the app shell. */
async function login(page, key) {
  await page.goto(`${veilUrl}/console`);
  await page.fill("#login-key", key);
  await page.click("#login-submit");
  await page.waitForSelector("#nav-pages", { timeout: 15000 });
}

await drive(browser, async () => {
  mkdirSync(screenshots, { recursive: true });

  // 1. A visitor consents and clicks at known document coordinates.
  const visitor = await openPage();
  await visitor.page.goto(shopUrl);
  await visitor.page.waitForFunction(() => typeof window.veil === "object");
  await visitor.page.evaluate(() => window.veil.consent.grant(["recording", "heatmaps"]));
  await visitor.page.waitForFunction(() => Object.keys(localStorage).some((k) => k.startsWith("veil")));
  const clicks = [];
  const clickAt = async (x, y) => {
    await visitor.page.evaluate((top) => window.scrollTo(0, top), Math.max(0, y - 300));
    await visitor.page.waitForTimeout(200);
    const scrollY = await visitor.page.evaluate(() => window.scrollY);
    await visitor.page.mouse.click(x, y - scrollY);
    clicks.push({ x, y });
    // Spread over seconds, so the replay lasts long enough to watch it play.
    await visitor.page.waitForTimeout(1500);
  };
  for (const [x, y] of [[200, 425], [200, 430], [780, 1220], [790, 1225], [500, 1000]]) await clickAt(x, y);
  // A burst on one spot of plain text: rage clicks (3 within 1 s and 30 px)
  // that are dead too (nothing happens), for the insights view.
  await visitor.page.evaluate(() => window.scrollTo(0, 1700));
  await visitor.page.waitForTimeout(200);
  const burstTop = await visitor.page.evaluate(() => window.scrollY);
  for (let i = 0; i < 3; i++) {
    await visitor.page.mouse.click(520, 2010 - burstTop);
    clicks.push({ x: 520, y: 2010 });
    await visitor.page.waitForTimeout(120);
  }
  await visitor.page.waitForTimeout(1500);
  await visitor.page.type("#name", "Console Typed-Secret");
  await visitor.page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
  await visitor.page.waitForTimeout(1200);
  await visitor.page.evaluate(() => window.veil.flush());
  const documentSize = await visitor.page.evaluate(() => ({
    w: document.documentElement.scrollWidth,
    h: document.documentElement.scrollHeight,
  }));
  await visitor.context.close();
  await phase("recorded", { clicks, document: documentSize });

  // 2. The analyst opens the page's heatmap from the pages list.
  const analyst = await openPage({ width: 1600, height: 1000 });
  await login(analyst.page, analystKey);
  const adminNav = await analyst.page.$("#nav-admin");
  await analyst.page.click("#nav-pages");
  const row = await analyst.page.waitForSelector("[data-page]", { timeout: 15000 });
  const pageKey = await row.getAttribute("data-page");
  await row.click();
  await analyst.page.waitForSelector("#heatmap-canvas", { timeout: 15000 });
  await analyst.page.waitForFunction(
    () => Number(document.querySelector("#heatmap-canvas")?.dataset.total) >= 4,
    null,
    { timeout: 15000 },
  );
  // The recorded page behind the overlay (rrweb's replayer iframe).
  await analyst.page.waitForFunction(
    () => [...document.querySelectorAll("iframe")].some((f) => f.contentDocument?.body?.textContent?.includes("Veil test shop")),
    null,
    { timeout: 15000 },
  );
  await analyst.page.waitForTimeout(500);
  const probe = (points) =>
    analyst.page.evaluate((points) => {
      const canvas = document.querySelector("#heatmap-canvas");
      const ctx = canvas.getContext("2d");
      const scale = canvas.width / documentWidth(canvas);
      function documentWidth(c) {
        return Number(c.dataset.docWidth) || c.width;
      }
      return points.map(([x, y]) => {
        // The largest alpha around the point (a cell is 20 × 16 px).
        let alpha = 0;
        for (let dx = -2; dx <= 2; dx++) {
          for (let dy = -2; dy <= 2; dy++) {
            const px = Math.round(x * scale) + dx;
            const py = Math.round(y * scale) + dy;
            if (px < 0 || py < 0 || px >= canvas.width || py >= canvas.height) continue;
            alpha = Math.max(alpha, ctx.getImageData(px, py, 1, 1).data[3]);
          }
        }
        return alpha;
      });
    }, points);
  const onClicks = await probe(clicks.map((c) => [c.x, c.y]));
  const farAway = [[1100, 150], [60, 2200], [1000, 2800], [400, 700]];
  const offClicks = await probe(farAway);
  const canvasInfo = await analyst.page.evaluate(() => {
    const c = document.querySelector("#heatmap-canvas");
    return { width: c.width, height: c.height, total: Number(c.dataset.total), cells: Number(c.dataset.cells) };
  });
  await analyst.page.screenshot({ path: join(screenshots, "heatmap.png") });
  await phase("heatmap", { pageKey, onClicks, farAway, offClicks, canvas: canvasInfo, adminNav: Boolean(adminNav) });

  // 2b. Exports (CSV links, the PNG over the page) and the segment selector.
  const exportsReport = await exportsOf(analyst.page, readFileSync);
  const segments = await segmentSelector(analyst.page);
  await phase("exports", { ...exportsReport, segments, pageErrors: analyst.errors });

  // 2c. The comparison: this period against the one before.
  const compare = await compareView(analyst.page, clicks, screenshots);
  await phase("compare", { ...compare, pageErrors: analyst.errors });

  // 2d. Insights: the burst's rage clicks, and a replay of the session.
  const insights = await insightsView(analyst.page, pageKey, screenshots);
  await phase("insights", { ...insights, pageErrors: analyst.errors });

  // 3. Sessions and a replay that plays.
  await analyst.page.click("#nav-sessions");
  const sessionRow = await analyst.page.waitForSelector("[data-session]", { timeout: 15000 });
  const session = await sessionRow.getAttribute("data-session");
  await analyst.page.screenshot({ path: join(screenshots, "sessions.png") });
  await sessionRow.click();
  await analyst.page.waitForSelector("#replay iframe", { timeout: 20000 });
  await analyst.page.waitForFunction(
    () => document.querySelector("#replay iframe")?.contentDocument?.body?.textContent?.includes("Veil test shop"),
    null,
    { timeout: 20000 },
  );
  // Playing: the replayed page changes (the title after the buy click, the
  // scroll) and the player's clock moves.
  const clock = () =>
    analyst.page.evaluate(() => document.querySelector("#replay .rr-timeline__time, #replay [data-time]")?.textContent ?? "");
  const before = await clock();
  await analyst.page.waitForTimeout(2500);
  const after = await clock();
  const replayed = await analyst.page.evaluate(
    () => document.querySelector("#replay iframe")?.contentDocument?.body?.textContent ?? "",
  );
  await analyst.page.screenshot({ path: join(screenshots, "replay.png") });
  await phase("replay", { session, clock: [before, after], replayedThankYou: replayed.includes("Thank you") });

  // 4. Report PII: the session disappears for the analyst.
  await analyst.page.click("#report-pii");
  await analyst.page.fill("#report-reason", "an e-mail address is visible in the header");
  await analyst.page.click("#report-submit");
  await analyst.page.waitForTimeout(1000);
  await analyst.page.click("#nav-sessions");
  await analyst.page.waitForTimeout(1500);
  const rowsAfterReport = await analyst.page.$$eval("[data-session]", (rows) => rows.map((r) => r.dataset.session));
  // The admin pages are not the analyst's: no navigation, no queue.
  await analyst.page.goto(`${veilUrl}/console#/sites/demo/admin/review`);
  await analyst.page.waitForTimeout(1500);
  const analystQueue = await analyst.page.$("#review-queue [data-report-session]");
  const analystErrors = analyst.errors;
  await analyst.context.close();
  await phase("reported", { rowsAfterReport, analystSeesQueue: Boolean(analystQueue), pageErrors: analystErrors });

  // 5. The admin sees the report in the review queue.
  const admin = await openPage({ width: 1600, height: 1000 });
  await login(admin.page, adminKey);
  const adminHasNav = Boolean(await admin.page.$("#nav-admin"));
  await admin.page.goto(`${veilUrl}/console#/sites/demo/admin/review`);
  await admin.page.waitForSelector("#review-queue", { timeout: 15000 });
  await admin.page.waitForTimeout(1000);
  const queued = await admin.page.$$eval("#review-queue [data-report-session]", (rows) => rows.map((r) => r.dataset.reportSession));
  await admin.page.screenshot({ path: join(screenshots, "review.png") });
  await phase("admin", { adminHasNav, queued, pageErrors: admin.errors });
});
