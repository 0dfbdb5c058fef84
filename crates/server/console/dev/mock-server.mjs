// A stand-in for `veil serve` while building the console: serves dist/ at
// /console and answers the console's API calls with made-up but realistic
// data built around the real rrweb recordings in dev/fixtures/shop.json.
//
//   npm run build && node dev/mock-server.mjs        → http://127.0.0.1:8787/console/
//
// API keys: "analyst-key" (alice, analyst) and "admin-key" (root, admin).
// Environment: PORT (8787), MOCK_LATENCY ms per API answer (120),
// MOCK_FAIL a regex of API paths that answer 503 (try MOCK_FAIL=heatmaps),
// MOCK_NO_SEGMENTS=1 to answer …/segments with 404 (a server without
// segments: the console's segment selector must then stay disabled).
// Behaves like the server contract: cookie login, X-Veil-Console on every
// non-GET (403 without), 401 without login, 403 for analysts on admin
// endpoints, {"error": {"code", "message"}} bodies.
import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, "..", "dist");
const fixture = JSON.parse(readFileSync(join(here, "fixtures", "shop.json"), "utf8"));
const PORT = Number(process.env.PORT || 8787);
const NO_SEGMENTS = process.env.MOCK_NO_SEGMENTS === "1";
const LATENCY = Number(process.env.MOCK_LATENCY ?? 120);
const FAIL = process.env.MOCK_FAIL ? new RegExp(process.env.MOCK_FAIL) : null;
const DAY = 86_400_000;

const KEYS = { "analyst-key": { name: "alice", role: "analyst" }, "admin-key": { name: "root", role: "admin" } };
const logins = new Map();

const SITES = [
  { id: "demo", purposes: ["recording", "heatmaps"], retention_days: 30, heatmap_retention_days: 395, k_min: 1 },
  { id: "shop-staging", purposes: ["heatmaps"], retention_days: 14, heatmap_retention_days: 90, k_min: 5 },
];

// ---------- deterministic randomness ----------
function rng(seed) {
  let h = 1779033703 ^ seed.length;
  for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 3432918353), (h = (h << 13) | (h >>> 19));
  return () => {
    h = Math.imul(h ^ (h >>> 16), 2246822507);
    h = Math.imul(h ^ (h >>> 13), 3266489909);
    return ((h ^= h >>> 16) >>> 0) / 4294967296;
  };
}
const gauss = (r) => Math.sqrt(-2 * Math.log(r() + 1e-9)) * Math.cos(2 * Math.PI * r());
const hex = (r, n) => Array.from({ length: n }, () => Math.floor(r() * 16).toString(16)).join("");
const uuid = (r) => `${hex(r, 8)}-${hex(r, 4)}-4${hex(r, 3)}-a${hex(r, 3)}-${hex(r, 12)}`;

// ---------- pages ----------
const ORIGIN = fixture.origin;
const EXTRA_PAGES = [
  [`${ORIGIN}/checkout`, 0.32],
  [`${ORIGIN}/subscriptions`, 0.21],
  [`${ORIGIN}/journal/:id`, 0.17],
  [`${ORIGIN}/about`, 0.09],
  [`${ORIGIN}/checkout/confirmation`, 0.07],
];
const PAGE_WEIGHTS = [[`${ORIGIN}/`, 1], [`${ORIGIN}/products/:id`, 0.78], [`${ORIGIN}/cart`, 0.41], ...EXTRA_PAGES];
const DEVICE_SHARE = { desktop: 0.56, mobile: 0.36, tablet: 0.08, all: 1 };

function days(q) {
  const { from, to } = range(q);
  return Math.max(1, Math.round((Date.parse(to) - Date.parse(from)) / DAY) + 1);
}
function range(q) {
  const to = q.get("to") || new Date().toISOString().slice(0, 10);
  const from = q.get("from") || new Date(Date.parse(to) - 29 * DAY).toISOString().slice(0, 10);
  return { from, to };
}
function siteScale(site) {
  return site === "demo" ? 1 : 0.12;
}

// ---------- segments ----------
const SOURCE_SHARE = { direct: 0.34, search: 0.31, social: 0.14, email: 0.08, other: 0.09, unknown: 0.04 };
const CAMPAIGNS = [["utm_source", "newsletter", 0.07], ["utm_source", "google", 0.12], ["utm_medium", "email", 0.07], ["utm_medium", "cpc", 0.12], ["utm_campaign", "spring-sale", 0.1]];
/** The share of traffic a query's segment stands for (1 without one), and a seed part so segments differ. */
function segment(q) {
  let share = 1;
  const parts = [];
  if (q.get("source")) {
    share *= SOURCE_SHARE[q.get("source")] ?? 0;
    parts.push(q.get("source"));
  }
  for (const [name, value] of q) {
    if (!name.startsWith("utm_")) continue;
    share *= CAMPAIGNS.find(([n, v]) => n === name && v === value)?.[2] ?? 0.01;
    parts.push(`${name}=${value}`);
  }
  return { share, seed: parts.join("&") };
}
function segmentsAnswer(site, q) {
  const k = SITES.find((s) => s.id === site).k_min;
  const visitors = Math.round(412 * days(q) * siteScale(site) * 0.7 * DEVICE_SHARE[q.get("device") || "all"]);
  return {
    site, ...range(q), k_min: k,
    sources: Object.entries(SOURCE_SHARE).map(([source, share]) => ({ source, visitors: Math.round(visitors * share) })).filter((s) => s.visitors >= k),
    campaigns: CAMPAIGNS.map(([param, value, share]) => ({ param, value, visitors: Math.round(visitors * share) })).filter((c) => c.visitors >= k),
  };
}

// ---------- insights ----------
function insightsAnswer(site, q) {
  const k = SITES.find((s) => s.id === site).k_min;
  const pool = sessions.filter((s) => s.site === site);
  const out = [];
  for (const [page, w] of PAGE_WEIGHTS) {
    if (q.get("page") && q.get("page") !== page) continue;
    const r = rng(`insights|${page}`);
    for (const signal of ["rage_clicks", "dead_clicks", "quick_back", "excessive_scrolling"]) {
      if (r() < 0.35) continue;
      const n = Math.round(days(q) * siteScale(site) * DEVICE_SHARE[q.get("device") || "all"] * w * (1 + r() * 6));
      if (n < k || n === 0) continue;
      const examples = pool.filter((s) => s.pages.includes(page)).slice(0, Math.min(5, n)).map((s) => s.session);
      out.push({ page, signal, occurrences: n * (signal.endsWith("clicks") ? 3 : 1), sessions: n, visitors: Math.max(1, n - 1), examples });
    }
  }
  out.sort((a, b) => b.sessions - a.sessions || b.occurrences - a.occurrences);
  return { site, page: q.get("page") || null, device: q.get("device") || "all", ...range(q), k_min: k, insights: out.slice(0, Number(q.get("limit") || 50)) };
}

/** A CSV answer like the server's (csv.rs). */
function csv(res, name, columns, rows) {
  const cell = (v) => {
    if (v === null || v === undefined) return "";
    let t = String(v);
    if (typeof v === "string" && /^[=+\-@\t\r]/.test(t)) t = `'${t}`;
    return /[",\n\r]/.test(t) ? `"${t.replace(/"/g, '""')}"` : t;
  };
  const text = [columns.join(","), ...rows.map((r) => columns.map((c) => cell(r[c])).join(","))].join("\r\n") + "\r\n";
  res.writeHead(200, { "Content-Type": "text/csv; charset=utf-8", "Content-Disposition": `attachment; filename="${name}.csv"` });
  res.end(text);
}

function pagesList(site, q) {
  const seg = segment(q);
  const scale = days(q) * siteScale(site) * DEVICE_SHARE[q.get("device") || "all"] * seg.share;
  return PAGE_WEIGHTS.map(([page, w]) => {
    const views = Math.round(412 * w * scale);
    const r = rng(page + seg.seed);
    return { page, views, clicks: Math.round(views * (0.8 + r() * 1.6)), visitors: Math.round(views * (0.62 + r() * 0.2)) };
  }).filter((p) => p.visitors >= SITES.find((s) => s.id === site).k_min && p.views > 0);
}

// ---------- heatmaps ----------
const IMPORTANCE = [
  [/hero-cta/, 9], [/add|data-add|big-add/, 6], [/checkout/, 7], [/apply-coupon/, 5], [/cart-link|cart-btn/, 4], [/opt/, 4],
  [/h3 > a|card > a/, 4], [/\.bag|\.big/, 3], [/nav\.main/, 2], [/claim/, 3], [/logo/, 1.5], [/select/, 2], [/input/, 2.5], [/h1/, 1.2],
];
function weightOf(t) {
  for (const [re, w] of IMPORTANCE) if (re.test(t.selector) || re.test(t.text)) return w;
  return t.interactive ? 1.2 : 0.5;
}

function clickHeatmap(site, page, device, q) {
  const known = fixture.pages[page]?.[device === "all" ? "desktop" : device] ?? fixture.pages[page]?.desktop;
  const k = SITES.find((s) => s.id === site).k_min;
  const seg = segment(q);
  const scale = days(q) * siteScale(site) * DEVICE_SHARE[device] * (PAGE_WEIGHTS.find(([p]) => p === page)?.[1] ?? 0.3) * seg.share;
  const r = rng(`${site}|${page}|${device}|${seg.seed}|${range(q).from}`);
  const doc = new Map();
  const fixed = new Map();
  const elements = new Map();
  let total = 0;
  let fixedTotal = 0;
  const width = known?.document.w ?? 1280;
  const vw = known?.viewport.w ?? 1280;
  const targets = known?.targets ?? Array.from({ length: 12 }, (_, i) => ({ selector: `main > section:nth-of-type(${i + 1}) > a.btn`, x: 140 + r() * 900, y: 120 + i * 150, w: 160, h: 44, fixed: false, interactive: true, text: "" }));
  const add = (map, x, y, n, rage, dead) => {
    const key = `${x},${y}`;
    const c = map.get(key) ?? { x, y, count: 0, rage: 0, dead: 0, visitors: 0 };
    c.count += n;
    c.rage += rage;
    c.dead += dead;
    c.visitors += Math.max(1, Math.round(n * 0.7));
    map.set(key, c);
  };
  for (const t of targets) {
    const n = Math.round(weightOf(t) * scale * (0.5 + r()) * 2.2);
    const isRage = /apply-coupon/.test(t.selector);
    // Decorative images get dead clicks; headings and text rarely.
    const isDead = !t.interactive && /bag|big|img|thumb/.test(t.selector);
    for (let i = 0; i < n; i++) {
      const x = t.x + t.w / 2 + gauss(r) * t.w * 0.22;
      const y = t.y + t.h / 2 + gauss(r) * t.h * 0.25;
      const cols = Math.floor((Math.min(Math.max(x, 0), (t.fixed ? vw : width) - 1) / (t.fixed ? vw : width)) * 64);
      const row = Math.max(0, Math.floor(y / 16));
      const rage = isRage && r() < 0.55 ? 1 : 0;
      const dead = isDead && r() < 0.8 ? 1 : 0;
      add(t.fixed ? fixed : doc, cols, row, 1, rage, dead);
      if (t.fixed) fixedTotal++;
      else total++;
      const e = elements.get(t.selector) ?? { selector: t.selector, count: 0, rage: 0, dead: 0, visitors: 0 };
      e.count++;
      e.rage += rage;
      e.dead += dead;
      e.visitors = Math.round(e.count * 0.74);
      elements.set(t.selector, e);
    }
  }
  // Stray clicks on text and blank space.
  const stray = Math.round(total * 0.03);
  const height = known?.document.h ?? 2400;
  for (let i = 0; i < stray; i++) {
    add(doc, Math.floor(r() * 64), Math.floor((r() * height) / 16), 1, 0, r() < 0.05 ? 1 : 0);
    total++;
  }
  const visible = (m) => [...m.values()].filter((c) => c.visitors >= k).map(({ visitors, ...c }) => c);
  return {
    page,
    kind: "click",
    device,
    ...range(q),
    k_min: k,
    grid: { cols: 64, row_px: 16 },
    cells: visible(doc),
    total,
    visitors: Math.round(total * 0.31),
    fixed: { grid: { cols: 64, row_px: 16 }, cells: visible(fixed), total: fixedTotal, visitors: Math.round(fixedTotal * 0.6) },
    elements: [...elements.values()].filter((e) => e.visitors >= k).sort((a, b) => b.count - a.count).slice(0, 50),
  };
}

function scrollHeatmap(site, page, device, q) {
  const known = fixture.pages[page]?.[device === "all" ? "desktop" : device];
  const views = Math.round(412 * days(q) * siteScale(site) * DEVICE_SHARE[device] * (PAGE_WEIGHTS.find(([p]) => p === page)?.[1] ?? 0.3) * segment(q).share);
  const fold = known ? Math.min(1, known.viewport.h / known.document.h) : 0.35;
  const depth = [];
  for (let b = 0; b <= 20; b++) {
    const f = b / 20;
    const share = f <= fold ? 1 : Math.max(0.04, Math.pow(1 - (f - fold) / (1 - fold + 1e-9), 1.4) * 0.88 + 0.04);
    depth.push({ pct: b * 5, reached: Math.round(views * share) });
  }
  return { page, kind: "scroll", device, ...range(q), depth, total: views };
}

// ---------- forms ----------
// The checkout and cart pages have forms; each field keeps a share of the
// starts that reached the one before it, so the funnel narrows as it would.
const FORMS = {
  "/checkout": [
    ["form#checkout", [["input#name", 0.97], ["input#email", 0.9], ["input#phone", 0.62], ["select.country", 0.93], ["input#card", 0.88]], 0.71],
    ["", [["input#search", 1]], 0],
  ],
  "/cart": [["form.coupon", [["input#coupon", 0.8]], 0.45]],
};

function formsAnswer(site, page, device, q) {
  const k = SITES.find((s) => s.id === site).k_min;
  const path = page.startsWith(ORIGIN) ? page.slice(ORIGIN.length) : page;
  const seg = segment(q);
  const views = 412 * days(q) * siteScale(site) * DEVICE_SHARE[device] * (PAGE_WEIGHTS.find(([p]) => p === page)?.[1] ?? 0.3) * seg.share;
  const forms = (FORMS[path] ?? []).map(([form, steps, finish]) => {
    const r = rng(`${site}|${page}|${device}|${form}|${seg.seed}|${range(q).from}`);
    const started = Math.round(views * (form ? 0.6 : 0.2));
    let reached = started;
    const fields = steps.map(([field, keep], position) => {
      reached = position === 0 ? started : Math.round(reached * keep);
      const refilled = Math.round(reached * r() * 0.2);
      const errored = Math.round(reached * r() * (field === "input#phone" ? 0.3 : 0.06));
      return { field, position, reached, refilled, errored, median_ms: Math.round(1500 + r() * 9000), visitors: Math.round(reached * 0.9) };
    });
    const submitted = Math.round((fields.at(-1)?.reached ?? 0) * finish);
    // Fields outside any form are never submitted, so never abandoned.
    const abandoned = form ? started - submitted : 0;
    // Each field loses those who left there: the next field's shortfall.
    const left = fields.map((f, i) => f.reached - (fields[i + 1]?.reached ?? submitted));
    const scaled = left.map((n) => Math.max(0, Math.round((n / Math.max(1, left.reduce((a, b) => a + b, 0))) * abandoned)));
    const rate = (part, whole) => (whole ? Math.round(Math.min(1, part / whole) * 10_000) / 10_000 : 0);
    const shown = fields.filter((f) => f.visitors >= k);
    const worst = shown.map((f, i) => [scaled[fields.indexOf(f)], i]).filter(([n]) => n > 0).sort((a, b) => b[0] - a[0] || a[1] - b[1])[0];
    return {
      form, started, submitted, submit_rate: rate(submitted, started), abandoned, abandon_rate: rate(abandoned, started),
      last_field: worst ? shown[worst[1]].field : null, visitors: Math.round(started * 0.9),
      fields: shown.map((f) => ({
        ...f, reach_rate: rate(f.reached, started), drop_off: Math.round((1 - rate(f.reached, started)) * 10_000) / 10_000,
        refill_rate: rate(f.refilled, f.reached), error_rate: rate(f.errored, f.reached), abandoned: scaled[fields.indexOf(f)],
      })),
    };
  });
  return { page, device, ...range(q), k_min: k, forms: forms.filter((f) => f.started > 0 && f.visitors >= k) };
}

// ---------- sessions ----------
const sessions = [];
{
  const r = rng("sessions");
  const now = Date.now();
  const browsers = ["chrome", "chrome", "chrome", "safari", "safari", "firefox", "edge", "samsung"];
  const visitors = Array.from({ length: 90 }, () => hex(r, 32));
  for (let i = 0; i < 163; i++) {
    const device = r() < 0.55 ? "desktop" : r() < 0.8 ? "mobile" : "tablet";
    const start = now - Math.floor(Math.pow(r(), 1.3) * 40 * DAY);
    const duration = Math.round(8_000 + Math.pow(r(), 2.2) * 900_000);
    const pages = [`${ORIGIN}/`];
    if (r() < 0.7) pages.push(`${ORIGIN}/products/:id`);
    if (r() < 0.45) pages.push(`${ORIGIN}/cart`);
    if (r() < 0.25) pages.push(`${ORIGIN}/checkout`);
    if (r() < 0.2) pages.unshift(`${ORIGIN}/journal/:id`);
    const clicks = Math.round(2 + r() * 30);
    const rage = r() < 0.16 ? Math.round(3 + r() * 6) : 0;
    const dead = r() < 0.3 ? Math.round(1 + r() * 4) : 0;
    const errors = r() < 0.12 ? Math.round(1 + r() * 3) : 0;
    sessions.push({
      site: "demo",
      session: uuid(r),
      visitor: visitors[Math.floor(r() * visitors.length)],
      user: r() < 0.15 ? hex(r, 64) : null,
      started_at: new Date(start).toISOString(),
      ended_at: new Date(start + duration).toISOString(),
      start_ms: start,
      end_ms: start + duration,
      duration_ms: duration,
      active_ms: Math.round(duration * (0.15 + r() * 0.6)),
      entry_page: pages[0],
      pages,
      device,
      browser: browsers[Math.floor(r() * browsers.length)],
      clicks: clicks + rage + dead,
      rage_clicks: rage,
      dead_clicks: dead,
      errors,
      batches: Math.max(1, Math.round(duration / 20_000)),
      events: Math.round(40 + duration / 300),
    });
  }
}
const reports = new Map(); // session → report
const audit = [];
function log(actor, role, action, site, subject, detail = {}) {
  audit.unshift({ at: new Date().toISOString(), actor, role, action, site, subject, detail });
}
{
  const r = rng("audit");
  const actions = ["recording.read", "recording.read", "recording.read", "visitor.export", "session.report", "session.released", "visitor.erase", "visitor.erase.second_pass"];
  for (let i = 0; i < 64; i++) {
    const action = actions[Math.floor(r() * actions.length)];
    const actor = action === "visitor.erase.second_pass" ? "veil" : r() < 0.6 ? "alice" : "root";
    audit.push({
      at: new Date(Date.now() - i * 5.3 * 3600_000).toISOString(),
      actor,
      role: actor === "root" ? "admin" : actor === "veil" ? "system" : "analyst",
      action,
      site: "demo",
      subject: `${action.startsWith("visitor") ? "visitor" : "session"}:${hex(r, 32)}`,
      detail: action === "visitor.erase" ? { deleted: { recordings: 3, session_index: 3, consent_log: 1 } } : {},
    });
  }
}
const consents = [];
{
  const r = rng("consents");
  const seen = [...new Set(sessions.map((s) => s.visitor))];
  for (const [i, visitor] of seen.entries()) {
    const at = Date.now() - (45 - i / 3) * DAY + r() * DAY;
    const framework = r() < 0.5 ? "tcf" : r() < 0.6 ? "gcm" : "none";
    consents.push({
      consent_id: hex(r, 24),
      visitor,
      action: "grant",
      purposes: r() < 0.8 ? ["recording", "heatmaps"] : ["heatmaps"],
      cmp: { framework, proof: framework === "tcf" ? `CP${hex(r, 40).toUpperCase()}AAAA.YAAAAAAAAAA` : framework === "gcm" ? "analytics_storage=granted" : "" },
      erase: false,
      key_id: "k1",
      at: new Date(at).toISOString(),
      expires_at: new Date(at + 180 * DAY).toISOString(),
    });
    if (r() < 0.08) {
      consents.push({ ...consents.at(-1), action: "withdraw", erase: r() < 0.5, at: new Date(at + 3 * DAY).toISOString() });
    }
  }
  consents.sort((a, b) => a.at.localeCompare(b.at));
}

/** A session's traffic source, made up from its id. */
function sourceOf(s) {
  const r = rng(s.session)();
  let sum = 0;
  for (const [source, share] of Object.entries(SOURCE_SHARE)) if (r < (sum += share)) return source;
  return "unknown";
}

function sessionEvents(s) {
  const base = s.device === "mobile" ? fixture.sessions.mobile : fixture.sessions.desktop;
  const shift = s.start_ms - base[0].timestamp;
  return base.map((e) => ({ ...e, timestamp: e.timestamp + shift }));
}

// ---------- HTTP ----------
const TYPES = { ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8", ".json": "application/json" };
const send = (res, status, body, headers = {}) => {
  res.writeHead(status, { "Content-Type": "application/json", "Cache-Control": "no-store", ...headers });
  res.end(body === undefined ? undefined : JSON.stringify(body));
};
const fail = (res, status, code, message) => send(res, status, { error: { code, message } });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function caller(req) {
  const cookie = /(?:^|;\s*)veil_console=([^;]+)/.exec(req.headers.cookie || "")?.[1];
  if (cookie && logins.has(cookie)) return logins.get(cookie);
  const bearer = /^Bearer (.+)$/.exec(req.headers.authorization || "")?.[1];
  return bearer ? KEYS[bearer] : undefined;
}

async function body(req) {
  let text = "";
  for await (const chunk of req) text += chunk;
  try {
    return text ? JSON.parse(text) : {};
  } catch {
    return null;
  }
}

function serveStatic(res, path) {
  const name = path === "/console" || path === "/console/" ? "index.html" : path.slice("/console/".length);
  if (name.includes("/") || name.includes("..")) return fail(res, 404, "not_found", "no such file");
  const file = join(dist, name);
  if (!existsSync(file)) return fail(res, 404, "not_found", "no such file");
  res.writeHead(200, {
    "Content-Type": TYPES[name.slice(name.lastIndexOf("."))] || "application/octet-stream",
    "Cache-Control": "no-cache",
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; frame-src 'self' about:; base-uri 'self'; form-action 'self'",
  });
  res.end(readFileSync(file));
}

async function api(req, res, url) {
  const path = url.pathname;
  const q = url.searchParams;
  const method = req.method;
  if (method !== "GET" && req.headers["x-veil-console"] !== "1" && !req.headers.authorization) {
    return fail(res, 403, "csrf", "console requests must send X-Veil-Console: 1");
  }
  if (path === "/console/login" && method === "POST") {
    const b = await body(req);
    const who = KEYS[b?.key];
    if (!who) return fail(res, 401, "unauthorized", "unknown API key");
    const token = randomBytes(16).toString("hex");
    logins.set(token, who);
    return send(res, 200, who, { "Set-Cookie": `veil_console=${token}; HttpOnly; SameSite=Strict; Path=/` });
  }
  if (path === "/console/logout" && method === "POST") {
    return send(res, 204, undefined, { "Set-Cookie": "veil_console=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0" });
  }
  const me = caller(req);
  if (!me) return fail(res, 401, "unauthorized", "sign in or send an API key");
  if (path === "/console/me") return send(res, 200, me);
  if (FAIL && FAIL.test(path)) return fail(res, 503, "unavailable", "ClickHouse did not answer");
  const admin = me.role === "admin";
  const needAdmin = () => fail(res, 403, "forbidden", "needs an admin key");

  if (path === "/v1/sites") return send(res, 200, { sites: SITES });
  if (path === "/v1/audit") {
    if (!admin) return needAdmin();
    const { from, to } = range(q);
    let rows = audit.filter((e) => e.at.slice(0, 10) >= from && e.at.slice(0, 10) <= to);
    for (const key of ["site", "actor", "action"]) if (q.get(key)) rows = rows.filter((e) => e[key] === q.get(key));
    const offset = Number(q.get("offset") || 0);
    return send(res, 200, { from, to, entries: rows.slice(offset, offset + Number(q.get("limit") || 100)) });
  }
  const m = /^\/v1\/sites\/([^/]+)(\/.*)?$/.exec(path);
  if (!m) return fail(res, 404, "not_found", "no such endpoint");
  const site = decodeURIComponent(m[1]);
  const rest = m[2] || "";
  if (!SITES.some((s) => s.id === site)) return fail(res, 404, "not_found", `unknown site ${site}`);
  const device = q.get("device") || "all";

  if (rest === "/pages") return send(res, 200, { site, ...range(q), pages: pagesList(site, q) });
  if (rest === "/heatmaps") {
    const page = q.get("page");
    if (!page) return fail(res, 400, "bad_request", "page is required");
    if (!["all", "desktop", "tablet", "mobile"].includes(device)) return fail(res, 400, "bad_request", "device must be all, desktop, tablet or mobile");
    if (q.get("kind") === "scroll") {
      const answer = scrollHeatmap(site, page, device, q);
      return q.get("format") === "csv" ? csv(res, "scroll-map", ["pct", "reached"], answer.depth) : send(res, 200, answer);
    }
    const answer = clickHeatmap(site, page, device, q);
    if (q.get("format") !== "csv") return send(res, 200, answer);
    const cells = [...answer.cells.map((c) => ({ layer: "document", ...c })), ...answer.fixed.cells.map((c) => ({ layer: "fixed", ...c }))];
    return csv(res, "heatmap", ["layer", "x", "y", "count", "rage", "dead"], cells);
  }
  if (rest === "/forms") {
    const page = q.get("page");
    if (!page) return fail(res, 400, "bad_request", "page is required");
    const answer = formsAnswer(site, page, device, q);
    if (q.get("format") !== "csv") return send(res, 200, answer);
    const rows = answer.forms.flatMap((f) => f.fields.map((x) => ({ form: f.form, started: f.started, submitted: f.submitted, ...x, abandoned_here: x.abandoned })));
    return csv(res, "forms", ["form", "started", "submitted", "field", "position", "reached", "reach_rate", "drop_off", "median_ms", "abandoned_here"], rows);
  }
  if (rest === "/segments") {
    if (NO_SEGMENTS) return fail(res, 404, "not_found", "no such endpoint");
    return send(res, 200, segmentsAnswer(site, q));
  }
  if (rest === "/insights") return send(res, 200, insightsAnswer(site, q));
  if (rest === "/snapshot") {
    const page = q.get("page");
    const snap = fixture.pages[page]?.[q.get("device") || "desktop"];
    if (!snap) return fail(res, 404, "not_found", "no page view of this page and device was recorded");
    return send(res, 200, { page, device: q.get("device") || "desktop", viewport: snap.viewport, events: snap.events });
  }
  if (rest === "/sessions") {
    if (site !== "demo") return send(res, 200, { site, ...range(q), total: 0, limit: 50, offset: 0, sessions: [] });
    const { from, to } = range(q);
    const has = (q.get("has") || "").split(",").filter(Boolean);
    const minDur = (() => {
      const t = q.get("min_duration");
      if (!t) return 0;
      const mm = /^(\d+)(s|m)?$/.exec(t);
      return mm ? Number(mm[1]) * (mm[2] === "m" ? 60_000 : 1000) : 0;
    })();
    let rows = sessions.filter(
      (s) =>
        s.started_at.slice(0, 10) >= from &&
        s.started_at.slice(0, 10) <= to &&
        (admin || !reports.has(s.session)) &&
        (device === "all" || s.device === device) &&
        (!q.get("page") || s.pages.includes(q.get("page"))) &&
        s.duration_ms >= minDur &&
        (!has.includes("rage") || s.rage_clicks > 0) &&
        (!has.includes("dead") || s.dead_clicks > 0) &&
        (!has.includes("errors") || s.errors > 0) &&
        (!q.get("user") || s.user !== null) &&
        (!q.get("source") || sourceOf(s) === q.get("source")),
    );
    rows.sort(q.get("sort") === "duration" ? (a, b) => b.duration_ms - a.duration_ms : (a, b) => b.start_ms - a.start_ms);
    const limit = Number(q.get("limit") || 50);
    const offset = Number(q.get("offset") || 0);
    if (limit < 1 || limit > 500) return fail(res, 400, "bad_request", "limit must be between 1 and 500");
    return send(res, 200, { site, from, to, total: rows.length, limit, offset, sessions: rows.slice(offset, offset + limit).map(({ site: _s, ...s }) => s) });
  }
  let mm = /^\/sessions\/([^/]+)\/(events|report|review)$/.exec(rest);
  if (mm) {
    const id = decodeURIComponent(mm[1]);
    const s = sessions.find((x) => x.session === id && x.site === site);
    if (!s || (!admin && reports.has(id))) return fail(res, 404, "not_found", "no such session");
    if (mm[2] === "events") {
      log(me.name, me.role, "recording.read", site, `session:${id.replace(/-/g, "").slice(0, 32)}`);
      return send(res, 200, sessionEvents(s));
    }
    if (mm[2] === "report" && method === "POST") {
      const b = await body(req);
      reports.set(id, { session: id, reporter: me.name, reason: String(b?.reason ?? "").slice(0, 500), reported_at: new Date().toISOString() });
      log(me.name, me.role, "session.report", site, `session:${id.replace(/-/g, "").slice(0, 32)}`);
      return send(res, 202, { session: id, status: "reported", hidden_from: "analysts" });
    }
    if (mm[2] === "review" && method === "POST") {
      if (!admin) return needAdmin();
      const b = await body(req);
      if (!reports.has(id)) return fail(res, 404, "not_found", "no pending report for this session");
      reports.delete(id);
      if (b?.action === "erase") sessions.splice(sessions.indexOf(s), 1);
      log(me.name, me.role, b?.action === "erase" ? "session.erased" : "session.released", site, `session:${id.replace(/-/g, "").slice(0, 32)}`);
      return send(res, 200, { session: id, status: b?.action === "erase" ? "erased" : "released", detail: {} });
    }
  }
  if (rest === "/reports") {
    if (!admin) return needAdmin();
    return send(res, 200, { site, reports: [...reports.values()] });
  }
  if (rest === "/consents") {
    if (!admin) return needAdmin();
    const { from, to } = range(q);
    const rows = consents.filter((c) => c.at.slice(0, 10) >= from && c.at.slice(0, 10) <= to);
    const offset = Number(q.get("offset") || 0);
    return send(res, 200, { site, from, to, consents: site === "demo" ? rows.slice(offset, offset + Number(q.get("limit") || 100)) : [] });
  }
  mm = /^\/visitors\/([^/]+)(\/export)?$/.exec(rest);
  if (mm) {
    if (!admin) return needAdmin();
    const visitor = decodeURIComponent(mm[1]);
    const mine = sessions.filter((s) => s.visitor === visitor);
    if (mm[2] && method === "GET") {
      log(me.name, me.role, "visitor.export", site, `visitor:${visitor.slice(0, 32)}`);
      const doc = { site, visitor, consents: consents.filter((c) => c.visitor === visitor), sessions: mine, recordings: mine.map((s) => ({ session: s.session, events: sessionEvents(s) })) };
      return send(res, 200, doc, { "Content-Disposition": `attachment; filename="veil-export-${site}-${visitor}.json"` });
    }
    if (!mm[2] && method === "DELETE") {
      for (const s of mine) sessions.splice(sessions.indexOf(s), 1);
      const revoked = consents.filter((c) => c.visitor === visitor).length;
      log(me.name, me.role, "visitor.erase", site, `visitor:${visitor.slice(0, 32)}`, { deleted: { recordings: mine.length * 3 } });
      return send(res, 200, {
        receipt: randomBytes(16).toString("hex"),
        site,
        visitor,
        subject: `visitor:${randomBytes(16).toString("hex")}`,
        erased_at: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
        deleted: { consent_log: revoked, recordings: mine.length * 3, session_index: mine.length * 3, session_reports: 0 },
        sessions: mine.length,
        consents_revoked: revoked,
        aggregates: "heatmap aggregates hold no visitor id and cannot be attributed; they are kept",
      });
    }
  }
  return fail(res, 404, "not_found", "no such endpoint");
}

createServer(async (req, res) => {
  const url = new URL(req.url, "http://localhost");
  try {
    if (req.method === "GET" && (url.pathname === "/console" || url.pathname.startsWith("/console/")) && !["/console/me"].includes(url.pathname)) {
      return serveStatic(res, url.pathname);
    }
    if (url.pathname === "/") return send(res, 302, undefined, { Location: "/console/" });
    if (url.pathname.startsWith("/v1/") || url.pathname.startsWith("/console/")) {
      await sleep(LATENCY);
      return await api(req, res, url);
    }
    fail(res, 404, "not_found", "no such path");
  } catch (error) {
    console.error(error);
    fail(res, 500, "internal", String(error));
  }
}).listen(PORT, "127.0.0.1", () => {
  console.log(`Veil console mock: http://127.0.0.1:${PORT}/console/  (keys: analyst-key, admin-key)`);
});
