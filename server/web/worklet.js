// stemmaster live player: the dynamics the browser's own nodes cannot
// play, as AudioWorklet processors (loaded by mixer.js's loadWorklets).
// They follow the engine's processors closely enough to hear a move at
// once; the render stays the reference.
//
//   sm-dynamics: a stereo-linked peak detector (instant rise, decay with
//     the release; or with detector "peak" the sample's |x| alone, as the
//     engine's compressor, behind its optional 12 dB/oct sidechain
//     high-pass at sidechain_hpf_hz) into a static curve: soft-knee compression above
//     threshold_db by ratio with the cut held to max_cut_db (the de-esser's
//     and dynamic EQ's range), downward expansion below
//     expand_threshold_db by expand_ratio held to range_db (the multiband's
//     expander), smoothed by attack/release in dB a run of samples at a
//     time, then makeup_db — as package multiband and dyneq do.
//   sm-limiter: a look-ahead sample-peak limiter at ceiling_db: the gain
//     each sample needs, its minimum over the look-ahead and hold_ms, a
//     release toward unity, then a moving average over the look-ahead with
//     the audio delayed to match, so no sample passes the ceiling.
"use strict";

const dbToGain = db => Math.pow(10, db / 20);
const coef = ms => (ms > 0 ? Math.exp(-1 / (ms / 1000 * sampleRate)) : 0);

// hpfCoefs is a 12 dB/oct Butterworth high-pass at f (RBJ cookbook,
// normalised: b0 b1 b2 a1 a2).
function hpfCoefs(f) {
  const w = 2 * Math.PI * Math.min(f, 0.49 * sampleRate) / sampleRate, alpha = Math.sin(w) / (2 * Math.SQRT1_2), cw = Math.cos(w), a0 = 1 + alpha;
  return [(1 + cw) / 2 / a0, -(1 + cw) / a0, (1 + cw) / 2 / a0, -2 * cw / a0, (1 - alpha) / a0];
}

// biquadStep runs one sample through coefficients k with state z.
function biquadStep(k, z, x) {
  const y = k[0] * x + k[1] * z[0] + k[2] * z[1] - k[3] * z[2] - k[4] * z[3];
  z[1] = z[0]; z[0] = x; z[3] = z[2]; z[2] = y;
  return y;
}

class Dynamics extends AudioWorkletProcessor {
  constructor(options) {
    super();
    const p = (options && options.processorOptions) || {};
    this.thr = p.threshold_db === undefined ? 0 : p.threshold_db;
    this.ratio = p.ratio > 1 ? p.ratio : 1;
    this.knee = p.knee_db > 0 ? p.knee_db : 0;
    this.maxCut = p.max_cut_db > 0 ? p.max_cut_db : Infinity;
    this.eThr = p.expand_threshold_db === undefined ? -120 : p.expand_threshold_db;
    this.eSlope = p.expand_ratio > 1 ? p.expand_ratio - 1 : 0;
    this.range = p.range_db > 0 ? p.range_db : 40;
    this.makeup = p.makeup_db || 0;
    const attack = p.attack_ms > 0 ? p.attack_ms : 10; // 0 means the default, as in the session
    // The gain is computed once a run of attack/8 samples (1 … 16), as
    // the engine's multiband does, and ramps linearly over the next run;
    // the envelope follows every sample.
    this.run = Math.max(1, Math.min(16, Math.round(attack / 1000 * sampleRate / 8)));
    this.att = Math.pow(coef(attack), this.run);
    this.rel = coef(p.release_ms > 0 ? p.release_ms : 150);
    this.relRun = Math.pow(this.rel, this.run);
    this.instant = p.detector === "peak";
    this.hpf = p.sidechain_hpf_hz > 0 ? hpfCoefs(p.sidechain_hpf_hz) : null;
    this.hz = [new Float64Array(4), new Float64Array(4)]; // x1 x2 y1 y2 per channel
    this.env = 0;
    this.runMax = 0;
    this.left = this.run;
    this.gdb = 0;
    this.g = dbToGain(this.makeup);
    this.step = 0;
  }

  // curve is the gain in dB (≤ 0 before makeup) for a level in dBFS.
  curve(l) {
    let g = 0;
    if (this.ratio > 1) {
      const over = l - this.thr, s = 1 / this.ratio - 1;
      if (2 * over >= this.knee) g = s * over;
      else if (2 * over > -this.knee) g = s * (over + this.knee / 2) * (over + this.knee / 2) / (2 * this.knee);
      g = Math.max(g, -this.maxCut);
    }
    if (this.eSlope > 0 && l < this.eThr) g += Math.max(-(this.eThr - l) * this.eSlope, -this.range);
    return g;
  }

  process(inputs, outputs) {
    const inp = inputs[0], out = outputs[0];
    if (!inp || !inp.length) return true;
    const n = out[0].length, chans = out.length, rel = this.rel;
    let env = this.env, runMax = this.runMax, left = this.left, g = this.g, step = this.step;
    for (let i = 0; i < n; i++) {
      let peak = 0;
      for (let c = 0; c < inp.length; c++) {
        let x = inp[c][i];
        if (this.hpf) x = biquadStep(this.hpf, this.hz[c & 1], x);
        peak = Math.max(peak, Math.abs(x));
      }
      env = peak > env || this.instant ? peak : env * rel;
      if (env > runMax) runMax = env;
      for (let c = 0; c < chans; c++) out[c][i] = inp[Math.min(c, inp.length - 1)][i] * g;
      g += step;
      if (--left === 0) {
        // The run's loudest envelope through the curve, smoothed a run at
        // a time; the gain ramps there over the next run.
        const want = this.curve(20 * Math.log10(runMax + 1e-30));
        this.gdb = want + (this.gdb - want) * (want < this.gdb ? this.att : this.relRun);
        step = (dbToGain(this.gdb + this.makeup) - g) / this.run;
        runMax = 0;
        left = this.run;
      }
    }
    this.env = env;
    this.runMax = runMax;
    this.left = left;
    this.g = g;
    this.step = step;
    return true;
  }
}

class Limiter extends AudioWorkletProcessor {
  constructor(options) {
    super();
    const p = (options && options.processorOptions) || {};
    this.ceiling = dbToGain(p.ceiling_db === undefined ? -1 : p.ceiling_db);
    const L = this.L = Math.max(1, Math.round((p.lookahead_ms > 0 ? p.lookahead_ms : 5) / 1000 * sampleRate));
    this.rel = coef(p.release_ms > 0 ? p.release_ms : 80);
    // Rings: the gains needed over the look-ahead and the hold (W, for the
    // window minimum, a monotonic deque of positions); over L the released
    // gains (for the moving average) and the delayed audio (L − 1 frames:
    // the average's window then covers every sample it is applied to).
    const W = this.W = L + Math.max(0, Math.round((p.hold_ms || 0) / 1000 * sampleRate));
    this.need = new Float64Array(W);
    this.dq = new Int32Array(W);
    this.npos = 0;
    this.dqHead = 0;
    this.dqLen = 0;
    this.avg = new Float64Array(L).fill(1);
    this.sum = L;
    this.r = 1;
    this.delay = [new Float32Array(L), new Float32Array(L)];
    this.pos = 0;
    this.x = new Float32Array(2);
    // The deepest reduction of every tenth of a second goes to the page
    // (the player's live meter).
    this.meterEvery = Math.round(sampleRate / 10);
    this.meterLeft = this.meterEvery;
    this.meterMin = 1;
  }

  process(inputs, outputs) {
    const inp = inputs[0], out = outputs[0];
    const n = out[0].length, L = this.L, W = this.W, chans = Math.min(2, out.length);
    const dq = this.dq, need = this.need;
    for (let i = 0; i < n; i++) {
      const pos = this.pos;
      let peak = 0;
      const x = this.x;
      for (let c = 0; c < 2; c++) {
        x[c] = inp && inp.length ? inp[Math.min(c, inp.length - 1)][i] : 0;
        peak = Math.max(peak, Math.abs(x[c]));
      }
      const q = peak > this.ceiling ? this.ceiling / peak : 1;
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
      this.r = h < this.r ? h : h + (this.r - h) * this.rel;
      this.sum += this.r - this.avg[pos];
      this.avg[pos] = this.r;
      const g = Math.min(1, this.sum / L);
      if (g < this.meterMin) this.meterMin = g;
      if (--this.meterLeft === 0) {
        this.port.postMessage(20 * Math.log10(this.meterMin));
        this.meterMin = 1;
        this.meterLeft = this.meterEvery;
      }
      const dpos = (pos + 1) % L; // L − 1 frames ago
      for (let c = 0; c < chans; c++) {
        const d = this.delay[c];
        d[pos] = x[c];
        out[c][i] = (L === 1 ? x[c] : d[dpos]) * g;
      }
      this.pos = (pos + 1) % L;
    }
    return true;
  }
}

registerProcessor("sm-dynamics", Dynamics);
registerProcessor("sm-limiter", Limiter);
