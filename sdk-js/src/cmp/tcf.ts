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

type Callback = (data: TcData | boolean, success: boolean) => void;
type TcfApi = (command: string, version: number, callback: Callback, parameter?: unknown) => void;

/** How Veil talks to the CMP: its `__tcfapi`, or messages to the frame that has it. */
interface Channel {
  call: TcfApi;
  close(): void;
}

/**
 * CMP scripts are usually inline, but async loaders install `__tcfapi`
 * (or the locator frame) late: looked for every 100 ms for 10 s, then
 * every second for as long as the page lives, so a CMP that shows up late
 * is still heard.
 */
const POLL_MS = 100;
const POLL_FAST_TRIES = 100;
const POLL_SLOW_MS = 1000;

/** The frame name a TCF CMP gives a child frame of the window it runs in. */
export const LOCATOR = "__tcfapiLocator";

/** Frames up the chain to look through before giving up (a loop guard; pages nest far less). */
const MAX_ANCESTORS = 32;

/**
 * The nearest of this window and its ancestors that holds a child frame
 * named `__tcfapiLocator` (IAB TCF v2.2 CMP API, "how can vendors that use
 * iframes call the CMP API"). Named child frames can be read across
 * origins; anything that throws counts as "not here".
 */
function locatorWindow(win: Window): Window | null {
  let frame: Window = win;
  for (let i = 0; i < MAX_ANCESTORS; i++) {
    try {
      if ((frame.frames as unknown as Record<string, unknown>)[LOCATOR]) return frame;
    } catch {
      // cross-origin oddities: keep climbing
    }
    let parent: Window;
    try {
      parent = frame.parent;
    } catch {
      return null;
    }
    if (!parent || parent === frame || frame === win.top) return null;
    frame = parent;
  }
  return null;
}

interface TcfReturn {
  returnValue?: unknown;
  success?: unknown;
  callId?: unknown;
}

/**
 * `__tcfapi` for a CMP in another frame: each call is posted to the
 * window holding the locator as `{__tcfapiCall: {command, parameter,
 * version, callId}}`, and answered by `{__tcfapiReturn: {returnValue,
 * success, callId}}` (an object, or the same as a JSON string). Only
 * answers from that window with a callId Veil made up count, so another
 * frame of the page cannot forge a consent. An `addEventListener` call is
 * answered again on every change, so its callback stays.
 */
function messageChannel(win: Window, target: Window): Channel {
  const pending = new Map<string, { callback: Callback; keep: boolean }>();
  const prefix = `veil-${Math.random().toString(36).slice(2)}-`;
  let next = 0;
  const onMessage = (event: MessageEvent) => {
    if (event.source !== target) return;
    let data: unknown = event.data;
    if (typeof data === "string") {
      if (!data.includes("__tcfapiReturn")) return;
      try {
        data = JSON.parse(data);
      } catch {
        return;
      }
    }
    const answer = (data as { __tcfapiReturn?: TcfReturn } | null)?.__tcfapiReturn;
    if (typeof answer !== "object" || answer === null || typeof answer.callId !== "string") return;
    const call = pending.get(answer.callId);
    if (!call) return;
    if (!call.keep) pending.delete(answer.callId);
    call.callback(answer.returnValue as TcData | boolean, answer.success === true);
  };
  win.addEventListener("message", onMessage as EventListener);
  return {
    call: (command, version, callback, parameter) => {
      const callId = `${prefix}${++next}`;
      pending.set(callId, { callback, keep: command === "addEventListener" });
      target.postMessage({ __tcfapiCall: { command, parameter, version, callId } }, "*");
    },
    close: () => {
      pending.clear();
      win.removeEventListener("message", onMessage as EventListener);
    },
  };
}

/** This window's `__tcfapi`, else the frame protocol to an ancestor's CMP, else null (not there yet). */
function findCmp(win: Window): Channel | null {
  const current = () => (win as unknown as { __tcfapi?: TcfApi }).__tcfapi;
  const api = current();
  if (typeof api === "function") {
    // A CMP's stub is replaced by the full API once it loads: call whichever is there.
    return { call: (...args) => (typeof current() === "function" ? current()! : api)(...args), close: () => {} };
  }
  const target = locatorWindow(win);
  return target ? messageChannel(win, target) : null;
}

/**
 * IAB TCF v2.2. Veil is the publisher's own tool, not a registered
 * vendor, so a purpose counts when the visitor consented to it either
 * for vendors (`purpose.consents`) or for the publisher
 * (`publisher.consents`). Legitimate interest never counts: recording is
 * consent-only. Only settled states (`tcloaded`, `useractioncomplete`)
 * decide; while the CMP's UI is up the visitor has not chosen yet.
 * When GDPR does not apply the CMP gives no consent signal at all, so
 * nothing is granted: the page can still call `veil.consent.grant`.
 * In a frame whose window has no `__tcfapi`, the CMP of an ancestor
 * frame is reached through the `__tcfapiLocator` frame protocol.
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
  let channel: Channel | null = null;

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

  let tries = 0;
  const attach = () => {
    if (stopped) return;
    channel = findCmp(win);
    if (channel) {
      channel.call("addEventListener", 2, callback);
      return;
    }
    if (++tries === POLL_FAST_TRIES) log("tcf: no CMP after 10 s; still listening for a late one");
    timer = setTimeout(attach, tries < POLL_FAST_TRIES ? POLL_MS : POLL_SLOW_MS);
  };
  attach();

  return () => {
    stopped = true;
    clearTimeout(timer);
    if (channel && listenerId !== undefined) channel.call("removeEventListener", 2, () => {}, listenerId);
    channel?.close();
  };
}
