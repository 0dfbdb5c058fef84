/**
 * Only `console.debug`, and only when asked: a page's console is not ours,
 * and the e2e suite treats any console error as a failure.
 */
export type Log = (message: string, detail?: unknown) => void;

export function logger(enabled: boolean): Log {
  if (!enabled) return () => {};
  return (message, detail) => {
    if (detail === undefined) console.debug(`[veil] ${message}`);
    else console.debug(`[veil] ${message}`, detail);
  };
}
