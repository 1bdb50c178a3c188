// The live player's sm-master processor: the master's gain, the look-ahead
// true-peak limiter with its Nyquist guard, and the BS.1770 meters that find
// the gain to the target as it plays.
// An AudioWorklet module: loadWorklets adds it to the worklet scope after
// loudness.js and worklet.js.
"use strict";

// The true-peak detector's interpolator: 4× (BS.1770-4 Annex 2), each of
// the three phases between two samples a Kaiser-windowed sinc over
// TP_HALF samples on either side, normalised to unit gain at DC.
const TP_HALF = 24, TP_TAPS = 2 * TP_HALF;

function besselI0(x) {
  let s = 1, t = 1;
  for (let k = 1; k < 32; k++) { t *= (x / (2 * k)) * (x / (2 * k)); s += t; }
  return s;
}

function tpPhases() {
  const beta = 8, phases = [];
  for (let k = 1; k < 4; k++) {
    const h = new Float64Array(TP_TAPS);
    let sum = 0;
    for (let m = 0; m < TP_TAPS; m++) {
      const t = m - (TP_HALF - 1) - k / 4; // the tap's distance from the point
      const r = t / TP_HALF;
      const w = Math.abs(r) < 1 ? besselI0(beta * Math.sqrt(1 - r * r)) / besselI0(beta) : 0;
      h[m] = (t === 0 ? 1 : Math.sin(Math.PI * t) / (Math.PI * t)) * w;
      sum += h[m];
    }
    for (let m = 0; m < TP_TAPS; m++) h[m] /= sum;
    phases.push(h);
  }
  return phases;
}

// lpfCoefs is a 12 dB/oct low-pass at f of quality q (RBJ cookbook,
// normalised as hpfCoefs).
function lpfCoefs(f, q) {
  const w = 2 * Math.PI * f / sampleRate, alpha = Math.sin(w) / (2 * q), cw = Math.cos(w), a0 = 1 + alpha;
  return [(1 - cw) / 2 / a0, (1 - cw) / a0, (1 - cw) / 2 / a0, -2 * cw / a0, (1 - alpha) / a0];
}

// NyquistGuard follows the band just under half the rate, where every
// finite interpolator is in its transition band and sees less than the
// signal reconstructed between the samples (white noise, square waves):
// the signal times (−1)^n through a 4th-order Butterworth low-pass at
// 0.035·fs (the band 0.465 … 0.5·fs, moved to DC), its size held with a
// 32-frame decay. The detector adds half of it to each peak, as package
// limiter does; music, with little there, is limited as without it.
class NyquistGuard {
  constructor() {
    this.k = [lpfCoefs(0.035 * sampleRate, 0.5412), lpfCoefs(0.035 * sampleRate, 1.3066)];
    this.z = [0, 1, 2, 3].map(() => new Float64Array(4));
    this.sign = 1;
    this.env = 0;
    this.decay = Math.exp(-1 / 32);
  }

  // step takes a frame and returns the band's held size.
  step(l, r) {
    const s = this.sign, z = this.z, k = this.k;
    this.sign = -s;
    const a = Math.abs(biquadStep(k[1], z[1], biquadStep(k[0], z[0], s * l)));
    const b = Math.abs(biquadStep(k[1], z[3], biquadStep(k[0], z[2], s * r)));
    this.env = Math.max(a, b, this.env * this.decay);
    return this.env;
  }
}

// QUIET_RUN: the frames of a run found quiet at once (see Master's bound):
// three runs cover the interpolator's history.
const QUIET_RUN = TP_TAPS / 3;

// vertex is the peak of the parabola through a, b, c when b is the
// largest of the three in size and they share its sign (a peak between
// the points of the oversampled stream), else |b|; held to 9/8 |b|.
function vertex(a, b, c) {
  const ab = Math.abs(b);
  if (ab < Math.abs(a) || ab < Math.abs(c) || a * b <= 0 || c * b <= 0) return ab;
  const d = a - 2 * b + c;
  if (d === 0) return ab;
  return Math.min(ab * 1.125, Math.abs(b - (a - c) * (a - c) / (8 * d)));
}

// Master is the master section's last two stages, the engine's order:
//
// The gain. Without a target it is gain_db. With one (targeted) it is
// what takes the song to target_lufs after the whole chain, as the render
// finds it: before_lufs is the server's BS.1770 figure for the whole
// song's stem sum at the mixer's faders (input 1, the raw bus, carries
// that sum as it plays), and three K-weighted meters give, over the
// gated 400 ms blocks (75 % overlap; BS.1770's absolute and relative
// gates, the latter to 0.1 LU) played since the chain last changed (the
// page steps epoch), how much the strips and the master chain add (input
// 0 against input 1) and how much the limiter takes (its output against
// its input). The gain is target − (before + chain) − limiter, gliding
// there with a 0.3 s time constant; adapt 0 holds it (another version
// plays through main's gain, as the render does). Until the first block
// (400 ms) gain_db, the page's estimate, stands; after a change of the
// chain the last gain stands until the next. Where the page has the
// render's gain for the settings playing (render_gain_db), the gain starts
// there and the meters' figure weighs in as the song plays: the start of a
// song (a sparse intro) is a poor sample of what the chain adds. Where
// the page has analysed the whole song ahead through this graph for the
// settings playing (ahead_gain_db, livemaster.js analyseAhead), that gain
// stands; the meters still report.
//
// The limiter: a look-ahead true-peak limiter at ceiling_db. Each frame's
// peak is the largest of the 4× interpolated stream around it (each local
// maximum refined by a parabola's vertex, as package limiter does), over
// the segments on either side of the frame, so every inter-sample peak is
// held by the gains of both frames around it, plus half the near-Nyquist
// band's size (NyquistGuard). The gain each frame needs,
// its minimum over the look-ahead and hold_ms, a release toward unity,
// then a moving average over the look-ahead with the audio delayed to
// match: no sample and no peak between samples passes the ceiling.
//
// Every tenth of a second it posts {gr, gain_db, chain_lu, limiter_lu,
// blocks} to the page (gr: the deepest reduction of that tenth, dB ≤ 0).
// BINS of 0.1 LU from −70 LUFS (the absolute gate) to +10.
const BINS = 800;

// PRIOR_BLOCKS: the gated blocks (a quarter second each, as they overlap)
// at which the meters' figure and the render's weigh the same.
const PRIOR_BLOCKS = 200;

// LIM_S: the time constant (s) of the limiter's share as the meters
// follow it.
const LIM_S = 5;

const lufs = energyLUFS;

class Master extends AudioWorkletProcessor {
  static get parameterDescriptors() {
    return [["gain_db", 0], ["ceiling_db", -1], ["release_ms", 80], ["target_lufs", -14], ["before_lufs", -1000], ["adapt", 1], ["epoch", 0], ["render_gain_db", -1000], ["ahead_gain_db", -1000]]
      .map(([name, defaultValue]) => ({ name, defaultValue, automationRate: "k-rate" }));
  }

  constructor(options) {
    super();
    const p = (options && options.processorOptions) || {};
    this.targeted = !!p.targeted;
    this.limit = p.limit !== false;
    const L = this.L = Math.max(1, Math.round((p.lookahead_ms > 0 ? p.lookahead_ms : 5) / 1000 * sampleRate));
    const W = this.W = L + Math.max(0, Math.round((p.hold_ms || 0) / 1000 * sampleRate));
    // Rings: the gains needed over the look-ahead and the hold (W, for the
    // window minimum, a monotonic deque of positions); over L the released
    // gains (for the moving average); the audio delayed TP_HALF frames
    // (the interpolator's) and L − 1 (the average's window then covers
    // every frame it is applied to).
    this.need = new Float64Array(W);
    this.dq = new Int32Array(W);
    this.npos = 0;
    this.dqHead = 0;
    this.dqLen = 0;
    this.avg = new Float64Array(L).fill(1);
    this.sum = L;
    this.r = 1;
    this.D = TP_HALF + L - 1;
    this.delay = [new Float32Array(this.D + 1), new Float32Array(this.D + 1)];
    this.pos = 0;
    this.apos = 0;
    // The interpolator's input, twice over so the last TP_TAPS samples
    // are always contiguous; the last segment's peak and third point.
    this.phases = tpPhases();
    // No segment's peak exceeds its frames' largest size times bound: an
    // interpolated point is at most the phase's sum of |taps| times it,
    // a vertex 9/8 of a point. A run of frames whose sizes (and those of
    // the history the interpolator still holds) stay under the ceiling by
    // that factor, with the guard's half, needs no interpolation: every
    // gain it needs is 1, as the exact peaks would say (quiet runs).
    this.bound = 1.125 * Math.max(1, ...this.phases.map(h => h.reduce((s, x) => s + Math.abs(x), 0)));
    this.gv = new Float64Array(128); // the guard's sizes over a block
    this.most = new Float64Array(128 / QUIET_RUN + 3).fill(Infinity); // the runs' largest frames, after the last three
    this.gmost = new Float64Array(128 / QUIET_RUN); // and guard sizes
    this.hist = [new Float64Array(2 * TP_TAPS), new Float64Array(2 * TP_TAPS)];
    this.hpos = 0;
    this.prevSeg = 0;
    this.prev3 = [0, 0];
    this.guard = new NyquistGuard();
    // Loudness: meters of the chain's output (A), the raw bus (R) and the
    // limiter's output (O); the limiter's input is A times the gain².
    this.mA = new KMeter(sampleRate);
    this.mR = new KMeter(sampleRate);
    this.mO = new KMeter(sampleRate);
    this.hop = Math.round(sampleRate / 10);
    this.hopLeft = this.hop;
    this.acc = new Float64Array(4); // A, R, I, O over this hop
    this.last = [0, 1, 2, 3].map(() => new Float64Array(4)); // the last four hops
    this.nHops = 0;
    // The 400 ms blocks since the chain last changed (epoch), by their
    // loudness at the limiter's input (BINS of 0.1 LU from −70 LUFS, the
    // absolute gate): how many and their energies A, R, I, O.
    this.count = new Float64Array(BINS);
    this.sums = [0, 1, 2, 3].map(() => new Float64Array(BINS));
    this.epoch = 0;
    this.limI = 0;
    this.limO = 0;
    this.limDecay = Math.exp(-0.1 / LIM_S);
    this.g = NaN;
    this.want = NaN;
    this.glide = 1 - Math.exp(-1 / (0.3 * sampleRate));
    this.est = { chain: 0, limiter: 0, blocks: 0 };
    this.meterMin = 1;
  }

  // segment returns the largest true-peak estimate over the frame that
  // just left the interpolator's centre and the three points after it.
  segment(ch, h, at) {
    const ph = this.phases;
    let y1 = 0, y2 = 0, y3 = 0;
    const p1 = ph[0], p2 = ph[1], p3 = ph[2];
    for (let m = 0; m < TP_TAPS; m++) {
      const x = h[at + m];
      y1 += p1[m] * x; y2 += p2[m] * x; y3 += p3[m] * x;
    }
    const x0 = h[at + TP_HALF - 1], x1 = h[at + TP_HALF];
    const peak = Math.max(vertex(this.prev3[ch], x0, y1), vertex(x0, y1, y2), vertex(y1, y2, y3), vertex(y2, y3, x1));
    this.prev3[ch] = y3;
    return peak;
  }

  // estimate finds the gain to the target from the gated blocks; with the
  // render's gain for these settings (render > −900) it starts there and
  // weighs its own figure in as blocks come (half at PRIOR_BLOCKS).
  estimate(before, target, render) {
    const { count, sums } = this;
    let n = 0, zi = 0;
    for (let b = 0; b < BINS; b++) { n += count[b]; zi += sums[2][b]; }
    if (!n) return NaN;
    // The relative gate, 10 LU under the blocks' mean, to the bin.
    const gate = Math.max(0, Math.ceil((lufs(zi / n / (4 * this.hop)) - 10 + 70) * 10));
    const s = [0, 0, 0, 0];
    let blocks = 0;
    for (let b = gate; b < BINS; b++) {
      blocks += count[b];
      for (let i = 0; i < 4; i++) s[i] += sums[i][b];
    }
    if (!blocks) return NaN;
    // The limiter's share from the recent blocks (LIM_S): it depends on the
    // gain, which moves, where the chain's does not.
    const limiter = this.limI > 0 && this.limO > 0 ? 10 * Math.log10(this.limO / this.limI) : 0;
    let level;
    if (before > -900 && s[1] > 0) {
      this.est.chain = 10 * Math.log10(s[0] / s[1]);
      level = before + this.est.chain;
    } else {
      this.est.chain = NaN;
      level = lufs(s[0] / blocks / (4 * this.hop));
    }
    this.est.limiter = limiter;
    this.est.blocks = blocks;
    const own = Math.max(-48, Math.min(48, target - level - limiter));
    if (!(render > -900)) return own;
    const w = blocks / (blocks + PRIOR_BLOCKS);
    return w * own + (1 - w) * render;
  }

  endHop(params) {
    const k = this.nHops % 4;
    for (let i = 0; i < 4; i++) { this.last[i][k] = this.acc[i]; this.acc[i] = 0; }
    this.nHops++;
    if (params.epoch[0] !== this.epoch) {
      this.epoch = params.epoch[0];
      this.count.fill(0);
      for (const x of this.sums) x.fill(0);
      this.est.blocks = 0;
    }
    // Another version playing (adapt 0) is not main's loudness: its blocks
    // stay out.
    if (this.nHops >= 4 && params.adapt[0] > 0) {
      const z = this.last.map(h => h[0] + h[1] + h[2] + h[3]);
      const b = Math.floor((lufs(z[2] / (4 * this.hop)) + 70) * 10);
      // The whole song's relative gate where its loudness is known: a
      // block of the raw bus 10 LU under it is not in the song's figure.
      const before = params.before_lufs[0];
      const gated = before > -900 && z[1] > 0 && lufs(z[1] / (4 * this.hop)) <= before - 10;
      if (b >= 0 && !gated) {
        const bin = Math.min(BINS - 1, b);
        this.count[bin]++;
        for (let i = 0; i < 4; i++) this.sums[i][bin] += z[i];
        this.limI = this.limI * this.limDecay + z[2];
        this.limO = this.limO * this.limDecay + z[3];
      }
    }
    if (this.targeted && params.adapt[0] > 0) {
      const w = this.estimate(params.before_lufs[0], params.target_lufs[0], params.render_gain_db[0]);
      if (!(params.ahead_gain_db[0] > -900) && Number.isFinite(w)) this.want = w;
    }
    this.port.postMessage({ gr: 20 * Math.log10(this.meterMin), gain_db: 20 * Math.log10(this.g), chain_lu: this.est.chain, limiter_lu: this.est.limiter, blocks: this.est.blocks });
    this.meterMin = 1;
  }

  process(inputs, outputs, params) {
    const in0 = inputs[0], in1 = inputs[1], out = outputs[0];
    const n = out[0].length, L = this.L, W = this.W, D = this.D, chans = Math.min(2, out.length);
    const ceiling = dbToGain(params.ceiling_db[0]), rel = coef(params.release_ms[0] > 0 ? params.release_ms[0] : 80);
    if (!this.targeted || Number.isNaN(this.want)) this.want = params.gain_db[0];
    // The page's analysis of the whole song, when it has one for these
    // settings, stands (main's, in every version): the meters only follow
    // what has played.
    if (this.targeted && params.ahead_gain_db[0] > -900) this.want = params.ahead_gain_db[0];
    const gWant = dbToGain(this.want);
    if (Number.isNaN(this.g)) this.g = gWant;
    const dq = this.dq, need = this.need, hist = this.hist, acc = this.acc, glide = this.glide;
    const has0 = in0 && in0.length, has1 = in1 && in1.length;
    // The guard's sizes over the block (it hears the gained frames, which
    // the gain's glide gives ahead of the loop below, the same sums), and
    // the largest size of the frames and of the guard in each run of
    // QUIET_RUN frames, after the last three runs' (the interpolator's
    // history): a run whose frames and history stay under the ceiling by
    // bound is quiet.
    const gv = this.gv.length >= n ? this.gv : (this.gv = new Float64Array(n));
    const runs = n % QUIET_RUN === 0 && this.limit ? n / QUIET_RUN : 0;
    const most = this.most.length >= runs + 3 ? this.most : (this.most = new Float64Array(runs + 3).fill(Infinity));
    const gmost = this.gmost.length >= runs ? this.gmost : (this.gmost = new Float64Array(runs));
    if (this.limit) {
      let g = this.g;
      for (let i = 0; i < n; i++) {
        const x0 = (has0 ? in0[0][i] : 0) * g, x1 = (has0 ? in0[Math.min(1, in0.length - 1)][i] : 0) * g;
        g = g + (gWant - g) * glide;
        gv[i] = this.guard.step(x0, x1);
        if (!runs) continue;
        const r = i / QUIET_RUN | 0;
        if (i % QUIET_RUN === 0) { most[r + 3] = 0; gmost[r] = 0; }
        most[r + 3] = Math.max(most[r + 3], Math.abs(x0), Math.abs(x1));
        gmost[r] = Math.max(gmost[r], gv[i]);
      }
    }
    let quiet = false;
    for (let i = 0; i < n; i++) {
      const a0 = has0 ? in0[0][i] : 0, a1 = has0 ? in0[Math.min(1, in0.length - 1)][i] : 0;
      const g = this.g;
      this.g = g + (gWant - g) * glide;
      const eA = this.mA.energy(a0, a1);
      acc[0] += eA;
      acc[2] += eA * g * g;
      if (has1) acc[1] += this.mR.energy(in1[0][i], in1[Math.min(1, in1.length - 1)][i]);
      const x0 = a0 * g, x1 = a1 * g;
      // The interpolator's history, and the segment it completes.
      const hp = this.hpos;
      hist[0][hp] = hist[0][hp + TP_TAPS] = x0;
      hist[1][hp] = hist[1][hp + TP_TAPS] = x1;
      this.hpos = (hp + 1) % TP_TAPS;
      let y0 = x0, y1 = x1, gain = 1;
      if (this.limit) {
        const k = i % QUIET_RUN, r = i / QUIET_RUN | 0;
        if (runs && k === 0) quiet = this.prevSeg < ceiling && this.bound * Math.max(most[r], most[r + 1], most[r + 2], most[r + 3]) + 0.5 * gmost[r] < ceiling;
        // A quiet run's last frame is found exactly: the next frame's
        // first point is its third.
        const seg = quiet && k < QUIET_RUN - 1 ? 0 : Math.max(this.segment(0, hist[0], this.hpos), this.segment(1, hist[1], this.hpos)) + 0.5 * gv[i];
        const peak = Math.max(seg, this.prevSeg);
        this.prevSeg = seg;
        const q = peak > ceiling ? ceiling / peak : 1;
        const np = this.npos;
        need[np] = q;
        // The window minimum of need over the last W positions: drop the
        // positions no smaller than q, then the one falling out of it.
        while (this.dqLen && need[dq[(this.dqHead + this.dqLen - 1) % W]] >= q) this.dqLen--;
        dq[(this.dqHead + this.dqLen) % W] = np;
        this.dqLen++;
        const oldest = (np + 1) % W; // the position that leaves next
        const h = need[dq[this.dqHead]];
        if (dq[this.dqHead] === oldest) { this.dqHead = (this.dqHead + 1) % W; this.dqLen--; }
        this.npos = oldest;
        this.r = h < this.r ? h : h + (this.r - h) * rel;
        const pos = this.pos;
        this.sum += this.r - this.avg[pos];
        this.avg[pos] = this.r;
        this.pos = (pos + 1) % L;
        gain = Math.min(1, this.sum / L);
        if (gain < this.meterMin) this.meterMin = gain;
        // The audio D frames ago.
        const ap = this.apos, rp = (ap + 1) % (D + 1);
        this.delay[0][ap] = x0;
        this.delay[1][ap] = x1;
        y0 = this.delay[0][rp] * gain;
        y1 = this.delay[1][rp] * gain;
        this.apos = rp;
      }
      if (chans > 0) out[0][i] = y0;
      if (chans > 1) out[1][i] = y1;
      acc[3] += this.mO.energy(y0, y1);
      if (--this.hopLeft === 0) {
        this.hopLeft = this.hop;
        this.endHop(params);
      }
    }
    // The last three runs are the next block's history; a block not in
    // runs leaves none known (Infinity: not quiet).
    if (runs) most.copyWithin(0, runs, runs + 3);
    else if (this.limit) most.fill(Infinity);
    return true;
  }
}

registerProcessor("sm-master", Master);
