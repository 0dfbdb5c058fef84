// The npm package as a site would use it, for
// crates/server/tests/npm_package.rs (issue 14): packs sdk-js/ as a clean
// checkout has it, installs the tarball into a fresh project (its
// dependencies from the npm registry), type-checks and bundles an entry
// that imports `@veil/recorder`, then records a page with that bundle in
// Debian's Chromium against the real server the test owns.
//
//   node package.mjs <work dir> <sdk-js dir> <page url> <veil url>
//
// Phases (one JSON line each on stdout, then a line on stdin to go on):
// `packed` (the tarball's files), `bundled`, `recorded` (the page's
// requests to Veil). npm's and tsc's output goes to stderr.

import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { drive, launchChromium, phase } from "./chromium.mjs";

const [work, sdk, pageUrl, veilUrl] = process.argv.slice(2);
const consoleErrors = [];

/** Runs a command with its output on stderr (stdout is the protocol). */
function run(command, args, cwd) {
  execFileSync(command, args, { cwd, stdio: ["ignore", process.stderr, process.stderr] });
}

// A clean checkout of sdk-js: the files git tracks or would track, so
// dist/ holds only what is committed (no veil.mjs, no types) and npm pack
// must build the rest. The installed dev tools are linked, not copied.
const checkout = join(work, "sdk-js");
const files = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], {
  cwd: sdk,
  encoding: "utf8",
})
  .split("\0")
  .filter(Boolean);
for (const file of files) {
  try {
    mkdirSync(dirname(join(checkout, file)), { recursive: true });
    cpSync(join(sdk, file), join(checkout, file));
  } catch (error) {
    // Deleted in the working tree but still in the index: not in a checkout.
    if (error.code !== "ENOENT") throw error;
  }
}
symlinkSync(join(sdk, "node_modules"), join(checkout, "node_modules"));
run("npm", ["pack", "--pack-destination", work, "--loglevel=error"], checkout);
const pkg = JSON.parse(execFileSync("npm", ["pkg", "get", "name", "version"], { cwd: checkout, encoding: "utf8" }));
const tarball = join(work, `${pkg.name.replace(/^@/, "").replace("/", "-")}-${pkg.version}.tgz`);
const packed = execFileSync("tar", ["tzf", tarball], { encoding: "utf8" }).split("\n").filter(Boolean);
await phase("packed", { tarball, files: packed });

// A fresh project installs the tarball; the recorder's dependencies come
// from the registry, as they would for a site.
const app = join(work, "app");
mkdirSync(app);
writeFileSync(join(app, "package.json"), JSON.stringify({ name: "veil-package-test", private: true, type: "module" }));
run("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", tarball], app);
writeFileSync(
  join(app, "entry.ts"),
  `import { consent, flush, init, type VeilOptions } from "@veil/recorder";
declare global {
  interface Window { VEIL_ENDPOINT: string; veilPackage: { consent: typeof consent; flush: typeof flush } }
}
const options: VeilOptions = { site: "demo", endpoint: window.VEIL_ENDPOINT };
// @ts-expect-error: a site id is a string
const wrong: VeilOptions = { site: 7, endpoint: "https://veil.example" };
void wrong;
init(options);
window.veilPackage = { consent, flush };
`,
);
// The package's declarations must resolve through its `exports`, for
// TypeScript as node resolves (`nodenext`) and as bundlers do; the
// expected error proves `VeilOptions` is the real type, not `any`.
// `types: []` keeps @types packages of dependencies out of the globals
// (rrweb's font-loading types clash with TypeScript's own DOM library).
writeFileSync(
  join(app, "tsconfig.json"),
  JSON.stringify({
    compilerOptions: { strict: true, noEmit: true, target: "es2020", lib: ["es2020", "dom"], types: [] },
    files: ["entry.ts"],
  }),
);
for (const [module, resolution] of [
  ["nodenext", "nodenext"],
  ["esnext", "bundler"],
]) {
  const tsc = join(sdk, "node_modules/typescript/bin/tsc");
  run(process.execPath, [tsc, "-p", "tsconfig.json", "--module", module, "--moduleResolution", resolution], app);
}
const { build } = await import(pathToFileURL(join(sdk, "node_modules/esbuild/lib/main.js")).href);
await build({
  entryPoints: [join(app, "entry.ts")],
  absWorkingDir: app,
  bundle: true,
  format: "iife",
  target: "es2018",
  platform: "browser",
  outfile: join(app, "bundle.js"),
  logLevel: "warning",
});
await phase("bundled", { bundle: join(app, "bundle.js") });

const browser = await launchChromium();
await drive(browser, async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  page.on("console", (message) => {
    if (message.type() === "error") consoleErrors.push(message.text());
  });
  page.on("pageerror", (error) => consoleErrors.push(String(error)));
  const requests = [];
  page.on("request", (request) => {
    const url = request.url();
    if (url.startsWith(veilUrl)) requests.push(`${request.method()} ${new URL(url).pathname}`);
  });
  await page.goto(pageUrl);
  await page.waitForFunction(() => typeof window.veilPackage === "object");
  await page.evaluate(() => window.veilPackage.consent.grant(["recording", "heatmaps"]));
  await page.click("#buy");
  await page.waitForTimeout(300);
  await page.evaluate(() => window.veilPackage.flush());
  await phase("recorded", { consoleErrors, requests, hasGlobal: await page.evaluate(() => "veil" in window) });
});
