// Map performance benchmark (docs/benchmarks.md, "Map in the browser"); not a test.
//
//   node end2end/bench/map-perf.cjs BASE_URL [PATH] [RUNS]
//
// For PATH (default "/"), in Debian's Chromium on loopback:
//  - time to interactive: navigation start → the app is hydrated (the list,
//    filters and links respond), and → the markers (or their clusters) are
//    on the map; medians of RUNS cold loads;
//  - frame times while panning: 60 mouse-drag steps over the map, a
//    requestAnimationFrame loop records every frame interval (p50, p95, max);
//  - the number of markers, clusters and basin polygons drawn.
const { chromium } = require("playwright");

const base = process.argv[2] || "http://127.0.0.1:3000";
const path = process.argv[3] || "/";
const runs = Number(process.argv[4] || 5);

const q = (v, p) => { const s = [...v].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(p * s.length))]; };

(async () => {
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu"] });
  const tti = [], hyd = [];
  let last;
  for (let r = 0; r < runs; r++) {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    const t0 = Date.now();
    await page.goto(base + path);
    await page.waitForSelector("body[data-hydrated=true]", { timeout: 60000 });
    hyd.push(await page.evaluate(() => performance.now()));
    await page.waitForFunction(() => document.querySelectorAll("path.etab-marker, .etab-cluster").length > 0, null, { timeout: 60000 });
    tti.push(await page.evaluate(() => performance.now()));
    if (r < runs - 1) { await context.close(); continue; }
    last = page;
    const t1 = Date.now() - t0;
    console.error(`last load: ${t1} ms wall`);
  }
  const page = last;
  const counts = await page.evaluate(() => ({
    markers: document.querySelectorAll("path.etab-marker").length,
    clusters: document.querySelectorAll(".etab-cluster").length,
    basins: document.querySelectorAll("path.leaflet-interactive:not(.etab-marker)").length,
    status: document.querySelector("#map-status")?.textContent,
  }));
  const box = await page.locator("#map").boundingBox();
  await page.evaluate(() => {
    window.__frames = [];
    let prev = performance.now();
    const loop = (t) => { window.__frames.push(t - prev); prev = t; if (window.__frames.length < 100000) requestAnimationFrame(loop); };
    requestAnimationFrame(loop);
  });
  const cx = box.x + box.width / 2, cy = box.y + box.height / 2;
  await page.mouse.move(cx, cy);
  await page.mouse.down();
  for (let i = 0; i < 60; i++) {
    const a = (i / 60) * 2 * Math.PI;
    await page.mouse.move(cx + 150 * Math.cos(a), cy + 100 * Math.sin(a), { steps: 2 });
  }
  await page.mouse.up();
  // One zoom in and out while the frames are recorded.
  await page.mouse.wheel(0, -300); await page.waitForTimeout(600);
  await page.mouse.wheel(0, 300); await page.waitForTimeout(600);
  const frames = (await page.evaluate(() => window.__frames)).slice(1);
  console.log(JSON.stringify({
    path, runs, counts,
    hydrated_ms: { median: q(hyd, 0.5), min: Math.min(...hyd), max: Math.max(...hyd) },
    markers_ms: { median: q(tti, 0.5), min: Math.min(...tti), max: Math.max(...tti) },
    frames: { n: frames.length, p50: q(frames, 0.5), p95: q(frames, 0.95), max: Math.max(...frames) },
  }, null, 1));
  await browser.close();
})();
