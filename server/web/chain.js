// The engineer's chain on the page: multiband dynamics (stems and master),
// dynamic EQ bands (stems), the compressors' mid/side channel and the
// master's tone match (read-only). Bounds follow docs/session.md; a section
// that is off sends nothing. Every control carries data-field, the session
// path the server names in a 422, so its message shows next to the control.
// The live player in mixer.js plays them too (stripLinks, below).
"use strict";

// chainNum is a labelled number input bound to obj[key], with the
// session's bounds (docs/session.md) as its range. The value goes as
// typed: the server holds the bounds and names a value beyond them, the
// crossovers' spacing and the rate next to the field (a 422).
// exclusive names a bound not allowed itself ("min": over lo).
function chainNum(obj, key, label, lo, hi, step, unit, field, onChange, exclusive = "") {
  const inp = el("input", { type: "number", min: lo, max: hi, step, value: obj[key], class: "ch-" + String(key).replace(/_/g, "-"), "data-field": field });
  if (exclusive) inp.dataset.exclusive = exclusive;
  inp.addEventListener("input", e => {
    e.stopPropagation();
    const x = typedNum(inp, NaN); // app.js
    if (!Number.isFinite(x)) return;
    obj[key] = x;
    onChange();
  });
  inp.addEventListener("change", e => e.stopPropagation());
  return el("label", { class: "num" }, label + " ", inp, unit ? " " + unit : "");
}

function chainChannel(obj, field, onChange, key = "channel") {
  const sel = el("select", { class: "ch-channel", "data-field": field, title: "stereo, mid (L+R)/2 or side (L−R)/2" },
    ...["stereo", "mid", "side"].map(v => el("option", { value: v, text: v })));
  sel.value = obj[key] || "stereo";
  const read = e => {
    e.stopPropagation();
    if (sel.value === "stereo") delete obj[key]; else obj[key] = sel.value;
    onChange();
  };
  sel.addEventListener("input", read);
  sel.addEventListener("change", read);
  return el("label", { class: "num" }, "channel ", sel);
}

function chainSection(cls, title, count) {
  const d = el("details", { class: cls });
  d.append(el("summary", {}, title + " ", el("span", { class: "muted ch-count", text: count || "" })));
  return d;
}

const MB_DEFAULT_BAND = () => ({ threshold_db: -20, ratio: 2, knee_db: 6, attack_ms: 10, release_ms: 150, makeup_db: 0, expand_threshold_db: -120, expand_ratio: 0, range_db: 40, width: 1 });
const MB_CROSSOVERS = { 2: [250], 3: [200, 2500], 4: [120, 800, 5000] };

// multibandEditor edits a multiband (null when off) in box; path is
// "stems[i].multiband" or "master.multiband"; onChange(m or null).
function multibandEditor(box, value, path, onChange) {
  box.replaceChildren();
  let m = value ? JSON.parse(JSON.stringify(value)) : null;
  const on = el("input", { type: "checkbox", class: "mb-on", checked: !!m, "data-field": path });
  const count = el("select", { class: "mb-count", "aria-label": "number of bands" }, ...[2, 3, 4].map(n => el("option", { value: n, text: n + " bands" })));
  const body = el("div", { class: "mb-body" });
  box.append(el("div", { class: "ch-row" }, el("label", {}, on, " on"), count), body);
  const emit = () => onChange(m ? JSON.parse(JSON.stringify(m)) : null);
  const draw = () => {
    body.replaceChildren();
    count.disabled = !m;
    if (!m) return;
    count.value = m.bands.length;
    const xo = el("div", { class: "mb-xo" }, el("span", { class: "muted", text: "crossovers" }));
    const xoChanged = () => { labels.forEach((l, j) => { l.textContent = bandLabel(j); }); emit(); };
    m.crossovers_hz.forEach((_, j) => xo.append(chainNum(m.crossovers_hz, j, "", 20, 20000, 10, "Hz", path + ".crossovers_hz[" + j + "]", xoChanged)));
    body.append(xo);
    const labels = [];
    const bandLabel = j => {
      const lo = j === 0 ? "" : m.crossovers_hz[j - 1], hi = j === m.bands.length - 1 ? "" : m.crossovers_hz[j];
      return "band " + (j + 1) + " (" + (lo || "…") + "–" + (hi || "…") + " Hz)";
    };
    m.bands.forEach((b, j) => {
      const d = el("details", { class: "mb-band" });
      const sum = el("summary", { text: bandLabel(j) });
      labels.push(sum);
      d.append(sum);
      const p = path + ".bands[" + j + "]";
      for (const [k, label, lo2, hi2, step, unit] of [
        ["threshold_db", "threshold", -96, 0, 1, "dBFS"], ["ratio", "ratio (0 off)", 0, 100, 0.5, ":1"], ["knee_db", "knee", 0, 24, 1, "dB"],
        ["attack_ms", "attack", 0, 5000, 1, "ms"], ["release_ms", "release", 1, 5000, 5, "ms"], ["makeup_db", "makeup", -24, 24, 0.5, "dB"],
        ["expand_threshold_db", "expand below", -120, 0, 1, "dBFS"], ["expand_ratio", "expand ratio (0 off)", 0, 100, 0.5, ":1"],
        ["range_db", "expand range", 0, 60, 1, "dB"], ["width", "width (1 as is)", 0, 4, 0.05, "×"]]) {
        if (b[k] === undefined) b[k] = MB_DEFAULT_BAND()[k];
        d.append(chainNum(b, k, label, lo2, hi2, step, unit, p + "." + k, emit));
      }
      body.append(d);
    });
  };
  on.addEventListener("change", e => {
    e.stopPropagation();
    m = on.checked ? { crossovers_hz: MB_CROSSOVERS[3].slice(), bands: [MB_DEFAULT_BAND(), MB_DEFAULT_BAND(), MB_DEFAULT_BAND()] } : null;
    draw(); emit();
  });
  on.addEventListener("input", e => e.stopPropagation());
  count.addEventListener("change", e => {
    e.stopPropagation();
    const n = +count.value;
    m.crossovers_hz = MB_CROSSOVERS[n].slice();
    while (m.bands.length < n) m.bands.push(MB_DEFAULT_BAND());
    m.bands.length = n;
    draw(); emit();
  });
  count.addEventListener("input", e => e.stopPropagation());
  draw();
}

// dynEQEditor edits a stem's dynamic EQ bands (at most 8) in box; path is
// "stems[i].dynamic_eq"; onChange(bands or null).
function dynEQEditor(box, value, path, onChange, onCount) {
  box.replaceChildren();
  const bands = value ? JSON.parse(JSON.stringify(value)) : [];
  const list = el("div", { class: "deq-bands", "data-field": path });
  const add = el("button", { type: "button", class: "link add-deq", text: "+ band" });
  box.append(list, add);
  const emit = () => { onCount(bands.length); onChange(bands.length ? JSON.parse(JSON.stringify(bands)) : null); };
  const draw = () => {
    list.replaceChildren();
    bands.forEach((b, j) => {
      const p = path + "[" + j + "]";
      const row = el("div", { class: "band deq-band" });
      for (const [k, label, lo, hi, step, unit] of [
        ["freq_hz", "freq", 20, 20000, 10, "Hz"], ["q", "Q", 0.1, 20, 0.1, ""], ["threshold_db", "threshold", -80, 0, 1, "dBFS"],
        ["ratio", "ratio", 1, 100, 0.5, ":1"], ["range_db", "at most", 0, 24, 0.5, "dB"], ["attack_ms", "attack", 0, 1000, 0.5, "ms"],
        ["release_ms", "release", 0, 5000, 5, "ms"]]) row.append(chainNum(b, k, label, lo, hi, step, unit, p + "." + k, emit, k === "range_db" ? "min" : ""));
      row.append(chainChannel(b, p + ".channel", emit));
      row.append(el("button", { type: "button", class: "link remove-band", "aria-label": "remove band", text: "✕", onclick: () => { bands.splice(j, 1); draw(); emit(); } }));
      list.append(row);
    });
    add.hidden = bands.length >= 8;
  };
  add.addEventListener("click", () => {
    bands.push({ freq_hz: 5000, q: 2, threshold_db: -30, ratio: 3, range_db: 6, attack_ms: 1, release_ms: 60 });
    draw(); emit();
  });
  draw();
  onCount(bands.length);
}

// stripChain appends the dynamic EQ and multiband sections to a strip.
function stripChain(strip, st, i) {
  const p = "stems[" + i + "]";
  const deq = chainSection("deq", "Dynamic EQ", "");
  const deqBox = el("div", { class: "deq-fields" });
  deq.append(deqBox);
  dynEQEditor(deqBox, st.dynamic_eq, p + ".dynamic_eq",
    v => { if (v) st.dynamic_eq = v; else delete st.dynamic_eq; updatePlayerParams(); scheduleSave(); },
    n => { $(".ch-count", deq).textContent = n ? "(" + n + ")" : ""; });
  const mb = chainSection("mb", "Multiband", st.multiband ? "(" + st.multiband.bands.length + ")" : "");
  const mbBox = el("div", { class: "mb-fields" });
  mb.append(mbBox);
  multibandEditor(mbBox, st.multiband, p + ".multiband", v => {
    if (v) st.multiband = v; else delete st.multiband;
    $(".ch-count", mb).textContent = v ? "(" + v.bands.length + ")" : "";
    updatePlayerParams();
    scheduleSave();
  });
  const after = $("details.deess", strip);
  if (after) after.after(deq, mb); else strip.append(deq, mb);
}

// masterChain fills the master's multiband and tone-match cards.
function masterChain() {
  const s = state.session;
  const box = $("#master-multiband");
  if (box) multibandEditor(box, s.master.multiband, "master.multiband", v => { if (v) s.master.multiband = v; else delete s.master.multiband; scheduleSave(); });
  const me = $("#master-match");
  if (!me) return;
  const pts = s.master.match_eq || [];
  me.replaceChildren();
  me.dataset.field = "master.match_eq";
  if (!pts.length) {
    me.append(el("p", { class: "muted", text: "None. The assistant's Suggest with a reference track fits one." }));
    return;
  }
  const gains = pts.map(p => p.gain_db);
  const sign = x => (x > 0 ? "+" : "") + fmtNum(x, 1);
  me.append(el("p", { class: "match-summary", text: pts.length + " point" + (pts.length === 1 ? "" : "s") + " from the assistant / a reference: " +
    fmtNum(pts[0].freq_hz, 0) + "–" + fmtNum(pts[pts.length - 1].freq_hz, 0) + " Hz, " + sign(Math.min(...gains)) + " … " + sign(Math.max(...gains)) + " dB (linear phase, before the EQ)" }));
  me.append(el("button", { type: "button", class: "link remove-match", text: "remove the tone match", onclick: () => { delete s.master.match_eq; masterChain(); scheduleSave(); } }));
}

// showFieldErrors puts each 422 problem next to the control whose
// data-field is its path, or else the nearest parent path's control, and
// opens the sections around it. clearFieldErrors removes them all.
function clearFieldErrors() {
  $$(".field-error").forEach(e => e.remove());
  $$(".invalid").forEach(e => e.classList.remove("invalid"));
}

function showFieldErrors(fields) {
  clearFieldErrors();
  let shown = 0;
  for (const f of fields || []) {
    let path = f.field || "", target = null;
    while (path && !target) {
      target = document.querySelector('[data-field="' + CSS.escape(path) + '"]');
      if (!target) path = path.replace(/(\.[^.[\]]*|\[\d+\])$/, "") === path ? "" : path.replace(/(\.[^.[\]]*|\[\d+\])$/, "");
    }
    if (!target) continue;
    shown++;
    target.classList.add("invalid");
    const msg = el("div", { class: "field-error", role: "alert", text: String(f.message || "").replace(/^line \d+: /, "") });
    const label = target.closest("label");
    (label || target).after(msg);
    for (let d = target.closest("details"); d; d = d.parentElement && d.parentElement.closest("details")) d.open = true;
  }
  return shown;
}

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
  if (!ctx.smWorklets) return compressor(ctx, d); // mixer.js
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
  const { input, split, merge } = stereoIO(ctx); // mixer.js
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
      w = widthNode(ctx); // mixer.js
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

// ---- the render's chain figures ---------------------------------------------

// chainReport shows the engineer's chain's figures of a render's report
// (report.json), with the CLI's precision so the three agree: the
// limiter's reduction and which stems caused it (plain or stem-aware),
// the mono compatibility (correlation), the glue compressor's and the
// multiband's reduction, and per stem the share it caused, the limiter's
// reduction it took and its de-esser, dynamic EQ and multiband figures.
// One file mastered (single) has no stems to attribute to: neither shows.
function chainReport(rep, single) {
  const m = rep.master || {}, lim = m.limiter, corr = m.correlation;
  const box = el("div", { class: "chain-report" });
  // As the CLI's summary line: up to (1 decimal), active (whole %); the
  // mean as its per-stem table (2 decimals).
  const gr = g => "up to " + fmtNum(g.max_db, 1) + " dB, mean " + fmtNum(g.mean_db, 2) + " dB, active " + fmtNum(100 * g.active_share, 0) + " % of the time";
  const rows = [];
  if (lim) {
    rows.push(["limiter" + (lim.stem_aware ? " (stem-aware)" : ""), gr(lim), "lim-gr"]);
    if (lim.attribution && !single) rows.push(["caused by", lim.attribution, "lim-attribution"]);
  }
  if (m.compressor) rows.push(["glue compressor", gr(m.compressor), "glue-gr"]);
  const mb = m.processors && m.processors.multiband_max_gr_db;
  if (mb && mb.length) rows.push(["master multiband", mb.map((v, i) => "band " + (i + 1) + " " + fmtNum(v, 2)).join(", ") + " dB max", "mb-gr"]);
  if (corr && (corr.overall === null || corr.overall === undefined)) {
    rows.push(["mono compatibility (correlation)", "no signal (a channel of the master is silent)", "correlation"]);
  } else if (corr) {
    const meter = el("meter", { class: "corr-meter", min: -1, max: 1, low: 0, optimum: 1, high: 0.3, value: corr.overall, title: "−1 cancels in mono, 0 unrelated, +1 mono" });
    const warn = corr.min_window < 0 ? " — some passages are out of phase and thin out in mono" : "";
    rows.push(["mono compatibility (correlation)", [meter, " " + fmtNum(corr.overall, 2) + " overall, " + fmtNum(corr.min_window, 2) + " lowest over 100 ms" + warn], "correlation"]);
  }
  if (rows.length) {
    const t = el("table", { class: "chain-figures" });
    for (const [k, v, cls] of rows) t.append(el("tr", { class: cls }, el("th", { text: k }), el("td", {}, ...[].concat(v))));
    box.append(el("h3", { text: "Master chain" }), el("div", { class: "table-wrap" }, t));
  }
  const stems = single ? [] : (rep.stems || []).filter(s => s.limiter || s.processors);
  if (stems.length) {
    const head = ["stem", "caused", "limiter GR mean", "limiter GR max", "de-esser max", "dynamic EQ max", "multiband max"];
    const t = el("table", { class: "stem-gr" }, el("thead", {}, el("tr", {}, ...head.map(h => el("th", { text: h })))));
    const list = v => (v && v.length ? v.map(x => fmtNum(x, 2)).join(" / ") : "—");
    const body = el("tbody");
    for (const s of stems) {
      const l = s.limiter, p = s.processors || {};
      body.append(el("tr", { "data-file": s.file }, ...[s.file.split("/").pop() + (s.muted ? " (muted)" : ""), l ? fmtNum(100 * l.caused_share, 0) + " %" : "—",
        l ? fmtNum(l.mean_db, 2) : "—", l ? fmtNum(l.max_db, 2) : "—", p.de_esser_max_gr_db !== undefined ? fmtNum(p.de_esser_max_gr_db, 2) : "—",
        list(p.dynamic_eq_max_gr_db), list(p.multiband_max_gr_db)].map(x => el("td", { text: x }))));
    }
    t.append(body);
    box.append(el("h3", { text: "Gain reduction by stem (dB)" }),
      lim ? el("p", { class: "muted", text: lim.stem_aware ? "The stem-aware limiter took its reduction from the stems by weight: each row is what that stem took." : "The plain limiter reduces the sum: every stem takes the master's reduction; \"caused\" is each stem's share of the peaks it reduced." }) : null,
      el("div", { class: "table-wrap" }, t));
  }
  return box;
}
