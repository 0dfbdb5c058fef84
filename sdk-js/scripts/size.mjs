// Size budget of the script tag bundle: dist/veil.min.js under 80 KB
// gzip, next to rrweb's recorder alone (a bundle that only imports
// `record`), the floor no rrweb-based recorder can go below.
// Figures are `gzip -9 -c FILE | wc -c`.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

const BUDGET = 80 * 1024;

/** Exactly `gzip -9 -c FILE | wc -c` (the header names the file); zlib if gzip is missing. */
function gzipSize(file) {
  const gzip = spawnSync("gzip", ["-9", "-c", file], { maxBuffer: 64 << 20 });
  if (gzip.status === 0) return gzip.stdout.length;
  return gzipSync(readFileSync(file), { level: 9 }).length;
}

if (!existsSync("dist/veil.min.js")) {
  console.error("dist/veil.min.js is missing: run `npm run build` first");
  process.exit(1);
}
const floor = await build({
  stdin: { contents: 'import { record } from "@rrweb/record"; window.r = record;', resolveDir: process.cwd() },
  bundle: true,
  minify: true,
  format: "iife",
  target: "es2018",
  write: false,
  legalComments: "none",
});
const dir = mkdtempSync(join(tmpdir(), "veil-size-"));
const rrwebFile = join(dir, "rrweb-record.min.js");
writeFileSync(rrwebFile, floor.outputFiles[0].contents);

const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
const row = (name, file) => {
  const gz = gzipSize(file);
  const raw = readFileSync(file).length;
  console.log(`${name.padEnd(38)} ${String(raw).padStart(8)} B min  ${String(gz).padStart(7)} B gzip (${kb(gz)})`);
  return gz;
};
const veilGz = row("dist/veil.min.js", "dist/veil.min.js");
const rrwebGz = row("rrweb recorder alone (@rrweb/record)", rrwebFile);
rmSync(dir, { recursive: true, force: true });
console.log(`Veil on top of rrweb: ${kb(veilGz - rrwebGz)} gzip; budget ${kb(BUDGET)} gzip`);
if (veilGz >= BUDGET) {
  console.error(`over budget: ${veilGz} B >= ${BUDGET} B`);
  process.exit(1);
}
