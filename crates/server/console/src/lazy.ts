// Loads the big rrweb bundles only when a view needs them, from next to
// console.js (so it works under /console/ or any prefix).
import type * as ReplayerModule from "./lazy/replayer";
import type * as PlayerModule from "./lazy/player";

const cache = new Map<string, Promise<unknown>>();

function load<T>(file: string): Promise<T> {
  let module = cache.get(file);
  if (!module) {
    const url = new URL(`./${file}`, import.meta.url).href;
    module = import(/* @vite-ignore */ url);
    // A failed load (server restarted mid-deploy) may be retried.
    module.catch(() => cache.delete(file));
    cache.set(file, module);
  }
  return module as Promise<T>;
}

export const loadReplayer = () => load<typeof ReplayerModule>("replayer.js");
export const loadPlayer = () => load<typeof PlayerModule>("player.js");
