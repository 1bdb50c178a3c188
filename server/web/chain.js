// The engineer's chain on the page: multiband dynamics (stems and master),
// dynamic EQ bands (stems), the compressors' mid/side channel and the
// master's tone match (read-only). Bounds follow docs/session.md; a section
// that is off sends nothing. Every control carries data-field, the session
// path the server names in a 422, so its message shows next to the control.
// The live player in mixer.js plays them too (stripLinks, below).
"use strict";

// chainNum is a labelled number input bound to obj[key], with the
// session's bounds (docs/session.md) as its range. The value goes as
// typed: the server holds the bounds and names a value beyond them, the
// crossovers' spacing and the rate next to the field (a 422).
// exclusive names a bound not allowed itself ("min": over lo).
function chainNum(obj, key, label, lo, hi, step, unit, field, onChange, exclusive = "") {
  const inp = el("input", { type: "number", min: lo, max: hi, step, value: obj[key], class: "ch-" + String(key).replace(/_/g, "-"), "data-field": field });
  if (exclusive) inp.dataset.exclusive = exclusive;
  inp.addEventListener("input", e => {
    e.stopPropagation();
    const x = typedNum(inp, NaN); // editors.js
    if (!Number.isFinite(x)) return;
    obj[key] = x;
    onChange();
  });
  inp.addEventListener("change", e => e.stopPropagation());
  return el("label", label === "Q" ? { class: "num", title: "Q: how narrow the band is (higher is narrower)" } : { class: "num" }, label + " ", inp, unit ? " " + unit : "");
}

function chainChannel(obj, field, onChange, key = "channel") {
  const sel = el("select", { class: "ch-channel", "data-field": field, title: "stereo, mid (L+R)/2 or side (L−R)/2" },
    ...["stereo", "mid", "side"].map(v => el("option", { value: v, text: v })));
  sel.value = obj[key] || "stereo";
  const read = e => {
    e.stopPropagation();
    if (sel.value === "stereo") delete obj[key]; else obj[key] = sel.value;
    onChange();
  };
  sel.addEventListener("input", read);
  sel.addEventListener("change", read);
  return el("label", { class: "num" }, "channel ", sel);
}

function chainSection(cls, title, count) {
  const d = el("details", { class: cls });
  d.append(el("summary", {}, title + " ", el("span", { class: "muted ch-count", text: count || "" })));
  return d;
}

const MB_DEFAULT_BAND = () => ({ threshold_db: -20, ratio: 2, knee_db: 6, attack_ms: 10, release_ms: 150, makeup_db: 0, expand_threshold_db: -120, expand_ratio: 0, range_db: 40, width: 1 });

const MB_CROSSOVERS = { 2: [250], 3: [200, 2500], 4: [120, 800, 5000] };

// multibandEditor edits a multiband (null when off) in box; path is
// "stems[i].multiband" or "master.multiband"; onChange(m or null).
function multibandEditor(box, value, path, onChange) {
  box.replaceChildren();
  let m = value ? JSON.parse(JSON.stringify(value)) : null;
  const on = el("input", { type: "checkbox", class: "mb-on", checked: !!m, "data-field": path });
  const count = el("select", { class: "mb-count", "aria-label": "number of bands" }, ...[2, 3, 4].map(n => el("option", { value: n, text: n + " bands" })));
  const body = el("div", { class: "mb-body" });
  box.append(el("div", { class: "ch-row" }, el("label", {}, on, " on"), count), body);
  const emit = () => onChange(m ? JSON.parse(JSON.stringify(m)) : null);
  const draw = () => {
    body.replaceChildren();
    count.disabled = !m;
    if (!m) return;
    count.value = m.bands.length;
    const xo = el("div", { class: "mb-xo" }, el("span", { class: "muted", text: "crossovers" }));
    const xoChanged = () => { labels.forEach((l, j) => { l.textContent = bandLabel(j); }); emit(); };
    m.crossovers_hz.forEach((_, j) => {
      const n = chainNum(m.crossovers_hz, j, "", 20, 20000, 10, "Hz", path + ".crossovers_hz[" + j + "]", xoChanged);
      // Shown as a row of numbers after "crossovers"; read by number.
      $("input", n).setAttribute("aria-label", "crossover " + (j + 1) + " in Hz");
      xo.append(n);
    });
    body.append(xo);
    const labels = [];
    const bandLabel = j => {
      const lo = j === 0 ? "" : m.crossovers_hz[j - 1], hi = j === m.bands.length - 1 ? "" : m.crossovers_hz[j];
      return "band " + (j + 1) + " (" + (lo || "…") + "–" + (hi || "…") + " Hz)";
    };
    m.bands.forEach((b, j) => {
      const d = el("details", { class: "mb-band" });
      const sum = el("summary", { text: bandLabel(j) });
      labels.push(sum);
      d.append(sum);
      const p = path + ".bands[" + j + "]";
      for (const [k, label, lo2, hi2, step, unit] of [
        ["threshold_db", "threshold", -96, 0, 1, "dBFS"], ["ratio", "ratio (0 off)", 0, 100, 0.5, ":1"], ["knee_db", "knee", 0, 24, 1, "dB"],
        ["attack_ms", "attack", 0, 5000, 1, "ms"], ["release_ms", "release", 1, 5000, 5, "ms"], ["makeup_db", "makeup", -24, 24, 0.5, "dB"],
        ["expand_threshold_db", "expand below", -120, 0, 1, "dBFS"], ["expand_ratio", "expand ratio (0 off)", 0, 100, 0.5, ":1"],
        ["range_db", "expand range", 0, 60, 1, "dB"], ["width", "width (1 as is)", 0, 4, 0.05, "×"]]) {
        if (b[k] === undefined) b[k] = MB_DEFAULT_BAND()[k];
        d.append(chainNum(b, k, label, lo2, hi2, step, unit, p + "." + k, emit));
      }
      body.append(d);
    });
  };
  on.addEventListener("change", e => {
    e.stopPropagation();
    m = on.checked ? { crossovers_hz: MB_CROSSOVERS[3].slice(), bands: [MB_DEFAULT_BAND(), MB_DEFAULT_BAND(), MB_DEFAULT_BAND()] } : null;
    draw(); emit();
  });
  on.addEventListener("input", e => e.stopPropagation());
  count.addEventListener("change", e => {
    e.stopPropagation();
    const n = +count.value;
    m.crossovers_hz = MB_CROSSOVERS[n].slice();
    while (m.bands.length < n) m.bands.push(MB_DEFAULT_BAND());
    m.bands.length = n;
    draw(); emit();
  });
  count.addEventListener("input", e => e.stopPropagation());
  draw();
}

// dynEQEditor edits a stem's dynamic EQ bands (at most 8) in box; path is
// "stems[i].dynamic_eq"; onChange(bands or null).
function dynEQEditor(box, value, path, onChange, onCount) {
  box.replaceChildren();
  const bands = value ? JSON.parse(JSON.stringify(value)) : [];
  const list = el("div", { class: "deq-bands", "data-field": path });
  const add = el("button", { type: "button", class: "link add-deq", text: "+ band" });
  box.append(list, add);
  const emit = () => { onCount(bands.length); onChange(bands.length ? JSON.parse(JSON.stringify(bands)) : null); };
  const draw = () => {
    list.replaceChildren();
    bands.forEach((b, j) => {
      const p = path + "[" + j + "]";
      const row = el("div", { class: "band deq-band" });
      for (const [k, label, lo, hi, step, unit] of [
        ["freq_hz", "freq", 20, 20000, 10, "Hz"], ["q", "Q", 0.1, 20, 0.1, ""], ["threshold_db", "threshold", -80, 0, 1, "dBFS"],
        ["ratio", "ratio", 1, 100, 0.5, ":1"], ["range_db", "at most", 0, 24, 0.5, "dB"], ["attack_ms", "attack", 0, 1000, 0.5, "ms"],
        ["release_ms", "release", 0, 5000, 5, "ms"]]) row.append(chainNum(b, k, label, lo, hi, step, unit, p + "." + k, emit, k === "range_db" ? "min" : ""));
      row.append(chainChannel(b, p + ".channel", emit));
      row.append(el("button", { type: "button", class: "link remove-band", "aria-label": "remove band", text: "✕", onclick: () => { bands.splice(j, 1); draw(); emit(); } }));
      list.append(row);
    });
    add.hidden = bands.length >= 8;
  };
  add.addEventListener("click", () => {
    bands.push({ freq_hz: 5000, q: 2, threshold_db: -30, ratio: 3, range_db: 6, attack_ms: 1, release_ms: 60 });
    draw(); emit();
  });
  draw();
  onCount(bands.length);
}

// stripChain appends the dynamic EQ and multiband sections to a strip.
function stripChain(strip, st, i) {
  const p = "stems[" + i + "]";
  const deq = chainSection("deq", "Dynamic EQ", "");
  const deqBox = el("div", { class: "deq-fields" });
  deq.append(deqBox);
  dynEQEditor(deqBox, st.dynamic_eq, p + ".dynamic_eq",
    v => { if (v) st.dynamic_eq = v; else delete st.dynamic_eq; updatePlayerParams(); scheduleSave(); },
    n => { $(".ch-count", deq).textContent = n ? "(" + n + ")" : ""; });
  const mb = chainSection("mb", "Multiband", st.multiband ? "(" + st.multiband.bands.length + ")" : "");
  const mbBox = el("div", { class: "mb-fields" });
  mb.append(mbBox);
  multibandEditor(mbBox, st.multiband, p + ".multiband", v => {
    if (v) st.multiband = v; else delete st.multiband;
    $(".ch-count", mb).textContent = v ? "(" + v.bands.length + ")" : "";
    updatePlayerParams();
    scheduleSave();
  });
  const after = $("details.deess", strip);
  if (after) after.after(deq, mb); else strip.append(deq, mb);
}

// masterChain fills the master's multiband and tone-match cards.
function masterChain() {
  const s = state.session;
  const box = $("#master-multiband");
  if (box) multibandEditor(box, s.master.multiband, "master.multiband", v => { if (v) s.master.multiband = v; else delete s.master.multiband; scheduleSave(); });
  const me = $("#master-match");
  if (!me) return;
  const pts = s.master.match_eq || [];
  me.replaceChildren();
  me.dataset.field = "master.match_eq";
  if (!pts.length) {
    me.append(el("p", { class: "muted", text: "None. The assistant's Suggest with a reference track fits one." }));
    return;
  }
  const gains = pts.map(p => p.gain_db);
  const sign = x => (x > 0 ? "+" : "") + fmtNum(x, 1);
  me.append(el("p", { class: "match-summary", text: pts.length + " point" + (pts.length === 1 ? "" : "s") + " from the assistant / a reference: " +
    fmtNum(pts[0].freq_hz, 0) + "–" + fmtNum(pts[pts.length - 1].freq_hz, 0) + " Hz, " + sign(Math.min(...gains)) + " … " + sign(Math.max(...gains)) + " dB (linear phase, before the EQ)" }));
  me.append(el("button", { type: "button", class: "link remove-match", text: "remove the tone match", onclick: () => { delete s.master.match_eq; masterChain(); scheduleSave(); } }));
}

// showFieldErrors puts each 422 problem next to the control whose
// data-field is its path, or else the nearest parent path's control, and
// opens the sections around it. clearFieldErrors removes them all.
function clearFieldErrors() {
  $$(".field-error").forEach(e => e.remove());
  $$(".invalid").forEach(e => e.classList.remove("invalid"));
}

function showFieldErrors(fields) {
  clearFieldErrors();
  let shown = 0;
  for (const f of fields || []) {
    let path = f.field || "", target = null;
    while (path && !target) {
      target = document.querySelector('[data-field="' + CSS.escape(path) + '"]');
      if (!target) path = path.replace(/(\.[^.[\]]*|\[\d+\])$/, "") === path ? "" : path.replace(/(\.[^.[\]]*|\[\d+\])$/, "");
    }
    if (!target) continue;
    shown++;
    target.classList.add("invalid");
    const msg = el("div", { class: "field-error", role: "alert", text: String(f.message || "").replace(/^line \d+: /, "") });
    const label = target.closest("label");
    (label || target).after(msg);
    for (let d = target.closest("details"); d; d = d.parentElement && d.parentElement.closest("details")) d.open = true;
  }
  return shown;
}

// ---- the render's chain figures ---------------------------------------------

// chainReport shows the engineer's chain's figures of a render's report
// (report.json), with the CLI's precision so the three agree: the
// limiter's reduction and which stems caused it (plain or stem-aware),
// the mono compatibility (correlation), the glue compressor's and the
// multiband's reduction, and per stem (stem-aware) the share it caused
// and the limiter's reduction it took, and its de-esser, dynamic EQ and
// multiband figures, each column only where a stem has one.
// One file mastered (single) has no stems to attribute to: neither shows.
function chainReport(rep, single) {
  const m = rep.master || {}, lim = m.limiter, corr = m.correlation;
  const box = el("div", { class: "chain-report" });
  // As the CLI's summary line: up to (1 decimal), active (whole %); the
  // mean as its per-stem table (2 decimals).
  const gr = g => "up to " + fmtNum(g.max_db, 1) + " dB, mean " + fmtNum(g.mean_db, 2) + " dB, active " + fmtNum(100 * g.active_share, 0) + " % of the time";
  const rows = [];
  if (lim) {
    rows.push(["limiter" + (lim.stem_aware ? " (stem-aware)" : ""), gr(lim), "lim-gr"]);
    if (lim.attribution && !single) rows.push(["caused by", lim.attribution, "lim-attribution"]);
  }
  if (m.compressor) rows.push(["glue compressor", gr(m.compressor), "glue-gr"]);
  const mb = m.processors && m.processors.multiband_max_gr_db;
  if (mb && mb.length) rows.push(["master multiband", mb.map((v, i) => "band " + (i + 1) + " " + fmtNum(v, 2)).join(", ") + " dB max", "mb-gr"]);
  if (corr && (corr.overall === null || corr.overall === undefined)) {
    rows.push(["mono compatibility (correlation)", "no signal (a channel of the master is silent)", "correlation"]);
  } else if (corr) {
    const meter = el("meter", { class: "corr-meter", min: -1, max: 1, low: 0, optimum: 1, high: 0.3, value: corr.overall, title: "−1 cancels in mono, 0 unrelated, +1 mono" });
    // The figures as the CLI and report.html print them, and no verdict
    // of the page's own: "some passages are out of phase", said whenever
    // a 100 ms window went below 0, called a clean mix's wide reverb a
    // fault beside a meter reading fine.
    rows.push(["mono compatibility (correlation)", [meter, " " + fmtNum(corr.overall, 2) + " overall, " + fmtNum(corr.min_window, 2) + " lowest over 100 ms"], "correlation"]);
  }
  if (rows.length) {
    const t = el("table", { class: "chain-figures" });
    for (const [k, v, cls] of rows) t.append(el("tr", { class: cls }, el("th", { text: k }), el("td", {}, ...[].concat(v))));
    box.append(el("h3", { text: "Master chain" }), el("div", { class: "table-wrap" }, t));
  }
  const stems = single ? [] : (rep.stems || []).filter(s => s.limiter || s.processors);
  // The plain limiter reduces the sum: every stem took the master's
  // reduction, the same figures on every row, and "caused by" above says
  // whose peaks it reduced. Its rows are the stems' own processors, and
  // only the stems and columns that have one.
  const plain = lim && !lim.stem_aware;
  const list = v => (v && v.length ? v.map(x => fmtNum(x, 2)).join(" / ") : "—");
  const cols = [
    ["stem", s => s.file.split("/").pop() + (s.muted ? " (muted)" : "")],
    ...(plain ? [] : [["caused", s => s.limiter ? fmtNum(100 * s.limiter.caused_share, 0) + " %" : "—"],
      ["limiter mean", s => s.limiter ? fmtNum(s.limiter.mean_db, 2) : "—"], ["limiter max", s => s.limiter ? fmtNum(s.limiter.max_db, 2) : "—"]]),
    ["de-esser max", s => s.processors && s.processors.de_esser_max_gr_db !== undefined ? fmtNum(s.processors.de_esser_max_gr_db, 2) : "—"],
    ["dynamic EQ max", s => list(s.processors && s.processors.dynamic_eq_max_gr_db)],
    ["multiband max", s => list(s.processors && s.processors.multiband_max_gr_db)],
  ];
  const cells = stems.map(s => cols.map(([, f]) => f(s)));
  const shown = cols.map((_, j) => j === 0 || cells.some(r => r[j] !== "—"));
  const rowsShown = stems.map((_, i) => cells[i].some((x, j) => j > 0 && shown[j] && x !== "—"));
  if (stems.length) {
    box.append(el("h3", { text: "Gain reduction by stem (dB)" }));
    if (plain) box.append(el("p", { class: "muted lim-sum", text: "The limiter acts on the sum: every stem took the master's reduction above" + (lim.attribution ? ", and \"caused by\" says whose peaks it reduced." : ".") }));
    else if (lim) box.append(el("p", { class: "muted", text: "The stem-aware limiter took its reduction from the stems by weight: each row is what that stem took." }));
  }
  if (rowsShown.some(Boolean)) {
    const pick = r => r.filter((_, j) => shown[j]);
    const t = el("table", { class: "stem-gr" }, el("thead", {}, el("tr", {}, ...pick(cols.map(([h]) => h)).map(h => el("th", { text: h })))));
    const body = el("tbody");
    stems.forEach((s, i) => { if (rowsShown[i]) body.append(el("tr", { "data-file": s.file }, ...pick(cells[i]).map(x => el("td", { text: x })))); });
    t.append(body);
    box.append(el("div", { class: "table-wrap" }, t));
  }
  return box;
}
