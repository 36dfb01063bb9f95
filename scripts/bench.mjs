// The bench: wasm size, pool start and kernel speedup in headless Chromium.
// Each figure is a median over several runs after a warm-up; the speedup is
// the median of per-run ratios, 1 worker and all workers measured back to
// back in the same page.
import { writeFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import os from 'node:os';
import { serveDist } from '../tests/e2e/server.mjs';
import { launch, openPage } from '../tests/e2e/browser.mjs';
import { WASM_GZIP_BUDGETS, wasmSizes } from '../tests/e2e/budget.mjs';

const PAGE_LOADS = Number(process.env.BENCH_PAGE_LOADS ?? 9);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
// Speedup sweeps are short and the host is noisy: more of them make the
// median steadier (the bar is the same).
const KERNEL_RUNS = Number(process.env.BENCH_KERNEL_RUNS ?? 9);
const MODEL_TASKS = 100_000;
const CLI = new URL('../target/release/interleave', import.meta.url).pathname;
const WARMUP = 1;

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;

// Each lab's module (a visit loads the one of the lab it opens; the home
// page's is the Models lab's) and the workers' module (loaded when a job
// first runs in a worker).
const MODULE_ROLES = {
  models: 'the home page and the Models lab',
  servers: 'the Servers lab',
  races: 'the Races lab',
  parallel: 'the Parallel lab',
  worker: 'loaded by the first job in a worker',
};
const moduleSizes = [];
for (const which of Object.keys(MODULE_ROLES)) moduleSizes.push([which, await wasmSizes(which)]);

// Served with the cache headers web/_headers gives static hosts.
const server = await serveDist({ isolated: true, cache: 'deploy' });
const browser = await launch();
try {
  // Pool start, cold: every load in a fresh browser context (a first
  // visit: empty caches).
  const poolStart = async (page) => {
    const status = page.locator('.status[data-mode="isolated"]');
    await status.waitFor({ timeout: 30_000 });
    return [Number(await status.getAttribute('data-pool-start-ms')), Number(await status.getAttribute('data-workers'))];
  };
  const poolStartsCold = [];
  let workers = 0;
  for (let i = 0; i < PAGE_LOADS; i++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${server.url}#/parallel`);
    const [ms, n] = await poolStart(page);
    poolStartsCold.push(ms);
    workers = n;
    await context.close();
  }
  // Pool start after a warm-up load: one browser context (a returning
  // visitor: HTTP and code caches filled), one load discarded, then
  // PAGE_LOADS fresh page loads.
  const poolStarts = [];
  {
    const context = await browser.newContext();
    for (let i = 0; i <= PAGE_LOADS; i++) {
      const page = await context.newPage();
      await page.goto(`${server.url}#/parallel`);
      const [ms] = await poolStart(page);
      if (i > 0) poolStarts.push(ms);
      await page.close();
    }
    await context.close();
  }

  // Time to the first drawn timeline on #/models: from navigation start
  // to the first span in the DOM (a MutationObserver set before the page's
  // own scripts), after a warm-up load in one context, and cold.
  const firstTimeline = async (context) => {
    const page = await context.newPage();
    await page.addInitScript(() => {
      new MutationObserver((_, observer) => {
        if (document.querySelector('article.config .span')) {
          window.__firstTimelineMs = performance.now();
          observer.disconnect();
        }
      }).observe(document, { childList: true, subtree: true });
    });
    await page.goto(`${server.url}#/models`);
    await page.waitForFunction(() => window.__firstTimelineMs !== undefined, null, { timeout: 30_000 });
    const ms = await page.evaluate(() => window.__firstTimelineMs);
    await page.close();
    return ms;
  };
  const timelineFirsts = [];
  {
    const context = await browser.newContext();
    for (let i = 0; i <= PAGE_LOADS; i++) {
      const ms = await firstTimeline(context);
      if (i > 0) timelineFirsts.push(ms);
    }
    await context.close();
  }
  const timelineFirstsCold = [];
  for (let i = 0; i < PAGE_LOADS; i++) {
    const context = await browser.newContext();
    timelineFirstsCold.push(await firstTimeline(context));
    await context.close();
  }

  // The Parallel lab's default kernel (Mandelbrot at its default size):
  // sweeps over 1..N workers, speedup = 1-worker time / N-worker time of
  // the same sweep.
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${server.url}#/parallel`);
  await page.locator('.status[data-mode="isolated"]').waitFor({ timeout: 30_000 });
  const sweep = page.getByRole('button', { name: /^Sweep 1 to/ });
  const one = [];
  const all = [];
  const ratios = [];
  // Per worker count: each sweep's speedup at that count (1-worker time of
  // the same sweep / its time), for the side-by-side with native.
  const perCount = new Map();
  const perCountOf = (rows, into) => {
    const base = rows.find((r) => r.workers === 1).ms;
    for (const r of rows) {
      if (!into.has(r.workers)) into.set(r.workers, []);
      into.get(r.workers).push(base / r.ms);
    }
  };
  for (let run = 1; run <= WARMUP + KERNEL_RUNS; run++) {
    await sweep.click();
    await page.locator(`.parallel-results[data-sweeps="${run}"]`).waitFor({ timeout: 120_000 });
    if ((await page.locator('.parallel-results').getAttribute('data-checksums-match')) !== 'true') throw new Error('checksums differ');
    if (run <= WARMUP) continue;
    const rows = await page.locator('.speedup-table tbody tr').evaluateAll((trs) => trs.map((tr) => ({ workers: Number(tr.dataset.workers), ms: Number(tr.dataset.ms) })));
    const oneMs = rows.find((r) => r.workers === 1).ms;
    const allMs = rows.find((r) => r.workers === workers).ms;
    perCountOf(rows, perCount);
    one.push(oneMs);
    all.push(allMs);
    ratios.push(oneMs / allMs);
  }
  await context.close();

  // The same sweeps on message-passing workers (the page served without
  // isolation headers, as in a course-site iframe).
  const plain = await serveDist({ isolated: false });
  const mpContext = await browser.newContext();
  const mpPage = await mpContext.newPage();
  await mpPage.goto(`${plain.url}#/parallel`);
  const mpBadge = mpPage.locator('[data-mode="message-passing"]');
  await mpBadge.waitFor({ timeout: 30_000 });
  const mpStart = Number(await mpBadge.getAttribute('data-pool-start-ms'));
  const mpRatios = [];
  const mpPerCount = new Map();
  for (let run = 1; run <= WARMUP + KERNEL_RUNS; run++) {
    await mpPage.getByRole('button', { name: /^Sweep 1 to/ }).click();
    await mpPage.locator(`.parallel-results[data-sweeps="${run}"]`).waitFor({ timeout: 120_000 });
    if ((await mpPage.locator('.parallel-results').getAttribute('data-checksums-match')) !== 'true') throw new Error('checksums differ');
    if (run <= WARMUP) continue;
    const rows = await mpPage.locator('.speedup-table tbody tr').evaluateAll((trs) => trs.map((tr) => ({ workers: Number(tr.dataset.workers), ms: Number(tr.dataset.ms) })));
    perCountOf(rows, mpPerCount);
    mpRatios.push(rows.find((r) => r.workers === 1).ms / rows.find((r) => r.workers === workers).ms);
  }
  await mpContext.close();
  await plain.close();

  // The same kernel natively (rayon) at the same worker counts, so each
  // count's browser speedup sits beside native's.
  const counts = [...perCount.keys()].sort((a, b) => a - b);
  const nativePar = JSON.parse(execFileSync(CLI, ['bench-par', '--kernel', 'mandelbrot', '--threads', counts.join(','), '--runs', String(RUNS), '--json'])).kernels[0].runs;

  // The Models engine: 100k tasks under the lab's four default
  // configurations, natively (the CLI) and in wasm (this page).
  const native = JSON.parse(execFileSync(CLI, ['bench-models', '--tasks', String(MODEL_TASKS), '--runs', String(RUNS)]));
  const enginePage = await (await browser.newContext()).newPage();
  await enginePage.goto(server.url);
  await enginePage.waitForFunction(() => window.wasmBindings?.bench_models);
  const wasmRuns = [];
  for (let run = 0; run <= RUNS; run++) {
    const ms = await enginePage.evaluate((n) => window.wasmBindings.bench_models(n), MODEL_TASKS);
    if (run > 0) wasmRuns.push(ms);
  }
  // The Races explorer: each bench program explored fully, natively
  // (the CLI) and in wasm (this page), medians of RUNS after a warm-up.
  const racesNative = JSON.parse(execFileSync(CLI, ['bench-races', '--runs', String(RUNS)])).cases;
  // The Races explorer and the Servers sweep run in workers, on the
  // workers' module: it is loaded here, in the page, to time them.
  await enginePage.evaluate(async () => {
    // The loader in index.html names the modules' files.
    const loader = [...document.querySelectorAll('script')].map((script) => script.textContent).join('\n');
    const { js, wasm } = JSON.parse(loader.match(/const MODULES = (\{.*\});/)[1]).worker;
    const worker = await import(new URL(js, location.href).href);
    await worker.default({ module_or_path: new URL(wasm, location.href).href });
    window.workerBindings = worker;
  });
  const racesWasm = {};
  for (let run = 0; run <= RUNS; run++) {
    const cases = JSON.parse(await enginePage.evaluate(() => window.workerBindings.bench_races()));
    if (run === 0) continue;
    for (const c of cases) (racesWasm[c.case] ??= { ...c, runs: [] }).runs.push(c.ms);
  }
  // The Servers sweep: 20 load points x 4 models x 10k requests, natively
  // (the CLI) and in wasm (this page); the checksums must agree.
  const serversNative = JSON.parse(execFileSync(CLI, ['bench-servers', '--runs', String(RUNS)]));
  const serversWasm = [];
  let serversChecksum;
  for (let run = 0; run <= RUNS; run++) {
    const result = JSON.parse(await enginePage.evaluate(() => window.workerBindings.bench_servers(10000, 20)));
    serversChecksum = result.checksum;
    if (run > 0) serversWasm.push(result.ms);
  }
  await enginePage.context().close();

  // A timeline of more than 10k spans: frame times while scrubbing,
  // zooming and scrolling (the gaps between animation frames).
  const scenarioFile = `${tmpdir()}/interleave-bench-timeline.json`;
  await writeFile(scenarioFile, JSON.stringify({
    name: 'Timeline bench',
    generate: { tasks: 2500, seed: 5, arrival: { poisson: 2 }, segments: [
      { compute: { uniform: [1, 4] } }, { wait: { exponential: 30 }, on: 'database' }, { compute: { uniform: [1, 6] } }] },
  }));
  const uiContext = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const ui = await uiContext.newPage();
  await ui.goto(`${server.url}#/models`);
  await ui.locator('article.config svg rect.span').first().waitFor();
  await ui.getByLabel('Import a scenario file').setInputFiles(scenarioFile);
  await ui.getByText('Timeline bench').first().waitFor().catch(() => {});
  await ui.waitForFunction(() => Number(document.querySelector('article.config')?.dataset.spans) > 5000);
  const spans = await ui.locator('article.config').evaluateAll((cards) => cards.map((c) => Number(c.dataset.spans)));
  await ui.evaluate(() => {
    window.__gaps = [];
    let last = performance.now();
    const frame = (now) => { window.__gaps.push(now - last); last = now; if (!window.__stop) requestAnimationFrame(frame); };
    requestAnimationFrame(frame);
  });
  const end = Number(await ui.getByLabel('Time cursor').getAttribute('max'));
  for (let i = 1; i <= 20; i++) await ui.getByLabel('Time cursor').fill(String(Math.round((end * i) / 21)));
  for (let i = 0; i < 3; i++) await ui.getByRole('button', { name: 'Zoom in' }).click();
  for (let i = 0; i < 5; i++) await ui.getByLabel('Time cursor').fill(String(Math.round((end * (10 + i)) / 21)));
  for (let i = 0; i < 3; i++) await ui.getByRole('button', { name: 'Zoom out' }).click();
  for (let i = 0; i < 10; i++) { await ui.mouse.wheel(0, 300); await ui.waitForTimeout(30); }
  await ui.waitForTimeout(100);
  const gaps = await ui.evaluate(() => { window.__stop = true; return window.__gaps.slice(1); });
  await uiContext.close();
  const p95 = [...gaps].sort((a, b) => a - b)[Math.floor(gaps.length * 0.95)];

  // The Event loop lab on a program of 1,000 timer jobs (5,004 steps):
  // frame gaps while the scrubber moves every frame, and while Step is
  // pressed every frame (issue 30: 60 frames per second).
  const { page: loop, context: loopContext } = await openPage(browser, `${server.url}#/eventloop`, { width: 1400, height: 900 });
  const loopLab = loop.locator('section.eventloop-lab');
  await loopLab.getByTestId('code').waitFor();
  await loopLab.locator('details.program-editor summary').click();
  await loopLab.getByTestId('program').fill('for (let i = 0; i < 1000; i++) {\n  setTimeout(() => {\n    console.log("job", i);\n  }, i);\n}\n');
  await loop.waitForFunction(() => /of 5004 /.test(document.querySelector('[data-testid=position]')?.textContent ?? ''));
  const loopFrames = await loop.evaluate(async () => {
    const scrub = document.querySelector('[data-testid=scrubber]');
    const forward = document.querySelector('[data-testid=forward]');
    const max = Number(scrub.max);
    const drive = (act, n) => new Promise((resolve) => {
      const gaps = [];
      let last = performance.now();
      let k = 0;
      const frame = (now) => {
        gaps.push(now - last);
        last = now;
        if (k++ >= n) return resolve(gaps.slice(1));
        act(k);
        requestAnimationFrame(frame);
      };
      requestAnimationFrame(frame);
    });
    const scrubbing = await drive((k) => {
      scrub.value = String((k * 997) % max);
      scrub.dispatchEvent(new Event('input', { bubbles: true }));
    }, 120);
    const stepping = await drive(() => forward.click(), 120);
    return { scrubbing, stepping };
  });
  await loopContext.close();
  const frameStats = (xs) => {
    const sorted = [...xs].sort((a, b) => a - b);
    return `median ${median(xs).toFixed(1)} ms, p95 ${sorted[Math.floor(sorted.length * 0.95)].toFixed(1)} ms, max ${sorted.at(-1).toFixed(1)} ms`;
  };

  const version = browser.version();
  console.log(`Interleave bench: headless Chromium ${version}, ${os.cpus().length} CPUs, ${workers} workers`);
  for (const [which, size] of moduleSizes) {
    console.log(`wasm size ${which.padEnd(9)}${kb(size.raw)} raw, ${kb(size.gzip)} gzip (${size.gzip} bytes; budget ${WASM_GZIP_BUDGETS[which]} bytes, tests/e2e/budget.mjs) (${size.name}, ${MODULE_ROLES[which]})`);
  }
  console.log(`first timeline   median ${median(timelineFirsts).toFixed(1)} ms from navigation to the first span on #/models over ${PAGE_LOADS} page loads after a warm-up load [${timelineFirsts.map((x) => x.toFixed(0)).join(', ')}] (target <= 250 ms)`);
  console.log(`first timeline, cold median ${median(timelineFirstsCold).toFixed(1)} ms over ${PAGE_LOADS} first visits [${timelineFirstsCold.map((x) => x.toFixed(0)).join(', ')}]`);
  console.log(`pool start       median ${median(poolStarts).toFixed(1)} ms over ${PAGE_LOADS} page loads after a warm-up load [${poolStarts.map((x) => x.toFixed(0)).join(', ')}] (target <= 100 ms)`);
  console.log(`pool start, cold median ${median(poolStartsCold).toFixed(1)} ms over ${PAGE_LOADS} first visits (fresh browser contexts) [${poolStartsCold.map((x) => x.toFixed(0)).join(', ')}]`);
  console.log(`Mandelbrot, 1 worker median ${median(one).toFixed(1)} ms over ${KERNEL_RUNS} sweeps after ${WARMUP} warm-up`);
  console.log(`Mandelbrot, ${workers} workers median ${median(all).toFixed(1)} ms`);
  console.log(`shared memory    (isolated) speedup median ${median(ratios).toFixed(2)}x [${ratios.map((x) => x.toFixed(2)).join(', ')}]`);
  console.log(`message passing  (not isolated) speedup median ${median(mpRatios).toFixed(2)}x [${mpRatios.map((x) => x.toFixed(2)).join(', ')}]; workers started in ${mpStart.toFixed(0)} ms`);
  // Browser vs native speedup at each worker count; the goal is within
  // 10 % of native's.
  console.log('workers  native   isolated (vs native)   message passing (vs native)');
  for (const n of counts) {
    const nat = nativePar.find((r) => r.threads === n).speedup;
    const iso = median(perCount.get(n));
    const mp = mpPerCount.has(n) ? median(mpPerCount.get(n)) : NaN;
    const versus = (x) => `${x.toFixed(2)}x (${(100 * x / nat).toFixed(0)} %${Math.abs(x / nat - 1) <= 0.1 ? '' : ', outside 10 %'})`;
    console.log(`${String(n).padStart(7)}  ${nat.toFixed(2)}x    ${versus(iso).padEnd(22)} ${Number.isNaN(mp) ? '-' : versus(mp)}`);
  }
  const wasmMedian = median(wasmRuns);
  console.log(`models engine    ${MODEL_TASKS} tasks, ${native.segments} segments, 4 configurations: wasm median ${wasmMedian.toFixed(1)} ms, native median ${native.median_ms.toFixed(1)} ms, wasm/native ${(wasmMedian / native.median_ms).toFixed(2)}x`);
  for (const nat of racesNative) {
    const wasmCase = racesWasm[nat.case];
    const wasmMs = median(wasmCase.runs);
    console.log(`races explorer   ${nat.case}: ${nat.states} states, ${nat.interleavings} interleavings; wasm median ${wasmMs.toFixed(2)} ms (${(nat.states / (wasmMs / 1000)).toFixed(0)} states/s), native median ${nat.median_ms.toFixed(2)} ms (${nat.states_per_s.toFixed(0)} states/s), wasm/native ${(wasmMs / nat.median_ms).toFixed(2)}x`);
  }
  const serversMs = median(serversWasm);
  const same = Math.abs(serversChecksum - serversNative.checksum) < 1e-6 * Math.abs(serversNative.checksum);
  console.log(`servers sweep    ${serversNative.points} loads x ${serversNative.models} models x ${serversNative.requests} requests: wasm median ${serversMs.toFixed(1)} ms (target < 2000 ms), native median ${serversNative.median_ms.toFixed(1)} ms, wasm/native ${(serversMs / serversNative.median_ms).toFixed(2)}x; results ${same ? 'identical' : `DIFFER (${serversChecksum} vs ${serversNative.checksum})`}`);
  console.log(`timeline frames  ${spans.reduce((a, b) => a + b, 0)} spans in 4 timelines [${spans.join(', ')}]; scrub, zoom, scroll: ${gaps.length} frames, max ${Math.max(...gaps).toFixed(1)} ms, p95 ${p95.toFixed(1)} ms`);
  console.log(`event loop lab   1,000 timer jobs, 5,004 steps, a frame each: scrubbing ${frameStats(loopFrames.scrubbing)}; stepping ${frameStats(loopFrames.stepping)} over 120 frames each (target 16.7 ms: 60 frames per second)`);
} finally {
  await browser.close();
  await server.close();
}
