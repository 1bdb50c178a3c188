// stemmaster web page: plain JavaScript, no build step. It talks to the JSON
// API with the project's bearer token, which lives in the URL fragment (never
// sent to the server) and in localStorage. The fragment also names the view
// (#p=ID&t=TOKEN&v=mix), so back and forward move between steps and a link
// opens the project where it was left.
"use strict";

const $ = (sel, root = document) => root.querySelector(sel);
const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));
const el = (tag, props = {}, ...kids) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === "class") e.className = v;
    else if (k === "text") e.textContent = v;
    // Attributes that are no element property (aria-label, data-…) go
    // as attributes: as a property they would be a JS expando, and a
    // screen reader would never hear them.
    else if (k.startsWith("data-") || k.startsWith("aria-")) e.setAttribute(k, v);
    else e[k] = v;
  }
  for (const c of kids) if (c !== null && c !== undefined) e.append(c);
  return e;
};

const VIEWS = ["upload", "check", "mix", "master", "results"];

const state = {
  id: null, token: null, project: null, session: null, view: "upload",
  mutes: {}, solos: {}, saveTimer: null, objectURLs: [],
  following: new Set(), checking: new Set(), lastJobs: "", streams: null, streamsKey: "",
  player: null, abMode: "after", abGains: null, pendingSwitch: null,
};

// ---- API ------------------------------------------------------------------

class APIError extends Error {
  constructor(status, code, message, fields, retryAfterMs) {
    super(message); this.status = status; this.code = code; this.fields = fields || []; this.retryAfterMs = retryAfterMs || 0;
  }
}

// Offline is a request that never reached the server (the connection
// dropped, the server restarting): a TypeError, as fetch's own, so the
// callers that ask again on the network's errors still do.
class Offline extends TypeError {
  constructor() { super("the server cannot be reached"); }
}

// explain says what went wrong in the musician's words, and what to do:
// the server's message where it says both, a plain sentence for the
// answers that speak to an API client (a pruned job, a store restarting,
// an internal error) or for none at all. The request id stays for
// support.
function explain(e) {
  if (e instanceof Offline) return "The page cannot reach the server (your connection dropped, or the server is restarting): nothing is lost. Check your connection and try again.";
  if (!(e instanceof APIError)) return e && e.message ? e.message : String(e);
  const rid = /\(request ([^)\s]+)\)/.exec(e.message || ""), ref = rid ? " (request " + rid[1] + ")" : "";
  switch (e.code) {
    case "unavailable": return "The service is briefly out of reach (its storage is restarting): nothing you did is lost. Try again in a few seconds" + ref + ".";
    case "internal": return "Something went wrong on the server: nothing you did is lost. Try again; if it happens again, quote this to support" + ref + ".";
    case "job_pruned": return "That job ended long ago and its record was cleared; the page shows the project's latest check and master.";
    case "not_found":
      // The project itself (the server's "no such project"): expired
      // while its tab stayed open, or deleted elsewhere.
      if (/^no such project/.test(e.message || "")) return "This project has expired or was deleted (projects are deleted after the retention period): start a new one with New project, and upload the files again.";
  }
  return e.message || "the server answered " + e.status;
}

// Stale is the answer to a request of a project that is no longer open:
// it is dropped, never applied to the project open now nor shown as an
// error.
class Stale extends Error {
  constructor() { super("answer for a project no longer open"); }
}

// The open project's scope: openScope starts a new one, and the old one's
// cleanups run (its event streams are cancelled). Every answer is checked
// against the scope it was asked in.
function openScope(id, token) {
  const old = state.scope;
  if (old) {
    old.closed = true;
    for (const c of old.cleanups) { try { c(); } catch (e) { /* already closed */ } }
    old.cleanups.clear();
  }
  state.scope = { id, token, closed: false, cleanups: new Set(), uploads: new Set(), sent: { done: 0, total: 0 } };
  return state.scope;
}

// stillOpen throws Stale when scope is no longer the open project's.
function stillOpen(scope) {
  if (scope !== state.scope) throw new Stale();
}

// api calls the server as the open project; anonymous calls (creating a
// project) pass token null so a request of the open project made meanwhile
// still carries its own token. An answer that arrives after another
// project opened rejects with Stale.
//
// A 503 unavailable (the service's database or blob store restarting) is
// asked again after its Retry-After, up to UNAVAILABLE_TRIES times, when
// the call is idempotent (GET, PUT, DELETE): a DELETE whose first try
// removed the thing before the 503 then finds it gone (404), which is
// what it asked for. A POST is never sent twice on its own.
async function api(method, path, body, token = state.token) {
  for (let tries = 1; ; tries++) {
    try {
      return await apiOnce(method, path, body, token);
    } catch (e) {
      if (tries > 1 && method === "DELETE" && e instanceof APIError && e.status === 404) return null;
      if (!(e instanceof APIError) || e.code !== "unavailable" || method === "POST" || tries >= UNAVAILABLE_TRIES) throw e;
      status("The service is briefly out of reach; trying again…");
      await sleep(Math.min(10_000, e.retryAfterMs || 2000));
    }
  }
}

const UNAVAILABLE_TRIES = 4;

async function apiOnce(method, path, body, token) {
  const scope = token && token === state.token ? state.scope : null;
  const opt = { method, headers: {} };
  if (token) opt.headers["Authorization"] = "Bearer " + token;
  if (body !== undefined) {
    opt.headers["Content-Type"] = "application/json";
    opt.body = JSON.stringify(body);
  }
  const res = await fetch(path, opt).catch(() => { throw new Offline(); });
  if (scope) stillOpen(scope);
  if (res.status === 204) return null;
  const data = await res.json().catch(() => null);
  if (scope) stillOpen(scope);
  if (!res.ok) {
    const e = (data && data.error) || { code: "http_" + res.status, message: res.statusText };
    const after = parseInt(res.headers.get("Retry-After") || "", 10);
    throw new APIError(res.status, e.code, e.message, e.fields || (e.field ? [{ field: e.field, message: e.message }] : []), Number.isFinite(after) ? after * 1000 : 0);
  }
  return data;
}

function projectPath(suffix = "") { return "/api/projects/" + state.id + suffix; }

// fetchAuthed fetches a URL of the open project with its token. A URL of
// another project (a preview or picture of the one open before) is never
// requested: it would go out with the wrong token.
async function fetchAuthed(url) {
  const scope = state.scope;
  const m = /\/api\/projects\/([^/?#]+)/.exec(url);
  if (!scope || (m && m[1] !== scope.id)) throw new Stale();
  const res = await fetch(url, { headers: { "Authorization": "Bearer " + scope.token } }).catch(() => { throw new Offline(); });
  stillOpen(scope);
  if (!res.ok) {
    const data = await res.json().catch(() => null);
    const e = (data && data.error) || {};
    throw new APIError(res.status, e.code || "download", e.message || "download failed: " + res.status);
  }
  return res;
}

async function fetchBytes(url) {
  return (await fetchAuthed(url)).arrayBuffer();
}

// fetchBlob downloads an authenticated URL into an object URL, revoked
// when the results are drawn again.
async function fetchBlob(url) {
  const res = await fetchAuthed(url);
  const u = URL.createObjectURL(await res.blob());
  state.objectURLs.push(u);
  return u;
}

function status(msg, isError) {
  const s = $("#status");
  s.textContent = msg || "";
  s.className = isError ? "error" : "";
}

// fail shows an error where the user is looking: in the current view's
// error box, and in the header.
function fail(e) {
  if (e instanceof Stale) return;
  const msg = explain(e);
  status(msg, true);
  const box = { upload: "#upload-list", check: "#check-error", master: "#render-error" }[state.view];
  if (box === "#upload-list") {
    // A dropped connection passes: the next answer from the server takes
    // its line away (reload), where it stayed under files all uploaded.
    $("#upload-list").append(el("li", { class: "failed" + (e instanceof Offline ? " offline" : ""), text: msg }));
  } else if (box) {
    $(box).textContent = msg;
    $(box).hidden = false;
  }
  // Wherever the page is scrolled, the error shows at the bottom of the
  // screen for a while.
  const toast = $("#toast");
  toast.textContent = msg;
  toast.hidden = false;
  clearTimeout(state.toastTimer);
  state.toastTimer = setTimeout(() => { toast.hidden = true; }, 9000);
  console.warn(e);
}

// ---- projects, URL and views ----------------------------------------------

function savedProjects() {
  try { return JSON.parse(localStorage.getItem("stemmaster.projects")) || []; } catch (e) { return []; }
}

// rememberProject keeps a project in this browser's list, first unless it
// is only a patch of one already listed (its title).
function rememberProject(id, token, patch = {}, first = true) {
  const saved = savedProjects();
  const at = saved.findIndex(p => p.id === id);
  const entry = Object.assign({ id, token, title: "", at: Date.now() }, saved[at] || {}, patch, { token });
  const list = saved.filter(p => p.id !== id);
  if (!first && at >= 0) list.splice(at, 0, entry); else list.unshift(entry);
  localStorage.setItem("stemmaster.projects", JSON.stringify(list.slice(0, 30)));
  renderProjectList();
}

function forgetProject(id) {
  localStorage.setItem("stemmaster.projects", JSON.stringify(savedProjects().filter(p => p.id !== id)));
  renderProjectList();
}

// projectTitle is the song's title: for the open project the server's
// (kept with the project, so every browser and tab names downloads alike),
// for the others the one this browser remembers.
function projectTitle(id = state.id) {
  if (id === state.id && typeof state.title === "string") return state.title;
  return (savedProjects().find(p => p.id === id) || {}).title || "";
}

// showTitle takes the server's title, unless the musician is typing one.
// A title this browser knew before the server kept titles goes to the
// server once.
function showTitle(t) {
  const input = $("#song-title");
  if (typeof t !== "string" || state.titleTimer || document.activeElement === input || t === state.title) return;
  const known = savedProjects().find(p => p.id === state.id) || {};
  if (!t && known.title && !known.titleKept) {
    input.value = known.title;
    titleTyped();
    return;
  }
  state.title = t;
  input.value = t;
  rememberProject(state.id, state.token, { title: t, titleKept: true }, false);
  if (state.project && (state.project.outputs || []).length) renderDownloads();
}

// titleTyped keeps a typed title here at once and on the server after a
// pause (or at once when another project opens), for the project it was
// typed in.
function titleTyped() {
  const t = $("#song-title").value.trim();
  state.title = t;
  rememberProject(state.id, state.token, { title: t }, false);
  if (state.project && (state.project.outputs || []).length) renderDownloads();
  clearTimeout(state.titleTimer);
  const id = state.id, token = state.token;
  state.titleSave = () => {
    state.titleTimer = null; state.titleSave = null;
    api("PUT", "/api/projects/" + id + "/title", { title: t }, token)
      .then(() => rememberProject(id, token, { titleKept: true }, false))
      .catch(e => { if (!(e instanceof Stale)) fail(e); });
  };
  state.titleTimer = setTimeout(state.titleSave, 500);
}

function renderProjectList() {
  const ul = $("#project-list");
  ul.replaceChildren();
  const list = savedProjects();
  if (!list.length) ul.append(el("li", { class: "muted", text: "No projects in this browser yet." }));
  for (const p of list) {
    const a = el("a", { href: "#p=" + p.id + "&t=" + p.token, text: (p.title || "Untitled") + " · " + p.id.slice(0, 8) });
    if (p.id === state.id) a.className = "current";
    ul.append(el("li", {}, a, el("span", { class: "muted", text: " " + new Date(p.at).toLocaleDateString() })));
  }
}

function hashParams() { return new URLSearchParams(location.hash.slice(1)); }

function urlFor(view) { return "#p=" + state.id + "&t=" + state.token + "&v=" + view; }

function setView(view, push = true) {
  if (!VIEWS.includes(view)) view = "upload";
  const changed = view !== state.view;
  state.view = view;
  $$(".view").forEach(s => { s.hidden = s.dataset.view !== view; });
  $$("#views a").forEach(a => {
    a.classList.toggle("active", a.dataset.view === view);
    if (a.dataset.view === view) a.setAttribute("aria-current", "step");
    else a.removeAttribute("aria-current");
    a.href = urlFor(a.dataset.view);
  });
  const want = urlFor(view);
  if (location.hash !== want) {
    if (push && changed) history.pushState(null, "", want);
    else history.replaceState(null, "", want);
  }
  if (view !== "mix" && view !== "results" && state.player && state.player.playing) stopPlayback();
  if (view === "mix" || view === "results") ensureStreams().catch(fail);
  if (view === "master") refreshQuote();
  // The Master step's live player: the previews described now, so its
  // analysis ahead (aheadFor) runs before the first play.
  if (view === "master" && state.project && (state.project.stems.length || state.project.mix)) ensureStreams().then(updatePlayerParams).catch(() => {});
}

// goTo opens a step the musician asked for, and moves the focus to its
// heading: the "Next" button pressed is hidden with its step, and the
// keyboard (and a screen reader) carries on from the new step's top
// rather than from the page's.
function goTo(view) {
  setView(view);
  focusHeading();
}

function focusHeading() {
  const h = $(`.view[data-view="${state.view}"] h2`);
  if (h) { h.tabIndex = -1; h.focus(); }
}

// focusLost reports whether the page took the focus away from where the
// keyboard had it: the button pressed was disabled while its job ran, or
// its step was hidden. The focus is then on the page's body, and a screen
// reader would carry on from the top.
function focusLost() {
  const a = document.activeElement;
  return !a || a === document.body || !a.getClientRects().length;
}

function openProject(id, token, view) {
  // A change not saved yet goes to the project it was made in.
  if (state.saveTimer && state.session && state.id) saveSession().catch(() => {});
  clearTimeout(state.saveTimer); state.saveTimer = null;
  clearTimeout(state.sumTimer);
  clearTimeout(state.titleTimer);
  if (state.titleSave) state.titleSave();
  state.title = null;
  stopPlayback();
  state.id = id; state.token = token;
  openScope(id, token);
  state.reloadAsked = state.reloadShown = 0;
  state.suggestion = null;
  if ($("#suggest-result")) $("#suggest-result").hidden = true;
  state.project = null; state.session = null; state.streams = null; state.streamsKey = "";
  state.lastJobs = ""; state.following = new Set(); state.checking = new Set(); state.sumMeasured = null;
  state.revisions = []; state.compareTicks = []; state.downloadRev = null; state.compare = null;
  $("#comparison").hidden = true;
  $("#revision-table tbody").replaceChildren();
  $("#upload-list").replaceChildren();
  for (const box of ["#check-error", "#render-error"]) $(box).hidden = true;
  status("");
  loadMixState();
  rememberProject(id, token);
  $("#app").hidden = false;
  for (const sel of ["#render-progress", "#check-progress"]) $(sel).hidden = true;
  for (const sel of ["#render-stage", "#check-stage"]) $(sel).textContent = "";
  for (const sel of ["#run-render", "#run-check", "#master-anyway"]) $(sel).disabled = false;
  $("#project-link").textContent = "Project " + id.slice(0, 8) + " — bookmark this page to come back.";
  $("#song-title").value = projectTitle();
  setView(view || "upload", false);
  return reload().then(unfinishedUploads).catch(e => {
    if (e.status === 404 || e.status === 403) {
      forgetProject(id);
      $("#app").hidden = true;
      history.replaceState(null, "", "#");
      status("That project has expired or was deleted, or the link is wrong. Start a new one.", true);
    } else fail(e);
  });
}

async function createProject(demo) {
  status(demo ? "Creating the demo project…" : "Creating a project…");
  const res = await api("POST", "/api/projects", demo ? { demo: true } : {}, null);
  history.pushState(null, "", "#p=" + res.id + "&t=" + res.token + "&v=" + (demo ? "check" : "upload"));
  await openProject(res.id, res.token, demo ? "check" : "upload");
  status(demo ? "Demo project ready: check it, balance it, master it." : "Project created: upload your stems, or one stereo mix.");
}

// onLocation follows the address bar: a view of this project switches
// view; another project's link asks first, never replacing the open one
// silently.
function onLocation() {
  const h = hashParams();
  const id = h.get("p"), token = h.get("t");
  if (!id || !token) {
    if (state.id) history.replaceState(null, "", urlFor(state.view));
    return;
  }
  if (id === state.id) { setView(h.get("v") || "upload", false); return; }
  if (!state.id) { openProject(id, token, h.get("v")); return; }
  state.pendingSwitch = { id, token, view: h.get("v") };
  const known = savedProjects().find(p => p.id === id);
  $("#switch-text").textContent = "This link opens another project" + (known && known.title ? " (“" + known.title + "”)" : " (" + id.slice(0, 8) + ")") +
    ". The one open now (" + (projectTitle() || state.id.slice(0, 8)) + ") stays in My projects.";
  $("#switch-banner").hidden = false;
  history.replaceState(null, "", urlFor(state.view));
}

function acceptSwitch() {
  const p = state.pendingSwitch;
  $("#switch-banner").hidden = true;
  state.pendingSwitch = null;
  if (!p) return;
  history.pushState(null, "", "#p=" + p.id + "&t=" + p.token + "&v=" + (p.view || "upload"));
  openProject(p.id, p.token, p.view);
}

function declineSwitch() {
  $("#switch-banner").hidden = true;
  state.pendingSwitch = null;
}

// Mute and solo live in this browser per project: the session records the
// resulting mutes, so reading them back would turn a solo into mutes.
function loadMixState() {
  try {
    const m = JSON.parse(localStorage.getItem("stemmaster.mix." + state.id));
    state.mutes = (m && m.mutes) || {}; state.solos = (m && m.solos) || {};
    state.mixStateSaved = !!m;
  } catch (e) { state.mutes = {}; state.solos = {}; state.mixStateSaved = false; }
}

function saveMixState() {
  localStorage.setItem("stemmaster.mix." + state.id, JSON.stringify({ mutes: state.mutes, solos: state.solos }));
  state.mixStateSaved = true;
}

// ---- loading --------------------------------------------------------------

// reload draws the project as the server has it. Two reloads may answer
// out of order: an answer older than the one drawn is dropped.
async function reload() {
  const n = ++state.reloadAsked;
  const [p, title] = await Promise.all([api("GET", projectPath()), api("GET", projectPath("/title")).catch(e => { if (e instanceof Stale) throw e; return null; })]);
  if (n < state.reloadShown) return state.project;
  state.reloadShown = n;
  state.project = p;
  $$("#upload-list li.offline").forEach(li => li.remove());
  if (title) showTitle(title.title);
  document.dispatchEvent(new Event("projectload"));
  if (!state.session || !sameStems(state.session, p.session)) {
    state.session = p.session || { stems: [] };
    if (!state.mixStateSaved) {
      state.mutes = {}; state.solos = {};
      (state.session.stems || []).forEach(s => { state.mutes[s.file] = !!s.mute; });
    }
    renderMixer();
    renderMaster();
  }
  state.lastJobs = JSON.stringify(p.jobs);
  state.lastFiles = filesKey(p);
  renderFiles();
  renderCheck();
  renderGate();
  renderResults();
  resumeJobs();
  return p;
}

function sameStems(a, b) {
  const names = s => ((s && s.stems) || []).map(x => x.file).sort().join("\n");
  return names(a) === names(b);
}

// resumeJobs follows any job still queued or running: after a reload, or
// one another tab started.
function resumeJobs() {
  for (const j of state.project.jobs || []) {
    if ((j.state === "queued" || j.state === "running") && !state.following.has(j.id)) followJob(j).catch(fail);
  }
}

// filesKey is what of project p's files the page shows.
const filesKey = p => JSON.stringify([p.stems.map(f => [f.name, f.size]), p.mix && [p.mix.name, p.mix.size]]);

// watch picks up what other tabs do (a new check or render, a file
// uploaded or removed) while this one is open. A change of this tab's not
// yet saved waits: its save meets the files as they are.
async function watch() {
  if (!state.id || document.hidden || state.following.size || state.saveTimer) return;
  const p = await api("GET", projectPath()).catch(() => null);
  if (!p || state.following.size || (JSON.stringify(p.jobs) === state.lastJobs && filesKey(p) === state.lastFiles)) return;
  await reload();
}

// ---- files ----------------------------------------------------------------

function fmtBytes(n) {
  if (n >= 1 << 30) return (n / (1 << 30)).toFixed(1) + " GiB";
  if (n >= 1 << 20) return (n / (1 << 20)).toFixed(1) + " MiB";
  if (n >= 1 << 10) return (n / (1 << 10)).toFixed(0) + " KiB";
  return n + " B";
}

function fmtNum(v, digits = 1) { return v === null || v === undefined || Number.isNaN(v) ? "—" : Number(v).toFixed(digits).replace("-", "−"); }

function fmtTime(s) { s = Math.max(0, s || 0); return Math.floor(s / 60) + ":" + String(Math.floor(s % 60)).padStart(2, "0"); }

function renderFiles() {
  const tbody = $("#files tbody");
  tbody.replaceChildren();
  const p = state.project;
  const rows = p.stems.map(f => ["stem", f]);
  if (p.mix) rows.push(["mix", p.mix]);
  for (const [kind, f] of rows) {
    const b = el("button", { type: "button", class: "link", text: "remove" });
    b.setAttribute("aria-label", "remove " + f.name);
    b.addEventListener("click", () => removeFile(kind, f.name).catch(fail));
    const ch = f.channels === 1 ? "mono" : f.channels === 2 ? "stereo" : f.channels + " ch";
    tbody.append(el("tr", {},
      el("td", { text: f.name + (kind === "mix" ? " (stereo mix)" : "") }),
      el("td", { text: `${f.sample_rate / 1000} kHz · ${f.bit_depth}-bit ${f.sample_format} · ${ch}` }),
      el("td", { text: fmtNum(f.duration_s, 1) + " s · " + fmtBytes(f.size) }),
      el("td", {}, b)));
  }
  const both = p.stems.length > 0 && !!p.mix;
  $("#mode").hidden = !both;
  $$("#mode input").forEach(r => { r.checked = r.value === (p.stereo ? "stereo" : "stems"); });
}

async function removeFile(kind, name) {
  const checked = !!(state.project && state.project.check);
  await api("DELETE", projectPath("/" + (kind === "mix" ? "mix" : "stems") + "/" + encodeURIComponent(name)));
  state.session = null;
  await reload();
  // The check was of the files as they were: it is gone with the file.
  status(name + " removed." + (checked && (state.project.stems.length || state.project.mix) ? " Press Check again: the last check was of the files as they were." : ""));
}

async function setMode(mode) {
  state.session = await api("POST", projectPath("/mode"), { mode });
  await reload();
  renderMixer();
  renderMaster();
  refreshQuote();
  status(mode === "stereo" ? "The mix will be mastered alone (stereo mastering)." : "The stems will be mastered (stem mastering).");
}

// ---- check ----------------------------------------------------------------

// The rules of a stem delivery, each with the finding codes that break it.
// The third field marks rules that need the reference mix.
// RULES: each rule's line, its finding codes, whether it holds the stems
// against the mix, and whether it compares files with each other (a
// single file has nothing to compare: "not needed", never a ✓ that says
// nothing).
const RULES = [
  ["Every file is readable audio", ["unreadable", "unsupported_format"]],
  ["Every file complete (not cut short)", ["truncated"]],
  ["No NaN or infinite samples", ["non_finite"]],
  ["Same sample rate", ["sample_rate_mismatch"], false, true],
  ["Same start (time-zero)", ["offset", "drift"], false, true],
  ["Polarity as in the mix", ["polarity_inverted"], true],
  ["Left and right as in the mix", ["channels_swapped"], true],
  ["24-bit or float", ["bit_depth_low"]],
  ["Same length", ["length_mismatch"], false, true],
  ["Levels and panning as in the mix (each channel)", ["gain_mismatch"], true],
  ["Stems sum to the mix", ["sum_mismatch"], true],
  ["Headroom on the sum", ["headroom"]],
  ["No clipping", ["clipping", "out_of_range"]],
  ["No silent stems", ["silent"]],
  ["No DC offset", ["dc_offset", "out_of_range"]],
  ["No duplicated stems", ["duplicate"], false, true],
  ["Channel layout", ["channel_mismatch", "mono_as_stereo"]],
  ["Number of stems", ["too_many_stems", "single_stem"], false, true],
];

// ONE_FILE_RULES: the lines that speak of stems or their sum, as they
// read for one file (a stereo master has neither).
const ONE_FILE_RULES = { "Headroom on the sum": "Headroom", "No silent stems": "Not silent" };

const SERVICE = {
  stem_mastering: "Stem mastering",
  stereo_mastering: "Stereo mastering is enough",
  mixing: "This needs mixing first",
};

// findingItem shows one finding with its fix, the guide's paragraph and,
// when the session can correct it, an apply button.
function findingItem(f) {
  const li = el("li", { class: "finding " + f.severity + (f.applied ? " applied" : "") });
  li.dataset.code = f.code;
  if (f.file) li.dataset.file = f.file;
  if (f.channel) li.dataset.channel = f.channel;
  li.append(el("span", { text: (f.file && !f.message.includes(f.file) ? f.file + ": " : "") + f.message }));
  if (f.fix) li.append(el("div", { class: "fix", text: "Fix: " + f.fix }));
  const acts = el("div", { class: "fix-actions" });
  if (f.apply) {
    if (f.applied) acts.append(el("span", { class: "ok-tag applied-tag", text: "✓ applied in the session: " + f.apply.label }));
    else {
      const b = el("button", { type: "button", class: "apply", text: "Apply: " + f.apply.label });
      b.addEventListener("click", () => applyFix(f).catch(fail));
      acts.append(b);
    }
  }
  if (f.guide) {
    const a = el("a", { href: f.guide, target: "_blank", rel: "noopener", class: "guide-link", text: "how to fix the export" });
    // Named by its finding: a screen reader's list of links would read
    // "how to fix the export" once per finding.
    a.setAttribute("aria-label", "how to fix the export: " + f.code.replace(/_/g, " ") + (f.file ? ", " + f.file : ""));
    acts.append(a);
  }
  li.append(acts);
  return li;
}

// FIT_CODES are the findings whose corrections the check's fit of the
// stems to the mix makes (offsets, levels, polarity, channels, DC, rate).
const FIT_CODES = ["offset", "drift", "gain_mismatch", "polarity_inverted", "channels_swapped", "dc_offset", "sample_rate_mismatch"];

// sumAnswered tells a sum_mismatch the session has answered: the check
// found the corrected stems null against the mix, and every correction it
// names is applied. Its "fix the findings above" was done, and still read
// as a task; explainedSum marks its item so. The rule keeps its "!", as
// the CLI's check -s does: the export itself still misses the mix.
function sumAnswered(f, fixes, check) {
  const mix = check && check.mix;
  if (f.code !== "sum_mismatch" || !mix || mix.fitted_residual_db === null || mix.fitted_residual_db === undefined || mix.fitted_residual_db > mix.threshold_db) return false;
  const fit = fixes.filter(x => FIT_CODES.includes(x.code));
  return fit.length > 0 && fit.every(x => x.applied);
}

function explainedSum(li, f, fixes, check) {
  if (!sumAnswered(f, fixes, check)) return li;
  $(".fix-actions", li).prepend(el("span", { class: "ok-tag applied-tag", text: "✓ every correction it names is applied in the session, and so corrected the stems null against the mix" }));
  return li;
}

// removable offers to take a silent stem out of the project: it adds
// nothing to the song, and each stem beyond four is priced.
function removable(li, f) {
  const p = state.project;
  if (f.code !== "silent" || !f.file || !p.stems.some(x => x.name === f.file) || p.stems.length < 2) return li;
  const b = el("button", { type: "button", class: "remove-silent", text: "Remove " + f.file + " from the project" });
  b.addEventListener("click", () => removeFile("stem", f.file).catch(fail));
  $(".fix-actions", li).prepend(b);
  return li;
}

async function applyFix(f) {
  const fromGate = !!(document.activeElement && document.activeElement.closest("#gate"));
  state.session = await api("POST", projectPath("/apply"), { code: f.code, file: f.file });
  await reload();
  renderMixer();
  status("Applied: " + f.apply.label + ". It shows on the " + f.file + " strip.");
  // The button pressed is drawn anew as "✓ applied": the keyboard's place
  // goes to what comes next — the gate's next fix or the Master button,
  // or the finding's guide link on the checklist — not to the page's top.
  if (focusLost()) {
    const item = "li.finding[data-code=\"" + f.code + "\"]" + (f.file ? "[data-file=\"" + CSS.escape(f.file) + "\"]" : "");
    const next = fromGate ? $("#gate-list button.apply") || (!$("#render-box").hidden && $("#run-render")) : $("#checklist " + item + " .guide-link");
    if (next) next.focus();
  }
}

// oneFile reports whether the project masters one file: the mix alone,
// or a single file sent (mastered as it is: stereo mastering).
function oneFile(p = state.project) {
  return !!p && (!!p.stereo || p.stems.length + (p.mix ? 1 : 0) === 1);
}

// beforeName names what a project's "before" is, as report.Before names
// it in the pictures, report.html and the CLI: the mix (as delivered, for
// a stereo master) where one file is mastered, else the stems' sum.
function beforeName(p = state.project) {
  return p && p.stereo ? "the mix as delivered" : oneFile(p) ? "the mix" : "stem sum";
}

// RULE_MARKS are the checklist's marks (the CLI's, cmd/stemmaster) and
// what each says.
const RULE_MARKS = { ok: ["✓", "passed"], error: ["✗", "error"], warning: ["!", "warning"], info: ["i", "note"], skipped: ["–", "skipped"] };

function renderCheck() {
  const list = $("#checklist");
  list.replaceChildren();
  const p = state.project;
  const check = p.check;
  // While a check runs, the list says so: "press Check" under a Check
  // button greyed by the running check was a dead end.
  const checking = state.checking.size > 0;
  if (!check) {
    list.append(el("li", { class: "muted", text: checking ? "Checking the delivery: the list fills in when the check ends." :
      p.stems.length || p.mix ? "Not checked yet: press Check." : "Upload stems (or one stereo mix) first." }));
  } else {
    if (checking) list.append(el("li", { class: "muted checking", text: "Checking again: the list below is the last check's until this one ends." }));
    const fixes = p.fixes || [];
    const known = new Set(RULES.flatMap(r => r[1]));
    const rules = RULES.concat([["Other findings", [...new Set(fixes.map(f => f.code).filter(c => !known.has(c)))]]]);
    const single = p.stems.length + (p.mix ? 1 : 0) === 1;
    for (const [rule, codes, needsMix, between] of rules) {
      if (!codes.length) continue;
      // A stereo master is one file by choice: being a single file is
      // what it is, not a finding.
      const hits = fixes.filter(f => codes.includes(f.code) && !(oneFile(p) && f.code === "single_stem"));
      // ✗ is the server's "blocking" (the render gate's and the advice's
      // rule); an error that does not block (a stem's, while the mix is
      // mastered alone) still shows, as a "!".
      const standing = f => f.severity === "warning" || (f.severity === "error" && !f.applied);
      let worst = hits.some(f => f.blocking) ? "error" : hits.some(standing) ? "warning" : hits.length ? "info" : "ok";
      if (worst === "ok" && needsMix && !check.mix) worst = "skipped";
      if (worst === "ok" && between && single) worst = "skipped";
      // A stereo master has no stems to hold against the mix.
      const why = single ? " (not needed: one file)" : !p.stems.length && p.mix ? " (not needed: the mix is mastered alone)" : " (not checked: upload the reference mix)";
      const li = el("li", { class: "rule " + worst });
      li.dataset.codes = codes.join(" ");
      // The mark is a glyph and a colour: a screen reader gets its word.
      const [glyph, word] = RULE_MARKS[worst];
      const mark = el("span", { class: "mark", text: glyph, "aria-label": word });
      mark.setAttribute("role", "img");
      li.append(mark, el("span", { text: (single && ONE_FILE_RULES[rule] || rule) + (worst === "skipped" ? why : "") }));
      if (hits.length) li.append(el("ul", {}, ...hits.map(f => removable(explainedSum(findingItem(f), f, fixes, check), f))));
      list.append(li);
    }
  }
  renderAdvice();
  renderQuote(p.quote);
}

function renderAdvice() {
  const p = state.project;
  const adv = p.advice;
  const box = $("#advice");
  box.hidden = !adv;
  if (!adv) return;
  box.replaceChildren();
  const h = el("h3", { text: "Advice: " + (SERVICE[adv.service] || adv.service) });
  h.dataset.service = adv.service;
  box.append(h, el("ul", {}, ...(adv.reasons || []).map(r => el("li", { text: r }))));
  if (adv.service === "stereo_mastering") {
    if (p.mix && !p.stereo) {
      const b = el("button", { type: "button", id: "master-mix", class: "primary", text: "Master the mix (stereo mastering)" });
      b.addEventListener("click", async () => { await setMode("stereo"); setView("master"); });
      box.append(b);
      // "Fix the errors first" is the stems' story: the mix mastered
      // alone needs none of their fixes.
      const mixName = p.mix.name;
      if ((p.fixes || []).some(f => f.blocking && f.file && f.file !== mixName) && !(p.fixes || []).some(f => f.blocking && (!f.file || f.file === mixName))) {
        box.append(el("p", { class: "muted stems-only", text: "The errors above are in the stems: mastering the mix alone needs none of their fixes." }));
      }
      // The quote beside prices the stems as the project stands; the
      // button says what the advice would cost.
      const outs = state.session && state.session.outputs;
      api("POST", projectPath("/quote"), Object.assign({ stems: [{ file: p.mix.name }] }, outs ? { outputs: outs } : {}))
        .then(res => { if (res && res.quote && b.isConnected) b.textContent = "Master the mix (stereo mastering, " + (res.quote.text || res.quote.total) + ")"; })
        .catch(() => {});
    } else if (p.stereo) {
      box.append(el("p", { class: "ok-tag", text: "✓ The mix is mastered alone. " }));
      // Only with stems to master instead.
      if (p.stems.length > 1) box.append(Object.assign(el("button", { type: "button", class: "link", text: "master the stems instead" }), { onclick: () => setMode("stems").catch(fail) }));
    } else if (p.stems.length === 1) {
      // One file with no mix is mastered as it is: the server quotes it
      // as stereo mastering, whichever box it came in.
      box.append(el("p", { text: "You sent one file, " + p.stems[0].name + ": it is mastered as it is, which is stereo mastering (the quote prices it so). If it is one stem of several, upload the others." }));
    } else {
      box.append(el("p", { text: "Upload the stereo mix to master it: stereo mastering works from the one file." }));
    }
  } else if (adv.service === "mixing") {
    box.append(el("p", { text: "Mastering cannot fix the balance between instruments: that is mixing. Send a finished mix (for stereo mastering), or stems bounced from a finished, balanced mix — one per family, all from the same start." }),
      el("a", { href: "/guide#checklist", target: "_blank", rel: "noopener", text: "What to send: the stem export guide" }));
  }
}

// QUOTED names the service a quote prices.
const QUOTED = { stem_mastering: "for stem mastering", stereo_mastering: "for stereo mastering", mixing: "for mixing" };

function renderQuote(q) {
  for (const box of [$("#quote"), $("#master-quote")]) {
    box.hidden = !q;
    box.replaceChildren();
    if (!q) continue;
    const cur = q.currency || "";
    const h = el("h3", { text: "Quote: " + (q.text || (q.total.toFixed(2) + " " + cur)) });
    h.className = "quote-total";
    // What is priced (the project as it is set), not the advice's
    // headline: "Stereo mastering is enough" under a price read as advice.
    box.append(h, el("p", { class: "muted", text: QUOTED[q.service] || q.service }));
    const price = v => v.toFixed(2) + " " + cur;
    if ((q.lines || []).length) box.append(el("ul", {}, ...q.lines.map(l => el("li", { text: l.item + ": " + (l.quantity > 1 ? l.quantity + " × " + price(l.amount / l.quantity) + " = " : "") + price(l.amount) }))));
  }
}

let quoteSeq = 0;
async function refreshQuote() {
  if (!state.id || !state.session) return;
  readMaster();
  const n = ++quoteSeq;
  const res = await api("POST", projectPath("/quote"), sessionToSend()).catch(() => null);
  if (res && n === quoteSeq) renderQuote(res.quote);
}

// ---- mixer ----------------------------------------------------------------

// bandEditor edits one EQ band; path is its session path ("stems[0].eq[1]")
// so the server's 422 shows at the field. Values go as typed: the server
// holds the bounds (docs/session.md) and names a value beyond them.
function bandEditor(band, onChange, onRemove, path = "") {
  const row = $("#band-template").content.firstElementChild.cloneNode(true);
  const gained = () => ["peak", "low_shelf", "high_shelf"].includes(band.type);
  const slopes = () => (band.type === "high_pass" || band.type === "low_pass" ? [6, 12, 24, 48] : band.type.startsWith("lr_") ? [12, 24, 48] : null);
  const slope = el("select", { class: "band-slope", "aria-label": "slope", title: "steepness, dB/octave" });
  const sync = () => {
    $(".band-gain-l", row).hidden = !gained();
    const sl = slopes();
    slope.hidden = !sl;
    if (sl) {
      slope.replaceChildren(...sl.map(v => el("option", { value: v, text: v + " dB/oct" })));
      slope.value = band.slope || 12;
    }
  };
  for (const [cls, key] of [[".band-type", "type"], [".band-freq", "freq_hz"], [".band-gain", "gain_db"], [".band-q", "q"]]) $(cls, row).dataset.field = path + "." + key;
  $(".band-freq", row).max = nyquist();
  $(".band-freq", row).dataset.exclusive = "max";
  slope.dataset.field = path + ".slope";
  $(".band-type", row).value = band.type;
  $(".band-freq", row).value = band.freq_hz;
  $(".band-gain", row).value = band.gain_db || 0;
  $(".band-q", row).value = band.q || (band.type === "peak" ? 1 : 0.707);
  // Mid/side (docs/session.md): the render and the live player apply it.
  const chan = el("select", { class: "band-channel", "data-field": path + ".channel", title: "stereo, mid (L+R)/2 or side (L−R)/2" }, ...["stereo", "mid", "side"].map(v => el("option", { value: v, text: v })));
  chan.value = band.channel || "stereo";
  $(".remove-band", row).before(slope, chan);
  sync();
  row.addEventListener("input", e => {
    e.stopPropagation();
    if (chan.value === "stereo") delete band.channel; else band.channel = chan.value;
    const typeChanged = band.type !== $(".band-type", row).value;
    band.type = $(".band-type", row).value;
    band.freq_hz = typedNum($(".band-freq", row), band.freq_hz);
    const g = typedNum($(".band-gain", row), 0);
    if (gained() && g) band.gain_db = g; else delete band.gain_db;
    band.q = typedNum($(".band-q", row), band.q);
    if (typeChanged) sync();
    const sl = slopes();
    if (sl && slope.value && +slope.value !== 12) band.slope = +slope.value; else delete band.slope;
    sync();
    onChange();
  });
  row.addEventListener("change", e => e.stopPropagation());
  $(".remove-band", row).addEventListener("click", () => { onRemove(); });
  return row;
}

// EXCLUSIVE_MIN are the fields whose lower bound is not allowed itself
// (a range "over 0"): data-exclusive="min" says so on the input.
const EXCLUSIVE_MIN = new Set(["range_db"]);

// nyquist is the song's Nyquist frequency: the max, not allowed itself
// (data-exclusive="max"), of a frequency that must lie below it.
function nyquist() { return stemRate() / 2; }

// typedNum is what a number input holds, or def while it holds no number
// (it is then marked, with a note, until it does).
function typedNum(inp, def) {
  const x = inp.validity && inp.validity.badInput ? NaN : parseFloat(inp.value);
  if (Number.isFinite(x)) {
    typedOK(inp);
    return x;
  }
  const label = inp.closest("label") || inp;
  if (!typedNote(inp)) {
    inp.classList.add("invalid");
    label.after(el("div", { class: "field-error typed-error", role: "alert", text: "enter a number" }));
  }
  return def;
}

// typedNote is the "enter a number" note of an input, or null; typedOK
// removes it.
function typedNote(inp) {
  const next = (inp.closest("label") || inp).nextElementSibling;
  return next && next.classList.contains("typed-error") ? next : null;
}

function typedOK(inp) {
  const note = typedNote(inp);
  if (note) { note.remove(); inp.classList.remove("invalid"); }
}

function clampNum(v, lo, hi, def) {
  const x = parseFloat(v);
  if (!Number.isFinite(x)) return def;
  return Math.max(lo, Math.min(hi, x));
}

// compEditor edits a compressor ({} when off) in box; onChange(c or null).
function compEditor(box, comp, onChange, path = "") {
  box.replaceChildren();
  const on = el("input", { type: "checkbox", class: "comp-on", checked: !!comp, "data-field": path });
  box.append(el("label", {}, on, " on"));
  const c = Object.assign({ threshold_db: -18, ratio: 3, attack_ms: 10, release_ms: 120, knee_db: 6, makeup_db: 0, sidechain_hpf_hz: 0 }, comp || {});
  // The session's bounds (docs/session.md); the server names a value
  // beyond them next to its field.
  const fields = [["threshold_db", "threshold", -96, 0, 1, "dB"], ["ratio", "ratio", 1, 100, 0.5, ":1"], ["attack_ms", "attack", 0, 1000, 0.5, "ms"],
    ["release_ms", "release", 0, 10000, 5, "ms"], ["knee_db", "knee", 0, 48, 1, "dB"], ["makeup_db", "makeup", -48, 48, 0.5, "dB"],
    ["sidechain_hpf_hz", "detector high-pass (0 off)", 0, nyquist(), 10, "Hz"]];
  const inputs = {};
  for (const [k, label, lo, hi, step, unit] of fields) {
    const inp = el("input", { type: "number", min: lo, max: hi, step, value: c[k], class: "comp-" + k.split("_")[0], "data-field": path + "." + k });
    if (k === "sidechain_hpf_hz") inp.dataset.exclusive = "max";
    inputs[k] = inp;
    box.append(el("label", { class: "num" }, label + " ", inp, " " + unit));
  }
  const read = () => {
    if (!on.checked) return onChange(null);
    for (const [k] of fields) c[k] = typedNum(inputs[k], c[k]);
    if (chan.value === "stereo") delete c.channel; else c.channel = chan.value;
    const out = Object.assign({}, c);
    if (!out.sidechain_hpf_hz) delete out.sidechain_hpf_hz;
    onChange(out);
  };
  // Mid/side (docs/session.md): the render and the live player apply it.
  const chan = el("select", { class: "comp-channel", "data-field": path + ".channel", title: "detect on and reduce the pair, the mid (L+R)/2 or the side (L−R)/2" }, ...["stereo", "mid", "side"].map(v => el("option", { value: v, text: v })));
  chan.value = c.channel || "stereo";
  box.append(el("label", { class: "num" }, "channel ", chan));
  box.addEventListener("input", e => { e.stopPropagation(); read(); });
  box.addEventListener("change", e => { e.stopPropagation(); read(); });
}

// optEditor edits an optional processor (null when off) in box: an "on"
// box and its fields, [key, label, lo, hi, step, unit] or [key, label,
// [choices]].
// [key, label, "bool"] (a tick, absent when off). path names the session
// object ("stems[0].de_esser") for the server's 422s.
function optEditor(box, value, defaults, fields, onChange, onLabel = "on", path = "") {
  box.replaceChildren();
  const on = el("input", { type: "checkbox", class: "opt-on", checked: !!value, "data-field": path });
  box.append(el("label", {}, on, " " + onLabel));
  const v = Object.assign({}, defaults, value || {});
  const inputs = {};
  for (const [k, label, lo, hi, step, unit] of fields) {
    let inp;
    if (lo === "bool") inp = el("input", { type: "checkbox", class: "opt-" + k, checked: !!v[k] });
    else if (Array.isArray(lo)) {
      inp = el("select", { class: "opt-" + k }, ...lo.map(c => el("option", { value: c, text: c })));
      inp.value = v[k] || lo[0];
    } else inp = el("input", { type: "number", min: lo, max: hi, step, value: v[k], class: "opt-" + k });
    inp.dataset.field = path + "." + k;
    if (EXCLUSIVE_MIN.has(k)) inp.dataset.exclusive = "min";
    inputs[k] = inp;
    box.append(lo === "bool" ? el("label", {}, inp, " " + label) : el("label", { class: "num" }, label + " ", inp, unit ? " " + unit : ""));
  }
  const read = () => {
    if (!on.checked) return onChange(null);
    for (const [k, , lo] of fields) {
      if (lo === "bool") { if (inputs[k].checked) v[k] = true; else delete v[k]; } else v[k] = Array.isArray(lo) ? inputs[k].value : typedNum(inputs[k], v[k]);
    }
    onChange(Object.assign({}, v));
  };
  box.addEventListener("input", e => { e.stopPropagation(); read(); });
  box.addEventListener("change", e => { e.stopPropagation(); read(); });
}

const fmtWidth = w => Math.round((w === undefined || w === null ? 1 : w) * 100) + " %";

function renderMixer() {
  const mixer = $("#mixer");
  mixer.replaceChildren();
  const stems = (state.session && state.session.stems) || [];
  const rate = stemRate();
  const tpl = $("#strip-template");
  for (const st of stems) {
    const strip = tpl.content.firstElementChild.cloneNode(true);
    strip.dataset.file = st.file;
    // Every strip has the same controls: each names its stem, so a
    // screen reader reads "drums.wav: mute", never eight "M"s.
    strip.setAttribute("role", "group");
    strip.setAttribute("aria-label", st.file);
    for (const c of strip.querySelectorAll("input, select")) {
      const own = c.getAttribute("aria-label") || (c.closest("label[title]") || {}).title;
      if (own) c.setAttribute("aria-label", st.file + ": " + own);
    }
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
// project (removed in another tab, on another device) and says so; it
// reports whether any went. The change being saved is kept for the files
// still there.
async function dropGoneFiles() {
  const id = state.id;
  const p = await api("GET", projectPath());
  if (id !== state.id || !state.session) return false;
  const have = new Set([...p.stems.map(f => f.name), p.mix ? p.mix.name : ""]);
  const gone = state.session.stems.filter(st => !have.has(st.file)).map(st => st.file);
  if (state.session.mix && !have.has(state.session.mix)) gone.push(state.session.mix);
  if (!gone.length) return false;
  state.session.stems = state.session.stems.filter(st => have.has(st.file));
  if (state.session.mix && !have.has(state.session.mix)) delete state.session.mix;
  state.project = p;
  renderFiles();
  renderMixer();
  const many = gone.length > 1;
  status(gone.join(", ") + (many ? " are" : " is") + " no longer in the project (removed in another tab?): " + (many ? "their strips are" : "its strip is") + " gone, and your change is saved without " + (many ? "them." : "it."));
  return true;
}

async function saveSession() {
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
    if (e instanceof APIError && e.status === 422 && id === state.id && (e.fields || []).some(f => f.kind === "no_file") && await dropGoneFiles()) {
      return saveSession();
    }
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

// ---- master settings ------------------------------------------------------

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
  if (!s) return;
  s.master = s.master || {};
  // The live note speaks of the stems, or of the one file mastered.
  $("#master-live-note").hidden = oneFile();
  $("#master-live-note-one").hidden = !oneFile();
  const target = s.master.target;
  let preset = "streaming";
  if (target === "none") preset = "none";
  else if (target && target.preset) preset = target.preset;
  else if (target && target.integrated_lufs !== undefined) {
    preset = "custom";
    $("#custom-lufs").value = target.integrated_lufs;
    $("#custom-dbtp").value = target.true_peak_dbtp;
  }
  $("#target").value = preset;
  $("#custom-target").hidden = preset !== "custom";
  const keys = (s.outputs || [{ format: "wav", bit_depth: 24 }]).map(deliverableKey);
  $$(".deliverable").forEach(cb => { cb.checked = keys.includes(cb.value); });
  const versions = s.versions || ["main"];
  // One file (the mix alone, or a single file sent) has no stems to leave
  // out: its only version is main.
  const one = oneFile();
  $("#master-version").closest("label").hidden = one;
  if (one) $("#master-version").value = "main";
  $$(".version").forEach(cb => {
    cb.checked = versions.includes(cb.value) && !(one && cb.value !== "main");
    cb.disabled = one && cb.value !== "main";
    // Shown greyed, they read as something to unlock: one file has no
    // stems to leave out, so they go.
    cb.parentElement.hidden = cb.disabled;
  });
  const bands = $("#master-bands");
  const draw = () => {
    bands.replaceChildren();
    (s.master.eq || []).forEach((b, i) => bands.append(bandEditor(b, scheduleSave, () => { s.master.eq.splice(i, 1); if (!s.master.eq.length) delete s.master.eq; draw(); scheduleSave(); }, "master.eq[" + i + "]")));
  };
  draw();
  $("#master-add-band").onclick = () => { s.master.eq = s.master.eq || []; s.master.eq.push({ type: "peak", freq_hz: 1000, gain_db: 0, q: 1 }); draw(); scheduleSave(); };
  compEditor($("#master-comp"), s.master.compressor, c => { if (c) s.master.compressor = c; else delete s.master.compressor; scheduleSave(); }, "master.compressor");
  masterChain();
  renderLimiter();
  $("#master-width").value = s.master.width === undefined || s.master.width === null ? 1 : s.master.width;
  $("#master-width-value").textContent = fmtWidth(s.master.width);
  $("#master-width").oninput = () => {
    const w = clampNum($("#master-width").value, 0, 4, 1);
    if (Math.abs(w - 1) < 1e-9) delete s.master.width; else s.master.width = w;
    $("#master-width-value").textContent = fmtWidth(s.master.width);
    scheduleSave();
  };
  optEditor($("#master-saturation"), s.master.saturation, { drive_db: 3, output_db: 0, character: "soft" },
    [["drive_db", "saturation drive", 0, 24, 0.5, "dB"], ["output_db", "output", -24, 24, 0.5, "dB"], ["character", "character", ["soft", "warm", "cubic"]]],
    v => { if (v) s.master.saturation = v; else delete s.master.saturation; scheduleSave(); }, "saturation on", "master.saturation");
  $("#master-gain").value = s.master.gain_db || 0;
  $("#master-gain-row").hidden = preset !== "none";
}

// STEM_WEIGHTS are the stem-aware limiter's default weights by role
// (stemmaster.DefaultStemWeight, docs/session.md).
const STEM_WEIGHTS = { lead_vocal: 0.2, backing_vocals: 0.7, drums: 2, bass: 1, instruments: 1, fx: 1, other: 1 };

function renderLimiter() {
  const s = state.session, box = $("#master-limiter");
  box.replaceChildren();
  const l = s.master.limiter || {};
  const mk = (cls, label, v, lo, hi, step, unit, ph, field, parent = box) => {
    const i = el("input", { type: "number", class: cls, min: lo, max: hi, step, placeholder: ph, "data-field": "master.limiter." + field });
    if (v !== undefined && v !== null && (v !== 0 || field === "ceiling_dbtp")) i.value = v; // 0 is the default elsewhere
    parent.append(el("label", { class: "num" }, label + " ", i, unit ? " " + unit : ""));
    return i;
  };
  // Empty means the default; the session's bounds (docs/session.md), a
  // value beyond them named by the server at its field.
  const ceil = mk("lim-ceiling", "ceiling", l.ceiling_dbtp, -20, 0, 0.1, "dBTP", "target's", "ceiling_dbtp");
  const look = mk("lim-lookahead", "look-ahead", l.lookahead_ms, 0.5, 20, 0.5, "ms", "5", "lookahead_ms");
  const rel = mk("lim-release", "release", l.release_ms, 1, 2000, 5, "ms", "80", "release_ms");
  const warn = mk("lim-warn", "warn above", l.warn_gain_reduction_db, 0, 48, 0.5, "dB of reduction", "6", "warn_gain_reduction_db");
  // The release character and stem-aware limiting (docs/session.md).
  const chr = el("select", { class: "lim-character" }, ...["transparent", "punchy", "dense"].map(v => el("option", { value: v, text: v })));
  chr.value = l.character || "transparent";
  box.append(el("label", { class: "num" }, "character ", chr));
  const aware = el("input", { type: "checkbox", class: "lim-stem-aware", "data-field": "master.limiter.stem_aware" });
  aware.checked = !!l.stem_aware;
  // One file has no stems to weigh: stem-aware is offered only when set.
  box.append(el("label", { class: "lim-stem-aware-row", hidden: oneFile() && !aware.checked, title: "the limiter takes its gain reduction from the stems by family: the lead vocal is protected, the drums take most" }, aware, " stem-aware"));
  // The families' weights: how much of the reduction each takes (empty:
  // the default shown).
  const weights = el("div", { class: "lim-weights" });
  const wl = (l.stem_aware || {});
  const wIn = {};
  for (const [role, def] of Object.entries(STEM_WEIGHTS)) {
    const i = el("input", { type: "number", class: "lim-w-" + role, min: 0.05, max: 20, step: 0.05, placeholder: def, "data-field": "master.limiter.stem_aware." + role });
    if (wl[role] !== undefined) i.value = wl[role];
    weights.append(el("label", { class: "num" }, role.replace(/_/g, " ") + " ", i));
    wIn[role] = i;
  }
  weights.hidden = !aware.checked;
  box.append(weights);
  const num = (inp, def) => {
    if (inp.value !== "" || inp.validity.badInput) return typedNum(inp, def);
    typedOK(inp); // empty: the default
    return undefined;
  };
  box.oninput = box.onchange = e => {
    e.stopPropagation();
    const n = {};
    for (const [k, inp] of [["ceiling_dbtp", ceil], ["lookahead_ms", look], ["release_ms", rel], ["warn_gain_reduction_db", warn]]) {
      const v = num(inp, (s.master.limiter || {})[k]);
      if (v !== undefined) n[k] = v;
    }
    if (chr.value !== "transparent") n.character = chr.value;
    weights.hidden = !aware.checked;
    if (aware.checked) {
      n.stem_aware = {};
      for (const [role, inp] of Object.entries(wIn)) {
        const v = num(inp, ((s.master.limiter || {}).stem_aware || {})[role]);
        if (v !== undefined) n.stem_aware[role] = v;
      }
    }
    // Keep what this card does not edit; drop what it cleared.
    const keep = Object.assign({}, s.master.limiter || {});
    for (const k of ["ceiling_dbtp", "lookahead_ms", "release_ms", "warn_gain_reduction_db", "character", "stem_aware"]) delete keep[k];
    const merged = Object.assign(keep, n);
    if (Object.keys(merged).length) s.master.limiter = merged; else delete s.master.limiter;
    scheduleSave();
  };
}

function readMaster() {
  const s = state.session;
  s.master = s.master || {};
  const preset = $("#target").value;
  $("#custom-target").hidden = preset !== "custom";
  if (preset === "none") s.master.target = "none";
  else if (preset === "custom") {
    const t = s.master.target || {};
    s.master.target = { integrated_lufs: typedNum($("#custom-lufs"), t.integrated_lufs === undefined ? -14 : t.integrated_lufs),
      true_peak_dbtp: typedNum($("#custom-dbtp"), t.true_peak_dbtp === undefined ? -1 : t.true_peak_dbtp) };
  }
  else s.master.target = { preset };
  $("#master-gain-row").hidden = preset !== "none";
  const g = preset === "none" ? typedNum($("#master-gain"), s.master.gain_db || 0) : 0;
  if (g) s.master.gain_db = g; else delete s.master.gain_db;
  const outs = $$(".deliverable").filter(cb => cb.checked).map(cb => Object.assign({}, DELIVERABLES[cb.value]));
  s.outputs = outs.length ? outs : [Object.assign({}, DELIVERABLES.wav24)];
  const versions = $$(".version").filter(cb => cb.checked && !cb.disabled).map(cb => cb.value);
  s.versions = versions.length ? versions : ["main"];
}

// renderGate replaces Master by the list of fixes while the check has
// errors the session does not correct.
function renderGate() {
  const fixes = (state.project.fixes || []).filter(f => f.blocking);
  $("#gate").hidden = fixes.length === 0;
  $("#render-box").hidden = fixes.length > 0;
  const ul = $("#gate-list");
  ul.replaceChildren(...fixes.map(findingItem));
  $("#gate-anyway").hidden = !fixes.some(f => !f.apply);
}

// ---- jobs -----------------------------------------------------------------

// jobEvents reads the job's server-sent events (GET …/jobs/{job}/events)
// and calls show for each; it returns the final job, or null when the
// stream ends without it. fetch rather than EventSource: the stream needs
// the Authorization header like every project call. The stream is
// cancelled when another project opens.
async function jobEvents(j, show, scope) {
  const res = await fetch(projectPath("/jobs/" + j.id + "/events"), { headers: { "Authorization": "Bearer " + scope.token } });
  if (scope !== state.scope && res.body) res.body.cancel().catch(() => {}); // the stream would stay open
  stillOpen(scope);
  if (!res.ok || !res.body) return null;
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  const cancel = () => reader.cancel().catch(() => {});
  scope.cleanups.add(cancel);
  try {
    let buf = "";
    for (;;) {
      const { value, done } = await reader.read();
      stillOpen(scope);
      if (done) return null;
      buf += value.replace(/\r\n?/g, "\n");
      let cut;
      while ((cut = buf.indexOf("\n\n")) >= 0) {
        const block = buf.slice(0, cut);
        buf = buf.slice(cut + 2);
        let name = "", data = "";
        for (const line of block.split("\n")) {
          if (line.startsWith("event:")) name = line.slice(6).trim();
          else if (line.startsWith("data:")) data += line.slice(5).trim();
        }
        if (!data) continue;
        const v = JSON.parse(data);
        show(v);
        if (name === "end") { cancel(); return v; }
      }
    }
  } finally {
    scope.cleanups.delete(cancel);
  }
}

const sleep = ms => new Promise(r => setTimeout(r, ms));

// transient tells the errors worth asking again: the network, a server
// restarting, too many requests at once.
const transient = e => e instanceof TypeError || (e instanceof APIError && (e.status >= 500 || e.status === 429));

// followJob shows a job's progress until it ends, then the project as it
// ends it. It belongs to the project open when it started: once another
// opens, it stops without touching the page.
async function followJob(j) {
  const scope = state.scope, following = state.following;
  following.add(j.id);
  const isRender = j.kind === "render";
  if (!isRender) {
    state.checking.add(j.id);
    if (state.project) renderCheck();
  }
  const bar = isRender ? $("#render-progress") : $("#check-progress");
  const stageEl = isRender ? $("#render-stage") : $("#check-stage");
  const button = isRender ? $("#run-render") : $("#run-check");
  bar.hidden = false;
  button.disabled = true;
  if (isRender) $("#master-anyway").disabled = true;
  const show = v => {
    if (scope !== state.scope) return;
    bar.value = v.progress;
    const running = v.state === "running" && v.stage ? " — " + v.stage : "";
    stageEl.textContent = (isRender ? "Mastering: " : "Checking: ") + v.state + running + " " + Math.round(v.progress * 100) + " %";
  };
  const final = v => v.state === "done" || v.state === "failed" || v.state === "cancelled";
  let pruned = false;
  try {
    show(j);
    // Progress pushed by the server; polling when the stream is cut short.
    j = (await jobEvents(j, show, scope).catch(e => { if (e instanceof Stale) throw e; return null; })) || j;
    for (let tries = 0; !final(j);) {
      await sleep(tries ? Math.min(5000, 400 * 2 ** tries) : 400);
      stillOpen(scope);
      try {
        j = await api("GET", projectPath("/jobs/" + j.id));
        tries = 0;
      } catch (e) {
        // Ended and pruned while the page was away (asleep, offline):
        // a newer job of its kind holds the project's result.
        if (e instanceof APIError && e.code === "job_pruned") { pruned = true; break; }
        if (!transient(e) || ++tries > 20) throw e;
        continue;
      }
      show(j);
    }
  } finally {
    following.delete(j.id);
    if (scope === state.scope) state.checking.delete(j.id);
    if (scope === state.scope) {
      button.disabled = false;
      $("#master-anyway").disabled = false;
    }
  }
  stillOpen(scope);
  bar.hidden = true;
  stageEl.textContent = "";
  if (pruned) {
    status((isRender ? "This master" : "This check") + " ended while the page was away, and a newer one has replaced it: the page shows the project's latest.");
    state.streams = null; state.streamsKey = "";
    await reload();
    return j;
  }
  if (j.state === "failed") {
    const box = isRender ? $("#render-error") : $("#check-error");
    box.textContent = (isRender ? "The master failed: " : "The check failed: ") + j.error;
    box.hidden = false;
    status(isRender ? "The master failed." : "The check failed.", true);
    await reload();
    return j;
  }
  if (j.state === "cancelled") {
    status((isRender ? "This master" : "This check") + " was cancelled (" + j.error + ").");
    await reload();
    return j;
  }
  state.streams = null; state.streamsKey = "";
  await reload();
  if (isRender) {
    status("Master done: listen and download.");
    setView("results");
    if (focusLost()) focusHeading();
  } else {
    if (focusLost() && scope === state.scope && !button.disabled) button.focus({ preventScroll: true });
    // The status line is what a screen reader announces: the advice's
    // headline and first reason, as the advice box and the CLI say them.
    const adv = state.project && state.project.advice;
    status("Check done." + (adv ? " Advice: " + (SERVICE[adv.service] || adv.service) + ((adv.reasons || [])[0] ? " — " + adv.reasons[0] : "") + "." : ""));
  }
  return j;
}

// uploadsIn waits for the open project's uploads still running (a slow
// connection takes minutes): a check or a render asked meanwhile would
// see only the files already in, and answer for a delivery that is not
// the musician's.
async function uploadsIn(what) {
  const scope = state.scope;
  if (!scope.uploads.size) return;
  status(what + " starts once the uploads are in…");
  while (scope.uploads.size) await Promise.allSettled([...scope.uploads]);
  stillOpen(scope);
}

async function check() {
  $("#check-error").hidden = true;
  // From the press on, the list says the check is coming, while the
  // uploads still running go in first.
  const scope = state.scope, asked = {};
  state.checking.add(asked);
  renderCheck();
  let job;
  try {
    await uploadsIn("The check");
    status("Checking the delivery…");
    ({ job } = await api("POST", projectPath("/check")));
  } finally {
    if (scope === state.scope) {
      state.checking.delete(asked);
      renderCheck();
    }
  }
  await followJob({ id: job, kind: "check", state: "queued", progress: 0 });
}

async function master(anyway) {
  const errEl = $("#render-error");
  errEl.hidden = true;
  await uploadsIn("The master");
  await saveSession();
  status("Mastering…");
  let job;
  try {
    ({ job } = await api("POST", projectPath("/render"), { master_anyway: !!anyway, note: $("#render-note").value.trim() }));
  } catch (e) {
    if (e.code === "check_errors") { await reload(); setView("master"); }
    throw e;
  }
  $("#render-note").value = "";
  await followJob({ id: job, kind: "render", state: "queued", progress: 0 });
}

// ---- results --------------------------------------------------------------

// warningPlace says which figure a report warning concerns.
function warningPlace(w) {
  if (/limit|true.peak|ceiling|clip/i.test(w)) return "tp";
  if (/LUFS|loud|target/i.test(w)) return "lufs";
  if (/range|LRA|dynamic/i.test(w)) return "lra";
  return "";
}

function renderResults() {
  const p = state.project;
  const outs = p.outputs || [];
  $("#no-results").hidden = outs.length > 0;
  $("#results-body").hidden = outs.length === 0;
  if (!outs.length) return;
  state.objectURLs.forEach(u => URL.revokeObjectURL(u));
  state.objectURLs = [];
  const rep = p.report || {};
  const warnings = rep.warnings || [];

  const anyway = rep.mastered_anyway || [];
  $("#mastered-anyway").hidden = !anyway.length;
  $("#mastered-anyway").textContent = anyway.length ? "Mastered anyway, with these check errors not corrected: " + anyway.join("; ") : "";

  const tbody = $("#figures tbody");
  tbody.replaceChildren();
  const row = (label, f, cls, withWarnings) => {
    const tr = el("tr", { class: cls || "" });
    tr.append(el("td", { text: label }));
    for (const [k, v] of [["lufs", f.integrated_lufs], ["tp", f.true_peak_dbtp], ["lra", f.loudness_range_lu]]) {
      const td = el("td", { text: fmtNum(v, 1) });
      if (withWarnings) {
        for (const w of warnings.filter(w => warningPlace(w) === k)) td.append(el("div", { class: "warn-inline", text: "⚠ " + w }));
      }
      tr.append(td);
    }
    tbody.append(tr);
  };
  const before = rep.sum || null;
  const preview = outs.find(o => o.kind === "preview");
  const beforeLabel = "before: " + beforeName(p);
  if (before) row(beforeLabel, before, "before");
  else if (preview && preview.figures) row(beforeLabel, preview.figures, "before");
  const audio = outs.filter(o => o.kind === "audio");
  audio.forEach((o, i) => row("after: " + downloadName(o.name), o.figures || {}, "after", i === 0));
  $("#warnings").replaceChildren(...warnings.filter(w => !warningPlace(w)).map(w => el("li", { class: "warn-inline", text: "⚠ " + w })));
  $("#chain-figures").replaceChildren(chainReport(rep, oneFile(p))); // chain.js

  renderFindings();

  const pics = $("#pictures");
  pics.replaceChildren();
  const order = ["waveform.png", "loudness.png", "spectrum.png", "limiter.png", "deesser.png"];
  const rank = n => (order.indexOf(n) + 1) || order.length + 1;
  for (const o of outs.filter(o => o.kind === "picture").sort((a, b) => rank(a.name) - rank(b.name))) {
    const img = el("img", { alt: o.name });
    img.dataset.name = o.name;
    fetchBlob(o.url).then(u => { img.src = u; }).catch(fail);
    const caption = el("figcaption", { text: o.name === "deesser.png" ? "de-esser gain reduction over time" : o.name.replace(/\.png$/, "").replace(/[-_]/g, " ") });
    if (o.name === "limiter.png") for (const w of warnings.filter(w => warningPlace(w) === "tp")) caption.append(el("div", { class: "warn-inline", text: "⚠ " + w }));
    const lim = rep.master && rep.master.limiter;
    if (o.name === "limiter.png" && lim && lim.attribution && !oneFile(p)) caption.append(el("div", { class: "muted", text: lim.attribution }));
    pics.append(el("figure", {}, img, caption));
  }

  renderDownloads();
  loadRevisions().catch(() => {});
  setupAB();
}

// renderFindings lists what the check found on the stems the latest
// master was made from. The server annotates them against that master's
// own session (the revision's "fixes"): a finding it corrected (an Apply
// taken) says so, as the checklist does, so the results never call a
// corrected delivery broken. Until that revision is known, or where the
// server keeps none, the report's findings show without that claim.
function renderFindings() {
  const p = state.project;
  // The revisions known may predate the render shown (they load after
  // it): only the revision whose report is the one shown speaks for it.
  const shown = JSON.stringify((p && p.report) || null);
  const rev = (state.revisions || []).find(r => r.current && JSON.stringify(r.report) === shown);
  const base = rev && rev.fixes ? rev.fixes
    : (((p && p.report) || {}).findings || []).map(f => Object.assign({}, f, { guide: "/guide#" + f.code.replace(/_/g, "-") }));
  const findings = base.filter(f => !(oneFile(p) && f.code === "single_stem"));
  $("#findings").replaceChildren(...(findings.length ? [el("li", { class: "muted", text: oneFile(p) ? "What the check found on the file this master was made from:" : "What the check found on the stems this master was made from:" })] : []),
    ...findings.map(f => findingItem(Object.assign({}, f, f.applied ? {} : { apply: null, applied: false }))));
}

// renderDownloads lists the files of the chosen revision (the latest
// unless another is chosen).
function renderDownloads() {
  const dl = $("#downloads");
  dl.replaceChildren();
  const rev = state.downloadRev && (state.revisions || []).find(r => r.number === state.downloadRev);
  const outs = rev ? rev.outputs : (state.project.outputs || []);
  $("#downloads-of").textContent = rev ? "of revision " + rev.number + (rev.note ? " (" + rev.note + ")" : "") : "of the latest master";
  const addDownload = (label, url, name) => {
    const b = el("button", { type: "button", class: "download", text: label });
    b.dataset.name = name;
    b.addEventListener("click", () => download(url, downloadName(name)).catch(fail));
    dl.append(el("li", {}, b));
  };
  for (const o of outs.filter(o => o.kind === "audio" || o.kind === "report")) addDownload(downloadName(o.name) + " (" + fmtBytes(o.size) + ")", o.url, o.name);
  if (!rev) addDownload("everything as a zip", projectPath("/outputs.zip"), (projectTitle() || "stemmaster-" + state.id.slice(0, 8)) + ".zip");
}

// downloadName names a file after the song: "My Song - main.wav".
function downloadName(name) {
  const t = projectTitle().replace(/[\\/:*?"<>|]+/g, "_").trim();
  return t && !name.endsWith(".zip") ? t + " - " + name : name;
}

// download saves a file of the project; its object URL outlives the
// results being drawn again (which revokes theirs) until the browser has
// taken it.
async function download(url, name) {
  const t = projectTitle();
  const res = await fetchAuthed(t ? url + (url.includes("?") ? "&" : "?") + "title=" + encodeURIComponent(t) : url);
  const u = URL.createObjectURL(await res.blob());
  const a = el("a", { href: u, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(u), 60000);
}

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
  const key = state.id + "|" + state.project.stems.map(s => s.name + s.size).join(",") + "|" + (state.project.mix ? state.project.mix.name : "") + "|" + (m ? m.url : "");
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


// ---- revisions ------------------------------------------------------------

// loadRevisions shows the project's revisions; an answer older than the
// one shown is dropped.
async function loadRevisions() {
  const n = state.revisionsAsked = (state.revisionsAsked || 0) + 1;
  const res = await api("GET", projectPath("/revisions"));
  if (n < (state.revisionsShown || 0)) return;
  state.revisionsShown = n;
  state.revisions = res.revisions || [];
  updatePlayerParams(); // the render's gain (renderGain) may now be known
  renderRevisions();
  renderFindings();
}

function mainFigures(rev) {
  const o = (rev.outputs || []).find(o => o.kind === "audio" && o.name === "main.wav") || (rev.outputs || []).find(o => o.kind === "audio");
  return (o && o.figures) || {};
}

function renderRevisions() {
  const revs = state.revisions || [];
  $("#revisions").hidden = revs.length === 0;
  const tbody = $("#revision-table tbody");
  tbody.replaceChildren();
  state.compareTicks = (state.compareTicks || []).filter(n => revs.some(r => r.number === n));
  for (const r of revs.slice().reverse()) {
    const f = mainFigures(r);
    const tick = el("input", { type: "checkbox", class: "rev-tick", checked: state.compareTicks.includes(r.number) });
    tick.setAttribute("aria-label", "compare revision " + r.number);
    tick.addEventListener("change", () => {
      state.compareTicks = state.compareTicks.filter(n => n !== r.number);
      if (tick.checked) state.compareTicks.push(r.number);
      while (state.compareTicks.length > 2) state.compareTicks.shift();
      renderRevisions();
    });
    const dl = el("button", { type: "button", class: "link rev-downloads", text: state.downloadRev === r.number ? "showing its files" : "its files" });
    dl.addEventListener("click", () => { state.downloadRev = r.number; renderRevisions(); renderDownloads(); });
    const tr = el("tr", { class: r.current ? "current" : "" },
      el("td", {}, tick), el("td", { text: String(r.number) + (r.current ? " (latest)" : "") }),
      el("td", { text: new Date(r.created_at).toLocaleString() }), el("td", { text: r.note || "" }),
      el("td", { text: fmtNum(f.integrated_lufs) }), el("td", { text: fmtNum(f.true_peak_dbtp) }), el("td", { text: fmtNum(f.loudness_range_lu) }),
      el("td", {}, dl));
    tr.dataset.number = r.number;
    tbody.append(tr);
  }
  $("#compare").disabled = state.compareTicks.length !== 2;
}

// flatten lists a session's values by readable path, stems by file name.
function flatten(v, path, out) {
  if (Array.isArray(v)) {
    if (v.length && v.every(x => x && typeof x === "object" && "file" in x)) v.forEach(x => flatten(x, path + "[" + x.file + "]", out));
    else if (v.every(x => x === null || typeof x !== "object")) out[path] = v.join(", ");
    else v.forEach((x, i) => flatten(x, path + "[" + i + "]", out));
  } else if (v && typeof v === "object") {
    for (const [k, x] of Object.entries(v)) if (k !== "file") flatten(x, path ? path + "." + k : k, out);
  } else out[path] = v;
  return out;
}

// fmtDiff is y − x as the two figures are shown (to 0.1), so the column
// adds up for whoever reads it: −0.3 and −1.6 differ by −1.3.
function fmtDiff(x, y) {
  const shown = v => Number(Number(v).toFixed(1));
  const d = shown(y) - shown(x);
  return (d >= 0 ? "+" : "") + fmtNum(d === 0 ? 0 : d);
}

function sessionDiff(a, b) {
  const fa = flatten(a || {}, "", {}), fb = flatten(b || {}, "", {});
  const keys = [...new Set([...Object.keys(fa), ...Object.keys(fb)])].sort();
  return keys.filter(k => String(fa[k]) !== String(fb[k])).map(k => [k, fa[k], fb[k]]);
}

async function compareRevisions() {
  const [na, nb] = state.compareTicks.slice().sort((x, y) => x - y);
  const A = state.revisions.find(r => r.number === na), B = state.revisions.find(r => r.number === nb);
  if (!A || !B) return;
  state.compare = { A, B };
  $("#comparison").hidden = false;
  $("#compare-title").textContent = "Revision " + na + " (A) against revision " + nb + " (B)";
  $("#cmp-a-label").textContent = "A: revision " + na;
  $("#cmp-b-label").textContent = "B: revision " + nb;
  const fa = mainFigures(A), fb = mainFigures(B);
  $("#compare-figures thead").replaceChildren(el("tr", {}, el("th"), el("th", { text: "A: revision " + na }), el("th", { text: "B: revision " + nb }), el("th", { text: "B − A" })));
  const rows = [["integrated (LUFS)", "integrated_lufs"], ["true peak (dBTP)", "true_peak_dbtp"], ["loudness range (LU)", "loudness_range_lu"], ["sample peak (dBFS)", "sample_peak_dbfs"]];
  const ra = A.report || {}, rb = B.report || {};
  const lim = r => r.master && r.master.limiter ? r.master.limiter.max_db : null;
  const body = rows.map(([label, k]) => [label, fa[k], fb[k]]);
  body.push(["limiter, most gain reduction (dB)", lim(ra), lim(rb)]);
  body.push([beforeName() + " before mastering (LUFS)", ra.sum && ra.sum.integrated_lufs, rb.sum && rb.sum.integrated_lufs]);
  $("#compare-figures tbody").replaceChildren(...body.map(([label, x, y]) => el("tr", {}, el("td", { text: label }), el("td", { text: fmtNum(x) }), el("td", { text: fmtNum(y) }),
    el("td", { text: x !== null && x !== undefined && y !== null && y !== undefined ? fmtDiff(x, y) : "—" }))));
  const diff = sessionDiff(A.session, B.session);
  const fmt = v => v === undefined ? "(not set)" : String(v);
  $("#session-diff").replaceChildren(...(diff.length ? diff.map(([k, x, y]) => el("li", { class: "changed", text: k + ": " + fmt(x) + " → " + fmt(y) })) : [el("li", { text: "The sessions are the same." })]));
  const s = await api("GET", projectPath("/streams?rev=" + na + "&rev=" + nb));
  const [sa, sb] = s.revisions || [];
  if (!sa || !sb) return;
  const pl = player();
  const list = [...pl.tracks.values()].filter(t => t.group !== "revA" && t.group !== "revB").map(t => ({ id: t.id, group: t.group, info: t.info }));
  list.push({ id: "revA", group: "revA", info: sa }, { id: "revB", group: "revB", info: sb });
  pl.setTracks(list);
  state.cmpLUFS = { revA: sa.integrated_lufs, revB: sb.integrated_lufs };
  applyCompareGains();
}

function applyCompareGains() {
  const L = state.cmpLUFS || {};
  const quiet = Math.min(...[L.revA, L.revB].filter(v => v !== null && v !== undefined));
  const which = ($("#comparison input[name=cmp]:checked") || {}).value || "revA";
  const g = k => (L[k] === null || L[k] === undefined ? 1 : Math.pow(10, (quiet - L[k]) / 20));
  state.cmpGains = { revA: which === "revA" ? g("revA") : 0, revB: which === "revB" ? g("revB") : 0 };
  if (state.playingIn === "cmp") player().setGroupGains(state.cmpGains);
  $("#cmp-levels").textContent = `A ${fmtNum(L.revA)} LUFS, B ${fmtNum(L.revB)} LUFS — both played at ${fmtNum(quiet)} LUFS`;
  $("#comparison").dataset.gainA = g("revA").toFixed(3);
  $("#comparison").dataset.gainB = g("revB").toFixed(3);
}

async function toggleCompare() {
  const pl = player();
  if (pl.playing) { stopPlayback(); return; }
  applyCompareGains();
  state.playingIn = "cmp";
  updatePlayerParams();
  pl.setGroupGains(state.cmpGains);
  await pl.play(pl.pausedAt || 0);
}

// ---- uploads --------------------------------------------------------------

// A friendly word for what went wrong with a file, from the server's
// message and the file's name.
function uploadHint(file, msg) {
  if (/\.(mp3|m4a|aac|ogg|opus|wma)$/i.test(file.name) && !/lossy/.test(msg)) return msg + " — export WAV (24-bit) from the session instead.";
  return msg;
}

// UPLOAD_TRIES: how many times one file is sent when the connection
// breaks off (or the server restarts) under it. Offline, each try waits
// for the browser to be back online; online, 2, 4, 8 … s. A file sent
// again replaces whatever part of it landed (the same name).
const UPLOAD_TRIES = 5;

// connectionBack waits before try n of an upload: until the browser is
// online again, or a pause growing with n.
function connectionBack(n) {
  if (navigator.onLine) return sleep(1000 * 2 ** n);
  return new Promise(r => window.addEventListener("online", r, { once: true }));
}

// The uploads of this tab still running, kept per project in
// localStorage with the tab's id (sessionStorage keeps it over a reload):
// a reload or a closed tab ends them, and the page opened again says
// which files did not arrive. Another tab's uploads are left alone.
function tabID() {
  let id = sessionStorage.getItem("stemmaster.tab");
  if (!id) { id = Math.random().toString(36).slice(2); sessionStorage.setItem("stemmaster.tab", id); }
  return id;
}

// pendingUploads lists a project's uploads still running in some tab
// ({tab, name, at}); one a day old is a tab that closed mid-upload and
// never opened the project again, and is dropped.
function pendingUploads(project) {
  let list;
  try { list = JSON.parse(localStorage.getItem("stemmaster.uploads." + project)) || []; } catch (e) { list = []; }
  return list.filter(u => Date.now() - (u.at || 0) < 86400e3);
}

function markUpload(project, name, running) {
  const tab = tabID(), list = pendingUploads(project).filter(u => !(u.tab === tab && u.name === name));
  if (running) list.push({ tab, name, at: Date.now() });
  if (list.length) localStorage.setItem("stemmaster.uploads." + project, JSON.stringify(list));
  else localStorage.removeItem("stemmaster.uploads." + project);
}

// unfinishedUploads says which files this tab was uploading to the open
// project when it was reloaded or closed, and not in the project now.
function unfinishedUploads() {
  const tab = tabID(), all = pendingUploads(state.id), mine = all.filter(u => u.tab === tab);
  if (!mine.length) return;
  const rest = all.filter(u => u.tab !== tab);
  if (rest.length) localStorage.setItem("stemmaster.uploads." + state.id, JSON.stringify(rest));
  else localStorage.removeItem("stemmaster.uploads." + state.id);
  const p = state.project, have = new Set([...p.stems.map(f => f.name), p.mix ? p.mix.name : ""]);
  const gone = [...new Set(mine.map(u => u.name))].filter(n => !have.has(n));
  if (!gone.length) return;
  for (const n of gone) $("#upload-list").append(el("li", { class: "failed" }, el("span", { text: n }), el("span", { class: "error", text: "not uploaded: the page was reloaded or closed while it was being sent — add it again" })));
  status((gone.length === 1 ? "The upload of " + gone[0] + " did not finish" : gone.length + " uploads did not finish (" + gone.join(", ") + ")") +
    " before the page was reloaded or closed: add " + (gone.length === 1 ? "it" : "them") + " again.", true);
}

function uploadFile(kind, file) {
  const scope = state.scope, project = state.id, path = projectPath(kind === "mix" ? "/mix" : "/stems"), token = state.token;
  return new Promise((resolve, reject) => {
    const bar = el("progress", { max: 1, value: 0 });
    const msg = el("span", { class: "muted" });
    const li = el("li", {}, el("span", { text: file.name }), bar, msg);
    $("#upload-list").append(li);
    markUpload(project, file.name, true);
    let tries = 0;
    const send = () => {
      const xhr = new XMLHttpRequest();
      xhr.open("POST", path);
      xhr.setRequestHeader("Authorization", "Bearer " + token);
      xhr.upload.onprogress = e => { if (e.lengthComputable) bar.value = e.loaded / e.total; };
      xhr.onload = () => {
        markUpload(project, file.name, false);
        let data = null;
        try { data = JSON.parse(xhr.responseText); } catch (e) { /* not JSON */ }
        if (xhr.status >= 200 && xhr.status < 300) {
          // The server stores a name safe everywhere (letters outside ASCII,
          // '#' and the like become '_'): the new name is said, or the
          // stem would seem to have vanished from the list.
          const stored = data && data.files && data.files[0] && data.files[0].name;
          bar.value = 1; msg.textContent = stored && stored !== file.name ? "uploaded as " + stored : "uploaded"; msg.className = "muted"; li.className = "done";
          resolve(data);
        } else if (data && data.error && data.error.code === "unavailable" && ++tries < UPLOAD_TRIES) {
          // The service's storage restarting: the file goes again (to the
          // project it was dropped in) after the pause the server asks
          // for, as api() does for a GET.
          markUpload(project, file.name, true);
          bar.value = 0;
          msg.textContent = "the service is briefly out of reach: sending it again shortly…"; msg.className = "muted"; li.className = "waiting";
          const after = parseInt(xhr.getResponseHeader("Retry-After") || "", 10);
          setTimeout(send, Math.min(10_000, after > 0 ? after * 1000 : 2000));
        } else {
          const e = data && data.error ? data.error : { code: "http_" + xhr.status, message: xhr.statusText };
          const m = uploadHint(file, explain(new APIError(xhr.status, e.code, e.message)));
          // The bar measured the bytes sent; full, it would read as done.
          bar.hidden = true;
          msg.textContent = m; msg.className = "error"; li.className = "failed";
          reject(new Error(m));
        }
      };
      xhr.onerror = async () => {
        bar.value = 0;
        // The file is still in the page: it is sent again once the
        // connection is back, while this project stays open.
        if (++tries < UPLOAD_TRIES && scope === state.scope) {
          msg.textContent = navigator.onLine ? "the connection broke off: sending it again shortly…" : "the connection dropped: it is sent again once it is back (keep this page open)";
          msg.className = "muted"; li.className = "waiting";
          // The status line is what a screen reader announces.
          if (!navigator.onLine) status("The connection dropped: the uploads carry on once it is back. Keep this page open.");
          await connectionBack(tries);
          if (scope === state.scope) { msg.textContent = "sending it again…"; send(); return; }
        }
        markUpload(project, file.name, false);
        bar.hidden = true;
        msg.textContent = "the upload broke off (the connection dropped, or the server is restarting): upload " + file.name + " again"; msg.className = "muted"; li.className = "failed";
        reject(new Error("the upload of " + file.name + " broke off: check your connection and upload it again"));
      };
      const form = new FormData();
      form.append("file", file, file.name);
      xhr.send(form);
    };
    send();
  });
}

// refuseAtOnce lists, without sending them, the files the server would
// refuse only once they are all sent: over the largest file it takes
// (a 2 GiB file on a slow connection is an hour's upload to be told no),
// or beyond the files a project holds. It returns the files to send.
function refuseAtOnce(kind, files, errors) {
  const maxBytes = Number(document.body.dataset.maxFile) || 0, maxFiles = Number(document.body.dataset.maxFiles) || 0;
  const p = state.project || { stems: [] };
  let room = maxFiles ? maxFiles - p.stems.length - (p.mix ? 1 : 0) + (kind === "mix" && p.mix ? 1 : 0) : Infinity;
  const refuse = (f, why) => {
    $("#upload-list").append(el("li", { class: "failed" }, el("span", { text: f.name }), el("span", { class: "error", text: why })));
    errors.push(f.name + ": " + why);
  };
  return files.filter(f => {
    if (maxBytes && f.size > maxBytes) {
      refuse(f, "not uploaded: it is " + fmtBytes(f.size) + ", and a file may be at most " + fmtBytes(maxBytes) + " here. Export it as 24-bit FLAC (about half the size of a WAV), or as a shorter file.");
      return false;
    }
    if (room <= 0) {
      refuse(f, "not uploaded: a project holds at most " + maxFiles + " files (stems and the mix). Group tracks into fewer stems, or remove one first.");
      return false;
    }
    room--;
    return true;
  });
}

async function uploadFiles(kind, files) {
  const errors = [];
  const queue = refuseAtOnce(kind, Array.from(files), errors);
  const scope = state.scope;
  // The count is of every upload running in the project: the stems and
  // the mix go up together, and the mix done first said "Uploaded" while
  // the stems were still on their way.
  const sent = scope.sent;
  if (!scope.uploads.size) { sent.done = 0; sent.total = 0; }
  sent.total += queue.length;
  const say = () => { if (scope === state.scope && sent.total > 1) status("Uploading: " + sent.done + " of " + sent.total + " files in…"); };
  const worker = async () => {
    while (queue.length) {
      const f = queue.shift();
      try { await uploadFile(kind, f); } catch (e) { errors.push(e.message); }
      sent.done++;
      say();
    }
  };
  say();
  const all = Promise.all([worker(), worker()]);
  scope.uploads.add(all);
  try { await all; } finally { scope.uploads.delete(all); }
  stillOpen(scope);
  if (scope.uploads.size && !errors.length) {
    // Others still going: they say "Uploaded" when the last is in.
    state.session = null;
    await reload();
    say();
    return;
  }
  state.session = null;
  await reload();
  // A file named as a mix, dropped among the stems with no mix uploaded,
  // is most often the mix in the wrong box: summed with the stems it
  // would play the song twice. Said, never moved: a stem may be named so.
  const mixLike = kind === "stem" && !state.project.mix ? state.project.stems.map(f => f.name).filter(n => /(^|[^a-z])(mix|mixdown|stereo mix)([^a-z]|$)/i.test(n)) : [];
  if (errors.length) status(errors.join("; "), true);
  else if (mixLike.length) status("Uploaded. " + mixLike[0] + " went in as a stem: if it is the stereo mix, remove it and drop it on the Stereo mix box (summed with the stems it would play the song twice).");
  else status("Uploaded. Next: check the delivery.");
}

function setupDrop(drop, input, kind) {
  ["dragenter", "dragover"].forEach(t => drop.addEventListener(t, e => { e.preventDefault(); drop.classList.add("over"); }));
  ["dragleave", "drop"].forEach(t => drop.addEventListener(t, e => { e.preventDefault(); drop.classList.remove("over"); }));
  drop.addEventListener("drop", e => uploadFiles(kind, e.dataTransfer.files).catch(fail));
  input.addEventListener("change", () => { uploadFiles(kind, input.files).catch(fail).finally(() => { input.value = ""; }); });
}

// keepStrayDrops stops files dropped beside the boxes (or on another
// step, where the boxes are hidden) from opening in the tab, the
// browser's default, which leaves the page: they are kept out, and the
// page says where they go.
function keepStrayDrops() {
  const files = e => e.dataTransfer && [...e.dataTransfer.types].includes("Files");
  document.addEventListener("dragover", e => { if (files(e)) e.preventDefault(); });
  document.addEventListener("drop", e => {
    if (!files(e) || e.defaultPrevented) return; // a box took them
    e.preventDefault();
    if ($("#app").hidden) {
      status("Start a project first (New project), then drop the files on the Stems or Stereo mix box.", true);
      return;
    }
    goTo("upload");
    status("Not uploaded: drop the files on the Stems box, or the mix on the Stereo mix box.", true);
  });
}

// ---- start ----------------------------------------------------------------

function init() {
  $("#new-project").addEventListener("click", () => createProject(false).catch(fail));
  const demo = $("#try-demo");
  if (demo) demo.addEventListener("click", () => createProject(true).catch(fail));
  setupDrop($("#stem-drop"), $("#stem-input"), "stem");
  setupDrop($("#mix-drop"), $("#mix-input"), "mix");
  keepStrayDrops();
  $$("#mode input").forEach(r => r.addEventListener("change", () => setMode(r.value).catch(fail)));
  $("#run-check").addEventListener("click", () => check().catch(fail));
  $("#run-render").addEventListener("click", () => master(false).catch(fail));
  $("#master-anyway").addEventListener("click", () => master(true).catch(fail));
  $("#target").addEventListener("change", () => { readMaster(); scheduleSave(); });
  $("#custom-target").addEventListener("input", () => { readMaster(); scheduleSave(); });
  $("#master-gain-row").addEventListener("input", () => { readMaster(); scheduleSave(); });
  $$(".deliverable, .version").forEach(cb => cb.addEventListener("change", () => { readMaster(); scheduleSave(); }));
  $$("#views a").forEach(a => a.addEventListener("click", e => { e.preventDefault(); goTo(a.dataset.view); }));
  $("#to-check").addEventListener("click", () => goTo("check"));
  $("#to-mix").addEventListener("click", () => goTo("mix"));
  $("#to-master").addEventListener("click", () => goTo("master"));
  $("#switch-yes").addEventListener("click", acceptSwitch);
  $("#toast").addEventListener("click", () => { $("#toast").hidden = true; });
  $("#switch-no").addEventListener("click", declineSwitch);
  $("#song-title").addEventListener("input", titleTyped);
  $("#live-play").addEventListener("click", () => togglePlay("mix").catch(fail));
  $("#master-play").addEventListener("click", () => togglePlay("master").catch(fail));
  $("#live-master").addEventListener("change", updatePlayerParams);
  $("#master-version").addEventListener("change", updatePlayerParams);
  $("#ab-play").addEventListener("click", () => togglePlay("ab").catch(fail));
  $("#compare").addEventListener("click", () => compareRevisions().catch(fail));
  $("#cmp-play").addEventListener("click", () => toggleCompare().catch(fail));
  $$("#comparison input[name=cmp]").forEach(r => r.addEventListener("change", applyCompareGains));
  $("#ab-switch").addEventListener("click", () => setABMode(state.abMode === "after" ? "before" : "after"));
  $$("#ab input[name=ab]").forEach(r => r.addEventListener("change", () => setABMode(r.value)));
  $("#live-seek").addEventListener("change", () => player().seek(parseFloat($("#live-seek").value)));
  // One loop region for the mixer and the A/B player: either set of
  // controls sets it, both show it.
  const loopFrom = (on, a, b) => {
    $("#live-loop").checked = $("#ab-loop").checked = on;
    $("#loop-a").value = $("#ab-loop-a").value = a;
    $("#loop-b").value = $("#ab-loop-b").value = b;
    player().setLoop(on, parseFloat(a) || 0, parseFloat(b) || 8);
  };
  ["#live-loop", "#loop-a", "#loop-b"].forEach(s => $(s).addEventListener("change", () => loopFrom($("#live-loop").checked, $("#loop-a").value, $("#loop-b").value)));
  ["#ab-loop", "#ab-loop-a", "#ab-loop-b"].forEach(s => $(s).addEventListener("change", () => loopFrom($("#ab-loop").checked, $("#ab-loop-a").value, $("#ab-loop-b").value)));
  window.addEventListener("pagehide", flushOnLeave);
  // Leaving (a reload, a closed tab) would cut the uploads still running:
  // the browser asks first.
  window.addEventListener("beforeunload", e => { if (state.scope && state.scope.uploads.size) e.preventDefault(); });
  window.addEventListener("hashchange", onLocation);
  window.addEventListener("popstate", onLocation);
  setInterval(() => watch().catch(() => {}), 4000);
  document.addEventListener("visibilitychange", () => { if (!document.hidden) watch().catch(() => {}); });
  setInterval(updateTransport, 250);

  // Migrate the single remembered project of earlier versions.
  try {
    const old = JSON.parse(localStorage.getItem("stemmaster.project"));
    if (old && old.id && !savedProjects().some(p => p.id === old.id)) rememberProject(old.id, old.token);
  } catch (e) { /* none */ }
  renderProjectList();
  const h = hashParams();
  if (h.get("p") && h.get("t")) openProject(h.get("p"), h.get("t"), h.get("v"));
  else if (savedProjects().length) {
    const last = savedProjects()[0];
    history.replaceState(null, "", "#p=" + last.id + "&t=" + last.token);
    openProject(last.id, last.token, "upload");
  } else status("Start a new project, or try the demo.");
}

document.addEventListener("DOMContentLoaded", init);
