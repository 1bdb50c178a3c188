// Jobs: following a check or master job by its events, and starting them.
// One of the page's classic scripts: index.html loads them in order into
// one global scope.
"use strict";

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
    // Queued again for a later attempt, the job says why (the server's
    // disk is short, an interruption).
    const why = v.state === "queued" && v.error ? " — " + v.error : "";
    stageEl.textContent = (isRender ? "Mastering: " : "Checking: ") + v.state + running + why + " " + Math.round(v.progress * 100) + " %";
  };
  const final = v => v.state === "done" || v.state === "failed" || v.state === "cancelled";
  const what = isRender ? "master" : "check";
  // A running job's worker beats its heartbeat (updated_at) every second.
  // Silent for longer, the worker is gone (a server restarted, a worker
  // killed) and the job is taken up again once its lease runs out: the
  // page says so, where a frozen "running … 22 %" read as hung.
  let beat = j.updated_at, beatAt = Date.now(), away = false;
  const silentFor = v => {
    if (v.updated_at !== beat) { beat = v.updated_at; beatAt = Date.now(); }
    return v.state === "running" ? (Date.now() - beatAt) / 1000 : 0;
  };
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
        if (scope === state.scope) {
          const lost = "The server cannot be reached (the connection, or the server restarting): the page keeps asking. Your project and session are kept on the server; the " + what + " goes on once it answers.";
          stageEl.textContent = (isRender ? "Mastering: " : "Checking: ") + lost;
          if (!away) status(lost, true);
          away = true;
        }
        continue;
      }
      if (away && scope === state.scope) status("The server answers again: the " + what + " goes on.");
      away = false;
      show(j);
      const silent = silentFor(j);
      if (silent > 8 && scope === state.scope) {
        stageEl.textContent += " — no word from the server's worker for " + Math.round(silent) + " s (a restart?): the " + what + " starts again by itself within about a minute, nothing is lost";
      }
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
    status("Check done." + (adv ? " Advice: " + (SERVICE[adv.service] || adv.service) + adviceLead(adv.reasons || []) + "." : ""));
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
  // Check pressed again while the one asked waits for the uploads: one
  // check is coming (each press asked its own once the files were in).
  if (state.checking.size) {
    status(state.scope.uploads.size ? "The check is asked: it starts once the uploads are in." : "The check is on its way.");
    return;
  }
  $("#check-error").hidden = true;
  // Nothing uploaded, nothing on its way: the step to go to is Upload.
  // The server's refusal, shown under the list's own line, said the same
  // a second time in other words.
  const p = state.project;
  if (!p.stems.length && !p.mix && !state.scope.uploads.size) {
    goTo("upload");
    status(UPLOAD_FIRST);
    return;
  }
  // From the press on, the list says the check is coming, while the
  // uploads still running go in first.
  const scope = state.scope, asked = {};
  state.checking.add(asked);
  renderCheck();
  let job;
  try {
    await uploadsIn("The check");
    renderCheck();
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
  // Master pressed again before the first is asked (it waits for the
  // uploads, the save, the server's answer): one render is coming.
  const scope = state.scope;
  if (state.masterAsked === scope) {
    status(scope.uploads.size ? "The master is asked: it starts once the uploads are in." : "The master is on its way.");
    return;
  }
  state.masterAsked = scope;
  const errEl = $("#render-error");
  errEl.hidden = true;
  let job;
  try {
    await uploadsIn("The master");
    await saveSession();
    status("Mastering…");
    ({ job } = await api("POST", projectPath("/render"), { master_anyway: !!anyway, note: $("#render-note").value.trim() }));
  } catch (e) {
    if (e.code === "check_errors") { await reload(); setView("master"); }
    throw e;
  } finally {
    if (state.masterAsked === scope) state.masterAsked = null;
  }
  $("#render-note").value = "";
  await followJob({ id: job, kind: "render", state: "queued", progress: 0 });
}
