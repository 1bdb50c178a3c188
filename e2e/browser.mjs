// Browser test of the stemmaster web page, as a person uses it: new project,
// upload the francium stems, check, move a fader, master, see the figures
// and pictures, download the master. Screenshots of each step go to the
// artifacts directory; the last line printed is a JSON summary that
// e2e_test.go checks (it also measures the downloaded master's loudness).
//
//   node browser.mjs URL STEMS_DIR ARTIFACTS_DIR
import { chromium } from "playwright-core";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const [url, stemsDir, artifacts] = process.argv.slice(2);
if (!url || !stemsDir || !artifacts) {
  console.error("usage: node browser.mjs URL STEMS_DIR ARTIFACTS_DIR");
  process.exit(2);
}
fs.mkdirSync(artifacts, { recursive: true });
const stems = ["lead_vocal.wav", "backing_vocals.wav", "drums.wav", "instruments.wav", "fx.wav"].map(n => path.join(stemsDir, n));
const step = msg => console.error(`[e2e ${new Date().toISOString().slice(11, 19)}] ${msg}`);

const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), "stemmaster-chromium-"));
const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  acceptDownloads: true,
  viewport: { width: 1280, height: 900 },
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const summary = {};
let failed = false;
try {
  const page = await context.newPage();
  page.setDefaultTimeout(120_000);
  const consoleErrors = [];
  page.on("console", m => { if (m.type() === "error") consoleErrors.push(m.text()); });
  page.on("pageerror", e => consoleErrors.push(String(e)));

  step("open the page");
  await page.goto(url);
  await page.click("#new-project");
  await page.waitForSelector("#app:not([hidden])");
  await page.screenshot({ path: path.join(artifacts, "01-new-project.png"), fullPage: true });

  step("upload the stems");
  await page.setInputFiles("#stem-input", stems);
  await page.waitForFunction(n => document.querySelectorAll("#files tbody tr").length === n, stems.length);
  summary.uploaded = await page.$$eval("#files tbody tr td:first-child", tds => tds.map(td => td.textContent));
  step("upload the reference mix");
  await page.setInputFiles("#mix-input", path.join(stemsDir, "mix.wav"));
  await page.waitForFunction(n => document.querySelectorAll("#files tbody tr").length === n + 1, stems.length);
  summary.uploaded = await page.$$eval("#files tbody tr td:first-child", tds => tds.map(td => td.textContent));
  summary.uploadBars = await page.$$eval("#upload-list progress", bars => bars.map(b => b.value));
  await page.screenshot({ path: path.join(artifacts, "02-uploaded.png"), fullPage: true });

  step("check the delivery");
  await page.click("#run-check");
  await page.waitForSelector("#checklist li.rule");
  await page.waitForSelector("#advice:not([hidden])");
  summary.rules = await page.$$eval("#checklist li.rule", lis => lis.map(li => ({ rule: li.children[1].textContent, state: li.className.replace("rule ", "") })));
  summary.advice = await page.$eval("#advice h3", h => h.dataset.service);
  summary.quote = await page.$eval("#quote h3", h => h.textContent).catch(() => null);
  await page.screenshot({ path: path.join(artifacts, "03-checked.png"), fullPage: true });

  step("move the lead vocal fader to +2 dB, put a compressor on the drums");
  await page.locator('.strip[data-file="lead_vocal.wav"] .fader').fill("2");
  await page.click('.strip[data-file="drums.wav"] .comp summary');
  await page.check('.strip[data-file="drums.wav"] .comp-on');
  const hash = new URLSearchParams((await page.evaluate(() => location.hash)).slice(1));
  // Wait until the server holds both changes (the page saves after a pause).
  const fetchSession = () => page.evaluate(async ([id, token]) => {
    const r = await fetch(`/api/projects/${id}/session`, { headers: { Authorization: "Bearer " + token } });
    return r.json();
  }, [hash.get("p"), hash.get("t")]);
  for (let i = 0; ; i++) {
    summary.session = await fetchSession();
    const st = name => summary.session.stems.find(x => x.file === name) || {};
    if (st("lead_vocal.wav").gain_db === 2 && st("drums.wav").compressor) break;
    if (i > 100) throw new Error("the mixer changes never reached the server: " + JSON.stringify(summary.session));
    await new Promise(r => setTimeout(r, 100));
  }
  await page.screenshot({ path: path.join(artifacts, "04-mixer.png"), fullPage: true });

  step("master");
  await page.click("#run-render");
  await page.waitForSelector("#render-progress:not([hidden])");
  await page.waitForSelector("#results-section:not([hidden])");
  await page.waitForFunction(() => {
    const imgs = Array.from(document.querySelectorAll("#pictures img"));
    return imgs.length >= 3 && imgs.every(i => i.complete && i.naturalWidth > 0);
  });
  summary.pictures = await page.$$eval("#pictures img", imgs => imgs.map(i => ({ name: i.dataset.name, width: i.naturalWidth })));
  summary.figures = await page.$$eval("#figures tbody tr", trs => trs.map(tr => Array.from(tr.children).map(td => td.textContent)));
  summary.ab = await page.$eval("#ab", el => ({ hidden: el.hidden, sum: Number(el.dataset.sumVolume), master: Number(el.dataset.masterVolume) }));
  await page.screenshot({ path: path.join(artifacts, "05-mastered.png"), fullPage: true });

  step("download the master");
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.click('button.download[data-name="main.wav"]'),
  ]);
  const master = path.join(artifacts, "main.wav");
  await download.saveAs(master);
  summary.master = master;

  step("switch the A/B player to the stem sum");
  await page.click("#ab-switch");
  summary.abWhich = await page.$eval("#ab-which", e => e.textContent);

  step("try the demo");
  await page.click("#try-demo");
  await page.waitForFunction(() => document.querySelectorAll("#files tbody tr").length === 4 && document.querySelectorAll("#mixer .strip").length === 4);
  summary.demoStems = await page.$$eval("#files tbody tr td:first-child", tds => tds.map(td => td.textContent));
  await page.screenshot({ path: path.join(artifacts, "06-demo.png"), fullPage: true });
  summary.consoleErrors = consoleErrors;
} catch (e) {
  failed = true;
  console.error("e2e failed:", e);
  for (const p of context.pages()) await p.screenshot({ path: path.join(artifacts, "failure.png"), fullPage: true }).catch(() => {});
} finally {
  await context.close();
  fs.rmSync(userDataDir, { recursive: true, force: true });
}
console.log(JSON.stringify(summary));
process.exit(failed ? 1 : 0);
