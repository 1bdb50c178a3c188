// Projects and navigation: the projects remembered in this browser, the title,
// the views and the URL, opening and creating a project, reloading it and
// watching it for changes.
// One of the page's classic scripts: index.html loads them in order into
// one global scope.
"use strict";

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
      .catch(e => {
        if (e instanceof Offline && id === state.id) state.keptTitle = true; // saved when the server answers
        if (!(e instanceof Stale)) fail(e);
      });
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
  // A change not saved yet goes to the project it was made in, now: a
  // save waiting its turn would find this project gone.
  if (state.saveTimer && state.session && state.id) saveSessionNow().catch(() => {});
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
  showKept({ id });
  $("#song-title").value = projectTitle();
  setView(view || "upload", false);
  return reload().then(() => {
    // Opened with no step named (the site's address, the day after), the
    // project opens where it stands: a mastered one on its results, a
    // checked one on its check, where "1 Upload" of a finished project
    // read as the work gone.
    if (view || state.id !== id || state.view !== "upload" || !state.project) return;
    const p = state.project;
    const at = (p.outputs || []).length ? "results" : (p.checklist || []).length ? "check" : "upload";
    if (at !== "upload") setView(at, false);
  }).then(unfinishedUploads).catch(e => {
    if (e.status === 404 || e.status === 403) {
      forgetProject(id);
      // No project open: the page stops looking at the one gone (watch
      // asked it every 4 s, answered 404 each time).
      if (state.id === id) state.id = state.token = null;
      $("#app").hidden = true;
      history.replaceState(null, "", "#");
      status(goneWords(), true);
    } else fail(e);
  });
}

// goneWords says a project cannot be opened: expired (in how long
// projects are kept), deleted, or a link mistyped; and what to do.
function goneWords() {
  return "That project is gone: projects and their files are deleted " + $("#retention").textContent + " after they are made (or it was deleted, or the link is wrong). " +
    "The masters you downloaded are yours to keep; to master again, start a new project and upload the files again.";
}

// showKept says until when the open project is kept, beside its link:
// a client coming back for the masters learns the day they go.
function showKept(p) {
  // p: the project's answer, or {id} before it comes.
  const until = p && p.expires_at ? new Date(p.expires_at) : null;
  const base = "Project " + p.id.slice(0, 8) + " — bookmark this page to come back.";
  $("#project-link").textContent = until && !isNaN(until) ? base + " Kept until " + until.toLocaleString([], { dateStyle: "medium", timeStyle: "short" }) + ", then deleted with its files: download your masters before." : base;
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
  showKept(p);
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
// yet saved waits: its save meets the files as they are. One look runs at
// a time (the timer and a tab shown again may ask together); the look
// running is state.watching.
function watch() {
  if (!state.watching) state.watching = watchOnce().finally(() => { state.watching = null; });
  return state.watching;
}

async function watchOnce() {
  if (conn.away && Date.now() < conn.nextAt) return; // backing off
  if (!state.id && conn.away) {
    // No project open (creating one failed): the page alone, asked.
    const res = await fetch("/", { method: "HEAD", cache: "no-store" }).catch(() => null);
    if (res && !gateway(res)) reached(); else unreachable();
    return;
  }
  if (!state.id || document.hidden || state.following.size || state.saveTimer) return;
  const p = await api("GET", projectPath()).catch(() => null);
  if (!p || state.following.size || (JSON.stringify(p.jobs) === state.lastJobs && filesKey(p) === state.lastFiles)) return;
  await reload();
}
