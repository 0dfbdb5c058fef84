import type { Log } from "../log";
import type { Purpose } from "../options";
import type { CmpHandlers, Unwatch } from "./types";

type Item = ArrayLike<unknown> & { [0]?: unknown; [1]?: unknown; [2]?: unknown };
type DataLayer = unknown[] & { push: (...items: unknown[]) => number };

function isCommand(item: unknown): item is Item {
  return typeof item === "object" && item !== null && typeof (item as Item).length === "number";
}

/**
 * Google Consent Mode v2, read from `dataLayer` where `gtag('consent', …)`
 * leaves its commands. Only `analytics_storage` matters. A `default` of
 * "denied" is what every page says before its banner has loaded, so it
 * only means "not yet": it never withdraws a consent the visitor gave
 * earlier; an `update` to "denied" does. Region-scoped defaults cannot be
 * evaluated here (the visitor's region is unknown), so a regional
 * "denied" holds back a global "granted" default until an update says
 * otherwise.
 */
export function watchGcm(win: Window, wanted: Purpose[], handlers: CmpHandlers, log: Log): Unwatch {
  const w = win as unknown as { dataLayer?: DataLayer };
  const dataLayer: DataLayer = (w.dataLayer = w.dataLayer || ([] as unknown as DataLayer));
  const state: Record<string, unknown> = {};
  let updated = false;
  let regionDenied = false;
  let decided: "granted" | "denied" | undefined;
  let stopped = false;

  const decide = () => {
    const analytics = state.analytics_storage;
    if (analytics === "granted" && (updated || !regionDenied)) {
      if (decided === "granted") return;
      decided = "granted";
      log("gcm: analytics_storage granted");
      handlers.grant(wanted.slice(), { framework: "gcm", proof: JSON.stringify(state) });
    } else if (analytics === "denied" && updated) {
      if (decided === "denied") return;
      decided = "denied";
      log("gcm: analytics_storage denied");
      handlers.deny();
    }
  };

  const handle = (item: unknown) => {
    if (stopped || !isCommand(item) || item[0] !== "consent") return;
    const command = item[1];
    const params = item[2];
    if (typeof params !== "object" || params === null) return;
    const values = params as Record<string, unknown>;
    if (command === "default") {
      if (updated) return;
      const region = values.region;
      if (Array.isArray(region) && region.length > 0) {
        if (values.analytics_storage === "denied") regionDenied = true;
        return;
      }
    } else if (command === "update") {
      updated = true;
    } else {
      return;
    }
    for (const key of Object.keys(values)) {
      if (key !== "region" && key !== "wait_for_update") state[key] = values[key];
    }
    decide();
  };

  Array.prototype.slice.call(dataLayer).forEach(handle);

  const original = dataLayer.push;
  const wrapped = function (this: unknown, ...items: unknown[]): number {
    const result = original.apply(this, items);
    items.forEach(handle);
    return result;
  };
  dataLayer.push = wrapped;

  return () => {
    stopped = true;
    // Someone (GTM) may have wrapped us in turn; then we just go inert.
    if (dataLayer.push === wrapped) dataLayer.push = original;
  };
}
