// The live player's master section: the stem bus through the master EQ
// (stereo, mid or side), compressor, multiband, width, saturation, the
// gain to the loudness target and a look-ahead limiter at the ceiling, as
// Web Audio approximations of the engine's master chain (chain.js's links,
// workletmaster.js's limiter), after the tone match (a linear-phase FIR from
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
  const set = (s2, now) => {
    glide(drive.gain, dbToGain(s2.drive_db || 0) / SAT_SPAN, now);
    glide(out.gain, dbToGain(s2.output_db || 0), now);
  };
  return liveLink("saturation", drive, out, nodes, set);
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
  return Object.assign(conv, { kind: "match_eq", set: () => {} });
}

// liveMaster is the master's gain and limiter t (liveMasterParams's
// limiter, gain_db, target_lufs, before_lufs, adapt) as links: workletmaster.js's
// sm-master (the gain found after the chain when targeted, the true-peak
// limiter), with raw (the stem bus before the strips, at the faders) on
// its second input; a gain alone without a limiter; or where worklets did
// not load, a gain and a hard DynamicsCompressorNode at the ceiling (it
// overshoots).
function liveMaster(ctx, t, raw) {
  const l = t.limiter;
  if (!l || !ctx.smWorklets) {
    const g = Object.assign(liveGain(ctx, dbToGain(t.gain_db || 0)), { kind: "gain" });
    g.set = (t2, now) => glide(g.gain, dbToGain(t2.gain_db || 0), now);
    if (!l) return [g];
    const c = compressor(ctx, { threshold_db: l.ceiling_db, ratio: 20, knee_db: 0, attack_ms: 0, release_ms: l.release_ms })[0];
    const inner = c.set;
    c.set = (t2, now) => inner({ threshold_db: t2.limiter.ceiling_db, ratio: 20, knee_db: 0, attack_ms: 0, release_ms: t2.limiter.release_ms }, now);
    return [g, Object.assign(c, { kind: "limiter" })];
  }
  const o = { lookahead_ms: l.lookahead_ms || 5, hold_ms: l.hold_ms || 0, targeted: t.target_lufs !== undefined };
  const values = t2 => ({ gain_db: t2.gain_db || 0, ceiling_db: t2.limiter.ceiling_db, release_ms: t2.limiter.release_ms || 80,
    target_lufs: t2.target_lufs === undefined ? -14 : t2.target_lufs, before_lufs: typeof t2.before_lufs === "number" ? t2.before_lufs : -1000,
    adapt: t2.adapt === false ? 0 : 1, render_gain_db: typeof t2.render_gain_db === "number" ? t2.render_gain_db : -1000,
    ahead_gain_db: t2.ahead ? t2.ahead.gain_db : -1000 });
  const n = new AudioWorkletNode(ctx, "sm-master", { numberOfInputs: 2, numberOfOutputs: 1, outputChannelCount: [2], processorOptions: o, parameterData: values(t) });
  if (raw) raw.connect(n, 0, 1);
  // What it reports (see workletmaster.js Master), the latest.
  n.state = { gr: 0, gain_db: t.gain_db || 0, chain_lu: NaN, limiter_lu: 0, blocks: 0 };
  n.port.onmessage = e => { n.state = e.data; };
  n.ahead = t.ahead || null; // analyseAhead's figures, when the gain is theirs
  n.stemAware = !!t.stem_aware; // the session asks for it; the live limiter is plain
  const set = (t2, now) => {
    for (const [k, v] of Object.entries(values(t2))) {
      // A target or fader move lands at once on the estimate: gliding
      // it would read as loudness the chain adds.
      if (k === "before_lufs" || k === "target_lufs" || k === "adapt" || k === "render_gain_db" || k === "ahead_gain_db") n.parameters.get(k).setValueAtTime(v, now);
      else glide(n.parameters.get(k), v, now);
    }
    n.options = Object.assign({}, o, values(t2));
    n.ahead = t2.ahead || null;
    n.stemAware = !!t2.stem_aware;
  };
  const off = n.disconnect.bind(n);
  const disconnect = () => { off(); if (raw) try { raw.disconnect(n); } catch (e) { /* gone already */ } };
  return [Object.assign(n, { kind: "limiter", options: Object.assign({}, o, values(t)), set, disconnect })];
}

// liveLimiter is a limiter alone at the ceiling l.ceiling_db.
function liveLimiter(ctx, l) {
  return liveMaster(ctx, { gain_db: 0, limiter: l })[ctx.smWorklets ? 0 : 1];
}

// masterPlan is the master section m (liveMasterParams) up to the gain, as
// a plan (chain.js), in the engine's order; masterTailPlan is the gain and
// the limiter.
function masterPlan(m) {
  const plan = [];
  const part = (topo, arg, make) => plan.push({ topo, arg, make });
  if (m.match_eq && m.match_eq.length) part("match/" + JSON.stringify(m.match_eq), m.match_eq, liveMatchEQ);
  for (const b of m.eq || []) part("eq/" + bandTopology(b), b, liveEQBand); // livechain.js
  if (m.compressor) part("comp/" + (m.compressor.channel || ""), m.compressor, liveCompressorLink);
  if (m.multiband) part(multibandTopology(m.multiband), m.multiband, liveMultiband);
  if (m.width !== undefined && m.width !== 1) {
    part("width", m.width, (ctx, x) => {
      const w = widthNode(ctx);
      w.set(x, 0);
      return liveLink("width", w.input, w, [w.input], (x2, now) => w.set(x2, now));
    });
  }
  if (m.saturation) part("sat/" + (m.saturation.character || ""), m.saturation, liveSaturation);
  return plan;
}

function masterTailPlan(m, raw) {
  const l = m.limiter;
  const topo = l ? ["lim", m.target_lufs !== undefined, l.lookahead_ms, l.hold_ms].join(",") : "gain";
  return [{ topo, arg: m, make: (ctx, x) => { const links = liveMaster(ctx, x, raw); return links.length === 1 ? links[0] : chainLinks("master", links); } }];
}

// chainLinks joins links into one.
function chainLinks(kind, links) {
  for (let i = 1; i < links.length; i++) links[i - 1].connect(links[i].input || links[i]);
  const last = links[links.length - 1];
  return Object.assign(liveLink(kind, links[0].input || links[0], last, []), {
    nodes: links, set: (p, now) => links.forEach(l => l.set(p, now)), disconnect: () => links.forEach(l => l.disconnect()),
  });
}

// masterLinks builds the whole master section m at once (offline checks).
function masterLinks(ctx, m, raw) {
  const links = masterPlan(m).map(x => x.make(ctx, x.arg));
  return links.concat(liveMaster(ctx, m, raw));
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
// the processors as the session has them; with a target, the target and
// beforeLUFS (the stem sum's loudness at the mixer's settings, the
// server's figure), from which the player's sm-master finds the gain after
// the chain as it plays (gain_db is the estimate that stands until then:
// the target less the stem sum); the limiter at the target's ceiling.
// version is the version playing: another than main plays through main's
// gain (adapt false), as the render does. renderGainDB is the gain the
// last render found, when the settings playing are the ones it rendered:
// the gain starts there. ahead is analyseAhead's figures for the settings
// playing: the gain holds there.
function liveMasterParams(m, beforeLUFS, version, renderGainDB, ahead) {
  m = m || {};
  const t = masterTarget(m.target);
  const l = m.limiter || {};
  const p = { match_eq: m.match_eq || null, eq: m.eq || [], compressor: m.compressor || null, multiband: m.multiband || null, saturation: m.saturation || null };
  if (m.width !== undefined && m.width !== null) p.width = m.width;
  const known = beforeLUFS !== null && beforeLUFS !== undefined && Number.isFinite(beforeLUFS);
  if (t) {
    p.gain_db = known ? Math.max(-48, Math.min(48, t.lufs - beforeLUFS)) : 0;
    if (typeof renderGainDB === "number") p.gain_db = p.render_gain_db = renderGainDB;
    if (ahead) {
      p.gain_db = ahead.gain_db;
      p.ahead = { gain_db: ahead.gain_db, chain_lu: known ? ahead.level_lufs - beforeLUFS : NaN, limiter_lu: ahead.limiter_lu, seconds: ahead.seconds, whole: ahead.whole };
    }
    p.target_lufs = t.lufs;
    p.before_lufs = known ? beforeLUFS : null;
    p.adapt = !version || version === "main";
  } else p.gain_db = m.gain_db || 0;
  if (t || m.limiter) {
    const ceiling = l.ceiling_dbtp !== undefined && l.ceiling_dbtp !== null ? l.ceiling_dbtp : t ? t.dbtp : -1;
    // The character's slow release and hold (package dsp/limiter's
    // releaseTimes), around the session's release.
    const [rel, hold] = LIMITER_CHARACTERS[l.character] || LIMITER_CHARACTERS.transparent;
    p.limiter = { ceiling_db: ceiling, lookahead_ms: l.lookahead_ms || 5, release_ms: rel * (l.release_ms || 80), hold_ms: hold };
    if (l.stem_aware) p.stem_aware = true; // the render's; the live limiter is plain
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

// The analysis ahead (analyseAhead): a song up to AHEAD_MAX_S is analysed
// whole; a longer one by AHEAD_PIECES excerpts spread evenly over it,
// AHEAD_MAX_S in all, each rendered on its own (the memory held is one
// excerpt's segments) and measured after AHEAD_SETTLE_S (its dynamics
// settle). The gain is found to AHEAD_TOL_LU within AHEAD_PASSES passes of
// the limiter.
const AHEAD_MAX_S = 45, AHEAD_PIECES = 8, AHEAD_SETTLE_S = 1, AHEAD_TOL_LU = 0.05, AHEAD_PASSES = 5;

// aheadPieces are the song's parts the analysis plays, [{from, len,
// settle}] in seconds, for a song of duration seconds and a budget.
function aheadPieces(duration, budget) {
  if (duration <= budget) return [{ from: 0, len: duration, settle: 0 }];
  const len = budget / AHEAD_PIECES;
  return Array.from({ length: AHEAD_PIECES }, (_, j) => ({ from: (duration - len) * j / (AHEAD_PIECES - 1), len, settle: AHEAD_SETTLE_S }));
}

// aheadPiece renders the song's part pc through the stems' strips and the
// master chain m (up to the gain) as player plays them.
async function aheadPiece(player, stems, m, pc) {
  const rate = player.rate, off = new OfflineAudioContext(2, Math.max(1, Math.round(pc.len * rate)), rate);
  const p = new LivePlayer(player.fetchBytes); // mixer.js
  p.rate = rate;
  p.light = player.light;
  p.ensureContext(off);
  p.setTracks(stems.map(t => ({ id: t.id, group: "stems", info: t.info })));
  for (const t of stems) p.setParams(t.id, Object.assign({}, t.params, { out: false }));
  await p.workletsReady;
  p.setMaster(Object.assign({}, m, { limiter: null, target_lufs: undefined, gain_db: 0 }));
  // The parts of the segments that overlap the piece.
  const starts = [];
  for (const t of p.tracks.values()) {
    const segS = t.info.segment_frames / t.info.sample_rate, off0 = t.params.offsetS || 0;
    for (let k = 0; k < t.info.segments; k++) {
      const a = k * segS + off0, b = Math.min((k + 1) * segS, t.info.frames / t.info.sample_rate) + off0;
      const from = Math.max(a, pc.from), to = Math.min(b, pc.from + pc.len);
      if (to > from) starts.push(p.load(t, k).then(buf => ({ t, buf, when: from - pc.from, offset: from - a, dur: to - from })));
    }
  }
  for (const x of await Promise.all(starts)) {
    const src = off.createBufferSource();
    src.buffer = x.buf;
    src.connect(x.t.chan.input);
    src.start(x.when, x.offset, x.dur);
  }
  return off.startRendering();
}

// analyseAhead finds, before the song plays, the gain the live master m
// (liveMasterParams, with a target) needs for the whole song to reach its
// target through the graph player plays — the meters of a playing song
// follow what has played, and a sparse intro reads the chain louder than
// the song. The stems (player's tracks as they play main: strips, faders,
// the light path) run through the master chain on OfflineAudioContexts,
// the chain's output is measured (loudness.js integratedLUFS), then the
// gain and the limiter alone run on that output, the gain moved by what
// the output misses the target by (by a secant once two passes are in:
// the limiter's share grows with the gain). Returns {gain_db, level_lufs
// (the chain's output at no gain), limiter_lu, seconds (analysed), whole
// (the whole song, not excerpts), passes, ms}, or null when nothing plays.
async function analyseAhead(player, m, budget = AHEAD_MAX_S) {
  const t0 = performance.now(), rate = player.rate;
  const stems = player.liveTracks().filter(t => t.group === "stems" && !t.params.mute);
  if (!stems.length || !m || m.target_lufs === undefined) return null;
  const pieces = aheadPieces(player.duration, budget);
  const parts = [];
  for (const pc of pieces) parts.push(await aheadPiece(player, stems, m, pc));
  // The pieces end to end, and the frames measured.
  const frames = parts.reduce((n, b) => n + b.length, 0);
  const L = new Float32Array(frames), R = new Float32Array(frames), ranges = [];
  let at = 0;
  parts.forEach((b, j) => {
    L.set(b.getChannelData(0), at);
    R.set(b.getChannelData(1), at);
    ranges.push([at + Math.round(pieces[j].settle * rate), at + b.length]);
    at += b.length;
  });
  const level = integratedLUFS(L, R, rate, ranges);
  if (level === null) return null;
  // The gain and the limiter on the chain's output.
  const out = async g => {
    const o = new OfflineAudioContext(2, frames, rate);
    await loadWorklets(o); // livenodes.js
    const buf = o.createBuffer(2, frames, rate);
    buf.copyToChannel(L, 0);
    buf.copyToChannel(R, 1);
    const src = o.createBufferSource();
    src.buffer = buf;
    liveRun(src, liveMaster(o, { gain_db: g, limiter: m.limiter })).connect(o.destination); // livechain.js
    src.start();
    const r = await o.startRendering();
    return integratedLUFS(r.getChannelData(0), r.getChannelData(1), rate, ranges);
  };
  const target = m.target_lufs, clamp = x => Math.max(-48, Math.min(48, x));
  let g = clamp(target - level), got = level + g, passes = 0, prev = null;
  while (m.limiter && passes < AHEAD_PASSES) {
    const now = await out(g);
    passes++;
    if (now === null) break;
    got = now;
    if (Math.abs(got - target) <= AHEAD_TOL_LU || passes === AHEAD_PASSES) break;
    const slope = prev && Math.abs(g - prev.g) > 1e-3 ? (got - prev.got) / (g - prev.g) : 1;
    prev = { g, got };
    g = clamp(g + (target - got) / Math.max(0.1, Math.min(1, slope)));
  }
  return { gain_db: g, level_lufs: level, limiter_lu: got - level - g, seconds: frames / rate, whole: pieces.length === 1, passes, ms: Math.round(performance.now() - t0) };
}
