// stemmaster live player, its graph: the Web Audio nodes the streamed
// previews play through (mixer.js LivePlayer schedules the segments into
// them). Each stem runs through its own chain — polarity, EQ, compressor,
// de-esser, dynamic EQ and multiband (livechain.js's stripPlan, played by a
// LiveChain: a move glides on the nodes playing, a new topology
// crossfades), fader with mute and solo, pan — into the stem bus, so every
// mixer move is heard at once with no render; the stem bus through the
// master section (livemaster.js), whose gain to the target its meters find
// as it plays, a version leaving out the stems it does not include. A
// device too slow for the strips' dynamics gets a lighter path
// (measureLoad, setLight). The mix as delivered and the master have their
// own buses; the A/B player switches by bus gains, so a switch has no gap.
"use strict";

class LiveGraph {
  constructor() {
    this.ctx = null;
    this.tracks = new Map();      // id → track
    this.groups = {};             // name → GainNode
    this.active = new Set(["stems"]);
    this.duration = 0;
    this.rate = 48000;
  }

  // ensureContext makes the player's graph, on ctx when given (an
  // OfflineAudioContext for the page's checks) or a new AudioContext.
  ensureContext(ctx) {
    if (this.ctx) return this.ctx;
    if (ctx) this.ctx = ctx;
    else {
      const AC = window.AudioContext || window.webkitAudioContext;
      try {
        this.ctx = new AC({ sampleRate: this.rate, latencyHint: "interactive" });
      } catch (e) {
        this.ctx = new AC({ latencyHint: "interactive" });
      }
    }
    this.out = this.ctx.createGain();
    this.analyser = this.ctx.createAnalyser();
    this.analyser.fftSize = 2048;
    this.out.connect(this.analyser);
    this.analyser.connect(this.ctx.destination);
    // The stem bus runs through the master section (setMaster) on its
    // way out: the chain up to the gain, then the gain and the limiter
    // (the tail), which also hears the raw bus — the stems at their
    // faders before the strips, what the server's sum loudness measures.
    this.masterIn = this.ctx.createGain();
    this.tailIn = this.ctx.createGain();
    this.rawBus = this.ctx.createGain();
    this.masterChain = new LiveChain(this.ctx, this.masterIn, this.tailIn); // livechain.js
    this.masterTail = new LiveChain(this.ctx, this.tailIn, this.out);
    this.masterChain.update([]);
    this.masterTail.update([]);
    for (const t of this.tracks.values()) this.buildTrack(t);
    // The worklet dynamics (expander, ranges, the limiter) replace their
    // stand-ins once loaded: every chain is built again then.
    this.workletsReady = loadWorklets(this.ctx).then(() => {
      for (const t of this.tracks.values()) if (t.chain) t.chain.update(this.trackPlan(t));
      this.buildMaster();
    });
    return this.ctx;
  }

  // masterLinks are the links of the master section playing (none when
  // it is bypassed).
  get masterLinks() {
    if (!this.masterChain || !this.master) return [];
    return [...this.masterChain.links, ...this.masterTail.links];
  }

  // setMaster plays the stem bus through the master section m
  // (livemaster.js liveMasterParams: EQ, compressor, multiband, width,
  // saturation, the gain to the target and the limiter), or straight out
  // when m is null. A move that keeps the section's topology glides on
  // the nodes playing; another builds it anew with a short crossfade.
  setMaster(m) {
    // The page calls this on every move: the same section is no news.
    const key = JSON.stringify(m || null);
    if (key === this.masterSet) return;
    this.masterSet = key;
    this.master = m || null;
    if (this.ctx) this.buildMaster();
  }

  buildMaster() {
    const m = this.master;
    const plan = m ? masterPlan(m) : []; // livemaster.js
    this.masterChain.update(plan);
    this.masterTail.update(m ? masterTailPlan(m, this.rawBus) : []);
    const key = JSON.stringify(plan.map(x => x.arg));
    if (key !== this.masterKey) this.chainMoved();
    this.masterKey = key;
  }

  // chainMoved tells the master's loudness meters that what the chain
  // adds changed: they measure it again from the next block.
  chainMoved() {
    const lim = this.masterTail && this.masterTail.links.find(l => l.kind === "limiter" && l.parameters && l.parameters.has("epoch"));
    this.epoch = (this.epoch || 0) + 1;
    if (lim) lim.parameters.get("epoch").setValueAtTime(this.epoch, this.ctx.currentTime);
  }

  // setTracks declares the previews: [{id, group, info}] (info is the
  // server's StreamInfo). Tracks no longer listed go.
  setTracks(list) {
    const keep = new Set(list.map(x => x.id));
    for (const [id, t] of this.tracks) {
      if (!keep.has(id) || t.info.version !== list.find(x => x.id === id).info.version) {
        this.dropTrack(t);
        this.tracks.delete(id);
      }
    }
    let dur = 0;
    for (const x of list) {
      if (!this.tracks.has(x.id)) {
        const t = { id: x.id, group: x.group, info: x.info, buffers: new Map(), loading: new Map(), scheduled: new Map(),
          params: { gainDB: 0, mute: false, polarity: 1, pan: 0, eq: [], offsetS: 0 } };
        this.tracks.set(x.id, t);
        if (this.ctx) this.buildTrack(t);
      }
      if (x.info.sample_rate) this.rate = x.info.sample_rate;
      dur = Math.max(dur, x.info.frames / x.info.sample_rate);
    }
    this.duration = dur;
  }

  // group returns a bus by name (stems, mix, master, revA, revB…).
  group(name) {
    if (!this.groups[name]) {
      const g = this.ctx.createGain();
      g.gain.value = this.groupGains && this.groupGains[name] !== undefined ? this.groupGains[name] : (name === "stems" ? 1 : 0);
      g.connect(name === "stems" ? this.masterIn : this.out);
      this.groups[name] = g;
    }
    return this.groups[name];
  }

  buildTrack(t) {
    const c = this.ctx;
    t.chan = channelNode(c);
    t.input = c.createGain();
    t.chan.connect(t.input);
    t.width = widthNode(c);
    t.fader = c.createGain();
    t.panner = c.createStereoPanner ? c.createStereoPanner() : c.createGain();
    t.chain = new LiveChain(c, t.input, t.width.input); // livechain.js
    t.width.connect(t.fader);
    t.fader.connect(t.panner);
    t.panner.connect(this.group(t.group));
    if (t.group === "stems") {
      // The raw bus: the stem at its fader, before its strip.
      t.raw = c.createGain();
      t.input.connect(t.raw);
      t.raw.connect(this.rawBus);
    }
    this.applyParams(t, true);
  }

  // trackPlan is a stem's strip chain as a plan; the light path (see
  // setLight) leaves out its dynamics.
  trackPlan(t) {
    const p = this.light ? Object.assign({}, t.params, { comp: null, deEsser: null, dynamicEQ: null, multiband: null }) : t.params;
    return stripPlan(p); // livechain.js
  }

  // dropTrack takes a track's nodes out of the graph.
  dropTrack(t) {
    if (t.panner) t.panner.disconnect();
    if (t.raw) t.raw.disconnect();
  }

  // setParams changes a stem's chain at once; p has gainDB, mute (after
  // solo), out (not in the version playing), polarity (1 or -1), pan
  // (-1…1), width, eq, comp, deEsser, dynamicEQ, multiband (the
  // session's), offsetS, and the corrections as the stem is read: swap
  // (exchange left and right), signL and signR (1 or -1, the file's
  // channels).
  setParams(id, p) {
    const t = this.tracks.get(id);
    if (!t) return;
    // The chain's parameters are the session's objects, edited in place:
    // compared by value with what the chain last played.
    const chain = JSON.stringify([p.eq || [], p.comp || null, p.deEsser || null, p.dynamicEQ || null, p.multiband || null]);
    const eqChanged = chain !== t.chainBuilt;
    t.chainBuilt = chain;
    Object.assign(t.params, JSON.parse(JSON.stringify(p)));
    if (!this.ctx) return;
    this.applyParams(t, eqChanged);
  }

  applyParams(t, chainChanged) {
    const now = this.ctx.currentTime;
    const p = t.params;
    const pre = dbToGain(t.info.gain_db || 0) * (p.polarity < 0 ? -1 : 1);
    t.input.gain.setTargetAtTime(pre, now, 0.005);
    const fader = dbToGain(p.gainDB || 0);
    t.fader.gain.setTargetAtTime(p.mute || p.out ? 0 : fader, now, 0.01);
    if (t.raw) t.raw.gain.setTargetAtTime(p.mute ? 0 : fader, now, 0.01);
    if (t.panner.pan) t.panner.pan.setTargetAtTime(Math.max(-1, Math.min(1, p.pan || 0)), now, 0.01);
    t.width.set(p.width === undefined ? 1 : p.width, now);
    t.chan.set(!!p.swap, p.signL || 1, p.signR || 1, now);
    if (chainChanged) {
      t.chain.update(this.trackPlan(t));
      this.chainMoved();
    }
  }

  // setLight plays the strips without their dynamics (compressors,
  // de-essers, dynamic EQ, multiband) when on: the path for a device too
  // slow for them (see measureLoad).
  setLight(on) {
    if (!!on === !!this.light) return;
    this.light = !!on;
    if (!this.ctx) return;
    for (const t of this.tracks.values()) if (t.chain) t.chain.update(this.trackPlan(t));
    this.chainMoved();
  }

  // hasStripDynamics reports whether a stem playing has dynamics on its
  // strip (what the light path leaves out).
  hasStripDynamics() {
    return this.liveTracks().some(t => t.params.comp || t.params.deEsser || (t.params.dynamicEQ && t.params.dynamicEQ.length) || t.params.multiband);
  }

  // measureLoad renders the graph playing for seconds in an
  // OfflineAudioContext (the strips and the master section as set, on
  // noise) and returns how many times faster than real time it ran, and
  // the links rendered. The page warns below LOAD_WARN.
  async measureLoad(seconds = 2) {
    const rate = this.ctx ? this.ctx.sampleRate : this.rate, n = Math.round(seconds * rate);
    const off = new OfflineAudioContext(2, n, rate);
    await loadWorklets(off);
    const buf = off.createBuffer(2, n, rate);
    let seed = 1;
    for (let c = 0; c < 2; c++) buf.getChannelData(c).forEach((_, i, a) => { seed = (seed * 1103515245 + 12345) % 2147483648; a[i] = (seed / 2147483648 - 0.5) * 0.2; });
    const bus = off.createGain(), raw = off.createGain();
    let links = 0;
    for (const t of this.liveTracks()) {
      if (t.group !== "stems") continue;
      const src = off.createBufferSource();
      src.buffer = buf;
      const ls = stripLinks(off, t.params); // livechain.js: the full chain, light or not
      links += ls.length;
      liveRun(src, ls).connect(bus);
      src.connect(raw);
      src.start();
    }
    let node = bus;
    if (this.master) {
      const ls = masterLinks(off, this.master, raw);
      links += ls.length;
      node = liveRun(bus, ls);
    }
    node.connect(off.destination);
    const t0 = performance.now();
    await off.startRendering();
    const ms = performance.now() - t0;
    return { speed: seconds * 1000 / Math.max(ms, 1e-3), links, ms: Math.round(ms) };
  }

  // setGroupGains sets each bus's gain (A/B mode and loudness matching).
  // Only the buses named play (and load); the others are silent.
  setGroupGains(g) {
    this.groupGains = g;
    this.active = new Set(Object.keys(g));
    if (!this.ctx) return;
    const now = this.ctx.currentTime;
    for (const [k, node] of Object.entries(this.groups)) node.gain.setTargetAtTime(g[k] || 0, now, 0.004);
  }

  // liveTracks are the tracks on the buses playing.
  liveTracks() { return [...this.tracks.values()].filter(t => this.active.has(t.group)); }

  // settled reports whether every playing stem's fader has reached the
  // gain its mixer settings ask for (a change glides over a few ms).
  settled() {
    if (!this.ctx) return true;
    return this.liveTracks().every(t => {
      if (!t.fader) return true;
      const want = t.params.mute ? 0 : dbToGain(t.params.gainDB || 0);
      return Math.abs(t.fader.gain.value - want) <= 1e-4 * Math.max(want, 1e-3);
    });
  }

  // level is the output's RMS over the analyser's window, in dBFS.
  level() {
    if (!this.analyser) return -Infinity;
    const a = new Float32Array(this.analyser.fftSize);
    this.analyser.getFloatTimeDomainData(a);
    let s = 0;
    for (const v of a) s += v * v;
    return 10 * Math.log10(s / a.length + 1e-20);
  }
}
