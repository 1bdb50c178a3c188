// The assistant's "Suggest" panel: asks POST /suggest for a proposed
// session, shows every decision with its amount and reason, and takes the
// session into the mixer when the client chooses to. Its references list
// adds, reweights and removes the project's reference tracks (…/references),
// which the assistant matches. It uses the page's helpers (api,
// projectPath, state, APIError, renderMixer, renderMaster, saveSession,
// status, fail: core.js and the files beside it) and the "projectload"
// event.
"use strict";

async function suggest() {
  const amount = $("#suggest-amount").value;
  status((state.references && state.references.length ? "The assistant is analysing your stems and references…" : "The assistant is analysing your stems…"));
  $("#run-suggest").disabled = true;
  const unchecked = !state.project || !state.project.check;
  try {
    let q = "/suggest?amount=" + encodeURIComponent(amount);
    if (state.references && state.references.length) q += "&match_amount=" + encodeURIComponent($("#suggest-match").value);
    state.suggestion = await api("POST", projectPath(q));
  } finally {
    $("#run-suggest").disabled = false;
  }
  renderSuggestion();
  const ready = "Suggestion ready: read the reasons, then use it or keep your balance.";
  status(ready);
  if (!unchecked) return;
  // A project not checked yet keeps the check the suggestion ran: the
  // checklist shows the report the suggestion read. The suggestion stands
  // whether or not the project can be read again now.
  try {
    await reload();
  } catch (e) {
    if (e instanceof Stale) return;
    status(ready + " The checklist was not brought up to date (" + explain(e) + "): open the project again to see the check it read.", true);
  }
}

function renderSuggestion() {
  const box = $("#suggest-result");
  const res = state.suggestion;
  box.hidden = !res;
  if (!res) return;
  let line = "Style family " + res.family + " (" + res.family_reason + "), amount " + res.amount + ".";
  if (res.references && res.references.length) {
    line += " Matched to " + res.references.map(r => r.name + " (weight " + r.weight + ")").join(", ") + " at " + res.match_amount + ".";
  }
  // A long song is analysed by an excerpt (docs/api.md, the suggestion's
  // budget): the server's own sentence says which part.
  if (res.excerpt && res.excerpt.message) {
    const m = res.excerpt.message;
    line += " " + m.charAt(0).toUpperCase() + m.slice(1) + ".";
  }
  $("#suggest-family").textContent = line;
  $("#suggest-reasons").open = true;
  $("#suggest-reasons summary").textContent = "The " + res.decisions.length + " decisions and their reasons";
  // Each decision's reason goes on a row of its own under it, so the
  // table fits a phone: where, amount and what it sets, then why.
  const head = $("#suggest-result thead tr");
  if (head && head.children.length === 4) head.lastElementChild.remove();
  const body = $("#suggest-decisions");
  body.textContent = "";
  for (const d of res.decisions) {
    const tr = document.createElement("tr");
    for (const v of [decisionWhere(d, res.session), String(d.amount), d.value]) {
      const td = document.createElement("td");
      td.textContent = v;
      tr.append(td);
    }
    // The session field, for whoever reads the YAML or the API.
    tr.firstElementChild.title = d.path;
    tr.dataset.path = d.path;
    const why = document.createElement("tr");
    why.className = "reason";
    const td = document.createElement("td");
    td.colSpan = 3;
    td.textContent = d.reason;
    why.append(td);
    body.append(tr, why);
  }
}

// PART_NAMES are a session field's words on the strips and the master
// step.
const PART_NAMES = { gain_db: "gain", eq: "EQ", compressor: "compressor", de_esser: "de-esser", multiband: "multiband", width: "width",
  match_eq: "tone match", target: "loudness target", limiter: "limiter", resample: "sample rate", polarity: "polarity", offset_samples: "offset" };

// decisionWhere says where a decision lands as the page names it: the
// stem's file and the control ("03 Bass.wav · EQ band 8"), where the
// session field ("stems[2].eq[7]") read as code to a musician.
function decisionWhere(d, session) {
  const m = /^(?:stems\[(\d+)\]|master)(?:\.([a-z_]+)(?:\[(\d+)(?:…(\d+))?\])?)?$/.exec(d.path);
  if (!m) return d.path;
  const stem = m[1] !== undefined ? ((session && session.stems[+m[1]] || {}).file || d.file || "stem " + (+m[1] + 1)) : "master";
  if (!m[2]) return stem;
  let part = PART_NAMES[m[2]] || m[2].replace(/_/g, " ");
  if (m[3] !== undefined) part += (m[4] !== undefined ? " bands " + (+m[3] + 1) + "–" + (+m[4] + 1) : " band " + (+m[3] + 1));
  return stem + " · " + part;
}

async function useSuggestion() {
  const res = state.suggestion;
  if (!res) return;
  state.session = res.session;
  state.mutes = {}; state.solos = {};
  // Show the proposal in the mixer and master controls (saveSession reads
  // the master controls back), then save it.
  for (const f of ["renderMixer", "renderMaster"]) if (typeof window[f] === "function") window[f]();
  await saveSession();
  // Folded once used: a song's seventy decisions stood between the button
  // and the strips they had just set.
  $("#suggest-reasons").open = false;
  status("The assistant's session is in the mixer; every setting stays editable.");
}

// References: tracks to sound like, listed with their weights.
function referencesBox() {
  let box = $("#references");
  if (box) return box;
  box = document.createElement("div");
  box.id = "references";
  box.className = "references";
  const label = document.createElement("label");
  label.append("References ");
  const input = document.createElement("input");
  input.id = "reference-file";
  input.type = "file";
  input.multiple = true;
  input.accept = ".wav,.wave,.bwf,.rf64,.aif,.aiff,.flac,audio/*";
  label.append(input);
  const hint = document.createElement("p");
  hint.className = "hint";
  hint.textContent = "Records to sound like: the assistant matches their tone, loudness and width, weighted; they are never mixed in.";
  const list = document.createElement("ul");
  list.id = "reference-list";
  // How far toward the references (tone, loudness, width): 0 is the
  // proposal without them.
  const ml = document.createElement("label");
  ml.id = "suggest-match-label";
  ml.append("Match ");
  const match = document.createElement("input");
  match.id = "suggest-match"; match.type = "range"; match.min = "0"; match.max = "1"; match.step = "0.1"; match.value = "1";
  const mv = document.createElement("span");
  mv.textContent = "1";
  match.addEventListener("input", () => { mv.textContent = match.value; });
  ml.append(match, " ", mv);
  box.append(label, hint, list, ml);
  $("#suggest").insertBefore(box, $("#suggest-result"));
  input.addEventListener("change", () => {
    const files = [...input.files];
    input.value = "";
    if (files.length) addReferences(files).catch(fail);
  });
  return box;
}

async function loadReferences() {
  state.references = [];
  renderReferences();
  const id = state.id;
  const res = await api("GET", projectPath("/references"));
  if (id !== state.id) return; // another project opened meanwhile
  state.references = res.references;
  renderReferences();
}

function renderReferences() {
  referencesBox();
  const list = $("#reference-list");
  list.textContent = "";
  $("#suggest-match-label").hidden = !(state.references && state.references.length);
  for (const r of state.references || []) {
    const li = document.createElement("li");
    li.dataset.name = r.name;
    const name = document.createElement("span");
    name.textContent = r.name + " (" + Number(r.duration_s).toFixed(0) + " s) ";
    const wl = document.createElement("label");
    wl.append("weight ");
    const w = document.createElement("input");
    w.type = "number"; w.min = "0.1"; w.max = "100"; w.step = "0.1"; w.value = r.weight;
    w.className = "reference-weight";
    w.addEventListener("change", () => setReferenceWeight(r.name, w).catch(fail));
    wl.append(w);
    const rm = document.createElement("button");
    rm.type = "button"; rm.textContent = "Remove"; rm.className = "remove-reference";
    rm.addEventListener("click", () => removeReference(r.name).catch(fail));
    li.append(name, wl, rm);
    list.append(li);
  }
}

async function addReferences(files) {
  const id = state.id;
  const form = new FormData();
  for (const f of files) form.append("file", f, f.name);
  status("Uploading " + files.map(f => f.name).join(", ") + "…");
  const res = await fetch(projectPath("/references"), { method: "POST", headers: { Authorization: "Bearer " + state.token }, body: form });
  const data = await res.json().catch(() => null);
  if (!res.ok) {
    const e = (data && data.error) || { code: "http_" + res.status, message: res.statusText };
    await loadReferences(); // files accepted before the refused one stay
    throw new APIError(res.status, e.code, e.message);
  }
  if (id !== state.id) return;
  state.references = data.references;
  renderReferences();
  status("Reference added: Suggest matches it.");
}

async function setReferenceWeight(name, input) {
  const w = Number(input.value);
  if (!(w > 0 && w <= 100)) {
    status("A weight is a number over 0, at most 100.", true);
    return;
  }
  const r = await api("PUT", projectPath("/references/" + encodeURIComponent(name)), { weight: w });
  const ref = (state.references || []).find(x => x.name === name);
  if (ref) ref.weight = r.weight;
}

async function removeReference(name) {
  await api("DELETE", projectPath("/references/" + encodeURIComponent(name)));
  state.references = (state.references || []).filter(x => x.name !== name);
  renderReferences();
}

// Each project loaded (projects.js's reload) whose references are not shown yet
// gets its own list, and no suggestion of the project before.
let referencesFor = null;
document.addEventListener("projectload", () => {
  if (referencesFor === state.id || !$("#suggest")) return;
  referencesFor = state.id;
  state.suggestion = null;
  renderSuggestion();
  loadReferences().catch(fail);
});

document.addEventListener("DOMContentLoaded", () => {
  const b = $("#run-suggest");
  if (!b) return;
  referencesBox();
  b.addEventListener("click", () => suggest().catch(fail));
  $("#use-suggest").addEventListener("click", () => useSuggestion().catch(fail));
  $("#suggest-amount").addEventListener("input", e => { $("#suggest-amount-value").textContent = e.target.value; });
});
