/**
 * Single-page apps change pages without loading one: `pushState`,
 * `replaceState`, back/forward and hash links. Each is reported once the
 * URL has changed (and only if it did: `replaceState` is often used for
 * state alone).
 */
export function watchNavigation(win: Window, onChange: () => void): () => void {
  let last = win.location.href;
  let active = true;
  const check = () => {
    if (!active) return;
    const href = win.location.href;
    if (href === last) return;
    last = href;
    try {
      onChange();
    } catch {
      // The app's navigation must go on whatever the recorder does.
    }
  };
  const history = win.history;
  const originalPush = history.pushState;
  const originalReplace = history.replaceState;
  const wrap = (original: History["pushState"]): History["pushState"] =>
    function (this: History, ...args: Parameters<History["pushState"]>) {
      const result = original.apply(this, args);
      check();
      return result;
    };
  const push = wrap(originalPush);
  const replace = wrap(originalReplace);
  history.pushState = push;
  history.replaceState = replace;
  win.addEventListener("popstate", check);
  win.addEventListener("hashchange", check);
  return () => {
    active = false;
    // Another script may have wrapped ours since; then ours just goes inert.
    if (history.pushState === push) history.pushState = originalPush;
    if (history.replaceState === replace) history.replaceState = originalReplace;
    win.removeEventListener("popstate", check);
    win.removeEventListener("hashchange", check);
  };
}
