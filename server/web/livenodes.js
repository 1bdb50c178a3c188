// The live player's building blocks: its scheduling constants, the glitch
// watch, the Web Audio nodes its strips and master are made of (biquads,
// stereo I/O, matrix, width, compressor) and the loading of the AudioWorklet
// processors.
// One of the page's classic scripts: index.html loads them in order into
// one global scope.
"use strict";

const AHEAD_S = 1.2;     // schedule this far ahead of the clock

const TICK_MS = 150;

const KEEP_BEHIND = 1;   // segments kept before the playhead's

const KEEP_AHEAD = 3;    // and after it

const dbToGain = db => Math.pow(10, db / 20);

// GlitchWatch counts the underruns of a playing AudioContext: the
// browser's own playback statistics where it has them (underrun events and
// the time they lost), else the audio clock falling behind the page's by
// more than GLITCH_LAG_S, or twice the context's own buffering where that
// is longer (its callbacks' jitter), at a time (getOutputTimestamp: each
// late callback delays the context's time). mark starts counting; check
// returns the underruns since, as {events, seconds}.
const GLITCH_LAG_S = 0.02;

class GlitchWatch {
  constructor(ctx) { this.ctx = ctx; }

  read() {
    const c = this.ctx;
    if (c.playbackStats && typeof c.playbackStats.underrunEvents === "number") {
      return { events: c.playbackStats.underrunEvents, seconds: c.playbackStats.underrunDuration, stats: true };
    }
    const ts = c.getOutputTimestamp ? c.getOutputTimestamp() : null;
    if (!ts || !(ts.performanceTime > 0)) return null;
    const lag = ts.performanceTime / 1000 - ts.contextTime;
    if (this.lag === undefined || lag < this.lag) this.lag = lag; // jitter back
    if (lag - this.lag > Math.max(GLITCH_LAG_S, 2 * (c.baseLatency || 0))) {
      this.events = (this.events || 0) + 1;
      this.lost = (this.lost || 0) + lag - this.lag;
      this.lag = lag;
    }
    return { events: this.events || 0, seconds: this.lost || 0, stats: false };
  }

  mark() {
    this.lag = undefined;
    this.base = this.read();
  }

  check() {
    const now = this.read();
    if (!now || !this.base) return { events: 0, seconds: 0 };
    return { events: now.events - this.base.events, seconds: Math.max(0, now.seconds - this.base.seconds) };
  }
}

// biquads maps one session EQ band to Web Audio filters as the engine
// builds it (package dsp/biquad): a pass filter of 12 dB/oct is one
// section with the band's Q, 6 dB/oct a first-order IIR, 24 and 48 the
// Butterworth sections of order 4 and 8; Linkwitz-Riley is a Butterworth
// of half the order squared (12: two first-order poles, one section of
// Q 0.5). The shelves' Q is the browser's own (it ignores it).
function biquads(ctx, b) {
  const spec = biquadSpecs(ctx, b);
  return spec.map(x => {
    if (x.iir) return ctx.createIIRFilter(x.iir[0], x.iir[1]);
    const n = ctx.createBiquadFilter();
    n.type = x.type;
    n.frequency.value = x.freq;
    n.Q.value = x.q;
    n.gain.value = x.gain;
    return n;
  });
}

// biquadSpecs is biquads' sections as figures: {type, freq, q (as Web
// Audio takes it), gain} or {iir: [feedforward, feedback]}.
function biquadSpecs(ctx, b) {
  const types = { peak: "peaking", low_shelf: "lowshelf", high_shelf: "highshelf", high_pass: "highpass", low_pass: "lowpass",
    band_pass: "bandpass", notch: "notch", lr_high_pass: "highpass", lr_low_pass: "lowpass" };
  const type = types[b.type];
  if (!type || !(b.freq_hz > 0)) return [];
  const f = Math.min(b.freq_hz, ctx.sampleRate / 2 - 1);
  const pass = type === "highpass" || type === "lowpass";
  const q = b.q > 0 ? b.q : (b.type === "peak" ? 1 : Math.SQRT1_2);
  const butter = n => Array.from({ length: n / 2 }, (_, k) => 1 / (2 * Math.cos(Math.PI * (2 * k + 1) / (2 * n))));
  let qs = [q];
  if (b.type.startsWith("lr_")) qs = { 12: [0.5], 24: butter(2).concat(butter(2)), 48: butter(4).concat(butter(4)) }[b.slope || 12] || [0.5];
  else if (pass && b.slope === 6) {
    // First order, bilinear: H(z) = (b0 + b1 z⁻¹) / (1 + a1 z⁻¹).
    const K = Math.tan(Math.PI * f / ctx.sampleRate), a1 = (K - 1) / (K + 1);
    const ff = type === "highpass" ? [1 / (1 + K), -1 / (1 + K)] : [K / (1 + K), K / (1 + K)];
    return [{ iir: [ff, [1, a1]] }];
  } else if (pass && (b.slope === 24 || b.slope === 48)) qs = butter(b.slope / 6);
  // Web Audio takes a pass filter's Q as resonance in dB.
  return qs.map(qk => ({ type, freq: f, q: pass ? 20 * Math.log10(qk) : qk, gain: b.gain_db || 0 }));
}

// stereoIO is the two ends of a graph that works on each channel of a
// stereo signal: its input (a mono source taken as both channels) split
// into the channels, and the merger that makes the output.
function stereoIO(ctx) {
  const input = ctx.createGain();
  input.channelCount = 2;
  input.channelCountMode = "explicit";
  input.channelInterpretation = "speakers";
  const split = ctx.createChannelSplitter(2), merge = ctx.createChannelMerger(2);
  input.connect(split);
  return { input, split, merge };
}

// matrixNode is a 2 × 2 channel matrix: the gains of left→left,
// right→right, left→right and right→left, set together with set([ll, rr,
// lr, rl], now, timeConstant).
function matrixNode(ctx) {
  const { input, split, merge } = stereoIO(ctx);
  const g = [[0, 0], [1, 1], [0, 1], [1, 0]].map(([from, to]) => {
    const n = ctx.createGain();
    split.connect(n, from);
    n.connect(merge, 0, to);
    return n;
  });
  const set = (gains, now, tc) => gains.forEach((v, i) => g[i].gain.setTargetAtTime(v, now, tc));
  return { input, connect: (...to) => merge.connect(...to), set };
}

// channelNode corrects a stem's channels as the engine does where it reads
// a stem: each file channel times its sign, then left and right exchanged
// when swap is set.
function channelNode(ctx) {
  const m = matrixNode(ctx);
  const set = (swap, signL, signR, now) => m.set(swap ? [0, 0, signL, signR] : [signL, signR, 0, 0], now, 0.005);
  set(false, 1, 1, 0);
  return { input: m.input, connect: m.connect, set };
}

// widthNode scales the side signal by w (mid/side): L' = L(1+w)/2 +
// R(1-w)/2, R' = R(1+w)/2 + L(1-w)/2; a mono source is taken as L = R.
function widthNode(ctx) {
  const m = matrixNode(ctx);
  const set = (w, now) => {
    const same = (1 + w) / 2, cross = (1 - w) / 2;
    m.set([same, same, cross, cross], now, 0.01);
  };
  set(1, 0);
  return { input: m.input, connect: m.connect, set };
}

// loadWorklets loads the worklet modules' processors (worklet.js,
// workletmaster.js) into ctx (beside this script); ctx.smWorklets tells
// they are there. It resolves false where
// the browser has no AudioWorklet or the module fails: the stand-ins play.
async function loadWorklets(ctx) {
  if (!ctx.audioWorklet) return false;
  const me = document.querySelector('script[src*="mixer.js"]');
  const url = name => (me ? me.src.replace("mixer.js", name) : "/static/" + name);
  try {
    // workletmaster.js meters with loudness.js's K-weighting: loaded first.
    await ctx.audioWorklet.addModule(url("loudness.js"));
    await ctx.audioWorklet.addModule(url("worklet.js"));
    await ctx.audioWorklet.addModule(url("workletmaster.js"));
    ctx.smWorklets = true;
  } catch (e) {
    console.warn("live player: worklet dynamics unavailable:", e);
    ctx.smWorklets = false;
  }
  return ctx.smWorklets;
}

// compressor approximates a session compressor with the browser's
// DynamicsCompressorNode (its detector and curve are not the engine's:
// the render is the reference) and the makeup gain.
function compressor(ctx, c) {
  const d = ctx.createDynamicsCompressor(), makeup = ctx.createGain();
  const set = (c2, now) => {
    // A multiband band may leave its threshold (0 dBFS) or ratio (off) out.
    const thr = Math.max(-100, Math.min(0, c2.threshold_db || 0)), ratio = Math.max(1, Math.min(20, c2.ratio || 1));
    glide(d.threshold, thr, now); // livechain.js
    glide(d.ratio, ratio, now);
    glide(d.knee, Math.max(0, Math.min(40, c2.knee_db || 0)), now);
    glide(d.attack, Math.max(0, Math.min(1, (c2.attack_ms || 10) / 1000)), now);
    glide(d.release, Math.max(0, Math.min(1, (c2.release_ms || 120) / 1000)), now);
    // The node adds its own makeup gain, (1 / gain at full scale)^0.6 (Web
    // Audio spec); taken back out, the session's makeup alone remains.
    const auto = 0.6 * -thr * (1 - 1 / ratio);
    glide(makeup.gain, dbToGain((c2.makeup_db || 0) - auto), now);
  };
  set(c, -1);
  d.connect(makeup);
  // Chained as one filter: the caller connects into d and out of makeup.
  return [{ connect: (...to) => makeup.connect(...to), disconnect: () => { d.disconnect(); makeup.disconnect(); }, input: d, nodes: [d, makeup], set }];
}
