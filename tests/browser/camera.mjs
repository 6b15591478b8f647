// A phone's camera as a scanner, in Debian's headless Chromium with a fake camera playing a
// video made from our own label PNGs (tests/oracles/camera_video.py).
// Usage: node camera.mjs BASE_URL BENCH NAME PASSWORD VIDEO.y4m READS SCREENSHOT.png
// Signs in, opens the bench's page, starts the camera, and prints `ANSWER {json}` for each
// read the page sent (the station's answer), until READS answers; then `DONE`.
import { chromium } from "playwright-core";

const [base, bench, name, password, video, reads, screenshot] = process.argv.slice(2);

function check(condition, message) {
  if (!condition) throw new Error(message);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
    `--use-file-for-fake-video-capture=${video}`],
});
try {
  const context = await browser.newContext({ viewport: { width: 412, height: 915 }, isMobile: true, hasTouch: true });
  await context.grantPermissions(["camera"], { origin: base });
  const page = await context.newPage();
  // nothing but the station is asked for anything (the decoder is the station's own)
  const elsewhere = [];
  page.on("request", (r) => { if (!r.url().startsWith(base)) elsewhere.push(r.url()); });
  page.on("console", (m) => console.error("PAGE " + m.text()));
  let wasm = null;
  const answers = [];
  page.on("response", async (r) => {
    if (r.url().includes("/zxing_reader.wasm")) wasm = { status: r.status(), encoding: (await r.allHeaders())["content-encoding"] };
    if (r.url().endsWith("/api/scan") && r.request().method() === "POST") {
      const sent = JSON.parse(r.request().postData());
      const answer = await r.json();
      answers.push(answer);
      console.log("ANSWER " + JSON.stringify({ sent, status: r.status(), answer }));
    }
  });

  // signed out, the page offers to sign in first
  await page.goto(`${base}/bench/${bench}`);
  const button = page.locator("#camera-button");
  await button.filter({ hasText: "Sign in to scan with the camera" }).waitFor({ timeout: 15000 });
  await button.click();
  await page.waitForURL(/\/login/);
  await page.fill("input[name=name]", name);
  await page.fill("input[name=password]", password);
  await Promise.all([page.waitForURL(new RegExp(`/bench/${bench}$`)), page.click("form[action='/login'] button")]);

  await button.filter({ hasText: "Scan with camera" }).waitFor({ timeout: 15000 });
  await button.click();
  await page.locator("#camera-status", { hasText: "Hold a code" }).waitFor({ timeout: 30000 });
  const deadline = Date.now() + 60000;
  while (answers.length < Number(reads) && Date.now() < deadline) {
    await page.waitForTimeout(100);
  }
  check(answers.length >= Number(reads), `only ${answers.length} of ${reads} reads answered`);
  await page.screenshot({ path: screenshot });
  await button.click();
  await page.locator("#camera").waitFor({ state: "hidden", timeout: 5000 });
  check(wasm && wasm.status === 200 && wasm.encoding === "gzip", `the decoder from the station: ${JSON.stringify(wasm)}`);
  check(elsewhere.length === 0, `asked elsewhere: ${elsewhere.join(" ")}`);
  // the answers show on the phone as on the bench's screen
  const last = await page.locator("#last").textContent();
  console.log("LAST " + last);
  console.log("DONE");
} finally {
  await browser.close();
}
