// The release build's weight and its threads: each wasm module stays
// within its gzip budget, the jobs live only in the workers' module, and
// the small build still creates a shared memory and starts the worker pool.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WASM_GZIP_BUDGET, WORKER_WASM_GZIP_BUDGET, wasmSizes } from './budget.mjs';
import { labHarness } from './harness.mjs';

const open = labHarness();

for (const [which, budget] of [['page', WASM_GZIP_BUDGET], ['worker', WORKER_WASM_GZIP_BUDGET]]) {
  test(`the ${which}'s release wasm is within its gzip budget`, async () => {
    const { name, raw, gzip } = await wasmSizes(which);
    console.log(`${name}: ${raw} bytes raw, ${gzip} bytes gzip -9, budget ${budget}`);
    assert.ok(
      gzip <= budget,
      `${name} is ${gzip} bytes gzip -9, over the budget of ${budget} bytes (${gzip - budget} over)`,
    );
  });
}

test('the jobs are only in the workers\' module, the page\'s module keeps the UI and its benchmark', async () => {
  const exports = async (which) =>
    WebAssembly.Module.exports(new WebAssembly.Module((await wasmSizes(which)).bytes)).map((e) => e.name);
  const page = await exports('page');
  const worker = await exports('worker');
  for (const job of ['worker_request', 'bench_races', 'bench_servers']) {
    assert.ok(worker.includes(job), `the workers' module exports ${job}`);
    assert.ok(!page.includes(job), `the page's module does not export ${job}`);
  }
  assert.ok(page.includes('bench_models'));
  assert.ok(!worker.includes('bench_models'));
});

test('the release build creates a shared memory and starts the worker pool', async () => {
  const { page, context } = await open('isolated', '#/parallel');
  const status = page.locator('.status[data-mode="isolated"]');
  await status.waitFor({ timeout: 30_000 });
  assert.ok(Number(await status.getAttribute('data-workers')) >= 1);
  assert.ok(Number.isFinite(Number(await status.getAttribute('data-pool-start-ms'))));
  assert.equal(await page.evaluate(() => crossOriginIsolated), true);
  await context.close();
});
