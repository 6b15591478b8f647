// Drives the station screen in Debian's headless Chromium through playwright-core.
// Usage: node screen.mjs BASE_URL BENCH SCREENSHOT.png
// It talks with the Rust test over stdin/stdout: it prints `STEP name` when it needs the
// test to do something (scan on stdin, change the scale) and waits for a line `go`.
import { chromium } from "playwright-core";
import { createInterface } from "node:readline";
import { dirname, join } from "node:path";

const [base, bench, screenshot] = process.argv.slice(2);
const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();

async function step(name) {
  console.log(`STEP ${name}`);
  const { value, done } = await lines.next();
  if (done || value.trim() !== "go") throw new Error(`no go for ${name}: ${value}`);
}

function check(condition, message) {
  if (!condition) throw new Error(message);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
try {
  const page = await browser.newPage({ viewport: { width: 1024, height: 768 } });
  await page.goto(`${base}/bench/${bench}`);
  const prompt = page.locator("#prompt");
  await prompt.filter({ hasText: "scan @RECEIVE, @MAKE, @PACK or @WASTE" }).waitFor({ timeout: 15000 });
  console.log("PROMPT " + (await prompt.textContent()));

  // a scan from the stdin scanner changes the prompt without a reload
  await step("stdin @RECEIVE");
  await prompt.filter({ hasText: "scan the supplier card" }).waitFor({ timeout: 15000 });
  console.log("PROMPT " + (await prompt.textContent()));

  // a refused scan shows in red, with its reason
  await step("api SUP:NOBODY");
  const last = page.locator("#last.error");
  await last.waitFor({ timeout: 15000 });
  const text = await last.textContent();
  check(text.includes("REFUSED") && text.includes("unknown supplier NOBODY"), `error banner: ${text}`);
  const colour = await last.evaluate((el) => getComputedStyle(el).backgroundColor);
  check(colour === "rgb(196, 13, 30)", `the error is red, not ${colour}`);
  console.log("ERROR " + text);

  // an accepted scan from the API
  await step("api SUP:BRAMBLE");
  await page.locator("#last.ok").waitFor({ timeout: 15000 });
  await prompt.filter({ hasText: "invoice number" }).waitFor({ timeout: 15000 });
  console.log("PROMPT " + (await prompt.textContent()));

  // the weight follows the scale
  await step("scale 123.45 moving");
  await page.locator("#weight", { hasText: "123.45 g" }).waitFor({ timeout: 15000 });
  await page.locator("#weight-state.unstable").waitFor({ timeout: 15000 });
  await step("scale 321.5 stable");
  await page.locator("#weight", { hasText: "321.5 g" }).waitFor({ timeout: 15000 });
  await page.locator("#weight-state.stable").waitFor({ timeout: 15000 });
  console.log("WEIGHT " + (await page.locator("#weight").textContent()));

  // the packing view: the order's customer by name, each order line with what is in this
  // box and what shipped before, then the box itself
  await step("pack order 1001");
  const title = page.locator("#doc-title");
  await title.filter({ hasText: "Order 1001 for Jo Smith (C001)" }).waitFor({ timeout: 15000 });
  const docLines = page.locator("#doc-lines");
  await docLines.filter({ hasText: "SOAP: 2 ordered, 1 in this box, 0 shipped before" }).waitFor({ timeout: 15000 });
  await docLines.filter({ hasText: "box: 1 × MFG-0001 (SOAP)" }).waitFor({ timeout: 15000 });
  console.log("PACKING " + (await title.textContent()) + " | " + (await docLines.textContent()));
  // the batch's label, printed at its @DONE, shown as the printer draws it
  await page.waitForFunction(() => {
    const img = document.getElementById("last-label");
    return img && !img.hidden && img.complete && img.naturalWidth > 0 && img.alt.includes("batch MFG-0001");
  }, null, { timeout: 15000 });
  console.log("LABEL " + (await page.locator("#last-label").getAttribute("alt")));

  // the making view: the batch, its product and its yield
  await step("make soap");
  await title.filter({ hasText: "Batch MFG-0002: Lavender soap bar (SOAP)" }).waitFor({ timeout: 15000 });
  await docLines.filter({ hasText: "yield 6" }).waitFor({ timeout: 15000 });
  // its recipe scaled to the plan (the first yield): target, weighed, difference
  await docLines.filter({ hasText: "OLIVE: 1.5 kg planned, 0 kg weighed, 1.5 kg short" }).waitFor({ timeout: 15000 });
  await docLines.filter({ hasText: "LYE: 200 g planned, 0 g weighed, 200 g short" }).waitFor({ timeout: 15000 });
  console.log("MAKING " + (await title.textContent()) + " | " + (await docLines.textContent()));

  await page.screenshot({ path: screenshot, fullPage: true });

  // what must be seen without scrolling on a 7-inch display and on a tablet: the prompt,
  // the last answer (whatever its colour) and the open document, in type readable from two
  // metres; a screenshot of each for people to look at
  const shots = dirname(screenshot);
  async function fits(what) {
    for (const [width, height] of [[800, 480], [1280, 800]]) {
      await page.setViewportSize({ width, height });
      await page.evaluate(() => window.scrollTo(0, 0));
      for (const id of ["prompt", "last", "doc-title", "parked"]) {
        const el = page.locator("#" + id);
        if (!(await el.isVisible())) continue;
        const box = await el.boundingBox();
        check(box && box.y >= 0 && box.y + box.height <= height && box.x >= 0 && box.x + box.width <= width,
          `${what} at ${width}×${height}: #${id} is not all on screen: ${JSON.stringify(box)}`);
      }
      const px = async (id) => parseFloat(await page.locator("#" + id).evaluate((el) => getComputedStyle(el).fontSize));
      check(await px("prompt") >= 28, `${what} at ${width}×${height}: the prompt's type is ${await px("prompt")} px`);
      check(await px("last") >= 22, `${what} at ${width}×${height}: the answer's type is ${await px("last")} px`);
      await page.screenshot({ path: join(shots, `screen-${width}x${height}-${what}.png`) });
      console.log(`FITS ${what} ${width}x${height}`);
    }
  }

  // a probable mistake: amber, nothing recorded, waiting for the same scan or @OK
  await step("api @YIELD:60");
  const warned = page.locator("#last.warning");
  await warned.waitFor({ timeout: 15000 });
  const warning = await warned.textContent();
  check(warning.startsWith("WARNING") && warning.includes("far from the plan"), `warning banner: ${warning}`);
  const amber = await warned.evaluate((el) => getComputedStyle(el).backgroundColor);
  check(amber === "rgb(255, 176, 0)", `the warning is amber, not ${amber}`);
  await prompt.filter({ hasText: "@OK" }).waitFor({ timeout: 15000 });
  await page.locator("#scans li.warning").first().waitFor({ timeout: 15000 });
  console.log("WARNING " + warning);
  await fits("warning");

  // a refusal: the full-width red banner
  await step("api SUP:NOBODY");
  await page.locator("#last.error", { hasText: "supplier NOBODY does not apply" }).waitFor({ timeout: 15000 });
  const banner = await page.locator("#last").boundingBox();
  const main = await page.locator("main").boundingBox();
  check(banner.width >= main.width - 48, `the refusal spans the screen: ${banner.width} of ${main.width}`);
  await fits("refusal");

  // the batch set aside for packing: parked, shown with what resumes it
  await step("api @PACK");
  await page.locator("#parked", { hasText: "batch MFG-0002 (scan MFG-0002)" }).waitFor({ timeout: 15000 });
  console.log("PARKED " + (await page.locator("#parked").textContent()));
  await fits("parked");
  console.log("DONE");
} finally {
  await browser.close();
}
// the stdin reader would keep node alive
process.exit(0);
