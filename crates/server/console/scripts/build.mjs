// Builds dist/: the files `veil serve` embeds and serves under /console.
//
//   index.html   the single page (hash routing, so /console and /console/ serve it)
//   console.js   the app (ES module)
//   replayer.js  rrweb's Replayer, loaded when a heatmap draws its page background
//   player.js    rrweb-player, loaded when a replay opens
//   console.css  the app's styles plus rrweb-player's and rrweb's
//
// The output is deterministic (no timestamps, no content hashes in names,
// no absolute paths): running this twice gives byte-identical files, so
// the committed dist/ can be checked with `npm run build && git diff`.
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dist = join(root, "dist");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const banner = `/*! Veil console ${pkg.version} | MIT | bundles rrweb, rrweb-player, svelte (MIT) */`;

rmSync(dist, { recursive: true, force: true });
mkdirSync(dist);

const common = {
  absWorkingDir: root,
  bundle: true,
  minify: true,
  format: "esm",
  target: "es2020",
  platform: "browser",
  legalComments: "none",
  charset: "utf8",
  logLevel: "warning",
  banner: { js: banner, css: banner },
  define: { "process.env.NODE_ENV": '"production"' },
};

await build({
  ...common,
  entryPoints: { console: "src/main.ts", replayer: "src/lazy/replayer.ts", player: "src/lazy/player.ts" },
  outdir: dist,
});

await build({
  ...common,
  entryPoints: { console: "src/styles/console.css" },
  outdir: dist,
});

copyFileSync(join(root, "src/index.html"), join(dist, "index.html"));

let total = 0;
for (const name of readdirSync(dist).sort()) {
  const size = statSync(join(dist, name)).size;
  total += size;
  console.log(`dist/${name.padEnd(12)} ${(size / 1024).toFixed(1).padStart(7)} KiB`);
}
console.log(`dist/ total       ${(total / 1024).toFixed(1).padStart(7)} KiB`);
