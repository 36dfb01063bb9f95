// End-to-end: every lab's timeline downloads as a trace file for Perfetto
// (Chrome's trace event JSON) that parses, with the events the run has,
// and as SVG and PNG figures with a title and a legend. Needs dist/.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { labHarness } from './harness.mjs';
import { ModelsLab } from './pages/models_lab.mjs';
import { RacesLab } from './pages/races_lab.mjs';
import { ServersLab } from './pages/servers_lab.mjs';
import { ParallelLab } from './pages/parallel_lab.mjs';

const openLab = labHarness();

/** Clicks `button`; the download's suggested name, path and JSON. */
async function downloadJson(page, button) {
  const [file] = await Promise.all([page.waitForEvent('download'), button.click()]);
  const path = await file.path();
  return { name: file.suggestedFilename(), path, json: JSON.parse(await readFile(path, 'utf8')) };
}

/** Clicks `button`, reads the downloaded trace: { name, events, byPhase(ph) }. */
async function download(page, button) {
  const { name, json } = await downloadJson(page, button);
  const events = json.traceEvents;
  return {
    name,
    events,
    byPhase: (ph) => events.filter((event) => event.ph === ph),
    threads: events.filter((event) => event.name === 'thread_name').map((event) => event.args.name),
  };
}

/**
 * Downloads the figure of the timeline in `root` as SVG and PNG: its
 * title, legend words, the timeline's span count, and both files' sizes.
 */
async function figure(page, root) {
  const [svgFile] = await Promise.all([page.waitForEvent('download'), root.getByTestId('svg-download').click()]);
  const svg = await readFile(await svgFile.path(), 'utf8');
  const [pngFile] = await Promise.all([page.waitForEvent('download'), root.getByTestId('png-download').click()]);
  const png = await readFile(await pngFile.path());
  const decode = (text) => text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&');
  const outer = svg.match(/^<\?xml[^>]*>\s*<svg[^>]*width="([\d.]+)" height="([\d.]+)"/);
  assert.ok(outer, 'a standalone SVG document with its size');
  assert.deepEqual([...png.subarray(1, 4)], [0x50, 0x4e, 0x47], 'a PNG file');
  return {
    names: [svgFile.suggestedFilename(), pngFile.suggestedFilename()],
    title: decode(svg.match(/<text class="export-title"[^>]*>([^<]*)<\/text>/)[1]),
    legend: [...svg.matchAll(/<text class="legend-text"[^>]*>([^<]*)<\/text>/g)].map((m) => decode(m[1])),
    spans: (svg.match(/class="span /g) ?? []).length,
    svgSize: [Number(outer[1]), Number(outer[2])],
    // The PNG is drawn at twice the SVG's size (IHDR: width, height).
    pngSize: [png.readUInt32BE(16), png.readUInt32BE(20)],
  };
}

describe('SVG and PNG figures: the timeline with a title and a legend', () => {
  test('Models, Races and Servers', async () => {
    const { page, context, problems } = await openLab('plain', '#/models');
    const models = await new ModelsLab(page).ready();
    const card = models.config('sync, 1 thread');
    const drawn = await card.locator('figure.timeline rect.span').count();
    let fig = await figure(page, card);
    assert.deepEqual(fig.names, ['interleave-sync-1-thread.svg', 'interleave-sync-1-thread.png']);
    assert.match(fig.title, /^sync, 1 thread: done at \d+ ms$/);
    assert.equal(fig.spans, drawn, 'the timeline as drawn');
    // The default workload: three tasks, run and blocked, one lane busy.
    assert.deepEqual(fig.legend.slice(0, 3), ['A', 'B', 'C']);
    assert.ok(fig.legend.includes('blocked on I/O (hatched)') && fig.legend.includes('running (solid)'), fig.legend.join(', '));
    assert.deepEqual(fig.pngSize, fig.svgSize.map((side) => Math.round(side * 2)));

    await page.goto(page.url().replace(/#.*/, '#/races'));
    const races = await new RacesLab(page).ready();
    await races.loadLesson('lost-update');
    await races.step('A', 'B', 'A');
    fig = await figure(page, races.root);
    assert.equal(fig.title, 'Lost update on a counter: 3 of 3 steps');
    assert.ok(fig.legend.includes('running (solid)'), fig.legend.join(', '));

    await page.goto(page.url().replace(/#.*/, '#/servers'));
    const servers = await new ServersLab(page).ready();
    fig = await figure(page, servers.root);
    assert.match(fig.title, /serving \d+ requests$/);
    assert.ok(fig.spans > 0 && fig.legend.length > 0);
    assert.deepEqual(problems, []);
    await context.close();
  });
});

describe('Perfetto trace files', () => {
  test('Models: the default sync run on one thread, counted by hand', async () => {
    const { page, context, problems } = await openLab('plain', '#/models');
    const lab = await new ModelsLab(page).ready();
    const file = await download(page, lab.config('sync, 1 thread').getByTestId('trace-download'));
    assert.equal(file.name, 'interleave-sync-1-thread.json');
    // 3 tasks x (running, blocked, running); 3 x (arrive, start, block,
    // unblock, complete).
    assert.equal(file.byPhase('X').length, 9);
    assert.equal(file.byPhase('i').length, 15);
    const blocked = file.events.find((event) => event.name === 'B (blocked)');
    assert.deepEqual([blocked.ts, blocked.dur], [80_000, 50_000], 'microseconds');
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('Races: one span per step taken', async () => {
    const { page, context, problems } = await openLab('plain', '#/races');
    const lab = await new RacesLab(page).ready();
    await lab.loadLesson('lost-update');
    await lab.step('A', 'B', 'A');
    const file = await download(page, lab.root.getByTestId('trace-download'));
    assert.equal(file.byPhase('X').length, 3);
    assert.deepEqual(file.threads, ['A', 'B']);
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('Servers: the shown model\'s lanes, spans and events', async () => {
    const { page, context, problems } = await openLab('plain', '#/servers');
    const lab = await new ServersLab(page).ready();
    const file = await download(page, lab.root.getByTestId('trace-download'));
    const lanes = await lab.root.locator('figure.timeline g.lane').count();
    assert.equal(file.threads.length, lanes);
    assert.ok(file.byPhase('X').length >= lanes, 'spans on the lanes');
    assert.ok(file.byPhase('i').length > 0, 'arrivals and completions');
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('Parallel: the last run, one span per chunk', async () => {
    const { page, context, problems } = await openLab('isolated', '#/parallel');
    const lab = new ParallelLab(page);
    const workers = await lab.poolReady();
    await lab.setField('Kernel size', 300);
    await lab.run();
    const chunks = (await lab.workerChunks()).reduce((a, b) => a + b, 0);
    const file = await download(page, lab.root.getByTestId('trace-download'));
    assert.equal(file.byPhase('X').length, chunks, 'no serial part: every span a chunk');
    assert.equal(file.threads.length, Math.min(workers, 2));
    // The same run as a figure: its title, and the chunks as drawn.
    const fig = await figure(page, lab.root);
    assert.match(fig.title, /^Mandelbrot image on [12] workers \(measured\)$/);
    assert.equal(fig.spans, await lab.root.locator('figure.timeline rect.span').count());
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('a lab saved as a file opens again, from any lab; a damaged file says where', async () => {
    const { page, context, problems } = await openLab('plain', '#/races');
    const lab = await new RacesLab(page).ready();
    await lab.loadLesson('lost-update');
    await lab.step('A', 'B', 'A');
    const { name, path, json: saved } = await downloadJson(page, lab.root.getByRole('button', { name: 'Save lab file' }));
    assert.equal(name, 'interleave-races.json');
    assert.equal(saved.format, 'interleave-lab/1');
    assert.deepEqual(saved.state.races.schedule, [0, 1, 0]);
    // Opened from the Models lab, the Races lab opens on it.
    await page.goto(page.url().replace(/#.*/, '#/models'));
    const models = await new ModelsLab(page).ready();
    await models.root.getByLabel('Open lab file').setInputFiles(path);
    const again = await new RacesLab(page).ready();
    assert.deepEqual(await again.stepCount(), { at: 3, of: 3 });
    // A damaged file: the line, column and field, and nothing changes.
    await again.root.getByLabel('Open lab file').setInputFiles({
      name: 'bad.json',
      mimeType: 'application/json',
      buffer: Buffer.from('{"format": "interleave-lab/1",\n "state": {"races": {"source": 5}}}'),
    });
    assert.match(await again.root.getByTestId('lab-file-problem').innerText(), /^bad\.json: 2:\d+ state\.races\.source: invalid type: integer `5`, expected a string/);
    assert.deepEqual(await again.stepCount(), { at: 3, of: 3 });
    // The same damaged file opened from the Models lab: the Races lab's
    // module reads it (ARCHITECTURE.md, "A module per lab") and says the
    // same, where the Races lab shows what it had.
    await page.goto(page.url().replace(/#.*/, '#/models'));
    const models2 = await new ModelsLab(page).ready();
    await models2.root.getByLabel('Open lab file').setInputFiles({
      name: 'bad.json',
      mimeType: 'application/json',
      buffer: Buffer.from('{"format": "interleave-lab/1",\n "state": {"races": {"source": 5}}}'),
    });
    const banner = page.getByRole('alert').filter({ hasText: 'bad.json' });
    assert.match(await banner.innerText(), /^bad\.json: 2:\d+ state\.races\.source: invalid type: integer `5`, expected a string/);
    const third = await new RacesLab(page).ready();
    assert.deepEqual(await third.stepCount(), { at: 3, of: 3 });
    assert.deepEqual(problems, []);
    await context.close();
  });
});
