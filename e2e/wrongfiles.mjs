// The wrong things a musician drops on the Stems box: a zip of the stems,
// a video, a file still empty (the DAW has not written it yet), two
// files of one name from two folders, and a stem sent again under its
// name. Each is named with what to do, and refused before a byte is sent.
// Then a folder dragged in: its audio files are sent; and a file dropped
// beside a folder is sent with the folder's. axe-core runs at each step.
//
//   node wrongfiles.mjs URL ARTIFACTS_DIR
import fs from "node:fs";
import { args, axeChecker, runChecks, wav } from "./lib.mjs";

const [url, artifacts] = args("wrongfiles.mjs", ["URL", "ARTIFACTS_DIR"]);
fs.mkdirSync(artifacts, { recursive: true });

await runChecks("wrongfiles", artifacts, async (page, s) => {
  s.axe = [];
  const axe = axeChecker(page, artifacts, s.axe);
  await page.goto(url);
  await page.click("#new-project");
  await page.waitForFunction(() => /p=.*t=/.test(location.hash) && state.project);
  let posts = 0;
  page.on("request", r => { if (r.method() === "POST" && /\/stems$/.test(r.url())) posts++; });
  const zip = Buffer.concat([Buffer.from("PK\x03\x04"), wav(0.5, 0, 1)]);
  await page.setInputFiles("#stem-input", [
    { name: "stems.zip", mimeType: "application/zip", buffer: zip },
    { name: "session video.mp4", mimeType: "video/mp4", buffer: Buffer.alloc(4096, 1) },
    { name: "bass.wav", mimeType: "audio/wav", buffer: Buffer.alloc(0) },
    { name: "twin.wav", mimeType: "audio/wav", buffer: wav(1, 0, 2) },
    { name: "twin.wav", mimeType: "audio/wav", buffer: wav(1, 0.9, 3) },
  ]);
  await page.waitForFunction(() => state.project && state.project.stems.length === 1 && !state.scope.uploads.size);
  s.refused = await page.$$eval("#upload-list li.failed", lis => lis.map(li => li.textContent));
  s.posts = posts;
  await axe("wrong-1-refused");
  // The twin sent again, on its own: it replaces the one in the project.
  await page.setInputFiles("#stem-input", [{ name: "twin.wav", mimeType: "audio/wav", buffer: wav(1, 0.5, 4) }]);
  await page.waitForFunction(() => /replaced/.test($("#status").textContent) || $$("#upload-list li").length > 6);
  s.replaced = { line: await page.$$eval("#upload-list li.done", lis => lis.map(li => li.textContent).pop()), status: await page.$eval("#status", e => e.textContent) };
  s.stems = await page.evaluate(() => state.project.stems.map(f => f.name));
  await axe("wrong-2-replaced");
  // A folder dragged in: its audio files go, subfolders too, the rest is
  // named. A drop's folder entries (the browser's FileSystemEntry) cannot
  // be made in a test: the drop here hands the page objects of their
  // shape (isDirectory, createReader().readEntries in batches, file()).
  await page.evaluate(([a, b]) => {
    const bytes = s => Uint8Array.from(atob(s), c => c.charCodeAt(0));
    const file = (name, data) => ({ isDirectory: false, name, file: ok => ok(new File([data], name)) });
    const dir = (name, kids) => {
      const batches = [kids.slice(0, 2), kids.slice(2), []];
      return { isDirectory: true, name, createReader: () => ({ readEntries: ok => setTimeout(() => ok(batches.shift() || []), 0) }) };
    };
    const root = dir("Stems", [file("kick.wav", bytes(a)), file(".DS_Store", "x"), file("notes.txt", "mix notes"), dir("more", [file("snare.wav", bytes(b))])]);
    const ev = new Event("drop", { bubbles: true, cancelable: true });
    Object.defineProperty(ev, "dataTransfer", { value: { types: ["Files"], items: [{ webkitGetAsEntry: () => root }], files: [new File([], "Stems")] } });
    $("#stem-drop").dispatchEvent(ev);
  }, [wav(1, 0.2, 5).toString("base64"), wav(1, 0.7, 6).toString("base64")]);
  await page.waitForFunction(() => state.project.stems.length === 3 && !state.scope.uploads.size && /folder/.test($("#status").textContent));
  s.folder = { stems: await page.evaluate(() => state.project.stems.map(f => f.name).sort()), status: await page.$eval("#status", e => e.textContent) };
  await axe("wrong-3-folder");
  // A folder and a file beside it, the file after it: a browser's drop
  // hands out its files only while the drop event runs (the drag data
  // store is protected after it, files and items empty), and the folder's
  // walk awaits, so the file is read before it.
  await page.evaluate(([a, b]) => {
    const bytes = s => Uint8Array.from(atob(s), c => c.charCodeAt(0));
    const pad = { isDirectory: false, name: "pad.wav", file: ok => ok(new File([bytes(a)], "pad.wav")) };
    let read = false; // one batch, then the empty one that ends it
    const take = { isDirectory: true, name: "Take 2", createReader: () => ({ readEntries: ok => setTimeout(() => { ok(read ? [] : [pad]); read = true; }, 0) }) };
    const hat = new File([bytes(b)], "hat.wav");
    let live = true;
    const dt = { types: ["Files"] };
    Object.defineProperty(dt, "items", { get: () => live ? [{ webkitGetAsEntry: () => take }, { webkitGetAsEntry: () => ({ isDirectory: false, name: "hat.wav" }) }] : [] });
    Object.defineProperty(dt, "files", { get: () => live ? [new File([], "Take 2"), hat] : [] });
    const ev = new Event("drop", { bubbles: true, cancelable: true });
    Object.defineProperty(ev, "dataTransfer", { value: dt });
    $("#stem-drop").dispatchEvent(ev);
    live = false;
  }, [wav(1, 0.3, 7).toString("base64"), wav(1, 0.8, 8).toString("base64")]);
  await page.waitForFunction(() => !state.scope.uploads.size && /Uploaded|folder/.test($("#status").textContent) && state.project.stems.length >= 4, null, { timeout: 15000 }).catch(() => {});
  s.beside = await page.evaluate(() => state.project.stems.map(f => f.name).sort());
});
