// The settings editors the mix and master views share: EQ bands, compressors,
// optional sections, and reading typed numbers against their bounds.
// One of the page's classic scripts: index.html loads them in order into
// one global scope.
"use strict";

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
  const chan = el("select", { class: "band-channel", "aria-label": "channel", "data-field": path + ".channel", title: "stereo, mid (L+R)/2 or side (L−R)/2" }, ...["stereo", "mid", "side"].map(v => el("option", { value: v, text: v })));
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
