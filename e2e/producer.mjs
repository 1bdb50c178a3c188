// A producer's eight stems from a DAW through the page with no help:
// upload, check, the advice's way to the assistant, a reference, the
// suggestion used, one strip's gain and EQ, master, results. axe-core
// runs at every step. producer_test.go holds what it reads to the CLI.
//
//   node producer.mjs URL ARTIFACTS_DIR FIXTURES_DIR
import fs from "node:fs";
import path from "node:path";
import { args, axeChecker, runChecks, sleep } from "./lib.mjs";

const [url, artifacts, dir] = args("producer.mjs", ["URL", "ARTIFACTS_DIR", "FIXTURES_DIR"]);
const step = msg => console.error(`[producer ${new Date().toISOString().slice(11, 19)}] ${msg}`);
fs.mkdirSync(artifacts, { recursive: true });

await runChecks("producer", artifacts, async (page, s) => {
  await page.setViewportSize({ width: 1280, height: 900 });
  s.axe = [];
  const axe = axeChecker(page, artifacts, s.axe);
  await page.goto(url);
  await axe("1-landing");
  await page.click("#new-project");
  await page.waitForFunction(() => /p=.*t=/.test(location.hash));
  const stems = fs.readdirSync(dir).filter(f => /\.(wav|aif)$/.test(f)).sort();
  step("upload " + stems.length + " stems");
  await page.setInputFiles("#stem-input", stems.map(f => path.join(dir, f)));
  await page.waitForFunction(n => document.querySelectorAll("#files tbody tr").length === n && !state.scope.uploads.size, stems.length);
  await axe("2-uploaded");

  step("check");
  await page.click("#to-check");
  await page.click("#run-check");
  await page.waitForFunction(() => document.querySelectorAll("#checklist li.rule").length > 0 && !$("#advice").hidden && /Check done/.test($("#status").textContent));
  await axe("3-checked");
  s.rules = await page.$$eval("#checklist > li.rule", lis => lis.map(li => ({ Text: li.querySelector(".rule-text").textContent, Mark: [...li.classList].find(c => c !== "rule") })));
  s.status = await page.locator("#status").textContent();
  s.links = await page.$$eval("#checklist a.guide-link", as => as.map(a => a.getAttribute("aria-label")));

  step("the advice's way to the assistant");
  await page.click("#advice-balance");
  s.adviceGoes = await page.evaluate(() => ({ View: state.view, Focus: document.activeElement.id }));
  await page.setInputFiles("#reference-file", path.join(dir, "ref", "ref.wav"));
  await page.waitForFunction(() => state.references && state.references.length === 1);
  await page.click("#run-suggest");
  await page.waitForSelector("#suggest-result:not([hidden])", { timeout: 300_000 });
  await axe("4-suggested");
  s.wheres = await page.locator("#suggest-decisions tr:not(.reason) td:first-child").allTextContents();
  await page.click("#use-suggest");
  await page.waitForFunction(() => /assistant's session is in the mixer/.test($("#status").textContent));
  // The decisions fold once used: the strips they set come next.
  s.mixerBelow = await page.evaluate(() => $("#mixer").getBoundingClientRect().top - $("#use-suggest").getBoundingClientRect().bottom);

  step("a stem's gain and EQ");
  const strip = page.locator("#mixer .strip").nth(2);
  await strip.locator(".fader").fill("2");
  await strip.locator(".fader").dispatchEvent("change");
  await strip.locator("details.eq summary").click();
  await strip.locator(".add-band").click();
  await axe("5-balanced");
  await page.waitForFunction(() => state.session.stems[2].gain_db === 2);
  await page.evaluate(() => saveSession());
  const h = new URLSearchParams((await page.evaluate(() => location.hash)).slice(1));
  const api = async p => (await fetch(url + "/api/projects/" + h.get("p") + p, { headers: { Authorization: "Bearer " + h.get("t") } })).json();
  const saved = await api("/session");
  s.strip = { gain: saved.stems[2].gain_db, bands: (saved.stems[2].eq || []).length };

  step("master");
  await page.click("#to-master");
  await axe("6-master");
  await page.click("#run-render");
  await page.waitForFunction(() => state.view === "results" && !$("#results-body").hidden && $$("#downloads button").length > 0, null, { timeout: 300_000 });
  await axe("7-results");
  s.figures = await page.$$eval("#figures tbody tr", trs => trs.map(tr => [...tr.children].map(td => (td.firstChild ? td.firstChild.textContent : td.textContent).trim())));
  s.revButtons = await page.$$eval("#revision-table .rev-downloads", bs => bs.map(b => b.getAttribute("aria-label")));
  s.report = await (await fetch(url + (await page.evaluate(() => state.project.outputs.find(o => o.name === "report.json").url)), { headers: { Authorization: "Bearer " + h.get("t") } })).json();
  s.rounded = await page.evaluate(() => [3.55, -12.55, 1.45, 2.35, -0.04, 0.05].map(v => fmtNum(v)));

  step("the next day: the site's address in a new tab");
  const next = await page.context().newPage();
  await next.goto(url);
  await next.waitForFunction(() => state.project && state.view !== "upload", null, { timeout: 30_000 }).catch(() => {});
  s.nextDay = await next.evaluate(() => [state.view, location.hash.includes("v=" + state.view)]);
  await next.close();

  step("200 % zoom: the results at half the width");
  await page.setViewportSize({ width: 640, height: 450 });
  await sleep(300);
  await axe("8-zoomed");
  if (await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1)) s.axe.push("8-zoomed: the page scrolls sideways at 200 % zoom");
});
