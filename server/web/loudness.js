// BS.1770 loudness for the live player, in one place for the page and the
// AudioWorklet module: the page measures the master section's output
// ahead of playing (livemaster.js analyseAhead), sm-master meters as it plays
// (workletmaster.js). K-weighting designed at any rate from the analog
// prototypes, as package loudness designs it; a stereo K-weighted energy
// meter; gated integrated loudness of a stereo buffer. Loaded as a page
// script and as a worklet module before worklet.js (its names are put on
// the global object, which the worklet's modules share).
"use strict";

// biquadStep runs one sample through coefficients k (b0 b1 b2 a1 a2) with
// state z (x1 x2 y1 y2).
function biquadStep(k, z, x) {
  const y = k[0] * x + k[1] * z[0] + k[2] * z[1] - k[3] * z[2] - k[4] * z[3];
  z[1] = z[0]; z[0] = x; z[3] = z[2]; z[2] = y;
  return y;
}

// kWeighting is BS.1770's K-weighting at rate (the head's shelf, then the
// RLB high-pass): [shelf, highPass] as biquadStep coefficients.
function kWeighting(rate) {
  const k = Math.tan(Math.PI * 1681.974450955533 / rate), q = 0.7071752369554196;
  const vh = Math.pow(10, 3.999843853973347 / 20), vb = Math.pow(vh, 0.4996667741545416), a0 = 1 + k / q + k * k;
  const shelf = [(vh + vb * k / q + k * k) / a0, 2 * (k * k - vh) / a0, (vh - vb * k / q + k * k) / a0, 2 * (k * k - 1) / a0, (1 - k / q + k * k) / a0];
  const kh = Math.tan(Math.PI * 38.13547087602444 / rate), qh = 0.5003270373238773, ah = 1 + kh / qh + kh * kh;
  return [shelf, [1 / ah, -2 / ah, 1 / ah, 2 * (kh * kh - 1) / ah, (1 - kh / qh + kh * kh) / ah]];
}

// KMeter K-weights a stereo signal at rate: energy(l, r) is the frame's
// weighted power summed over the channels (BS.1770's G = 1 for left and
// right).
class KMeter {
  constructor(rate) {
    [this.shelf, this.hp] = kWeighting(rate);
    this.z = [0, 1, 2, 3].map(() => new Float64Array(4));
  }

  energy(l, r) {
    const z = this.z;
    const a = biquadStep(this.hp, z[1], biquadStep(this.shelf, z[0], l));
    const b = biquadStep(this.hp, z[3], biquadStep(this.shelf, z[2], r));
    return a * a + b * b;
  }
}

// energyLUFS is the loudness of a mean K-weighted energy z.
const energyLUFS = z => -0.691 + 10 * Math.log10(z + 1e-30);

// integratedLUFS is BS.1770-4's gated loudness of stereo channels L and R
// at rate, over the frame ranges [[from, to], …] (the whole buffer when
// absent): 400 ms blocks every 100 ms within each range, the absolute
// gate at −70 LUFS, the relative one 10 LU under the blocks' mean. The
// K-weighting runs over the whole buffer, so a range starts with the
// filters settled. null when no block passes the gates.
function integratedLUFS(L, R, rate, ranges) {
  const hop = Math.round(rate / 10), m = new KMeter(rate), n = L.length;
  const hops = new Float64Array(Math.ceil(n / hop));
  for (let i = 0; i < n; i++) hops[Math.floor(i / hop)] += m.energy(L[i], R[i]);
  const blocks = [];
  for (const [a, b] of ranges || [[0, n]]) {
    for (let h = Math.ceil(a / hop); (h + 4) * hop <= Math.min(b, n); h++) blocks.push((hops[h] + hops[h + 1] + hops[h + 2] + hops[h + 3]) / (4 * hop));
  }
  const mean = zs => zs.reduce((s, z) => s + z, 0) / zs.length;
  const loud = blocks.filter(z => energyLUFS(z) > -70);
  if (!loud.length) return null;
  const gate = energyLUFS(mean(loud)) - 10;
  const kept = loud.filter(z => energyLUFS(z) > gate);
  return kept.length ? energyLUFS(mean(kept)) : null;
}

Object.assign(globalThis, { biquadStep, kWeighting, KMeter, energyLUFS, integratedLUFS });
