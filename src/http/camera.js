// The camera scanner on a bench's page: a phone's or tablet's rear camera reads Code 128,
// GS1-128, DataMatrix (GS1 included) and QR, and each read goes to the bench as a scanner's
// would (POST /api/scan with "camera": true), with its AIM symbology identifier in front and
// GS1's FNC1 kept as the GS character. The browser's BarcodeDetector decodes where it exists;
// else, and to tell a GS1 code from text (BarcodeDetector does not say), ZXing-C++ built to
// WebAssembly, served by the station itself.
(() => {
  const body = document.body;
  const bench = body.dataset.bench;
  const camera = body.dataset.camera;
  const csrf = body.dataset.csrf;
  const assets = body.dataset.assets;
  const $ = (id) => document.getElementById(id);
  const button = $("camera-button");
  const panel = $("camera");
  const video = $("camera-video");
  const status = $("camera-status");
  if (!camera) return;
  button.hidden = false;
  const say = (text) => { status.textContent = text; };
  const byToken = body.dataset.byToken === "1";
  // a station without accounts takes the token its scripts use (kept for this tab only)
  let token = byToken ? sessionStorage.getItem("lotstation-token") : null;
  if (!csrf && !byToken) {
    // a read is journaled under a person's name: sign in first
    button.textContent = "Sign in to scan with the camera";
    button.addEventListener("click", () => {
      location.href = "/login?next=" + encodeURIComponent(location.pathname);
    });
    return;
  }
  if (!window.isSecureContext || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    button.addEventListener("click", () => {
      panel.hidden = false;
      say("This browser lets a page use the camera only over https: open the station's https address (the owner finds it and its certificate under Camera on the console).");
    });
    return;
  }

  const FORMATS = ["Code128", "DataMatrix", "QRCode"];
  const NATIVE = { code_128: "Code128", data_matrix: "DataMatrix", qr_code: "QRCode" };
  // what a scanner with AIM identifiers on sends for each, when the code is not GS1
  const PLAIN_AIM = { Code128: "]C0", DataMatrix: "]d1", QRCode: "]Q1" };
  const SAME_CODE_MS = 1000;
  let stream = null;
  let running = false;
  let native = null;
  let zxing = null;
  const lastSeen = new Map();
  let audio = null;

  function beep() {
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      const osc = audio.createOscillator(), gain = audio.createGain();
      osc.frequency.value = 2400;
      gain.gain.value = 0.2;
      osc.connect(gain); gain.connect(audio.destination);
      osc.start(); osc.stop(audio.currentTime + 0.06);
    } catch (e) { /* no sound on this device */ }
    if (navigator.vibrate) navigator.vibrate(60);
  }

  function loadZxing() {
    if (zxing) return zxing;
    zxing = new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = assets + "/reader.js";
      script.onload = () => {
        window.ZXingWASM.prepareZXingModule({
          overrides: { locateFile: (path, prefix) => (path.endsWith(".wasm") ? assets + "/" + path : prefix + path) },
          fireImmediately: true,
        }).then(() => resolve(window.ZXingWASM), reject);
      };
      script.onerror = () => reject(new Error("the decoder could not be loaded from the station"));
      document.head.appendChild(script);
    });
    return zxing;
  }

  async function nativeDetector() {
    if (!("BarcodeDetector" in window)) return null;
    try {
      const supported = await window.BarcodeDetector.getSupportedFormats();
      const wanted = Object.keys(NATIVE).filter((f) => supported.includes(f));
      return wanted.length === 3 ? new window.BarcodeDetector({ formats: wanted }) : null;
    } catch (e) { return null; }
  }

  // a result's centre, to take the code nearest the aim (the middle of the picture)
  function distance(points, width, height) {
    const x = points.reduce((s, p) => s + p.x, 0) / points.length;
    const y = points.reduce((s, p) => s + p.y, 0) / points.length;
    return Math.hypot(x - width / 2, y - height / 2);
  }

  async function decodeZxing(image) {
    const lib = await loadZxing();
    const results = await lib.readBarcodes(image, {
      formats: FORMATS, textMode: "Plain", tryHarder: true, maxNumberOfSymbols: 8,
    });
    return results.filter((r) => r.isValid && r.text).map((r) => ({
      scan: r.symbologyIdentifier + r.text,
      points: [r.position.topLeft, r.position.topRight, r.position.bottomRight, r.position.bottomLeft],
    }));
  }

  // could be a GS1 element string whose leading FNC1 BarcodeDetector dropped
  const mayBeGs1 = (text) => /^[0-9]{2}/.test(text) && /^[\x1d -~]+$/.test(text);

  async function decodeNative(image) {
    const found = await native.detect(image);
    const reads = [];
    for (const f of found) {
      const format = NATIVE[f.format];
      if (!format || !f.rawValue) continue;
      const points = f.cornerPoints && f.cornerPoints.length ? f.cornerPoints : [{ x: f.boundingBox.x, y: f.boundingBox.y }];
      if (format !== "QRCode" && mayBeGs1(f.rawValue)) {
        // the symbology identifier says whether it is GS1: ask ZXing for it
        const exact = (await decodeZxing(image)).find((r) => r.scan.slice(3).replace(/^\x1d/, "") === f.rawValue.replace(/^\x1d/, ""));
        if (exact) reads.push({ scan: exact.scan, points });
        continue;
      }
      reads.push({ scan: PLAIN_AIM[format] + f.rawValue, points });
    }
    return reads;
  }

  async function send(scan) {
    const response = await fetch("/api/scan", {
      method: "POST",
      headers: csrf
        ? { "Content-Type": "application/json", "X-CSRF-Token": csrf }
        : { "Content-Type": "application/json", "Authorization": "Bearer " + token },
      body: JSON.stringify({ bench, scan, camera: true }),
    });
    let answer = {};
    try { answer = await response.json(); } catch (e) { /* said below */ }
    if (response.status === 401 && !csrf) {
      sessionStorage.removeItem("lotstation-token");
      token = null;
      stop();
      askToken();
    }
    if (!response.ok && answer.line === undefined) {
      say("Not sent: " + (answer.error || response.status + " " + response.statusText));
      return;
    }
    say((answer.accepted ? "OK: " : answer.warning ? "WARNING: " : "REFUSED: ") + (answer.message || answer.line));
  }

  async function frameLoop(canvas, context) {
    while (running) {
      const started = performance.now();
      if (video.readyState >= 2 && video.videoWidth) {
        canvas.width = video.videoWidth; canvas.height = video.videoHeight;
        context.drawImage(video, 0, 0);
        const image = context.getImageData(0, 0, canvas.width, canvas.height);
        let reads = [];
        try {
          reads = native ? await decodeNative(image) : await decodeZxing(image);
        } catch (e) {
          say("The camera's picture could not be read: " + e.message);
        }
        const now = Date.now();
        reads.sort((a, b) => distance(a.points, canvas.width, canvas.height) - distance(b.points, canvas.width, canvas.height));
        const read = reads[0];
        if (read && running) {
          // the same code within a second of last seeing it is the same read
          const seen = lastSeen.get(read.scan);
          lastSeen.set(read.scan, now);
          if (seen === undefined || now - seen > SAME_CODE_MS) {
            beep();
            say("Read " + read.scan.replace(/\x1d/g, "<GS>") + " …");
            await send(read.scan).catch((e) => say("Not sent: " + e.message + " (scan it again)"));
          }
        }
      }
      const rest = 120 - (performance.now() - started);
      await new Promise((r) => setTimeout(r, Math.max(rest, 10)));
    }
  }

  async function start() {
    panel.hidden = false;
    say("Starting the camera…");
    try {
      stream = await navigator.mediaDevices.getUserMedia({
        video: { facingMode: { ideal: "environment" }, width: { ideal: 1280 }, height: { ideal: 720 } },
        audio: false,
      });
    } catch (e) {
      say("The camera could not be opened: " + e.message + " (allow the camera for this page)");
      return;
    }
    video.srcObject = stream;
    await video.play().catch(() => {});
    native = await nativeDetector();
    if (!native) {
      try { await loadZxing(); } catch (e) { say(e.message); return; }
    }
    running = true;
    button.textContent = "Stop camera";
    say("Hold a code in the middle of the picture");
    const canvas = document.createElement("canvas");
    frameLoop(canvas, canvas.getContext("2d", { willReadFrequently: true }))
      .catch((e) => say("The camera stopped: " + e.message));
  }

  function stop() {
    running = false;
    if (stream) stream.getTracks().forEach((t) => t.stop());
    stream = null;
    video.srcObject = null;
    panel.hidden = true;
    button.textContent = "Scan with camera";
  }

  // a phone put away (screen off, another app) lets go of its camera
  document.addEventListener("visibilitychange", () => {
    if (document.hidden && running) stop();
  });

  const tokenForm = $("camera-token");
  function askToken() {
    panel.hidden = false;
    tokenForm.hidden = false;
    say("This station has no accounts: its token lets the camera scan.");
  }
  tokenForm.addEventListener("submit", (event) => {
    event.preventDefault();
    token = tokenForm.elements.token.value.trim();
    sessionStorage.setItem("lotstation-token", token);
    tokenForm.hidden = true;
    start();
  });

  button.addEventListener("click", () => {
    // phones play sound only once a touch has started it
    try { audio = audio || new (window.AudioContext || window.webkitAudioContext)(); } catch (e) { /* silent */ }
    if (running) stop();
    else if (!csrf && !token) askToken();
    else start();
  });
})();
