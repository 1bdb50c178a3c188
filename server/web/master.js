// The master view: target and deliverables, the limiter, the master's settings
// and the gate before rendering.
// One of the page's classic scripts: index.html loads them in order into
// one global scope.
"use strict";

// ---- master settings ------------------------------------------------------

const DELIVERABLES = {
  wav24: { format: "wav", bit_depth: 24 },
  // The CD file is a final delivery: its dither is noise-shaped (F-weighted,
  // the noise moved out of 2–5 kHz), as docs/session.md's example asks. The
  // AIFF 16-bit keeps flat TPDF: it is at the stems' rate, where shaping may
  // not be offered, and often processed again.
  cd: { format: "wav", bit_depth: 16, sample_rate: 44100, dither: "shaped", suffix: "cd" },
  float: { format: "wav", bit_depth: 32, sample_format: "float", suffix: "float" },
  flac24: { format: "flac", bit_depth: 24 },
  // AIFF is integer PCM (float needs AIFF-C): the page offers 24 and 16
  // bits; the 32-bit integer the server also takes is left to a session
  // file to ask for.
  aiff24: { format: "aiff", bit_depth: 24 },
  aiff16: { format: "aiff", bit_depth: 16, dither: "tpdf", suffix: "16" },
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
// errors the session does not correct, and lists beside it the warnings
// the master is made with.
function renderGate() {
  const fixes = (state.project.fixes || []).filter(f => f.blocking);
  $("#gate").hidden = fixes.length === 0;
  $("#render-box").hidden = fixes.length > 0;
  const ul = $("#gate-list");
  ul.replaceChildren(...fixes.map(findingItem));
  $("#gate-anyway").hidden = !fixes.some(f => !f.apply);
  // The files to export again are the ones named: "the stems" told a
  // musician mastering the mix alone, whose mix was cut short, to export
  // stems.
  const names = [...new Set(fixes.filter(f => !f.apply && f.file).map(f => f.file))];
  $("#gate-export").textContent = names.length ? names.join(", ") : oneFile() ? "the file" : "the stems";
  // A file the render cannot read as it is (cut short, unreadable) is
  // not mastered anyway: the render would fail on it.
  const stuck = [...new Set(fixes.filter(f => f.cannot_render).map(f => f.file || "a file"))];
  $("#master-anyway").hidden = stuck.length > 0;
  $("#gate-or").textContent = stuck.length ? ": the master cannot be made from " + stuck.join(", ") + " as " + (stuck.length === 1 ? "it is" : "they are") : ", or master anyway — the report will say so";
  renderCarried();
}

// renderCarried lists, beside Master, the warnings the render will be made
// with: the server's outstanding findings (on what the session masters,
// not corrected) that do not block. A clipped stem was mastered without a
// word on this step; it was said only on the checklist and, after the
// render, under the results. A sum the applied corrections answered
// (sumAnswered) is not one of them.
function renderCarried() {
  const fixes = state.project.fixes || [];
  const carried = fixes.filter(f => f.outstanding && !f.blocking && !sumAnswered(f, fixes, state.project.check));
  $("#master-warnings").hidden = carried.length === 0;
  $("#master-warnings-list").replaceChildren(...carried.map(findingItem));
}
