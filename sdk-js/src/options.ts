/** What a visitor can consent to (SPEC §1). */
export type Purpose = "recording" | "heatmaps";

export const PURPOSES: readonly Purpose[] = ["recording", "heatmaps"];

/** A page to record: `*` wildcards matched against `location.href`, or a RegExp. */
export type PagePattern = string | RegExp;

/** A compressed body and the `Content-Encoding` it needs. */
export interface Compressed {
  body: Uint8Array;
  encoding: "zstd" | "gzip";
}

/**
 * Plugs in another encoder (for example zstd from a WASM build the site
 * hosts itself). Returning `null` sends the body as it is.
 */
export type Compressor = (data: Uint8Array) => Promise<Compressed | null>;

export interface VeilOptions {
  /** Site id as configured on the server. */
  site: string;
  /** Base URL of the Veil server, e.g. `https://veil.example`. */
  endpoint: string;
  /** Which consent management platform decides (default `"none"`: the page calls `veil.consent`). */
  cmp?: "tcf" | "gcm" | "none";
  /** Purposes this page asks for (default both); a CMP grant is narrowed to these. */
  purposes?: Purpose[];
  /** Record only on these pages (default: every page). */
  pages?: PagePattern[];
  /** Share of sessions recorded, 0..1 (default 1). */
  sampleRate?: number;
  /** Nothing is uploaded before the session is this old (ms, default 0). */
  minSessionMs?: number;
  /** Text of matching elements is masked (`[data-veil-mask]` always is). */
  maskTextSelector?: string;
  /** Matching elements are not recorded at all (`[data-veil-block]` always is). */
  blockSelector?: string;
  /** Treat `navigator.globalPrivacyControl` as a refusal (default true). */
  honorGpc?: boolean;
  /** IAB TCF purpose ids each Veil purpose needs (default `[1, 8]` for both). */
  tcfPurposes?: { recording?: number[]; heatmaps?: number[] };
  /** Body encoder; `false` sends bodies uncompressed (default gzip where the browser has it). */
  compress?: Compressor | false;
  /** Log decisions and dropped batches with `console.debug`. */
  debug?: boolean;
}

/** Options after validation, defaults filled in. */
export interface Config {
  site: string;
  endpoint: string;
  cmp: "tcf" | "gcm" | "none";
  purposes: Purpose[];
  pages: PagePattern[];
  sampleRate: number;
  minSessionMs: number;
  maskTextSelector: string | null;
  blockSelector: string | null;
  honorGpc: boolean;
  tcfPurposes: { recording: number[]; heatmaps: number[] };
  compress: Compressor | false | undefined;
  debug: boolean;
}

const SITE_ID = /^[a-z0-9_-]{1,64}$/;

/**
 * Misconfiguration throws at `init` so it shows up while the page is
 * being built, not as silently missing data in production.
 */
export function resolveOptions(options: VeilOptions): Config {
  if (!options || typeof options !== "object") throw new TypeError("veil.init: options are required");
  const { site, endpoint } = options;
  if (typeof site !== "string" || !SITE_ID.test(site)) {
    throw new TypeError("veil.init: `site` must match [a-z0-9_-]{1,64}");
  }
  if (typeof endpoint !== "string" || !/^https?:\/\/[^/]/.test(endpoint)) {
    throw new TypeError("veil.init: `endpoint` must be an http(s) base URL");
  }
  const cmp = options.cmp ?? "none";
  if (cmp !== "tcf" && cmp !== "gcm" && cmp !== "none") {
    throw new TypeError('veil.init: `cmp` must be "tcf", "gcm" or "none"');
  }
  const purposes = (options.purposes ?? PURPOSES).filter((p) => PURPOSES.includes(p));
  const sampleRate = options.sampleRate ?? 1;
  if (typeof sampleRate !== "number" || !(sampleRate >= 0 && sampleRate <= 1)) {
    throw new TypeError("veil.init: `sampleRate` must be between 0 and 1");
  }
  const minSessionMs = options.minSessionMs ?? 0;
  if (typeof minSessionMs !== "number" || !(minSessionMs >= 0)) {
    throw new TypeError("veil.init: `minSessionMs` must be a non-negative number");
  }
  const tcf = options.tcfPurposes ?? {};
  return {
    site,
    endpoint: endpoint.replace(/\/+$/, ""),
    cmp,
    purposes,
    pages: options.pages ?? [],
    sampleRate,
    minSessionMs,
    maskTextSelector: options.maskTextSelector || null,
    blockSelector: options.blockSelector || null,
    honorGpc: options.honorGpc !== false,
    tcfPurposes: { recording: tcf.recording ?? [1, 8], heatmaps: tcf.heatmaps ?? [1, 8] },
    compress: options.compress,
    debug: options.debug === true,
  };
}
