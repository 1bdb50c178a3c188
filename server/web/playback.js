// Playback: the live player and the rendered streams, the before/after
// comparison at equal loudness, the live master's figures, the load check and
// the transport.
// One of the page's classic scripts: index.html loads them in order into
// one global scope.
"use strict";

// ---- live playback: mixer and A/B ------------------------------------------

function player() {
  if (!state.player) {
    state.player = new window.LivePlayer(fetchBytes);
    window.stemmasterPlayer = state.player;
    state.player.onstate = updateTransport;
    // Underruns heard while playing: said, with the light path offered.
    state.player.onglitch = g => { state.glitch = g; showLoad(); };
    // Parts of stems that came late: silences the connection made, said
    // apart from the device's.
    state.player.onlate = () => { state.late = (state.late || 0) + 1; showLoad(); };
  }
  return state.player;
}

function mainMaster() {
  const outs = (state.project && state.project.outputs) || [];
  const audio = outs.filter(o => o.kind === "audio" && o.name.startsWith("main"));
  return audio.find(o => o.name === "main.wav") || audio[0] || null;
}

// ensureStreams tells the player which previews exist (the stems, the
// mix, the main master).
async function ensureStreams() {
  if (!state.project) return;
  const m = mainMaster();
  // The mode is in the key: mastering the mix alone plays it on the stem
  // bus, and back to the stems it goes on its own bus again (it stayed,
  // summed with the stems: the song twice).
  const key = state.id + "|" + state.project.stems.map(s => s.name + s.size).join(",") + "|" + (state.project.mix ? state.project.mix.name : "") + "|" + (m ? m.url : "") + "|" + !!state.project.stereo;
  if (state.streamsKey === key && state.streams) return state.streams;
  state.streamsKey = key;
  const s = await api("GET", projectPath("/streams" + (m ? "?master=" + encodeURIComponent(m.name) : "")));
  if (state.streamsKey !== key) return state.streams; // a newer call supersedes this one
  state.streams = s;
  const list = [];
  const stereo = state.project.stereo;
  for (const x of s.stems) if (!stereo) list.push({ id: "stem:" + x.name, group: "stems", info: x });
  if (s.mix) list.push({ id: stereo ? "stem:" + s.mix.name : "mix:" + s.mix.name, group: stereo ? "stems" : "mix", info: s.mix });
  if (s.master) list.push({ id: "master", group: "master", info: s.master });
  player().setTracks(list);
  updatePlayerParams();
  return s;
}

// versionIncludes reports whether a stem of role r plays in version v (as
// the engine's Version.Includes).
function versionIncludes(v, r) {
  const vocal = r === "lead_vocal" || r === "backing_vocals";
  if (v === "instrumental") return !vocal;
  if (v === "a_cappella") return vocal;
  if (v === "tv") return r !== "lead_vocal";
  return true;
}

function updatePlayerParams() {
  if (!state.player || !state.session) return;
  const rate = stemRate();
  // A version plays on the Master step only; one file is main.
  const version = state.playingIn === "master" && state.project && !oneFile() ? ($("#master-version") || {}).value || "main" : "main";
  for (const st of state.session.stems || []) {
    state.player.setParams("stem:" + st.file, {
      gainDB: st.gain_db || 0, mute: effectiveMute(st.file), out: !versionIncludes(version, st.role), polarity: st.polarity === "inverted" ? -1 : 1,
      swap: !!st.swap_channels, signL: st.polarity === "left_inverted" ? -1 : 1, signR: st.polarity === "right_inverted" ? -1 : 1,
      pan: st.pan || 0, width: st.width === undefined || st.width === null ? 1 : st.width, eq: st.eq || [], comp: st.compressor || null,
      deEsser: st.de_esser || null, dynamicEQ: st.dynamic_eq || null, multiband: st.multiband || null, offsetS: (st.offset_samples || 0) / rate,
    });
  }
  // The master section plays on the stem bus while balancing (when
  // ticked) and on the Master step, never in the A/B or comparison
  // players, whose "before" is the plain stem sum.
  const withMaster = state.playingIn === "master" || (state.playingIn === "mix" && $("#live-master").checked);
  if (withMaster && state.streams && (!state.sumMeasured || state.sumMeasured.key !== sumKey())) refreshSumLoudness();
  const before = state.streams ? beforeLUFS() : null;
  const ahead = (withMaster || state.view === "master") && state.streams ? aheadFor(liveMasterParams(state.session.master, before, "main", null)) : null;
  state.player.setMaster(withMaster ? liveMasterParams(state.session.master, before, version, renderGain(), ahead) : null); // livemaster.js
  if (state.view === "results") applyABGains();
}

// AHEAD_WAIT_MS: the analysis ahead starts once the settings rest this
// long.
const AHEAD_WAIT_MS = 400;

// aheadKey is what the analysis ahead of main master m depends on: the
// stems as they play main (strips, faders, mutes, offsets), the light
// path, the song and the master section but its gain.
function aheadKey(m) {
  const pl = state.player;
  const stems = [...pl.tracks.values()].filter(t => t.group === "stems").map(t => [t.id, t.info.version, Object.assign({}, t.params, { out: false })]);
  const rest = Object.assign({}, m, { gain_db: null, render_gain_db: null, before_lufs: null, adapt: null });
  return JSON.stringify([state.id, stems, !!pl.light, pl.duration, rest]);
}

// aheadFor returns the analysis ahead (livemaster.js analyseAhead) of the
// master m for the settings playing, or null while there is none: one is
// started once the settings rest, one at a time, and the player's
// parameters are updated when it lands.
function aheadFor(m) {
  if (m.target_lufs === undefined) return null;
  const key = aheadKey(m);
  if (state.ahead && state.ahead.key === key) return state.ahead.r;
  // The same settings asked again (every update asks) keep their wait,
  // or their analysis running.
  if (state.aheadWaiting === key || state.aheadRunning === key) return null;
  state.aheadWaiting = key;
  clearTimeout(state.aheadTimer);
  state.aheadTimer = setTimeout(async () => {
    state.aheadWaiting = null;
    if (state.aheadRunning) return; // the one running asks again when it lands
    state.aheadRunning = key;
    const id = state.id;
    const r = await analyseAhead(state.player, m).catch(e => { console.warn("live player: no analysis ahead:", e); return null; });
    state.aheadRunning = null;
    if (id !== state.id) return;
    state.ahead = { key, r }; // none (nothing plays, or it failed): not asked again
    updatePlayerParams(); // settings moved meanwhile: the next analysis starts
  }, AHEAD_WAIT_MS);
  return null;
}

// renderGain is the gain the current render found to the target, when the
// session playing is the one it was rendered from (the mixer, the strips,
// the master chain and target: the canonical JSON of both alike), else
// null: the live master starts from it.
function renderGain() {
  const rep = renderedReport();
  return rep && rep.master && typeof rep.master.gain_db === "number" ? rep.master.gain_db : null;
}

// renderedReport is the current render's report when the session playing
// is the one it was rendered from (as renderGain), else null.
function renderedReport() {
  const rev = (state.revisions || []).find(r => r.current);
  const rep = rev && rev.report, sess = rev && rev.session;
  if (!rep || !sess) return null;
  // The target as figures: the server spells out a preset's.
  const mixing = s => ({ stems: (s.stems || []).map(st => Object.assign({}, st, { role: null })),
    master: Object.assign({}, s.master, { target: masterTarget((s.master || {}).target) }) }); // livemaster.js
  return canonicalJSON(mixing(sess)) === canonicalJSON(mixing(sessionToSend())) ? rep : null;
}

// abBeforeLUFS is the loudness of what the A/B player's "before" plays,
// the stems through their strips at the mixer, and whether it is
// measured: the render's stem sum (its stems after their chains) when the
// session is the one rendered; else the server's sum at the faders (the
// strips left out) or the estimate.
function abBeforeLUFS() {
  const rep = renderedReport();
  const v = rep && rep.sum && rep.sum.integrated_lufs;
  if (typeof v === "number" && !oneFile()) return { lufs: v, measured: true };
  return { lufs: beforeLUFS(), measured: !!(state.sumMeasured && state.sumMeasured.key === sumKey()) };
}

// canonicalJSON is x as JSON with object keys sorted and null, false, 0,
// empty and absent values left out (the server and the page write the
// same session with different defaults spelled out: the server leaves a
// zero out where the page writes it, a multiband band's makeup_db).
function canonicalJSON(x) {
  const walk = v => {
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === "object") {
      const o = {};
      for (const k of Object.keys(v).sort()) {
        const w = walk(v[k]);
        if (w === null || w === undefined || w === false || w === 0 || w === "" || (Array.isArray(w) && !w.length)) continue;
        o[k] = w;
      }
      return o;
    }
    return v;
  };
  return JSON.stringify(walk(x));
}

// sumLUFS estimates the loudness of the stems at the mixer's settings: a
// power sum of each stem's measured loudness plus its fader, calibrated
// against a sum whose loudness is known — the mix (the stems at unity
// add up to it) or the last render's stem sum — because gated loudness
// of a stem that is silent half the song is higher than its share.
function powerSum(items) {
  let p = 0;
  for (const [lufs, db] of items) if (lufs !== null && lufs !== undefined) p += Math.pow(10, (lufs + db) / 10);
  return p > 0 ? 10 * Math.log10(p) : null;
}

function sumLUFS() {
  const s = state.streams;
  if (!s) return null;
  const info = file => s.stems.find(x => x.name === file) || (s.mix && s.mix.name === file ? s.mix : null) || {};
  const stems = state.session.stems || [];
  const now = powerSum(stems.filter(st => !effectiveMute(st.file)).map(st => [info(st.file).integrated_lufs, st.gain_db || 0]));
  if (now === null) return null;
  if (state.project.stereo) return now;
  let correction = 0;
  const rep = state.project.report;
  if (s.mix && s.mix.integrated_lufs !== null) {
    const unity = powerSum(stems.map(st => [info(st.file).integrated_lufs, 0]));
    if (unity !== null) correction = s.mix.integrated_lufs - unity;
  } else if (rep && rep.sum && rep.stems) {
    const then = powerSum(rep.stems.filter(x => !x.muted).map(x => [x.after_lufs, 0]));
    if (then !== null && rep.sum.integrated_lufs !== null) correction = rep.sum.integrated_lufs - then;
  }
  return now + correction;
}

// applyABGains plays the chosen programme alone, at the loudness of the
// quietest of the three so louder never sounds better.
// The server measures the stems' sum at the mixer's gains, mutes,
// polarities and offsets (sum-loudness); until it answers, and for what
// it leaves out, the estimate stands in.
function sumKey() {
  return JSON.stringify((sessionToSend().stems || []).map(st => [st.file, st.gain_db || 0, !!st.mute, st.polarity, st.offset_samples || 0, !!st.swap_channels]));
}

function refreshSumLoudness() {
  clearTimeout(state.sumTimer);
  state.sumTimer = setTimeout(async () => {
    const key = sumKey();
    const id = state.id;
    const res = await api("POST", projectPath("/sum-loudness"), sessionToSend()).catch(() => null);
    if (!res || id !== state.id || key !== sumKey()) return;
    state.sumMeasured = { key, lufs: res.integrated_lufs };
    // The A/B player's gains only where it plays: the mixer's and the
    // master's players keep the stem bus at unity.
    updatePlayerParams();
    if (state.view === "results") applyABGains();
  }, 300);
}

function beforeLUFS() {
  const m = state.sumMeasured;
  if (m && m.key === sumKey() && m.lufs !== null) return m.lufs;
  return sumLUFS();
}

function applyABGains() {
  const s = state.streams;
  if (!s || !state.session) return;
  if (!state.sumMeasured || state.sumMeasured.key !== sumKey()) refreshSumLoudness();
  const before = abBeforeLUFS();
  const L = { before: before.lufs, mix: s.mix && !state.project.stereo ? s.mix.integrated_lufs : null, after: s.master ? s.master.integrated_lufs : null };
  const vals = Object.values(L).filter(v => v !== null && v !== undefined);
  const quiet = vals.length ? Math.min(...vals) : 0;
  const g = k => (L[k] === null || L[k] === undefined ? 1 : Math.pow(10, (quiet - L[k]) / 20));
  const mode = state.abMode;
  state.abGains = { stems: mode === "before" ? g("before") : 0, mix: mode === "mix" ? g("mix") : 0, master: mode === "after" ? g("after") : 0 };
  player().setGroupGains(state.abGains);
  const ab = $("#ab");
  ab.dataset.sumVolume = g("before").toFixed(3);
  ab.dataset.masterVolume = g("after").toFixed(3);
  const measured = before.measured;
  $("#ab-levels").textContent = (oneFile() ? beforeName() + " " : `stems at your mix ${measured ? "" : "≈ "}`) + `${fmtNum(L.before)} LUFS` + (L.mix !== null ? `, mix ${fmtNum(L.mix)} LUFS` : "") + `, master ${fmtNum(L.after)} LUFS — all played at ${fmtNum(quiet)} LUFS`;
}

function setupAB() {
  const p = state.project;
  $("#ab-mix-l").hidden = !p.mix || p.stereo;
  $("#ab input[value=before] + span").textContent = "before: " + (oneFile(p) ? beforeName(p) : "stems at your mix");
  $$("#ab input[name=ab]").forEach(r => { r.checked = r.value === state.abMode; });
  $("#ab-which").textContent = abLabel();
  if (state.view === "results") ensureStreams().then(applyABGains).catch(fail);
}

function abLabel() {
  if (state.abMode === "before") return beforeName() + " (before)" + (oneFile() ? "" : " at your mix");
  return { after: "master", mix: "the mix as delivered" }[state.abMode];
}

function setABMode(mode) {
  state.abMode = mode;
  $$("#ab input[name=ab]").forEach(r => { r.checked = r.value === mode; });
  $("#ab-which").textContent = abLabel();
  applyABGains();
}

async function togglePlay(where) {
  const pl = player();
  if (pl.playing) { stopPlayback(); return; }
  state.playingIn = where;
  if (state.glitch || state.late) { state.glitch = null; state.late = 0; showLoad(); } // a new listen counts afresh
  await ensureStreams();
  if (where === "mix" || where === "master") pl.setGroupGains({ stems: 1 });
  else applyABGains();
  updatePlayerParams();
  const started = pl.play(pl.pausedAt || 0);
  if (where === "mix" || where === "master") checkLoad().catch(e => console.warn("live player: load not measured:", e));
  await started;
}

// liveMasterText says what the live master section does as it plays: the
// gain to the target (found after the chain: what the strips and the
// master chain add to the stems' loudness, what the limiter takes) and
// the true-peak limiter's deepest reduction of the last tenth of a second.
function liveMasterText(st) {
  if (!st) return "";
  // Rounded first: a figure that rounds to zero reads 0.0, never −0.0.
  const round = (x, d) => { const r = Number(x.toFixed(d)); return r === 0 ? 0 : r; };
  const sign = (x, d = 1) => { const r = round(x, d); return (r > 0 ? "+" : "") + fmtNum(r, d); };
  let t = "live: gain " + sign(st.gain_db) + " dB";
  if (st.targeted) {
    const a = st.ahead;
    if (!st.adapt) t += " (main's)";
    else if (a) {
      const parts = [];
      if (Number.isFinite(a.chain_lu)) parts.push("chain " + sign(a.chain_lu) + " LU");
      parts.push("limiter " + sign(a.limiter_lu) + " LU");
      t += " to reach " + fmtNum(st.target_lufs, 1) + " LUFS (" + parts.join(", ") + (a.whole ? ", the whole song analysed ahead)" : ", " + fmtNum(a.seconds, 0) + " s across the song analysed ahead)");
    } else {
      // Until the analysis ahead lands (about the song's length on a slow
      // device) the gain follows the meters, and moves once it lands.
      const measuring = state.aheadRunning || state.aheadWaiting ? "; measuring the song ahead, the level settles when done" : "";
      if (st.blocks > 0) {
        const parts = [];
        if (Number.isFinite(st.chain_lu)) parts.push("chain " + sign(st.chain_lu) + " LU");
        parts.push("limiter " + sign(st.limiter_lu) + " LU");
        t += " to reach " + fmtNum(st.target_lufs, 1) + " LUFS (" + parts.join(", ") + measuring + ")";
      } else t += " (estimate" + measuring + ")";
    }
  }
  // The render's limiter may be stem-aware; the live one limits the sum.
  return t + " · true-peak limiter " + fmtNum(round(Math.min(0, st.gr), 1), 1) + " dB" + (st.stem_aware ? " (on the sum live; stem-aware in the render)" : "");
}

// LOAD_LIGHT: the live graph must render at least this many times faster
// than real time offline, or the strips play without their dynamics
// (the light path): below it, a busy device drops audio.
const LOAD_LIGHT = 1.5;

// checkLoad measures the live graph once per set of chains (mixer.js
// measureLoad) and takes the light path on a device too slow for it,
// saying so with a way back.
async function checkLoad() {
  const pl = player();
  const key = JSON.stringify([[...pl.tracks.values()].map(t => t.chainBuilt), pl.master ? masterPlan(pl.master).map(x => x.topo) : null]);
  if (state.loadKey === key) return;
  state.loadKey = key;
  let r = await pl.measureLoad(1);
  // A busy moment reads slow: a second reading, the faster kept.
  if (r.speed < LOAD_LIGHT) {
    const again = await pl.measureLoad(1);
    if (again.speed > r.speed) r = again;
  }
  state.load = r;
  pl.setLight(r.speed < LOAD_LIGHT && !state.forceFull && pl.hasStripDynamics());
  showLoad();
  updatePlayerParams(); // the light path plays another chain: its analysis ahead
}

function showLoad() {
  const pl = player(), r = state.load, g = state.glitch, late = state.late || 0;
  for (const box of $$(".live-load")) {
    box.replaceChildren();
    if (late) {
      box.append(el("p", { class: "late-note", text: "The connection is slow: " + late + (late === 1 ? " part" : " parts") + " of the stems arrived after " +
        (late === 1 ? "its" : "their") + " time and played silent for a moment. The files are whole, and the render is not affected." }));
    }
    if (g && g.events > 0) {
      // Heard, not predicted: the sound broke up as it played.
      box.hidden = false;
      box.dataset.glitches = g.events;
      const said = "The sound broke up " + g.events + (g.events === 1 ? " time" : " times") + " while playing" + (g.seconds >= 0.05 ? " (" + fmtNum(g.seconds, 1) + " s lost)" : "") +
        ": this device cannot keep up with the live chain. The render is not affected.";
      if (!pl.light && pl.hasStripDynamics()) {
        box.append(said + " ", el("button", { type: "button", class: "link live-light", text: "play lighter", onclick: () => { state.forceFull = false; state.glitch = null; pl.setLight(true); showLoad(); updatePlayerParams(); } }),
          " (the strips without their dynamics)");
      } else box.append(said + (pl.light ? " It already plays the strips without their dynamics." : ""));
      continue;
    }
    delete box.dataset.glitches;
    box.hidden = !late && (!r || (r.speed >= LOAD_LIGHT && !pl.light));
    if (!r || (r.speed >= LOAD_LIGHT && !pl.light)) continue;
    const speed = fmtNum(r.speed, 1) + "× real time";
    if (!pl.light && !pl.hasStripDynamics()) {
      box.append("The live chain renders at only " + speed + " on this device: the sound may break up. The render is not affected.");
    } else if (pl.light) {
      // Light for the speed measured, or after the sound broke up at a
      // speed that looked enough.
      const why = r.speed < LOAD_LIGHT ? "This device renders the live chain at only " + speed + ", too slow to play it without gaps" : "The sound broke up while playing";
      box.append(why + ": the strips play without their dynamics (compressor, de-esser, dynamic EQ, multiband). The render has them all. ",
        el("button", { type: "button", class: "link live-full", text: "play them anyway", onclick: () => { state.forceFull = true; pl.setLight(false); showLoad(); updatePlayerParams(); } }));
    } else {
      box.append("The live chain renders at only " + speed + " on this device: the sound may break up. ",
        el("button", { type: "button", class: "link live-light", text: "play lighter", onclick: () => { state.forceFull = false; pl.setLight(true); showLoad(); updatePlayerParams(); } }));
    }
  }
}

function stopPlayback() {
  if (!state.player) return;
  state.player.pausedAt = state.player.position();
  state.player.stop();
}

function updateTransport() {
  const pl = state.player;
  if (!pl) return;
  const pos = pl.position();
  $("#live-play").textContent = pl.playing && state.playingIn === "mix" ? "■ Stop" : "▶ Play";
  $("#master-play").textContent = pl.playing && state.playingIn === "master" ? "■ Stop" : "▶ Play through this master";
  const version = $("#master-version");
  const none = state.session && version.value !== "main" && !(state.session.stems || []).some(st => versionIncludes(version.value, st.role));
  $("#master-gr").textContent = none ? "no stem plays in this version: give the vocal stems their roles in Balance" : liveMasterText(pl.liveState());
  $("#live-gr").textContent = state.playingIn === "mix" ? liveMasterText(pl.liveState()) : "";
  $("#ab-play").textContent = pl.playing && state.playingIn === "ab" ? "■ Stop" : "▶ Play";
  $("#cmp-play").textContent = pl.playing && state.playingIn === "cmp" ? "■ Stop" : "▶ Play";
  $("#live-time").textContent = $("#ab-time").textContent = $("#master-time").textContent = fmtTime(pos) + " / " + fmtTime(pl.duration);
  const seek = $("#live-seek");
  seek.max = Math.max(1, pl.duration);
  if (document.activeElement !== seek) seek.value = pos;
}
