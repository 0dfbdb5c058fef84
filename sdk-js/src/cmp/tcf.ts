import type { Log } from "../log";
import type { Purpose } from "../options";
import type { CmpHandlers, Unwatch } from "./types";

interface TcData {
  tcString?: string;
  eventStatus?: string;
  gdprApplies?: boolean;
  listenerId?: number;
  purpose?: { consents?: Record<string, boolean> };
  publisher?: { consents?: Record<string, boolean> };
}

type TcfApi = (
  command: string,
  version: number,
  callback: (data: TcData | boolean, success: boolean) => void,
  parameter?: unknown,
) => void;

/** CMP scripts are usually inline, but async loaders install `__tcfapi` late. */
const POLL_MS = 100;
const POLL_TRIES = 100;

/**
 * IAB TCF v2.2. Veil is the publisher's own tool, not a registered
 * vendor, so a purpose counts when the visitor consented to it either
 * for vendors (`purpose.consents`) or for the publisher
 * (`publisher.consents`). Legitimate interest never counts: recording is
 * consent-only. Only settled states (`tcloaded`, `useractioncomplete`)
 * decide; while the CMP's UI is up the visitor has not chosen yet.
 * When GDPR does not apply the CMP gives no consent signal at all, so
 * nothing is granted: the page can still call `veil.consent.grant`.
 */
export function watchTcf(
  win: Window,
  map: Record<Purpose, number[]>,
  wanted: Purpose[],
  handlers: CmpHandlers,
  log: Log,
): Unwatch {
  let stopped = false;
  let listenerId: number | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const callback = (data: TcData | boolean, success: boolean) => {
    if (stopped || !success || typeof data !== "object" || data === null) return;
    if (typeof data.listenerId === "number") listenerId = data.listenerId;
    if (data.eventStatus !== "tcloaded" && data.eventStatus !== "useractioncomplete") return;
    if (data.gdprApplies === false) {
      log("tcf: GDPR does not apply, no consent signal; waiting for veil.consent.grant");
      return;
    }
    const consented = (id: number) =>
      data.purpose?.consents?.[id] === true || data.publisher?.consents?.[id] === true;
    // An empty mapping means "not via TCF", never "no consent needed".
    const purposes = wanted.filter((p) => map[p].length > 0 && map[p].every(consented));
    log("tcf: consented purposes", purposes);
    if (purposes.length > 0) handlers.grant(purposes, { framework: "tcf", proof: data.tcString ?? "" });
    else handlers.deny();
  };

  const api = () => (win as unknown as { __tcfapi?: TcfApi }).__tcfapi;
  let tries = 0;
  const attach = () => {
    if (stopped) return;
    const tcfapi = api();
    if (typeof tcfapi === "function") {
      tcfapi("addEventListener", 2, callback);
    } else if (++tries < POLL_TRIES) {
      timer = setTimeout(attach, POLL_MS);
    } else {
      log("tcf: no __tcfapi on this page; nothing will be recorded");
    }
  };
  attach();

  return () => {
    stopped = true;
    clearTimeout(timer);
    const tcfapi = api();
    if (listenerId !== undefined && typeof tcfapi === "function") {
      tcfapi("removeEventListener", 2, () => {}, listenerId);
    }
  };
}
