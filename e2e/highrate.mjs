// A 96 kHz delivery on the page: five stems and their mix, fx exported 96
// samples (1 ms) late. The stream previews are converted to 48 kHz
// (StreamInfo.source_rate is the file's rate), so the page must count an
// offset in the files' frames and play it in seconds: the check's Apply
// moves fx 96 frames earlier, the live mixer then nulls against the mix,
// the strip says 1 ms, the server's sum loudness is the mix's, and the
// A/B plays every programme at the quietest one's loudness. The last line
// printed is a JSON summary for highrate_test.go.
//
//   node highrate.mjs URL ARTIFACTS_DIR FIXTURES_DIR
import fs from "node:fs";
import path from "node:path";
import { args, pageOfflinePlayer, renderAndWait, runChecks } from "./lib.mjs";

const [url, artifacts, fixtures] = args("highrate.mjs", ["URL", "ARTIFACTS_DIR", "FIXTURES_DIR"]);
fs.mkdirSync(artifacts, { recursive: true });
const STEMS = ["lead_vocal.wav", "backing_vocals.wav", "drums.wav", "instruments.wav", "fx.wav"];

// In the page: the live player's stems (or the mix) rendered offline at
// the mixer's settings, and the residual of the stems against the mix
// over the song (a tenth of a second at either end left out), in dB.
const helpers = () => {
  const render = async which => {
    const s = state.streams;
    const tracks = which === "mix" ? [{ id: "mix:" + s.mix.name, group: "stems", info: s.mix }]
      : s.stems.map(x => ({ id: "stem:" + x.name, group: "stems", info: x }));
    const rate = tracks[0].info.sample_rate, frames = Math.max(...tracks.map(x => x.info.frames));
    const { p, off } = await offlinePlayer(tracks, frames, rate);
    if (which !== "mix") {
      const saved = state.player, where = state.playingIn;
      state.player = p; state.playingIn = "mix";
      updatePlayerParams();
      state.player = saved; state.playingIn = where;
    }
    await startSegments(p, off);
    return off.startRendering();
  };
  window.t96 = {
    async residualDB() {
      const a = await render("stems"), b = await render("mix");
      const n = Math.min(a.length, b.length), edge = Math.round(a.sampleRate / 10);
      let e = 0, r = 0;
      for (let c = 0; c < 2; c++) {
        const x = a.getChannelData(c), y = b.getChannelData(c);
        for (let i = edge; i < n - edge; i++) { e += y[i] * y[i]; r += (x[i] - y[i]) ** 2; }
      }
      return 10 * Math.log10(r / e);
    },
  };
};

await runChecks("highrate", artifacts, async (page, summary) => {
  await page.goto(url);
  await page.click("#new-project");
  await page.waitForFunction(() => /p=.*t=/.test(location.hash));
  const h = new URLSearchParams((await page.evaluate(() => location.hash)).slice(1));
  const id = h.get("p"), token = h.get("t");
  // The stems and the mix go up together, the stems held back until the
  // mix is in: the status still counts the stems on their way.
  let release;
  const held = new Promise(r => { release = r; });
  await page.route("**/stems", async r => { if (r.request().method() === "POST") await held; await r.fallback(); });
  await page.setInputFiles("#stem-input", [...STEMS, "keys.wav"].map(n => path.join(fixtures, n)));
  await page.setInputFiles("#mix-input", path.join(fixtures, "mix.wav"));
  await page.waitForFunction(() => state.project && state.project.mix);
  summary.mixInFirst = await page.$eval("#status", e => e.textContent);
  release();
  await page.waitForFunction(n => document.querySelectorAll("#files tbody tr").length === n, STEMS.length + 2);
  await page.waitForFunction(() => !state.scope.uploads.size);
  summary.allIn = await page.$eval("#status", e => e.textContent);
  await page.unroute("**/stems");
  summary.formats = await page.$$eval("#files tbody tr td:nth-child(2)", tds => tds.map(td => td.textContent));
  // On the phone the files' table fits: "remove" is not scrolled away.
  summary.filesOverflow = await page.$eval("#files", t => { const w = t.closest(".table-wrap"); return w.scrollWidth - w.clientWidth; });

  const check = async () => {
    await page.click('#views a[data-view="check"]');
    await page.click("#run-check");
    await page.waitForSelector("#checklist li.rule");
    await page.waitForFunction(() => !document.querySelector("#run-check").disabled);
  };
  // keys.wav is silent: the check offers to take it out (it is priced as
  // a stem), and the page says to check again.
  await check();
  summary.quoteSilent = await page.$eval("#quote h3", h => h.textContent);
  await page.click('#checklist li.finding[data-code="silent"] button.remove-silent');
  await page.waitForFunction(n => document.querySelectorAll("#files tbody tr").length === n, STEMS.length + 1);
  summary.removedSaid = await page.$eval("#status", e => e.textContent);
  summary.quoteRemoved = await page.$eval("#quote h3", h => h.textContent);
  await check();
  await page.screenshot({ path: path.join(artifacts, "check.png"), fullPage: true });
  summary.offsets = await page.$$eval('#checklist li.finding[data-code="offset"]', lis => lis.map(li => li.dataset.file + ": " + li.querySelector("span").textContent));
  await page.evaluate(pageOfflinePlayer);
  await page.evaluate(helpers);
  await page.evaluate(() => setView("mix"));
  await page.waitForFunction(() => state.streams && state.streams.stems.length === 5 && state.streams.mix);
  summary.rates = await page.evaluate(() => [...state.streams.stems, state.streams.mix].map(x => [x.name, x.sample_rate, x.source_rate]));
  summary.deliveredDB = await page.evaluate(() => t96.residualDB());

  await page.click('#views a[data-view="check"]');
  await page.click('#checklist li.finding[data-code="offset"] button.apply');
  await page.waitForFunction(() => (state.session.stems.find(s => s.file === "fx.wav") || {}).offset_samples === -96);
  // The Apply pressed is drawn anew: the keyboard's place stays by it.
  await page.waitForFunction(() => document.activeElement !== document.body, null, { timeout: 10_000 }).catch(() => {});
  summary.focusAfterApply = await page.evaluate(() => { const e = document.activeElement, li = e.closest("li.finding"); return e.className + " in " + (li ? li.dataset.code + " " + li.dataset.file : "none"); });
  await page.click('#views a[data-view="mix"]');
  await page.waitForFunction(() => state.streams && state.streams.mix);
  summary.stripOffset = await page.$eval('.strip[data-file="fx.wav"] .offset-ms', e => e.textContent);
  summary.appliedDB = await page.evaluate(() => t96.residualDB());
  await page.screenshot({ path: path.join(artifacts, "mixer.png"), fullPage: true });
  // The server's measure of the stems' sum at these settings, and the mix's.
  summary.sum = await page.evaluate(async () => ({ sum: (await api("POST", projectPath("/sum-loudness"), sessionToSend())).integrated_lufs, mix: state.streams.mix.integrated_lufs }));

  ({ state: summary.render, error: summary.renderError } = await renderAndWait(url, id, token, page));
  await page.evaluate(() => setView("results"));
  await page.waitForFunction(() => state.streams && state.streams.master && state.sumMeasured && state.sumMeasured.lufs !== null);
  summary.ab = await page.evaluate(() => {
    applyABGains();
    return { before: beforeLUFS(), mix: state.streams.mix.integrated_lufs, after: state.streams.master.integrated_lufs,
      sumVolume: +document.querySelector("#ab").dataset.sumVolume, masterVolume: +document.querySelector("#ab").dataset.masterVolume,
      levels: document.querySelector("#ab-levels").textContent };
  });
  await page.screenshot({ path: path.join(artifacts, "results.png"), fullPage: true });
});
