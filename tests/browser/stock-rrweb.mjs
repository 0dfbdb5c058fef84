// Records the test shop with plain rrweb (`rrwebRecord()` from
// @rrweb/record, not Veil's recorder) for crates/server/tests/stock_rrweb.rs,
// posting Veil batches by hand as a site with its own rrweb integration
// would: the snapshot in batch 0, a scroll in batch 1, clicks after the
// scroll in batch 2, and a last one with neither page nor viewport nor a
// Meta event to take them from, which the server refuses with a 400 that
// says so.
//
//   node stock-rrweb.mjs <scenario> <shop url> <veil url>

import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { drive, launchChromium } from "./chromium.mjs";

const [, shopUrl, veilUrl] = process.argv.slice(2);
const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
const rrweb = readFileSync(new URL("../../sdk-js/node_modules/@rrweb/record/dist/record.umd.min.cjs", import.meta.url), "utf8");

async function phase(name, data = {}) {
  process.stdout.write(JSON.stringify({ phase: name, consoleErrors: [], ...data }) + "\n");
  if ((await lines.next()).done) process.exit(0);
}

const browser = await launchChromium();
await drive(browser, async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  await page.goto(shopUrl);
  await page.addScriptTag({ content: rrweb });
  const started = await page.evaluate(async (veil) => {
    const visitor = "5a".repeat(16);
    const grant = await fetch(`${veil}/v1/consent`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ site: "demo", purposes: ["recording", "heatmaps"], visitor }),
    });
    const { token } = await grant.json();
    const session = crypto.randomUUID();
    const buffer = [];
    let seq = 0;
    // The UMD bundle's global is the module (`record` is its export).
    const record = typeof window.rrwebRecord === "function" ? window.rrwebRecord : window.rrwebRecord.record;
    record({ emit: (event) => buffer.push(event) });
    // One Veil batch of what rrweb emitted since the last one.
    window.sendBatch = async (envelope = true) => {
      const batch = { v: 1, site: "demo", session, seq: seq++, events: buffer.splice(0) };
      if (envelope) {
        batch.page = { url: location.href };
        batch.viewport = { w: innerWidth, h: innerHeight };
        batch.document = { w: document.documentElement.scrollWidth, h: document.documentElement.scrollHeight };
      }
      const answer = await fetch(`${veil}/v1/ingest`, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-Consent-Token": token },
        body: JSON.stringify(batch),
      });
      return { status: answer.status, body: await answer.json(), events: batch.events.length, types: batch.events.map((e) => e.type) };
    };
    return { session, visitor };
  }, veilUrl);

  const answers = [];
  answers.push(await page.evaluate(() => window.sendBatch()));
  await page.evaluate(() => window.scrollTo(0, 1000));
  await page.waitForTimeout(400);
  answers.push(await page.evaluate(() => window.sendBatch()));
  // #promo sits at document (700..860, 1200..1240): at viewport y 200..240
  // now; #buy (100..300, 400..450) is above the viewport.
  const clicks = [];
  for (const [x, y] of [[780, 220], [790, 225]]) {
    await page.mouse.click(x, y);
    clicks.push({ x, y: y + 1000, selector: "button#promo" });
    await page.waitForTimeout(150);
  }
  await page.waitForTimeout(300);
  answers.push(await page.evaluate(() => window.sendBatch()));
  // A batch with neither page nor viewport nor document.
  await page.mouse.click(780, 230);
  clicks.push({ x: 780, y: 1230, selector: "button#promo" });
  await page.waitForTimeout(300);
  answers.push(await page.evaluate(() => window.sendBatch(false)));
  const documentSize = await page.evaluate(() => ({
    w: document.documentElement.scrollWidth,
    h: document.documentElement.scrollHeight,
  }));
  await context.close();
  await phase("recorded", { ...started, answers, clicks, document: documentSize });
});
