// A short browser check of the Suggest panel's references (suggest.js) in
// a stereo project: a reference added through the page lands on the
// server with the weight set on the page, the assistant's suggestion says
// it matched it and carries a master match EQ, using it saves a session
// that masters the mix alone, and removing the reference empties the
// server's list. The last line printed is a JSON summary.
//
//   node reference.mjs URL ARTIFACTS_DIR
import fs from "node:fs";
import path from "node:path";
import { args, runChecks, until, wav } from "./lib.mjs";

const [url, artifacts] = args("reference.mjs", ["URL", "ARTIFACTS_DIR"]);
fs.mkdirSync(artifacts, { recursive: true });

await runChecks("reference", artifacts, async (page, summary) => {
    // A stereo project: the mix alone, uploaded through the API.
    const created = await (await fetch(url + "/api/projects", { method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" })).json();
    const id = created.id, token = created.token;
    const auth = { Authorization: "Bearer " + token };
    const get = async p => (await fetch(url + "/api/projects/" + id + p, { headers: auth })).json();
    const form = new FormData();
    form.append("file", new Blob([wav(4, 0.6, 1)], { type: "audio/wav" }), "mix.wav");
    const up = await fetch(url + "/api/projects/" + id + "/mix", { method: "POST", headers: auth, body: form });
    summary.mix_upload = up.status;

    await page.goto(url + "/#p=" + id + "&t=" + token + "&v=mix");
    await page.waitForFunction(() => state.project && state.project.mix);
    await page.setInputFiles("#reference-file", { name: "bright.wav", mimeType: "audio/wav", buffer: wav(4, 0, 2) });
    await page.waitForSelector('#reference-list li[data-name="bright.wav"]');
    const weight = page.locator('#reference-list li[data-name="bright.wav"] .reference-weight');
    await weight.fill("2");
    await weight.dispatchEvent("change");
    let refs = [];
    await until(async () => { refs = (await get("/references")).references; return refs.length === 1 && refs[0].weight === 2; });
    summary.server_references = refs;
    summary.project_stems = (await get("")).stems.length;

    summary.match_shown = await page.locator("#suggest-match").isVisible();
    // The project is not checked yet, so the page reads it again once the
    // suggestion comes (the check it kept); that read fails here: the
    // suggestion must still be shown, and the failure said beside it.
    let suggested = false, projectReadsFailed = 0;
    const onResponse = r => { if (r.request().method() === "POST" && r.url().includes("/suggest")) suggested = true; };
    page.on("response", onResponse);
    const projectURL = u => new URL(u).pathname === "/api/projects/" + id;
    const failRead = route => {
        if (!suggested || route.request().method() !== "GET") return route.continue();
        projectReadsFailed++;
        return route.fulfill({ status: 500, contentType: "application/json", body: JSON.stringify({ error: { code: "e2e_refused", message: "the project cannot be read (e2e)" } }) });
    };
    await page.route(projectURL, failRead);
    await page.click("#run-suggest");
    await page.waitForFunction(() => !$("#status").textContent.includes("analysing"), null, { timeout: 300_000 });
    summary.failed_reload = {
        reads_failed: projectReadsFailed,
        shown: await page.locator("#suggest-result").isVisible(),
        status: await page.locator("#status").textContent(),
    };
    await page.unroute(projectURL, failRead);
    page.off("response", onResponse);
    // The suggestion has come by now: shown, or never.
    await page.waitForSelector("#suggest-result:not([hidden])", { timeout: 10_000 });
    summary.family_line = await page.locator("#suggest-family").textContent();
    summary.paths = await page.$$eval("#suggest-decisions tr:not(.reason)", trs => trs.map(tr => tr.dataset.path));
    summary.wheres = await page.locator("#suggest-decisions tr:not(.reason) td:first-child").allTextContents();
    summary.scroll_width = await page.evaluate(() => document.documentElement.scrollWidth);
    await page.screenshot({ path: path.join(artifacts, "reference-390.png"), fullPage: true });
    await page.click("#use-suggest");
    let s = {};
    await until(async () => { s = await get("/session"); return s.master && s.master.match_eq; });
    summary.session_stems = (s.stems || []).map(x => x.file);
    summary.session_match_points = s.master && s.master.match_eq ? s.master.match_eq.length : 0;

    await page.click('#reference-list li[data-name="bright.wav"] .remove-reference');
    await page.waitForSelector('#reference-list li[data-name="bright.wav"]', { state: "detached" });
    summary.after_remove = (await get("/references")).references.length;
});
