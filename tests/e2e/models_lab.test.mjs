// End-to-end: the Models lab in real headless Chromium. Needs dist/.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { serveDist } from './server.mjs';
import { launch, openPage } from './browser.mjs';
import { ModelsLab } from './pages/models_lab.mjs';

let browser;
let server;
before(async () => {
  browser = await launch();
  server = await serveDist({ isolated: false });
});
after(async () => {
  await browser?.close();
  await server?.close();
});

async function open() {
  const opened = await openPage(browser, `${server.url}#/models`);
  return { ...opened, lab: await new ModelsLab(opened.page).ready() };
}

describe('Models lab', () => {
  test('compares sync and async on 1 and 4 threads by default', async () => {
    const { lab, context, problems } = await open();
    assert.deepEqual(await lab.configLabels(), ['sync, 1 thread', 'sync, 4 threads', 'async, 1 thread', 'async, 4 threads']);
    assert.equal(await lab.makespan('sync, 1 thread'), 210);
    assert.equal(await lab.makespan('async, 1 thread'), 90);
    assert.equal(await lab.makespan('sync, 4 threads'), 70);
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('scrubbing shows each thread, the queue, parked tasks and a narration', async () => {
    const { lab, context, problems } = await open();
    await lab.selectConfig(2); // async, 1 thread
    await lab.scrubTo(15);
    assert.equal(await lab.cursor(), 15);
    assert.equal(await lab.laneState(0).innerText(), 'running B');
    assert.equal(await lab.queue().innerText(), 'C');
    assert.equal(await lab.parked().innerText(), 'A (waiting for the database)');
    assert.match(await lab.narration().innerText(), /At 10 ms: Event loop parks task A while it waits for the database and picks up task B\./);
    await lab.selectConfig(0); // sync, 1 thread
    assert.equal(await lab.laneState(0).innerText(), 'blocked: A waits for the database');
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('stepping and playing move the cursor forward', async () => {
    const { lab, page, context, problems } = await open();
    await lab.nextEvent();
    assert.equal(await lab.cursor(), 10);
    await lab.nextEvent();
    assert.equal(await lab.cursor(), 20);
    await page.keyboard.press('ArrowRight');
    assert.equal(await lab.cursor(), 30);
    await page.keyboard.press('Home');
    assert.equal(await lab.cursor(), 0);
    await lab.play();
    await page.waitForFunction(() => Number(document.querySelector('.cursor-time').textContent.split(' ')[0]) >= 20);
    await lab.pause();
    const paused = await lab.cursor();
    await page.waitForTimeout(200);
    assert.equal(await lab.cursor(), paused, 'the cursor stays put once paused');
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('a preset loads with its lesson and re-simulates every configuration', async () => {
    const { lab, context, problems } = await open();
    await lab.loadPreset('A CPU-heavy batch');
    await lab.root.getByText('only more threads on more cores help').waitFor();
    assert.equal(await lab.makespan('sync, 1 thread'), 160);
    assert.equal(await lab.makespan('async, 1 thread'), 160);
    assert.equal(await lab.makespan('sync, 4 threads'), 40);
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('bad input shows an error beside the field and keeps the last valid result', async () => {
    const { lab, context, problems } = await open();
    const field = lab.durationField('A', 2);
    await field.fill('abc');
    await lab.root.getByText('"abc" is not a whole number').waitFor();
    assert.equal(await field.inputValue(), 'abc', 'what was typed stays');
    assert.equal(await lab.makespan('sync, 1 thread'), 210, 'the last valid result stays');
    await field.fill('0');
    await lab.root.getByText('must be at least 1').waitFor();
    await field.fill('20');
    await lab.root.locator('.field-error').waitFor({ state: 'detached' });
    assert.equal(await lab.makespan('sync, 1 thread'), 180);
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('an edit that would simulate too much is refused with a reason, before anything runs', async () => {
    const { lab, page, context, problems } = await open();
    // Four threads on one core time-slice every 10 ms.
    await lab.setConfig(2, { cores: 1 });
    assert.equal(await lab.makespanOf(2), 93);
    // A step of 10^9 ms would be 10^8 slices: refused at once.
    const started = Date.now();
    await lab.durationField('A', 1).fill('1000000000');
    const refusal = lab.root.getByTestId('work-refusal');
    await refusal.waitFor();
    assert.ok(Date.now() - started < 5000, 'no freeze');
    assert.match(await refusal.innerText(), /configs\[1\]\.quantum: 4 threads time-sliced on 1 core with a quantum of 10 would record up to \d+ spans and events; the most is 4000000/);
    assert.equal(await lab.makespan('sync, 1 thread'), 210, 'the last accepted workload stays');
    // A fix is taken and the notice goes.
    await lab.durationField('A', 1).fill('20');
    await refusal.waitFor({ state: 'detached' });
    assert.equal(await lab.makespan('sync, 1 thread'), 220);
    assert.equal(await page.evaluate(() => document.title.length > 0), true);
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('task names are text, never HTML', async () => {
    const { lab, page, context, problems } = await open();
    await lab.root.getByLabel('Task 1 name').fill('<img src=x onerror="window.pwned=1">');
    await lab.root.getByText('As code').waitFor();
    assert.match(await lab.code().innerText(), /<img src=x onerror=/);
    assert.equal(await page.evaluate(() => window.pwned), undefined);
    assert.equal(await page.locator('section.models-lab img').count(), 0);
    assert.deepEqual(problems, []);
    await context.close();
  });
});

describe('Models lab editing', () => {
  test('configuration cards: model, threads and cores re-simulate; cards are added and removed', async () => {
    const { lab, context, problems } = await open();
    await lab.setConfig(1, { kind: 'async' });
    assert.equal((await lab.configLabels())[0], 'async, 1 thread');
    assert.equal(await lab.makespanOf(1), 90);
    // Four threads time-slicing one core (a 10 ms quantum): 93 ms, between
    // one async thread (90) and one core per thread (70).
    await lab.setConfig(2, { cores: 1 });
    assert.equal((await lab.configLabels())[1], 'sync, 4 threads, 1 core');
    assert.equal(await lab.makespanOf(2), 93);
    await lab.setConfig(2, { threads: 2, cores: '' });
    assert.equal((await lab.configLabels())[1], 'sync, 2 threads');
    assert.equal(await lab.makespanOf(2), 140);
    await lab.removeConfig(4);
    assert.deepEqual(await lab.configLabels(), ['async, 1 thread', 'sync, 2 threads', 'async, 1 thread']);
    await lab.addConfig();
    assert.deepEqual(await lab.configLabels(), ['async, 1 thread', 'sync, 2 threads', 'async, 1 thread', 'async, 1 thread']);
    assert.equal(await lab.root.getByRole('button', { name: '+ Compare another configuration' }).count(), 0, 'four at most');
    for (let n = 4; n > 1; n--) await lab.removeConfig(n);
    assert.deepEqual(await lab.configLabels(), ['async, 1 thread']);
    assert.equal(await lab.root.getByRole('button', { name: /^Remove configuration/ }).count(), 0, 'the last card stays');
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('step editing: add a step, move it, change what a wait is for', async () => {
    const { lab, context, problems } = await open();
    assert.deepEqual(await lab.steps('A'), [
      { kind: 'compute', duration: 10 },
      { kind: 'wait:database', duration: 50 },
      { kind: 'compute', duration: 10 },
    ]);
    await lab.addStep('A');
    assert.deepEqual((await lab.steps('A')).at(-1), { kind: 'compute', duration: 5 });
    assert.equal(await lab.makespan('sync, 1 thread'), 215);
    // The wait moves to the end: A computes 10 + 10 + 5 before it waits.
    await lab.moveStep('A', 2, 'later');
    await lab.moveStep('A', 3, 'later');
    assert.deepEqual((await lab.steps('A')).map((step) => step.kind), ['compute', 'compute', 'compute', 'wait:database']);
    await lab.setStepKind('A', 4, 'wait:disk');
    assert.equal((await lab.steps('A'))[3].kind, 'wait:disk');
    // Sync, one thread: A blocks its thread on the disk from 25 ms.
    await lab.selectConfig(0);
    await lab.scrubTo(30);
    assert.equal(await lab.laneState(0).innerText(), 'blocked: A waits for the disk');
    assert.equal(await lab.makespan('sync, 1 thread'), 215, 'moving steps keeps the total');
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('show as code: each language tab shows its program, and Copy puts it on the clipboard', async () => {
    const { lab, page, context, problems } = await open();
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    await lab.selectConfig(2); // async, 1 thread
    const seen = {};
    const runs = [
      ['Ruby', /require 'async'/, /async gem \(gem install async\).*and run ruby tasks\.rb/],
      ['JavaScript', /await Promise\.all/, /Node 18 or later.*tasks\.mjs, and run node tasks\.mjs/],
      ['Rust', /tokio::time::sleep/, /tokio = \{ version = "1".*and run cargo run --release/],
    ];
    for (const [language, marker, note] of runs) {
      await lab.codeTab(language);
      assert.equal(await lab.root.getByRole('tab', { name: language }).getAttribute('aria-selected'), 'true');
      seen[language] = await lab.code().innerText();
      assert.match(seen[language], marker, language);
      // Run it yourself: the runtime and the command, under the code.
      assert.match(await lab.root.getByTestId('run-it-yourself').innerText(), note, language);
    }
    assert.equal(new Set(Object.values(seen)).size, 3);
    await lab.copyButton().click();
    await lab.copyButton().getByText('Copied ✓').waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), seen.Rust);
    // Another configuration's code, and the button is ready again.
    await lab.selectConfig(0);
    assert.equal(await lab.copyButton().innerText(), 'Copy');
    assert.doesNotMatch(await lab.code().innerText(), /tokio::time::sleep/);
    assert.doesNotMatch(await lab.root.getByTestId('run-it-yourself').innerText(), /tokio/, 'sync Rust needs no tokio');
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('the timeline scrubs by click and by drag', async () => {
    const { lab, page, context, problems } = await open();
    const svg = lab.timeline('sync, 1 thread');
    // Task A computes 0-10 ms, then blocks on the database until 60 ms.
    const box = (selector) =>
      svg.locator(selector).first().evaluate((rect) => {
        const box = rect.getBoundingClientRect();
        return { left: box.left, right: box.right, y: box.top + box.height / 2 };
      });
    const compute = await box('rect.span[data-task="0"]:not(.blocked)');
    const blocked = await box('rect.span.blocked[data-task="0"]');
    await page.mouse.click(compute.right - 0.5, compute.y);
    const clicked = await lab.cursor();
    assert.ok(Math.abs(clicked - 10) <= 1, `a click at the end of A's first step: ${clicked} ms`);
    await page.mouse.move(compute.left + 1, compute.y);
    await page.mouse.down();
    const moves = [];
    for (const x of [blocked.left + 5, (blocked.left + blocked.right) / 2, blocked.right - 0.5]) {
      await page.mouse.move(x, compute.y);
      moves.push(await lab.cursor());
    }
    await page.mouse.up();
    assert.ok(moves[0] < moves[1] && moves[1] < moves[2], `the cursor follows the drag: ${moves}`);
    assert.ok(Math.abs(moves[2] - 60) <= 1, `dragged to the end of the wait: ${moves[2]} ms`);
    // After the button is released, moving the mouse moves nothing.
    await page.mouse.move(compute.left + 1, compute.y);
    assert.equal(await lab.cursor(), moves[2]);
    // At 60 ms the database answered: A computes its last step.
    assert.equal(await lab.laneState(0).innerText(), 'running A');
    assert.deepEqual(problems, []);
    await context.close();
  });
});

describe('Models lab files', () => {
  test('imports a scenario file, and a broken one shows a located error and changes nothing', async () => {
    const { lab, page, context, problems } = await open();
    const input = lab.root.getByLabel('Import a scenario file');
    await input.setInputFiles({
      name: 'broken.json',
      mimeType: 'application/json',
      buffer: Buffer.from('{"tasks": [\n  {"segments": [{"compute": "ten"}]}\n]}'),
    });
    const error = lab.root.locator('.import-error');
    await error.waitFor();
    assert.match(await error.innerText(), /broken\.json: 2:29 tasks\[0\]\.segments\[0\]\.compute: invalid type: string "ten"/);
    assert.equal(await lab.makespan('sync, 1 thread'), 210, 'the workload is unchanged');
    await input.setInputFiles({
      name: 'two.json',
      mimeType: 'application/json',
      buffer: Buffer.from(JSON.stringify({ name: 'Two tasks', tasks: [{ segments: [{ compute: 5 }] }, { segments: [{ wait: 7, on: 'disk' }] }] })),
    });
    await error.waitFor({ state: 'detached' });
    assert.equal(await lab.makespan('sync, 1 thread'), 12);
    assert.equal(await page.locator('.task').count(), 2);
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('an edited preset is your workload, and while playing the narration stays in view of the timelines', async () => {
    const { lab, page, context, problems } = await open();
    await page.setViewportSize({ width: 1400, height: 900 });
    await lab.loadPreset('A CPU-heavy batch');
    assert.match(await lab.root.getByTestId('models-lesson').innerText(), /^What to look for: /);
    await lab.root.getByRole('button', { name: '+ Add task' }).click();
    assert.match(await lab.root.getByTestId('models-lesson').innerText(), /^Your workload, edited from “A CPU-heavy batch”/);
    assert.equal(await lab.root.getByLabel('Load a preset workload').inputValue(), '', 'the picker says "Your workload"');
    await lab.play();
    await page.waitForFunction(() => Number(/^(\d+)/.exec(document.querySelector('.cursor-time').textContent)[1]) > 0);
    const narration = lab.root.getByTestId('playback-narration');
    await page.mouse.wheel(0, 400);
    await page.waitForTimeout(300);
    const box = await narration.boundingBox();
    const view = page.viewportSize();
    assert.ok(box && box.y >= 0 && box.y + box.height <= view.height, `the narration is in the window: ${JSON.stringify(box)}`);
    assert.match(await narration.innerText(), /^at \d+ ms: /);
    await lab.pause();
    assert.deepEqual(problems, []);
    await context.close();
  });
});
