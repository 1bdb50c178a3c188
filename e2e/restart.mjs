// The server killed while the page is idle, then mid-render, and started
// again on the same data each time. Idle, the page says within seconds
// that the server cannot be reached, asks less often the longer it lasts,
// keeps what the musician changes meanwhile and saves it once the server
// answers again. Mid-render, it says the server cannot be reached while it is down, then that the
// worker is silent (the render starts again by itself), and ends on the
// master's results with nothing lost. It runs the server itself (BIN on
// PORT with DATA_DIR), to kill and start it.
//
//   node restart.mjs BIN PORT DATA_DIR ARTIFACTS_DIR
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { args, axeChecker, launch, runChecks, sleep, until, wav } from "./lib.mjs";

const [bin, port, data, artifacts] = args("restart.mjs", ["BIN", "PORT", "DATA_DIR", "ARTIFACTS_DIR"]);
const step = msg => console.error(`[restart ${new Date().toISOString().slice(11, 19)}] ${msg}`);
const url = "http://127.0.0.1:" + port;
fs.mkdirSync(artifacts, { recursive: true });

let server = null;
// start runs the server and waits until it answers. A lease of 15 s: the
// killed render's worker is taken for dead 15 s after its last heartbeat.
async function start() {
  server = spawn(bin, ["serve", "--addr", "127.0.0.1:" + port, "--data", data, "--job-lease", "15s"],
    { stdio: ["ignore", "ignore", "inherit"], env: { ...process.env, STEMMASTER_FAULT_DELAY: "render-started*=4s" } });
  if (!(await until(() => fetch(url + "/").then(r => r.ok, () => false), 30_000))) throw new Error("the server did not start");
}
process.on("exit", () => server && server.kill("SIGKILL"));
for (const sig of ["SIGTERM", "SIGINT"]) process.on(sig, () => process.exit(1));

await runChecks("restart", artifacts, async (page, s) => {
  await start();
  const created = await (await fetch(url + "/api/projects", { method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" })).json();
  const auth = { Authorization: "Bearer " + created.token };
  for (const [i, name] of ["drums.wav", "bass.wav"].entries()) {
    const form = new FormData();
    form.append("file", new Blob([wav(6, i ? 0.9 : 0, i + 1)]), name);
    const r = await fetch(url + "/api/projects/" + created.id + "/stems", { method: "POST", headers: auth, body: form });
    if (!r.ok) throw new Error("upload " + name + ": " + r.status);
  }
  await page.goto(url + "/#p=" + created.id + "&t=" + created.token + "&v=master");
  await page.waitForFunction(() => state.session && state.session.stems.length === 2 && state.view === "master");
  s.axe = [];
  const axe = axeChecker(page, artifacts, s.axe);
  await axe("idle-open");

  step("the server killed while the page is idle");
  const asked = [];
  page.on("request", r => { if (r.url().includes("/api/projects/")) asked.push(Date.now()); });
  server.kill("SIGKILL");
  await new Promise(r => server.once("exit", r));
  const gone = Date.now();
  // What the header shows (innerText: what is not hidden).
  const said = () => page.evaluate(() => $("header").innerText);
  await page.waitForFunction(() => /cannot be reached/.test($("header").innerText), null, { timeout: 20_000 }).catch(() => {});
  s.idle = { saidAfterMs: Date.now() - gone, said: await said() };
  await axe("idle-away");
  // What the musician does meanwhile: a title typed, a target chosen.
  const target = await page.evaluate(() => [...$("#target").options].map(o => o.value).find(v => v !== $("#target").value && v !== "custom" && v !== "none"));
  await page.fill("#song-title", "Kept while away");
  await page.selectOption("#target", target);
  await sleep(Math.max(0, gone + 25_000 - Date.now()));
  s.idle.asked = asked.filter(t => t >= gone).length;
  step("started again after " + Math.round((Date.now() - gone) / 1000) + " s, " + s.idle.asked + " requests meanwhile");
  await start();
  const back = Date.now();
  await page.waitForFunction(() => /The server answers again/.test($("header").innerText), null, { timeout: 45_000 }).catch(() => {});
  s.idle.backAfterMs = Date.now() - back;
  s.idle.back = await said();
  await axe("idle-back");
  const get = async p => (await fetch(url + "/api/projects/" + created.id + p, { headers: auth })).json();
  await until(async () => (await get("/title")).title === "Kept while away" && ((await get("/session")).master || {}).target?.preset === target, 15_000);
  s.idle.title = (await get("/title")).title;
  s.idle.target = [((await get("/session")).master || {}).target?.preset, target];

  // Two noise stems and no mix: nothing gates the master.
  await page.click("#run-render");
  await page.waitForFunction(() => /running/.test($("#render-stage").textContent));
  step("the server killed mid-render");
  server.kill("SIGKILL");
  await new Promise(r => server.once("exit", r));
  await page.waitForFunction(() => /cannot be reached/.test($("#render-stage").textContent), null, { timeout: 30_000 });
  s.down = { stage: await page.locator("#render-stage").textContent(), status: await page.locator("#status").textContent() };
  await page.screenshot({ path: path.join(artifacts, "down.png") });
  await sleep(1000);
  step("started again");
  await start();
  await page.waitForFunction(() => /no word from the server's worker/.test($("#render-stage").textContent) || state.view === "results", null, { timeout: 60_000 });
  s.silent = await page.locator("#render-stage").textContent();
  s.back = await page.locator("#status").textContent();
  await page.screenshot({ path: path.join(artifacts, "silent.png") });
  await page.waitForFunction(() => state.view === "results" && $$("#downloads button").length > 0, null, { timeout: 120_000 });
  s.done = await page.locator("#status").textContent();
  await page.waitForFunction(() => $$("#revision-table tbody tr").length > 0, null, { timeout: 30_000 }).catch(() => {});
  s.revisions = await page.locator("#revision-table tbody tr").count();
  await page.screenshot({ path: path.join(artifacts, "done.png") });

  step("the client comes back in another browser (nothing stored) after the restart");
  const other = await launch("restart-other");
  try {
    const axe2 = axeChecker(other.page, artifacts, s.axe);
    await other.page.goto(url + "/#p=" + created.id + "&t=" + created.token);
    await other.page.waitForFunction(() => state.project && $$("#downloads button").length > 0, null, { timeout: 60_000 });
    s.returning = { view: await other.page.evaluate(() => state.view), kept: await other.page.locator("#project-link").textContent() };
    await axe2("returning");
    // A project past its retention (no project of that id any more),
    // its link opened afresh (from the open page, the page would ask
    // first whether to leave the project open).
    await other.page.goto("about:blank");
    await other.page.goto(url + "/#p=" + "0".repeat(32) + "&t=" + "0".repeat(64));
    await other.page.waitForFunction(() => /gone/.test($("#status").textContent), null, { timeout: 30_000 }).catch(() => {});
    s.returning.gone = await other.page.locator("#status").textContent();
    // The page stops asking for the project gone.
    const after = [];
    other.page.on("request", r => { if (r.url().includes("/api/projects/" + "0".repeat(32))) after.push(r.url()); });
    await sleep(9000);
    s.returning.askedAfter = after.length;
    await axe2("gone");
  } finally {
    await other.close();
  }
});
// The server holds the script's standard error (and with it the test's
// pipe) until it ends.
server.kill("SIGKILL");
process.exit(0);
