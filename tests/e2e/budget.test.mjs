// The release build's weight and its threads: the wasm stays within its
// gzip budget, and the small build still creates a shared memory and
// starts the worker pool.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WASM_GZIP_BUDGET, wasmSizes } from './budget.mjs';
import { labHarness } from './harness.mjs';

const open = labHarness();

test('the release wasm is within its gzip budget', async () => {
  const { name, raw, gzip } = await wasmSizes();
  console.log(`${name}: ${raw} bytes raw, ${gzip} bytes gzip -9, budget ${WASM_GZIP_BUDGET}`);
  assert.ok(
    gzip <= WASM_GZIP_BUDGET,
    `${name} is ${gzip} bytes gzip -9, over the budget of ${WASM_GZIP_BUDGET} bytes (${gzip - WASM_GZIP_BUDGET} over)`,
  );
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
