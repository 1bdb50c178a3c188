// stemmaster web page: plain JavaScript, no build step. It talks to the JSON
// API with the project's bearer token, which lives in the URL fragment (never
// sent to the server) and in localStorage.
"use strict";

const $ = (sel, root = document) => root.querySelector(sel);
const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));

const state = {
  id: null, token: null, project: null, session: null,
  mutes: {}, solos: {}, saveTimer: null, objectURLs: [],
};

// ---- API ------------------------------------------------------------------

class APIError extends Error {
  constructor(status, code, message) { super(message); this.status = status; this.code = code; }
}

async function api(method, path, body) {
  const opt = { method, headers: {} };
  if (state.token) opt.headers["Authorization"] = "Bearer " + state.token;
  if (body !== undefined) {
    opt.headers["Content-Type"] = "application/json";
    opt.body = JSON.stringify(body);
  }
  const res = await fetch(path, opt);
  if (res.status === 204) return null;
  const data = await res.json().catch(() => null);
  if (!res.ok) {
    const e = (data && data.error) || { code: "http_" + res.status, message: res.statusText };
    throw new APIError(res.status, e.code, e.message);
  }
  return data;
}

function projectPath(suffix = "") { return "/api/projects/" + state.id + suffix; }

// fetchBlob downloads an authenticated URL into an object URL.
async function fetchBlob(url) {
  const res = await fetch(url, { headers: { "Authorization": "Bearer " + state.token } });
  if (!res.ok) throw new APIError(res.status, "download", "download failed: " + res.status);
  const u = URL.createObjectURL(await res.blob());
  state.objectURLs.push(u);
  return u;
}

function status(msg, isError) {
  const el = $("#status");
  el.textContent = msg || "";
  el.className = isError ? "error" : "";
}

function fail(e) { status(e.message || String(e), true); console.error(e); }

// ---- project lifecycle ----------------------------------------------------

function setProject(id, token) {
  state.id = id; state.token = token;
  localStorage.setItem("stemmaster.project", JSON.stringify({ id, token }));
  history.replaceState(null, "", "#p=" + id + "&t=" + token);
  $("#project-link").textContent = "Project " + id.slice(0, 8) + " — keep this page's address to come back.";
  $("#app").hidden = false;
}

async function createProject(demo) {
  status(demo ? "Creating the demo project…" : "Creating a project…");
  state.token = null;
  const res = await api("POST", "/api/projects", demo ? { demo: true } : undefined);
  setProject(res.id, res.token);
  state.session = null; state.mutes = {}; state.solos = {};
  await reload();
  status(demo ? "Demo project ready: check it, balance it, master it." : "Project created: upload your stems.");
}

async function reload() {
  const p = await api("GET", projectPath());
  state.project = p;
  if (!state.session || !sameStems(state.session, p.session)) {
    state.session = p.session || { stems: [] };
    state.mutes = {}; state.solos = {};
    (state.session.stems || []).forEach(s => { state.mutes[s.file] = !!s.mute; });
  }
  render();
  return p;
}

function sameStems(a, b) {
  const names = s => ((s && s.stems) || []).map(x => x.file).sort().join("\n");
  return names(a) === names(b);
}

// ---- rendering the page from state ---------------------------------------

function render() {
  renderFiles();
  renderCheck();
  renderMixer();
  renderMaster();
  renderResults();
}

function fmtBytes(n) {
  if (n >= 1 << 20) return (n / (1 << 20)).toFixed(1) + " MiB";
  if (n >= 1 << 10) return (n / (1 << 10)).toFixed(0) + " KiB";
  return n + " B";
}

function fmtNum(v, digits = 1) { return v === null || v === undefined ? "—" : Number(v).toFixed(digits); }

function renderFiles() {
  const tbody = $("#files tbody");
  tbody.replaceChildren();
  const p = state.project;
  const rows = p.stems.map(f => ["stem", f]);
  if (p.mix) rows.push(["mix", p.mix]);
  for (const [kind, f] of rows) {
    const tr = document.createElement("tr");
    const name = document.createElement("td");
    name.textContent = f.name + (kind === "mix" ? " (reference mix)" : "");
    const fmt = document.createElement("td");
    fmt.textContent = `${f.sample_rate / 1000} kHz · ${f.bit_depth}-bit ${f.sample_format} · ${f.channels === 1 ? "mono" : f.channels === 2 ? "stereo" : f.channels + " ch"}`;
    const len = document.createElement("td");
    len.textContent = fmtNum(f.duration_s, 1) + " s · " + fmtBytes(f.size);
    const del = document.createElement("td");
    const b = document.createElement("button");
    b.type = "button"; b.textContent = "remove"; b.className = "link";
    b.addEventListener("click", () => removeFile(kind, f.name).catch(fail));
    del.append(b);
    tr.append(name, fmt, len, del);
    tbody.append(tr);
  }
}

async function removeFile(kind, name) {
  await api("DELETE", projectPath("/" + (kind === "mix" ? "mix" : "stems") + "/" + encodeURIComponent(name)));
  state.session = null;
  await reload();
}

// The rules of a stem delivery, each with the finding codes that break it.
// The third field marks rules that need the reference mix.
const RULES = [
  ["Every file is readable audio", ["unreadable", "unsupported_format"]],
  ["Same sample rate", ["sample_rate_mismatch"]],
  ["Same start (time-zero)", ["offset"]],
  ["Polarity as in the mix", ["polarity_inverted"], true],
  ["24-bit or float", ["bit_depth_low"]],
  ["Same length", ["length_mismatch"]],
  ["Stems sum to the mix", ["gain_mismatch", "sum_mismatch"], true],
  ["Headroom on the sum", ["headroom"]],
  ["No clipping", ["clipping"]],
  ["No silent stems", ["silent"]],
  ["No DC offset", ["dc_offset"]],
  ["No duplicated stems", ["duplicate"]],
  ["Channel layout", ["channel_mismatch", "mono_as_stereo"]],
  ["Number of stems", ["too_many_stems", "single_stem"]],
];

const SERVICE = {
  stem_mastering: "Stem mastering",
  stereo_mastering: "Stereo mastering is enough",
  mixing: "This needs mixing first",
};

function renderCheck() {
  const list = $("#checklist");
  list.replaceChildren();
  const check = state.project.check;
  if (!check) {
    const li = document.createElement("li");
    li.className = "muted";
    li.textContent = state.project.stems.length ? "Not checked yet: press Check." : "Upload stems first.";
    list.append(li);
  } else {
    const findings = check.findings || [];
    for (const [rule, codes, needsMix] of RULES) {
      const hits = findings.filter(f => codes.includes(f.code));
      let worst = hits.some(f => f.severity === "error") ? "error" : hits.some(f => f.severity === "warning") ? "warning" : hits.length ? "info" : "ok";
      if (worst === "ok" && needsMix && !check.mix) worst = "skipped";
      const li = document.createElement("li");
      li.className = "rule " + worst;
      li.dataset.codes = codes.join(" ");
      const head = document.createElement("span");
      head.className = "mark";
      head.textContent = { ok: "✓", error: "✗", warning: "!", info: "i", skipped: "–" }[worst];
      const title = document.createElement("span");
      title.textContent = rule + (worst === "skipped" ? " (not checked: upload the reference mix)" : "");
      li.append(head, title);
      if (hits.length) {
        const ul = document.createElement("ul");
        for (const f of hits) {
          const fi = document.createElement("li");
          fi.className = "finding " + f.severity;
          fi.textContent = (f.file ? f.file + ": " : "") + f.message;
          if (f.fix) {
            const fix = document.createElement("div");
            fix.className = "fix";
            fix.textContent = "Fix: " + f.fix;
            fi.append(fix);
          }
          ul.append(fi);
        }
        li.append(ul);
      }
      list.append(li);
    }
  }
  const adv = state.project.advice;
  const advEl = $("#advice");
  advEl.hidden = !adv;
  if (adv) {
    advEl.replaceChildren();
    const h = document.createElement("h3");
    h.textContent = "Advice: " + (SERVICE[adv.service] || adv.service);
    h.dataset.service = adv.service;
    const ul = document.createElement("ul");
    for (const r of adv.reasons || []) {
      const li = document.createElement("li");
      li.textContent = r;
      ul.append(li);
    }
    advEl.append(h, ul);
  }
  renderQuote();
}

function renderQuote() {
  const q = state.project.quote;
  const el = $("#quote");
  el.hidden = !q;
  if (!q) return;
  el.replaceChildren();
  const h = document.createElement("h3");
  const total = q.total !== undefined ? q.total : q.Total;
  const cur = q.currency || q.Currency || "";
  h.textContent = "Quote: " + (q.text || ((typeof total === "number" ? total.toFixed(2) : total) + " " + cur));
  el.append(h);
  const lines = q.lines || q.Lines || [];
  if (lines.length) {
    const ul = document.createElement("ul");
    for (const l of lines) {
      const li = document.createElement("li");
      const amount = l.amount !== undefined ? l.amount : l.Amount;
      li.textContent = (l.item || l.Item || l.description || "") + ": " + (typeof amount === "number" ? amount.toFixed(2) : amount) + " " + cur;
      ul.append(li);
    }
    el.append(ul);
  }
}

// ---- mixer ----------------------------------------------------------------

// The strip's EQ owns four bands, each a type at a fixed frequency; bands
// set otherwise (through the API) are kept as they are.
const UI_BANDS = { high_pass: 80, low_shelf: 120, peak: 1000, high_shelf: 8000 };
const isUIBand = b => UI_BANDS[b.type] === b.freq_hz;
function findBand(eq, type) { return (eq || []).find(b => b.type === type && isUIBand(b)); }

function renderMixer() {
  const mixer = $("#mixer");
  mixer.replaceChildren();
  const stems = state.session.stems || [];
  const tpl = $("#strip-template");
  for (const st of stems) {
    const strip = tpl.content.firstElementChild.cloneNode(true);
    strip.dataset.file = st.file;
    $(".strip-name", strip).textContent = st.file;
    $(".role", strip).value = st.role || "other";
    $(".fader", strip).value = st.gain_db || 0;
    $(".gain", strip).textContent = fmtNum(st.gain_db || 0, 1) + " dB";
    $(".mute", strip).checked = !!state.mutes[st.file];
    $(".solo", strip).checked = !!state.solos[st.file];
    $(".polarity", strip).checked = st.polarity === "inverted";
    $(".hp", strip).checked = !!findBand(st.eq, "high_pass");
    $(".eq-low", strip).value = (findBand(st.eq, "low_shelf") || {}).gain_db || 0;
    $(".eq-mid", strip).value = (findBand(st.eq, "peak") || {}).gain_db || 0;
    $(".eq-high", strip).value = (findBand(st.eq, "high_shelf") || {}).gain_db || 0;
    if (st.compressor) {
      $(".comp-on", strip).checked = true;
      $(".comp-threshold", strip).value = st.compressor.threshold_db;
      $(".comp-ratio", strip).value = st.compressor.ratio;
    }
    showValues(strip);
    strip.addEventListener("input", () => { readStrip(strip, st); scheduleSave(); });
    strip.addEventListener("change", () => { readStrip(strip, st); scheduleSave(); });
    mixer.append(strip);
  }
}

// showValues writes each EQ and compressor slider's value beside it.
function showValues(strip) {
  for (const [cls, unit] of [[".eq-low", " dB"], [".eq-mid", " dB"], [".eq-high", " dB"], [".comp-threshold", " dB"], [".comp-ratio", ":1"]]) {
    const input = $(cls, strip);
    input.parentElement.dataset.value = " " + input.value + unit;
  }
}

function readStrip(strip, st) {
  showValues(strip);
  st.role = $(".role", strip).value;
  st.gain_db = parseFloat($(".fader", strip).value);
  $(".gain", strip).textContent = fmtNum(st.gain_db, 1) + " dB";
  state.mutes[st.file] = $(".mute", strip).checked;
  state.solos[st.file] = $(".solo", strip).checked;
  st.polarity = $(".polarity", strip).checked ? "inverted" : "normal";
  const eq = (st.eq || []).filter(b => !isUIBand(b));
  if ($(".hp", strip).checked) eq.push({ type: "high_pass", freq_hz: 80, q: 0.707 });
  const low = parseFloat($(".eq-low", strip).value), mid = parseFloat($(".eq-mid", strip).value), high = parseFloat($(".eq-high", strip).value);
  if (low) eq.push({ type: "low_shelf", freq_hz: 120, gain_db: low, q: 0.707 });
  if (mid) eq.push({ type: "peak", freq_hz: 1000, gain_db: mid, q: 1.0 });
  if (high) eq.push({ type: "high_shelf", freq_hz: 8000, gain_db: high, q: 0.707 });
  if (eq.length) st.eq = eq; else delete st.eq;
  if ($(".comp-on", strip).checked) {
    st.compressor = Object.assign({ attack_ms: 10, release_ms: 120, knee_db: 6, makeup_db: 0 }, st.compressor || {},
      { threshold_db: parseFloat($(".comp-threshold", strip).value), ratio: parseFloat($(".comp-ratio", strip).value) });
  } else {
    delete st.compressor;
  }
}

const DELIVERABLES = {
  wav24: { format: "wav", bit_depth: 24 },
  cd: { format: "wav", bit_depth: 16, sample_rate: 44100, dither: "tpdf", suffix: "cd" },
  float: { format: "wav", bit_depth: 32, sample_format: "float", suffix: "float" },
  flac24: { format: "flac", bit_depth: 24 },
};

function deliverableKey(o) {
  for (const [k, d] of Object.entries(DELIVERABLES)) {
    if (o.format === d.format && o.bit_depth === d.bit_depth && (o.suffix || "") === (d.suffix || "")) return k;
  }
  return null;
}

function renderMaster() {
  const s = state.session;
  const target = s.master && s.master.target;
  let preset = "streaming";
  if (target === "none") preset = "none";
  else if (target && target.preset) preset = target.preset;
  $("#target").value = preset;
  const keys = (s.outputs || [{ format: "wav", bit_depth: 24 }]).map(deliverableKey);
  $$(".deliverable").forEach(cb => { cb.checked = keys.includes(cb.value); });
  const versions = s.versions || ["main"];
  $$(".version").forEach(cb => { cb.checked = versions.includes(cb.value); });
}

function readMaster() {
  const s = state.session;
  s.master = s.master || {};
  const preset = $("#target").value;
  s.master.target = preset === "none" ? "none" : { preset };
  const outs = $$(".deliverable").filter(cb => cb.checked).map(cb => Object.assign({}, DELIVERABLES[cb.value]));
  s.outputs = outs.length ? outs : [Object.assign({}, DELIVERABLES.wav24)];
  const versions = $$(".version").filter(cb => cb.checked).map(cb => cb.value);
  s.versions = versions.length ? versions : ["main"];
}

// sessionToSend applies mute and solo: with any stem soloed, the others are muted.
function sessionToSend() {
  const s = JSON.parse(JSON.stringify(state.session));
  const anySolo = Object.values(state.solos).some(Boolean);
  for (const st of s.stems || []) {
    st.mute = !!state.mutes[st.file] || (anySolo && !state.solos[st.file]);
    if (!st.mute) delete st.mute;
  }
  return s;
}

function scheduleSave() {
  clearTimeout(state.saveTimer);
  state.saveTimer = setTimeout(() => saveSession().catch(fail), 400);
}

async function saveSession() {
  clearTimeout(state.saveTimer);
  readMaster();
  await api("PUT", projectPath("/session"), sessionToSend());
  status("Session saved.");
}

// ---- jobs -----------------------------------------------------------------

async function runJob(kind, bar, stageEl) {
  const { job } = await api("POST", projectPath("/" + kind));
  bar.hidden = false;
  bar.value = 0;
  for (;;) {
    const j = await api("GET", projectPath("/jobs/" + job));
    bar.value = j.progress;
    if (stageEl) {
      const running = j.state === "running" && j.stage ? " — " + j.stage : "";
      stageEl.textContent = j.state + running + " " + Math.round(j.progress * 100) + " %";
    }
    if (j.state === "done" || j.state === "failed" || j.state === "cancelled") return j;
    await new Promise(r => setTimeout(r, 400));
  }
}

async function check() {
  status("Checking the delivery…");
  const j = await runJob("check", $("#check-progress"));
  await reload();
  if (j.state === "failed") throw new Error("Check failed: " + j.error);
  status("Check done.");
}

async function master() {
  const errEl = $("#render-error");
  errEl.hidden = true;
  await saveSession();
  status("Mastering…");
  const j = await runJob("render", $("#render-progress"), $("#render-stage"));
  await reload();
  if (j.state === "failed") {
    errEl.textContent = "The master failed: " + j.error;
    errEl.hidden = false;
    status("The master failed.", true);
    return;
  }
  if (j.state === "cancelled") {
    status("This master was cancelled (" + j.error + ").");
    return;
  }
  status("Master done: listen and download below.");
}

// ---- results --------------------------------------------------------------

function renderResults() {
  const p = state.project;
  const outs = p.outputs || [];
  $("#results-section").hidden = outs.length === 0;
  if (!outs.length) return;
  state.objectURLs.forEach(u => URL.revokeObjectURL(u));
  state.objectURLs = [];

  const tbody = $("#figures tbody");
  tbody.replaceChildren();
  const row = (label, f, cls) => {
    const tr = document.createElement("tr");
    if (cls) tr.className = cls;
    for (const v of [label, fmtNum(f.integrated_lufs, 1), fmtNum(f.true_peak_dbtp, 1), fmtNum(f.loudness_range_lu, 1)]) {
      const td = document.createElement("td");
      td.textContent = v;
      tr.append(td);
    }
    tbody.append(tr);
  };
  const before = (p.report && (p.report.sum || p.report.before)) || null;
  const preview = outs.find(o => o.kind === "preview");
  if (before) row("before: stem sum", before, "before");
  else if (preview && preview.figures) row("before: stem sum", preview.figures, "before");
  for (const o of outs.filter(o => o.kind === "audio")) row("after: " + o.name, o.figures || {}, "after");

  const pics = $("#pictures");
  pics.replaceChildren();
  const order = ["waveform.png", "loudness.png", "spectrum.png", "limiter.png"];
  const rank = n => (order.indexOf(n) + 1) || order.length + 1;
  for (const o of outs.filter(o => o.kind === "picture").sort((a, b) => rank(a.name) - rank(b.name))) {
    const fig = document.createElement("figure");
    const img = document.createElement("img");
    img.alt = o.name;
    img.dataset.name = o.name;
    fetchBlob(o.url).then(u => { img.src = u; }).catch(fail);
    const cap = document.createElement("figcaption");
    cap.textContent = o.name.replace(/\.png$/, "").replace(/[-_]/g, " ");
    fig.append(img, cap);
    pics.append(fig);
  }

  const dl = $("#downloads");
  dl.replaceChildren();
  const addDownload = (label, url, name) => {
    const li = document.createElement("li");
    const b = document.createElement("button");
    b.type = "button"; b.className = "download"; b.textContent = label;
    b.dataset.name = name;
    b.addEventListener("click", () => download(url, name).catch(fail));
    li.append(b);
    dl.append(li);
  };
  for (const o of outs.filter(o => o.kind === "audio" || o.kind === "report")) addDownload(o.name + " (" + fmtBytes(o.size) + ")", o.url, o.name);
  addDownload("everything as a zip", projectPath("/outputs.zip"), "stemmaster-" + state.id.slice(0, 8) + ".zip");

  setupAB(p.ab);
}

async function download(url, name) {
  const u = await fetchBlob(url);
  const a = document.createElement("a");
  a.href = u; a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
}

function setupAB(ab) {
  const box = $("#ab");
  box.hidden = !ab;
  if (!ab) return;
  const sum = $("#ab-sum"), mst = $("#ab-master");
  sum.pause(); mst.pause();
  fetchBlob(ab.sum).then(u => { sum.src = u; }).catch(fail);
  fetchBlob(ab.master).then(u => { mst.src = u; }).catch(fail);
  sum.volume = ab.sum_volume;
  mst.volume = ab.master_volume;
  box.dataset.sumVolume = ab.sum_volume;
  box.dataset.masterVolume = ab.master_volume;
  $("#ab-levels").textContent = `stem sum ${fmtNum(ab.sum_lufs)} LUFS, master ${fmtNum(ab.master_lufs)} LUFS — played at matched loudness`;
  state.abCurrent = "master";
  $("#ab-which").textContent = "master";
}

function abElements() {
  const cur = state.abCurrent === "master" ? $("#ab-master") : $("#ab-sum");
  const other = state.abCurrent === "master" ? $("#ab-sum") : $("#ab-master");
  return [cur, other];
}

function abPlay() {
  const [cur] = abElements();
  if (cur.paused) { cur.play().catch(fail); $("#ab-play").textContent = "Pause"; }
  else { cur.pause(); $("#ab-play").textContent = "Play"; }
}

function abSwitch() {
  const [cur, other] = abElements();
  const playing = !cur.paused;
  other.currentTime = cur.currentTime;
  cur.pause();
  state.abCurrent = state.abCurrent === "master" ? "sum" : "master";
  $("#ab-which").textContent = state.abCurrent === "master" ? "master" : "stem sum (before)";
  if (playing) other.play().catch(fail);
}

// ---- uploads --------------------------------------------------------------

function uploadFile(kind, file) {
  return new Promise((resolve, reject) => {
    const li = document.createElement("li");
    const label = document.createElement("span");
    label.textContent = file.name;
    const bar = document.createElement("progress");
    bar.max = 1; bar.value = 0;
    const msg = document.createElement("span");
    msg.className = "muted";
    li.append(label, bar, msg);
    $("#upload-list").append(li);
    const xhr = new XMLHttpRequest();
    xhr.open("POST", projectPath(kind === "mix" ? "/mix" : "/stems"));
    xhr.setRequestHeader("Authorization", "Bearer " + state.token);
    xhr.upload.onprogress = e => { if (e.lengthComputable) bar.value = e.loaded / e.total; };
    xhr.onload = () => {
      let data = null;
      try { data = JSON.parse(xhr.responseText); } catch (e) { /* not JSON */ }
      if (xhr.status >= 200 && xhr.status < 300) {
        bar.value = 1; msg.textContent = "uploaded"; li.className = "done";
        resolve(data);
      } else {
        const m = data && data.error ? data.error.message : xhr.statusText;
        msg.textContent = m; li.className = "failed";
        reject(new Error(m));
      }
    };
    xhr.onerror = () => { msg.textContent = "network error"; li.className = "failed"; reject(new Error("network error uploading " + file.name)); };
    const form = new FormData();
    form.append("file", file, file.name);
    xhr.send(form);
  });
}

async function uploadFiles(kind, files) {
  const errors = [];
  // Two at a time: enough to keep the line busy, each with its own bar.
  const queue = Array.from(files);
  const worker = async () => {
    while (queue.length) {
      const f = queue.shift();
      try { await uploadFile(kind, f); } catch (e) { errors.push(e.message); }
    }
  };
  await Promise.all([worker(), worker()]);
  state.session = null;
  await reload();
  if (errors.length) status(errors.join("; "), true);
  else status("Uploaded. Press Check.");
}

function setupDrop(el, input, kind) {
  ["dragenter", "dragover"].forEach(t => el.addEventListener(t, e => { e.preventDefault(); el.classList.add("over"); }));
  ["dragleave", "drop"].forEach(t => el.addEventListener(t, e => { e.preventDefault(); el.classList.remove("over"); }));
  el.addEventListener("drop", e => uploadFiles(kind, e.dataTransfer.files).catch(fail));
  input.addEventListener("change", () => { uploadFiles(kind, input.files).catch(fail).finally(() => { input.value = ""; }); });
}

// ---- start ----------------------------------------------------------------

function init() {
  $("#new-project").addEventListener("click", () => createProject(false).catch(fail));
  const demo = $("#try-demo");
  if (demo) demo.addEventListener("click", () => createProject(true).catch(fail));
  setupDrop($("#stem-drop"), $("#stem-input"), "stem");
  setupDrop($("#mix-drop"), $("#mix-input"), "mix");
  $("#run-check").addEventListener("click", () => check().catch(fail));
  $("#run-render").addEventListener("click", () => master().catch(fail));
  $("#target").addEventListener("change", scheduleSave);
  $$(".deliverable, .version").forEach(cb => cb.addEventListener("change", scheduleSave));
  $("#ab-play").addEventListener("click", abPlay);
  $("#ab-switch").addEventListener("click", abSwitch);

  const params = new URLSearchParams(location.hash.slice(1));
  let saved = null;
  if (params.get("p") && params.get("t")) saved = { id: params.get("p"), token: params.get("t") };
  else { try { saved = JSON.parse(localStorage.getItem("stemmaster.project")); } catch (e) { saved = null; } }
  if (saved && saved.id && saved.token) {
    setProject(saved.id, saved.token);
    reload().catch(e => {
      if (e.status === 404 || e.status === 403) {
        localStorage.removeItem("stemmaster.project");
        history.replaceState(null, "", "#");
        $("#app").hidden = true;
        status("That project has expired or was deleted. Start a new one.");
      } else fail(e);
    });
  } else {
    status("Start a new project, or try the demo.");
  }
}

document.addEventListener("DOMContentLoaded", init);
