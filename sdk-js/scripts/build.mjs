// Builds dist/veil.mjs (ES module for bundlers; dependencies stay
// imports), dist/veil.min.js (self-contained IIFE defining `veil`, what
// `veil serve` ships at /sdk/veil.min.js), its gzip and brotli forms
// (dist/veil.min.js.gz, .br: `veil serve` embeds all three and answers by
// Accept-Encoding, so the server never compresses per request) and the
// type declarations. `npm pack` runs this first (the `prepack` script), so
// a tarball always carries a fresh build.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
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

// Committed next to veil.min.js and checked against a fresh build by
// deploy/local/test.sh, so both must be deterministic: zlib's gzip header
// carries no name and mtime 0, and brotli has no header fields at all.
const script = readFileSync("dist/veil.min.js");
writeFileSync("dist/veil.min.js.gz", gzipSync(script, { level: 9 }));
writeFileSync(
  "dist/veil.min.js.br",
  brotliCompressSync(script, {
    params: {
      [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
      [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
      [constants.BROTLI_PARAM_SIZE_HINT]: script.length,
    },
  }),
);

execFileSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.build.json"], { stdio: "inherit" });
// The package is `"type": "module"`, so TypeScript under `node16`/`nodenext`
// resolution reads these declarations as ES modules, where relative
// imports need their file extension; the sources import without one
// (bundler style), so the emitted specifiers get it here. Bundler
// resolution accepts both.
for (const file of readdirSync("dist/types", { recursive: true })) {
  if (!file.endsWith(".d.ts")) continue;
  const path = join("dist/types", file);
  const text = readFileSync(path, "utf8").replace(/(from |import\()"(\.\.?\/[^"]*)"/g, (_match, lead, spec) => {
    const target = join(dirname(path), spec);
    if (existsSync(`${target}.d.ts`)) return `${lead}"${spec}.js"`;
    if (existsSync(join(target, "index.d.ts"))) return `${lead}"${spec}/index.js"`;
    throw new Error(`${path}: cannot resolve ${spec}`);
  });
  writeFileSync(path, text);
}
writeFileSync("dist/veil.d.ts", 'export * from "./types/index.js";\n');
console.log("built dist/veil.mjs, dist/veil.min.js (.gz, .br), dist/veil.d.ts");
