// The upload view: the file list and mode, resumable uploads with retries, the
// drop zones.
// One of the page's classic scripts: index.html loads them in order into
// one global scope.
"use strict";

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
  // One file is mastered as it is: the check leads on to Master (the
  // balance of a single strip, its role and its offset, read as a step
  // the musician had to take). Balance stays a tab away, for the
  // assistant.
  $("#to-mix").textContent = oneFile(p) ? "Next: master →" : "Next: balance →";
  const both = p.stems.length > 0 && !!p.mix;
  $("#mode").hidden = !both;
  $$("#mode input").forEach(r => { r.checked = r.value === (p.stereo ? "stereo" : "stems"); });
}

async function removeFile(kind, name) {
  const checked = !!(state.project && state.project.check);
  const row = [...$$("#files tbody tr")].findIndex(tr => tr.contains(document.activeElement));
  await api("DELETE", projectPath("/" + (kind === "mix" ? "mix" : "stems") + "/" + encodeURIComponent(name)));
  state.session = null;
  await reload();
  // The button pressed went with its file: the keyboard carries on from
  // the next file's (or the step's next move), not from the page's top.
  if (focusLost()) {
    const next = state.view === "check" ? $("#run-check") : $$("#files tbody tr button")[Math.max(0, row)] || $$("#files tbody tr button").pop() || $("#stem-input");
    if (next) next.focus();
  }
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

// showSending puts how much of the uploads running is sent on the Upload
// step's tab and in the browser's tab title: a large file on a slow
// connection takes minutes, the steps after it (Check waits for it) hide
// the list, and the musician may look at another tab meanwhile.
function showSending(scope) {
  if (scope !== state.scope) return;
  let sent = 0, size = 0;
  for (const s of scope.sending.values()) { sent += s.sent; size += s.size; }
  const share = pct(sent, size);
  // The separator is its own span: on a phone the share goes under the
  // step's name (style.css), where a " · " would lead the line.
  $("#upload-pct").replaceChildren(...(scope.sending.size ? [el("span", { class: "sep", text: " · " }), share] : []));
  const title = document.title.replace(/^\(\d+ %\) /, "");
  document.title = scope.sending.size ? "(" + share + ") " + title : title;
}

// pct is the share of size sent, in whole percent rounded down ("42 %").
function pct(sent, size) {
  return Math.floor(100 * sent / Math.max(size, 1)) + " %";
}

// sendingText is an upload's progress as its line says it: the share
// sent, the size, and once the pace is known the time left.
function sendingText(sent, size, seconds) {
  let t = pct(sent, size) + " of " + fmtBytes(size);
  if (seconds >= 2 && sent > 0 && sent < size) {
    const left = (size - sent) * seconds / sent;
    t += " · about " + (left < 60 ? Math.max(10, Math.ceil(left / 10) * 10) + " s" : Math.round(left / 60) + " min") + " left";
  }
  return t;
}

function uploadFile(kind, file, replaces = false) {
  const scope = state.scope, project = state.id, path = projectPath(kind === "mix" ? "/mix" : "/stems"), token = state.token;
  return new Promise((resolve, reject) => {
    const bar = el("progress", { max: 1, value: 0 });
    // A screen reader names the bar by its file.
    bar.setAttribute("aria-label", "upload of " + file.name);
    const msg = el("span", { class: "muted" });
    const li = el("li", {}, el("span", { text: file.name }), bar, msg);
    $("#upload-list").append(li);
    markUpload(project, file.name, true);
    let tries = 0;
    const done = () => { scope.sending.delete(li); showSending(scope); };
    const send = () => {
      const xhr = new XMLHttpRequest(), t0 = performance.now();
      xhr.open("POST", path);
      xhr.setRequestHeader("Authorization", "Bearer " + token);
      scope.sending.set(li, { sent: 0, size: file.size });
      showSending(scope);
      xhr.upload.onprogress = e => {
        if (!e.lengthComputable) return;
        bar.value = e.loaded / e.total;
        msg.textContent = sendingText(e.loaded, e.total, (performance.now() - t0) / 1000);
        msg.className = "muted";
        scope.sending.set(li, { sent: e.loaded, size: e.total });
        showSending(scope);
      };
      xhr.onload = () => {
        done();
        markUpload(project, file.name, false);
        let data = null;
        try { data = JSON.parse(xhr.responseText); } catch (e) { /* not JSON */ }
        if (xhr.status >= 200 && xhr.status < 300) {
          // The server stores a name safe everywhere (letters outside ASCII,
          // '#' and the like become '_'): the new name is said, or the
          // stem would seem to have vanished from the list.
          const stored = data && data.files && data.files[0] && data.files[0].name;
          bar.value = 1; msg.textContent = stored && stored !== file.name ? "uploaded as " + stored : "uploaded"; msg.className = "muted"; li.className = "done";
          if (replaces) msg.textContent += ", in place of the " + file.name + " uploaded before";
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
        done();
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

// notAudio says why file f is no audio file to send, or "" to send it:
// what a musician drops by mistake, told before a byte goes (a stems'
// zip of a gigabyte was sent whole to hear "not a supported audio file").
// taken holds the names already sent in this drop: two files of one name
// (from two folders) would land on one stem, the second over the first.
function notAudio(f, taken) {
  const name = f.name.toLowerCase();
  if (taken.has(name)) return "not uploaded: another file of this drop has the same name, and one would replace the other. Rename one (\"drums 2.wav\") and add it again.";
  if (/\.(zip|rar|7z|tar|gz|tgz|bz2|xz)$/.test(name)) return "not uploaded: it is an archive. Unzip it and drop the audio files inside (WAV, AIFF or FLAC).";
  if (/\.(mp4|mov|m4v|mkv|avi|webm|wmv|mpg|mpeg)$/.test(name) || /^video\//.test(f.type)) return "not uploaded: it is a video. Export the audio from your session as WAV (24-bit, or 32-bit float) and add that.";
  if (f.size === 0) return "not uploaded: the file is empty (0 bytes). If your DAW is still exporting it, wait until the export has finished and add it again; if not, export it again.";
  taken.add(name);
  return "";
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
  const taken = new Set();
  return files.filter(f => {
    const why = notAudio(f, taken);
    if (why) {
      refuse(f, why);
      return false;
    }
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
  // A name the project holds already: the file sent replaces it (the
  // same stem exported again), and the page says so, for the other case
  // (two stems of one name from two folders).
  const p = state.project || { stems: [] };
  const had = new Set(kind === "mix" ? (p.mix ? [p.mix.name] : []) : p.stems.map(f => f.name));
  const replaced = queue.filter(f => had.has(f.name)).map(f => f.name);
  // The count is of every upload running in the project: the stems and
  // the mix go up together, and the mix done first said "Uploaded" while
  // the stems were still on their way.
  const sent = scope.sent;
  if (!scope.uploads.size) { sent.done = 0; sent.total = 0; sent.first = queue.length ? queue[0].name : ""; }
  sent.total += queue.length;
  // One file is named: the status line still read "upload your stems"
  // through the minutes a large mix takes.
  const say = () => {
    if (scope !== state.scope || !sent.total || sent.done === sent.total) return;
    status(sent.total > 1 ? "Uploading: " + sent.done + " of " + sent.total + " files in…" : "Uploading " + sent.first + "…");
  };
  const worker = async () => {
    while (queue.length) {
      const f = queue.shift();
      try { await uploadFile(kind, f, had.has(f.name)); } catch (e) { errors.push(e.message); }
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
  else if (mixLike.length && state.project.stems.length === 1) {
    // Alone it is mastered as it is, whichever box it went in.
    status("Uploaded. " + mixLike[0] + " alone is mastered as it is (stereo mastering). If you upload its stems too, move it to the Stereo mix box first (summed with the stems it would play the song twice).");
  } else if (mixLike.length) status("Uploaded. " + mixLike[0] + " went in as a stem: if it is the stereo mix, remove it and drop it on the Stereo mix box (summed with the stems it would play the song twice).");
  else if (replaced.length) status("Uploaded. " + replaced.join(", ") + (replaced.length > 1 ? " replaced the files" : " replaced the file") + " of that name uploaded before: if that was another stem, rename one and add it again.");
  else status("Uploaded. Next: check the delivery.");
  if (files.note) status(files.note + " " + $("#status").textContent, errors.length > 0);
}

function setupDrop(drop, input, kind) {
  ["dragenter", "dragover"].forEach(t => drop.addEventListener(t, e => { e.preventDefault(); drop.classList.add("over"); }));
  ["dragleave", "drop"].forEach(t => drop.addEventListener(t, e => { e.preventDefault(); drop.classList.remove("over"); }));
  drop.addEventListener("drop", e => droppedFiles(e.dataTransfer).then(files => uploadFiles(kind, files)).catch(fail));
  input.addEventListener("change", () => { uploadFiles(kind, input.files).catch(fail).finally(() => { input.value = ""; }); });
}

// droppedFiles lists the files of a drop, a folder's by their own: a
// folder dragged in (the stems' export folder) came as one file of its
// name, empty, refused as "the file is empty". Its audio files are sent
// (subfolders too); what else it holds (a session, a text) is left out
// and named in the status line. Hidden files (.DS_Store) are passed over.
async function droppedFiles(dt) {
  // Both read now: the browser hands out a drop's items and files only
  // while its event runs, and the folders' walk below awaits.
  const entries = [...(dt.items || [])].map(i => i.webkitGetAsEntry && i.webkitGetAsEntry());
  const loose = [...dt.files];
  if (!entries.some(en => en && en.isDirectory)) return loose;
  const files = [], skipped = [], folders = [];
  const readAll = dir => new Promise((resolve, reject) => {
    const reader = dir.createReader(), all = [];
    // readEntries answers in batches until an empty one.
    const more = () => reader.readEntries(batch => { if (!batch.length) resolve(all); else { all.push(...batch); more(); } }, reject);
    more();
  });
  const walk = async en => {
    if (!en || en.name.startsWith(".")) return;
    if (en.isDirectory) {
      for (const c of await readAll(en)) await walk(c);
      return;
    }
    const f = await new Promise((resolve, reject) => en.file(resolve, reject));
    if (/\.(wav|wave|bwf|rf64|aif|aiff|flac|mp3|m4a|aac|ogg|opus)$/i.test(f.name)) files.push(f);
    else skipped.push(f.name);
  };
  for (const [i, en] of entries.entries()) {
    if (en && en.isDirectory) { folders.push(en.name); await walk(en); }
    else if (loose[i]) files.push(loose[i]);
  }
  const from = "From the folder" + (folders.length > 1 ? "s " : " ") + folders.join(", ") + ": ";
  if (!files.length) throw new Error(from + "no audio file in it (WAV, AIFF or FLAC)" + (skipped.length ? "; it holds " + skipped.slice(0, 5).join(", ") + (skipped.length > 5 ? " …" : "") : "") + ". Export the stems into it, or drop the audio files themselves.");
  // Said before the upload's own words (uploadFiles).
  if (skipped.length) files.note = from + files.length + " audio " + (files.length === 1 ? "file" : "files") + " sent; left out, not audio: " + skipped.slice(0, 5).join(", ") + (skipped.length > 5 ? " and " + (skipped.length - 5) + " more" : "") + ".";
  return files;
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
