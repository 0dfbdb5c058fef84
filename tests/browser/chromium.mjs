// What the drivers of tests/browser/ share: Debian's Chromium launched as
// the Rust tests expect, and the end of a run (a failure is reported as an
// `error` phase line, so the test prints it instead of waiting for a
// phase that never comes; the browser is closed either way).

import { chromium } from "playwright-core";

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
