// What the drivers of tests/browser/ share: Debian's Chromium launched as
// the Rust tests expect, the phase protocol the Rust side reads
// (crates/server/tests/common/browser.rs), stock rrweb for pages that
// record without Veil's recorder, and the end of a run (a failure is
// reported as an `error` phase line, so the test prints it instead of
// waiting for a phase that never comes; the browser is closed either way).

import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { chromium } from "playwright-core";

let stdinLines;

/**
 * Tells the test where we are (one JSON line on stdout; `consoleErrors`
 * is none unless `data` says), then waits for a line on stdin to go on.
 * Exits when the test closes stdin.
 */
export async function phase(name, data = {}) {
  process.stdout.write(JSON.stringify({ phase: name, consoleErrors: [], ...data }) + "\n");
  stdinLines ??= createInterface({ input: process.stdin })[Symbol.asyncIterator]();
  if ((await stdinLines.next()).done) process.exit(0);
}

let rrwebBundle;

/**
 * Loads stock rrweb's recorder (@rrweb/record's UMD bundle, as the
 * recorder package installs it) into `page`; returns nothing, the page
 * has `window.rrwebRecord`. Pages with a CSP need a context with
 * `bypassCSP`.
 */
export async function injectRrweb(page) {
  rrwebBundle ??= readFileSync(
    new URL("../../sdk-js/node_modules/@rrweb/record/dist/record.umd.min.cjs", import.meta.url),
    "utf8",
  );
  await page.addScriptTag({ content: rrwebBundle });
}

/** Debian's Chromium (or $CHROMIUM_PATH): headless, no sandbox (tests may run as root), no background requests. */
export function launchChromium() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
}

/** Runs `body`, then closes `browser` and exits: 0, or 1 after an `error` phase line. */
export async function drive(browser, body) {
  let exitCode = 0;
  try {
    await body();
  } catch (error) {
    process.stdout.write(JSON.stringify({ phase: "error", error: String(error && error.stack) }) + "\n");
    exitCode = 1;
  } finally {
    await browser.close();
  }
  process.exit(exitCode);
}
