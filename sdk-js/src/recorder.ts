import { record } from "@rrweb/record";
import type { Log } from "./log";
import { rrwebPrivacyOptions } from "./masking";
import type { Config } from "./options";

/** One running rrweb recording. */
export interface Recording {
  stop(): void;
  /** A new Meta + FullSnapshot (after an SPA navigation or a dropped batch). */
  snapshot(): void;
  /** An rrweb custom event (type 5) in the recording's own stream; false before rrweb has started (page not loaded yet). */
  custom(tag: string, payload: unknown): boolean;
}

/**
 * rrweb's DOM recorder with Veil's privacy options and no plugins (so no
 * network bodies, no console). Returns null if rrweb could not start.
 */
export function startRecording(config: Config, emit: (event: unknown) => void, log: Log): Recording | null {
  let stop: (() => void) | undefined;
  try {
    stop = record({
      ...rrwebPrivacyOptions(config),
      emit: (event: unknown) => emit(event),
      // A recorder must never break the page it records.
      errorHandler: (error: unknown) => {
        log("rrweb error", error);
        return true;
      },
    } as Parameters<typeof record>[0]);
  } catch (error) {
    log("rrweb did not start", error);
    return null;
  }
  if (!stop) return null;
  return {
    stop: () => {
      try {
        stop?.();
      } catch (error) {
        log("rrweb did not stop cleanly", error);
      }
    },
    snapshot: () => {
      try {
        record.takeFullSnapshot();
      } catch (error) {
        log("rrweb snapshot failed", error);
      }
    },
    custom: (tag, payload) => {
      try {
        record.addCustomEvent(tag, payload);
        return true;
      } catch {
        return false;
      }
    },
  };
}
