// End-to-end: the Event loop lab in real headless Chromium: stepping,
// narration, editing, links, and the real run in an opaque-origin sandbox
// (compared both ways, and attacked). Needs dist/.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { labHarness } from './harness.mjs';
import { EventLoopLab } from './pages/eventloop_lab.mjs';

const openLab = labHarness();

async function open(mode = 'plain', hash = '#/eventloop') {
  const opened = await openLab(mode, hash);
  return { ...opened, lab: await new EventLoopLab(opened.page).ready() };
}

describe('Event loop lab', () => {
  test('setTimeout(0) or then: the queues, the job taken next, the console and the narration at every step, forwards and back', async () => {
    const { lab, context, problems } = await open();
    await lab.loadLesson('timeout-vs-then');
    assert.deepEqual(await lab.position().then((p) => [p.at, p.of]), [0, 12]);
    assert.match(await lab.narration().innerText(), /The program starts: the script runs as the first task/);
    // Into the script: it is on the call stack, its first line is next.
    await lab.press('forward');
    assert.deepEqual(await lab.items('call-stack'), ['script (the main module) line 2']);
    assert.equal(await lab.currentLine(), '2');
    // To the end of the script: one microtask and one timer wait, and the
    // microtask is marked as the next job.
    await lab.press('forward', 3);
    assert.equal(await lab.currentLine(), '12');
    assert.match(await lab.narration().innerText(), /What line 8 did:[\s\S]*Queued a microtask/);
    await lab.press('forward');
    assert.match(await lab.narration().innerText(), /The job is done and the call stack is empty\. 1 microtask is waiting/);
    assert.deepEqual(await lab.items('call-stack'), []);
    assert.equal((await lab.items('microtasks')).length, 1);
    assert.equal((await lab.items('timers')).length, 1);
    assert.match(await lab.next(), /promise fulfilled.*next/i);
    assert.deepEqual(await lab.items('console'), ['1. script starts', '2. script ends']);
    // The next job is the microtask; then the timer.
    await lab.press('next-job');
    assert.match(await lab.narration().innerText(), /runs the next microtask, before any timer/);
    await lab.press('next-job');
    assert.match(await lab.narration().innerText(), /a timer is due: the event loop runs/);
    await lab.press('to-end');
    assert.deepEqual(await lab.items('console'), ['1. script starts', '2. script ends', '3. then callback (a microtask)', '4. timer callback (a task)']);
    assert.match(await lab.narration().innerText(), /Node would exit now/);
    // Back: the last line printed is unprinted again.
    await lab.press('back', 2);
    assert.equal((await lab.items('console')).length, 3);
    // The scrubber and what a screen reader hears there.
    await lab.scrubTo(4);
    assert.equal((await lab.position()).at, 4);
    const said = await lab.root.getByTestId('scrubber').getAttribute('aria-valuetext');
    assert.ok(said.startsWith((await lab.position()).text), said);
    // The keyboard: the step button works with Enter.
    await lab.root.getByTestId('forward').focus();
    await lab.page.keyboard.press('Enter');
    assert.equal((await lab.position()).at, 5);
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('a long task holds the call stack: the due timer waits, the frames inside it are missed, and the narration says how late', async () => {
    const { lab, context, problems } = await open();
    await lab.loadLesson('long-task-blocks');
    await lab.press('to-end');
    await lab.press('previous-job');
    assert.match(await lab.narration().innerText(), /It was due at 10\.\d+ ms: the thread was busy until 200\.\d+ ms/);
    const frames = await lab.root.getByTestId('frames').innerText();
    assert.match(frames, /0 drawn, 1[12] missed so far/);
    // The timeline's frames lane has hatched (missed) marks, and its legend says so.
    assert.ok(await lab.root.locator('.eventloop-timeline .span.blocked').count() >= 11);
    assert.match(await lab.root.locator('.eventloop-timeline .legend').innerText(), /a frame missed: a job held the thread/);
    assert.doesNotMatch(await lab.root.locator('.eventloop-timeline .legend').innerText(), /I\/O \(hatched\)/);
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('what the lab does not run is refused with line and column; the text stays; a fix runs again', async () => {
    const { lab, context, problems } = await open();
    const program = 'console.log("a");\nclass Box {}\n';
    await lab.edit(program);
    const error = lab.root.getByTestId('program-error');
    await error.waitFor();
    assert.match(await error.innerText(), /^Line 2:1: classes: not supported in this lab/);
    assert.equal(await lab.root.getByTestId('program').inputValue(), program);
    assert.equal(await lab.root.getByTestId('run-real').count(), 0, 'nothing to run for real');
    assert.match(await lab.root.getByTestId('stale').innerText(), /the last version that ran/);
    await lab.edit('console.log("a");\nconst box = {};\n');
    await lab.root.getByTestId('code').waitFor();
    await lab.press('to-end');
    assert.deepEqual(await lab.items('console'), ['a']);
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('a link opens the same program at the same step, and its code runs for real only on a click', async () => {
    const { lab, page, context, problems } = await open();
    await lab.edit('setTimeout(() => console.log("from a link"), 5);\nconsole.log("first");\n');
    await lab.press('forward', 2);
    await page.getByRole('button', { name: 'Share / Embed' }).click();
    const link = await page.getByRole('dialog').getByRole('textbox').first().inputValue();
    assert.match(link, /#\/eventloop\?s=v1\./);
    await context.close();
    const visitor = await openLab('plain', new URL(link).hash);
    const seen = await new EventLoopLab(visitor.page).ready();
    assert.equal((await seen.position()).at, 2);
    assert.match(await seen.root.getByTestId('program').inputValue(), /from a link/);
    // Nothing ran for real: no sandbox frame, no verdict.
    await visitor.page.waitForTimeout(500);
    assert.equal(await visitor.page.locator('iframe').count(), 0);
    assert.equal(await seen.root.getByTestId('real-verdict').count(), 0);
    assert.deepEqual(visitor.problems, []);
    assert.deepEqual(problems, []);
    await visitor.context.close();
  });

  test('every lesson, the frame lesson included, prints the same lines in this browser as in the lab', async (t) => {
    const { lab, context, problems } = await open();
    const ids = await lab.root.getByTestId('lesson').locator('option').evaluateAll((options) => options.map((o) => o.value));
    assert.ok(ids.length >= 10, `${ids.length} lessons`);
    for (const id of ids) {
      await lab.loadLesson(id);
      const verdict = await lab.runForReal();
      t.diagnostic(`${id}: ${verdict}`);
      assert.match(verdict, /^Same order: all \d+ lines match in Chrome\//, id);
    }
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('a program whose order hangs on what the lab does not model differs, and the page says at which line', async () => {
    const { lab, context, problems } = await open();
    // Node runs a 0 ms timeout after 1 ms, so these two run in the order
    // they were set; Chromium runs the 0 ms one first.
    await lab.edit('setTimeout(() => console.log("one ms"), 1);\nsetTimeout(() => console.log("zero ms"), 0);\n');
    await lab.root.getByTestId('code').waitFor();
    const verdict = await lab.runForReal();
    assert.equal(verdict, 'Differs at line 1: the lab printed “one ms”, ' + verdict.match(/Chrome\/\d+/)[0] + ' printed “zero ms”.');
    assert.deepEqual(await lab.realConsole(), ['zero ms', 'one ms']);
    assert.equal(await lab.root.locator('.side-by-side .first-difference').count(), 2);
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('a real run that never ends is stopped after 5 s, and the lab says so', async () => {
    const { lab, context, problems } = await open();
    await lab.edit('console.log("spinning");\nwhile (true) {}\n');
    await lab.root.getByTestId('code').waitFor();
    const verdict = await lab.runForReal(15000);
    assert.match(verdict, /did not finish \(it was stopped after 5 s\); its first 1 lines match/);
    assert.equal(await lab.page.locator('iframe').count(), 0, 'the sandbox is gone');
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('the sandbox cannot reach the page, its storage, its links or the network', async () => {
    const { page, context, problems } = await open('isolated');
    await page.evaluate(() => localStorage.setItem('interleave.canary', 'kept'));
    const hostile = `
      const out = [];
      const attempt = async (what, f) => { try { out.push(what + ': ' + String(await f())); } catch (e) { out.push(what + ': blocked (' + e.name + ')'); } };
      await attempt('origin', () => self.origin);
      await attempt('fetch', () => fetch('/').then((r) => 'status ' + r.status));
      await attempt('fetch elsewhere', () => fetch('https://example.com/').then((r) => 'status ' + r.status));
      await attempt('indexedDB', () => new Promise((ok, no) => { const r = indexedDB.open('x'); r.onsuccess = () => ok('opened'); r.onerror = () => no(r.error); }));
      await attempt('caches', () => caches.keys().then(() => 'opened'));
      await attempt('importScripts', () => { importScripts('/web/loader.js'); return 'loaded'; });
      await attempt('localStorage', () => typeof localStorage === 'undefined' ? 'absent' : localStorage.getItem('interleave.canary'));
      await attempt('document', () => typeof document === 'undefined' ? 'absent' : document.cookie);
      for (const line of out) console.log(line);
    `;
    const prelude = (await readFile(new URL('../../web/eventloop/format.js', import.meta.url), 'utf8')) + '\n'
      + (await readFile(new URL('../../web/eventloop/worker-prelude.js', import.meta.url), 'utf8')) + '\n';
    const module = `${prelude}(async function () {\n'use strict';\n${hostile}\n}).call(undefined);\n`;
    const { lines, sandbox } = await page.evaluate((module) => new Promise((resolve) => {
      const frame = document.createElement('iframe');
      frame.setAttribute('sandbox', 'allow-scripts');
      frame.src = 'eventloop/sandbox.html';
      document.body.append(frame);
      const lines = [];
      addEventListener('message', (event) => {
        const m = event.data && event.data.interleaveSandbox;
        if (!m || event.source !== frame.contentWindow) return;
        if (m.ready) frame.contentWindow.postMessage({ interleaveRun: { module, seconds: 5 } }, '*');
        if (m.line) lines.push(m.line);
        if (m.done || m.threw || m.timedOut || m.failed) {
          let sandbox;
          try { sandbox = frame.contentDocument === null ? 'opaque' : 'same origin'; } catch { sandbox = 'opaque'; }
          frame.remove();
          resolve({ lines, sandbox });
        }
      });
    }), module);
    assert.equal(sandbox, 'opaque', 'the page cannot see into the frame, nor it into the page');
    const said = Object.fromEntries(lines.map((line) => line.split(/: (.*)/s).slice(0, 2)));
    assert.equal(said.origin, 'null');
    assert.match(said.fetch, /^blocked/);
    assert.match(said['fetch elsewhere'], /^blocked/);
    assert.match(said.indexedDB, /^blocked/);
    assert.match(said.caches, /^blocked/);
    assert.match(said.importScripts, /^blocked/);
    assert.equal(said.localStorage, 'absent');
    assert.equal(said.document, 'absent');
    assert.equal(await page.evaluate(() => localStorage.getItem('interleave.canary')), 'kept');
    assert.match(page.url(), /#\/eventloop$/, 'the page is where it was');
    // The app's own frame: sandboxed to scripts alone.
    const { lab } = { lab: new EventLoopLab(page) };
    await lab.edit('console.log("x");\nawait io("wait", 300);\n');
    await lab.root.getByTestId('code').waitFor();
    await lab.root.getByTestId('run-real').click();
    assert.equal(await page.locator('iframe.sandbox-frame').getAttribute('sandbox'), 'allow-scripts');
    await lab.root.getByTestId('real-verdict').waitFor();
    // Blocked requests may be reported by the browser; nothing else.
    assert.deepEqual(problems.filter((p) => !/Content Security Policy|ERR_|Failed to fetch|blocked/i.test(p)), []);
    await context.close();
  });
});
