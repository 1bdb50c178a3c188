// Chains as the live player plays them: each part of a strip's or the master's
// chain as Web Audio nodes or worklet processors (EQ bands, mid/side,
// compressor, de-esser, dynamic EQ, multiband), and LiveChain, which moves or
// rebuilds them as the settings change.
// One of the page's classic scripts: index.html loads them in order into
// one global scope.
"use strict";

// The live player (mixer.js) plays a strip's whole chain: EQ bands and the
// compressor on stereo, mid or side, then the de-esser, the dynamic EQ
// bands and the multiband, as Web Audio approximations of the engine's:
// the compressors (with their detector high-pass), the de-esser, dynamic
// EQ and multiband bands are worklet.js's sm-dynamics (peak detector,
// expander, the reductions' ranges), or DynamicsCompressorNode stand-ins
// without the high-pass, expander and ranges where worklets cannot load.
// Close enough to hear a move at once, while the render stays the
// reference.
//
// A chain is a plan (stripPlan, masterPlan in livemaster.js): its parts in
// order, each with a topology (what needs other nodes: a band's type and
// slope, a channel, a section on or off, the number of bands) and a
// make(ctx, arg) that builds its link. Every link has set(arg, now), which
// glides the built nodes to new settings (AudioParam ramps; sm-dynamics's
// settings as a message it glides through), so a move that keeps the topology is
// click-free and keeps the filters' and detectors' state. LiveChain plays
// a plan: in place when the topology is the same, else a new chain with a
// short crossfade.

// GLIDE_S is the time constant of a setting's glide.
const GLIDE_S = 0.01;

function liveGain(ctx, g) {
  const n = ctx.createGain();
  n.gain.value = g;
  return n;
}

// glide moves an AudioParam to v: at once on a chain not yet playing
// (now < 0), else with a short exponential approach.
function glide(param, v, now) {
  if (now < 0) param.value = v;
  else param.setTargetAtTime(v, now, GLIDE_S);
}

// liveLink makes one link of the player's chain from the nodes between
// input and output (all disconnected together).
function liveLink(kind, input, output, nodes, set) {
  return { kind, input, nodes, set: set || (() => {}), connect: (...to) => output.connect(...to), disconnect: () => nodes.forEach(x => x.disconnect()) };
}

// dynValues is sm-dynamics's parameter values for a stage d (0 or absent
// means the default, as in the session).
function dynValues(d) {
  const v = (x, def) => (x === undefined || x === null ? def : x);
  return {
    threshold_db: v(d.threshold_db, 0), ratio: d.ratio > 1 ? d.ratio : 1, knee_db: d.knee_db > 0 ? d.knee_db : 0, max_cut_db: d.max_cut_db > 0 ? d.max_cut_db : 0,
    expand_threshold_db: v(d.expand_threshold_db, -120), expand_ratio: d.expand_ratio > 1 ? d.expand_ratio : 0, range_db: d.range_db > 0 ? d.range_db : 40,
    makeup_db: d.makeup_db || 0, attack_ms: d.attack_ms > 0 ? d.attack_ms : 10, release_ms: d.release_ms > 0 ? d.release_ms : 150, sidechain_hpf_hz: d.sidechain_hpf_hz > 0 ? d.sidechain_hpf_hz : 0,
  };
}

// liveDynamics is one gain-reduction stage d (sm-dynamics's options) as a
// list of links: the worklet, or the DynamicsCompressorNode stand-in
// (compression only, ratio up to 20) where worklets did not load.
function liveDynamics(ctx, d) {
  if (!ctx.smWorklets) return compressor(ctx, d); // livenodes.js
  const n = new AudioWorkletNode(ctx, "sm-dynamics", { numberOfInputs: 1, numberOfOutputs: 1, outputChannelCount: [2], processorOptions: { detector: d.detector, values: dynValues(d) } });
  const set = d2 => {
    n.port.postMessage(dynValues(d2));
    n.options = Object.assign({}, d2);
  };
  return [Object.assign(n, { kind: "dynamics", options: Object.assign({}, d), set })];
}

// liveRun connects from → links in order and returns the last.
function liveRun(from, links) {
  let node = from;
  for (const f of links) { node.connect(f.input || f); node = f; }
  return node;
}

// liveBand is one session EQ band b as a link: the sections biquads
// (mixer.js) builds, gliding to a new frequency, gain and Q; a band the
// browser cannot play passes the signal.
function liveBand(ctx, b) {
  const nodes = biquads(ctx, b);
  if (!nodes.length) {
    const g = liveGain(ctx, 1);
    return liveLink("eq", g, g, [g]);
  }
  for (let i = 1; i < nodes.length; i++) nodes[i - 1].connect(nodes[i]);
  const set = (b2, now) => {
    const spec = biquadSpecs(ctx, b2);
    nodes.forEach((n, i) => {
      if (!spec[i] || !n.frequency) return;
      glide(n.frequency, spec[i].freq, now);
      glide(n.Q, spec[i].q, now);
      glide(n.gain, spec[i].gain, now);
    });
  };
  return liveLink("eq", nodes[0], nodes[nodes.length - 1], nodes, set);
}

// bandTopology is what a band's nodes depend on: its type, slope and
// channel (and a first-order pass filter's frequency, its fixed IIR).
function bandTopology(b) {
  const first = (b.type === "high_pass" || b.type === "low_pass") && b.slope === 6;
  return [b.type, b.slope || "", b.channel || "", first ? b.freq_hz : "", b.freq_hz > 0 ? "" : "off"].join(",");
}

// liveMidSide runs links on the mid (L+R)/2 or the side (L−R)/2 and
// decodes back (L = M + S, R = M − S).
function liveMidSide(ctx, kind, channel, links) {
  const set = (p, now) => links.forEach(l => l.set && l.set(p, now));
  if (channel !== "mid" && channel !== "side") return links.map(l => Object.assign(l, { kind: l.kind || kind }));
  // Seven nodes: M = (L + R)/2 and S = (L − R)/2 from the channels, the
  // one processed, then L = M + S and R = M − S into the merger (its
  // inputs sum what reaches them).
  const { input, split, merge } = stereoIO(ctx); // livenodes.js
  const mid = liveGain(ctx, 0.5), side = liveGain(ctx, 0.5), invR = liveGain(ctx, -1), invS = liveGain(ctx, -1);
  split.connect(mid, 0);
  split.connect(mid, 1);
  split.connect(side, 0);
  split.connect(invR, 1);
  invR.connect(side);
  let m = mid, sd = side;
  if (channel === "mid") m = liveRun(mid, links); else sd = liveRun(side, links);
  m.connect(merge, 0, 0);
  sd.connect(merge, 0, 0);
  m.connect(merge, 0, 1);
  sd.connect(invS);
  invS.connect(merge, 0, 1);
  const nodes = [input, split, merge, mid, side, invR, invS, ...links];
  return [liveLink(kind + ":" + channel, input, merge, nodes, set)];
}

// liveSplit is a band split of order 2·sections² (Linkwitz-Riley: squared
// Butterworth sections of quality qs) at f: a lowpass, highpass or allpass.
function liveSplit(ctx, type, f, qs) {
  return [...qs, ...qs].map(q => {
    const b = ctx.createBiquadFilter();
    b.type = type;
    b.frequency.value = Math.min(f, ctx.sampleRate / 2 - 1);
    b.Q.value = type === "allpass" ? q : 20 * Math.log10(q); // pass filters take Q in dB
    return b;
  });
}

// moveSplit glides a split's filters to the frequency f.
function moveSplit(ctx, filters, f, now) {
  for (const b of filters) glide(b.frequency, Math.min(f, ctx.sampleRate / 2 - 1), now);
}

const LR4 = [Math.SQRT1_2], LR8 = [0.5412, 1.3066];

// liveCompressor is a session compressor: sm-dynamics with the engine's
// detector (the sample's peak, the sidechain high-pass) and curve, or the
// DynamicsCompressorNode stand-in where worklets did not load.
function liveCompressor(ctx, c) {
  // 0 means the default attack and release (docs/session.md).
  const opts = c2 => Object.assign({}, c2, { detector: "peak", attack_ms: c2.attack_ms || 10, release_ms: c2.release_ms || 120 });
  return liveDynamics(ctx, opts(c)).map(l => {
    const inner = l.set;
    return Object.assign(l, { kind: "compressor", set: (c2, now) => inner(opts(c2), now) });
  });
}

// The browser's DynamicsCompressorNode looks ahead 6 ms (Chromium's and
// Firefox's): a path beside a compressor waits as long, or the paths
// would not add up (the bands' sum, x − band + compressed band). The
// worklet's dynamics add no delay.
const COMP_DELAY_S = 0.006;

function liveDelay(ctx) {
  const d = ctx.createDelay(0.05);
  d.delayTime.value = ctx.smWorklets ? 0 : COMP_DELAY_S;
  return d;
}

// liveDeEsser: the band above freq_hz (LR8) cut by up to range_db while
// it exceeds the threshold (ratio 100, the engine's 0.5 ms attack and
// 40 ms release) and added back to the band below; listen plays the band
// alone. The band below is the crossover's all-pass less the band above
// (LR8's two bands sum to the all-pass of the Butterworth sections'
// qualities): 6 sections instead of 8, the engine's output exactly.
function liveDeEsser(ctx, d) {
  const input = liveGain(ctx, 1), out = liveGain(ctx, 1), minus = liveGain(ctx, -1);
  const hi = liveSplit(ctx, "highpass", d.freq_hz, LR8), ap = liveSplit(ctx, "allpass", d.freq_hz, LR8).slice(0, LR8.length);
  const dyn = d2 => ({ threshold_db: d2.threshold_db, ratio: 100, max_cut_db: d2.range_db, attack_ms: 0.5, release_ms: 40 });
  const comp = liveDynamics(ctx, dyn(d));
  const wait = liveDelay(ctx), waitBand = liveDelay(ctx);
  const band = liveRun(input, hi);
  if (d.listen) band.connect(out);
  else {
    liveRun(input, ap).connect(wait);
    wait.connect(out);
    band.connect(waitBand);
    waitBand.connect(minus);
    minus.connect(out);
    band.connect(comp[0].input || comp[0]);
    comp[0].connect(out);
  }
  const set = (d2, now) => {
    moveSplit(ctx, hi, d2.freq_hz, now);
    moveSplit(ctx, ap, d2.freq_hz, now);
    comp[0].set(dyn(d2), now);
  };
  return liveLink("de_esser", input, out, [input, out, minus, wait, waitBand, ...hi, ...ap, ...comp], set);
}

// liveDynamicEQ: a bell's band (band-pass at the centre and Q) replaced
// by itself compressed: x − band + compressed band.
function liveDynamicEQ(ctx, b) {
  const input = liveGain(ctx, 1), out = liveGain(ctx, 1), minus = liveGain(ctx, -1);
  const bp = ctx.createBiquadFilter();
  bp.type = "bandpass";
  bp.frequency.value = Math.min(b.freq_hz, ctx.sampleRate / 2 - 1);
  bp.Q.value = b.q || 2;
  const dyn = b2 => ({ threshold_db: b2.threshold_db, ratio: b2.ratio, max_cut_db: b2.range_db,
    attack_ms: b2.attack_ms || 1, release_ms: b2.release_ms || 60 }); // 0 means the default
  const comp = liveDynamics(ctx, dyn(b));
  const wait = liveDelay(ctx), waitBand = liveDelay(ctx);
  input.connect(wait);
  wait.connect(out);
  input.connect(bp);
  bp.connect(waitBand);
  waitBand.connect(minus);
  minus.connect(out);
  bp.connect((comp[0].input || comp[0]));
  comp[0].connect(out);
  const set = (b2, now) => {
    glide(bp.frequency, Math.min(b2.freq_hz, ctx.sampleRate / 2 - 1), now);
    glide(bp.Q, b2.q || 2, now);
    comp[0].set(dyn(b2), now);
  };
  return liveMidSide(ctx, "dynamic_eq", b.channel, [liveLink("dynamic_eq", input, out, [input, out, wait, waitBand, minus, bp, ...comp], set)])[0];
}

// mbDynamic reports whether a multiband band runs dynamics (else only
// its makeup and the dynamics' wait).
const mbDynamic = (ctx, b) => b.ratio > 1 || (!!ctx.smWorklets && b.expand_ratio > 1);

const mbWidth = b => b.width !== undefined && b.width !== null && b.width !== 1;

// liveMultiband: each band as the engine cuts it (LR4 high-passes at the
// crossovers below, the LR4 low-pass at its own, all-passes above, so the
// bands sum flat; the high-passes shared as a tree: 9 sections for 3
// bands instead of 11), its compressor and expander (or makeup and the
// dynamics' wait) and width, summed.
function liveMultiband(ctx, m) {
  const input = liveGain(ctx, 1), out = liveGain(ctx, 1), nodes = [input, out];
  const xo = m.crossovers_hz || [];
  const tag = (list, j) => list.map(x => Object.assign(x, { xo: j }));
  const filters = [];
  let rest = input; // the input high-passed at every crossover so far
  const bands = (m.bands || []).map((b, k) => {
    const own = [];
    if (k < xo.length) own.push(...tag(liveSplit(ctx, "lowpass", xo[k], LR4), k));
    for (let j = k + 1; j < xo.length; j++) own.push(...tag([liveSplit(ctx, "allpass", xo[j], LR4)[0]], j));
    const dyn = mbDynamic(ctx, b);
    const links = dyn ? liveDynamics(ctx, b) : [liveGain(ctx, dbToGain(b.makeup_db || 0)), liveDelay(ctx)];
    let node = liveRun(rest, [...own, ...links]), w = null;
    if (mbWidth(b)) {
      w = widthNode(ctx); // livenodes.js
      w.set(b.width, 0);
      node.connect(w.input);
      node = w;
      nodes.push(w.input);
    }
    node.connect(out);
    if (k < xo.length && k < m.bands.length - 1) {
      const hp = tag(liveSplit(ctx, "highpass", xo[k], LR4), k);
      rest = liveRun(rest, hp);
      filters.push(...hp);
    }
    filters.push(...own);
    nodes.push(...own, ...links);
    return { links, dyn, w };
  });
  nodes.push(...filters.filter(f => !nodes.includes(f)));
  const set = (m2, now) => {
    for (const f of filters) glide(f.frequency, Math.min((m2.crossovers_hz || [])[f.xo], ctx.sampleRate / 2 - 1), now);
    bands.forEach((x, k) => {
      const b = m2.bands[k];
      if (x.dyn) x.links[0].set(b, now);
      else glide(x.links[0].gain, dbToGain(b.makeup_db || 0), now);
      if (x.w) x.w.set(b.width, now);
    });
  };
  return liveLink("multiband", input, out, nodes, set);
}

// stripPlan is the live player's chain for a strip's parameters p (eq,
// comp, deEsser, dynamicEQ, multiband as in the session), in the engine's
// order; each link has a kind ("eq", "eq:mid", "compressor:side", …).
function stripPlan(p) {
  const plan = [];
  const part = (topo, arg, make) => plan.push({ topo, arg, make });
  for (const b of p.eq || []) part("eq/" + bandTopology(b), b, liveEQBand);
  if (p.comp) part("comp/" + (p.comp.channel || ""), p.comp, liveCompressorLink);
  if (p.deEsser) part("deess/" + !!p.deEsser.listen, p.deEsser, liveDeEsser);
  for (const b of p.dynamicEQ || []) part("deq/" + (b.channel || ""), b, liveDynamicEQ);
  if (p.multiband) part(multibandTopology(p.multiband), p.multiband, liveMultiband);
  return plan;
}

// The parts a strip's plan and the master's (livemaster.js masterPlan)
// share: an EQ band and a compressor on their channel as one link, and a
// multiband's topology (its bands' count and which run a compressor, an
// expander, a width).
const liveEQBand = (ctx, b) => liveMidSide(ctx, "eq", b.channel, [liveBand(ctx, b)])[0];

const liveCompressorLink = (ctx, c) => liveMidSide(ctx, "compressor", c.channel, liveCompressor(ctx, c))[0];

const multibandTopology = m => "mb/" + (m.crossovers_hz || []).length + "/" + (m.bands || []).map(b => (b.ratio > 1 ? "c" : "") + (b.expand_ratio > 1 ? "e" : "") + (mbWidth(b) ? "w" : "")).join(",");

// stripLinks builds a strip's plan at once (offline checks, the graph).
function stripLinks(ctx, p) {
  return stripPlan(p).map(x => x.make(ctx, x.arg));
}

// XFADE_S is the crossfade of a chain whose topology changed.
const XFADE_S = 0.03;

// LiveChain plays plans between input and output (see above); links are
// the links playing. update reports whether it built a new chain.
class LiveChain {
  constructor(ctx, input, output) {
    Object.assign(this, { ctx, input, output, links: [], topo: null, fade: null });
  }

  update(plan) {
    const ctx = this.ctx, topo = plan.map(x => x.topo).join("|") + (ctx.smWorklets ? "" : "/stand-ins");
    const now = ctx.currentTime;
    if (topo === this.topo) {
      plan.forEach((x, i) => this.links[i].set(x.arg, now));
      return false;
    }
    const links = plan.map(x => x.make(ctx, x.arg));
    const fade = ctx.createGain();
    liveRun(this.input, links).connect(fade);
    fade.connect(this.output);
    if (this.fade) {
      // Equal gain: the two chains play the same input.
      const old = { fade: this.fade, links: this.links };
      fade.gain.setValueAtTime(0, now);
      fade.gain.linearRampToValueAtTime(1, now + XFADE_S);
      old.fade.gain.setValueAtTime(1, now);
      old.fade.gain.linearRampToValueAtTime(0, now + XFADE_S);
      // The old chain goes once the audio clock has passed the fade, not
      // after a wall-clock delay: an offline render on a busy machine, or
      // a device that renders late, would otherwise cut it mid-fade (a
      // click).
      const end = now + XFADE_S;
      const drop = () => {
        if (ctx.currentTime < end && ctx.state !== "closed") { setTimeout(drop, 50); return; }
        try { this.input.disconnect(old.links.length ? (old.links[0].input || old.links[0]) : old.fade); } catch (e) { /* gone already */ }
        for (const l of old.links) l.disconnect();
        old.fade.disconnect();
      };
      setTimeout(drop, XFADE_S * 1000 + 100);
    }
    Object.assign(this, { links, topo, fade });
    return true;
  }
}
