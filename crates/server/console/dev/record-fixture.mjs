// Records dev/fixtures/shop.json: real rrweb recordings of the demo shop in
// dev/site/, made in Chromium with rrweb's recorder, for the mock server.
//
//   node dev/record-fixture.mjs        (CHROMIUM_PATH defaults to /usr/bin/chromium)
//
// What it writes:
//   pages[key][device]  the Meta + FullSnapshot of one page view (what
//                       GET /v1/sites/{site}/snapshot answers), the document
//                       size and the clickable targets with their document
//                       rectangles (the mock server puts heatmap clicks there)
//   sessions[device]    whole visits (home → product → cart) as rrweb events,
//                       with veil.click / veil.scroll / veil.error custom
//                       events like the Veil recorder emits
// Inputs are masked (maskAllInputs), the origin is rewritten to
// https://shop.example.
import { createServer } from "node:http";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
const ORIGIN = "https://shop.example";
const ROUTES = { "/": "index.html", "/products/1042": "product.html", "/cart": "cart.html", "/site.css": "site.css" };
const KEYS = { "/": `${ORIGIN}/`, "/products/1042": `${ORIGIN}/products/:id`, "/cart": `${ORIGIN}/cart` };
const DEVICES = {
  desktop: { viewport: { width: 1280, height: 800 } },
  tablet: { viewport: { width: 820, height: 1180 }, hasTouch: true },
  mobile: { viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true, deviceScaleFactor: 2 },
};

const server = createServer((req, res) => {
  const path = new URL(req.url, "http://x").pathname;
  const file = ROUTES[path] ?? (path.startsWith("/products/") ? "product.html" : undefined);
  if (!file) return res.writeHead(404).end();
  res.writeHead(200, { "Content-Type": file.endsWith(".css") ? "text/css" : "text/html; charset=utf-8" });
  res.end(readFileSync(join(here, "site", file)));
});
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const base = `http://127.0.0.1:${server.address().port}`;

const recorder = await build({
  stdin: { contents: 'import { record } from "rrweb"; window.rrwebRecord = record;', resolveDir: join(here, ".."), loader: "js" },
  bundle: true,
  format: "iife",
  write: false,
  minify: true,
});
// Emits veil.* custom events the way the Veil recorder does (sdk-js/src/heatmap.ts).
const glue = `(() => {
  // Not in the initial about:blank of a new page (recording there crashes Chromium).
  if (!location.protocol.startsWith("http")) return;
  const record = window.rrwebRecord;
  const start = () => {
    record({ emit: (e) => window.__veilEmit(e), maskAllInputs: true, inlineStylesheet: true,
      sampling: { mousemove: 80, scroll: 150, input: "last" } });
    const recent = [];
    const docSize = () => ({ w: document.documentElement.scrollWidth, h: document.documentElement.scrollHeight });
    const selector = (el) => {
      const parts = [];
      for (let n = el; n && n.nodeType === 1 && parts.length < 4 && n !== document.body; n = n.parentElement) {
        let s = n.tagName.toLowerCase();
        if (n.id) { parts.unshift(s + "#" + n.id); break; }
        const cls = [...n.classList].slice(0, 2);
        if (cls.length) s += "." + cls.join(".");
        parts.unshift(s);
      }
      return parts.join(" > ");
    };
    const fixedBox = (el) => { for (let n = el; n; n = n.parentElement) { const p = getComputedStyle(n).position; if (p === "fixed" || p === "sticky") return true; } return false; };
    document.addEventListener("click", (e) => {
      const t = Date.now(), x = Math.round(e.clientX + scrollX), y = Math.round(e.clientY + scrollY);
      while (recent.length && t - recent[0].t > 1000) recent.shift();
      recent.push({ t, x, y });
      const near = recent.filter((c) => Math.hypot(c.x - x, c.y - y) <= 30).length;
      const interactive = !!e.target.closest("a,button,input,select,textarea,label,summary");
      const fixed = fixedBox(e.target);
      const p = { x, y, ...docSize(), vw: innerWidth, vh: innerHeight, fixed, selector: selector(e.target), rage: near >= 3, dead: !interactive };
      if (fixed) { p.vx = Math.round(e.clientX); p.vy = Math.round(e.clientY); }
      record.addCustomEvent("veil.click", p);
    }, true);
    let last = 0;
    addEventListener("scroll", () => {
      if (Date.now() - last < 400) return;
      last = Date.now();
      record.addCustomEvent("veil.scroll", { x: Math.round(scrollX), y: Math.round(scrollY), ...docSize(), vw: innerWidth, vh: innerHeight, fixed: false });
    }, { passive: true });
    const error = console.error.bind(console);
    console.error = (...args) => { record.addCustomEvent("veil.error", { message: args.map(String).join(" ") }); error(...args); };
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
})();`;

/** Clickable targets and the document size, in document coordinates. */
function layout() {
  const selector = (el) => {
    const parts = [];
    for (let n = el; n && n.nodeType === 1 && parts.length < 4 && n !== document.body; n = n.parentElement) {
      let s = n.tagName.toLowerCase();
      if (n.id) {
        parts.unshift(s + "#" + n.id);
        break;
      }
      const cls = [...n.classList].slice(0, 2);
      if (cls.length) s += "." + cls.join(".");
      parts.unshift(s);
    }
    return parts.join(" > ");
  };
  const fixed = (el) => {
    for (let n = el; n; n = n.parentElement) {
      const p = getComputedStyle(n).position;
      if (p === "fixed" || p === "sticky") return true;
    }
    return false;
  };
  const targets = [];
  const seen = new Set();
  for (const el of document.querySelectorAll("a, button, input, select, .bag, .big, .card .img, h1, .review, .usps > div, .thumb")) {
    const r = el.getBoundingClientRect();
    if (r.width < 4 || r.height < 4) continue;
    const s = selector(el);
    const key = `${s}|${Math.round(r.left)}|${Math.round(r.top)}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const isFixed = fixed(el);
    const interactive = !!el.closest("a,button,input,select");
    targets.push({
      selector: s,
      x: Math.round(r.left + (isFixed ? 0 : scrollX)),
      y: Math.round(r.top + (isFixed ? 0 : scrollY)),
      w: Math.round(r.width),
      h: Math.round(r.height),
      fixed: isFixed,
      interactive,
      text: (el.textContent || "").trim().slice(0, 40),
    });
  }
  return { document: { w: document.documentElement.scrollWidth, h: document.documentElement.scrollHeight }, targets };
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu"],
});
const out = { origin: ORIGIN, recorded_with: "rrweb 2.1.6 record, Chromium", pages: {}, sessions: {} };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function context(device) {
  const ctx = await browser.newContext(DEVICES[device]);
  const events = [];
  await ctx.exposeBinding("__veilEmit", (_source, event) => events.push(event));
  await ctx.addInitScript({ content: recorder.outputFiles[0].text + "\n" + glue });
  return { ctx, events };
}

try {
  // Snapshots and layouts: one page view per page and device.
  for (const device of Object.keys(DEVICES)) {
    for (const [path, key] of Object.entries(KEYS)) {
      const { ctx, events } = await context(device);
      const page = await ctx.newPage();
      await page.goto(base + path);
      await sleep(600);
      const info = await page.evaluate(layout);
      await ctx.close();
      const meta = events.find((e) => e.type === 4);
      const full = events.find((e) => e.type === 2);
      const { width, height } = DEVICES[device].viewport;
      (out.pages[key] ??= {})[device] = { viewport: { w: width, h: height }, ...info, events: [meta, full] };
    }
  }

  // A desktop visit: home → product → cart, with a rage and a dead click and an error.
  {
    const { ctx, events } = await context("desktop");
    const page = await ctx.newPage();
    const m = page.mouse;
    await page.goto(base + "/");
    await sleep(500);
    await m.move(300, 300, { steps: 12 });
    await m.move(640, 420, { steps: 15 });
    await sleep(700);
    await m.click(980, 380); // the coffee bag illustration: a dead click
    await sleep(1200);
    await page.click("#hero-cta");
    await sleep(900);
    for (let i = 0; i < 4; i++) {
      await m.wheel(0, 220);
      await m.move(400 + i * 90, 350 + i * 40, { steps: 8 });
      await sleep(350);
    }
    await page.hover(".grid .card:nth-child(2)");
    await sleep(600);
    await page.click(".grid .card:nth-child(2) [data-add]");
    await sleep(700);
    await m.wheel(0, 600);
    await sleep(500);
    await page.click(".grid .card:nth-child(1) h3 a");
    await page.waitForLoadState("load");
    await sleep(800);
    await page.click(".opt:nth-child(2)");
    await sleep(500);
    await page.selectOption("select", "Filter");
    await sleep(400);
    await page.click(".big-add");
    await sleep(700);
    await m.click(300, 400); // the product image: dead
    await sleep(1200);
    await m.wheel(0, 500);
    await sleep(700);
    await page.click("#cart-link");
    await page.waitForLoadState("load");
    await sleep(800);
    await page.fill(".coupon input", "WELCOME20");
    await sleep(300);
    const box = await page.locator("#apply-coupon").boundingBox();
    for (let i = 0; i < 4; i++) {
      await m.click(box.x + box.width / 2 + i, box.y + box.height / 2);
      await sleep(150);
    }
    await sleep(900);
    await page.click("#checkout");
    await sleep(1500);
    await ctx.close();
    out.sessions.desktop = events;
  }

  // A mobile visit: home, scroll, a product, add to cart.
  {
    const { ctx, events } = await context("mobile");
    const page = await ctx.newPage();
    await page.goto(base + "/");
    await sleep(600);
    for (let i = 0; i < 5; i++) {
      await page.evaluate(() => scrollBy(0, 420));
      await sleep(450);
    }
    await page.tap(".grid .card:nth-child(3) [data-add]");
    await sleep(600);
    await page.tap(".grid .card:nth-child(3) h3 a");
    await page.waitForLoadState("load");
    await sleep(700);
    await page.tap(".opt:nth-child(3)");
    await sleep(400);
    await page.evaluate(() => scrollBy(0, 500));
    await sleep(500);
    await page.tap(".big-add");
    await sleep(1200);
    await ctx.close();
    out.sessions.mobile = events;
  }
} finally {
  await browser.close();
  server.close();
}

const text = JSON.stringify(out).replaceAll(base, ORIGIN);
mkdirSync(join(here, "fixtures"), { recursive: true });
writeFileSync(join(here, "fixtures", "shop.json"), text + "\n");
console.log(`wrote dev/fixtures/shop.json (${(text.length / 1024).toFixed(0)} KiB)`);
for (const [d, ev] of Object.entries(out.sessions)) console.log(`  session ${d}: ${ev.length} events`);
