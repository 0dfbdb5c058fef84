// Builds dist/veil.mjs (ES module for bundlers; dependencies stay
// imports), dist/veil.min.js (self-contained IIFE defining `veil`, what
// `veil serve` ships at /sdk/veil.min.js) and the type declarations.
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { build } from "esbuild";

const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
const banner = `/*! ${pkg.name} ${pkg.version} | MIT | bundles rrweb (MIT), @msgpack/msgpack (ISC), fflate (MIT) */`;

rmSync("dist", { recursive: true, force: true });
mkdirSync("dist");

const common = {
  entryPoints: ["src/index.ts"],
  bundle: true,
  target: "es2018",
  platform: "browser",
  logLevel: "warning",
};

await build({
  ...common,
  format: "esm",
  outfile: "dist/veil.mjs",
  external: Object.keys(pkg.dependencies),
});

await build({
  ...common,
  format: "iife",
  globalName: "veil",
  minify: true,
  legalComments: "none",
  banner: { js: banner },
  outfile: "dist/veil.min.js",
});

execFileSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.build.json"], { stdio: "inherit" });
writeFileSync("dist/veil.d.ts", 'export * from "./types/index";\n');
console.log("built dist/veil.mjs, dist/veil.min.js, dist/veil.d.ts");
