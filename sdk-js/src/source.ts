/**
 * The traffic source of a session (docs/segments.md): the class of the
 * landing page's referrer and the landing URL's `utm_*` parameters. The
 * referrer itself never leaves the browser: only its class does. The
 * server keeps the site's allow-listed UTM parameters and drops values
 * that could be personal, so this side sends them as found, bounded.
 */

export type ReferrerClass = "direct" | "search" | "social" | "email" | "other";

export interface TrafficSource {
  referrer: ReferrerClass;
  utm: Record<string, string>;
}

/** Most `utm_*` parameters sent, and the longest value. */
const MAX_UTM = 10;
const MAX_UTM_CHARS = 100;

/** Webmail hosts come first: `mail.google.com` is mail, not search. */
const EMAIL_HOSTS = [
  "mail.google.com",
  "outlook.live.com",
  "outlook.office.com",
  "outlook.office365.com",
  "mail.yahoo.com",
  "mail.proton.me",
  "mail.aol.com",
  "mail.yandex.ru",
  "mail.zoho.com",
  "icloud.com",
  "gmx.net",
  "web.de",
];
const EMAIL_PREFIXES = ["mail.", "webmail.", "email."];

/** Search engines by registrable-name label (`google` matches google.de). */
const SEARCH_NAMES = [
  "google",
  "bing",
  "duckduckgo",
  "yahoo",
  "yandex",
  "baidu",
  "ecosia",
  "qwant",
  "startpage",
  "naver",
  "seznam",
  "ask",
  "sogou",
  "kagi",
];
const SEARCH_HOSTS = ["search.brave.com", "search.aol.com"];

const SOCIAL_NAMES = [
  "facebook",
  "fb",
  "instagram",
  "twitter",
  "x",
  "linkedin",
  "lnkd",
  "reddit",
  "pinterest",
  "tiktok",
  "youtube",
  "whatsapp",
  "telegram",
  "threads",
  "snapchat",
  "tumblr",
  "vk",
  "weibo",
  "discord",
  "quora",
  "mastodon",
  "bsky",
];
const SOCIAL_HOSTS = ["t.co", "youtu.be", "t.me", "bsky.app", "news.ycombinator.com"];

const EMAIL_MEDIUMS = new Set(["email", "e-mail", "newsletter", "mail"]);
const SOCIAL_MEDIUMS = new Set(["social", "social-network", "social-media", "sm"]);
const SEARCH_MEDIUMS = new Set(["cpc", "ppc", "paidsearch", "paid-search", "organic"]);

function host(url: string): string | null {
  try {
    return new URL(url).hostname.toLowerCase().replace(/^www\./, "");
  } catch {
    return null;
  }
}

/** Whether a host's labels, apart from its top-level ones, include one of `names`. */
function named(hostname: string, names: string[]): boolean {
  const labels = hostname.split(".");
  // `google.co.uk` → google; `m.facebook.com` → m, facebook.
  return labels.slice(0, -1).some((label) => names.includes(label));
}

function under(hostname: string, hosts: string[]): boolean {
  return hosts.some((h) => hostname === h || hostname.endsWith(`.${h}`));
}

/** The class of a referrer URL seen from a page of `ownHost`. */
export function referrerClass(referrer: string, ownHost: string): ReferrerClass {
  const from = referrer ? host(referrer) : null;
  if (!from) return "direct";
  const own = ownHost.toLowerCase().replace(/^www\./, "");
  if (from === own || from.endsWith(`.${own}`) || own.endsWith(`.${from}`)) return "direct";
  if (under(from, EMAIL_HOSTS) || EMAIL_PREFIXES.some((p) => from.startsWith(p))) return "email";
  if (under(from, SEARCH_HOSTS) || named(from, SEARCH_NAMES)) return "search";
  if (under(from, SOCIAL_HOSTS) || named(from, SOCIAL_NAMES)) return "social";
  return "other";
}

/** The `utm_*` parameters of a URL (names lower-cased, first value wins). */
export function utmParameters(href: string): Record<string, string> {
  const utm: Record<string, string> = {};
  let params: URLSearchParams;
  try {
    params = new URL(href).searchParams;
  } catch {
    return utm;
  }
  for (const [rawName, value] of params) {
    const name = rawName.toLowerCase();
    if (!name.startsWith("utm_") || name in utm || !value) continue;
    if (Object.keys(utm).length >= MAX_UTM) break;
    utm[name] = value.slice(0, MAX_UTM_CHARS);
  }
  return utm;
}

/**
 * The source of a session landing on `href` from `referrer`. A campaign's
 * medium says more than the referrer: an e-mail client sends none, and a
 * paid link's referrer is the ad network.
 */
export function trafficSource(referrer: string, href: string): TrafficSource {
  const utm = utmParameters(href);
  const medium = (utm.utm_medium ?? "").toLowerCase();
  let cls = referrerClass(referrer, host(href) ?? "");
  if (EMAIL_MEDIUMS.has(medium)) cls = "email";
  else if (cls === "direct" && SOCIAL_MEDIUMS.has(medium)) cls = "social";
  else if (cls === "direct" && SEARCH_MEDIUMS.has(medium)) cls = "search";
  return { referrer: cls, utm };
}

/** Parses a stored source, `undefined` when it is not one. */
export function parseSource(value: unknown): TrafficSource | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const v = value as { referrer?: unknown; utm?: unknown };
  const classes: ReferrerClass[] = ["direct", "search", "social", "email", "other"];
  if (!classes.includes(v.referrer as ReferrerClass)) return undefined;
  const utm: Record<string, string> = {};
  if (typeof v.utm === "object" && v.utm !== null) {
    for (const [k, val] of Object.entries(v.utm)) if (typeof val === "string") utm[k] = val;
  }
  return { referrer: v.referrer as ReferrerClass, utm };
}
