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
    assert.match(await error.innerText(), /broken\.json: 2:33 tasks\[0\]\.segments\[0\]\.compute: invalid type: string "ten"/);
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
});
