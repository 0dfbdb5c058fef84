/**
 * Everything Veil keeps in the browser goes through here, under `veil:`
 * keys, so that "nothing before consent" and "everything gone on
 * withdrawal" are enforced in one place: writes are refused while the
 * gate is closed, which also stops late writers (a response arriving
 * after a withdrawal) from bringing state back.
 */
export const PREFIX = "veil:";

export type Area = "local" | "session";

let open = false;

export function openGate(): void {
  open = true;
}

export function closeGate(): void {
  open = false;
}

export function gateOpen(): boolean {
  return open;
}

function store(area: Area): Storage | null {
  try {
    return area === "local" ? window.localStorage : window.sessionStorage;
  } catch {
    // Storage access throws in sandboxed iframes and with cookies blocked.
    return null;
  }
}

export function read(area: Area, key: string): string | null {
  try {
    return store(area)?.getItem(PREFIX + key) ?? null;
  } catch {
    return null;
  }
}

export function write(area: Area, key: string, value: string): void {
  if (!open) return;
  try {
    store(area)?.setItem(PREFIX + key, value);
  } catch {
    // Quota or privacy mode: Veil works without persistence, just less well.
  }
}

export function remove(area: Area, key: string): void {
  try {
    store(area)?.removeItem(PREFIX + key);
  } catch {
    /* nothing stored then */
  }
}

/** Removes every `veil:` key from both storages. */
export function clearAll(): void {
  for (const area of ["local", "session"] as const) {
    const s = store(area);
    if (!s) continue;
    try {
      const keys: string[] = [];
      for (let i = 0; i < s.length; i++) {
        const key = s.key(i);
        if (key !== null && key.startsWith(PREFIX)) keys.push(key);
      }
      keys.forEach((key) => s.removeItem(key));
    } catch {
      /* unreadable storage holds nothing of ours */
    }
  }
}
