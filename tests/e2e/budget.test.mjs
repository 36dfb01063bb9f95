// The release build's weight and its threads: each wasm module stays
// within its gzip budget, each lab's code is in its own module and the
// jobs only in the workers', and the small build still creates a shared
// memory and starts the worker pool.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LAB_MODULES, PAGE_GOAL, WASM_GZIP_BUDGETS, wasmSizes } from './budget.mjs';
import { labHarness } from './harness.mjs';

const open = labHarness();

// A lab with no budget of its own yet has the page's goal.
const budgets = { ...Object.fromEntries(LAB_MODULES.map((lab) => [lab, PAGE_GOAL])), ...WASM_GZIP_BUDGETS };
for (const [which, budget] of Object.entries(budgets)) {
  test(`the ${which} module's release wasm is within its gzip budget`, async () => {
    const { name, raw, gzip } = await wasmSizes(which);
    console.log(`${name}: ${raw} bytes raw, ${gzip} bytes gzip -9, budget ${budget}`);
    assert.ok(
      gzip <= budget,
      `${name} is ${gzip} bytes gzip -9, over the budget of ${budget} bytes (${gzip - budget} over)`,
    );
  });
}

test(`no lab's module passes ${PAGE_GOAL} bytes gzip, what one page load fetches`, () => {
  for (const lab of LAB_MODULES) assert.ok(budgets[lab] <= PAGE_GOAL, `the ${lab} module's budget`);
});

test('each lab module mounts the app; the jobs are only in the workers\' module', async () => {
  const exports = async (which) =>
    WebAssembly.Module.exports(new WebAssembly.Module((await wasmSizes(which)).bytes)).map((e) => e.name);
  const worker = await exports('worker');
  for (const job of ['worker_request', 'bench_races', 'bench_servers']) {
    assert.ok(worker.includes(job), `the workers' module exports ${job}`);
  }
  assert.ok(!worker.includes('mount'));
  for (const lab of LAB_MODULES) {
    const names = await exports(lab);
    assert.ok(names.includes('mount'), `the ${lab} module exports mount`);
    for (const job of ['worker_request', 'bench_races', 'bench_servers']) {
      assert.ok(!names.includes(job), `the ${lab} module does not export ${job}`);
    }
    // The Models engine's benchmark goes with the Models lab, the rayon
    // pool with the Parallel lab.
    assert.equal(names.includes('bench_models'), lab === 'models', `bench_models in the ${lab} module`);
    assert.equal(names.includes('wbg_rayon_start_worker'), lab === 'parallel', `the rayon pool in the ${lab} module`);
  }
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
