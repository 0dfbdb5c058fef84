// Built to dist/replayer.js and loaded on first use: rrweb's Replayer, used
// to draw a recorded page behind a heatmap.
export { Replayer } from "@rrweb/replay";
