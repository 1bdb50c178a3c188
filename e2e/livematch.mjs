// The live player against the render, one processor at a time: the demo
// project with no loudness target (a fixed gain of 0 dB, the limiter's
// ceiling at 0 dBTP) and a single processor set on the master section or
// the lead's strip, rendered by the server, and the same settings run
// through the live graph offline (livemaster.js analyseAhead's chain
// level: the master chain's output at no gain). The Go test holds each
// pair within a tolerance. The last line printed is a JSON summary.
//
//   node livematch.mjs URL ARTIFACTS_DIR
import fs from "node:fs";
import { args, openDemo, renderAndWait, runChecks, until } from "./lib.mjs";

const [url, artifacts] = args("livematch.mjs", ["URL", "ARTIFACTS_DIR"]);
fs.mkdirSync(artifacts, { recursive: true });

// The settings, each alone: on the master section (master) or the lead
// vocal's strip (stem).
const settings = {
  none: {},
  master_eq_shelf: { master: { eq: [{ type: "low_shelf", freq_hz: 150, gain_db: 4 }] } },
  master_eq_mid: { master: { eq: [{ type: "peak", freq_hz: 2000, gain_db: 4, q: 1, channel: "mid" }] } },
  master_eq_side: { master: { eq: [{ type: "high_shelf", freq_hz: 5000, gain_db: 6, channel: "side" }] } },
  master_compressor: { master: { compressor: { threshold_db: -24, ratio: 3, attack_ms: 10, release_ms: 120, makeup_db: 4 } } },
  master_compressor_mid: { master: { compressor: { threshold_db: -24, ratio: 3, attack_ms: 10, release_ms: 120, makeup_db: 4, channel: "mid" } } },
  master_multiband: { master: { multiband: { crossovers_hz: [120, 1000, 6000], bands: [{ ratio: 3, threshold_db: -26, makeup_db: 2 }, { ratio: 2, threshold_db: -24 }, { ratio: 2, threshold_db: -30 }, { ratio: 3, threshold_db: -34 }] } } },
  master_width: { master: { width: 1.6 } },
  master_saturation_soft: { master: { saturation: { drive_db: 8, output_db: -6, character: "soft" } } },
  master_saturation_warm: { master: { saturation: { drive_db: 8, output_db: -6, character: "warm" } } },
  master_saturation_cubic: { master: { saturation: { drive_db: 8, output_db: -6, character: "cubic" } } },
  strip_de_esser: { stem: { de_esser: { freq_hz: 6000, threshold_db: -40, range_db: 10 } } },
  strip_dynamic_eq: { stem: { dynamic_eq: [{ freq_hz: 300, q: 1, threshold_db: -40, ratio: 4, range_db: 8 }] } },
  strip_multiband: { stem: { multiband: { crossovers_hz: [200, 3000], bands: [{ ratio: 4, threshold_db: -30, makeup_db: 3 }, { ratio: 3, threshold_db: -30 }, { ratio: 2, threshold_db: -36 }] } } },
  strip_compressor: { stem: { compressor: { threshold_db: -30, ratio: 4, attack_ms: 5, release_ms: 100, makeup_db: 6 } } },
  strip_compressor_side: { stem: { compressor: { threshold_db: -36, ratio: 4, makeup_db: 6, channel: "side" } } },
  strip_width: { stem: { width: 0 } },
};

await runChecks("livematch", artifacts, async (page, summary) => {
  const { id, token, get } = await openDemo(page, url);
  await page.evaluate(() => setView("master"));
  await page.evaluate(() => ensureStreams());
  summary.rows = [];
  for (const [name, c] of Object.entries(settings)) {
    // The settings saved before the render (the page's save waits for
    // the controls to rest: this one is sent at once).
    await page.evaluate(async c => {
      const s = state.session;
      for (const st of s.stems) for (const k of ["compressor", "de_esser", "dynamic_eq", "multiband", "width", "eq"]) delete st[k];
      s.master = Object.assign({ target: "none", limiter: { ceiling_dbtp: 0 } }, c.master || {});
      Object.assign(s.stems.find(x => /lead/.test(x.file)) || s.stems[0], c.stem || {});
      renderMaster();
      clearTimeout(state.saveTimer);
      await api("PUT", projectPath("/session"), sessionToSend());
    }, c);
    const r = await renderAndWait(url, id, token, page);
    const rep = (await get("")).report || {};
    const live = await page.evaluate(async () => {
      updatePlayerParams();
      const m = liveMasterParams(state.session.master, beforeLUFS(), "main", null);
      const a = await analyseAhead(player(), Object.assign({}, m, { target_lufs: -14 }));
      return a && a.level_lufs;
    });
    const master = rep.master || {};
    summary.rows.push({ name, settings: JSON.stringify(c), render: r.state, render_lufs: master.main ? master.main.integrated_lufs : null,
      render_limiter_db: master.limiter ? master.limiter.max_db : null, live_lufs: live });
    console.error(name, JSON.stringify(summary.rows[summary.rows.length - 1]));
  }
});
