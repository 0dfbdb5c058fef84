import type { PagePattern } from "./options";

function globToRegExp(glob: string): RegExp {
  const escaped = glob.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*");
  return new RegExp(`^${escaped}$`);
}

/**
 * Recording is scoped to the pages a research question is about: fewer
 * recordings to watch, less data held. No patterns means every page.
 */
export function inScope(patterns: readonly PagePattern[], href: string): boolean {
  if (patterns.length === 0) return true;
  return patterns.some((pattern) => {
    if (pattern instanceof RegExp) {
      pattern.lastIndex = 0;
      return pattern.test(href);
    }
    return typeof pattern === "string" && globToRegExp(pattern).test(href);
  });
}

/** Sampling is decided once per session so a session is recorded whole or not at all. */
export function sample(rate: number, random: () => number = Math.random): boolean {
  return rate >= 1 || random() < rate;
}
