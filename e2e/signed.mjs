// signed.mjs: the page's download of a master from a server whose files
// live on S3 (scripts/scaleout.sh). With the store's public endpoint set
// (S3_PUBLIC: --blobs' public_endpoint) the output says its link is
// direct: the page asks for the signed link and the browser follows it to
// the store, saving the file under the store's name for it; without it the
// page never asks (the store's endpoint may be internal) and reads the
// file through the server.
//
//   node e2e/signed.mjs URL PROJECT TOKEN ARTIFACTS
//
// TestSignedDownload (signed_test.go) runs it both ways on versitygw.
//
// prints one JSON line: the ?signed=1 requests the page made, the URL the
// download came from (the store's, or the page's blob: URL), the name the
// browser saved it under, its size and the status line.
import fs from "node:fs";
import path from "node:path";
import { args, launch } from "./lib.mjs";

const [url, id, token, artifacts] = args("signed.mjs", ["url", "project", "token", "artifacts"]);
const { page, close } = await launch("signed", { acceptDownloads: true });
const summary = { asked: [], errors: [] };
page.on("request", r => {
  const u = new URL(r.url());
  if (u.searchParams.get("signed") === "1") summary.asked.push(u.pathname);
});
page.on("pageerror", e => summary.errors.push(String(e)));
try {
  await page.goto(url + "/#p=" + id + "&t=" + token + "&v=results");
  const button = '#downloads button.download[data-name="main.wav"]';
  await page.waitForSelector(button);
  const [d] = await Promise.all([page.waitForEvent("download"), page.click(button)]);
  const saved = path.join(artifacts, "signed-download.wav");
  await d.saveAs(saved);
  summary.from = d.url();
  summary.name = d.suggestedFilename();
  summary.size = fs.statSync(saved).size;
  summary.saved = saved;
  summary.status = await page.$eval("#status", s => s.textContent);
} catch (e) {
  summary.error = String(e);
  await page.screenshot({ path: path.join(artifacts, "signed-failure.png"), fullPage: true }).catch(() => {});
}
await close();
console.log(JSON.stringify(summary));
