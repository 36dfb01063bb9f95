// End-to-end: the Servers lab in real headless Chromium, isolated and not
// (the sweep's worker must work in an LMS iframe too). Needs dist/.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { openPage } from './browser.mjs';
import { labHarness } from './harness.mjs';
import { ServersLab } from './pages/servers_lab.mjs';

const openLab = labHarness();

async function open(mode = 'plain', hash = '#/servers') {
  const opened = await openLab(mode, hash);
  return { ...opened, lab: await new ServersLab(opened.page).ready() };
}

describe('Servers lab', () => {
  test('each preset makes its claim: who holds, who breaks, and why', async () => {
    const { lab, context, problems } = await open();
    await lab.loadPreset('long-io');
    assert.match(await lab.narration().innerText(), /Multi-process breaks .*4 workers, each held/);
    await lab.loadPreset('cpu-heavy');
    assert.match(await lab.narration().innerText(), /Evented breaks .*one event loop/);
    await lab.loadPreset('gil');
    assert.match(await lab.narration().innerText(), /Multi-threaded breaks .*GIL/);
    await lab.loadPreset('burst');
    const rows = await lab.comparison();
    for (const model of ['multi_process', 'multi_threaded', 'evented', 'hybrid']) {
      assert.ok(rows[model].rejected > 0, `${model} refuses part of a burst`);
    }
    assert.ok(rows.hybrid.rejected < rows.multi_process.rejected, 'more workers take more in');
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('picking a model draws its workers and cores, and the link reopens it', async () => {
    const { lab, page, context, problems, browser } = await open();
    await lab.loadPreset('cpu-heavy');
    await lab.showModel('hybrid');
    assert.equal(await lab.lanesHeading().innerText(), 'Hybrid lanes');
    const lanes = await lab.laneNames();
    assert.ok(lanes.includes('p4 thread 16') && lanes.includes('core 4'), lanes.join());
    assert.ok((await lab.comparison()).hybrid.selected);
    await lab.zoomIn();
    assert.match(await lab.showing(), /^Showing .+ of /);
    // The address holds the state (written after edits settle).
    await page.waitForFunction(() => location.hash.includes('s=v1.'));
    const address = page.url();
    const again = await openPage(browser, address);
    const reopened = await new ServersLab(again.page).ready();
    assert.equal(await reopened.lanesHeading().innerText(), 'Hybrid lanes');
    assert.match(await reopened.narration().innerText(), /Evented breaks/);
    assert.deepEqual([...problems, ...again.problems], []);
    await again.context.close();
    await context.close();
  });

  for (const mode of ['isolated', 'plain']) {
    test(`the load sweep runs off the main thread and finds where each model breaks (${mode})`, async () => {
      const { lab, page, context, problems } = await open(mode);
      assert.equal(await page.evaluate(() => crossOriginIsolated), mode === 'isolated');
      await lab.loadPreset('long-io');
      await lab.sweep();
      assert.equal(await lab.sweepPoints(), 20);
      const summary = await lab.sweepSummary();
      assert.match(summary, /Multi-process: first fails at \d+\/s/);
      assert.match(summary, /Evented: (first fails at|never fails)/);
      assert.deepEqual(problems, []);
      await context.close();
    });
  }

  test('a long sweep shows progress, the page stays responsive, and cancel stops it', async () => {
    const { lab, page, context, problems } = await open();
    await lab.loadPreset('long-io');
    await lab.setField('Requests', 100000);
    await lab.sweep({ wait: false });
    await lab.sweepProgress().waitFor();
    // The page's own work goes on while the worker sweeps.
    const started = Date.now();
    await lab.showModel('evented');
    assert.equal(await lab.lanesHeading().innerText(), 'Evented lanes');
    assert.ok(Date.now() - started < 5000);
    // Wait until two whole loads are done (4 models each), then cancel:
    // the chart keeps the loads the sweep reached.
    await page.waitForFunction(() => Number(document.querySelector('[data-testid=sweep-progress] progress')?.value) >= 9);
    await lab.cancelSweep();
    const cancelled = page.getByTestId('sweep-cancelled');
    await cancelled.waitFor();
    const reached = await lab.sweepPoints();
    assert.ok(reached >= 2 && reached < 20, `${reached} loads kept`);
    assert.match(await cancelled.innerText(), new RegExp(`^Cancelled after ${reached} of 20 loads: the chart shows the loads it reached\\.`));
    // The worker is gone: the progress stops where it was.
    await page.waitForTimeout(500);
    assert.equal(await lab.sweepPoints(), reached);
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('every settings control reaches the scenario and the comparison', async () => {
    const { lab, context, problems } = await open();
    await lab.loadPreset('long-io');
    const start = await lab.scenario();
    await lab.editJson(JSON.stringify({ ...start, backlog: null, timeout_ms: null }));
    await lab.check('GIL', true);
    await lab.choose('Load balancer', 'least_outstanding');
    await lab.choose('Arrivals', 'bursts');
    await lab.setField('Burst size', 200);
    const kind = start.mix[0].name;
    await lab.choose(`${kind} I/O time: fixed or random`, 'exponential');
    await lab.choose(`${kind} CPU time: fixed or random`, 'fixed');
    await lab.check('Limit the backlog', true);
    await lab.setField('Backlog capacity', 7);
    await lab.check('Clients time out', true);
    await lab.setField('Timeout', 250);
    const edited = await lab.scenario();
    assert.equal(edited.server.gil, true);
    assert.equal(edited.server.balancer, 'least_outstanding');
    assert.equal(edited.traffic.arrival, 'bursts');
    assert.equal(edited.traffic.burst, 200);
    assert.equal(edited.backlog, 7);
    assert.equal(edited.timeout_ms, 250);
    assert.deepEqual(Object.keys(edited.mix[0].io_ms), ['exponential'], JSON.stringify(edited.mix[0]));
    assert.equal(typeof edited.mix[0].cpu_ms, 'number');
    // Bursts of 200 into a backlog of 7: every model refuses some.
    const rows = await lab.comparison();
    for (const model of ['multi_process', 'multi_threaded', 'evented', 'hybrid']) {
      assert.ok(rows[model].rejected > 0, `${model} refuses part of each burst`);
    }
    // Switching a limit off takes it out of the scenario again.
    await lab.check('Limit the backlog', false);
    await lab.check('Clients time out', false);
    await lab.check('GIL', false);
    const off = await lab.scenario();
    assert.equal(off.backlog ?? null, null);
    assert.equal(off.timeout_ms ?? null, null);
    assert.equal(off.server.gil ?? false, false);
    assert.equal((await lab.comparison()).hybrid.rejected, 0);
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('the backlog chart and the latency histogram show the run: the limit, every answer, percentiles and the timeout', async () => {
    const { lab, context, problems } = await open();
    await lab.loadPreset('burst');
    await lab.showModel('multi_process');
    const queue = await lab.queueChart();
    assert.deepEqual(queue.backlogLine, ['backlog full: 100']);
    const [, held, waiting] = /at most (\d+) in the server and (\d+) waiting/.exec(queue.label).map(Number);
    assert.equal(waiting, 100, 'a burst fills the backlog to its limit');
    assert.ok(held > waiting, `${held} held`);
    const scenario = await lab.scenario();
    const answered = scenario.traffic.requests - (await lab.comparison()).multi_process.rejected;
    const hist = await lab.histogram();
    assert.equal(hist.bars.reduce((a, b) => a + b, 0), answered, 'every answered request is in one bar');
    assert.match(hist.label, new RegExp(`^Latency histogram of ${answered} answered requests: p50 .+, p95 .+, p99 .+, max `));
    assert.match(hist.legend, /p50 .* · p95 .* · p99 .* · max/);
    // A timeout inside the latencies is drawn as a line.
    await lab.check('Clients time out', true);
    await lab.setField('Timeout', 100);
    const timed = await lab.histogram();
    assert.equal(timed.timeoutLine, 1);
    assert.match(timed.legend, /timeout 100 ms/);
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('bad edits say where and what, and lose nothing', async () => {
    const { lab, page, context, problems } = await open();
    await lab.loadPreset('long-io');
    await lab.setField('Processes', 64);
    const before = await lab.comparison();
    // Too many workers: refused with the field's path; the table stays.
    await lab.setField('Threads', 64);
    assert.match(await lab.settingsError().innerText(), /server\.threads: 64 processes x 64 threads is more than 1024 workers/);
    assert.deepEqual(await lab.comparison(), before);
    await lab.setField('Threads', 16);
    // Broken JSON: located error, the text is kept, the last good scenario stays.
    const broken = '{"lab": "servers", "traffic": {"rate": "fast"}}';
    await page.waitForFunction(() => location.hash.includes('s=v1.'));
    const hash = await page.evaluate(() => location.hash);
    await lab.editJson(broken);
    assert.match(await lab.jsonError().innerText(), /1:\d+ traffic\.rate: invalid type/);
    assert.equal(await lab.jsonText(), broken);
    await lab.addressChangedFrom(hash);
    // The draft survives a reload (it is in the address and the autosave).
    await page.reload();
    const reloaded = await new ServersLab(page).ready();
    assert.equal(await reloaded.jsonText(), broken);
    // A valid edit is taken at once and the text stays as typed.
    const valid = '{"lab": "servers", "traffic": {"rate": 25, "requests": 300}, "mix": [{"name": "db", "cpu_ms": 1, "io_ms": 9}]}';
    await reloaded.editJson(valid);
    await page.getByText('300 requests offered at 25 requests/s').waitFor();
    assert.equal(await reloaded.jsonText(), valid);
    assert.equal(await reloaded.jsonError().count(), 0);
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('every request offered is counted once: answered, late, dropped or refused, and the page says so', async () => {
    const { lab, context, problems } = await open();
    await lab.loadPreset('long-io');
    const rows = await lab.comparison();
    for (const [model, row] of Object.entries(rows)) {
      assert.equal(row.answered + row.late + row.dropped + row.rejected, 1500, `${model}: ${JSON.stringify(row)}`);
    }
    assert.match(await lab.root.getByTestId('outcomes-sentence').innerText(), /^Multi-process: of 1500 requests offered, \d+ answered in time, /);
    // The figures explain themselves where they are.
    await lab.root.getByTestId('glossary').locator('summary').click();
    assert.match(await lab.root.getByTestId('glossary').innerText(), /p50, p95, p99\s+Latency percentiles/);
    assert.equal(await lab.root.getByTestId('request-type').count() > 0, true, 'the legend names each request type\'s colour');
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('the timeline\'s cursor moves by keyboard, a zoomed view pans with it, and a link keeps both', async () => {
    const { lab, page, context, problems } = await open();
    const slider = lab.root.getByTestId('servers-cursor');
    await slider.focus();
    for (let i = 0; i < 5; i++) await page.keyboard.press('ArrowRight');
    const at = lab.root.getByTestId('at-cursor');
    await at.waitFor();
    assert.match(await slider.getAttribute('aria-valuetext'), /./);
    await lab.root.getByRole('button', { name: 'Zoom in' }).click();
    await lab.root.getByRole('button', { name: 'Zoom in' }).click();
    const view = async () => ({
      min: Number(await slider.getAttribute('data-view-from')),
      max: Number(await slider.getAttribute('data-view-to')),
    });
    const before = await view();
    await slider.focus();
    for (let i = 0; i < 40; i++) await page.keyboard.press('PageUp');
    const after = await view();
    assert.ok(after.min > before.min, `the view panned with the cursor: ${JSON.stringify(before)} -> ${JSON.stringify(after)}`);
    const cursor = Number(await slider.inputValue());
    assert.ok(cursor >= after.min && cursor <= after.max);
    // The address holds them: a reload opens the same cursor and view.
    await page.waitForFunction(() => location.hash.includes('s=v1.'));
    await page.waitForTimeout(400);
    await page.reload();
    const reloaded = await new ServersLab(page).ready();
    const again = reloaded.root.getByTestId('servers-cursor');
    assert.equal(Number(await again.inputValue()), cursor);
    assert.equal(Number(await again.getAttribute('data-view-from')), after.min);
    assert.deepEqual(problems, []);
    await context.close();
  });
});
