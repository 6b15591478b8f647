// A phone's camera as a scanner, in Debian's headless Chromium with a fake camera playing a
// video made from our own label PNGs (tests/oracles/camera_video.py).
// Usage: node camera.mjs BASE_URL BENCH NAME PASSWORD VIDEO.y4m READS SCREENSHOT.png
// Signs in, opens the bench's page, starts the camera, and prints `ANSWER {json}` for each
// read the page sent (the station's answer), until READS answers; then `DONE`.
// With CAMERA_TOKEN set, the station has no accounts: the page asks for its token instead
// (NAME and PASSWORD unused). With CAMERA_NATIVE=1 the page finds a `BarcodeDetector`, as on
// Android (Chromium on Linux has none): one that answers as a platform detector does, the
// text without its symbology identifier, so the page must ask ZXing whether it is GS1.
// Over https the station's self-signed certificate is accepted, as a person does once.
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
  const context = await browser.newContext({
    viewport: { width: 412, height: 915 }, isMobile: true, hasTouch: true, ignoreHTTPSErrors: true,
  });
  if (process.env.CAMERA_NATIVE === "1") {
    await context.addInitScript((assets) => {
      let lib = null;
      const load = () => lib || (lib = new Promise((resolve, reject) => {
        const script = document.createElement("script");
        script.src = assets + "/reader.js";
        script.onload = () => window.ZXingWASM.prepareZXingModule({
          overrides: { locateFile: (path, prefix) => (path.endsWith(".wasm") ? assets + "/" + path : prefix + path) },
          fireImmediately: true,
        }).then(() => resolve(window.ZXingWASM), reject);
        script.onerror = reject;
        document.head.appendChild(script);
      }));
      const FORMAT = { Code128: "code_128", DataMatrix: "data_matrix", QRCode: "qr_code" };
      window.nativeDetections = 0;
      window.BarcodeDetector = class {
        static async getSupportedFormats() { return ["code_128", "data_matrix", "qr_code", "ean_13"]; }
        constructor(options) { this.formats = options.formats; }
        async detect(image) {
          const found = await (await load()).readBarcodes(image, { formats: ["Code128", "DataMatrix", "QRCode"], textMode: "Plain" });
          window.nativeDetections += 1;
          return found.filter((r) => r.isValid && this.formats.includes(FORMAT[r.format])).map((r) => {
            const p = r.position;
            const xs = [p.topLeft.x, p.topRight.x, p.bottomRight.x, p.bottomLeft.x];
            const ys = [p.topLeft.y, p.topRight.y, p.bottomRight.y, p.bottomLeft.y];
            return {
              format: FORMAT[r.format], rawValue: r.text,
              cornerPoints: [p.topLeft, p.topRight, p.bottomRight, p.bottomLeft],
              boundingBox: { x: Math.min(...xs), y: Math.min(...ys), width: Math.max(...xs) - Math.min(...xs), height: Math.max(...ys) - Math.min(...ys) },
            };
          });
        }
      };
    }, `${base}/assets/zxing-wasm-3.1.8`);
  }
  await context.grantPermissions(["camera"], { origin: base });
  const page = await context.newPage();
  // nothing but the station is asked for anything (the decoder is the station's own)
  const elsewhere = [];
  page.on("request", (r) => { if (!r.url().startsWith(base)) elsewhere.push(r.url()); });
  page.on("console", (m) => console.error("PAGE " + m.text()));
  page.on("pageerror", (e) => console.error("PAGE ERROR " + e.message));
  page.on("requestfailed", (r) => console.error("FAILED " + r.url()));
  page.on("response", (r) => { if (r.status() >= 400) console.error("HTTP " + r.status() + " " + r.url()); });
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

  await page.goto(`${base}/bench/${bench}`);
  const button = page.locator("#camera-button");
  check(await page.evaluate(() => window.isSecureContext), "the page is a secure context");
  if (process.env.CAMERA_TOKEN) {
    // no accounts: the station's token, asked once
    await button.filter({ hasText: "Scan with camera" }).waitFor({ timeout: 15000 });
    await button.click();
    await page.locator("#camera-token").waitFor({ timeout: 15000 });
    await page.fill("#camera-token input[name=token]", process.env.CAMERA_TOKEN);
    await page.click("#camera-token button");
  } else {
    // signed out, the page offers to sign in first
    await button.filter({ hasText: "Sign in to scan with the camera" }).waitFor({ timeout: 15000 });
    await button.click();
    await page.waitForURL(/\/login/);
    await page.fill("input[name=name]", name);
    await page.fill("input[name=password]", password);
    await Promise.all([page.waitForURL(new RegExp(`/bench/${bench}$`)), page.click("form[action='/login'] button")]);
    await button.filter({ hasText: "Scan with camera" }).waitFor({ timeout: 15000 });
    await button.click();
  }
  await page.locator("#camera-status", { hasText: "Hold a code" }).waitFor({ timeout: 30000 });
  const deadline = Date.now() + 60000;
  while (answers.length < Number(reads) && Date.now() < deadline) {
    await page.waitForTimeout(100);
  }
  check(answers.length >= Number(reads), `only ${answers.length} of ${reads} reads answered`);
  await page.screenshot({ path: screenshot });
  // how long ZXing-C++ takes over one camera frame here (what the page's loop waits on)
  const decode = await page.evaluate(async () => {
    const video = document.getElementById("camera-video");
    const canvas = document.createElement("canvas");
    canvas.width = video.videoWidth; canvas.height = video.videoHeight;
    const context = canvas.getContext("2d");
    context.drawImage(video, 0, 0);
    const image = context.getImageData(0, 0, canvas.width, canvas.height);
    const times = [];
    for (let i = 0; i < 21; i++) {
      const started = performance.now();
      await window.ZXingWASM.readBarcodes(image, { formats: ["Code128", "DataMatrix", "QRCode"], textMode: "Plain", tryHarder: true, maxNumberOfSymbols: 8 });
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    return { width: canvas.width, height: canvas.height, median_ms: Math.round(times[10] * 10) / 10, max_ms: Math.round(times[20] * 10) / 10 };
  });
  console.log("DECODE " + JSON.stringify(decode));
  await button.click();
  await page.locator("#camera").waitFor({ state: "hidden", timeout: 5000 });
  check(wasm && wasm.status === 200 && wasm.encoding === "gzip", `the decoder from the station: ${JSON.stringify(wasm)}`);
  if (process.env.CAMERA_NATIVE === "1") {
    const detections = await page.evaluate(() => window.nativeDetections);
    check(detections > 0, "the page used the BarcodeDetector it found");
    console.log("NATIVE " + detections);
  }
  check(elsewhere.length === 0, `asked elsewhere: ${elsewhere.join(" ")}`);
  // the answers show on the phone as on the bench's screen
  const last = await page.locator("#last").textContent();
  console.log("LAST " + last);
  console.log("DONE");
} finally {
  await browser.close();
}
