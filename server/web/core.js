// The page's core: DOM helpers, the page state, the API client (errors,
// retries, stale answers), authenticated fetches, the status line and the
// number formats every view uses.
// One of the page's classic scripts: index.html loads them in order into
// one global scope.
"use strict";

const $ = (sel, root = document) => root.querySelector(sel);

const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));

const el = (tag, props = {}, ...kids) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === "class") e.className = v;
    else if (k === "text") e.textContent = v;
    // Attributes that are no element property (aria-label, data-…) go
    // as attributes: as a property they would be a JS expando, and a
    // screen reader would never hear them.
    else if (k.startsWith("data-") || k.startsWith("aria-")) e.setAttribute(k, v);
    else e[k] = v;
  }
  for (const c of kids) if (c !== null && c !== undefined) e.append(c);
  return e;
};

const VIEWS = ["upload", "check", "mix", "master", "results"];

const state = {
  id: null, token: null, project: null, session: null, view: "upload",
  mutes: {}, solos: {}, saveTimer: null, saving: null, objectURLs: [],
  following: new Set(), checking: new Set(), lastJobs: "", streams: null, streamsKey: "",
  player: null, abMode: "after", abGains: null, pendingSwitch: null, watching: null,
};

// ---- API ------------------------------------------------------------------

class APIError extends Error {
  constructor(status, code, message, fields, retryAfterMs) {
    super(message); this.status = status; this.code = code; this.fields = fields || []; this.retryAfterMs = retryAfterMs || 0;
  }
}

// Offline is a request that never reached the server (the connection
// dropped, the server restarting): a TypeError, as fetch's own, so the
// callers that ask again on the network's errors still do.
class Offline extends TypeError {
  constructor() { super("the server cannot be reached"); }
}

// explain says what went wrong in the musician's words, and what to do:
// the server's message where it says both, a plain sentence for the
// answers that speak to an API client (a pruned job, a store restarting,
// an internal error) or for none at all. The request id stays for
// support.
function explain(e) {
  if (e instanceof Offline) return "The page cannot reach the server (your connection dropped, or the server is restarting): nothing is lost. Check your connection and try again; the page says when the server answers again.";
  if (!(e instanceof APIError)) return e && e.message ? e.message : String(e);
  const rid = /\(request ([^)\s]+)\)/.exec(e.message || ""), ref = rid ? " (request " + rid[1] + ")" : "";
  switch (e.code) {
    case "unavailable": return "The service is briefly out of reach (its storage is restarting): nothing you did is lost. Try again in a few seconds" + ref + ".";
    case "internal": return "Something went wrong on the server: nothing you did is lost. Try again; if it happens again, quote this to support" + ref + ".";
    case "job_pruned": return "That job ended long ago and its record was cleared; the page shows the project's latest check and master.";
    case "not_found":
      // The project itself (the server's "no such project"): expired
      // while its tab stayed open, or deleted elsewhere.
      if (/^no such project/.test(e.message || "")) return goneWords();
  }
  return e.message || "the server answered " + e.status;
}

// ---- the server's reach ---------------------------------------------------

// conn is whether the server answered the page's last request. Every call
// tells it (apiOnce, fetchAuthed), so a page left idle learns the server
// is gone from watch's next look (projects.js), within seconds, and says
// so in #connection until the server answers again. While it is away the
// look backs off (fails: the looks in a row that did not reach it; nextAt:
// when watch looks again), and what the musician changes meanwhile is kept
// here and saved once it answers (saveKept, strips.js).
const conn = { away: false, since: 0, fails: 0, nextAt: 0, tick: null, hide: null };

// CONN_MAX_WAIT_MS caps the wait between two looks at a server away: a
// server back after an hour is seen within half a minute.
const CONN_MAX_WAIT_MS = 30_000;

// gateway tells a proxy's answer that the server behind it is not there
// (502, 504): the same as no answer at all.
const gateway = res => res.status === 502 || res.status === 504;

function unreachable() {
  conn.fails++;
  conn.nextAt = Date.now() + Math.min(CONN_MAX_WAIT_MS, 2000 * 2 ** conn.fails);
  if (!conn.away) {
    conn.away = true;
    conn.since = Date.now();
    clearTimeout(conn.hide);
    conn.tick = setInterval(showAway, 1000);
  }
  showAway();
}

function showAway() {
  const box = $("#connection");
  if (!box || !conn.away) return;
  const at = new Date(conn.since).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  const wait = Math.max(0, Math.ceil((conn.nextAt - Date.now()) / 1000));
  box.className = "banner away";
  box.hidden = false;
  $("#connection-text").textContent = "The server cannot be reached since " + at + " (your connection dropped, or the server is restarting). " +
    "Nothing you typed or chose is lost: the page keeps it and saves it when the server answers. " +
    (wait ? "Trying again in " + wait + " s." : "Trying again…");
  $("#connection-retry").hidden = false;
}

// reached: the server answered. After an absence the page says so for a
// while, and saves what was kept meanwhile.
function reached() {
  if (!conn.away) return;
  conn.away = false; conn.fails = 0; conn.nextAt = 0;
  clearInterval(conn.tick);
  const box = $("#connection");
  // The error a request met while it was away is over.
  if ($("#status").textContent === explain(new Offline())) status("");
  if (box) {
    box.className = "banner back";
    $("#connection-text").textContent = "The server answers again (it was away for " + Math.max(1, Math.round((Date.now() - conn.since) / 1000)) + " s): you can go on.";
    $("#connection-retry").hidden = true;
    conn.hide = setTimeout(() => { box.hidden = true; }, 10_000);
  }
  if (typeof saveKept === "function") saveKept();
}

// Stale is the answer to a request of a project that is no longer open:
// it is dropped, never applied to the project open now nor shown as an
// error.
class Stale extends Error {
  constructor() { super("answer for a project no longer open"); }
}

// The open project's scope: openScope starts a new one, and the old one's
// cleanups run (its event streams are cancelled). Every answer is checked
// against the scope it was asked in.
function openScope(id, token) {
  const old = state.scope;
  if (old) {
    old.closed = true;
    for (const c of old.cleanups) { try { c(); } catch (e) { /* already closed */ } }
    old.cleanups.clear();
  }
  // sending: each upload's bytes sent of its size (upload.js), summed on
  // the Upload step's tab.
  state.scope = { id, token, closed: false, cleanups: new Set(), uploads: new Set(), sent: { done: 0, total: 0 }, sending: new Map() };
  // Nothing is being sent yet: the tab and the title lose the last
  // project's share (upload.js).
  showSending(state.scope);
  return state.scope;
}

// stillOpen throws Stale when scope is no longer the open project's.
function stillOpen(scope) {
  if (scope !== state.scope) throw new Stale();
}

// api calls the server as the open project; anonymous calls (creating a
// project) pass token null so a request of the open project made meanwhile
// still carries its own token. An answer that arrives after another
// project opened rejects with Stale.
//
// A 503 unavailable (the service's database or blob store restarting) is
// asked again after its Retry-After, up to UNAVAILABLE_TRIES times, when
// the call is idempotent (GET, PUT, DELETE): a DELETE whose first try
// removed the thing before the 503 then finds it gone (404), which is
// what it asked for. A POST is never sent twice on its own.
async function api(method, path, body, token = state.token) {
  for (let tries = 1; ; tries++) {
    try {
      return await apiOnce(method, path, body, token);
    } catch (e) {
      if (tries > 1 && method === "DELETE" && e instanceof APIError && e.status === 404) return null;
      if (!(e instanceof APIError) || e.code !== "unavailable" || method === "POST" || tries >= UNAVAILABLE_TRIES) throw e;
      status("The service is briefly out of reach; trying again…");
      await sleep(Math.min(10_000, e.retryAfterMs || 2000));
    }
  }
}

const UNAVAILABLE_TRIES = 4;

async function apiOnce(method, path, body, token) {
  const scope = token && token === state.token ? state.scope : null;
  const opt = { method, headers: {} };
  if (token) opt.headers["Authorization"] = "Bearer " + token;
  if (body !== undefined) {
    opt.headers["Content-Type"] = "application/json";
    opt.body = JSON.stringify(body);
  }
  const res = await fetch(path, opt).catch(() => { unreachable(); throw new Offline(); });
  if (gateway(res)) { unreachable(); throw new Offline(); }
  reached();
  if (scope) stillOpen(scope);
  if (res.status === 204) return null;
  const data = await res.json().catch(() => null);
  if (scope) stillOpen(scope);
  if (!res.ok) {
    const e = (data && data.error) || { code: "http_" + res.status, message: res.statusText };
    const after = parseInt(res.headers.get("Retry-After") || "", 10);
    throw new APIError(res.status, e.code, e.message, e.fields || (e.field ? [{ field: e.field, message: e.message }] : []), Number.isFinite(after) ? after * 1000 : 0);
  }
  return data;
}

function projectPath(suffix = "") { return "/api/projects/" + state.id + suffix; }

// fetchAuthed fetches a URL of the open project with its token. A URL of
// another project (a preview or picture of the one open before) is never
// requested: it would go out with the wrong token.
async function fetchAuthed(url) {
  const scope = state.scope;
  const m = /\/api\/projects\/([^/?#]+)/.exec(url);
  if (!scope || (m && m[1] !== scope.id)) throw new Stale();
  const res = await fetch(url, { headers: { "Authorization": "Bearer " + scope.token } }).catch(() => { unreachable(); throw new Offline(); });
  if (gateway(res)) { unreachable(); throw new Offline(); }
  reached();
  stillOpen(scope);
  if (!res.ok) {
    const data = await res.json().catch(() => null);
    const e = (data && data.error) || {};
    throw new APIError(res.status, e.code || "download", e.message || "download failed: " + res.status);
  }
  return res;
}

async function fetchBytes(url) {
  return (await fetchAuthed(url)).arrayBuffer();
}

// fetchBlob downloads an authenticated URL into an object URL, revoked
// when the results are drawn again.
async function fetchBlob(url) {
  const res = await fetchAuthed(url);
  const u = URL.createObjectURL(await res.blob());
  state.objectURLs.push(u);
  return u;
}

function status(msg, isError) {
  const s = $("#status");
  s.textContent = msg || "";
  s.className = isError ? "error" : "";
}

// fail shows an error where the user is looking: in the current view's
// error box, and in the header.
function fail(e) {
  if (e instanceof Stale) return;
  const msg = explain(e);
  status(msg, true);
  const box = { upload: "#upload-list", check: "#check-error", master: "#render-error" }[state.view];
  if (box === "#upload-list") {
    // A dropped connection passes: the next answer from the server takes
    // its line away (reload), where it stayed under files all uploaded.
    $("#upload-list").append(el("li", { class: "failed" + (e instanceof Offline ? " offline" : ""), text: msg }));
  } else if (box) {
    $(box).textContent = msg;
    $(box).hidden = false;
  }
  // Wherever the page is scrolled, the error shows at the bottom of the
  // screen for a while.
  const toast = $("#toast");
  toast.textContent = msg;
  toast.hidden = false;
  clearTimeout(state.toastTimer);
  state.toastTimer = setTimeout(() => { toast.hidden = true; }, 9000);
  console.warn(e);
}

// ---- names for a screen reader -------------------------------------------

// controlName is what a control is called where it stands: its own
// aria-label, its label's title ("mute" for an "M"), its label's words, its
// title, or a button's text.
function controlName(c) {
  const own = c.getAttribute("aria-label") || (c.closest("label[title]") || {}).title;
  if (own) return own;
  const label = c.closest("label");
  const words = label ? [...label.childNodes].filter(n => n.nodeType === 3 || (n.nodeType === 1 && !n.matches("input, select, output, button, textarea")))
    .map(n => n.textContent).join(" ").replace(/\s+/g, " ").trim() : "";
  return words || c.title || (c.tagName === "BUTTON" ? c.textContent.trim() : "");
}

// nameControls names every control under root by where it stands, for a
// screen reader: "drums.wav: band 2: gain", "Limiter: release ms". The
// strips repeat the same controls, and the master's cards their fields
// ("on", "release", "character"): a screen reader read them alike. The
// places are the groups around a control (role="group" with an
// aria-label), the sections it is in (a details' summary) and the bands
// by number; controls added later (a band, a strip) are named as they
// come.
function nameControls(root) {
  const run = () => {
    for (const c of root.querySelectorAll("input, select, button, textarea")) {
      if (c.dataset.ownName === undefined) c.dataset.ownName = controlName(c);
      if (!c.dataset.ownName) continue;
      const where = [];
      for (let e = c.parentElement; e && e !== root; e = e.parentElement) {
        const band = ["band", "mb-band"].find(k => e.classList.contains(k));
        if (band && e.parentElement) where.unshift("band " + ([...e.parentElement.children].filter(x => x.classList.contains(band)).indexOf(e) + 1));
        else if (e.getAttribute("role") === "group" && e.getAttribute("aria-label")) where.unshift(e.getAttribute("aria-label"));
        else if (e.tagName === "DETAILS" && e.firstElementChild && e.firstElementChild.tagName === "SUMMARY") {
          // A section by its summary's words (not its count).
          const s = [...e.firstElementChild.childNodes].filter(n => n.nodeType === 3).map(n => n.textContent).join(" ").trim();
          if (s) where.unshift(s);
        }
      }
      const name = [...where, c.dataset.ownName].join(": ");
      if (c.getAttribute("aria-label") !== name) c.setAttribute("aria-label", name);
    }
  };
  run();
  // Only elements coming or going: a value's text changing is no news.
  new MutationObserver(ms => { if (ms.some(m => [...m.addedNodes, ...m.removedNodes].some(n => n.nodeType === 1))) run(); })
    .observe(root, { childList: true, subtree: true });
}

// ---- number formats -------------------------------------------------------

function fmtBytes(n) {
  if (n >= 1 << 30) return (n / (1 << 30)).toFixed(1) + " GiB";
  if (n >= 1 << 20) return (n / (1 << 20)).toFixed(1) + " MiB";
  if (n >= 1 << 10) return (n / (1 << 10)).toFixed(0) + " KiB";
  return n + " B";
}

// roundShown rounds a figure to digits as the CLI and report.html print it
// (stemmaster.Level.Round): from the two decimals JSON carries, half away
// from zero. toFixed(1) of 3.55 (a binary 3.5499…) read 3.5 where the
// CLI's summary of the same master read 3.6.
function roundShown(v, digits = 1) {
  v = Number(v);
  if (digits >= 2 || !Number.isFinite(v)) return Number(v.toFixed(digits));
  const h = Math.round(Math.abs(v) * 100), q = Math.round(h / 10 ** (2 - digits)) / 10 ** digits;
  return v < 0 && h > 0 ? -q : q;
}

// fmtNum prints a figure as the CLI does, with a true minus sign.
function fmtNum(v, digits = 1) {
  if (v === null || v === undefined || Number.isNaN(Number(v))) return "—";
  const r = roundShown(v, digits);
  return (r < 0 || Object.is(r, -0) ? "−" : "") + Math.abs(r).toFixed(digits);
}

function fmtTime(s) { s = Math.max(0, s || 0); return Math.floor(s / 60) + ":" + String(Math.floor(s % 60)).padStart(2, "0"); }

const sleep = ms => new Promise(r => setTimeout(r, ms));

// transient tells the errors worth asking again: the network, a server
// restarting, too many requests at once.
const transient = e => e instanceof TypeError || (e instanceof APIError && (e.status >= 500 || e.status === 429));
