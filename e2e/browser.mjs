// Browser tests of the stemmaster web page, as a musician uses it, in
// headless Chromium driven by playwright-core. Each "must show" item gets
// a screenshot in the artifacts directory; the last line printed is a JSON
// summary that e2e_test.go checks (it also measures the downloaded masters
// with the project's own meter and nulls the fixed master against a clean
// render).
//
//   node browser.mjs URL FIXTURES_DIR ARTIFACTS_DIR [long|errors|uploads|network|keyboard]
//
// FIXTURES_DIR holds clean/ (five stems and their mix), late/ (the same
// with the drums 1000 samples late) and shifted/ (the same with the mix
// 1000 samples late). With "long" it measures only the live player on the
// stems in FIXTURES_DIR/long/ (8 stems × 240 s): time to first sound, bytes
// fetched before it, and the tab's memory. The short flows need no
// fixtures: "errors" (the service out of reach, a pruned job, no network),
// "uploads" (a file over the limit, a renamed file, Check while uploading),
// "network" (a segment arriving late) and "keyboard" (focus, names of
// repeated controls, contrast); "warnings" takes FIXTURES_DIR/clipped (the
// five stems, the drums clipped, and the clean mix).
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { args, launch, sleep, until, wav } from "./lib.mjs";

const [url, fixtures, artifacts, mode] = args("browser.mjs", ["URL", "FIXTURES_DIR", "ARTIFACTS_DIR", "[long]"]);
fs.mkdirSync(artifacts, { recursive: true });
const STEMS = ["lead_vocal.wav", "backing_vocals.wav", "drums.wav", "instruments.wav", "fx.wav"];
const step = msg => console.error(`[e2e ${new Date().toISOString().slice(11, 19)}] ${msg}`);
const browser = await launch("chromium", { viewport: { width: 1280, height: 900 }, acceptDownloads: true,
  args: ["--autoplay-policy=no-user-gesture-required"] });
const { context, userDataDir } = browser;
const summary = {};
let failed = false;
let page;
const shot = name => page.screenshot({ path: path.join(artifacts, name + ".png"), fullPage: true });
const consoleErrors = [];
const renderRequests = [];

// tabMemoryMB sums the resident memory of this browser's renderer
// processes (the tab), read from ps.
// The largest renderer is the tab's (the others are spares and workers).
function tabMemoryMB() {
  const out = execFileSync("ps", ["-eo", "rss=,args="], { encoding: "utf8", maxBuffer: 1 << 24 });
  let kb = 0;
  for (const line of out.split("\n")) {
    if (line.includes(userDataDir) && line.includes("--type=renderer")) kb = Math.max(kb, parseInt(line.trim().split(/\s+/)[0], 10));
  }
  return Math.round(kb / 1024);
}

// level averages the page's analyser over ms milliseconds, in dBFS.
async function level(ms) {
  await page.waitForFunction(() => window.stemmasterPlayer.settled());
  return page.evaluate(async ms => {
    let sum = 0, n = 0;
    const end = performance.now() + ms;
    while (performance.now() < end) {
      sum += Math.pow(10, window.stemmasterPlayer.level() / 10);
      n++;
      await new Promise(r => setTimeout(r, 40));
    }
    return 10 * Math.log10(sum / n);
  }, ms);
}

// steadyLevel is level over ms during which no segment arrived late: a
// late segment is a short silence in its stem, which would lower the
// average; the measurement is taken again (a loaded machine may be slow to
// fetch the first pass of a loop).
async function steadyLevel(ms) {
  for (let i = 0; i < 6; i++) {
    const late0 = await page.evaluate(() => window.stemmasterPlayer.stats.lateSegments);
    const l = await level(ms);
    if (await page.evaluate(() => window.stemmasterPlayer.stats.lateSegments) === late0) return l;
    step("a preview segment arrived late while measuring: measuring again");
  }
  throw new Error("preview segments kept arriving late: no steady level to measure");
}

async function newProject() {
  await page.click("#new-project");
  await page.waitForFunction(() => !document.querySelector("#app").hidden && document.querySelector("#files tbody").children.length === 0);
  await page.waitForFunction(() => document.querySelector("#project-link").textContent.includes("Project"));
}

async function upload(dir, withMix = true) {
  await page.click('#views a[data-view="upload"]');
  await page.setInputFiles("#stem-input", STEMS.map(n => path.join(dir, n)));
  await page.waitForFunction(n => document.querySelectorAll("#files tbody tr").length === n, STEMS.length);
  if (withMix) {
    await page.setInputFiles("#mix-input", path.join(dir, "mix.wav"));
    await page.waitForFunction(n => document.querySelectorAll("#files tbody tr").length === n, STEMS.length + 1);
  }
}

async function runCheck() {
  await page.click('#views a[data-view="check"]');
  await page.click("#run-check");
  await page.waitForSelector("#checklist li.rule");
  await page.waitForFunction(() => !document.querySelector("#run-check").disabled);
}

// checkedAtMaster opens a new project with the delivery in
// FIXTURES_DIR/sub (stems and mix), checks it and goes to the Master step.
async function checkedAtMaster(sub) {
  await newProject();
  await upload(path.join(fixtures, sub));
  await runCheck();
  await page.click('#views a[data-view="master"]');
}

async function masterAndWait(selector = "#run-render") {
  const before = await page.$$eval("#revision-table tbody tr", trs => trs.length).catch(() => 0);
  await page.click('#views a[data-view="master"]');
  await page.click(selector);
  await page.waitForFunction(n => location.hash.includes("v=results") && document.querySelectorAll("#revision-table tbody tr").length > n, before, { timeout: 180_000 });
  await page.waitForFunction(() => {
    const imgs = Array.from(document.querySelectorAll("#pictures img"));
    return imgs.length >= 3 && imgs.every(i => i.complete && i.naturalWidth > 0);
  });
}

async function downloadFile(name, saveAs) {
  const [d] = await Promise.all([page.waitForEvent("download"), page.click(`button.download[data-name="${name}"]`)]);
  await d.saveAs(saveAs);
  return d.suggestedFilename();
}

// errorsFlow: what the musician reads when the service is briefly out of
// reach (503 unavailable), when a removed file's DELETE answers 503 after
// the file went, when the job followed was pruned meanwhile (410
// job_pruned), and when the network is gone. The faults are the
// browser's: the page's requests are answered by page.route, the server
// stays healthy.
// recordStatuses keeps in window.statusSeen, as [text, class] in order,
// every status line the page shows from now on: a later one may replace it
// at once, and it is the live region a screen reader announces.
async function recordStatuses() {
  await page.evaluate(() => {
    window.statusSeen = [];
    new MutationObserver(() => { const s = document.querySelector("#status"); window.statusSeen.push([s.textContent, s.className]); })
      .observe(document.querySelector("#status"), { childList: true, characterData: true, subtree: true, attributes: true });
  });
}

async function errorsFlow() {
  const errors = summary.errors = {};
  await page.click("#try-demo");
  await page.waitForFunction(() => /p=.*t=/.test(location.hash) && state.session && state.session.stems.length > 0 && !state.following.size);
  await recordStatuses();
  const unavailable = { status: 503, headers: { "Retry-After": "1" }, contentType: "application/json",
    body: JSON.stringify({ error: { code: "unavailable", message: "the service's storage is briefly out of reach; try again shortly (request r-503)" } }) };

  step("errors: a check asked while the storage restarts");
  await page.click('#views a[data-view="check"]');
  let once = true;
  await page.route("**/check", r => r.request().method() === "POST" && once ? (once = false, r.fulfill(unavailable)) : r.fallback());
  await page.click("#run-check");
  await page.waitForFunction(() => !document.querySelector("#check-error").hidden);
  errors.check503 = await page.$eval("#check-error", e => e.textContent);
  await shot("errors-01-check-503");

  step("errors: a stem removed, its DELETE answered 503 after the stem went");
  await page.click('#views a[data-view="upload"]');
  const rows = await page.$$eval("#files tbody tr", trs => trs.length);
  once = true;
  await page.route("**/stems/*", async r => {
    if (r.request().method() !== "DELETE" || !once) return r.fallback();
    once = false;
    await r.fetch(); // the stem goes on the server
    await r.fulfill(unavailable);
  });
  await page.evaluate(() => { window.statusSeen = []; });
  await page.click("#files tbody tr:first-child button");
  await page.waitForFunction(n => document.querySelectorAll("#files tbody tr").length === n - 1, rows);
  errors.deleteStatuses = await page.evaluate(() => window.statusSeen);
  errors.deleteListed = await page.$$eval("#upload-list li.failed", lis => lis.map(li => li.textContent));

  step("errors: the check followed was pruned meanwhile");
  await page.click('#views a[data-view="check"]');
  const pruned = { status: 410, contentType: "application/json",
    body: JSON.stringify({ error: { code: "job_pruned", message: "this job ended and was pruned: a project keeps its newest finished jobs of each kind" } }) };
  await page.route("**/jobs/*/events", r => r.fulfill(pruned), { times: 1 });
  await page.route("**/jobs/*", r => r.fulfill(pruned), { times: 1 });
  await page.evaluate(() => { window.statusSeen = []; });
  await page.click("#run-check");
  await page.waitForFunction(() => window.statusSeen.some(([t]) => /pruned|away|replaced/.test(t)) || !document.querySelector("#check-error").hidden);
  errors.prunedStatuses = await page.evaluate(() => window.statusSeen);
  errors.prunedBox = await page.$eval("#check-error", e => e.hidden ? "" : e.textContent);
  // The project's own check shows once it ends.
  await page.waitForSelector("#checklist li.rule");
  await page.waitForFunction(() => !document.querySelector("#run-check").disabled);
  await shot("errors-02-pruned");

  step("errors: the network gone");
  once = true;
  await page.route("**/check", r => r.request().method() === "POST" && once ? (once = false, r.abort("internetdisconnected")) : r.fallback());
  await page.click("#run-check");
  await page.waitForFunction(() => !document.querySelector("#check-error").hidden);
  errors.offline = await page.$eval("#check-error", e => e.textContent);
  await shot("errors-03-offline");

  step("errors: the project expired while its tab stayed open");
  once = true;
  await page.route("**/check", r => r.request().method() === "POST" && once ? (once = false, r.fulfill({ status: 404, contentType: "application/json",
    body: JSON.stringify({ error: { code: "not_found", message: "no such project (it may have expired)" } }) })) : r.fallback());
  await page.evaluate(() => { document.querySelector("#check-error").hidden = true; });
  await page.click("#run-check");
  await page.waitForFunction(() => !document.querySelector("#check-error").hidden);
  errors.expired = await page.$eval("#check-error", e => e.textContent);

  // Another tab (here the API) removes stems while this one balances.
  const h = new URLSearchParams((await page.evaluate(() => location.hash)).slice(1));
  const auth = { Authorization: "Bearer " + h.get("t") };
  const removeStem = name => fetch(url + "/api/projects/" + h.get("p") + "/stems/" + encodeURIComponent(name), { method: "DELETE", headers: auth });
  await page.click('#views a[data-view="mix"]');
  await page.waitForFunction(() => document.querySelectorAll("#mixer .strip").length > 0);
  const strips = () => page.$$eval("#mixer .strip", ss => ss.map(s => s.dataset.file));
  let files = await strips();
  step("errors: a stem removed in another tab, then a fader moved here before the page saw it");
  // The page's watch stands still from here: its look already running
  // (the timer's) ends before the stem goes, or it could see the stem
  // gone before the fader moves.
  const watch = await page.evaluate(async () => {
    window.realWatch = watch;
    window.watch = async () => {};
    await state.watching;
    return true;
  });
  await removeStem(files[files.length - 1]);
  await page.evaluate(() => { window.statusSeen = []; });
  // A slow line: the fader's save is held on its way, and the fader moves
  // again meanwhile. A second save naming the removed stem, had the page
  // sent it, is held until the first has said the stem went, so that its
  // refusal comes back naming a stem the page no longer has.
  const gone = files[files.length - 1];
  let firstPut, secondPut;
  const secondSent = new Promise(res => { secondPut = res; });
  await page.route("**/session", async r => {
    if (r.request().method() !== "PUT" || !(r.request().postDataJSON().stems || []).some(st => st.file === gone)) return r.fallback();
    if (!firstPut) {
      firstPut = true;
      await Promise.race([secondSent, new Promise(res => setTimeout(res, 2000))]);
      return r.fallback();
    }
    secondPut();
    await page.waitForFunction(() => window.statusSeen.some(([t]) => /no longer in the project/.test(t)), null, { timeout: 10000 }).catch(() => {});
    return r.fallback();
  });
  const fader = page.locator("#mixer .strip .fader").first();
  await fader.fill("-3");
  await fader.dispatchEvent("input");
  await page.waitForRequest(r => r.method() === "PUT" && r.url().endsWith("/session"));
  await page.waitForTimeout(500);
  await fader.fill("-3");
  await fader.dispatchEvent("input");
  // Settled: the last save answered after the page said the stem went.
  await page.waitForFunction(() => {
    const i = window.statusSeen.findIndex(([t]) => /no longer in the project/.test(t));
    return window.statusSeen.some(([t, c]) => /Not saved/.test(t) || c === "error") || (i >= 0 && window.statusSeen.slice(i + 1).some(([t]) => t === "Session saved."));
  });
  await page.unroute("**/session");
  errors.goneStatuses = await page.evaluate(() => window.statusSeen);
  errors.goneStrips = await strips();
  errors.goneSaved = await (await fetch(url + "/api/projects/" + h.get("p") + "/session", { headers: auth })).json().then(s => s.stems.map(st => st.file + " " + (st.gain_db || 0)));
  errors.removed = files[files.length - 1];
  await shot("errors-04-stem-gone");
  step("errors: a stem removed in another tab while this one just looks");
  await page.evaluate(() => { window.watch = window.realWatch; });
  files = await strips();
  await removeStem(files[files.length - 1]);
  await page.waitForFunction(n => document.querySelectorAll("#mixer .strip").length === n - 1, files.length);
  errors.watchedStrips = await strips();
  errors.watched = watch;
}

// uploadsFlow: a file over the server's largest is refused before it is
// sent; a name the server stores otherwise says so; on a slow connection
// Check is pressed while the last of five stems is still uploading (held
// by page.route until the check has been asked): the check waits for it,
// says so, and checks all five.
async function uploadsFlow() {
  const slow = summary.uploads = {};
  await newProject();
  await recordStatuses();
  // Master pressed before anything is uploaded: the page says what to
  // upload, not the session file's grammar.
  await page.click('#views a[data-view="master"]');
  await page.click("#run-render");
  await page.waitForFunction(() => !document.querySelector("#render-error").hidden);
  slow.emptyMaster = await page.$eval("#render-error", e => e.textContent);
  // Check pressed before anything is uploaded: the page goes to Upload
  // and says it once (the server's refusal stood under the list's own
  // line, in other words).
  await page.click('#views a[data-view="check"]');
  await page.click("#run-check");
  await page.waitForFunction(() => new URLSearchParams(location.hash.slice(1)).get("v") === "upload");
  slow.emptyCheck = await page.evaluate(() => ({ status: document.querySelector("#status").textContent,
    error: document.querySelector("#check-error").hidden ? "" : document.querySelector("#check-error").textContent }));
  const events = slow.events = [];
  let posts = 0;
  page.on("request", r => { if (r.method() === "POST" && /\/check$/.test(r.url())) events.push("check asked"); });
  page.on("request", r => { if (r.method() === "POST" && /\/stems$/.test(r.url())) posts++; });
  // A file over the server's largest (1 MiB here) is refused at once,
  // never sent.
  await page.setInputFiles("#stem-input", [{ name: "huge.wav", mimeType: "audio/wav", buffer: wav(7, 0, 9) }]);
  await page.waitForFunction(() => document.querySelector("#upload-list li.failed") && /Uploaded|huge/.test(document.querySelector("#status").textContent));
  slow.hugeListed = await page.$eval("#upload-list li.failed", li => li.textContent);
  slow.hugePosts = posts;
  // Dropped beside the boxes, from another step: kept from the browser
  // (which would open the file in the tab, leaving the page), and told
  // where to drop. Then dropped on the Stems box: uploaded.
  const drop = (sel, name) => page.evaluate(([sel, name]) => {
    const dt = new DataTransfer();
    dt.items.add(new File([new Uint8Array(64)], name, { type: "audio/wav" }));
    const ev = new DragEvent("drop", { dataTransfer: dt, bubbles: true, cancelable: true });
    document.querySelector(sel).dispatchEvent(ev);
    return ev.defaultPrevented;
  }, [sel, name]);
  await page.click('#views a[data-view="check"]');
  slow.strayKept = await drop("#check-section", "stray.wav");
  slow.strayStatus = await page.$eval("#status", e => e.textContent);
  slow.strayView = await page.evaluate(() => state.view);
  slow.droppedKept = await drop("#stem-drop", "dropped.wav");
  await page.waitForFunction(() => [...document.querySelectorAll("#upload-list li.failed, #upload-list li.done")].some(li => li.textContent.includes("dropped.wav")));
  slow.dropped = await page.$$eval("#upload-list li", lis => lis.map(li => li.textContent).filter(t => t.includes("dropped.wav")));
  // The mix dropped among the stems (no mix uploaded): said, and it can
  // be removed by its named button.
  await page.setInputFiles("#stem-input", [{ name: "Song Mix.wav", mimeType: "audio/wav", buffer: wav(1, 0, 30) }]);
  await page.waitForFunction(() => [...document.querySelectorAll("#upload-list li.done")].some(li => li.textContent.includes("Song Mix.wav")) && /Uploaded/.test(document.querySelector("#status").textContent));
  slow.mixAsStem = await page.$eval("#status", e => e.textContent);
  // One file on its way is named on the status line (it read "upload
  // your stems" while it went).
  slow.oneFileSaid = await page.evaluate(() => window.statusSeen.some(([t]) => t === "Uploading Song Mix.wav…"));
  // The one file alone: mastered as it is, so no version leaves a stem
  // out. Its strip, at its narrowest (as in a mixer of six), holds its
  // controls within it.
  await page.click('#views a[data-view="master"]');
  slow.oneFile = await page.evaluate(() => ({
    files: state.project.stems.length + (state.project.mix ? 1 : 0),
    before: beforeName(),
    versionShown: !document.querySelector("#master-version").closest("label").hidden,
    versions: [...document.querySelectorAll(".version")].filter(cb => !cb.disabled && cb.getClientRects().length).map(cb => cb.value),
    versionsShown: [...document.querySelectorAll(".version")].filter(cb => cb.getClientRects().length).map(cb => cb.value),
  }));
  await page.click('#views a[data-view="mix"]');
  await page.waitForSelector("#mixer .strip");
  slow.oneFile.overflow = await page.evaluate(() => {
    const strip = document.querySelector("#mixer .strip");
    strip.style.maxWidth = getComputedStyle(strip).minWidth;
    const box = strip.getBoundingClientRect();
    const out = [...strip.querySelectorAll("input, output, select, label")].filter(e => e.getClientRects().length && e.getBoundingClientRect().right > box.right + 0.5)
      .map(e => e.className || e.tagName.toLowerCase());
    strip.style.maxWidth = "";
    return out;
  });
  await page.click('#views a[data-view="upload"]');
  // A stem beside it: now the mix-like name went in as a stem.
  await page.setInputFiles("#stem-input", [{ name: "organ.wav", mimeType: "audio/wav", buffer: wav(1, 0, 31) }]);
  await page.waitForFunction(() => [...document.querySelectorAll("#upload-list li.done")].some(li => li.textContent.includes("organ.wav")) && /Uploaded/.test(document.querySelector("#status").textContent));
  slow.mixAmongStems = await page.$eval("#status", e => e.textContent);
  await page.focus('#files button[aria-label="remove organ.wav"]');
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => document.querySelectorAll("#files tbody tr").length === 1);
  // The button pressed went with its row: the focus goes to the next.
  slow.focusAfterRemove = await page.evaluate(() => document.activeElement.getAttribute("aria-label") || document.activeElement.tagName.toLowerCase());
  await page.click('#files button[aria-label="remove Song Mix.wav"]');
  await page.waitForFunction(() => document.querySelectorAll("#files tbody tr").length === 0);
  let release, held = 0;
  const last = new Promise(r => { release = r; });
  await page.route("**/stems", async r => {
    if (r.request().method() !== "POST") return r.fallback();
    // The five uploads run two at a time: the fifth is the last.
    if (++held === 5) {
      await last;
      events.push("last stem sent");
    }
    await r.fallback();
  });
  const names = ["vox.wav", "keys.wav", "drums.wav", "bass.wav", "Gitarre Über #2.wav"];
  await page.setInputFiles("#stem-input", names.map((name, i) => ({ name, mimeType: "audio/wav", buffer: wav(2, 0, i + 1) })));
  // Four of the five in (the fifth is held), whatever finished before.
  await page.waitForFunction(n => [...document.querySelectorAll("#upload-list li.done")].filter(li => n.some(x => li.textContent.startsWith(x))).length === 4,
    names.slice(0, 4));
  await page.click("#to-check");
  await page.click("#run-check");
  await page.waitForFunction(() => window.statusSeen.some(([t]) => /once the uploads are in/.test(t)) || document.querySelector("#checklist li.rule") || !document.querySelector("#check-error").hidden);
  // Pressed again while it waits: still one check asked (events).
  await page.click("#run-check");
  await shot("uploads-01-check-waits");
  // Check pressed: the list says the check is coming, not "press Check".
  slow.checkingList = await page.$eval("#checklist", e => e.textContent);
  // The Upload tab says how much is sent (the list is on its step), and
  // each upload's bar is named by its file.
  slow.uploadTab = await page.$eval('#views a[data-view="upload"]', a => a.textContent);
  slow.tabTitle = await page.title();
  slow.barNames = await page.$$eval("#upload-list progress", ps => ps.map(p => p.getAttribute("aria-label")));
  slow.sendingText = await page.evaluate(() => [sendingText(0, 300 << 20, 0), sendingText(150 << 20, 300 << 20, 100), sendingText(270 << 20, 300 << 20, 90), sendingText(300 << 20, 300 << 20, 100)]);
  // Leaving now would cut the upload: the browser is asked to confirm.
  slow.leaveAsked = await page.evaluate(() => { const e = new Event("beforeunload", { cancelable: true }); window.dispatchEvent(e); return e.defaultPrevented; });
  release();
  await page.waitForSelector("#checklist li.rule");
  await page.waitForFunction(() => !document.querySelector("#run-check").disabled);
  slow.statuses = await page.evaluate(() => window.statusSeen.map(([t]) => t));
  slow.checkError = await page.$eval("#check-error", e => e.hidden ? "" : e.textContent);
  slow.stemCount = await page.evaluate(() => state.project.stems.length);
  slow.uploadTabAfter = await page.$eval('#views a[data-view="upload"]', a => a.textContent);
  slow.tabTitleAfter = await page.title();
  slow.beforeStems = await page.evaluate(() => beforeName());
  slow.leaveAskedAfter = await page.evaluate(() => { const e = new Event("beforeunload", { cancelable: true }); window.dispatchEvent(e); return e.defaultPrevented; });
  slow.renamed = await page.$$eval("#upload-list li.done", lis => lis.map(li => li.textContent).filter(t => t.includes("Gitarre")));
  // Two more on a server holding 6 files a project: one is sent, the
  // other refused at once.
  const before = posts;
  await page.setInputFiles("#stem-input", ["extra1.wav", "extra2.wav"].map((name, i) => ({ name, mimeType: "audio/wav", buffer: wav(1, 0, 20 + i) })));
  await page.waitForFunction(() => [...document.querySelectorAll("#upload-list li.done")].some(li => li.textContent.includes("extra1.wav")));
  slow.extraPosts = posts - before;
  slow.extraRefused = await page.$$eval("#upload-list li.failed", lis => lis.map(li => li.textContent).filter(t => t.includes("extra2.wav")));
  // Six stems' quote: what it prices, and the stems beyond those included.
  await page.waitForFunction(() => state.project.stems.length === 6 && document.querySelectorAll("#quote li").length > 1);
  slow.quote = await page.$eval("#quote", q => [...q.querySelectorAll("p, li")].map(e => e.textContent));
  await shot("uploads-02-checked");
  // Six strips on a 1280 px screen: every one in sight (the sixth was
  // cut at the mixer's edge, behind a scroll nothing showed).
  await page.click('#views a[data-view="mix"]');
  await page.waitForFunction(() => document.querySelectorAll("#mixer .strip").length === 6);
  slow.stripsOutOfSight = await page.evaluate(() => {
    const edge = document.querySelector("#mixer").getBoundingClientRect().right;
    return [...document.querySelectorAll("#mixer .strip")].filter(s => s.getBoundingClientRect().right > edge + 0.5).map(s => s.dataset.file);
  });
  await shot("uploads-03-six-strips");
  await page.click('#views a[data-view="upload"]');

  // The connection drops as a file goes up: the page says it waits, and
  // sends the file again once the connection is back.
  const remove = async name => {
    const n = await page.$$eval("#files tbody tr", trs => trs.length);
    await page.click(`#files button[aria-label="remove ${name}"]`);
    await page.waitForFunction(n => document.querySelectorAll("#files tbody tr").length === n - 1, n);
  };
  await page.click('#views a[data-view="upload"]');
  await remove("extra1.wav");
  await context.setOffline(true);
  await page.setInputFiles("#stem-input", [{ name: "cut.wav", mimeType: "audio/wav", buffer: wav(1, 0, 40) }]);
  await page.waitForFunction(() => [...document.querySelectorAll("#upload-list li.waiting")].some(li => li.textContent.includes("cut.wav")));
  slow.offlineSaid = await page.$$eval("#upload-list li.waiting", lis => lis.map(li => li.textContent).find(t => t.includes("cut.wav")));
  slow.offlineStatus = await page.$eval("#status", e => e.textContent);
  // A file uploaded just before the connection dropped draws the project
  // again, which fails offline: its error line goes once the server
  // answers again (it stayed under every file uploaded).
  await page.evaluate(() => reload().catch(fail));
  slow.offlineLine = await page.$$eval("#upload-list li.failed", lis => lis.filter(li => /cannot reach the server/.test(li.textContent)).length);
  await shot("uploads-03-offline");
  await context.setOffline(false);
  await page.waitForFunction(() => state.project.stems.some(f => f.name === "cut.wav") && !state.scope.uploads.size);
  slow.offlineAfter = await page.$$eval("#upload-list li", lis => lis.map(li => li.className + ": " + li.textContent).filter(t => t.includes("cut.wav")));
  slow.offlineLineAfter = await page.$$eval("#upload-list li.failed", lis => lis.filter(li => /cannot reach the server/.test(li.textContent)).length);
  // The service's storage restarting answers an upload 503 unavailable:
  // the file goes again after the pause asked for.
  await remove("cut.wav");
  await page.route("**/stems", r => r.request().method() === "POST" ? r.fulfill({ status: 503, headers: { "Retry-After": "1" }, contentType: "application/json",
    body: JSON.stringify({ error: { code: "unavailable", message: "the service's storage is briefly out of reach; try again shortly" } }) }) : r.fallback(), { times: 1 });
  await page.setInputFiles("#stem-input", [{ name: "again.wav", mimeType: "audio/wav", buffer: wav(1, 0, 42) }]);
  await page.waitForFunction(() => state.project.stems.some(f => f.name === "again.wav") && !state.scope.uploads.size);
  slow.unavailableAfter = await page.$$eval("#upload-list li", lis => lis.map(li => li.className + ": " + li.textContent).filter(t => t.includes("again.wav")));
  await remove("again.wav");
  // The tab reloaded while a file is being sent (held here): the page
  // opened again says which file did not arrive.
  let release2;
  const held2 = new Promise(r => { release2 = r; });
  const hold = async r => { if (r.request().method() !== "POST") return r.fallback(); await held2; await r.abort().catch(() => {}); };
  await page.route("**/stems", hold);
  await page.setInputFiles("#stem-input", [{ name: "reloaded.wav", mimeType: "audio/wav", buffer: wav(1, 0, 41) }]);
  await page.waitForFunction(() => state.scope.uploads.size > 0);
  const leave = d => d.accept();
  page.on("dialog", leave);
  await page.reload();
  page.off("dialog", leave);
  release2();
  await page.unroute("**/stems", hold);
  await page.waitForFunction(() => state.project && document.querySelector("#status").textContent.includes("reloaded.wav"));
  slow.reloadSaid = await page.$eval("#status", e => e.textContent);
  slow.reloadListed = await page.$$eval("#upload-list li.failed", lis => lis.map(li => li.textContent));
  await shot("uploads-04-reloaded");
  // Master pressed twice before the server answers the first: one render.
  let renders = 0, releaseRender;
  const renderHeld = new Promise(r => { releaseRender = r; });
  await page.route("**/render", async r => {
    if (r.request().method() !== "POST") return r.fallback();
    renders++;
    await renderHeld;
    await r.fallback();
  });
  await page.click('#views a[data-view="master"]');
  // Three formats of main: one row of figures, three downloads that say
  // their own.
  await page.check('.deliverable[value="cd"]');
  await page.check('.deliverable[value="flac24"]');
  const masterButton = await page.$eval("#gate", g => g.hidden) ? "#run-render" : "#master-anyway";
  await page.click(masterButton);
  await until(async () => renders > 0);
  await page.click(masterButton);
  releaseRender();
  await page.waitForFunction(() => !state.following.size && (state.project.jobs || []).some(j => j.kind === "render" && !["queued", "running"].includes(j.state)));
  slow.renders = renders;
  await page.unroute("**/render");
  await page.click('#views a[data-view="results"]');
  await page.waitForSelector("#downloads button.download");
  slow.figureRows = await page.$$eval("#figures tbody tr.after", trs => trs.map(tr => tr.children[0].textContent));
  slow.figuresNote = await page.$eval("#figures-note", p => !p.hidden);
  slow.audioDownloads = await page.$$eval("#downloads button.download", bs => bs.map(b => b.textContent).filter(t => /LUFS/.test(t)));
}

// lowContrast lists the page's visible texts whose colour against their
// background is under WCAG 2's AA contrast (4.5:1; 3:1 for large text),
// disabled controls aside: "ratio selector text" each (in the page).
function lowContrast() {
  const rgb = c => (c.match(/[\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => [r, g, b].map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; })
    .reduce((s, v, i) => s + v * [0.2126, 0.7152, 0.0722][i], 0);
  const background = e => {
    for (; e; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c.length === 3 || c[3] > 0) return c;
    }
    return [255, 255, 255];
  };
  const out = [];
  for (const e of document.querySelectorAll("body *")) {
    const own = [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (!own || !e.getClientRects().length || e.closest("[hidden], template, svg") || e.disabled || e.closest("button:disabled")) continue;
    const cs = getComputedStyle(e);
    if (cs.visibility !== "visible" || Number(cs.opacity) === 0) continue;
    const fg = rgb(cs.color), bg = background(e);
    const a = lum(fg), b = lum(bg), ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    const size = parseFloat(cs.fontSize), large = size >= 24 || (size >= 18.66 && Number(cs.fontWeight) >= 700);
    if (ratio < (large ? 3 : 4.5)) out.push(ratio.toFixed(2) + " " + e.tagName.toLowerCase() + "." + [...e.classList].join(".") + " " + e.textContent.trim().slice(0, 30));
  }
  return out;
}

// networkFlow: the demo played on a slow connection. One stem's second
// segment is held (page.route) until the playhead has passed its start:
// it plays late, its stem silent for a moment, and the page says the
// connection did it, not the files or the device.
async function networkFlow() {
  const net = summary.network = {};
  await page.click("#try-demo");
  await page.waitForFunction(() => /p=.*t=/.test(location.hash) && state.session && state.session.stems.length > 0);
  let release, heldURL = "";
  const held = new Promise(r => { release = r; });
  await page.route(/\/stream\/stem\/[^/]+\/1(\?|$)/, async r => {
    if (!heldURL) {
      heldURL = r.request().url();
      await held;
    }
    await r.fallback();
  });
  await page.click('#views a[data-view="mix"]');
  await page.waitForFunction(() => document.querySelectorAll("#mixer .strip").length > 0);
  await page.click("#live-play");
  await page.waitForFunction(() => window.stemmasterPlayer.playing && window.stemmasterPlayer.position() > 4.5);
  net.noteBefore = await page.$$eval(".live-load .late-note", ps => ps.length);
  release();
  await page.waitForFunction(() => window.stemmasterPlayer.stats.lateSegments > 0);
  net.late = await page.evaluate(() => window.stemmasterPlayer.stats.lateSegments);
  net.note = await page.$eval("#mixer-section .live-load", b => b.hidden ? "" : b.textContent);
  net.held = heldURL.replace(/^.*\/stream\//, "");
  await shot("network-01-late");
  await page.click("#live-play"); // stop
}

// keyboardFlow: the demo project with the keyboard alone. Each step
// pressed moves the focus to its heading, the nav marks the step shown,
// and every control that repeats per stem (the strips' faders and
// buttons, the files' remove buttons) names its stem.
async function keyboardFlow() {
  const kb = summary.keyboard = {};
  const focused = () => page.evaluate(() => {
    const e = document.activeElement;
    return e ? e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + " " + e.textContent.trim().slice(0, 40) : "";
  });
  const tabTo = async (sel, max = 40) => {
    for (let i = 0; i < max; i++) {
      await page.keyboard.press("Tab");
      if (await page.evaluate(s => document.activeElement && document.activeElement.matches(s), sel)) return true;
    }
    return false;
  };
  kb.reachedDemo = await tabTo("#try-demo");
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => /p=.*t=/.test(location.hash) && state.session && state.session.stems.length > 0);
  kb.current = await page.$$eval('#views a[aria-current="step"]', as => as.map(a => a.dataset.view));
  kb.reachedNext = await tabTo("#to-mix");
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => document.querySelectorAll("#mixer .strip").length > 0);
  kb.afterNext = await focused();
  kb.currentAfter = await page.$$eval('#views a[aria-current="step"]', as => as.map(a => a.dataset.view));
  const files = await page.$$eval("#mixer .strip", ss => ss.map(s => s.dataset.file));
  kb.strips = files.length;
  kb.named = {};
  for (const [role, name] of [["slider", "gain in dB"], ["checkbox", "mute"], ["checkbox", "solo"], ["combobox", "role"]]) {
    let n = 0;
    for (const f of files) n += await page.getByRole(role, { name: f + ": " + name, exact: true }).count();
    kb.named[name] = n;
  }
  // Every control of a strip with each section open (a high-pass band,
  // two bands, the compressor and multiband on) and of the Master step (a
  // band, the multiband on) has a name a screen reader can say: the
  // browser's accessibility tree, with no control unnamed or named by a
  // symbol alone ("✕").
  const strip = page.locator("#mixer .strip").first();
  await strip.evaluate(s => s.querySelectorAll("details").forEach(d => { d.open = true; }));
  await strip.locator(".add-band").click();
  await strip.locator(".add-band").click();
  await strip.locator(".band-type").first().selectOption("high_pass");
  await strip.locator(".mb-on").check();
  const cdp = await page.context().newCDPSession(page);
  // One fetch of the accessibility tree for both audits: the controls
  // unnamed (or named by a symbol alone), and the names two controls
  // share, since no two may be alike: each says its stem or card, and its
  // band ("drums.wav: band 2: gain", "Limiter: release ms").
  const axAudit = async () => {
    const { nodes } = await cdp.send("Accessibility.getFullAXTree");
    const named = ["button", "checkbox", "combobox", "slider", "spinbutton", "textbox", "radio", "link", "switch", "menulistpopup"];
    const unnamed = nodes.filter(n => !n.ignored && n.role && named.includes(n.role.value) && !/\p{L}/u.test((n.name && n.name.value) || ""))
      .map(n => n.role.value + " " + JSON.stringify((n.name && n.name.value) || ""));
    const distinct = ["button", "checkbox", "combobox", "slider", "spinbutton", "textbox", "radio", "switch"];
    const seen = new Map();
    for (const n of nodes) {
      if (n.ignored || !n.role || !distinct.includes(n.role.value)) continue;
      const k = n.role.value + " " + ((n.name && n.name.value) || "");
      seen.set(k, (seen.get(k) || 0) + 1);
    }
    const repeated = [...seen].filter(([, c]) => c > 1).map(([k, c]) => k + " ×" + c);
    return { unnamed, repeated };
  };
  ({ unnamed: kb.unnamed, repeated: kb.repeated } = await axAudit());
  kb.bandName = await strip.locator(".band-gain").nth(1).getAttribute("aria-label");
  kb.strip1 = files[0];
  await page.evaluate(() => setView("master"));
  await page.click("#master-add-band");
  await page.locator("#master-bands .band-type").first().selectOption("low_pass");
  await page.click("#master-add-band");
  await page.locator("#master-multiband .mb-on").check();
  const master = await axAudit();
  kb.unnamed.push(...master.unnamed);
  kb.repeated.push(...master.repeated);
  await page.evaluate(() => setView("mix"));
  // Text contrast (WCAG 2 AA: 4.5:1, 3:1 for large text) of every text
  // shown on the Balance step with a stem muted and soloed, and on the
  // Check step once checked.
  await page.locator("#mixer .strip .mute").first().check({ force: true });
  await page.locator("#mixer .strip .solo").nth(1).check({ force: true });
  kb.lowContrast = await page.evaluate(lowContrast);
  await shot("keyboard-01-mix");
  await page.evaluate(() => setView("check"));
  await recordStatuses();
  await page.click("#run-check");
  await page.waitForSelector("#checklist li.rule");
  await page.waitForFunction(() => !document.querySelector("#run-check").disabled);
  kb.lowContrast.push(...await page.evaluate(lowContrast));
  // Each rule's mark (a glyph and a colour) as a screen reader names it.
  kb.rules = await page.$$eval("#checklist li.rule", lis => lis.length);
  // Check was disabled while it ran, which took the focus from it: once
  // checked, the focus is back on it, not on the page's body.
  await page.waitForFunction(() => document.activeElement !== document.body, null, { timeout: 10_000 }).catch(() => {});
  kb.focusAfterCheck = await page.evaluate(() => document.activeElement.id || document.activeElement.tagName.toLowerCase());
  // What the status line (a live region) announces, against the advice
  // box.
  await page.waitForFunction(() => window.statusSeen.some(([t]) => t.startsWith("Check done")), null, { timeout: 30_000 }).catch(() => {});
  kb.checkStatus = await page.evaluate(() => {
    const said = window.statusSeen.map(([t]) => t);
    return said.find(t => t.startsWith("Check done")) || said.join(" | ");
  });
  kb.advice = await page.$eval("#advice", e => [e.querySelector("h3").textContent, e.querySelector("li").textContent]);
  kb.marks = [...(await page.locator("#checklist").ariaSnapshot()).matchAll(/- img "([^"]*)"/g)].map(m => m[1]);
  // The findings' guide links, by the names a screen reader lists.
  kb.guideLinks = await page.$$eval("#checklist a.guide-link", as => as.map(a => a.getAttribute("aria-label") || a.textContent));
  // The limiter's stem-aware box sits by its word, not 5.6 rem away in a
  // number field's width.
  await page.evaluate(() => setView("master"));
  kb.stemAwareBox = await page.$eval("#master-limiter .lim-stem-aware", b => { const r = b.getBoundingClientRect(); return [Math.round(r.width), Math.round(r.height)]; });
  await page.evaluate(() => setView("upload"));
  const names = await page.evaluate(() => state.project.stems.map(s => s.name));
  kb.files = names.length;
  kb.removeNamed = 0;
  for (const n of names) kb.removeNamed += await page.getByRole("button", { name: "remove " + n, exact: true }).count();
}

// channelsDelivery: channels exchanged, one channel inverted, a stem at
// 44.1 kHz — each applied from the gate, shown on its strip, mastered.
async function channelsDelivery() {
  step("channels exchanged, one inverted, fx at 44.1 kHz: apply each, master");
  await checkedAtMaster("channels");
  summary.channelFixes = await page.$$eval("#gate-list li", lis => lis.map(li =>
    `${li.dataset.code} ${li.dataset.file || ""}${li.querySelector("button.apply") ? " apply" : ""}`));
  await shot("19-channel-fixes");
  for (let i = 0; i < 8; i++) {
    const n = await page.$$eval("#gate-list button.apply", b => b.length);
    if (n === 0) break;
    await page.click("#gate-list button.apply >> nth=0");
    await page.waitForFunction(n => document.querySelectorAll("#gate-list button.apply").length < n, n);
  }
  summary.channelGate = await page.$eval("#gate", e => !e.hidden);
  await page.click('#views a[data-view="mix"]');
  summary.channelStrips = {
    Swap: await page.$eval('.strip[data-file="instruments.wav"] .swap', e => e.checked),
    Polarity: await page.$eval('.strip[data-file="backing_vocals.wav"] .polarity-ch', e => e.value),
    Rate: await page.$eval('.strip[data-file="fx.wav"] .rate-note', e => e.textContent),
  };
  await shot("20-channel-fixes-on-strips");
  if (!summary.channelGate) {
    await masterAndWait();
    await downloadFile("main.wav", path.join(artifacts, "channels-master.wav"));
    summary.channelsMaster = path.join(artifacts, "channels-master.wav");
  }
}

// warningsFlow: a stem delivery with the drums clipped (FIXTURES_DIR/
// clipped), warnings only. The Master step lists the warnings the master
// is made with beside Master, in stem mastering only (the mix is clean),
// one the session corrects with its Apply; the results show them with the
// figures, above the A/B.
async function warningsFlow() {
  step("drums clipped: warnings beside Master, and with the results");
  await checkedAtMaster("clipped");
  const listed = () => page.evaluate(() => (document.querySelector("#master-warnings") || { hidden: true }).hidden ? [] :
    [...document.querySelectorAll("#master-warnings-list li.finding")].map(li => li.dataset.code + " " + (li.dataset.file || "")));
  const w = summary.warnings = { gate: await page.$eval("#gate", e => !e.hidden), stems: await listed() };
  await shot("warnings-master");
  // A warning the session corrects is applied from the list with the
  // keyboard, which carries on from Master (it went to a link on the
  // hidden Check step).
  await page.focus('#master-warnings-list li[data-code="gain_mismatch"][data-file="drums.wav"] button.apply');
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => !document.querySelector('#master-warnings-list li[data-code="gain_mismatch"]'));
  w.focusAfterApply = await page.evaluate(() => document.activeElement.id || document.activeElement.tagName.toLowerCase());
  await page.click('#views a[data-view="upload"]');
  await page.check('#mode input[value="stereo"]');
  await page.waitForFunction(() => state.project.stereo);
  await page.click('#views a[data-view="master"]');
  w.stereo = await listed();
  await page.click('#views a[data-view="upload"]');
  await page.check('#mode input[value="stems"]');
  await page.waitForFunction(() => !state.project.stereo);
  await masterAndWait();
  await page.waitForFunction(() => document.querySelector('#findings li.finding[data-code="clipping"]'));
  w.results = await page.evaluate(() => {
    const f = document.querySelector("#findings"), ab = document.querySelector("#ab");
    return { clipping: !!f.querySelector('li.finding[data-code="clipping"]'),
      aboveAB: !!(f.compareDocumentPosition(ab) & Node.DOCUMENT_POSITION_FOLLOWING) };
  });
  // The correlation's figures, as the CLI and report.html print them.
  w.correlation = await page.$eval("#chain-figures .correlation td", td => td.textContent.trim());
  // The figures' words, explained beside them for a musician alone.
  await page.click("#figures-legend summary");
  w.legend = await page.$eval("#figures-legend", d => d.open && d.innerText);
  // A strip's offset in words ("smp" was all it said), with what its sign does.
  w.offset = await page.$eval("#mixer .strip .offset-row", l => l.textContent.replace(/\s+/g, " ").trim() + " | " + l.title);
  await shot("warnings-results");
}

try {
  page = browser.page;
  page.on("console", m => { if (m.type() === "error") consoleErrors.push(m.text() + (m.location() && m.location().url ? " (" + m.location().url + ")" : "")); });
  page.on("pageerror", e => consoleErrors.push(String(e)));
  page.on("request", r => { if (r.method() === "POST" && /\/render$/.test(r.url())) renderRequests.push(r.url()); });
  await page.goto(url);

  // The short flows: each runs alone and reports the page's console errors.
  const shortFlows = { errors: errorsFlow, uploads: uploadsFlow, network: networkFlow, keyboard: keyboardFlow, warnings: warningsFlow };
  if (shortFlows[mode]) {
    await shortFlows[mode]();
    summary.consoleErrors = consoleErrors;
  } else if (mode === "long") {
    step("long song: 8 stems × 240 s");
    await newProject();
    const files = fs.readdirSync(path.join(fixtures, "long")).filter(n => n.endsWith(".wav")).sort();
    await page.setInputFiles("#stem-input", files.map(n => path.join(fixtures, "long", n)));
    await page.waitForFunction(n => document.querySelectorAll("#files tbody tr").length === n, files.length, { timeout: 600_000 });
    summary.long = { stems: files.length };
    await page.click('#views a[data-view="mix"]');
    await page.waitForFunction(() => document.querySelectorAll("#mixer .strip").length > 0);
    const t0 = Date.now();
    await page.click("#live-play");
    await page.waitForFunction(() => window.stemmasterPlayer && window.stemmasterPlayer.stats.firstSoundMs !== null);
    summary.long.clickToSoundMs = Date.now() - t0;
    summary.long.stats = await page.evaluate(() => window.stemmasterPlayer.stats);
    await sleep(1500);
    summary.long.levelDB = await level(500);
    await page.locator("#live-seek").fill("200");
    await page.locator("#live-seek").dispatchEvent("change");
    await page.waitForFunction(() => window.stemmasterPlayer.position() >= 200.5);
    summary.long.position = await page.evaluate(() => window.stemmasterPlayer.position());
    summary.long.heldMB = await page.evaluate(() => Math.round(window.stemmasterPlayer.heldBytes() / 1048576));
    summary.long.tabMB = tabMemoryMB();
    summary.long.bytesTotal = await page.evaluate(() => window.stemmasterPlayer.stats.bytes);
    await page.click("#live-play");
    await shot("long-mixer");
    step("long song: master, then A/B");
    await page.click('#views a[data-view="master"]');
    await page.click("#run-render");
    await page.waitForFunction(() => location.hash.includes("v=results") && document.querySelectorAll("#revision-table tbody tr").length === 1, null, { timeout: 900_000 });
    const bytes0 = await page.evaluate(() => window.stemmasterPlayer.stats.bytes);
    const t1 = Date.now();
    await page.click("#ab-play");
    await page.waitForFunction(() => window.stemmasterPlayer.playing && window.stemmasterPlayer.spans.length > 0);
    summary.long.abClickToSoundMs = Date.now() - t1;
    summary.long.abBytesBeforeSound = (await page.evaluate(() => window.stemmasterPlayer.stats.bytes)) - bytes0;
    await sleep(1000);
    await page.click("#ab-switch");
    await sleep(500);
    summary.long.abLevelDB = await level(500);
    summary.long.abTabMB = tabMemoryMB();
    await page.click("#ab-play");
    await shot("long-ab");
    await channelsDelivery();

    summary.consoleErrors = consoleErrors;
  } else {
    const clean = path.join(fixtures, "clean");

    // ---- an empty project has no price; the quote follows every tick
    step("new project: no price before anything is uploaded");
    await newProject();
    summary.emptyQuoteHidden = await page.$eval("#quote", e => e.hidden);
    await page.click('#views a[data-view="master"]');
    summary.emptyMasterQuoteHidden = await page.$eval("#master-quote", e => e.hidden);
    await shot("01-empty-project");

    step("upload the stems and the mix, check");
    await upload(clean);
    await shot("02-uploaded");
    await runCheck();
    summary.rules = await page.$$eval("#checklist li.rule", lis => lis.map(li => ({ rule: li.children[1].textContent, state: li.className.replace("rule ", "") })));
    summary.advice = await page.$eval("#advice h3", h => h.dataset.service);
    summary.quote = await page.$eval("#quote h3", h => h.textContent);
    if (summary.advice === "stereo_mastering") {
      summary.masterMixButton = await (await page.waitForFunction(() => {
        const b = document.querySelector("#master-mix");
        return b && /\d/.test(b.textContent) && b.textContent;
      })).jsonValue();
      // By keyboard: the advice taken opens the Master step at its
      // heading; taken back, the focus is on the advice again.
      await page.focus("#master-mix");
      await page.keyboard.press("Enter");
      await page.waitForFunction(() => state.view === "master" && state.project.stereo);
      summary.adviceFocus = [await page.evaluate(() => document.activeElement.tagName.toLowerCase() + " " + document.activeElement.textContent.trim())];
      await page.click('#views a[data-view="check"]');
      await page.focus("#master-stems");
      await page.keyboard.press("Enter");
      await page.waitForFunction(() => !state.project.stereo && document.querySelector("#master-mix"));
      summary.adviceFocus.push(await page.evaluate(() => document.activeElement.id || document.activeElement.tagName.toLowerCase()));
    }
    await shot("03-checked");
    await page.click('#views a[data-view="master"]');
    const q0 = await page.$eval("#master-quote h3", h => h.textContent);
    await page.check('.deliverable[value="cd"]');
    await page.check('.version[value="instrumental"]');
    // The quote prices the tick at once: an extra deliverable and version.
    await page.waitForFunction(q => document.querySelector("#master-quote h3").textContent !== q &&
      /extra deliverable/.test(document.querySelector("#master-quote").textContent) && /extra version/.test(document.querySelector("#master-quote").textContent), q0);
    summary.quoteFollows = [q0, await page.$eval("#master-quote h3", h => h.textContent)];
    await page.uncheck('.deliverable[value="cd"]');
    await page.uncheck('.version[value="instrumental"]');
    await shot("04-master-settings");

    // ---- live listening: play, move faders, hear it at once, no render
    step("live listening in the mixer");
    await page.click('#views a[data-view="mix"]');
    await page.check("#live-loop");
    await page.fill("#loop-a", "2");
    await page.fill("#loop-b", "6");
    await page.locator("#loop-b").dispatchEvent("change");
    const rendersBefore = renderRequests.length;
    const t0 = Date.now();
    await page.click("#live-play");
    await page.waitForFunction(() => window.stemmasterPlayer && window.stemmasterPlayer.stats.firstSoundMs !== null);
    summary.mixerClickToSoundMs = Date.now() - t0;
    summary.mixerStats = await page.evaluate(() => window.stemmasterPlayer.stats);
    summary.mixerStart = summary.mixerStats.lastStart;
    // Each level is averaged over the whole 4 s loop, so both measure the
    // same music and differ only by the faders; each waits for the faders
    // to reach their new gain.
    const l0 = await steadyLevel(4000);
    for (const n of STEMS) await page.locator(`.strip[data-file="${n}"] .fader`).fill("-20");
    const l1 = await steadyLevel(4000);
    for (const n of STEMS) await page.check(`.strip[data-file="${n}"] .mute`);
    const l2 = await level(800);
    for (const n of STEMS) await page.uncheck(`.strip[data-file="${n}"] .mute`);
    for (const n of STEMS) await page.locator(`.strip[data-file="${n}"] .fader`).fill("0");
    await page.locator('.strip[data-file="lead_vocal.wav"] .fader').fill("2");
    await page.click('.strip[data-file="drums.wav"] .comp summary');
    await page.check('.strip[data-file="drums.wav"] .comp-on');
    await page.locator('.strip[data-file="lead_vocal.wav"] .width').fill("0.5");
    await page.locator('.strip[data-file="fx.wav"] .pan').fill("-0.5");
    await page.fill('.strip[data-file="drums.wav"] .comp-attack', "5");
    // The server holds every change (the page saves after a pause).
    summary.savedSession = await page.evaluate(async () => {
      const h = new URLSearchParams(location.hash.slice(1));
      const end = performance.now() + 60_000;
      while (performance.now() < end) {
        const r = await fetch(`/api/projects/${h.get("p")}/session`, { headers: { Authorization: "Bearer " + h.get("t") } });
        const s = await r.json();
        const st = n => s.stems.find(x => x.file === n) || {};
        if (st("lead_vocal.wav").gain_db === 2 && st("lead_vocal.wav").width === 0.5 && st("fx.wav").pan === -0.5 && st("drums.wav").compressor && st("drums.wav").compressor.attack_ms === 5) return s;
        await new Promise(r => setTimeout(r, 200));
      }
      return null;
    });
    summary.live = { unity: l0, allMinus20: l1, allMuted: l2, loopPosition: await page.evaluate(() => window.stemmasterPlayer.position()) };
    summary.liveRenderRequests = renderRequests.length - rendersBefore;
    await shot("05-live-mixer");
    await page.click("#live-play");
    await page.uncheck("#live-loop");

    step("master, download");
    await page.fill("#song-title", "Francium");
    await masterAndWait();
    // Master was disabled while it ran and its step hidden: the focus is
    // on the results' heading, not lost to the page's body.
    summary.focusAfterMaster = await page.evaluate(() => document.activeElement.tagName.toLowerCase() + " " + document.activeElement.textContent.trim().slice(0, 30));
    summary.figures = await page.$$eval("#figures tbody tr", trs => trs.map(tr => Array.from(tr.children).map(td => td.textContent)));
    summary.pictures = await page.$$eval("#pictures img", imgs => imgs.map(i => ({ name: i.dataset.name, width: i.naturalWidth })));
    summary.mainName = await downloadFile("main.wav", path.join(artifacts, "stem-master.wav"));
    summary.stemMaster = path.join(artifacts, "stem-master.wav");
    await shot("06-mastered");

    step("A/B: streams, switches without a gap");
    const t1 = Date.now();
    await page.click("#ab-play");
    await page.waitForFunction(() => window.stemmasterPlayer.playing && window.stemmasterPlayer.spans.length > 0);
    summary.abClickToSoundMs = Date.now() - t1;
    summary.abStart = await page.evaluate(() => window.stemmasterPlayer.stats.lastStart);
    summary.abGains = await page.$eval("#ab", el => ({ sum: Number(el.dataset.sumVolume), master: Number(el.dataset.masterVolume) }));
    await page.waitForFunction(() => window.stemmasterPlayer.position() > 0.3);
    const pos0 = await page.evaluate(() => window.stemmasterPlayer.position());
    await page.click("#ab-switch");
    summary.abWhich = await page.$eval("#ab-which", e => e.textContent);
    const pos1 = await page.evaluate(() => window.stemmasterPlayer.position());
    summary.abSwitchKeepsPosition = pos1 >= pos0;
    await page.click("#ab-play");

    step("report.html opened alone shows every picture");
    const reportPath = path.join(artifacts, "report.html");
    await downloadFile("report.html", reportPath);
    const alone = await context.newPage();
    await alone.goto("file://" + reportPath);
    summary.reportPictures = await alone.$$eval("img", imgs => imgs.map(i => ({ alt: i.alt, width: i.naturalWidth, inline: i.src.startsWith("data:") })));
    await alone.screenshot({ path: path.join(artifacts, "07-report-alone.png"), fullPage: true });
    await alone.close();

    step("club target: heavy limiting, reload mid-render, a second tab follows");
    // The title is kept with the project: with this browser's memory of it
    // gone, a second tab still names the downloads after the song.
    await page.waitForFunction(async () => {
      const h = new URLSearchParams(location.hash.slice(1));
      const r = await fetch(`/api/projects/${h.get("p")}/title`, { headers: { Authorization: "Bearer " + h.get("t") } });
      return (await r.json()).title === "Francium";
    }, null, { polling: 300 });
    await page.evaluate(() => localStorage.setItem("stemmaster.projects",
      JSON.stringify(JSON.parse(localStorage.getItem("stemmaster.projects")).map(p => Object.assign(p, { title: "" })))));
    const second = await context.newPage();
    await second.goto(url + (await page.evaluate(() => location.hash)).replace(/&v=.*/, "") + "&v=results");
    await second.waitForFunction(() => document.querySelectorAll("#revision-table tbody tr").length === 1);
    await second.waitForFunction(() => document.querySelector('button.download[data-name="main.wav"]'));
    summary.secondTabTitle = await second.evaluate(() => [document.querySelector("#song-title").value,
      document.querySelector('button.download[data-name="main.wav"]').textContent]);
    await page.click('#views a[data-view="master"]');
    await page.selectOption("#target", "club");
    await page.fill("#render-note", "club");
    await page.click("#run-render");
    await page.waitForFunction(() => !document.querySelector("#render-progress").hidden);
    await page.reload();
    await page.waitForFunction(() => !document.querySelector("#render-progress").hidden && /Mastering/.test(document.querySelector("#render-stage").textContent));
    summary.progressAfterReload = await page.$eval("#render-stage", e => e.textContent);
    await shot("08-reload-mid-render");
    await page.waitForFunction(() => document.querySelectorAll("#revision-table tbody tr").length === 2, null, { timeout: 180_000 });
    await page.waitForSelector("#figures .warn-inline");
    summary.limitingWarning = await page.$$eval("#figures .warn-inline", ws => ws.map(w => w.textContent));
    await shot("09-heavy-limiting-warning");
    // The tab that was open all along shows the new render without a reload.
    await second.waitForFunction(() => document.querySelectorAll("#revision-table tbody tr").length === 2 && document.querySelector("#figures .warn-inline"));
    summary.secondTabFollowed = true;
    await second.close();

    step("compare two revisions");
    await page.click('#revision-table tr[data-number="1"] .rev-tick');
    await page.click('#revision-table tr[data-number="2"] .rev-tick');
    await page.click("#compare");
    await page.waitForSelector("#comparison:not([hidden])");
    await page.waitForFunction(() => document.querySelector("#comparison").dataset.gainA);
    summary.compare = {
      figures: await page.$$eval("#compare-figures tbody tr", trs => trs.map(tr => Array.from(tr.children).map(td => td.textContent))),
      diff: await page.$$eval("#session-diff li", lis => lis.map(li => li.textContent)),
      gains: await page.$eval("#comparison", el => [Number(el.dataset.gainA), Number(el.dataset.gainB)]),
    };
    await page.click("#cmp-play");
    await page.waitForFunction(() => window.stemmasterPlayer.playing && window.stemmasterPlayer.spans.length > 0);
    await page.click('#comparison label:has(input[value="revB"])');
    await page.waitForFunction(() => window.stemmasterPlayer.groupGains.revB > 0);
    summary.compare.playing = await page.evaluate(() => JSON.stringify(window.stemmasterPlayer.groupGains));
    await page.click("#cmp-play");
    await page.click('#revision-table tr[data-number="1"] .rev-downloads');
    // The file's button says its loudness, the figures above whose they are.
    summary.rev1Button = await page.$eval('button.download[data-name="main.wav"]', b => b.textContent);
    summary.figuresOf = await page.$eval("#figures-of", c => c.textContent);
    summary.rev1Name = await downloadFile("main.wav", path.join(artifacts, "revision-1.wav"));
    // On a slow connection (1 MiB/s) the button says how much has come,
    // then reads as before.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send("Network.enable");
    await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 20, downloadThroughput: 1 << 20, uploadThroughput: -1 });
    const slowDownload = page.waitForEvent("download");
    await page.click('button.download[data-name="main.wav"]');
    summary.downloading = await (await page.waitForFunction(() => {
      const t = document.querySelector('button.download[data-name="main.wav"]').textContent;
      return / — downloading [1-9]\d? %…$/.test(t) && t;
    })).jsonValue();
    await slowDownload;
    await page.waitForFunction(label => document.querySelector('button.download[data-name="main.wav"]').textContent === label, summary.rev1Button);
    await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    await cdp.detach();
    summary.rev1 = path.join(artifacts, "revision-1.wav");
    // Back to the latest's files: its zip says which revision it holds.
    await page.click('#revision-table tr[data-number="2"] .rev-downloads');
    summary.zipName = await downloadFile(await page.$eval('button.download[data-name$=".zip"]', b => b.dataset.name), path.join(artifacts, "revision-2.zip"));
    await shot("10-revisions-compared");
    const stemProject = await page.evaluate(() => location.hash);

    // ---- a pasted link to another project asks first
    step("a pasted link to another project asks before switching");
    await newProject();
    const otherProject = await page.evaluate(() => location.hash.split("&")[0]);
    await page.evaluate(h => { location.hash = h; }, stemProject.replace(/&v=.*/, "") + "&v=results");
    await page.waitForSelector("#switch-banner:not([hidden])");
    summary.switchAsked = await page.$eval("#switch-text", e => e.textContent);
    summary.stayedOn = otherProject;
    await shot("11-pasted-link");
    await page.click("#switch-no");
    summary.afterStay = await page.evaluate(() => location.hash.split("&")[0]);
    summary.projectList = await page.$$eval("#project-list li", lis => lis.length);
    await page.evaluate(h => { location.hash = h; }, stemProject.replace(/&v=.*/, "") + "&v=results");
    await page.click("#switch-yes");
    await page.waitForFunction(() => !document.querySelector("#results-section").hidden && document.querySelectorAll("#revision-table tbody tr").length === 2);
    summary.switched = await page.evaluate(() => location.hash.split("&")[0]) === stemProject.split("&")[0];

    step("back and forward move between views");
    await page.click('#views a[data-view="check"]');
    await page.click('#views a[data-view="mix"]');
    await page.goBack();
    await page.waitForFunction(() => !document.querySelector("#check-section").hidden);
    await page.goForward();
    await page.waitForFunction(() => !document.querySelector("#mixer-section").hidden);
    summary.backForward = true;

    step("a fader moved just before a reload is kept");
    await page.locator('.strip[data-file="lead_vocal.wav"] .fader').fill("1");
    await page.reload();
    // The server gets it (the request outlives the page).
    summary.keptOverReload = String(await page.evaluate(async () => {
      const h = new URLSearchParams(location.hash.slice(1));
      const end = performance.now() + 60_000;
      let g;
      while (performance.now() < end) {
        const s = await (await fetch(`/api/projects/${h.get("p")}/session`, { headers: { Authorization: "Bearer " + h.get("t") } })).json();
        g = s.stems.find(x => x.file === "lead_vocal.wav").gain_db;
        if (g === 1) break;
        await new Promise(r => setTimeout(r, 200));
      }
      return g;
    }));

    // ---- phone
    step("phone width, 390 px");
    await page.setViewportSize({ width: 390, height: 844 });
    summary.phone = {};
    summary.phoneCut = {};
    for (const v of ["upload", "check", "mix", "master", "results"]) {
      await page.click(`#views a[data-view="${v}"]`);
      await page.waitForFunction(v => !document.querySelector(`section.view[data-view="${v}"]`).hidden &&
        Array.from(document.querySelectorAll("img")).every(i => !i.getAttribute("src") || i.complete), v);
      summary.phone[v] = await page.evaluate(() => document.documentElement.scrollWidth);
    }
    // What a thumb cannot reach without knowing to scroll a box
    // sideways: a control or a table's cell past the screen's edge, at
    // 390 and 320 px (the smallest phones, and 200 % zoom of a 640 px
    // window).
    for (const w of [390, 320]) {
      await page.setViewportSize({ width: w, height: 844 });
      for (const v of ["upload", "check", "mix", "master", "results"]) {
        await page.click(`#views a[data-view="${v}"]`);
        summary.phoneCut[w + " px, " + v] = await page.evaluate(() => [...document.querySelectorAll("section.view:not([hidden]) :is(button, input, select, a, td, th)")]
          .filter(e => { const r = e.getBoundingClientRect(); return e.offsetParent && r.width > 1 && (r.right > innerWidth + 1 || r.left < -1); })
          .map(e => (e.closest("[id]") || {}).id + ": " + (e.getAttribute("aria-label") || e.textContent.trim().slice(0, 24))).slice(0, 6));
      }
    }
    // My projects opens on the screen at 360 and 390 px: it opened off
    // the screen's left edge, the projects' names cut.
    summary.phoneProjects = {};
    for (const w of [360, 390]) {
      await page.setViewportSize({ width: w, height: 844 });
      await page.click("#my-projects summary");
      summary.phoneProjects[w] = await page.$eval("#project-list", u => { const r = u.getBoundingClientRect(); return [r.left, r.right, innerWidth, u.children.length]; });
      await page.click("#my-projects summary");
    }
    await page.setViewportSize({ width: 390, height: 844 });
    await page.click('#views a[data-view="mix"]');
    summary.phoneFader = await page.$eval('.strip[data-file="drums.wav"] .fader', e => e.getBoundingClientRect().width);
    // Play stays in reach of the thumb at the last strip.
    await page.locator("#mixer .strip").last().locator(".fader").scrollIntoViewIfNeeded();
    summary.phonePlayInView = await page.$eval("#live-play", b => { const r = b.getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; });
    await shot("12-phone-mixer");
    await page.click('#views a[data-view="results"]');
    await shot("13-phone-results");
    await page.setViewportSize({ width: 1280, height: 900 });

    // ---- stereo only
    step("a stereo-only project: upload the mix, master, download");
    await newProject();
    await page.setInputFiles("#mix-input", path.join(clean, "mix.wav"));
    await page.waitForFunction(() => document.querySelectorAll("#files tbody tr").length === 1);
    // The check's next step for one file is Master.
    await page.click('#views a[data-view="check"]');
    await page.click("#to-mix");
    summary.stereoNext = [await page.$eval("#to-mix", b => b.textContent), await page.evaluate(() => state.view)];
    await page.click('#views a[data-view="mix"]');
    summary.stereoStrips = await page.$$eval("#mixer .strip", s => s.map(x => x.dataset.file));
    await page.click('#views a[data-view="master"]');
    summary.stereoQuote = await page.$eval("#master-quote h3", h => h.textContent).catch(() => null);
    // What the Master step says of a stereo master: no stems.
    summary.stereoMasterStep = await page.evaluate(() => ({
      note: [...document.querySelectorAll("#master-live-note, #master-live-note-one")].filter(p => !p.hidden).map(p => p.textContent),
      stemAware: !!document.querySelector(".lim-stem-aware") && document.querySelector(".lim-stem-aware").getClientRects().length > 0,
    }));
    // Every control of the master's processors is explained in words a
    // musician reads (what "knee" or "look-ahead" is, on a phone where a
    // title never shows): its name in What these controls do.
    summary.unexplained = await page.evaluate(() => {
      const legend = document.querySelector("#master-legend").textContent.toLowerCase();
      return [...document.querySelectorAll('.master-grid :is([aria-label="Master compressor"], [aria-label="Master multiband"], [aria-label="Limiter"], [aria-label="Width and saturation"]) label')]
        .filter(l => l.offsetParent && !l.closest(".lim-weights"))
        .map(l => ([...l.childNodes].find(n => n.nodeType === 3 && n.textContent.trim()) || { textContent: "" }).textContent.replace(/\(.*?\)/g, "").trim())
        .filter(w => w && !/^(on|saturation on|\d bands)$/.test(w) && !legend.includes(w.toLowerCase()));
    });
    await masterAndWait();
    summary.stereoName = await downloadFile("main.wav", path.join(artifacts, "stereo-master.wav"));
    summary.stereoBefore = await page.$eval("#figures tbody tr.before td", td => td.textContent);
    summary.stereoFindings = await page.$$eval("#findings li.finding", lis => lis.map(li => li.dataset.code));
    summary.stereoByStem = await page.$$eval("#chain-figures .lim-attribution, #chain-figures .stem-gr", x => x.length);
    summary.stereoMaster = path.join(artifacts, "stereo-master.wav");
    await shot("14-stereo-mastered");

    // ---- another project opened while a master runs
    step("a new project opened while the stereo master runs again: the old project's answers are dropped");
    const running = new URLSearchParams((await page.evaluate(() => location.hash)).slice(1));
    await page.click('#views a[data-view="master"]');
    // The same inputs would answer the done render (docs/api.md "Same inputs,
    // same job"): a note makes this one new, so it runs.
    await page.fill("#render-note", "again");
    await page.click("#run-render");
    await page.waitForFunction(() => !document.querySelector("#render-progress").hidden);
    await newProject();
    // The old project's render ends (asked of the server directly)…
    await page.evaluate(async ({ id, token }) => {
      for (;;) {
        const p = await (await fetch(`/api/projects/${id}`, { headers: { Authorization: "Bearer " + token } })).json();
        if (p.jobs.every(j => ["done", "failed", "cancelled"].includes(j.state))) return;
        await new Promise(r => setTimeout(r, 300));
      }
    }, { id: running.get("p"), token: running.get("t") });
    // …and the page, on the new project, shows none of it.
    summary.switchMidRender = await page.evaluate(() => ({
      view: new URLSearchParams(location.hash.slice(1)).get("v"),
      progressShown: !document.querySelector("#render-progress").hidden,
      masterDisabled: document.querySelector("#run-render").disabled,
      revisions: document.querySelectorAll("#revision-table tbody tr").length,
      files: document.querySelectorAll("#files tbody tr").length,
    }));

    // ---- a broken delivery: blocked, fixed with apply, mastered
    step("drums 1000 samples late: blocked, apply, master");
    await newProject();
    await upload(path.join(fixtures, "late"));
    await runCheck();
    // The advice (stereo mastering, the errors in the stems) says the mix
    // alone needs none of the stems' fixes: the server's reason, one text.
    const adviceNote = await page.$eval("#advice ul", p => p.textContent).catch(() => "");
    await page.click('#views a[data-view="master"]');
    summary.blocked = { adviceNote,
      gate: await page.$eval("#gate", e => !e.hidden),
      masterHidden: await page.$eval("#render-box", e => e.hidden),
      fixes: await page.$$eval("#gate-list li", lis => lis.map(li => li.textContent)),
    };
    await shot("15-blocked");
    await page.click('#gate-list li[data-code="offset"][data-file="drums.wav"] button.apply');
    await page.waitForFunction(() => document.querySelector("#gate").hidden && !document.querySelector("#render-box").hidden);
    // The last fix applied, the keyboard's place is on Master.
    summary.blocked.focusAfterApply = await page.evaluate(() => document.activeElement.id || document.activeElement.tagName.toLowerCase());
    // The stems' sum against the mix: explained by the offset, now applied.
    summary.blocked.sumExplained = await page.$eval('#checklist li.finding[data-code="sum_mismatch"] .applied-tag', e => e.textContent).catch(() => "");
    await page.click('#views a[data-view="mix"]');
    summary.appliedStrip = {
      offset: await page.$eval('.strip[data-file="drums.wav"] .offset', e => e.value),
      note: await page.$eval('.strip[data-file="drums.wav"] .applied', e => e.textContent),
    };
    await shot("16-applied-on-strip");
    await masterAndWait();
    // The results list the check's findings on the stems; the offset the
    // session corrects is marked so, as on the checklist.
    await page.waitForFunction(() => document.querySelector('#findings li.finding[data-code="offset"]') &&
      document.querySelectorAll("#revision-table tbody tr").length > 0);
    summary.fixedFinding = await page.$eval('#findings li.finding[data-code="offset"]', li => li.className + " | " + li.textContent);
    await shot("21-fixed-delivery-results");
    await downloadFile("main.wav", path.join(artifacts, "fixed-master.wav"));
    summary.fixedMaster = path.join(artifacts, "fixed-master.wav");

    // ---- master anyway
    step("the mix shifted: nothing to apply, master anyway");
    await checkedAtMaster("shifted");
    summary.anywayOffered = await page.$eval("#gate-anyway", e => !e.hidden);
    await shot("17-master-anyway-offered");
    await masterAndWait("#master-anyway");
    summary.masteredAnyway = await page.$eval("#mastered-anyway", e => e.hidden ? "" : e.textContent);
    summary.anywaySaid = await page.$eval("#results-body", e => (e.innerText.match(/mastered anyway/gi) || []).length);
    await downloadFile("report.json", path.join(artifacts, "anyway-report.json"));
    summary.anywayReport = path.join(artifacts, "anyway-report.json");
    await shot("18-mastered-anyway");

    await channelsDelivery();

    summary.consoleErrors = consoleErrors;
    summary.tabMB = tabMemoryMB();
  }
} catch (e) {
  failed = true;
  console.error("e2e failed:", e);
  for (const p of context.pages()) await p.screenshot({ path: path.join(artifacts, "failure.png"), fullPage: true }).catch(() => {});
} finally {
  await browser.close();
}
console.log(JSON.stringify(summary));
process.exit(failed ? 1 : 0);
