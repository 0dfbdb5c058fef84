// Records the demo shop's pages (server.demo_site) as `veil demo` replays
// them: for each page, rrweb's Meta and FullSnapshot events as Chromium
// serialises the page, its size, and where its clickable elements and form
// fields are (document coordinates, rrweb node ids, selectors). The demo's
// visits are made from these, so their heatmaps sit on the real pages.
//
//   node demo-fixtures.mjs <veil url with server.demo_site> <output file>
//
// crates/server/tests/demo_fixtures.rs runs this and compares the result
// with the committed crates/server/src/commands/demo/pages.json; after a
// change to the demo pages, regenerate it with
//   UPDATE_DEMO_FIXTURES=1 cargo test -p veil-server --test demo_fixtures

import { writeFileSync } from "node:fs";
import { drive, injectRrweb, launchChromium } from "./chromium.mjs";

const [veilUrl, output] = process.argv.slice(2);
const slugs = ["trail-jacket", "down-parka", "rain-shell", "fleece-hoodie", "hiking-boots", "merino-base-layer"];
const paths = ["/", "/products", ...slugs.map((s) => `/products/${s}`), "/contact", "/checkout"];

const browser = await launchChromium();
await drive(browser, async () => {
  const pages = [];
  for (const path of paths) {
    // bypassCSP: the shop allows only its own scripts; rrweb is injected.
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1, bypassCSP: true });
    // A returning visitor who accepted: no banner over the page.
    await context.addInitScript(() => localStorage.setItem("demo-shop:consent", "accepted"));
    const page = await context.newPage();
    const response = await page.goto(`${veilUrl}${path}`);
    if (!response.ok()) throw new Error(`${path} answered ${response.status()}`);
    await page.waitForLoadState("load");
    await injectRrweb(page);
    const fixture = await page.evaluate(async () => {
      const events = [];
      const rr = typeof window.rrwebRecord === "function" ? { record: window.rrwebRecord } : window.rrwebRecord;
      const stop = rr.record({ emit: (e) => events.push(e), maskAllInputs: true });
      await new Promise((resolve) => setTimeout(resolve, 200));
      if (stop) stop();
      const mirror = rr.record.mirror;
      const selector = (el) => {
        let s = el.tagName.toLowerCase();
        if (el.id) return `${s}#${el.id}`;
        const classes = [...el.classList].slice(0, 2);
        if (classes.length) s += "." + classes.join(".");
        const parent = el.parentElement;
        const base = parent && parent !== document.body ? parent.tagName.toLowerCase() + (parent.id ? `#${parent.id}` : parent.classList[0] ? `.${parent.classList[0]}` : "") + " > " : "";
        return base + s;
      };
      const box = (el) => {
        const r = el.getBoundingClientRect();
        return { x: Math.round(r.left + scrollX), y: Math.round(r.top + scrollY), w: Math.round(r.width), h: Math.round(r.height) };
      };
      const visible = (el) => {
        const r = el.getBoundingClientRect();
        return r.width > 0 && r.height > 0;
      };
      const kind = (el) => {
        if (el.matches("input, textarea, select")) return "field";
        if (el.closest("header")) return "menu";
        if (el.matches("a[href]")) return "link";
        return "button";
      };
      const targets = [...document.querySelectorAll("a[href], button, select, input, textarea, summary")]
        .filter(visible)
        .filter((el) => !el.closest("#consent-banner"))
        .map((el) => ({
          id: mirror.getId(el),
          selector: selector(el),
          kind: kind(el),
          href: el.getAttribute("href"),
          autocomplete: el.getAttribute("autocomplete"),
          type: el.getAttribute("type"),
          ...box(el),
        }));
      const root = document.documentElement;
      return {
        title: document.title,
        viewport: { w: innerWidth, h: innerHeight },
        document: { w: root.scrollWidth, h: root.scrollHeight },
        documentId: mirror.getId(document),
        meta: events.find((e) => e.type === 4),
        snapshot: events.find((e) => e.type === 2),
        targets,
      };
    });
    fixture.path = path;
    // Timestamps are the capture's: the demo sets its own.
    fixture.meta.timestamp = 0;
    fixture.snapshot.timestamp = 0;
    pages.push(fixture);
    await context.close();
  }
  // The server's address is the capture's: `veil demo` puts the site's.
  writeFileSync(output, JSON.stringify({ pages }, null, 1).split(veilUrl).join("{origin}") + "\n");
  process.stdout.write(JSON.stringify({ phase: "written", consoleErrors: [], pages: pages.length }) + "\n");
});
