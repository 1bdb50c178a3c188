// The check view: the checklist's rules and marks, the findings with their
// fixes, the advice (which service the delivery needs) and the quote.
// One of the page's classic scripts: index.html loads them in order into
// one global scope.
"use strict";

// ---- check ----------------------------------------------------------------

// The checklist's lines come with the project (p.checklist): the server
// writes them with the Go function the CLI's check prints from
// (analysis.Checklist), each with its mark, glyph and words, and its
// findings as indices into p.fixes. SERVICE, the advice's headlines, comes
// from /static/words.js, written from the Go the CLI prints them from.

// findingItem shows one finding with its fix, the guide's paragraph and,
// when the session can correct it, an apply button.
function findingItem(f) {
  const li = el("li", { class: "finding " + f.severity + (f.applied ? " applied" : "") });
  li.dataset.code = f.code;
  if (f.file) li.dataset.file = f.file;
  if (f.channel) li.dataset.channel = f.channel;
  li.append(el("span", { text: (f.file && !f.message.includes(f.file) ? f.file + ": " : "") + f.message }));
  if (f.fix) li.append(el("div", { class: "fix", text: "Fix: " + f.fix }));
  const acts = el("div", { class: "fix-actions" });
  if (f.apply) {
    if (f.applied) acts.append(el("span", { class: "ok-tag applied-tag", text: "✓ applied in the session: " + f.apply.label }));
    else {
      const b = el("button", { type: "button", class: "apply", text: "Apply: " + f.apply.label });
      b.addEventListener("click", () => applyFix(f).catch(fail));
      acts.append(b);
    }
  }
  if (f.guide) {
    // A finding with no fix (a mono stem "is fine") has nothing to fix in
    // the export: its link reads as what it is, the guide's explanation.
    const words = f.fix ? "how to fix the export" : "what this means";
    const a = el("a", { href: f.guide, target: "_blank", rel: "noopener", class: "guide-link", text: words });
    // Named by its finding: a screen reader's list of links would read
    // the same words once per finding.
    a.setAttribute("aria-label", words + ": " + f.code.replace(/_/g, " ") + (f.file ? ", " + f.file : ""));
    acts.append(a);
  }
  li.append(acts);
  return li;
}

// FIT_CODES are the findings whose corrections the check's fit of the
// stems to the mix makes (offsets, levels, polarity, channels, DC, rate).
const FIT_CODES = ["offset", "drift", "gain_mismatch", "polarity_inverted", "channels_swapped", "dc_offset", "sample_rate_mismatch"];

// sumAnswered tells a sum_mismatch the session has answered: the check
// found the corrected stems null against the mix, and every correction it
// names is applied. Its "fix the findings above" was done, and still read
// as a task; explainedSum marks its item so. The rule keeps its "!", as
// the CLI's check -s does: the export itself still misses the mix.
function sumAnswered(f, fixes, check) {
  const mix = check && check.mix;
  if (f.code !== "sum_mismatch" || !mix || mix.fitted_residual_db === null || mix.fitted_residual_db === undefined || mix.fitted_residual_db > mix.threshold_db) return false;
  const fit = fixes.filter(x => FIT_CODES.includes(x.code));
  return fit.length > 0 && fit.every(x => x.applied);
}

function explainedSum(li, f, fixes, check) {
  if (!sumAnswered(f, fixes, check)) return li;
  $(".fix-actions", li).prepend(el("span", { class: "ok-tag applied-tag", text: "✓ every correction it names is applied in the session, and so corrected the stems null against the mix" }));
  return li;
}

// removable offers to take a silent stem out of the project: it adds
// nothing to the song, and each stem beyond four is priced.
function removable(li, f) {
  const p = state.project;
  if (f.code !== "silent" || !f.file || !p.stems.some(x => x.name === f.file) || p.stems.length < 2) return li;
  const b = el("button", { type: "button", class: "remove-silent", text: "Remove " + f.file + " from the project" });
  b.addEventListener("click", () => removeFile("stem", f.file).catch(fail));
  $(".fix-actions", li).prepend(b);
  return li;
}

async function applyFix(f) {
  const fromMaster = !!(document.activeElement && document.activeElement.closest("#gate, #master-warnings"));
  state.session = await api("POST", projectPath("/apply"), { code: f.code, file: f.file });
  await reload();
  renderMixer();
  status("Applied: " + f.apply.label + ". It shows on the " + f.file + " strip.");
  // The button pressed is drawn anew as "✓ applied": the keyboard's place
  // goes to what comes next — on the Master step the gate's next fix, a
  // warning's, or the Master button; on the checklist the finding's guide
  // link — not to the page's top.
  if (focusLost()) {
    const item = "li.finding[data-code=\"" + f.code + "\"]" + (f.file ? "[data-file=\"" + CSS.escape(f.file) + "\"]" : "");
    const next = fromMaster ? $("#gate-list button.apply") || $("#master-warnings-list button.apply") || (!$("#render-box").hidden && $("#run-render")) : $("#checklist " + item + " .guide-link");
    if (next) next.focus();
  }
}

// oneFile reports whether the project masters one file: the mix alone,
// or a single file sent (mastered as it is: stereo mastering).
function oneFile(p = state.project) {
  return !!p && (!!p.stereo || p.stems.length + (p.mix ? 1 : 0) === 1);
}

// beforeName names what a project's "before" is, as report.Before names
// it in the pictures, report.html and the CLI: the mix (as delivered, for
// a stereo master) where one file is mastered, else the stems' sum.
function beforeName(p = state.project) {
  return p && p.stereo ? "the mix as delivered" : oneFile(p) ? "the mix" : "stem sum";
}

// UPLOAD_FIRST is what the Check step says of a project with no files,
// before Check and when it is pressed.
const UPLOAD_FIRST = "Upload stems (or one stereo mix) first.";

function renderCheck() {
  const list = $("#checklist");
  list.replaceChildren();
  const p = state.project;
  const check = p.check;
  // While a check runs, the list says so: "press Check" under a Check
  // button greyed by the running check was a dead end.
  const checking = state.checking.size > 0;
  if (!check) {
    // Waiting for uploads is said as such: "Checking" through a
    // minutes-long upload read as a check that never ended.
    const waiting = checking && state.scope && state.scope.uploads.size > 0;
    list.append(el("li", { class: "muted", text: waiting ? "The check starts once the uploads are in (the 1 Upload tab shows how much is sent); the list fills in when it ends." :
      checking ? "Checking the delivery: the list fills in when the check ends." :
      p.stems.length || p.mix ? "Not checked yet: press Check." : UPLOAD_FIRST }));
  } else {
    if (checking) list.append(el("li", { class: "muted checking", text: "Checking again: the list below is the last check's until this one ends." }));
    const fixes = p.fixes || [];
    for (const line of p.checklist || []) {
      const li = el("li", { class: "rule " + line.mark });
      li.dataset.codes = line.codes.join(" ");
      // The mark is a glyph and a colour: a screen reader gets its word.
      const mark = el("span", { class: "mark", text: line.glyph, "aria-label": line.label });
      mark.setAttribute("role", "img");
      li.append(mark, el("span", { class: "rule-text", text: line.text }));
      const hits = line.findings.map(i => fixes[i]).filter(Boolean);
      if (hits.length) li.append(el("ul", {}, ...hits.map(f => removable(explainedSum(findingItem(f), f, fixes, check), f))));
      list.append(li);
    }
  }
  renderAdvice();
  renderQuote(p.quote);
}

// adviceLead is the advice's first reason as the status line says it
// after "Advice: …": a reason that ends in a colon introduces the next,
// and said alone it read as a sentence cut off ("… while mastering:.").
function adviceLead(reasons) {
  let lead = reasons[0] || "";
  if (lead.endsWith(":") && reasons[1]) lead += " " + reasons[1];
  lead = lead.replace(/[.:]+$/, "");
  return lead ? " — " + lead : "";
}

function renderAdvice() {
  const p = state.project;
  const adv = p.advice;
  const box = $("#advice");
  box.hidden = !adv;
  if (!adv) return;
  box.replaceChildren();
  const h = el("h3", { text: "Advice: " + (SERVICE[adv.service] || adv.service) });
  h.dataset.service = adv.service;
  box.append(h, el("ul", {}, ...(adv.reasons || []).map(r => el("li", { text: r }))));
  if (adv.service === "stereo_mastering") {
    if (p.mix && !p.stereo) {
      const b = el("button", { type: "button", id: "master-mix", class: "primary", text: "Master the mix (stereo mastering)" });
      b.addEventListener("click", async () => { await setMode("stereo"); goTo("master"); });
      box.append(b);
      // The quote beside prices the stems as the project stands; the
      // button says what the advice would cost.
      const outs = state.session && state.session.outputs;
      api("POST", projectPath("/quote"), Object.assign({ stems: [{ file: p.mix.name }] }, outs ? { outputs: outs } : {}))
        .then(res => { if (res && res.quote && b.isConnected) b.textContent = "Master the mix (stereo mastering, " + (res.quote.text || res.quote.total) + ")"; })
        .catch(() => {});
    } else if (p.stereo) {
      box.append(el("p", { class: "ok-tag", text: "✓ The mix is mastered alone. " }));
      // Only with stems to master instead.
      // The advice is drawn anew with the button pressed: the keyboard
      // goes on from its way back, "Master the mix".
      if (p.stems.length > 1) box.append(Object.assign(el("button", { type: "button", id: "master-stems", class: "link", text: "master the stems instead" }), {
        onclick: () => setMode("stems").then(() => { if (focusLost() && $("#master-mix")) $("#master-mix").focus(); }).catch(fail),
      }));
    } else if (p.stems.length === 1) {
      // One file with no mix is mastered as it is: the server quotes it
      // as stereo mastering, whichever box it came in.
      box.append(el("p", { text: "You sent one file, " + p.stems[0].name + ": it is mastered as it is, which is stereo mastering (the quote prices it so). If it is one stem of several, upload the others." }));
    } else {
      // Stems and no mix: a musician may have no mix to upload. The
      // stems mastered as they are is their sum mastered (the server
      // prices stems as stem mastering, the quote beside); exporting the
      // mix is the other way to stereo mastering.
      const b = el("button", { type: "button", id: "master-sum", class: "primary", text: "Master the stems as they are" });
      b.addEventListener("click", () => goTo("master"));
      box.append(el("p", { text: "With no mix uploaded, master the stems as they are: their sum is mastered with no rebalancing, priced as stem mastering (the quote). Or export the stereo mix from your session and upload it as the mix to have it mastered alone (stereo mastering)." }), b);
    }
  } else if (adv.service === "stem_mastering" && (adv.reasons || []).length > 1 && p.stems.length > 1) {
    // The advice names a stem to move and what the assistant would do:
    // the way to do it is on the next step, which a musician reading it
    // here had to find.
    const b = el("button", { type: "button", id: "advice-balance", text: "Balance with the assistant (3 Balance)" });
    b.addEventListener("click", () => { goTo("mix"); $("#run-suggest").focus(); });
    box.append(b);
  } else if (adv.service === "mixing") {
    box.append(el("p", { text: "Mastering cannot fix the balance between instruments: that is mixing. Send a finished mix (for stereo mastering), or stems bounced from a finished, balanced mix — one per family, all from the same start." }),
      el("a", { href: "/guide#checklist", target: "_blank", rel: "noopener", text: "What to send: the stem export guide" }));
  }
}

// QUOTED names the service a quote prices.
const QUOTED = { stem_mastering: "for stem mastering", stereo_mastering: "for stereo mastering", mixing: "for mixing" };

function renderQuote(q) {
  for (const box of [$("#quote"), $("#master-quote")]) {
    box.hidden = !q;
    box.replaceChildren();
    if (!q) continue;
    const cur = q.currency || "";
    const h = el("h3", { text: "Quote: " + (q.text || (q.total.toFixed(2) + " " + cur)) });
    h.className = "quote-total";
    // What is priced (the project as it is set), not the advice's
    // headline: "Stereo mastering is enough" under a price read as advice.
    box.append(h, el("p", { class: "muted", text: QUOTED[q.service] || q.service }));
    const price = v => v.toFixed(2) + " " + cur;
    if ((q.lines || []).length) box.append(el("ul", {}, ...q.lines.map(l => el("li", { text: l.item + ": " + (l.quantity > 1 ? l.quantity + " × " + price(l.amount / l.quantity) + " = " : "") + price(l.amount) }))));
  }
}

let quoteSeq = 0;

async function refreshQuote() {
  if (!state.id || !state.session) return;
  readMaster();
  const n = ++quoteSeq;
  // A session no render accepts has no price (422 invalid_session, the
  // answer its save gets, whose message names the fields): the quote goes
  // rather than stand for the last one that had a price.
  const res = await api("POST", projectPath("/quote"), sessionToSend())
    .catch(e => e instanceof APIError && e.code === "invalid_session" ? { quote: null } : null);
  if (res && n === quoteSeq) renderQuote(res.quote);
}
