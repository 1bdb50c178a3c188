// Helpers shared by the browser scripts: their arguments, Chromium as this
// machine runs it (headless, a fresh profile, no background networking on
// a closed network), and waits on state with a deadline.
import { chromium } from "playwright-core";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

export const sleep = ms => new Promise(r => setTimeout(r, ms));

// until polls fn until it returns something truthy (the page saves a
// change after a pause; a loaded machine may take seconds), and returns
// its last value after the deadline.
export async function until(fn, ms = 60_000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v || Date.now() > end) return v;
    await sleep(200);
  }
}

// args returns the command line's arguments, or prints the usage and
// exits when one of the names given is missing ("[name]" is optional).
export function args(script, names) {
  const v = process.argv.slice(2);
  const need = names.filter(n => !n.startsWith("[")).length;
  if (v.length < need || v.slice(0, need).some(x => !x)) {
    console.error(`usage: node ${script} ${names.join(" ")}`);
    process.exit(2);
  }
  return v;
}

// launch starts Chromium on a fresh profile (name prefixes its directory);
// close() ends it and removes the profile. Every wait of its first page
// defaults to 2 minutes: the waits are on state, and a loaded machine is
// slow.
export async function launch(name, { viewport = { width: 390, height: 844 }, args = [], ...options } = {}) {
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), "stemmaster-" + name + "-"));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    viewport,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync", ...args],
    ...options,
  });
  const page = context.pages()[0] || await context.newPage();
  page.setDefaultTimeout(120_000);
  const close = async () => {
    await context.close();
    fs.rmSync(userDataDir, { recursive: true, force: true });
  };
  return { context, page, userDataDir, close };
}

// runChecks runs body(page, summary) on a fresh page of a phone-wide
// Chromium and prints summary as the script's last line, one JSON object:
// what body put in it, the page's uncaught errors (page_errors) and, when
// body throws, the error (error) with a screenshot NAME-failure.png in
// artifacts.
export async function runChecks(name, artifacts, body) {
  const { page, close } = await launch(name);
  const errors = [];
  page.on("pageerror", e => errors.push(String(e)));
  const summary = {};
  try {
    await body(page, summary);
  } catch (e) {
    summary.error = String(e);
    await page.screenshot({ path: path.join(artifacts, name + "-failure.png"), fullPage: true }).catch(() => {});
  }
  summary.page_errors = errors;
  await close();
  console.log(JSON.stringify(summary));
}

const axeSource = fs.readFileSync(path.join(path.dirname(new URL(import.meta.url).pathname), "node_modules", "axe-core", "axe.min.js"), "utf8");

// axeChecker returns axe(name): a full-page screenshot NAME.png in
// artifacts, then axe-core's serious and critical violations on the page
// as it stands pushed to found, every <details> opened so their controls
// are read too. With a project open, the steps are the page's main
// landmark too (a screen reader's "skip to main").
export function axeChecker(page, artifacts, found) {
  return async name => {
    await page.evaluate(() => document.querySelectorAll("details").forEach(d => { d.open = true; }));
    await page.screenshot({ path: path.join(artifacts, name + ".png"), fullPage: true });
    if (!(await page.evaluate(() => typeof axe === "object"))) await page.evaluate(axeSource);
    const v = await page.evaluate(async () => (await axe.run(document, { resultTypes: ["violations"] })).violations
      .filter(v => v.impact === "serious" || v.impact === "critical" || (v.id === "landmark-one-main" && !document.querySelector("#app").hidden))
      .map(v => v.id + " (" + v.impact + "): " + v.nodes.slice(0, 4).map(n => n.target.join(" ")).join(", ")));
    found.push(...v.map(x => name + ": " + x));
  };
}

// pageChainFigures reads the results' chain figures (in the page).
export const pageChainFigures = () => ({
  attribution: (document.querySelector("#chain-figures .lim-attribution td") || {}).textContent,
  limiter: (document.querySelector("#chain-figures .lim-gr td") || {}).textContent,
  correlation: (document.querySelector("#chain-figures .correlation td") || {}).textContent,
  meter: (document.querySelector("#chain-figures .corr-meter") || {}).value,
  stems: [...document.querySelectorAll("#chain-figures .stem-gr tbody tr")].map(tr => [tr.dataset.file, ...[...tr.children].map(td => td.textContent)]),
  stemHead: [...document.querySelectorAll("#chain-figures .stem-gr thead th")].map(th => th.textContent),
  stemNote: (document.querySelector("#chain-figures .lim-sum") || {}).textContent || "",
  pictures: [...document.querySelectorAll("#pictures img")].map(i => i.dataset.name),
});

// pageOfflinePlayer installs two helpers in the page, for rendering what
// the live player plays offline: offlinePlayer(tracks, frames, rate), a
// LivePlayer on an OfflineAudioContext of frames at rate holding tracks,
// its worklets ready ({p, off}); and startSegments(p, off), every segment
// of p's tracks started at its time in the song, the track's offset
// included (a segment an earlier offset moves before the start begins part
// way in).
export const pageOfflinePlayer = () => {
  window.offlinePlayer = async (tracks, frames, rate) => {
    const off = new OfflineAudioContext(2, frames, rate);
    const p = new LivePlayer(fetchBytes);
    p.ensureContext(off);
    await p.workletsReady;
    p.setTracks(tracks);
    return { p, off };
  };
  window.startSegments = async (p, off) => {
    for (const t of p.tracks.values()) {
      const segS = t.info.segment_frames / t.info.sample_rate;
      for (let k = 0; k < t.info.segments; k++) {
        const src = off.createBufferSource();
        src.buffer = await p.load(t, k);
        src.connect(t.chan.input);
        const at = k * segS + (t.params.offsetS || 0);
        src.start(Math.max(0, at), Math.max(0, -at));
      }
    }
  };
};

// renderAndWait starts a render of the project through the API and waits
// (up to 5 minutes) for it to end: {state, error} of the job. With page,
// it then waits for the page to have seen it end: the page follows any
// job it finds running and opens its results when the job ends, which on
// a loaded machine would otherwise land in the middle of the caller's next
// steps (the results' A/B gains on the live player among them).
export async function renderAndWait(url, id, token, page) {
  const headers = { Authorization: "Bearer " + token };
  const job = await (await fetch(url + "/api/projects/" + id + "/render", { method: "POST", headers: { ...headers, "Content-Type": "application/json" }, body: "{}" })).json();
  const jobID = job.job || job.id;
  let j = job;
  for (let i = 0; i < 300; i++) {
    j = await (await fetch(url + "/api/projects/" + id + "/jobs/" + jobID, { headers })).json();
    if (["done", "failed", "cancelled"].includes(j.state || j.status)) break;
    await sleep(1000);
  }
  if (page && jobID) {
    await page.waitForFunction(jobID => !state.following.size && state.project &&
      (state.project.jobs || []).some(x => x.id === jobID && !["queued", "running"].includes(x.state)), jobID);
  }
  return { state: j.state || JSON.stringify(job), error: j.error };
}

// openDemo opens the page at url, starts the demo project and returns its
// id, token and get(path): the project's API answer at path as JSON.
export async function openDemo(page, url) {
  await page.goto(url);
  await page.click("#try-demo");
  await page.waitForFunction(() => /p=.*t=/.test(location.hash) && state.session && state.session.stems.length > 0);
  const h = new URLSearchParams((await page.evaluate(() => location.hash)).slice(1));
  const id = h.get("p"), token = h.get("t");
  const get = async p => (await fetch(url + "/api/projects/" + id + p, { headers: { Authorization: "Bearer " + token } })).json();
  return { id, token, get };
}

// wav returns a 16-bit stereo WAV of seconds of noise at 48 kHz, smoothed
// by a one-pole low-pass of coefficient a (0: white, bright), from a
// seeded generator so the run is the same every time.
export function wav(seconds, a, seed) {
  const rate = 48000, n = Math.round(seconds * rate);
  const buf = Buffer.alloc(44 + n * 4);
  buf.write("RIFF", 0); buf.writeUInt32LE(36 + n * 4, 4); buf.write("WAVE", 8);
  buf.write("fmt ", 12); buf.writeUInt32LE(16, 16); buf.writeUInt16LE(1, 20); buf.writeUInt16LE(2, 22);
  buf.writeUInt32LE(rate, 24); buf.writeUInt32LE(rate * 4, 28); buf.writeUInt16LE(4, 32); buf.writeUInt16LE(16, 34);
  buf.write("data", 36); buf.writeUInt32LE(n * 4, 40);
  let s = seed >>> 0;
  const rnd = () => { s = (s * 1664525 + 1013904223) >>> 0; return s / 4294967296 * 2 - 1; };
  let l = 0, r = 0;
  for (let i = 0; i < n; i++) {
    const m = rnd();
    l = a * l + (1 - a) * (m + 0.3 * rnd());
    r = a * r + (1 - a) * (m + 0.3 * rnd());
    buf.writeInt16LE(Math.round(Math.max(-1, Math.min(1, l * 0.3)) * 32767), 44 + i * 4);
    buf.writeInt16LE(Math.round(Math.max(-1, Math.min(1, r * 0.3)) * 32767), 46 + i * 4);
  }
  return buf;
}
