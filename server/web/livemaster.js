// The live player's master section: the stem bus through the master EQ
// (stereo, mid or side), compressor, multiband, width, saturation, the
// gain to the loudness target and a look-ahead limiter at the ceiling, as
// Web Audio approximations of the engine's master chain (chain.js's links,
// worklet.js's limiter), after the tone match (a linear-phase FIR from
// its curve, as the engine's; its latency only delays the stem bus). The
// render stays the reference: the page says so next to every play button
// that uses it.
"use strict";

// The saturation curve covers inputs up to ±SAT_SPAN (+24 dB over full
// scale): the drive divides by it, the curve multiplies back.
const SAT_SPAN = 16, SAT_POINTS = 8193, WARM_BIAS = 0.25;

const SAT_CURVES = {
  soft: Math.tanh,
  warm: x => Math.tanh(x + WARM_BIAS) - Math.tanh(WARM_BIAS),
  cubic: x => (Math.abs(x) >= 1 ? Math.sign(x) : 1.5 * x - 0.5 * x * x * x),
};

function satCurve(character) {
  const f = SAT_CURVES[character] || SAT_CURVES.soft, c = new Float32Array(SAT_POINTS);
  for (let i = 0; i < SAT_POINTS; i++) c[i] = f(SAT_SPAN * (2 * i / (SAT_POINTS - 1) - 1));
  return c;
}

// liveSaturation: drive, the curve 4× oversampled (the browser's most;
// the engine runs 8×), the warm curve's DC removed at 5 Hz, output gain.
function liveSaturation(ctx, s) {
  const drive = liveGain(ctx, dbToGain(s.drive_db || 0) / SAT_SPAN), out = liveGain(ctx, dbToGain(s.output_db || 0));
  const ws = ctx.createWaveShaper();
  ws.curve = satCurve(s.character);
  ws.oversample = "4x";
  const nodes = [drive, ws, out];
  drive.connect(ws);
  let last = ws;
  if (s.character === "warm") {
    const dc = ctx.createBiquadFilter();
    dc.type = "highpass";
    dc.frequency.value = 5;
    dc.Q.value = 20 * Math.log10(Math.SQRT1_2); // Web Audio's pass Q is in dB
    ws.connect(dc);
    last = dc;
    nodes.push(dc);
  }
  last.connect(out);
  return liveLink("saturation", drive, out, nodes);
}

// The tone match's FIR: MATCH_TAPS taps (about 5.9 Hz apart at 48 kHz).
const MATCH_TAPS = 8192;

// matchGainDB is the tone match curve at f: linear in log frequency
// between the points, their end gains beyond them.
function matchGainDB(pts, f) {
  if (f <= pts[0].freq_hz) return pts[0].gain_db;
  for (let i = 1; i < pts.length; i++) {
    if (f <= pts[i].freq_hz) {
      const a = pts[i - 1], b = pts[i], t = Math.log(f / a.freq_hz) / Math.log(b.freq_hz / a.freq_hz);
      return a.gain_db + t * (b.gain_db - a.gain_db);
    }
  }
  return pts[pts.length - 1].gain_db;
}

// matchFIR designs the linear-phase FIR of a tone match curve by frequency
// sampling: the zero-phase response of the curve's gains at the FFT bins,
// centred and Hann-windowed.
function matchFIR(pts, rate, n = MATCH_TAPS) {
  const half = n / 2, amp = new Float64Array(half + 1), cos = new Float64Array(n), h = new Float32Array(n);
  for (let k = 0; k <= half; k++) amp[k] = dbToGain(matchGainDB(pts, Math.max(k, 0.5) * rate / n));
  for (let m = 0; m < n; m++) cos[m] = Math.cos(2 * Math.PI * m / n);
  for (let i = 0; i < n; i++) {
    const d = ((i - half) % n + n) % n;
    let acc = amp[0] + amp[half] * cos[(half * d) % n];
    for (let k = 1, m = d; k < half; k++, m = (m + d) % n) acc += 2 * amp[k] * cos[m];
    h[i] = acc / n * (0.5 - 0.5 * Math.cos(2 * Math.PI * i / n));
  }
  return h;
}

// liveMatchEQ: the tone match as a ConvolverNode of its FIR (not
// normalised: the curve's gains are the point). The last design is kept:
// the section is built again on every move of any master control.
let matchCache = { key: "", fir: null };

function liveMatchEQ(ctx, pts) {
  const conv = ctx.createConvolver();
  conv.normalize = false;
  const key = ctx.sampleRate + JSON.stringify(pts);
  if (matchCache.key !== key) matchCache = { key, fir: matchFIR(pts, ctx.sampleRate) };
  const buf = ctx.createBuffer(1, MATCH_TAPS, ctx.sampleRate);
  buf.getChannelData(0).set(matchCache.fir);
  conv.buffer = buf;
  return Object.assign(conv, { kind: "match_eq" });
}

// liveLimiter: worklet.js's sm-limiter, or where worklets did not load a
// hard DynamicsCompressorNode at the ceiling (it overshoots).
function liveLimiter(ctx, l) {
  const o = { ceiling_db: l.ceiling_db, lookahead_ms: l.lookahead_ms || 5, release_ms: l.release_ms || 80, hold_ms: l.hold_ms || 0 };
  if (!ctx.smWorklets) return Object.assign(compressor(ctx, { threshold_db: o.ceiling_db, ratio: 20, knee_db: 0, attack_ms: 0, release_ms: o.release_ms })[0], { kind: "limiter" });
  const n = new AudioWorkletNode(ctx, "sm-limiter", { numberOfInputs: 1, numberOfOutputs: 1, outputChannelCount: [2], processorOptions: o });
  // grDB is the deepest reduction of the last tenth of a second (dB, ≤ 0).
  n.grDB = 0;
  n.port.onmessage = e => { n.grDB = e.data; };
  return Object.assign(n, { kind: "limiter", options: o });
}

// masterLinks is the master section m (liveMasterParams) as the player's
// links, in the engine's order.
function masterLinks(ctx, m) {
  const links = [];
  if (m.match_eq && m.match_eq.length) links.push(liveMatchEQ(ctx, m.match_eq));
  for (const b of m.eq || []) links.push(...liveMidSide(ctx, "eq", b.channel, biquads(ctx, b)));
  if (m.compressor) links.push(...liveMidSide(ctx, "compressor", m.compressor.channel, liveCompressor(ctx, m.compressor)));
  if (m.multiband) links.push(liveMultiband(ctx, m.multiband));
  if (m.width !== undefined && m.width !== 1) {
    const w = widthNode(ctx);
    w.set(m.width, 0);
    links.push(liveLink("width", w.input, w, [w.input]));
  }
  if (m.saturation) links.push(liveSaturation(ctx, m.saturation));
  links.push(Object.assign(liveGain(ctx, dbToGain(m.gain_db || 0)), { kind: "gain" }));
  if (m.limiter) links.push(liveLimiter(ctx, m.limiter));
  return links;
}

// masterTarget is the session's loudness target as figures: {lufs, dbtp},
// or null with targeting off. A preset's figures come from the target
// menu (the server's presets).
function masterTarget(t) {
  if (t === "none") return null;
  const o = typeof t === "string" ? { preset: t } : (t || { preset: "streaming" });
  const opt = o.preset ? document.querySelector('#target option[value="' + CSS.escape(o.preset) + '"]') : null;
  const lufs = o.integrated_lufs !== undefined ? o.integrated_lufs : opt ? parseFloat(opt.dataset.lufs) : -14;
  const dbtp = o.true_peak_dbtp !== undefined ? o.true_peak_dbtp : opt ? parseFloat(opt.dataset.dbtp) : -1;
  return { lufs, dbtp };
}

// LIMITER_CHARACTERS: each character's slow release (× release_ms) and
// hold (ms), as the engine's limiter takes them.
const LIMITER_CHARACTERS = { transparent: [1, 10], punchy: [0.8, 4], dense: [2, 12] };

// liveMasterParams is the session's master section for the live player:
// the processors as the session has them, the gain that takes the stem
// sum (beforeLUFS, at the mixer's settings) to the target — the render
// finds it after the chain, so a chain that adds or takes loudness plays
// louder or quieter here — and the limiter at the target's ceiling.
function liveMasterParams(m, beforeLUFS) {
  m = m || {};
  const t = masterTarget(m.target);
  const l = m.limiter || {};
  const p = { match_eq: m.match_eq || null, eq: m.eq || [], compressor: m.compressor || null, multiband: m.multiband || null, saturation: m.saturation || null };
  if (m.width !== undefined && m.width !== null) p.width = m.width;
  if (t) {
    p.gain_db = beforeLUFS === null || beforeLUFS === undefined ? 0 : Math.max(-48, Math.min(48, t.lufs - beforeLUFS));
    p.target_lufs = t.lufs;
  } else p.gain_db = m.gain_db || 0;
  if (t || m.limiter) {
    const ceiling = l.ceiling_dbtp !== undefined && l.ceiling_dbtp !== null ? l.ceiling_dbtp : t ? t.dbtp : -1;
    // The character's slow release and hold (package dsp/limiter's
    // releaseTimes), around the session's release.
    const [rel, hold] = LIMITER_CHARACTERS[l.character] || LIMITER_CHARACTERS.transparent;
    p.limiter = { ceiling_db: ceiling, lookahead_ms: l.lookahead_ms || 5, release_ms: rel * (l.release_ms || 80), hold_ms: hold };
  }
  return p;
}

// liveGraph describes links as the browser built them, for the page's
// tests and for anyone looking: each link's kind and its nodes with their
// types and main parameters.
function liveGraph(links) {
  const node = n => {
    if (n.nodes) return n.nodes.flatMap(node);
    const d = { type: n.constructor.name };
    if (n.frequency) Object.assign(d, { filter: n.type, freq: n.frequency.value, q: n.Q.value, gain: n.gain.value });
    else if (n.threshold) Object.assign(d, { threshold: n.threshold.value, ratio: n.ratio.value, attack: n.attack.value, release: n.release.value });
    else if (n.gain) d.gain = n.gain.value;
    if (n.curve) Object.assign(d, { oversample: n.oversample, curve_points: n.curve.length, curve_end: n.curve[n.curve.length - 1] });
    if (n.delayTime) d.delay = n.delayTime.value;
    if (n.options) d.options = n.options;
    return [d];
  };
  return links.map(l => ({ kind: l.kind, nodes: node(l) }));
}
