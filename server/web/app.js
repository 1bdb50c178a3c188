// stemmaster web page: plain JavaScript, no build step. It talks to the JSON
// API with the project's bearer token, which lives in the URL fragment (never
// sent to the server) and in localStorage. The fragment also names the view
// (#p=ID&t=TOKEN&v=mix), so back and forward move between steps and a link
// opens the project where it was left.
"use strict";

// ---- start ----------------------------------------------------------------

function init() {
  $("#new-project").addEventListener("click", () => createProject(false).catch(fail));
  const demo = $("#try-demo");
  if (demo) demo.addEventListener("click", () => createProject(true).catch(fail));
  setupDrop($("#stem-drop"), $("#stem-input"), "stem");
  setupDrop($("#mix-drop"), $("#mix-input"), "mix");
  keepStrayDrops();
  nameControls($("#mixer"));
  nameControls($(".master-grid"));
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
  $("#to-mix").addEventListener("click", () => goTo(oneFile() ? "master" : "mix"));
  $("#to-master").addEventListener("click", () => goTo("master"));
  $("#switch-yes").addEventListener("click", acceptSwitch);
  $("#toast").addEventListener("click", () => { $("#toast").hidden = true; });
  // Try now, or the device's network back: the next look is now.
  const lookNow = () => { if (!conn.away) return; conn.nextAt = 0; showAway(); watch().catch(() => {}); };
  $("#connection-retry").addEventListener("click", lookNow);
  window.addEventListener("online", lookNow);
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
    openProject(last.id, last.token, null);
  } else status("Start a new project, or try the demo.");
}

document.addEventListener("DOMContentLoaded", init);
