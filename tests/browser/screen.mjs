// Drives the station screen in Debian's headless Chromium through playwright-core.
// Usage: node screen.mjs BASE_URL BENCH SCREENSHOT.png
// It talks with the Rust test over stdin/stdout: it prints `STEP name` when it needs the
// test to do something (scan on stdin, change the scale) and waits for a line `go`.
import { chromium } from "playwright-core";
import { createInterface } from "node:readline";

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

  await page.screenshot({ path: screenshot, fullPage: true });
  console.log("DONE");
} finally {
  await browser.close();
}
// the stdin reader would keep node alive
process.exit(0);
