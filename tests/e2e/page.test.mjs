// End-to-end: the built page in real headless Chromium, served with and
// without cross-origin isolation. Run `trunk build --release` first
// (scripts/test.sh does).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { serveDist } from './server.mjs';
import { launch, openPage } from './browser.mjs';
import { ModelsLab } from './pages/models_lab.mjs';

const ARTIFACTS = new URL('./artifacts/', import.meta.url).pathname;
let browser;

before(async () => {
  await mkdir(ARTIFACTS, { recursive: true });
  browser = await launch();
});
after(async () => browser?.close());

describe('isolated page (COOP + COEP)', () => {
  let server;
  before(async () => (server = await serveDist({ isolated: true })));
  after(async () => server?.close());

  test('shows the sync and async timelines with their makespans', async () => {
    const { page, context, problems } = await openPage(browser, `${server.url}#/models`);
    const lab = await new ModelsLab(page).ready();
    assert.equal(await lab.root.locator('figure.timeline').count(), 4);
    assert.equal(await lab.makespan('sync, 1 thread'), 210);
    assert.equal(await lab.makespan('async, 1 thread'), 90);
    // Sync blocks its thread during waits; async parks tasks and never blocks.
    assert.equal(await lab.config('sync, 1 thread').locator('rect.span.blocked').count(), 3);
    assert.equal(await lab.config('async, 1 thread').locator('rect.span.blocked').count(), 0);
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('runs the kernel on all workers faster than on one, with identical results', async () => {
    const { page, context, problems } = await openPage(browser, `${server.url}#/parallel`);
    const status = page.locator('.status[data-mode="isolated"]');
    await status.waitFor({ timeout: 20_000 });
    const workers = Number(await status.getAttribute('data-workers'));
    assert.ok(workers >= 2, `expected at least 2 workers, got ${workers}`);
    const button = page.getByRole('button', { name: /Run on 1 and on all workers/ });
    await button.click();
    // The main thread stays free during the run: timers fire on time while
    // the workers compute (the result is not there yet when they do).
    await page.getByText('Running on 1 worker').waitFor();
    const lag = await page.evaluate(async () => {
      let worst = 0;
      for (let i = 0; i < 5; i++) {
        const t0 = performance.now();
        await new Promise((ok) => setTimeout(ok, 20));
        worst = Math.max(worst, performance.now() - t0 - 20);
      }
      return { worst, running: document.querySelector('.parallel-result') === null };
    });
    assert.ok(lag.running, 'the run ended before the probe: make the kernel longer');
    assert.ok(lag.worst < 100, `a 20 ms timer fired ${lag.worst} ms late during the run`);
    const result = page.locator('.parallel-result');
    await result.waitFor({ timeout: 60_000 });
    const speedup = Number(await result.getAttribute('data-speedup'));
    assert.equal(await result.getAttribute('data-checksums-match'), 'true');
    assert.ok(speedup > 1.2, `speedup ${speedup} should exceed 1.2 on 2 cores`);
    await page.screenshot({ path: `${ARTIFACTS}isolated.png`, fullPage: true });
    assert.deepEqual(problems, []);
    await context.close();
  });
});

describe('un-isolated page (what an LMS iframe gets)', () => {
  let server;
  before(async () => (server = await serveDist({ isolated: false })));
  after(async () => server?.close());

  test('loads, says plainly why the parallel run is off, and throws nothing', async () => {
    const { page, context, problems } = await openPage(browser, `${server.url}#/models`);
    await new ModelsLab(page).ready();
    await page.getByRole('link', { name: 'Parallel' }).click();
    const notice = page.locator('[data-mode="not-isolated"]');
    await notice.waitFor();
    assert.match(await notice.innerText(), /not cross-origin isolated/);
    assert.equal(await page.getByRole('button', { name: /Run on 1 and on all workers/ }).isDisabled(), true);
    assert.equal(await page.evaluate(() => crossOriginIsolated), false);
    await page.screenshot({ path: `${ARTIFACTS}not-isolated.png`, fullPage: true });
    assert.deepEqual(problems, []);
    await context.close();
  });
});
