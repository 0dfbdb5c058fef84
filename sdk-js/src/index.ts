/**
 * `@veil/recorder`: the page's side of Veil (SPEC §10). The same API is
 * the `veil` global of `veil.min.js` and the exports of the ES module.
 */
import type { Purpose, VeilOptions } from "./options";
import { PURPOSES, resolveOptions } from "./options";
import * as storage from "./storage";
import { Veil } from "./veil";

export type { Compressed, Compressor, PagePattern, Purpose, VeilOptions } from "./options";

let instance: Veil | null = null;
let user: string | null = null;

/** Sets Veil up on this page. Records nothing until consent. */
export function init(options: VeilOptions): void {
  const config = resolveOptions(options);
  instance?.stop();
  instance = new Veil(config, window);
  instance.identify(user);
  instance.start();
}

export const consent = {
  /** The visitor consents to these purposes (default: all the page asks for). */
  grant(purposes: Purpose[] = PURPOSES.slice()): Promise<void> {
    if (!instance) return Promise.reject(new Error("veil: call veil.init() first"));
    return instance.grantPurposes(Array.isArray(purposes) ? purposes : [purposes]);
  },
  /** Stops at once and forgets everything; `erase` also deletes the visitor's data on the server. */
  withdraw(options: { erase?: boolean } = {}): Promise<void> {
    if (!instance) {
      storage.clearAll();
      return Promise.resolve();
    }
    return instance.withdraw(options?.erase === true);
  },
};

/** Resolves when everything captured so far is acknowledged by the server. */
export function flush(): Promise<void> {
  return instance ? instance.flush() : Promise.resolve();
}

/**
 * Stops recording on this page (consent is kept; `veil.consent.withdraw`
 * still works, `veil.init` starts again).
 */
export function stop(): void {
  instance?.stop();
}

/** Links following batches to the site's own user id (memory only, never stored). */
export function identify(id: string | null): void {
  user = id === null || id === undefined ? null : String(id);
  instance?.identify(user);
}
