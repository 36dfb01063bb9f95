// End-to-end: the built page in real headless Chromium, served with and
// without cross-origin isolation. Run `trunk build --release` first
// (scripts/test.sh does).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { serveDist } from './server.mjs';
import { launch, openPage } from './browser.mjs';
import { ModelsLab } from './pages/models_lab.mjs';
import { ServersLab } from './pages/servers_lab.mjs';
import { ParallelLab } from './pages/parallel_lab.mjs';

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

  test('sweeps a kernel over 1..N workers: faster on all, identical results, drawn per chunk', async () => {
    const { page, context, problems } = await openPage(browser, `${server.url}#/parallel`);
    const lab = new ParallelLab(page);
    const workers = await lab.poolReady();
    assert.ok(workers >= 2, `expected at least 2 workers, got ${workers}`);
    const before = await lab.sweep();
    // The main thread stays free during the run: timers fire on time while
    // the workers compute (the sweep has not finished when they do).
    await lab.root.getByText(/Running on \d+ worker/).waitFor();
    const lag = await page.evaluate(async () => {
      let worst = 0;
      for (let i = 0; i < 5; i++) {
        const t0 = performance.now();
        await new Promise((ok) => setTimeout(ok, 20));
        worst = Math.max(worst, performance.now() - t0 - 20);
      }
      return { worst, running: document.querySelector('.parallel-actions .status') !== null };
    });
    assert.ok(lag.running, 'the sweep ended before the probe: make the kernel longer');
    assert.ok(lag.worst < 100, `a 20 ms timer fired ${lag.worst} ms late during the run`);
    await lab.waitForSweeps(before + 1);
    const results = await lab.results();
    assert.deepEqual(results.map((r) => r.workers), [...Array(workers).keys()].map((i) => i + 1));
    assert.ok(await lab.checksumsMatch());
    assert.equal(new Set(results.map((r) => r.checksum)).size, 1);
    const best = results.at(-1).speedup;
    assert.ok(best > 1.2, `speedup ${best} should exceed 1.2 on 2 cores`);
    assert.equal(await lab.root.locator('figure.timeline g.lane').count(), workers);
    assert.match(await lab.root.locator('.explanation').innerText(), /Amdahl's law allows/);
    await page.screenshot({ path: `${ARTIFACTS}isolated.png`, fullPage: true });
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('the racy counter loses updates on 2 workers; fetch_add and the mutex never do', async () => {
    const { page, context, problems } = await openPage(browser, `${server.url}#/parallel`);
    const lab = new ParallelLab(page);
    await lab.poolReady();
    let lost = false;
    for (let attempt = 0; attempt < 3 && !lost; attempt++) {
      const rows = await lab.race(2, 3_000_000);
      const [racy, fetchAdd, mutex] = rows;
      assert.equal(racy.method, 'LoadStore');
      assert.equal(fetchAdd.actual, fetchAdd.expected);
      assert.equal(mutex.actual, mutex.expected);
      assert.ok(racy.actual <= racy.expected);
      lost = racy.actual < racy.expected;
    }
    assert.ok(lost, 'two racing workers should lose updates');
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('a run can be cancelled', async () => {
    const { page, context, problems } = await openPage(browser, `${server.url}#/parallel`);
    const lab = new ParallelLab(page);
    await lab.poolReady();
    await lab.chooseKernel('hash chains');
    await lab.root.getByLabel('Kernel size').fill('60000000');
    await lab.root.getByRole('button', { name: /^Run on/ }).click();
    await lab.root.getByText(/Running on/).waitFor();
    await lab.root.getByRole('button', { name: 'Cancel' }).click();
    await lab.root.getByText('Cancelled.').waitFor({ timeout: 10_000 });
    assert.deepEqual(problems, []);
    await context.close();
  });
});

describe('un-isolated page (what an LMS iframe gets)', () => {
  let server;
  before(async () => (server = await serveDist({ isolated: false })));
  after(async () => server?.close());

  test('runs on message-passing workers: real speedup, identical results; shared-memory demos say why they are off', async () => {
    const { page, context, problems } = await openPage(browser, `${server.url}#/models`);
    await new ModelsLab(page).ready();
    await page.getByRole('link', { name: 'Parallel', exact: true }).click();
    const lab = new ParallelLab(page);
    const badge = lab.root.locator('[data-mode="message-passing"]');
    await badge.waitFor({ timeout: 30_000 });
    assert.match(await badge.innerText(), /not cross-origin isolated/);
    const workers = Number(await badge.getAttribute('data-workers'));
    const before = await lab.sweep();
    await lab.waitForSweeps(before + 1);
    const results = await lab.results();
    assert.deepEqual(results.map((r) => r.workers), [...Array(workers).keys()].map((i) => i + 1));
    assert.ok(await lab.checksumsMatch());
    assert.ok(results.at(-1).speedup > 1.2, `message-passing speedup ${results.at(-1).speedup}`);
    const raceOff = lab.root.locator('[data-mode="race-off"]');
    assert.match(await raceOff.innerText(), /needs memory shared between workers/);
    assert.equal(await raceOff.getByRole('link', { name: 'Open it in a new tab' }).getAttribute('target'), '_blank');
    assert.equal(await page.evaluate(() => crossOriginIsolated), false);
    await page.screenshot({ path: `${ARTIFACTS}not-isolated.png`, fullPage: true });
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('on a host without headers, the service worker makes the top-level page isolated after a reload', async () => {
    const { page, context, problems } = await openPage(browser, `${server.url}#/parallel`);
    const lab = new ParallelLab(page);
    await lab.root.locator('[data-mode="message-passing"]').waitFor({ timeout: 30_000 });
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
    // Any re-render shows the offer; going to Models and back is one.
    await page.getByRole('link', { name: 'Models', exact: true }).click();
    await page.getByRole('link', { name: 'Parallel', exact: true }).click();
    await lab.root.getByRole('button', { name: 'Reload with shared memory' }).click();
    await lab.root.locator('[data-mode="isolated"]').waitFor({ timeout: 30_000 });
    assert.equal(await page.evaluate(() => crossOriginIsolated), true);
    // Worker scripts get the embedder policy from the service worker too:
    // the lab worker starts in the isolated page.
    await page.getByRole('link', { name: 'Servers', exact: true }).click();
    const servers = await new ServersLab(page).ready();
    await servers.sweep();
    assert.deepEqual(problems, []);
    await context.close();
  });
});
