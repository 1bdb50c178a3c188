// stemmaster live player: the dynamics the browser's own nodes cannot
// play, as AudioWorklet processors (loaded by livenodes.js's loadWorklets).
// They follow the engine's processors closely enough to hear a move at
// once; the render stays the reference. A move of their settings lands
// on the running processor (its envelope and gain kept: no click).
//
//   sm-dynamics: a stereo-linked peak detector (instant rise, decay with
//     the release; or with detector "peak" the sample's |x| alone, as the
//     engine's compressor, behind its optional 12 dB/oct sidechain
//     high-pass at sidechain_hpf_hz) into a static curve: soft-knee
//     compression above threshold_db by ratio with the cut held to
//     max_cut_db (the de-esser's and dynamic EQ's range), downward
//     expansion below expand_threshold_db by expand_ratio held to
//     range_db (the multiband's expander), smoothed by attack/release in
//     dB a run of samples at a time, then makeup_db — as package
//     multiband and dyneq do.
//   sm-master: the master's gain and a look-ahead true-peak limiter at
//     ceiling_db (see Master, workletmaster.js), with the gain to the loudness target
//     found after the chain by BS.1770 meters.
"use strict";

const dbToGain = db => Math.pow(10, db / 20);

const coef = ms => (ms > 0 ? Math.exp(-1 / (ms / 1000 * sampleRate)) : 0);

// hpfCoefs is a 12 dB/oct Butterworth high-pass at f (RBJ cookbook,
// normalised: b0 b1 b2 a1 a2).
function hpfCoefs(f) {
  const w = 2 * Math.PI * Math.min(f, 0.49 * sampleRate) / sampleRate, alpha = Math.sin(w) / (2 * Math.SQRT1_2), cw = Math.cos(w), a0 = 1 + alpha;
  return [(1 + cw) / 2 / a0, -(1 + cw) / a0, (1 + cw) / 2 / a0, -2 * cw / a0, (1 - alpha) / a0];
}

// biquadStep, kWeighting, KMeter and energyLUFS are loudness.js's (the
// page loads it into the worklet's scope first).

// DYN_PARAMS are sm-dynamics's settings and their defaults (the page's
// livechain.js dynValues sends every one; 0 for max_cut_db means no cap). They
// come as processorOptions.values and then as messages, applied at the
// next quantum: a new threshold, ratio or makeup glides through the
// gain's own smoothing (attack, release, the makeup's 10 ms), so nothing
// steps. Messages, not AudioParams: eleven k-rate parameters cost the
// browser more per frame than the processor's whole loop.
const DYN_PARAMS = [["threshold_db", 0], ["ratio", 1], ["knee_db", 0], ["max_cut_db", 0], ["expand_threshold_db", -120], ["expand_ratio", 0],
  ["range_db", 40], ["makeup_db", 0], ["attack_ms", 10], ["release_ms", 150], ["sidechain_hpf_hz", 0]];

class Dynamics extends AudioWorkletProcessor {
  constructor(options) {
    super();
    const p = (options && options.processorOptions) || {};
    this.instant = p.detector === "peak";
    this.hz = [new Float64Array(4), new Float64Array(4)]; // x1 x2 y1 y2 per channel
    this.hpf = null;
    this.hpfHz = 0;
    this.env = 0;
    this.runMax = 0;
    this.run = 1;
    this.left = 1;
    this.gdb = 0;
    this.mk = NaN; // the makeup as it glides (dB)
    this.g = NaN;
    this.step = 0;
    this.configure(p.values || {});
    this.port.onmessage = e => this.configure(e.data);
  }

  // configure takes settings v (DYN_PARAMS' names; absent ones default).
  configure(v) {
    const [thr, ratio, knee, maxCut, eThr, eRatio, range, makeup, attackMS, releaseMS, hpfHz] = DYN_PARAMS.map(([k, def]) => (typeof v[k] === "number" ? v[k] : def));
    this.thr = thr;
    this.ratio = ratio > 1 ? ratio : 1;
    this.knee = knee > 0 ? knee : 0;
    this.maxCut = maxCut > 0 ? maxCut : Infinity;
    this.eThr = eThr;
    this.eSlope = eRatio > 1 ? eRatio - 1 : 0;
    this.range = range > 0 ? range : 40;
    this.makeup = makeup;
    const attack = attackMS > 0 ? attackMS : 10; // 0 means the default, as in the session
    // The gain is computed once a run of attack/8 samples (4 … 16; the
    // engine's multiband runs 1 … 16), and ramps linearly over the next run;
    // the envelope follows every sample.
    this.run = Math.max(4, Math.min(16, Math.round(attack / 1000 * sampleRate / 8)));
    this.left = Math.min(this.left, this.run);
    this.attS = coef(attack);
    this.att = Math.pow(this.attS, this.run);
    this.rel = coef(releaseMS > 0 ? releaseMS : 150);
    this.relRun = Math.pow(this.rel, this.run);
    // A makeup move glides over about 10 ms.
    this.mkRun = 1 - Math.exp(-this.run / (0.01 * sampleRate));
    // Levels at or under reach leave the curve at 0 dB (the compressor's
    // knee starts above; an expander reaches every level).
    this.reach = this.eSlope > 0 ? -1 : this.ratio > 1 ? dbToGain(this.thr - this.knee / 2) : Infinity;
    this.restG = dbToGain(makeup);
    if (hpfHz !== this.hpfHz) {
      this.hpfHz = hpfHz;
      this.hpf = hpfHz > 0 ? hpfCoefs(hpfHz) : null;
    }
    // After a move the gain takes at least 10 ms to its new place for
    // 30 ms (20 ms where it follows every sample, processPeak): a faster
    // attack would step it (a click) toward a threshold moved down.
    this.slowRun = Math.exp(-this.run / (0.01 * sampleRate));
    this.slowS = coef(20);
    this.editRuns = Number.isNaN(this.mk) ? 0 : Math.ceil(0.03 * sampleRate / this.run);
    if (Number.isNaN(this.mk)) {
      this.mk = makeup;
      this.g = dbToGain(makeup);
    }
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
    // One loop for mono or stereo: a mono input is both channels.
    const n = out[0].length, l = inp[0], r = inp.length > 1 ? inp[1] : inp[0], oL = out[0], oR = out.length > 1 ? out[1] : null;
    if (this.instant) return this.processPeak(l, r, oL, oR, n);
    const rel = this.rel;
    let env = this.env, runMax = this.runMax, left = this.left, g = this.g, step = this.step;
    for (let i = 0; i < n; i++) {
      const xl = l[i], xr = r[i];
      const peak = this.level(xl, xr);
      env = peak > env ? peak : env * rel;
      if (env > runMax) runMax = env;
      oL[i] = xl * g;
      if (oR !== null) oR[i] = xr * g;
      g += step;
      if (--left === 0) {
        step = this.runEnd(runMax, g);
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

  // level is the detector's level of a frame: the larger size of its
  // channels, through the sidechain high-pass when set.
  level(xl, xr) {
    let a = xl, b = xr;
    if (this.hpf !== null) { a = biquadStep(this.hpf, this.hz[0], a); b = biquadStep(this.hpf, this.hz[1], b); }
    if (a < 0) a = -a;
    if (b < 0) b = -b;
    return a > b ? a : b;
  }

  // processPeak is process for the peak detector (the session's
  // compressors), as package dynamics runs it: each sample's level through
  // the curve, smoothed every sample (attack while the reduction grows,
  // release while it falls; a run's largest level smoothed once would
  // hold each peak for the run and compress more); the gain, from the
  // smoothed reduction and the makeup, once a run and ramped over the
  // next.
  processPeak(l, r, oL, oR, n) {
    const reach = this.reach, att = this.attS, rel = this.rel;
    let left = this.left, g = this.g, step = this.step, gdb = this.gdb, slow = this.editRuns > 0;
    for (let i = 0; i < n; i++) {
      const xl = l[i], xr = r[i];
      const peak = this.level(xl, xr);
      const want = peak <= reach ? 0 : this.curve(20 * Math.log10(peak));
      let k = want < gdb ? att : rel;
      if (slow && k < this.slowS) k = this.slowS;
      gdb = want + (gdb - want) * k;
      oL[i] = xl * g;
      if (oR !== null) oR[i] = xr * g;
      g += step;
      if (--left === 0) {
        this.gdb = gdb;
        step = this.peakRunEnd(g);
        gdb = this.gdb;
        slow = this.editRuns > 0;
        left = this.run;
      }
    }
    this.gdb = gdb;
    this.left = left;
    this.g = g;
    this.step = step;
    return true;
  }

  // peakRunEnd is runEnd for processPeak: the reduction is smoothed
  // already.
  peakRunEnd(g) {
    if (this.editRuns > 0) this.editRuns--;
    if (this.gdb > -1e-4) this.gdb = 0; // an inaudible tail: the rest path
    this.mk += (this.makeup - this.mk) * this.mkRun;
    if (Math.abs(this.mk - this.makeup) < 1e-4) this.mk = this.makeup;
    if (this.gdb === 0 && this.mk === this.makeup) return (this.restG - g) / this.run;
    return (dbToGain(this.gdb + this.mk) - g) / this.run;
  }

  // runEnd takes a run's loudest envelope through the curve, smoothed a
  // run at a time, and returns the step that ramps the gain g there over
  // the next run. Below the curve's reach (quiet, no expander) with the
  // gain at rest it is 0 without a logarithm.
  runEnd(runMax, g) {
    const quiet = runMax <= this.reach;
    if (quiet && this.gdb === 0 && this.mk === this.makeup) {
      this.editRuns = 0;
      return (this.restG - g) / this.run;
    }
    const want = quiet ? 0 : this.curve(20 * Math.log10(runMax + 1e-30));
    let k = want < this.gdb ? this.att : this.relRun;
    if (this.editRuns > 0) {
      this.editRuns--;
      k = Math.max(k, this.slowRun);
    }
    this.gdb = want + (this.gdb - want) * k;
    if (this.gdb > -1e-4 && want === 0) this.gdb = 0;
    this.mk += (this.makeup - this.mk) * this.mkRun;
    if (Math.abs(this.mk - this.makeup) < 1e-4) this.mk = this.makeup;
    return (dbToGain(this.gdb + this.mk) - g) / this.run;
  }
}

registerProcessor("sm-dynamics", Dynamics);

// The modules after this one (workletmaster.js) use these from the worklet scope.
Object.assign(globalThis, { coef, dbToGain });
