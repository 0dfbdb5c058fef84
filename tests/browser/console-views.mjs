// The parts of console.mjs that drive the newer console views: the
// heatmap's exports (CSV links, the PNG over the page), the segment
// selector, the comparison view and the insights view. Each returns what
// crates/server/tests/console_browser.rs checks.

/** The tab's CSV link, and what the server answers it (status, type, header line). */
async function csvOf(page, id) {
  await page.waitForSelector(`#${id}`, { timeout: 15000 });
  const href = await page.getAttribute(`#${id}`, "href");
  const answer = await page.evaluate(async (url) => {
    const response = await fetch(url, { credentials: "same-origin" });
    const text = await response.text();
    return {
      status: response.status,
      type: response.headers.get("content-type"),
      disposition: response.headers.get("content-disposition"),
      head: text.split("\r\n")[0],
      lines: text.split("\r\n").filter(Boolean).length,
    };
  }, href);
  return { href, ...answer };
}

/**
 * On the heatmap's clicks tab: the CSV links of the clicks, scroll and
 * forms tabs (each fetched), and "Export PNG" clicked, its download read
 * back (signature, size, IHDR width and height).
 */
export async function exportsOf(page, readFile) {
  const csv = { clicks: await csvOf(page, "csv-heatmap") };
  await page.waitForSelector("#export-png", { timeout: 15000 });
  const [download] = await Promise.all([page.waitForEvent("download", { timeout: 60000 }), page.click("#export-png")]);
  const bytes = readFile(await download.path());
  await page.waitForSelector("#export-png[data-state=done]", { timeout: 15000 });
  const button = await page.evaluate(() => ({ ...document.querySelector("#export-png").dataset }));
  const png = {
    name: download.suggestedFilename(),
    bytes: bytes.length,
    signature: bytes.subarray(0, 8).toString("hex"),
    width: bytes.length >= 24 ? bytes.readUInt32BE(16) : 0,
    height: bytes.length >= 24 ? bytes.readUInt32BE(20) : 0,
    background: button.pngBackground,
    buttonBytes: Number(button.pngBytes),
  };
  await page.click("#tab-scroll");
  csv.scroll = await csvOf(page, "csv-scroll");
  await page.click("#tab-forms");
  csv.forms = await csvOf(page, "csv-forms");
  await page.click("#tab-clicks");
  await page.waitForSelector("#heatmap-canvas", { timeout: 15000 });
  return { csv, png };
}

/**
 * The segment selector next to the filters: its state once loaded
 * (`unsupported` while the server has no …/segments), and when the server
 * lists sources, a source picked (it must reach the URL and the heatmap
 * must draw again), then all sources again.
 */
export async function segmentSelector(page) {
  await page.waitForSelector("#filter-segment", { timeout: 15000 });
  await page.waitForFunction(() => document.querySelector("#filter-segment")?.dataset.state !== "loading", null, { timeout: 15000 });
  const info = await page.evaluate(() => {
    const el = document.querySelector("#filter-segment");
    const source = document.querySelector("#filter-segment-source");
    const campaign = document.querySelector("#filter-segment-campaign");
    return {
      state: el.dataset.state,
      sourceDisabled: source.disabled,
      campaignDisabled: campaign.disabled,
      sources: [...source.options].map((o) => o.value),
      campaigns: [...campaign.options].map((o) => o.value),
    };
  });
  if (info.state === "ready" && info.sources.length > 1) {
    const chosen = info.sources[1];
    await page.selectOption("#filter-segment-source", chosen);
    await page.waitForFunction((s) => location.hash.includes(`source=${s}`), chosen, { timeout: 15000 });
    await page.waitForSelector("#heatmap-canvas", { timeout: 15000 });
    await page.waitForTimeout(800);
    info.chosen = chosen;
    info.hash = await page.evaluate(() => location.hash);
    info.totalWithSegment = await page.evaluate(() => Number(document.querySelector("#heatmap-canvas")?.dataset.total));
    info.csvWithSegment = await page.getAttribute("#csv-heatmap", "href");
    await page.selectOption("#filter-segment-source", "");
    await page.waitForFunction(() => !location.hash.includes("source="), null, { timeout: 15000 });
    await page.waitForSelector("#heatmap-canvas", { timeout: 15000 });
  }
  return info;
}

/**
 * The comparison opened from the heatmap (this period against the one
 * before): the difference canvas's figures and its colour where the
 * visitor clicked, the page figures, both sides' labels; then "Two
 * segments" to see that mode draws too.
 */
export async function compareView(page, clicks, screenshots) {
  await page.click("#open-compare");
  await page.waitForSelector("#compare-canvas", { timeout: 20000 });
  await page.waitForFunction(
    () => [...document.querySelectorAll("#compare iframe")].some((f) => f.contentDocument?.body?.textContent?.includes("Veil test shop")),
    null,
    { timeout: 15000 },
  );
  const info = await page.evaluate((points) => {
    const canvas = document.querySelector("#compare-canvas");
    const ctx = canvas.getContext("2d");
    // The strongest pixel around each click (a cell is 20 × 16 px).
    const colours = points.map(({ x, y }) => {
      let best = [0, 0, 0, 0];
      for (let dx = -3; dx <= 3; dx++) {
        for (let dy = -3; dy <= 3; dy++) {
          const px = Math.round(x) + dx;
          const py = Math.round(y) + dy;
          if (px < 0 || py < 0 || px >= canvas.width || py >= canvas.height) continue;
          const d = [...ctx.getImageData(px, py, 1, 1).data];
          if (d[3] > best[3]) best = d;
        }
      }
      return best;
    });
    return {
      canvas: { ...canvas.dataset, width: canvas.width, height: canvas.height },
      colours,
      figures: [...document.querySelectorAll("#compare-figures tr[data-figure]")].map((r) => [r.dataset.figure, ...[...r.querySelectorAll("td")].slice(1).map((td) => td.textContent.trim())]),
      sides: ["a", "b"].map((s) => document.querySelector(`#compare-${s}`)?.dataset.label ?? null),
      scrollRows: document.querySelectorAll("#compare-scroll tr[data-pct]").length,
      legend: document.querySelector("#compare-legend")?.textContent ?? "",
      url: location.hash,
    };
  }, clicks);
  await page.screenshot({ path: `${screenshots}/compare.png` });
  await page.click("[data-by=segment]");
  await page.waitForFunction(() => location.hash.includes("by=segment"), null, { timeout: 15000 });
  await page.waitForSelector("#compare-canvas", { timeout: 20000 });
  await page.waitForTimeout(500);
  await page.waitForFunction(() => document.querySelector("#compare-b-segment")?.dataset.state !== "loading", null, { timeout: 15000 });
  const bySegment = () =>
    page.evaluate(() => ({
      sides: ["a", "b"].map((s) => document.querySelector(`#compare-${s}`)?.dataset.label ?? null),
      pickers: ["a", "b"].map((s) => document.querySelector(`#compare-${s}-segment`)?.dataset.state ?? null),
      sources: [...(document.querySelector("#compare-b-segment-source")?.options ?? [])].map((o) => o.value),
      canvas: { ...document.querySelector("#compare-canvas")?.dataset },
      notes: [...document.querySelectorAll(".note")].map((n) => n.textContent),
    }));
  info.bySegment = await bySegment();
  // With segments on the server: all visitors (A) against the first listed source (B).
  const source = info.bySegment.sources[1];
  if (info.bySegment.pickers[1] === "ready" && source) {
    await page.selectOption("#compare-b-segment-source", source);
    await page.waitForFunction((s) => location.hash.includes(`b_source=${s}`), source, { timeout: 15000 });
    await page.waitForSelector("#compare-canvas", { timeout: 20000 });
    await page.waitForTimeout(800);
    info.segmentB = { source, ...(await bySegment()) };
  }
  return info;
}

/**
 * The insights view: every page's signals with their example sessions
 * and links (waiting a little for signals still being written), then the
 * replay of a rage-click example opened from it.
 */
export async function insightsView(page, pageKey, screenshots) {
  await page.click("#nav-insights");
  await page.waitForSelector("#insights", { timeout: 15000 });
  for (let i = 0; i < 10 && !(await page.$("#insights tr[data-signal]")); i++) {
    await page.waitForTimeout(1000);
    await page.reload();
    await page.waitForSelector("#insights", { timeout: 15000 });
  }
  const pages = await page.$$eval("#insights [data-page]", (cards) =>
    cards.map((card) => ({
      page: card.dataset.page,
      signals: [...card.querySelectorAll("tr[data-signal]")].map((r) => ({
        signal: r.dataset.signal,
        sessions: Number(r.dataset.sessions),
        examples: [...r.querySelectorAll("a.example")].map((a) => a.dataset.session),
        exampleHref: r.querySelector("a.example")?.getAttribute("href") ?? null,
        sessionsHref: r.querySelector("a.link")?.getAttribute("href") ?? null,
      })),
    })),
  );
  await page.screenshot({ path: `${screenshots}/insights.png` });
  let replay = null;
  const target = await page.$(`#insights [data-page="${pageKey}"] tr[data-signal="rage_clicks"] a.example`);
  if (target) {
    await target.click();
    await page.waitForSelector("#replay iframe", { timeout: 20000 });
    replay = { hash: await page.evaluate(() => location.hash), session: await page.getAttribute("#replay", "data-session") };
  }
  return { pages, replay };
}
