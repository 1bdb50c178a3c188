// A musician's first try of the page, on a phone (390 px): for each
// delivery described in DELIVERIES_JSON, a new project, its files chosen
// in the upload boxes as a musician chooses them, Check pressed, and the
// checklist read as shown (each line's glyph and words, how many findings
// under it) with the advice's headline, and the Master step's gate. checklist_test.go holds these to
// what `stemmaster check` prints for the same files. Along the way: the
// step tabs while an upload shows its percentage (at 390 and 320 px), and
// the page's width.
// The last line printed is a JSON summary.
//
//   node checklist.mjs URL ARTIFACTS_DIR DELIVERIES_JSON
//
// DELIVERIES_JSON: [{"name", "stems": [path…], "mix": path or ""}].
import fs from "node:fs";
import path from "node:path";
import { args, runChecks } from "./lib.mjs";

const [url, artifacts, deliveriesFile] = args("checklist.mjs", ["URL", "ARTIFACTS_DIR", "DELIVERIES_JSON"]);
fs.mkdirSync(artifacts, { recursive: true });
const deliveries = JSON.parse(fs.readFileSync(deliveriesFile, "utf8")).map(d => ({ ...d, stems: d.stems || [] }));
const step = msg => console.error(`[checklist ${new Date().toISOString().slice(11, 19)}] ${msg}`);

// tabRows counts the rows the step tabs take: a tab starts a new row when
// its middle is below the bottom of the row before (the active tab reaches
// 2 px past its row, over the tabs' bottom line).
const tabRows = () => {
  let rows = 0, bottom = -Infinity;
  for (const a of document.querySelectorAll("#views a")) {
    const r = a.getBoundingClientRect();
    if ((r.top + r.bottom) / 2 > bottom) {
      rows++;
      bottom = r.bottom;
    } else bottom = Math.max(bottom, r.bottom);
  }
  return rows;
};

await runChecks("checklist", artifacts, async (page, summary) => {
  summary.deliveries = {};
  // An answer of 5xx tells the musician the service is out of reach: a
  // file of theirs never should.
  summary.serverErrors = [];
  page.on("response", r => { if (r.status() >= 500) summary.serverErrors.push(r.status() + " " + new URL(r.url()).pathname); });
  await page.goto(url);
  for (const d of deliveries) {
    step(d.name);
    await page.click("#new-project");
    await page.waitForFunction(() => !document.querySelector("#app").hidden && document.querySelector("#files tbody").children.length === 0);
    const files = d.stems.length + (d.mix ? 1 : 0);
    const out = {};
    // The uploads' share shows on the Upload tab; a slow connection holds
    // it there for minutes, and the tabs must stay on one row meanwhile:
    // the first upload is held while they are measured.
    let release;
    const held = new Promise(r => { release = r; });
    await page.route(/\/(stems|mix)$/, async r => {
      if (r.request().method() === "POST") await held;
      await r.fallback();
    });
    if (d.stems.length) await page.setInputFiles("#stem-input", d.stems);
    else await page.setInputFiles("#mix-input", d.mix);
    await page.waitForFunction(() => document.querySelector("#upload-pct").textContent !== "");
    // Held, it reads 0 %; measured at its widest, 100 %.
    await page.evaluate(() => {
      for (const s of state.scope.sending.values()) s.sent = s.size;
      showSending(state.scope);
    });
    out.sendingTab = await page.$eval('#views a[data-view="upload"]', a => a.textContent);
    out.tabRowsWhileSending = await page.evaluate(tabRows);
    await page.screenshot({ path: path.join(artifacts, "checklist-" + d.name + "-sending.png") });
    release();
    await page.unroute(/\/(stems|mix)$/);
    await page.waitForFunction(n => document.querySelectorAll("#files tbody tr").length === n, d.stems.length || 1);
    if (d.stems.length && d.mix) {
      await page.setInputFiles("#mix-input", d.mix);
      await page.waitForFunction(n => document.querySelectorAll("#files tbody tr").length === n, files);
    }
    out.tabRows = await page.evaluate(tabRows);
    await page.click('#views a[data-view="check"]');
    await page.click("#run-check");
    await page.waitForSelector("#checklist li.rule");
    await page.waitForFunction(() => !document.querySelector("#run-check").disabled);
    out.lines = await page.$$eval("#checklist li.rule", lis => lis.map(li =>
      li.querySelector(".mark").textContent + " " + li.querySelector(".rule-text").textContent + " [" + li.querySelectorAll("li.finding").length + "]"));
    out.advice = await page.$eval("#advice h3", h => h.textContent).catch(() => "");
    out.reasons = await page.$$eval("#advice li", lis => lis.map(li => li.textContent));
    out.masterSum = await page.$eval("#master-sum", b => b.textContent).catch(() => "");
    out.scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
    await page.screenshot({ path: path.join(artifacts, "checklist-" + d.name + ".png"), fullPage: true });
    // The Master step: while a finding blocks, the gate lists it and
    // says which files to export again.
    // The Master step's player lists the previews of every file.
    const streams = page.waitForResponse(r => r.url().includes("/streams"), { timeout: 15_000 }).catch(() => null);
    await page.click('#views a[data-view="master"]');
    out.streams = await streams.then(r => r ? r.status() : 0);
    out.gate = await page.evaluate(() => ({
      shown: !document.querySelector("#gate").hidden,
      items: document.querySelectorAll("#gate-list li.finding").length,
      anyway: document.querySelector("#gate-anyway").hidden ? "" : document.querySelector("#gate-anyway p").textContent,
      anywayButton: !document.querySelector("#gate-anyway").hidden && !document.querySelector("#master-anyway").hidden,
    }));
    await page.screenshot({ path: path.join(artifacts, "checklist-" + d.name + "-master.png"), fullPage: true });
    summary.deliveries[d.name] = out;
  }
  // The narrowest phones, 320 px, an upload's share shown: the tabs on
  // one row (a step's name breaks under its number), nothing sideways.
  await page.setViewportSize({ width: 320, height: 800 });
  await page.click('#views a[data-view="upload"]');
  await page.evaluate(() => {
    state.scope.sending.set("e2e", { sent: 1, size: 1 });
    showSending(state.scope);
  });
  summary.narrow = { tabRows: await page.evaluate(tabRows), scrollWidth: await page.evaluate(() => document.documentElement.scrollWidth) };
  await page.screenshot({ path: path.join(artifacts, "checklist-320.png") });
});
