// The bench: wasm size, pool start and kernel speedup in headless Chromium.
// Each figure is a median over several runs after a warm-up; the speedup is
// the median of per-run ratios, 1 worker and all workers measured back to
// back in the same page.
import { readdir, readFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import os from 'node:os';
import { DIST, serveDist } from '../tests/e2e/server.mjs';
import { launch } from '../tests/e2e/browser.mjs';

const PAGE_LOADS = Number(process.env.BENCH_PAGE_LOADS ?? 5);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const WARMUP = 1;

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;

const wasmName = (await readdir(DIST)).find((f) => f.endsWith('_bg.wasm'));
if (!wasmName) throw new Error('no *_bg.wasm in dist/: run trunk build --release first');
const wasm = await readFile(`${DIST}/${wasmName}`);
const gzip = gzipSync(wasm, { level: 9 });

const server = await serveDist({ isolated: true });
const browser = await launch();
try {
  const poolStarts = [];
  let workers = 0;
  for (let i = 0; i < PAGE_LOADS; i++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(server.url);
    const status = page.locator('.status[data-mode="isolated"]');
    await status.waitFor({ timeout: 30_000 });
    poolStarts.push(Number(await status.getAttribute('data-pool-start-ms')));
    workers = Number(await status.getAttribute('data-workers'));
    await context.close();
  }

  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(server.url);
  await page.locator('.status[data-mode="isolated"]').waitFor({ timeout: 30_000 });
  const button = page.getByRole('button', { name: /Run on 1 and on all workers/ });
  const one = [];
  const all = [];
  const ratios = [];
  for (let run = 1; run <= WARMUP + RUNS; run++) {
    await button.click();
    const result = page.locator(`.parallel-result[data-runs="${run}"]`);
    await result.waitFor({ timeout: 120_000 });
    if ((await result.getAttribute('data-checksums-match')) !== 'true') throw new Error('checksums differ');
    if (run <= WARMUP) continue;
    const oneMs = Number(await result.getAttribute('data-one-ms'));
    const allMs = Number(await result.getAttribute('data-all-ms'));
    one.push(oneMs);
    all.push(allMs);
    ratios.push(oneMs / allMs);
  }
  await context.close();

  const version = browser.version();
  console.log(`Interleave bench: headless Chromium ${version}, ${os.cpus().length} CPUs, ${workers} workers`);
  console.log(`wasm size        ${kb(wasm.length)} raw, ${kb(gzip.length)} gzip (${wasmName})`);
  console.log(`pool start       median ${median(poolStarts).toFixed(1)} ms over ${PAGE_LOADS} page loads [${poolStarts.map((x) => x.toFixed(0)).join(', ')}]`);
  console.log(`kernel, 1 worker median ${median(one).toFixed(1)} ms over ${RUNS} runs after ${WARMUP} warm-up`);
  console.log(`kernel, ${workers} workers median ${median(all).toFixed(1)} ms`);
  console.log(`speedup          median ${median(ratios).toFixed(2)}x [${ratios.map((x) => x.toFixed(2)).join(', ')}]`);
} finally {
  await browser.close();
  await server.close();
}
