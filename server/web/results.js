// The results view: the master's figures and findings, the downloads, and the
// revisions with their comparison.
// One of the page's classic scripts: index.html loads them in order into
// one global scope.
"use strict";

// ---- results --------------------------------------------------------------

// warningPlace says which figure a report warning concerns.
function warningPlace(w) {
  if (/limit|true.peak|ceiling|clip/i.test(w)) return "tp";
  if (/LUFS|loud|target/i.test(w)) return "lufs";
  if (/range|LRA|dynamic/i.test(w)) return "lra";
  return "";
}

// byVersion orders a master's files as a musician looks for them: main
// first, each version's WAV before its other formats (the server lists
// them by name, a_cappella-16.aiff first).
const outputVersion = n => n.split(/[-.]/)[0];

function byVersion(a, b) {
  const key = o => [outputVersion(o.name) === "main" ? 0 : 1, outputVersion(o.name), o.name === outputVersion(o.name) + ".wav" ? 0 : 1, o.name];
  const ka = key(a), kb = key(b);
  for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return ka[i] < kb[i] ? -1 : 1;
  return 0;
}

// audioOutputs is the masters among outs, ordered byVersion.
function audioOutputs(outs) {
  return outs.filter(o => o.kind === "audio").sort(byVersion);
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
  // The report's warning that says the master was made anyway (the
  // server writes it with mastered_anyway, ending in those errors) opens
  // the results, and only there: the page's own sentence beside it said
  // the same twice, and a "clip" in an error's words put it in a figure.
  const anyway = (rep.mastered_anyway || []).join("; ");
  const anywayWarning = anyway ? (rep.warnings || []).find(w => w.endsWith(anyway)) : undefined;
  const warnings = (rep.warnings || []).filter(w => w !== anywayWarning);
  $("#mastered-anyway").hidden = !anywayWarning;
  $("#mastered-anyway").textContent = anywayWarning ? "⚠ " + anywayWarning : "";

  const tbody = $("#figures tbody");
  tbody.replaceChildren();
  if (!(state.revisions || []).some(r => r.current && JSON.stringify(r.report) === JSON.stringify(p.report || null))) $("#figures-of").textContent = "The latest master";
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
  const audio = audioOutputs(outs);
  // One row a version, its WAV's: the formats of a version are one master
  // (26 rows for four versions in six formats buried it), and each file's
  // own figures are on its download button.
  const shown = audio.filter((o, i) => i === 0 || outputVersion(o.name) !== outputVersion(audio[i - 1].name));
  shown.forEach((o, i) => row("after: " + downloadName(o.name), o.figures || {}, "after", i === 0));
  $("#figures-note").hidden = shown.length === audio.length;
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
  // The revision the files are of (the latest's number once the
  // revisions are in: loadRevisions draws the list again).
  const number = rev ? rev.number : ((state.revisions || []).find(r => r.current) || {}).number;
  const addDownload = (label, url, name, direct) => {
    const b = el("button", { type: "button", class: "download", text: label });
    b.dataset.name = name;
    // Where the file comes into the page before the browser saves it
    // (no direct link: the token goes in a header), the button says how
    // much has come, or a large master on a slow connection read as a
    // button doing nothing. A direct link streams to disk and the
    // browser's own downloads show its progress.
    b.addEventListener("click", () => {
      if (b.getAttribute("aria-busy") === "true") return;
      b.setAttribute("aria-busy", "true");
      download(url, downloadName(name, number), (got, size) => {
        b.textContent = label + " — downloading " + (size && got <= size ? Math.floor(100 * got / size) + " %" : fmtBytes(got)) + "…";
      }, direct).then(how => {
        if (how === "signed") status("Download started: your browser shows its progress.");
      }).catch(fail).finally(() => { b.textContent = label; b.removeAttribute("aria-busy"); });
    });
    dl.append(el("li", {}, b));
  };
  // Each file says its own loudness: the figures above are the latest
  // master's, and an earlier revision's files are not.
  const figs = o => o.kind === "audio" && o.figures ? " · " + fmtNum(o.figures.integrated_lufs) + " LUFS, " + fmtNum(o.figures.true_peak_dbtp) + " dBTP" : "";
  for (const o of audioOutputs(outs).concat(outs.filter(o => o.kind === "report"))) addDownload(downloadName(o.name, number) + " (" + fmtBytes(o.size) + figs(o) + ")", o.url, o.name, o.direct_link);
  // The zip is of the latest master: offered with its files, however
  // they were chosen.
  if (!rev || rev.current) addDownload("everything as a zip", projectPath("/outputs.zip"), (projectTitle() || "stemmaster-" + state.id.slice(0, 8)) + ".zip");
}

// downloadName names a file after the song: "My Song - main.wav". With
// rev, the number of the revision it is of, and a second revision made,
// the name says which: "My Song - main (revision 2).wav", "My Song
// (revision 2).zip". A client who downloaded the first master and then a
// second with other settings held two "My Song - main.wav" (the second
// saved as "… (1).wav" by the browser) and two "My Song.zip", and could
// not tell which was which.
function downloadName(name, rev) {
  const t = projectTitle().replace(/[\\/:*?"<>|]+/g, "_").trim();
  let n = t && !name.endsWith(".zip") ? t + " - " + name : name;
  if (rev && (state.revisions || []).length > 1) n = n.replace(/(\.[^.]+)?$/, ext => " (revision " + rev + ")" + ext);
  return n;
}

// download saves a file of the project and answers how. "signed": the
// server says the file store's links reach it from here (direct, the
// output's direct_link), so the browser follows a short-lived signed link
// straight to the store, streaming to disk without the file passing
// through the page. Otherwise "fetched": the file comes into the page
// with the token in a header, telling onProgress(bytes, size) as it comes
// (size 0 when the server does not say it: the zip), and its object URL
// outlives the results being drawn again (which revokes theirs) until the
// browser has taken it. A store whose links are internal to the server's
// network is never linked to: the browser could not reach it. The zip is
// made on the fly and has no signed link.
async function download(url, name, onProgress = () => {}, direct = false) {
  const t = projectTitle();
  const titled = u => t ? u + (u.includes("?") ? "&" : "?") + "title=" + encodeURIComponent(t) : u;
  if (direct) {
    try {
      const link = await (await fetchAuthed(titled(url + (url.includes("?") ? "&" : "?") + "signed=1"))).json();
      // The store names the file (Content-Disposition from the title
      // sent above); a cross-origin link ignores the download attribute.
      const a = el("a", { href: link.url, download: name, rel: "noopener" });
      document.body.append(a);
      a.click();
      a.remove();
      return "signed";
    } catch (e) {
      // The server's store changed since the view was drawn (it cannot
      // sign any more): through the server, as any other.
      if (!(e instanceof APIError) || e.status !== 501) throw e;
    }
  }
  const res = await fetchAuthed(titled(url));
  const size = Number(res.headers.get("Content-Length")) || 0, parts = [];
  let got = 0;
  for (const reader = res.body.getReader(); ;) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(value);
    got += value.length;
    onProgress(got, size);
  }
  const u = URL.createObjectURL(new Blob(parts, { type: res.headers.get("Content-Type") || "application/octet-stream" }));
  const a = el("a", { href: u, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(u), 60000);
  return "fetched";
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
  renderDownloads();
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
    // The name starts with the words shown (WCAG 2.5.3): a voice user
    // says what they see.
    dl.setAttribute("aria-label", dl.textContent + ": revision " + r.number);
    dl.addEventListener("click", () => { state.downloadRev = r.number; renderRevisions(); renderDownloads(); });
    // data-label: a cell's column, which a phone's card shows beside it.
    const tr = el("tr", { class: r.current ? "current" : "" },
      el("td", { "data-label": "compare" }, tick), el("td", { text: String(r.number) + (r.current ? " (latest)" : ""), "data-label": "revision" }),
      el("td", { text: new Date(r.created_at).toLocaleString() }), el("td", { text: r.note || "" }),
      el("td", { text: fmtNum(f.integrated_lufs), "data-label": "LUFS" }), el("td", { text: fmtNum(f.true_peak_dbtp), "data-label": "dBTP" }),
      el("td", { text: fmtNum(f.loudness_range_lu), "data-label": "LRA (LU)" }),
      el("td", {}, dl));
    tr.dataset.number = r.number;
    tbody.append(tr);
  }
  $("#compare").disabled = state.compareTicks.length !== 2;
  const latest = revs.find(r => r.current);
  $("#figures-of").textContent = "The latest master" + (latest ? " (revision " + latest.number + (latest.note ? ": " + latest.note : "") + ")" : "");
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
  const d = roundShown(y) - roundShown(x);
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
