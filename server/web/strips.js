// The mix view: a strip per stem (level, pan, channel fixes, chain), the
// session sent to the server and its saving.
// One of the page's classic scripts: index.html loads them in order into
// one global scope.
"use strict";

function renderMixer() {
  const mixer = $("#mixer");
  mixer.replaceChildren();
  const stems = (state.session && state.session.stems) || [];
  const rate = stemRate();
  const tpl = $("#strip-template");
  for (const st of stems) {
    const strip = tpl.content.firstElementChild.cloneNode(true);
    strip.dataset.file = st.file;
    // Every strip has the same controls: each names its stem (core.js
    // nameControls), so a screen reader reads "drums.wav: mute", never
    // eight "M"s.
    strip.setAttribute("role", "group");
    strip.setAttribute("aria-label", st.file);
    $(".strip-name", strip).textContent = st.file;
    $(".strip-name", strip).title = st.file;
    $(".role", strip).value = st.role || "other";
    $(".fader", strip).value = st.gain_db || 0;
    $(".mute", strip).checked = !!state.mutes[st.file];
    $(".solo", strip).checked = !!state.solos[st.file];
    $(".polarity", strip).checked = st.polarity === "inverted";
    showChannelFixes(strip, st);
    $(".pan", strip).value = st.pan || 0;
    $(".offset", strip).value = st.offset_samples || 0;
    $(".offset", strip).dataset.field = "stems[" + stems.indexOf(st) + "].offset_samples";
    const bands = $(".bands", strip);
    const drawBands = () => {
      bands.replaceChildren();
      (st.eq || []).forEach((b, i) => bands.append(bandEditor(b, () => stripChanged(strip, st), () => { st.eq.splice(i, 1); if (!st.eq.length) delete st.eq; drawBands(); stripChanged(strip, st); }, "stems[" + stems.indexOf(st) + "].eq[" + i + "]")));
      $(".eq-count", strip).textContent = st.eq && st.eq.length ? "(" + st.eq.length + ")" : "";
    };
    drawBands();
    $(".add-band", strip).addEventListener("click", () => {
      st.eq = st.eq || [];
      st.eq.push({ type: "peak", freq_hz: 1000, gain_db: 0, q: 1 });
      drawBands(); stripChanged(strip, st);
    });
    compEditor($(".comp-fields", strip), st.compressor, c => { if (c) st.compressor = c; else delete st.compressor; updatePlayerParams(); scheduleSave(); }, "stems[" + stems.indexOf(st) + "].compressor");
    strip.dataset.field = "stems[" + stems.indexOf(st) + "]";
    stripChain(strip, st, stems.indexOf(st));
    optEditor($(".deess-fields", strip), st.de_esser, { freq_hz: 6000, threshold_db: -30, range_db: 6 },
      [["freq_hz", "from", 4000, 10000, 100, "Hz"], ["threshold_db", "threshold", -80, 0, 1, "dB"], ["range_db", "at most", 0, 24, 0.5, "dB"],
        ["listen", "listen (the band alone)", "bool"]],
      d => { if (d) st.de_esser = d; else delete st.de_esser; updatePlayerParams(); scheduleSave(); }, "on", "stems[" + stems.indexOf(st) + "].de_esser");
    $(".width", strip).value = st.width === undefined || st.width === null ? 1 : st.width;
    showStrip(strip, st, rate);
    strip.addEventListener("input", () => { readStrip(strip, st); stripChanged(strip, st); });
    strip.addEventListener("change", () => { readStrip(strip, st); stripChanged(strip, st); });
    mixer.append(strip);
  }
  updatePlayerParams();
}

// stemRate is the song's rate: the most common among the stems the
// session does not resample (ties to the higher), as the render takes it.
function stemRate() {
  const p = state.project;
  if (!p) return 48000;
  const stems = (state.session && state.session.stems) || [];
  const count = {};
  for (const f of p.stems) {
    const st = stems.find(x => x.file === f.name);
    if (f.sample_rate && !(st && st.resample)) count[f.sample_rate] = (count[f.sample_rate] || 0) + 1;
  }
  let best = 0;
  for (const [r, n] of Object.entries(count)) if (n > (count[best] || 0) || (n === count[best] && +r > best)) best = +r;
  return best || (p.mix && p.mix.sample_rate) || 48000;
}

function showStrip(strip, st, rate) {
  $(".gain", strip).textContent = (st.gain_db > 0 ? "+" : "") + fmtNum(st.gain_db || 0, 1) + " dB";
  const pan = st.pan || 0;
  $(".pan-value", strip).textContent = Math.abs(pan) < 0.01 ? "C" : (pan < 0 ? "L" : "R") + Math.round(Math.abs(pan) * 100);
  $(".width-value", strip).textContent = fmtWidth(st.width);
  $(".offset-ms", strip).textContent = st.offset_samples ? fmtNum(st.offset_samples * 1000 / (rate || stemRate()), 1) + " ms" : "";
  const notes = (state.project && state.project.fixes || []).filter(f => f.file === st.file && f.apply && f.applied).map(f => "✓ from the check: " + f.apply.label);
  $(".applied", strip).textContent = notes.join("; ");
  strip.classList.toggle("muted-strip", effectiveMute(st.file));
}

function readStrip(strip, st) {
  st.role = $(".role", strip).value;
  st.gain_db = clampNum($(".fader", strip).value, -48, 48, 0);
  state.mutes[st.file] = $(".mute", strip).checked;
  state.solos[st.file] = $(".solo", strip).checked;
  saveMixState();
  readChannelFixes(strip, st);
  st.pan = clampNum($(".pan", strip).value, -1, 1, 0);
  if (!st.pan) delete st.pan;
  const w = clampNum($(".width", strip).value, 0, 4, 1);
  if (Math.abs(w - 1) < 1e-9) delete st.width; else st.width = w;
  // As typed (whole frames): the server names an offset beyond ±2^31.
  st.offset_samples = Math.round(typedNum($(".offset", strip), st.offset_samples || 0));
  if (!st.offset_samples) delete st.offset_samples;
}

// The corrections the engine makes as a stem is read: its channels
// exchanged (swap_channels), one channel inverted (polarity left_inverted
// or right_inverted; the Ø button inverts both) and a stem at another
// rate converted to the song's (resample, set by the check's Apply).
function stemInfo(file) {
  const p = state.project;
  return (p && (p.stems || []).find(x => x.name === file)) || null;
}

function showChannelFixes(strip, st) {
  const info = stemInfo(st.file);
  const mono = info && info.channels === 1;
  $$(".stereo-only", strip).forEach(e => { e.hidden = !!mono; });
  $(".swap", strip).checked = !!st.swap_channels;
  $(".polarity-ch", strip).value = st.polarity === "left_inverted" || st.polarity === "right_inverted" ? st.polarity : "";
  const rate = info && info.sample_rate;
  $(".rate-note", strip).textContent = st.resample ? "converted" + (rate ? " from " + rate + " Hz" : "") + " to the song's rate" : "";
}

function readChannelFixes(strip, st) {
  const both = $(".polarity", strip).checked, side = $(".polarity-ch", strip).value;
  // The two exclude each other: the one just changed wins.
  st.polarity = both && side ? (st.polarity === "inverted" ? side : "inverted") : both ? "inverted" : side || "normal";
  $(".polarity", strip).checked = st.polarity === "inverted";
  if (st.polarity === "inverted") $(".polarity-ch", strip).value = "";
  if ($(".swap", strip).checked) st.swap_channels = true; else delete st.swap_channels;
}

function stripChanged(strip, st) {
  $$("#mixer .strip").forEach(s => {
    const x = (state.session.stems || []).find(y => y.file === s.dataset.file);
    if (x) showStrip(s, x);
  });
  showStrip(strip, st);
  updatePlayerParams();
  scheduleSave();
}

function effectiveMute(file) {
  const anySolo = Object.values(state.solos).some(Boolean);
  return !!state.mutes[file] || (anySolo && !state.solos[file]);
}

// sessionToSend applies mute and solo: with any stem soloed, the others are muted.
function sessionToSend() {
  if (!state.session) return { stems: [] }; // between two projects
  const s = JSON.parse(JSON.stringify(state.session));
  for (const st of s.stems || []) {
    st.mute = effectiveMute(st.file);
    if (!st.mute) delete st.mute;
  }
  return s;
}

function scheduleSave() {
  updatePlayerParams();
  clearTimeout(state.saveTimer);
  state.saveTimer = setTimeout(() => saveSession().catch(fail), 400);
  refreshQuote();
}

const NOT_SAVED = "Not saved: ";

// dropGoneFiles takes out of the session the files no longer in the
// project (removed in another tab, on another device) and returns them
// (none: nothing went). The change being saved is kept for the files
// still there.
async function dropGoneFiles() {
  const id = state.id;
  const p = await api("GET", projectPath());
  if (id !== state.id || !state.session) return [];
  const have = new Set([...p.stems.map(f => f.name), p.mix ? p.mix.name : ""]);
  const gone = state.session.stems.filter(st => !have.has(st.file)).map(st => st.file);
  if (state.session.mix && !have.has(state.session.mix)) gone.push(state.session.mix);
  if (!gone.length) return gone;
  state.session.stems = state.session.stems.filter(st => have.has(st.file));
  if (state.session.mix && !have.has(state.session.mix)) delete state.session.mix;
  state.project = p;
  renderFiles();
  renderMixer();
  return gone;
}

// saveSession saves the session once the save before it has answered:
// two in flight (a fader moved again while a slow line carried the first)
// both named a stem removed in another tab, and the second's refusal came
// back after the first had taken the stem out, naming nothing left to
// drop. Each save reads the session when its turn comes.
function saveSession() {
  clearTimeout(state.saveTimer);
  state.saveTimer = null;
  const id = state.id, before = state.saving;
  const run = before ? before.catch(() => {}).then(() => id === state.id ? saveSessionNow() : undefined) : saveSessionNow();
  state.saving = run;
  run.catch(() => {}).then(() => { if (state.saving === run) state.saving = null; });
  return run;
}

async function saveSessionNow() {
  clearTimeout(state.saveTimer);
  state.saveTimer = null;
  if (!state.session) return;
  readMaster();
  // A project with no file yet has no session the server can hold (it
  // lists the stems): the settings wait here, and Master and Check say
  // what to upload.
  if (state.project && !state.project.stems.length && !state.project.mix) return;
  const id = state.id;
  let norm;
  try {
    norm = await api("PUT", projectPath("/session"), sessionToSend());
  } catch (e) {
    const gone = e instanceof APIError && e.status === 422 && id === state.id && (e.fields || []).some(f => f.kind === "no_file") ? await dropGoneFiles() : [];
    if (gone.length) {
      // Said once saved: it said "saved" while the save was on its way.
      await saveSessionNow();
      const many = gone.length > 1;
      status(gone.join(", ") + (many ? " are" : " is") + " no longer in the project (removed in another tab?): " + (many ? "their strips are" : "its strip is") + " gone, and your change is saved without " + (many ? "them." : "it."));
      return;
    }
    if (e instanceof Offline && id === state.id) state.keptSession = true; // saved when the server answers
    if (e instanceof APIError && e.status === 422 && id === state.id) {
      const n = (e.fields || []).length, shown = showFieldErrors(e.fields);
      // Each problem is at its field: the message elsewhere says where.
      if (n && shown === n) throw new Error(NOT_SAVED + (n === 1 ? "a setting is" : n + " settings are") + " out of bounds, marked at " + (n === 1 ? "its field" : "their fields") + ".");
    }
    throw e;
  }
  clearFieldErrors();
  const box = $("#render-error");
  if (box.textContent.startsWith(NOT_SAVED)) { box.hidden = true; box.textContent = ""; }
  if (id !== state.id || !state.session) return; // another project opened meanwhile
  // The server's view of the fixes depends on the session.
  const p = await api("GET", projectPath());
  if (id !== state.id || !state.session) return;
  state.project = p;
  state.session.stems.forEach(st => { const n = norm.stems.find(x => x.file === st.file); if (n) st.role = n.role; });
  renderGate();
  renderCheck();
  $$("#mixer .strip").forEach(s => { const x = state.session.stems.find(y => y.file === s.dataset.file); if (x) showStrip(s, x); });
  status("Session saved.");
}

// saveKept saves what the server could not take while it was away (core.js
// calls it when the server answers again): the session as it is now, and
// the title as typed.
function saveKept() {
  if (state.keptSession && state.session) {
    state.keptSession = false;
    saveSession().catch(fail);
  }
  if (state.keptTitle && !state.titleTimer) {
    state.keptTitle = false;
    titleTyped();
  }
}

// flushOnLeave sends a change still waiting for its pause when the page
// goes (a reload, a closed tab): keepalive requests outlive the page.
function flushOnLeave() {
  const send = (path, body) => fetch(path, { method: "PUT", keepalive: true, body: JSON.stringify(body),
    headers: { "Authorization": "Bearer " + state.token, "Content-Type": "application/json" } }).catch(() => {});
  if (state.saveTimer && state.session && state.id) {
    clearTimeout(state.saveTimer); state.saveTimer = null;
    readMaster();
    send(projectPath("/session"), sessionToSend());
  }
  if (state.titleTimer && state.id) {
    clearTimeout(state.titleTimer); state.titleTimer = null; state.titleSave = null;
    send(projectPath("/title"), { title: state.title || "" });
  }
}
