// A short browser check of the chain controls (chain.js) on a phone-wide
// page: the demo project's first strip gets a multiband and a dynamic EQ
// band and its compressor works on the side; the server's session must
// hold them, the live player must play them, a crossover too close to the one below must be named next to
// its input (422), and a render of the session must succeed. The last line
// printed is a JSON summary.
//
//   node chain.mjs URL ARTIFACTS_DIR
import fs from "node:fs";
import path from "node:path";
import { args, openDemo, pageChainFigures, renderAndWait, runChecks, until } from "./lib.mjs";

const [url, artifacts] = args("chain.mjs", ["URL", "ARTIFACTS_DIR"]);
fs.mkdirSync(artifacts, { recursive: true });
await runChecks("chain", artifacts, async (page, summary) => {
    const { id, token, get } = await openDemo(page, url);
    await page.evaluate(() => setView("mix"));
    const strip = page.locator("#mixer .strip").first();
    await strip.locator("details.comp summary").click();
    await strip.locator(".comp-on").check();
    await strip.locator(".comp-channel").selectOption("side");
    await strip.locator("details.deq summary").click();
    await strip.locator(".add-deq").click();
    await strip.locator(".deq-band .ch-freq-hz").fill("4000");
    await strip.locator("details.mb summary").click();
    await strip.locator(".mb-on").check();
    let s = await until(async () => {
      const s = await get("/session");
      const st = s.stems[0];
      return st.multiband && st.dynamic_eq && st.compressor && st.compressor.channel === "side" ? s : null;
    }) || await get("/session");
    const st = s.stems[0];
    summary.multiband = st.multiband;
    summary.dynamic_eq = st.dynamic_eq;
    summary.comp_channel = st.compressor && st.compressor.channel;
    // The live player plays the strip's whole chain: the kinds of its links.
    summary.live_chain = await until(() => page.evaluate(file => {
      const p = player();
      p.ensureContext();
      const t = p.tracks.get("stem:" + file);
      const kinds = t && t.chain ? t.chain.links.map(f => f.kind) : [];
      return kinds.includes("multiband") ? kinds : null;
    }, st.file));
    // Offline, on white noise: the live multiband's bands (no compression)
    // and the de-esser under its threshold sum flat, and mid/side with
    // nothing on the mid is the input: the output's RMS against the input's.
    summary.live_flat_db = await page.evaluate(async () => {
      const rate = 48000, n = rate;
      const run = async make => {
        const ctx = new OfflineAudioContext(2, n, rate), buf = ctx.createBuffer(2, n, rate);
        let seed = 1;
        for (let c = 0; c < 2; c++) buf.getChannelData(c).forEach((_, i, a) => { seed = (seed * 1103515245 + 12345) % 2147483648; a[i] = (seed / 2147483648 - 0.5) * 0.2; });
        const src = ctx.createBufferSource(), link = make(ctx);
        src.buffer = buf;
        src.connect(link.input);
        link.connect(ctx.destination);
        src.start();
        const out = await ctx.startRendering();
        const rms = b => { let s = 0; for (let c = 0; c < 2; c++) for (const v of b.getChannelData(c).subarray(rate / 10)) s += v * v; return s; };
        return 10 * Math.log10(rms(out) / rms(buf));
      };
      return {
        multiband: await run(ctx => liveMultiband(ctx, { crossovers_hz: [120, 800, 5000], bands: [{ width: 1 }, { width: 1 }, { width: 1 }, { width: 1 }] })),
        de_esser: await run(ctx => liveDeEsser(ctx, { freq_hz: 6000, threshold_db: 0, range_db: 6 })),
        mid_side: await run(ctx => liveMidSide(ctx, "eq", "mid", [])[0]),
        // Bands that leave threshold (0 dBFS) out, on the compressor
        // stand-in (no worklets in this context), under it.
        multiband_stand_in: await run(ctx => liveMultiband(ctx, { crossovers_hz: [250], bands: [{ ratio: 2 }, { ratio: 2 }] })),
      };
    });
    // A crossover under 1.25 × the one below: the server's 422 shows at it.
    await strip.locator(".mb-xo input").nth(1).fill("210");
    await page.waitForSelector("#mixer .strip .field-error");
    summary.field_error = await strip.locator(".field-error").first().textContent();
    summary.field_error_next_to = await strip.locator(".field-error").first().evaluate(e => e.previousElementSibling.querySelector("input").dataset.field);
    await page.screenshot({ path: path.join(artifacts, "chain-mix-390.png"), fullPage: true });
    await strip.locator(".mb-xo input").nth(1).fill("2500");
    summary.error_cleared = await until(async () => await page.locator(".field-error").count() === 0 &&
      (await get("/session")).stems[0].multiband.crossovers_hz[1] === 2500);
    await page.evaluate(() => setView("master"));
    await page.locator(".mb-on").last().check(); // master multiband
    s = await until(async () => { const s = await get("/session"); return s.master && s.master.multiband ? s : null; }) || await get("/session");
    summary.master_multiband_bands = s.master.multiband && s.master.multiband.bands.length;
    summary.scroll_width = await page.evaluate(() => document.documentElement.scrollWidth);
    // The five steps on one row (a step alone on a second row reads as
    // something apart).
    summary.step_rows = await page.$$eval("#views a", as => new Set(as.map(a => a.getBoundingClientRect().top)).size);
    await page.screenshot({ path: path.join(artifacts, "chain-master-390.png"), fullPage: true });
    ({ state: summary.render, error: summary.render_error } = await renderAndWait(url, id, token, page));
    // The plain limiter's report: which stems caused its reduction and the
    // per-stem figures show on the results as report.json has them.
    summary.report = (await get("")).report;
    await page.evaluate(() => setView("results"));
    await page.waitForSelector("#chain-figures .lim-gr");
    summary.page_report = await page.evaluate(pageChainFigures);
    // The A/B player's "before" plays the stems through their strips: its
    // level is the render's stem sum (after the strips), not the sum at
    // the faders the server measures with the strips left out.
    summary.ab_levels = await until(() => page.evaluate(() => {
      const rep = (state.revisions || []).find(r => r.current);
      const t = document.querySelector("#ab-levels").textContent;
      const sum = rep && rep.report && rep.report.sum && rep.report.sum.integrated_lufs;
      return typeof sum === "number" && t.includes("stems at your mix " + fmtNum(sum)) && state.sumMeasured ? { text: t, sum: fmtNum(sum), faders: fmtNum(state.sumMeasured.lufs) } : null;
    }), 30_000) || await page.evaluate(() => ({ text: document.querySelector("#ab-levels").textContent }));
    // The tone match shows read-only and can be removed.
    s = await get("/session");
    s.master.match_eq = [{ freq_hz: 31.5, gain_db: 1 }, { freq_hz: 1000, gain_db: 0 }, { freq_hz: 10000, gain_db: -1.5 }];
    const put = await fetch(url + "/api/projects/" + id + "/session", { method: "PUT", headers: { Authorization: "Bearer " + token, "Content-Type": "application/json" }, body: JSON.stringify(s) });
    summary.match_put = put.status;
    await page.reload();
    await page.waitForFunction(() => state.session && state.session.master && state.session.master.match_eq);
    await page.evaluate(() => setView("master"));
    summary.match_summary = await page.locator(".match-summary").textContent();
    await page.click(".remove-match");
    summary.match_removed = await until(async () => !(await get("/session")).master.match_eq);
});
