// The live player against the render, offline (OfflineAudioContext, so the
// figures do not depend on the machine's speed): the demo song through the
// player's whole graph with a master chain that adds loudness, its output
// written for the Go test to measure (integrated loudness against the
// render's, true peak by a 16× reference); the limiter alone on noise and
// on a high tone driven over its ceiling; parameter moves on a playing
// strip and master section (no discontinuity); versions switched live;
// the light path and its warning. The last line printed is a JSON summary.
//
//   node liveplayer.mjs URL ARTIFACTS_DIR
import fs from "node:fs";
import path from "node:path";
import { args, openDemo, pageOfflinePlayer, renderAndWait, runChecks, until } from "./lib.mjs";

const [url, artifacts] = args("liveplayer.mjs", ["URL", "ARTIFACTS_DIR"]);
fs.mkdirSync(artifacts, { recursive: true });

// save writes a page's base64 float32 samples (interleaved stereo) to
// artifacts/name.f32 and returns the path.
const save = (name, b64) => {
  const p = path.join(artifacts, name + ".f32");
  fs.writeFileSync(p, Buffer.from(b64, "base64"));
  return p;
};

// In the page: helpers the checks share (installed once).
const helpers = () => {
  window.t15 = {
    // b64 is a stereo AudioBuffer's samples, interleaved, as base64.
    b64(buf, from = 0) {
      const n = buf.length - from, L = buf.getChannelData(0), R = buf.getChannelData(1), x = new Float32Array(2 * n);
      for (let i = 0; i < n; i++) { x[2 * i] = L[from + i]; x[2 * i + 1] = R[from + i]; }
      const bytes = new Uint8Array(x.buffer);
      let s = "";
      for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
      return btoa(s);
    },
    // ahead is the page's analysis ahead of the settings as they are, once
    // landed (null until then).
    ahead() {
      updatePlayerParams();
      const key = aheadKey(liveMasterParams(state.session.master, beforeLUFS(), "main", null));
      return state.ahead && state.ahead.key === key ? state.ahead.r : null;
    },
    // d2 is the largest |second difference| over frames [a, b) of buf.
    d2(buf, a, b) {
      let m = 0;
      for (let c = 0; c < 2; c++) {
        const x = buf.getChannelData(c);
        for (let i = Math.max(a, 2); i < b; i++) m = Math.max(m, Math.abs(x[i] - 2 * x[i - 1] + x[i - 2]));
      }
      return m;
    },
    // song renders the project's stems through a live player on an
    // OfflineAudioContext, with the page's settings for the Master step
    // (edit changes the master section first; own leaves the render's gain
    // out, as for settings not rendered; noAhead the page's analysis
    // ahead, as before it lands).
    async song(edit, own, noAhead) {
      const s = state.streams, rate = s.stems[0].sample_rate;
      const frames = Math.max(...s.stems.map(x => x.frames));
      const { p, off } = await offlinePlayer(s.stems.map(x => ({ id: "stem:" + x.name, group: "stems", info: x })), frames, rate);
      // The Master step's settings, whatever step the page shows: on the
      // results the A/B gains would go to this player too (the stems' bus
      // silent while "after" plays).
      const saved = state.player, where = state.playingIn, view = state.view, rg = window.renderGain, af = window.aheadFor;
      state.player = p;
      state.playingIn = "master";
      state.view = "master";
      if (own) window.renderGain = () => null;
      if (noAhead) window.aheadFor = () => null;
      updatePlayerParams();
      window.renderGain = rg;
      window.aheadFor = af;
      state.player = saved;
      state.playingIn = where;
      state.view = view;
      if (edit) p.setMaster(edit(p.master));
      await startSegments(p, off);
      // The limiter reports every tenth of a second of audio; its state
      // is read once the render's last report has come (a busy page takes
      // its messages late).
      const lim = p.masterLinks.find(l => l.kind === "limiter");
      let reports = 0;
      const onReport = lim.port.onmessage;
      lim.port.onmessage = e => { reports++; onReport(e); };
      const out = await off.startRendering();
      const want = Math.floor(frames / Math.round(rate / 10));
      for (const end = Date.now() + 60_000; reports < want;) {
        if (Date.now() > end) throw new Error(`the live master sent ${reports} of its ${want} reports`);
        await new Promise(r => setTimeout(r, 20));
      }
      return { out, state: lim.state, params: p.master };
    },
  };
};

await runChecks("liveplayer", artifacts, async (page, summary) => {
  // The page's scripts may also come from blobs here: the underrun check
  // loads a test processor so (the page itself never does).
  await page.route(u => u.href === url || u.href === url + "/", async r => {
    const res = await r.fetch();
    const h = res.headers();
    h["content-security-policy"] = h["content-security-policy"].replace("script-src 'self'", "script-src 'self' blob:");
    await r.fulfill({ response: res, headers: h });
  });
  const { id, token, get } = await openDemo(page, url);
  await page.evaluate(pageOfflinePlayer);
  await page.evaluate(helpers);

  // ---- a master chain that adds loudness: a low shelf +4 dB, a
  // compressor with 4 dB of makeup, saturation driven 6 dB ----
  await page.evaluate(() => {
    const m = state.session.master;
    m.eq = [{ type: "low_shelf", freq_hz: 150, gain_db: 4 }];
    m.compressor = { threshold_db: -24, ratio: 2, attack_ms: 10, release_ms: 120, makeup_db: 4 };
    m.saturation = { drive_db: 6, character: "soft" };
    scheduleSave();
  });
  await until(async () => { const s = await get("/session"); return s.master && s.master.saturation && s.master.compressor ? s : null; });
  ({ state: summary.render, error: summary.render_error } = await renderAndWait(url, id, token, page));
  const project = await get("");
  const rep = project.report || {};
  summary.render_lufs = rep.master && rep.master.main && rep.master.main.integrated_lufs;
  summary.render_gain_db = rep.master && rep.master.gain_db;
  summary.render_dbtp = rep.master && rep.master.main && rep.master.main.true_peak_dbtp;

  // The page's stem sum measured by the server (the gain's estimate).
  await page.evaluate(() => setView("master"));
  // Opening the Master step is enough for the analysis ahead: it lands
  // before anything plays.
  summary.analysis = {};
  summary.analysis.before_play = await until(() => page.evaluate(() => (state.ahead && state.ahead.r && !player().playing ? state.ahead.r.gain_db : null)), 120_000);
  await page.evaluate(() => loadRevisions());
  await page.evaluate(() => { state.playingIn = "master"; updatePlayerParams(); });
  summary.before_lufs = await until(() => page.evaluate(() => (state.sumMeasured && state.sumMeasured.key === sumKey() ? state.sumMeasured.lufs : null)));

  // ---- the song through the live graph: a first listen with the page's
  // analysis ahead (the whole song through the live graph offline before
  // it plays); before it lands, the gain found after the chain from the
  // render's (the settings are the render's), and without the render's
  // (its meters alone); the estimate before the chain held (the gain held
  // where it starts without the render's) ----
  summary.analysis.song = await until(() => page.evaluate(() => t15.ahead()), 120_000);
  // A longer song is analysed by excerpts: the same song by eight of 3 s
  // (each measured after its first second).
  summary.analysis.excerpts = await page.evaluate(() => analyseAhead(player(), liveMasterParams(state.session.master, beforeLUFS(), "main", null), 24));
  {
    const r = await page.evaluate(async () => {
      const x = await t15.song();
      const a = await t15.song(null, false, true);
      const b = await t15.song(null, true, true);
      const c = await t15.song(m => Object.assign({}, m, { adapt: false }), true, true);
      return { ahead: t15.b64(x.out), live: t15.b64(a.out), own: t15.b64(b.out), held: t15.b64(c.out), ahead_state: x.state, ahead_params: x.params.ahead, state: a.state, own_state: b.state,
        render_model: a.params.render_gain_db, estimate_db: c.params.gain_db, ceiling_db: a.params.limiter.ceiling_db };
    });
    // Driven into the limiter: a target of −8 LUFS, analysed ahead, and
    // by the meters alone.
    const target = await page.evaluate(() => { const t = state.session.master.target; state.session.master.target = { integrated_lufs: -8, true_peak_dbtp: -1 }; return t; });
    summary.analysis.loud = await until(() => page.evaluate(() => t15.ahead()), 120_000);
    const d = await page.evaluate(async () => {
      const x = await t15.song(null, true);
      const d = await t15.song(null, true, true);
      return { ahead: t15.b64(x.out), ahead_state: x.state, ahead_params: x.params.ahead, loud: t15.b64(d.out), loud_state: d.state };
    });
    await page.evaluate(t => { state.session.master.target = t; updatePlayerParams(); }, target);
    summary.song = { ahead: save("song-ahead", r.ahead), ahead_state: r.ahead_state, ahead_params: r.ahead_params,
      live: save("song-live", r.live), own: save("song-own", r.own), held: save("song-held", r.held), loud: save("song-loud", d.loud), state: r.state, own_state: r.own_state, loud_state: d.loud_state,
      loud_ahead: save("song-loud-ahead", d.ahead), loud_ahead_state: d.ahead_state, loud_ahead_params: d.ahead_params,
      render_model: r.render_model, estimate_db: r.estimate_db, ceiling_db: r.ceiling_db };
  }

  // ---- the limiter alone: white noise 12 dB over its ceiling, and a
  // 17 kHz tone 6 dB over it (inter-sample peaks between every pair) ----
  {
    const r = await page.evaluate(async () => {
      const rate = 48000, n = rate;
      const run = async (fill) => {
        const ctx = new OfflineAudioContext(2, n, rate);
        await loadWorklets(ctx);
        const buf = ctx.createBuffer(2, n, rate);
        fill(buf);
        // Faded in and out over 10 ms and silent for the last 0.1 s, so
        // the output ends in silence as the reference takes it to.
        const fade = rate / 100, end = n - rate / 10;
        for (let c = 0; c < 2; c++) buf.getChannelData(c).forEach((v, i, a) => {
          const w = i >= end ? 0 : Math.min(1, i / fade, (end - i) / fade);
          a[i] = v * (0.5 - 0.5 * Math.cos(Math.PI * w));
        });
        const src = ctx.createBufferSource();
        src.buffer = buf;
        liveRun(src, [liveLimiter(ctx, { ceiling_db: -1, lookahead_ms: 5, release_ms: 80, hold_ms: 10 })]).connect(ctx.destination);
        src.start();
        return t15.b64(await ctx.startRendering());
      };
      let seed = 11;
      const noise = await run(b => { for (let c = 0; c < 2; c++) b.getChannelData(c).forEach((_, i, a) => { seed = (seed * 1103515245 + 12345) % 2147483648; a[i] = (seed / 2147483648 * 2 - 1) * Math.pow(10, 11 / 20); }); });
      const tone = await run(b => { for (let c = 0; c < 2; c++) b.getChannelData(c).forEach((_, i, a) => { a[i] = Math.pow(10, 5 / 20) * Math.sin(2 * Math.PI * 17000 * i / rate + 0.3 + c); }); });
      return { noise, tone };
    });
    summary.limiter = { noise: save("limiter-noise", r.noise), tone: save("limiter-tone", r.tone) };
  }

  // ---- moves on a playing chain: a 50 Hz sine at −12 dBFS through a
  // strip with EQ, compressor, de-esser, dynamic EQ (on the mid) and
  // multiband and the master section; at
  // 0.5 s every setting moves (in place), at 1.0 s a band is added (a new
  // topology: the crossfade); a fader jump at 1.5 s (a step: the click the
  // measure must see). The largest second difference in 20 ms after each
  // move against the largest of the steady signal before it. ----
  summary.moves = await page.evaluate(async () => {
    const rate = 48000, n = 2 * rate;
    const info = { url: "", version: 1, frames: n, sample_rate: rate, segment_frames: n, segments: 1, gain_db: 0 };
    const { p, off } = await offlinePlayer([{ id: "s", group: "stems", info }], n, rate);
    const strip = {
      gainDB: 0, eq: [{ type: "peak", freq_hz: 80, gain_db: 2, q: 1 }], comp: { threshold_db: -20, ratio: 3, attack_ms: 5, release_ms: 80, makeup_db: 1 },
      deEsser: { freq_hz: 6000, threshold_db: -30, range_db: 6 }, dynamicEQ: [{ freq_hz: 60, q: 1, threshold_db: -30, ratio: 2, range_db: 3, channel: "mid" }],
      multiband: { crossovers_hz: [200, 2000], bands: [{ ratio: 2, threshold_db: -24 }, { ratio: 1 }, { ratio: 1 }] },
    };
    p.setParams("s", strip);
    const master = liveMasterParams({ eq: [{ type: "low_shelf", freq_hz: 100, gain_db: 2 }], compressor: { threshold_db: -18, ratio: 2 }, target: "none", limiter: { ceiling_dbtp: -1 } }, null);
    p.setMaster(master);
    const buf = off.createBuffer(2, n, rate);
    for (let c = 0; c < 2; c++) buf.getChannelData(c).forEach((_, i, a) => { a[i] = 0.25 * Math.sin(2 * Math.PI * 50 * i / rate); });
    const src = off.createBufferSource();
    src.buffer = buf;
    src.connect(p.tracks.get("s").chan.input);
    src.start(0);
    const t = p.tracks.get("s");
    const before = { strip: t.chain.links, master: p.masterLinks };
    const at = (s, fn) => off.suspend(s).then(() => { fn(); off.resume(); });
    let inPlace = null, rebuilt = null;
    at(0.5, () => {
      p.setParams("s", Object.assign({}, strip, {
        eq: [{ type: "peak", freq_hz: 120, gain_db: 6, q: 2 }], comp: { threshold_db: -30, ratio: 4, attack_ms: 2, release_ms: 50, makeup_db: 5 },
        deEsser: { freq_hz: 7000, threshold_db: -40, range_db: 9 }, dynamicEQ: [{ freq_hz: 80, q: 2, threshold_db: -40, ratio: 4, range_db: 6, channel: "mid" }],
        multiband: { crossovers_hz: [300, 3000], bands: [{ ratio: 4, threshold_db: -30, makeup_db: 3 }, { ratio: 1, makeup_db: -2 }, { ratio: 1 }] },
      }));
      p.setMaster(Object.assign({}, master, { eq: [{ type: "low_shelf", freq_hz: 200, gain_db: 5 }], compressor: { threshold_db: -30, ratio: 3, makeup_db: 2 }, gain_db: 3 }));
      inPlace = t.chain.links.every((l, i) => l === before.strip[i]) && p.masterLinks.every((l, i) => l === before.master[i]);
    });
    at(1.0, () => {
      p.setParams("s", Object.assign({}, strip, { eq: [{ type: "peak", freq_hz: 120, gain_db: 6, q: 2 }, { type: "high_shelf", freq_hz: 4000, gain_db: -3 }] }));
      rebuilt = t.chain.links[0] !== before.strip[0];
    });
    at(1.5, () => { t.fader.gain.cancelScheduledValues(0); t.fader.gain.setValueAtTime(2, off.currentTime); });
    const out = await off.startRendering();
    const w = s => Math.round(s * rate), win = w(0.02);
    return {
      in_place: inPlace, rebuilt,
      steady: t15.d2(out, w(0.3), w(0.5)), steady_after: t15.d2(out, w(0.8), w(1.0)), steady_after2: t15.d2(out, w(1.3), w(1.5)),
      move: t15.d2(out, w(0.5), w(0.5) + win), topology: t15.d2(out, w(1.0), w(1.0) + win), step: t15.d2(out, w(1.5), w(1.5) + win),
    };
  });

  // ---- without worklets (a browser that has none): the stand-ins play
  // the strip and the master section, and a move glides on them ----
  summary.stand_ins = await page.evaluate(async () => {
    const rate = 48000, n = rate;
    const off = new OfflineAudioContext(2, n, rate);
    Object.defineProperty(off, "audioWorklet", { value: undefined });
    const p = new LivePlayer(fetchBytes);
    p.ensureContext(off);
    await p.workletsReady;
    const info = { url: "", version: 1, frames: n, sample_rate: rate, segment_frames: n, segments: 1, gain_db: 0 };
    p.setTracks([{ id: "s", group: "stems", info }]);
    const strip = { eq: [{ type: "peak", freq_hz: 1000, gain_db: 2, channel: "mid" }], comp: { threshold_db: -20, ratio: 3 },
      multiband: { crossovers_hz: [200, 2000], bands: [{ ratio: 2, threshold_db: -24 }, { ratio: 1 }, { ratio: 1 }] } };
    p.setParams("s", strip);
    const master = liveMasterParams({ compressor: { threshold_db: -18, ratio: 2 }, target: "none", gain_db: 3, limiter: { ceiling_dbtp: -1 } }, null);
    p.setMaster(master);
    const buf = off.createBuffer(2, n, rate);
    let seed = 5;
    for (let c = 0; c < 2; c++) buf.getChannelData(c).forEach((_, i, a) => { seed = (seed * 1103515245 + 12345) % 2147483648; a[i] = (seed / 2147483648 - 0.5) * 0.5; });
    const src = off.createBufferSource();
    src.buffer = buf;
    src.connect(p.tracks.get("s").chan.input);
    src.start(0);
    const t = p.tracks.get("s"), before = t.chain.links.slice();
    let inPlace = null;
    off.suspend(0.5).then(() => {
      p.setParams("s", Object.assign({}, strip, { comp: { threshold_db: -30, ratio: 4 } }));
      p.setMaster(Object.assign({}, master, { gain_db: 1 }));
      inPlace = t.chain.links.every((l, i) => l === before[i]);
      off.resume();
    });
    const out = await off.startRendering();
    let e = 0, finite = true;
    for (let c = 0; c < 2; c++) for (const v of out.getChannelData(c).subarray(rate / 10)) { e += v * v; finite = finite && Number.isFinite(v); }
    return { worklets: !!off.smWorklets, kinds: t.chain.links.map(l => l.kind).concat(p.masterLinks.map(l => l.kind)), in_place: inPlace, finite, level_db: 10 * Math.log10(e / (2 * 0.9 * n)) };
  });

  // ---- versions, live: the lead as a lead vocal; instrumental leaves
  // it out and holds main's gain ----
  await page.evaluate(() => setView("mix"));
  const lead = page.locator('#mixer .strip[data-file="lead.wav"]');
  await lead.locator(".role").selectOption("lead_vocal");
  await page.evaluate(() => { setView("master"); player().setLoop(true, 0, 30); });
  await page.click("#master-play");
  summary.main_text = await until(() => page.evaluate(() => { const t = document.querySelector("#master-gr").textContent; return t.includes("to reach") ? t : null; }), 60_000);
  await page.locator("#master-version").selectOption("instrumental");
  summary.versions = await until(() => page.evaluate(() => {
    const p = player(), s = p.liveState(), lead = p.tracks.get("stem:lead.wav"), bass = p.tracks.get("stem:bass.wav");
    if (!s || s.adapt || lead.fader.gain.value > 1e-4 || !document.querySelector("#master-gr").textContent.includes("main's")) return null;
    return { lead: lead.fader.gain.value, bass: bass.fader.gain.value, adapt: s.adapt, text: document.querySelector("#master-gr").textContent };
  }), 30_000);
  await page.locator("#master-version").selectOption("a_cappella");
  summary.a_cappella_bass = await until(() => page.evaluate(() => { const g = player().tracks.get("stem:bass.wav").fader.gain.value; return g < 1e-4 ? g : null; }), 30_000);
  await page.locator("#master-version").selectOption("main");
  summary.main_again = await until(() => page.evaluate(() => { const s = player().liveState(); return s && s.adapt && player().tracks.get("stem:lead.wav").fader.gain.value > 1e-3; }), 30_000);
  // With the stem-aware limiter asked for, the live text says the live
  // one limits the sum.
  await page.evaluate(() => { state.session.master.limiter = Object.assign({}, state.session.master.limiter, { stem_aware: {} }); updatePlayerParams(); });
  summary.stem_aware_text = await until(() => page.evaluate(() => { const x = document.querySelector("#master-gr").textContent; return x.includes("stem-aware") ? x : null; }), 30_000);
  await page.evaluate(() => { delete state.session.master.limiter.stem_aware; updatePlayerParams(); });

  // ---- underruns heard while playing: a processor in the playing graph
  // that takes 10 ms of every 2.7 ms quantum (no device keeps up). The
  // note says so and offers the light path, which then plays; the same
  // with the browser's playback statistics hidden (the audio clock's lag
  // behind the page's tells instead) ----
  // The processor's module comes from a blob: the page's CSP is relaxed
  // for it (see the route at the start).
  await page.evaluate(async () => {
    state.session.stems[0].compressor = { threshold_db: -20, ratio: 2 };
    updatePlayerParams();
    const code = "class Busy extends AudioWorkletProcessor { constructor() { super(); this.on = true; this.port.onmessage = e => { this.on = e.data; }; }" +
      " process() { if (this.on) { const t = Date.now(); while (Date.now() - t < 10) {} } return true; } } registerProcessor('sm-test-busy', Busy);";
    await player().ctx.audioWorklet.addModule(URL.createObjectURL(new Blob([code], { type: "text/javascript" })));
  });
  const glitch = async hideStats => {
    await page.evaluate(hide => {
      const p = player(), c = p.ctx;
      if (hide) Object.defineProperty(c, "playbackStats", { value: undefined, configurable: true });
      p.setLight(false);
      state.glitch = null;
      // A speed that looks enough, however busy this machine is: only the
      // underruns are to say otherwise.
      state.load = Object.assign({ links: 0, ms: 0 }, state.load, { speed: Math.max(LOAD_LIGHT, (state.load || {}).speed || 0) });
      showLoad();
      p.watch.mark();
      p.glitches = { events: 0, seconds: 0 };
      window.t15busy = new AudioWorkletNode(c, "sm-test-busy");
      const mute = c.createGain();
      mute.gain.value = 0;
      p.out.connect(window.t15busy).connect(mute).connect(c.destination);
    }, hideStats);
    const seen = await until(() => page.evaluate(() => {
      const b = document.querySelector("#master-section .live-load");
      return !b.hidden && b.dataset.glitches ? { events: +b.dataset.glitches, text: b.textContent } : null;
    }), 30_000);
    const after = await page.evaluate(() => {
      window.t15busy.port.postMessage(false);
      window.t15busy.disconnect();
      const offered = document.querySelector("#master-section .live-light");
      if (offered) offered.click();
      return { light: player().light, text: document.querySelector("#master-section .live-load").textContent };
    });
    return Object.assign({}, seen, { light: after.light, text_after: after.text });
  };
  summary.glitch = await glitch(false);
  summary.glitch_lag = await glitch(true);
  await page.evaluate(() => { player().setLight(false); state.glitch = null; showLoad(); updatePlayerParams(); });
  await page.screenshot({ path: path.join(artifacts, "liveplayer-master-390.png"), fullPage: false });
  await page.click("#master-play"); // stop
  // From the mixer with the master section ticked, its transport says
  // the same.
  await page.evaluate(() => setView("mix"));
  await page.locator("#live-master").check();
  await page.click("#live-play");
  summary.mixer_text = await until(() => page.evaluate(() => { const t = document.querySelector("#live-gr").textContent; return t.includes("to reach") ? t : null; }), 60_000);
  await page.click("#live-play"); // stop
  await page.evaluate(() => setView("master"));

  // ---- the load: the graph measured, and the light path on a device
  // too slow (its speed stated, so the warning shows) ----
  summary.load = await page.evaluate(async () => {
    const p = player();
    state.glitch = null; state.late = 0; // what the load alone says (a busy machine's underruns and late segments aside)
    for (const st of state.session.stems) st.compressor = { threshold_db: -20, ratio: 2 };
    updatePlayerParams();
    const r = await p.measureLoad(1);
    const kinds = () => [...p.tracks.values()].flatMap(t => t.chain.links.map(l => l.kind));
    const full = kinds();
    state.load = { speed: 1.2, links: r.links, ms: 0 };
    p.setLight(true);
    showLoad();
    const light = kinds();
    const text = document.querySelector("#master-section .live-load").textContent;
    document.querySelector("#master-section .live-full").click();
    const after = kinds(), textAfter = document.querySelector("#master-section .live-load").textContent;
    state.load = r;
    showLoad();
    return { speed: r.speed, links: r.links, full, light, text, after, text_after: textAfter, hidden: document.querySelector("#master-section .live-load").hidden === (r.speed >= LOAD_LIGHT) };
  });

  // The heaviest case: 8 stems with every strip processor (two EQ bands,
  // compressor, de-esser, two dynamic EQ bands, a 3-band multiband) and
  // the master section, 2 s offline.
  summary.load8 = await page.evaluate(async () => {
    const rate = 48000, p = new LivePlayer(fetchBytes);
    const info = { url: "", version: 1, frames: rate, sample_rate: rate, segment_frames: rate, segments: 1, gain_db: 0 };
    p.setTracks(Array.from({ length: 8 }, (_, i) => ({ id: "s" + i, group: "stems", info })));
    for (let i = 0; i < 8; i++) p.setParams("s" + i, {
      eq: [{ type: "high_pass", freq_hz: 40 }, { type: "peak", freq_hz: 2000, gain_db: 2, channel: "mid" }],
      comp: { threshold_db: -20, ratio: 3 }, deEsser: { freq_hz: 6000, threshold_db: -30, range_db: 6 },
      dynamicEQ: [{ freq_hz: 300, q: 1, threshold_db: -30, ratio: 2, range_db: 4 }, { freq_hz: 3000, q: 2, threshold_db: -30, ratio: 2, range_db: 4, channel: "side" }],
      multiband: { crossovers_hz: [200, 2500], bands: [{ ratio: 2, threshold_db: -24 }, { ratio: 2, threshold_db: -24 }, { ratio: 2, threshold_db: -24 }] },
    });
    p.setMaster(liveMasterParams({ eq: [{ type: "peak", freq_hz: 3000, gain_db: 1, channel: "mid" }], compressor: { threshold_db: -20, ratio: 2 },
      multiband: { crossovers_hz: [200, 2500], bands: [{ ratio: 2 }, { ratio: 2 }, { ratio: 2 }] }, width: 1.2, saturation: { drive_db: 3 } }, -20));
    p.playing = true;
    p.active = new Set(["stems"]);
    const r = await p.measureLoad(2);
    p.playing = false;
    return r;
  });
});
