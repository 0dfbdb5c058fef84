// Records the test shop with plain rrweb (`rrwebRecord()` from
// @rrweb/record, not Veil's recorder) for crates/server/tests/stock_rrweb.rs,
// posting Veil batches by hand as a site with its own rrweb integration
// would: the snapshot in batch 0, a scroll in batch 1, clicks after the
// scroll in batch 2 (two form fields filled in before it), then batch 3 with neither page nor viewport nor a
// Meta event (placed where the session's earlier batches were), and last
// the same from a session the server has never seen, which it refuses
// with a 400 that says why.
//
//   node stock-rrweb.mjs <scenario> <shop url> <veil url>

import { drive, injectRrweb, launchChromium, phase } from "./chromium.mjs";

const [, shopUrl, veilUrl] = process.argv.slice(2);

const browser = await launchChromium();
await drive(browser, async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  await page.goto(shopUrl);
  await injectRrweb(page);
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
    window.sendBatch = async (envelope = true, otherSession = undefined) => {
      const batch = { v: 1, site: "demo", session: otherSession ?? session, seq: seq++, events: buffer.splice(0) };
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
  // The visitor fills in two fields of the checkout form, before the
  // scroll (typing scrolls a field into view).
  for (const [field, text] of [["#name", "Jane Roe"], ["#email", "jane.roe@example.com"]]) {
    await page.evaluate((selector) => document.querySelector(selector).focus({ preventScroll: true }), field);
    await page.keyboard.type(text, { delay: 20 });
    await page.waitForTimeout(200);
  }
  await page.evaluate(() => document.activeElement.blur());
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
  // The same from a session without an earlier batch.
  await page.mouse.click(790, 230);
  await page.waitForTimeout(300);
  answers.push(await page.evaluate(() => window.sendBatch(false, crypto.randomUUID())));
  const documentSize = await page.evaluate(() => ({
    w: document.documentElement.scrollWidth,
    h: document.documentElement.scrollHeight,
  }));
  await context.close();
  await phase("recorded", { ...started, answers, clicks, document: documentSize });
});
