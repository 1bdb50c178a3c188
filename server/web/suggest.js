// The assistant's "Suggest" panel: asks POST /suggest for a proposed
// session, shows every decision with its amount and reason, and takes the
// session into the mixer when the client chooses to. It uses app.js's
// helpers (api, projectPath, state, renderMixer, renderMaster, saveSession,
// status, fail).
"use strict";

async function suggest() {
  const amount = $("#suggest-amount").value;
  status("The assistant is analysing your stems…");
  $("#run-suggest").disabled = true;
  try {
    state.suggestion = await api("POST", projectPath("/suggest?amount=" + encodeURIComponent(amount)));
  } finally {
    $("#run-suggest").disabled = false;
  }
  renderSuggestion();
  status("Suggestion ready: read the reasons, then use it or keep your balance.");
}

function renderSuggestion() {
  const box = $("#suggest-result");
  const res = state.suggestion;
  box.hidden = !res;
  if (!res) return;
  $("#suggest-family").textContent = "Style family " + res.family + " (" + res.family_reason + "), amount " + res.amount + ".";
  const body = $("#suggest-decisions");
  body.textContent = "";
  for (const d of res.decisions) {
    const tr = document.createElement("tr");
    for (const v of [d.path, String(d.amount), d.value, d.reason]) {
      const td = document.createElement("td");
      td.textContent = v;
      tr.append(td);
    }
    body.append(tr);
  }
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
  status("The assistant's session is in the mixer; every setting stays editable.");
}

document.addEventListener("DOMContentLoaded", () => {
  const b = $("#run-suggest");
  if (!b) return;
  b.addEventListener("click", () => suggest().catch(fail));
  $("#use-suggest").addEventListener("click", () => useSuggestion().catch(fail));
  $("#suggest-amount").addEventListener("input", e => { $("#suggest-amount-value").textContent = e.target.value; });
});
