// Built to dist/player.js and loaded when a replay opens: rrweb-player
// (the Replayer plus timeline, speed and skip-inactivity controls).
export { default as Player } from "rrweb-player";
