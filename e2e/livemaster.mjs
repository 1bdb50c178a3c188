// The engineer's chain as a demanding user tries it on a phone-wide page:
// every processor of the master and of a strip set through the page, the
// live player's graph for them (the master section, the worklet dynamics
// with the expander and ranges), values beyond the session's bounds named
// next to their fields, everything kept over a reload, a render whose
// report figures show on the page, and offline checks that the live
// approximations keep level within stated tolerances. The last line
// printed is a JSON summary.
//
//   node livemaster.mjs URL ARTIFACTS_DIR
import fs from "node:fs";
import path from "node:path";
import { args, openDemo, pageChainFigures, renderAndWait, runChecks, until } from "./lib.mjs";

const [url, artifacts] = args("livemaster.mjs", ["URL", "ARTIFACTS_DIR"]);
fs.mkdirSync(artifacts, { recursive: true });

// setNum types a value into a number input as a user does.
const setNum = async (loc, v) => { await loc.fill(String(v)); };

await runChecks("livemaster", artifacts, async (page, summary) => {
  const { id, token, get } = await openDemo(page, url);

  // ---- every master processor, through the page ----
  await page.evaluate(() => setView("master"));
  await page.click("#master-add-band");
  const band = page.locator("#master-bands .band").first();
  await band.locator(".band-type").selectOption("peak");
  await setNum(band.locator(".band-freq"), 3000);
  await setNum(band.locator(".band-gain"), 2);
  await band.locator(".band-channel").selectOption("mid");
  await page.click("#master-add-band");
  const hp = page.locator("#master-bands .band").nth(1);
  await hp.locator(".band-type").selectOption("lr_high_pass");
  await setNum(hp.locator(".band-freq"), 30);
  await hp.locator(".band-slope").selectOption("24");
  const comp = page.locator("#master-comp");
  await comp.locator(".comp-on").check();
  await setNum(comp.locator(".comp-threshold"), -20);
  await setNum(comp.locator(".comp-ratio"), 2);
  await setNum(comp.locator(".comp-sidechain"), 90);
  await comp.locator(".comp-channel").selectOption("side");
  await page.locator("#master-multiband .mb-on").check();
  await page.locator("#master-multiband details.mb-band").first().locator("summary").click();
  const mb0 = page.locator("#master-multiband details.mb-band").first();
  await setNum(mb0.locator(".ch-expand-threshold-db"), -50);
  await setNum(mb0.locator(".ch-expand-ratio"), 2);
  await setNum(mb0.locator(".ch-range-db"), 6);
  await page.evaluate(() => { const w = document.querySelector("#master-width"); w.value = 1.5; w.dispatchEvent(new Event("input", { bubbles: true })); });
  const sat = page.locator("#master-saturation");
  await sat.locator(".opt-on").check();
  await setNum(sat.locator(".opt-drive_db"), 6);
  await sat.locator(".opt-character").selectOption("warm");
  const lim = page.locator("#master-limiter");
  await setNum(lim.locator(".lim-ceiling"), -1.5);
  await setNum(lim.locator(".lim-release"), 100);
  await lim.locator(".lim-character").selectOption("punchy");
  await lim.locator(".lim-stem-aware").check();
  await setNum(lim.locator(".lim-w-drums"), 3);
  let s = await until(async () => {
    const s = await get("/session");
    const m = s.master || {};
    return m.saturation && m.saturation.character === "warm" && m.limiter && m.limiter.stem_aware && m.limiter.stem_aware.drums === 3 &&
      m.multiband && m.multiband.bands[0].range_db === 6 && m.eq && m.eq.length === 2 && m.eq[1].slope === 24 && m.width === 1.5 ? s : null;
  }) || await get("/session");
  summary.master_session = s.master;

  // ---- the live player's master section ----
  // Played before the analysis ahead lands (a slow device takes about the
  // song's length): the text says the level is still being measured, and
  // stops saying so once it lands.
  await page.evaluate(() => {
    const real = analyseAhead; // livemaster.js
    let release;
    const held = new Promise(r => { release = r; });
    window.releaseAhead = () => { release(); window.analyseAhead = real; };
    window.analyseAhead = async (...a) => { await held; return real(...a); };
    state.ahead = null;
  });
  await page.click("#master-play");
  summary.measuring_text = await until(() => page.evaluate(() => { const t = document.querySelector("#master-gr").textContent; return /measuring the song ahead/.test(t) ? t : null; }));
  await page.evaluate(() => window.releaseAhead());
  summary.landed_text = await until(() => page.evaluate(() => { const t = document.querySelector("#master-gr").textContent; return /analysed ahead/.test(t) && !/measuring/.test(t) ? t : null; }));
  summary.master_graph = await until(() => page.evaluate(() => {
    const p = player();
    const kinds = (p.masterLinks || []).map(l => l.kind);
    // Once the server has measured the stem sum the gain is set from, and
    // the gain has glided there.
    const measured = state.sumMeasured && state.sumMeasured.key === sumKey();
    const lim = (p.masterLinks || []).find(l => l.kind === "limiter");
    // The gain set is the estimate, or the analysis ahead's once landed.
    const settled = lim && lim.parameters && p.master && Math.abs(lim.parameters.get("gain_db").value - p.master.gain_db) < 1e-3;
    window.lmAhead = p.master && p.master.ahead ? p.master.ahead.gain_db : null;
    return measured && settled && p.ctx && p.ctx.smWorklets && kinds.includes("limiter") ? liveGraph(p.masterLinks) : null;
  }));
  summary.master_ahead = await page.evaluate(() => window.lmAhead);
  // It is heard: the stem bus at unity once the sum is measured, sound
  // out of the section.
  const audible = () => until(() => page.evaluate(() => {
    const p = player();
    return p.playing && p.groups.stems.gain.value > 0.99 && p.level() > -60;
  }), 20_000);
  summary.master_audible = await audible();
  summary.master_target = await page.evaluate(() => ({ before: beforeLUFS(), params: liveMasterParams(state.session.master, beforeLUFS()) }));
  summary.master_live_note = await page.locator("#master-live-note").textContent();
  // The live limiter's meter reads while it plays.
  summary.master_gr = await until(() => page.evaluate(() => { const t = document.querySelector("#master-gr").textContent; return /^live: gain [+−]?\d+\.\d dB .* · true-peak limiter −?\d+\.\d dB( \(on the sum live; stem-aware in the render\))?$/.test(t) ? t : null; }));
  // A gain or a width glides on the section built (the limiter's state
  // kept); a new limiter character (its hold) builds the limiter again.
  summary.gain_glides = await page.evaluate(() => {
    const p = player(), lim = () => p.masterLinks.find(l => l.kind === "limiter"), width = () => p.masterLinks.find(l => l.kind === "width");
    const before = lim(), w = width();
    p.setMaster({ ...p.master, gain_db: p.master.gain_db + 1 });
    p.setMaster({ ...p.master, width: 1.25 });
    const kept = lim() === before && width() === w;
    p.setMaster({ ...p.master, limiter: { ...p.master.limiter, hold_ms: 12 } });
    return kept && lim() !== before;
  });
  await page.click("#master-play"); // stop
  summary.ab_has_no_master = await page.evaluate(async () => {
    state.playingIn = "ab";
    updatePlayerParams();
    return player().masterLinks.length === 0;
  });

  // ---- a strip: de-esser (with listen off), dynamic EQ, multiband expander ----
  await page.evaluate(() => setView("mix"));
  const strip = page.locator("#mixer .strip").first();
  await strip.locator("details.deess summary").click();
  await strip.locator(".deess-fields .opt-on").check();
  await setNum(strip.locator(".deess-fields .opt-range_db"), 4);
  await strip.locator("details.deq summary").click();
  await strip.locator(".add-deq").click();
  await setNum(strip.locator(".deq-band .ch-range-db"), 3);
  await strip.locator("details.mb summary").click();
  await strip.locator(".mb-on").check();
  await strip.locator("details.mb-band").first().locator("summary").click();
  await setNum(strip.locator("details.mb-band").first().locator(".ch-expand-ratio"), 3);
  await strip.locator("details.eq summary").click();
  await strip.locator(".add-band").click();
  await strip.locator(".bands .band .band-channel").first().selectOption("side");
  await strip.locator("details.comp summary").click();
  await strip.locator(".comp-on").check();
  const file = await strip.getAttribute("data-file");
  summary.strip_graph = await until(() => page.evaluate(f => {
    const p = player();
    p.ensureContext();
    const t = p.tracks.get("stem:" + f);
    if (!p.ctx.smWorklets || !t || !t.chain) return null;
    const kinds = t.chain.links.map(l => l.kind);
    return kinds.includes("multiband") && kinds.includes("de_esser") && kinds.includes("dynamic_eq") ? liveGraph(t.chain.links) : null;
  }, file));
  // The mixer's play runs the master section only when ticked.
  summary.mixer_master = await page.evaluate(() => {
    state.playingIn = "mix";
    updatePlayerParams();
    const off = player().masterLinks.length;
    document.querySelector("#live-master").checked = true;
    updatePlayerParams();
    return { off, on: player().masterLinks.map(l => l.kind) };
  });
  // Played from the mixer with the master section ticked, it is heard.
  await page.click("#live-play");
  summary.mixer_audible = await audible();
  await page.click("#live-play"); // stop
  s = await until(async () => {
    const s = await get("/session");
    const st = s.stems[0];
    return st.de_esser && st.dynamic_eq && st.multiband && st.multiband.bands[0].expand_ratio === 3 && st.compressor && st.eq ? s : null;
  }) || await get("/session");
  summary.strip_session = s.stems[0];

  // Every number field with a session path, and the range it offers.
  summary.fields = await page.evaluate(() => [...document.querySelectorAll("input[type=number][data-field]")].map(i => ({ field: i.dataset.field, min: i.min, max: i.max, step: i.step, exclusive: i.dataset.exclusive || "" })));
  summary.fields_session = await get("/session");
  // Every deliverable the page offers, as it writes it into the session.
  summary.deliverables = await page.evaluate(() => [...document.querySelectorAll(".deliverable")].map(cb => DELIVERABLES[cb.value] || { missing: cb.value }));

  // ---- values beyond the bounds: named at their fields, nothing clamped ----
  await page.evaluate(() => setView("master"));
  await setNum(comp.locator(".comp-ratio"), 150);
  await setNum(sat.locator(".opt-drive_db"), 30);
  await setNum(lim.locator(".lim-ceiling"), -25);
  await page.waitForFunction(() => document.querySelectorAll("#master-section .field-error").length >= 3);
  summary.bound_errors = await page.evaluate(() => [...document.querySelectorAll("#master-section .field-error")].map(e => {
    const label = e.previousElementSibling;
    const inp = label && (label.matches("[data-field]") ? label : label.querySelector("[data-field]"));
    return { field: inp && inp.dataset.field, text: e.textContent };
  }));
  await page.screenshot({ path: path.join(artifacts, "livemaster-bounds-390.png"), fullPage: true });
  await setNum(page.locator("#master-comp .comp-ratio"), 2);
  await setNum(page.locator("#master-saturation .opt-drive_db"), 6);
  await setNum(page.locator("#master-limiter .lim-ceiling"), -1.5);
  summary.bound_errors_cleared = await until(async () => await page.locator("#master-section .field-error").count() === 0 &&
    (await get("/session")).master.compressor.ratio === 2);
  // Not a number: said at once, the session keeps the last number.
  await setNum(page.locator("#master-limiter .lim-release"), "");
  await page.locator("#master-limiter .lim-release").pressSequentially("-");
  summary.nan_note = await page.locator("#master-limiter .typed-error").count();
  await setNum(page.locator("#master-limiter .lim-release"), 100);

  // ---- a reload keeps every setting ----
  await until(async () => (await get("/session")).master.limiter.release_ms === 100);
  await page.reload();
  await page.waitForFunction(() => state.session && state.session.master && state.session.master.saturation);
  await page.evaluate(() => setView("master"));
  summary.reloaded = await page.evaluate(() => {
    const v = s => { const e = document.querySelector(s); return e ? (e.type === "checkbox" ? e.checked : e.value) : null; };
    return {
      band_channel: v("#master-bands .band .band-channel"), band_gain: v("#master-bands .band .band-gain"),
      hp_type: v("#master-bands .band:nth-child(2) .band-type"), hp_slope: v("#master-bands .band:nth-child(2) .band-slope"),
      comp_ratio: v("#master-comp .comp-ratio"), comp_channel: v("#master-comp .comp-channel"), comp_hpf: v("#master-comp .comp-sidechain"),
      mb_on: v("#master-multiband .mb-on"), mb_range: v("#master-multiband .ch-range-db"), width: v("#master-width"),
      sat_drive: v("#master-saturation .opt-drive_db"), sat_character: v("#master-saturation .opt-character"),
      lim_ceiling: v("#master-limiter .lim-ceiling"), lim_release: v("#master-limiter .lim-release"), lim_character: v("#master-limiter .lim-character"),
      lim_aware: v("#master-limiter .lim-stem-aware"), lim_drums: v("#master-limiter .lim-w-drums"),
      deess_range: v("#mixer .strip .deess-fields .opt-range_db"), deess_on: v("#mixer .strip .deess-fields .opt-on"),
      strip_eq_channel: v("#mixer .strip .bands .band-channel"),
    };
  });

  // ---- a render: the report's chain figures on the page ----
  ({ state: summary.render, error: summary.render_error } = await renderAndWait(url, id, token, page));
  const project = await get("");
  summary.report = project.report;
  await page.evaluate(() => setView("results"));
  await page.waitForSelector("#chain-figures .stem-gr tbody tr");
  summary.page_report = await page.evaluate(pageChainFigures);
  await page.screenshot({ path: path.join(artifacts, "livemaster-results-390.png"), fullPage: true });
  summary.scroll_width = await page.evaluate(() => document.documentElement.scrollWidth);
  // At 360 px the stems' table fits its box or scrolls inside it: [its
  // box's right edge, the results' right edge, the page's width].
  await page.setViewportSize({ width: 360, height: 800 });
  summary.stem_table_360 = await page.evaluate(() => {
    const w = document.querySelector("#chain-figures .stem-gr").closest(".table-wrap"), box = document.querySelector("#chain-figures").closest("section") || document.querySelector("#chain-figures");
    return [w.getBoundingClientRect().right, box.getBoundingClientRect().right, document.documentElement.scrollWidth, w.scrollWidth - w.clientWidth];
  });
  await page.locator("#chain-figures").screenshot({ path: path.join(artifacts, "livemaster-chain-figures-360.png") });
  await page.setViewportSize({ width: 390, height: 844 });

  // ---- offline: the approximations keep level ----
  summary.offline = await page.evaluate(async () => {
    const rate = 48000, n = rate;
    const noise = (ctx, peak, stereo = true) => {
      const buf = ctx.createBuffer(2, n, rate);
      let seed = 7;
      for (let c = 0; c < 2; c++) buf.getChannelData(c).forEach((_, i, a) => {
        seed = (seed * 1103515245 + 12345) % 2147483648;
        a[i] = (seed / 2147483648 * 2 - 1) * peak;
      });
      if (!stereo) buf.getChannelData(1).set(buf.getChannelData(0));
      return buf;
    };
    // run plays buf through the links make(ctx) returns and gives the
    // output and the input.
    const run = async (make, peak, stereo) => {
      const ctx = new OfflineAudioContext(2, n, rate);
      await loadWorklets(ctx);
      const buf = noise(ctx, peak, stereo), src = ctx.createBufferSource();
      src.buffer = buf;
      liveRun(src, make(ctx)).connect(ctx.destination);
      src.start();
      return { out: await ctx.startRendering(), buf };
    };
    const energy = (b, from = rate / 10) => { let s = 0; for (let c = 0; c < 2; c++) for (const v of b.getChannelData(c).subarray(from)) s += v * v; return s; };
    const dB = async (make, peak = 0.1, stereo = true) => { const { out, buf } = await run(make, peak, stereo); return 10 * Math.log10(energy(out) / energy(buf)); };
    const peakOf = b => { let p = 0; for (let c = 0; c < 2; c++) for (const v of b.getChannelData(c)) p = Math.max(p, Math.abs(v)); return p; };
    const r = {};
    // The whole master section at neutral settings (0 dB bell on the
    // mid, a compressor and multiband that do not act, saturation at
    // 0 dB drive on a quiet signal, no gain, the limiter over the peaks).
    r.master_neutral_db = await dB(ctx => masterLinks(ctx, liveMasterParams({
      eq: [{ type: "peak", freq_hz: 1000, gain_db: 0, q: 1, channel: "mid" }], compressor: { threshold_db: 0, ratio: 2, channel: "side" },
      multiband: { crossovers_hz: [200, 2500], bands: [{ width: 1 }, { width: 1 }, { width: 1 }] }, saturation: { drive_db: 0, character: "soft" },
      target: "none", limiter: { ceiling_dbtp: 0 } }, null)), 0.05);
    r.gain_6_db = await dB(ctx => masterLinks(ctx, { gain_db: 6 }));
    // The tone match: a flat +3 dB curve, and a shelf of +6 dB from 2 kHz
    // against the level its curve predicts for white noise (the mean of
    // its power gain over the band).
    r.match_flat3_db = await dB(ctx => masterLinks(ctx, { match_eq: [{ freq_hz: 100, gain_db: 3 }, { freq_hz: 10000, gain_db: 3 }] }));
    {
      const pts = [{ freq_hz: 1000, gain_db: 0 }, { freq_hz: 2000, gain_db: 6 }];
      let p = 0;
      for (let k = 0; k < 24000; k++) p += Math.pow(10, matchGainDB(pts, k + 0.5) / 10);
      r.match_shelf_error_db = await dB(ctx => masterLinks(ctx, { match_eq: pts })) - 10 * Math.log10(p / 24000);
    }
    r.soft_db = await dB(ctx => [liveSaturation(ctx, { drive_db: 0, character: "soft" })], 0.01);
    r.cubic_vs_soft_db = await dB(ctx => [liveSaturation(ctx, { drive_db: 0, character: "cubic" })], 0.01) - r.soft_db;
    r.warm_vs_soft_db = await dB(ctx => [liveSaturation(ctx, { drive_db: 0, character: "warm" })], 0.01) - r.soft_db;
    // The limiter: under the ceiling it is a delay (white noise peaking at
    // −12 dBFS: its true peak, between the samples, is some 5 dB higher);
    // driven +12 dB over it, no sample passes it.
    r.limiter_under_db = await dB(ctx => [liveLimiter(ctx, { ceiling_db: -1, lookahead_ms: 5, release_ms: 80 })], 0.25);
    {
      const { out } = await run(ctx => [liveLimiter(ctx, { ceiling_db: -1, lookahead_ms: 5, release_ms: 80, hold_ms: 10 })], 4);
      r.limiter_peak_dbfs = 20 * Math.log10(peakOf(out));
    }
    // The expander: 40 dB under its threshold at 1:2, held to its 6 dB
    // range; the de-esser's cut of the band above 6 kHz held to 6 dB
    // (white noise: 3/4 of the power above 6 kHz at 48 kHz, so −3.58 dB).
    r.expander_range_db = await dB(ctx => liveDynamics(ctx, { expand_threshold_db: -20, expand_ratio: 2, range_db: 6, release_ms: 100 }), 0.01);
    r.deesser_range_db = await dB(ctx => [liveDeEsser(ctx, { freq_hz: 6000, threshold_db: -60, range_db: 6 })], 0.5);
    // Width 0: the side is gone (L = R), the mid kept.
    {
      const { out } = await run(ctx => masterLinks(ctx, { width: 0 }), 0.1);
      const L = out.getChannelData(0), R = out.getChannelData(1);
      let side = 0;
      for (let i = 0; i < n; i++) side = Math.max(side, Math.abs(L[i] - R[i]));
      r.width0_side_max = side;
    }
    // The compressor's static curve on a steady sine (its peak at
    // −10 dBFS, 4:1 over −20: −17.5 dBFS, a gain of −7.5 dB), and its
    // detector high-pass at 200 Hz, which leaves a 30 Hz sine alone.
    const sine = async (f, comp) => {
      const ctx = new OfflineAudioContext(2, n, rate);
      await loadWorklets(ctx);
      const buf = ctx.createBuffer(2, n, rate);
      for (let c = 0; c < 2; c++) buf.getChannelData(c).forEach((_, i, a) => { a[i] = Math.pow(10, -10 / 20) * Math.sin(2 * Math.PI * f * i / rate); });
      const src = ctx.createBufferSource();
      src.buffer = buf;
      liveRun(src, liveCompressor(ctx, comp)).connect(ctx.destination);
      src.start();
      const out = await ctx.startRendering();
      return 10 * Math.log10(energy(out, n / 2) / energy(buf, n / 2));
    };
    r.compressor_curve_db = await sine(1000, { threshold_db: -20, ratio: 4, attack_ms: 1, release_ms: 50 });
    r.compressor_hpf_db = await sine(30, { threshold_db: -20, ratio: 4, attack_ms: 1, release_ms: 50, sidechain_hpf_hz: 200 });
    r.compressor_30hz_db = await sine(30, { threshold_db: -20, ratio: 4, attack_ms: 1, release_ms: 50 });
    // The pass filters' responses at the corner and an octave below it
    // (high-pass at 1 kHz), in dB, as the browser computes its nodes'.
    {
      const ctx = new OfflineAudioContext(2, 128, rate);
      const resp = (b, f) => {
        const mag = new Float32Array(1), ph = new Float32Array(1);
        let db = 0;
        for (const node of biquads(ctx, b)) { node.getFrequencyResponse(new Float32Array([f]), mag, ph); db += 20 * Math.log10(mag[0]); }
        return db;
      };
      for (const [type, slope] of [["high_pass", 6], ["high_pass", 12], ["high_pass", 24], ["high_pass", 48], ["lr_high_pass", 12], ["lr_high_pass", 24], ["lr_high_pass", 48]]) {
        const b = { type, freq_hz: 1000, slope };
        r[type + slope + "_fc_db"] = resp(b, 1000);
        r[type + slope + "_octave_db"] = resp(b, 500);
      }
    }
    // A figure that is not a number fails the run (JSON would send null).
    for (const [k, v] of Object.entries(r)) if (!Number.isFinite(v)) throw new Error("offline " + k + " is " + v);
    return r;
  });
});
