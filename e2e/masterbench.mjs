// The live master's cost: workletmaster.js's sm-master (the gain, its meters
// and the true-peak limiter) run in Node, CPU ns per stereo frame (median
// of three runs): on the francium mix at three gains (with
// STEMMASTER_FRANCIUM), and on a tone with noise at a few levels. No
// browser: the worklet's code with the few globals an
// AudioWorkletGlobalScope gives. Run it on another WEBDIR (an older
// checkout's server/web) to compare.
//
//   node masterbench.mjs [WEBDIR]    (WEBDIR: server/web by default)
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const web = process.argv[2] || path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "server", "web");
const code = ["loudness.js", "worklet.js", "workletmaster.js"].map(f => fs.readFileSync(path.join(web, f), "utf8").replace('"use strict";', "")).join("\n");
// One function scope: the globals are its locals (fast to reach).
const procs = new Function(`"use strict";
  const sampleRate = 48000, procs = {};
  class AudioWorkletProcessor { constructor() { this.port = { postMessage() {}, onmessage: null }; } }
  const registerProcessor = (n, c) => { procs[n] = c; };
  ${code}
  return procs;`)();

const N = 128, RATE = 48000;

// run is the ns per frame of 20 s of noise on a sine at peak levelDB
// (full scale 0) through sm-master at a −1 dBTP ceiling.
function run(levelDB, targeted) {
  const m = new procs["sm-master"]({ processorOptions: { lookahead_ms: 5, hold_ms: 10, targeted } });
  const amp = Math.pow(10, levelDB / 20), blocks = Math.round(20 * RATE / N);
  let seed = 7;
  const block = k => [0, 1].map(c => Float32Array.from({ length: N }, (_, i) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return amp * (0.6 * Math.sin(2 * Math.PI * (220 + 110 * c) * (k * N + i) / RATE) + 0.4 * (seed / 2147483648 * 2 - 1));
  }));
  const ins = Array.from({ length: 64 }, (_, k) => [block(k), block(k)]);
  const out = [[new Float32Array(N), new Float32Array(N)]];
  const params = { gain_db: [0], ceiling_db: [-1], release_ms: [80], target_lufs: [-14], before_lufs: [-20], adapt: [1], epoch: [0], render_gain_db: [-1000], ahead_gain_db: [-1000] };
  for (let b = 0; b < 400; b++) m.process(ins[b % 64], out, params);
  const t0 = process.cpuUsage();
  for (let b = 0; b < blocks; b++) m.process(ins[b % 64], out, params);
  const t = process.cpuUsage(t0);
  return (t.user + t.system) * 1000 / (blocks * N);
}

// readWAV reads a PCM WAV file's first two channels as float.
function readWAV(file) {
  const b = fs.readFileSync(file);
  let off = 12, data = null, ch = 2, bits = 16;
  while (off + 8 <= b.length) {
    const id = b.toString("ascii", off, off + 4), size = b.readUInt32LE(off + 4);
    if (id === "fmt ") { ch = b.readUInt16LE(off + 10); bits = b.readUInt16LE(off + 22); }
    if (id === "data") { data = b.subarray(off + 8, off + 8 + size); break; }
    off += 8 + size + (size & 1);
  }
  const bytes = bits / 8, frames = Math.floor(data.length / (bytes * ch)), L = new Float32Array(frames), R = new Float32Array(frames);
  for (let i = 0; i < frames; i++) {
    L[i] = data.readIntLE(i * bytes * ch, bytes) / 2 ** (bits - 1);
    R[i] = data.readIntLE(i * bytes * ch + bytes * Math.min(1, ch - 1), bytes) / 2 ** (bits - 1);
  }
  return [L, R];
}

// music is the ns per frame of a song (L, R) at gain gainDB.
function music(L, R, gainDB) {
  const m = new procs["sm-master"]({ processorOptions: { lookahead_ms: 5, hold_ms: 10, targeted: false } });
  const params = { gain_db: [gainDB], ceiling_db: [-1], release_ms: [80], target_lufs: [-14], before_lufs: [-20], adapt: [1], epoch: [0], render_gain_db: [-1000], ahead_gain_db: [-1000] };
  const out = [[new Float32Array(N), new Float32Array(N)]];
  const t0 = process.cpuUsage();
  let blocks = 0;
  for (let s = 0; s + N <= L.length; s += N, blocks++) m.process([[L.subarray(s, s + N), R.subarray(s, s + N)]], out, params);
  const t = process.cpuUsage(t0);
  return (t.user + t.system) * 1000 / (blocks * N);
}

const francium = process.env.STEMMASTER_FRANCIUM;
if (francium && fs.existsSync(path.join(francium, "mix.wav"))) {
  const [L, R] = readWAV(path.join(francium, "mix.wav"));
  for (const g of [0, 4, 8]) {
    const r = [0, 1, 2].map(() => music(L, R, g)).sort((a, b) => a - b);
    console.log(`sm-master, the francium mix +${g} dB: ${r[1].toFixed(0)} ns/frame (runs ${r.map(x => x.toFixed(0)).join(", ")})`);
  }
} else console.log("STEMMASTER_FRANCIUM unset or without mix.wav: no music measured");

for (const [level, targeted, what] of [[-12, false, "well under the −1 dBTP ceiling"], [-3, false, "near it"], [6, false, "over it (limiting)"], [6, true, "over it, the gain targeted"]]) {
  const r = [0, 1, 2].map(() => run(level, targeted)).sort((a, b) => a - b);
  console.log(`sm-master, peak ${level} dBFS, ${what}: ${r[1].toFixed(0)} ns/frame (runs ${r.map(x => x.toFixed(0)).join(", ")})`);
}
