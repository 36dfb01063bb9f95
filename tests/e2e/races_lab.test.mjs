// End-to-end: the Races lab in real headless Chromium, isolated and not
// (the explorer's worker must work in an LMS iframe too). Needs dist/.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { labHarness } from './harness.mjs';
import { RacesLab } from './pages/races_lab.mjs';

const openLab = labHarness();

async function open(mode = 'plain', hash = '#/races') {
  const opened = await openLab(mode, hash);
  return { ...opened, lab: await new RacesLab(opened.page).ready() };
}

describe('Races lab', () => {
  test('the learner schedules a lost update by hand, rewinds, and the goal is met', async () => {
    const { lab, context, problems } = await open();
    await lab.loadLesson('lost-update');
    await lab.step('A', 'B', 'A', 'A');
    assert.equal(await lab.variable('x').innerText(), '1');
    assert.match(await lab.goal().innerText(), /^Goal: /);
    await lab.step('B', 'B');
    assert.equal(await lab.variable('x').innerText(), '1');
    assert.match(await lab.goal().innerText(), /Goal met!/);
    assert.match(await lab.narration().innerText(), /computed that value from its read of x at line \d+, but A wrote x at line \d+ in between: A's update is lost/);
    assert.match(await lab.runStatus().innerText(), /assert\(x == 2\) failed/);
    await lab.back();
    assert.deepEqual(await lab.stepCount(), { at: 5, of: 6 });
    assert.match(await lab.goal().innerText(), /^Goal: /);
    // Branch from step 2: the rest of the old schedule is gone.
    await lab.back();
    await lab.back();
    await lab.back();
    await lab.step('B');
    assert.deepEqual(await lab.stepCount(), { at: 3, of: 3 });
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('line steps run a whole line at once, and code inside a function shows its fn line and closing brace', async () => {
    const { lab, context, problems } = await open();
    await lab.loadLesson('lost-update');
    const expand = lab.root.getByLabel('show every indivisible step');
    await expand.uncheck();
    assert.equal(await lab.stepButton('A').innerText(), 'Step line');
    assert.equal(await lab.root.locator('.thread-pane[data-thread="A"] ul.steps').count(), 0, 'no indivisible steps listed');
    // x = x + 1 is three indivisible steps: read, add, write.
    await lab.step('A');
    assert.deepEqual(await lab.stepCount(), { at: 3, of: 3 });
    assert.equal(await lab.variable('x').innerText(), '1');
    await expand.check();
    assert.equal(await lab.stepButton('B').innerText(), 'Step');
    await lab.step('B');
    assert.deepEqual(await lab.stepCount(), { at: 4, of: 4 });
    assert.match(await lab.root.locator('.thread-pane[data-thread="B"] li.step.next').innerText(), /▶/);

    await lab.loadLesson('list-removal');
    const pane = lab.root.locator('.thread-pane[data-thread="A"]');
    const lines = await pane.locator('li.line .line-text').allTextContents();
    const header = lines.findIndex((line) => line.trim() === 'fn remove(list, v) {');
    assert.ok(header >= 0, `the fn line is shown: ${lines.join(' | ')}`);
    assert.ok(lines.slice(header + 1).some((line) => line === '}'), 'and its closing brace');
    // The next step is inside the function, below its header.
    const current = await pane.locator('li.line.current .line-text').innerText();
    assert.ok(lines.indexOf(current) > header, `current line ${current}`);
    assert.deepEqual(problems, []);
    await context.close();
  });

  for (const mode of ['isolated', 'plain']) {
    test(`the explorer finds every outcome off the main thread and loads the shortest failing schedule (${mode})`, async () => {
      const { lab, page, context, problems } = await open(mode);
      assert.equal(await page.evaluate(() => crossOriginIsolated), mode === 'isolated');
      await lab.loadLesson('lost-update');
      await lab.explore();
      const outcomes = await lab.outcomes();
      assert.deepEqual(outcomes.map((o) => o.values).sort(), ['x = 1', 'x = 2']);
      assert.ok(outcomes.find((o) => o.values === 'x = 1').failing);
      assert.ok(!outcomes.find((o) => o.values === 'x = 2').failing);
      assert.equal((await lab.shortest().innerText()).split(' ').length, 6);
      await lab.loadShortest();
      assert.deepEqual(await lab.stepCount(), { at: 6, of: 6 });
      assert.equal(await lab.variable('x').innerText(), '1');
      assert.match(await lab.goal().innerText(), /Goal met!/);
      assert.deepEqual(problems, []);
      await context.close();
    });
  }

  test('the explorer says what each number counts: 6 essentially different orders, 20 schedules, 18 of them failing', async () => {
    const { lab, context, problems } = await open();
    await lab.loadLesson('lost-update');
    await lab.explore();
    assert.equal(await lab.counts(), '6 essentially different orders (20 schedules)');
    const outcomes = await lab.outcomes();
    const lost = outcomes.find((o) => o.values === 'x = 1');
    assert.deepEqual([lost.count, lost.schedules, lost.text], [4, 18, '4 orders, 18 schedules']);
    assert.match(await lab.root.getByTestId('counts-meaning').innerText(), /one of each: those are the essentially different orders/);
    assert.match(await lab.root.locator('.explore-verdicts').innerText(), /failing: 4 orders \(18 schedules\)/);
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('results belong to their program: another lesson clears them, and its fix says it works', async () => {
    const { lab, context, problems } = await open();
    await lab.loadLesson('lost-update');
    await lab.explore();
    await lab.loadLesson('counter-mutex');
    assert.equal(await lab.exploreResult().count(), 0, 'the lost update\'s outcomes are gone');
    assert.equal(await lab.root.getByTestId('load-shortest').count(), 0);
    // An edit clears them too.
    await lab.explore();
    await lab.editProgram((await lab.root.getByTestId('program').inputValue()).replace('x = x + 1', 'x = x + 2'));
    assert.equal(await lab.exploreResult().count(), 0, 'an edited program\'s outcomes are its own');
    await lab.loadLesson('counter-mutex');
    await lab.explore();
    assert.match(await lab.root.getByTestId('no-failure').innerText(), /^No schedule fails: in all 2 schedules the program does what it should\.$/);
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('the lesson\'s subject is on screen: the temporaries that make a lost update, and the final check with its line numbers', async () => {
    const { lab, page, context, problems } = await open();
    await lab.loadLesson('lost-update');
    // B reads x into a temporary: the inspector shows it, and where from.
    await lab.step('B');
    assert.match(await lab.narration().innerText(), /B reads x \(0\) into (t\d+)/);
    const [, temp] = /into (t\d+)/.exec(await lab.narration().innerText());
    const held = lab.root.locator('.locals li.temporary');
    assert.equal(await held.count(), 1);
    assert.equal(await held.innerText(), `${temp} = 0 (temporary; read from x)`);
    // A's whole increment: B's value is stale now, and the page says so.
    await lab.step('A', 'A', 'A');
    assert.match(await lab.root.locator('.locals li.stale').innerText(), new RegExp(`^${temp} = 0 \\(temporary; read from x; stale: A wrote x since\\)$`));
    // The check the goal asks to break, beside the threads, with its lines.
    const after = lab.root.getByTestId('after-pane');
    assert.match(await after.innerText(), /Final check/);
    const lines = await after.locator('li.line').evaluateAll((items) =>
      items.map((item) => `${item.querySelector('.line-no').textContent} ${item.querySelector('.line-text').textContent.trim()}`));
    assert.ok(lines.includes('13 assert(x == 2)'), `the assertion on line 13: ${lines.join(' | ')}`);
    assert.match(await lab.root.getByTestId('after-status').innerText(), /runs once every thread has finished/);
    await lab.step('B', 'B');
    assert.match(await lab.root.getByTestId('after-status').innerText(), /^Failed with x = 1: final check: assert\(x == 2\) failed at line 13/);
    // The language reference the editor names is a link that opens.
    const link = lab.root.getByTestId('language-link');
    const reference = await page.request.get(new URL(await link.getAttribute('href'), page.url()).href);
    assert.equal(reference.status(), 200);
    assert.match(await reference.text(), /^# The Races lab's thread language/m);
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('while the edited text has an error, the threads show the last program that compiled, with its own lines', async () => {
    const { lab, context, problems } = await open();
    await lab.loadLesson('lost-update');
    const before = await lab.root.locator('.thread-pane[data-thread]').first().locator('li.line').allInnerTexts();
    // Two lines added on top, and an error: the panes keep the old text's lines.
    await lab.editProgram(`// a\n// b\n${await lab.root.getByTestId('program').inputValue()}\nthread C {`);
    await lab.programError().waitFor();
    assert.deepEqual(await lab.root.locator('.thread-pane[data-thread]').first().locator('li.line').allInnerTexts(), before);
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('with a mutex the explorer finds only x = 2, and a waiting thread cannot step', async () => {
    const { lab, context, problems } = await open();
    await lab.loadLesson('counter-mutex');
    await lab.step('A');
    assert.equal(await lab.stepButton('B').isDisabled(), true);
    assert.equal(await lab.threadStatus('B').innerText(), 'waits for m (held by A)');
    await lab.restart();
    await lab.explore();
    assert.deepEqual((await lab.outcomes()).map((o) => o.values), ['x = 2']);
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('the list lesson draws the heap and the explorer finds the node that stays reachable', async () => {
    const { lab, context, problems } = await open();
    await lab.loadLesson('list-removal');
    assert.equal(await lab.heap().locator('g.heap-node').count(), 5);
    await lab.explore();
    const values = (await lab.outcomes()).map((o) => o.values).sort();
    assert.deepEqual(values, ['head = [0, 1, 3, 4]', 'head = [0, 1, 4]']);
    await lab.loadShortest();
    assert.match(await lab.variable('head').innerText(), /\[0, 1, 3, 4\]/);
    assert.equal(await lab.heap().locator('g.heap-node.unreachable').count(), 1);
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('opposite lock orders deadlock: nobody can step and the page says who waits for what', async () => {
    const { lab, context, problems } = await open();
    await lab.loadLesson('deadlock');
    await lab.step('A', 'B');
    assert.match(await lab.runStatus().innerText(), /deadlock: A waits for b \(held by B\), B waits for a \(held by A\)/);
    assert.equal(await lab.stepButton('A').isDisabled(), true);
    assert.equal(await lab.stepButton('B').isDisabled(), true);
    assert.match(await lab.goal().innerText(), /Goal met!/);
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('file appends lose a line without flock', async () => {
    const { lab, context, problems } = await open();
    await lab.loadLesson('file-append');
    await lab.step('P1', 'P2', 'P1', 'P2', 'P1', 'P2');
    assert.equal((await lab.file('log').innerText()).trim(), 'P2 was here');
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('a condition variable\'s queue and a barrier\'s arrivals show in the inspector, and the explorer finds the if-instead-of-while bug', async () => {
    const { lab, context, problems } = await open();
    await lab.loadLesson('bounded-buffer-if');
    assert.equal(await lab.variable('buf').innerText(), '[0, 0]');
    assert.deepEqual(await lab.sync('not_empty'), ['not_empty condition variable', 'nobody waits', '—']);
    // n = 0, the loop's test, lock(m), read count, test it, then wait.
    await lab.step('Consumer', 'Consumer', 'Consumer', 'Consumer', 'Consumer', 'Consumer');
    assert.deepEqual(await lab.sync('not_empty'), ['not_empty condition variable', 'queue: Consumer (a notify wakes Consumer)', '—']);
    assert.deepEqual(await lab.sync('m'), ['m mutex', 'free', '—']);
    // Spurious wake-ups are allowed: the consumer can go on with no notify.
    await lab.step('Consumer');
    assert.match(await lab.narration().innerText(), /spurious wake-up/);
    await lab.step('Consumer', 'Consumer');
    assert.match(await lab.goal().innerText(), /Goal met!/);
    await lab.explore();
    assert.equal(await lab.goalVerdict(), 'reached');
    await lab.loadLesson('bounded-buffer-while');
    await lab.explore();
    const outcomes = await lab.outcomes();
    assert.deepEqual(outcomes.map((o) => [o.values.includes('total = 6'), o.failing]), [[true, false]]);

    await lab.loadLesson('phases-barrier');
    await lab.step('A', 'A');
    assert.equal(await lab.threadStatus('A').innerText(), 'waits at b (1 of 2 arrived)');
    assert.deepEqual(await lab.sync('b'), ['b barrier', '1 of 2 arrived: A', 'A']);
    assert.equal(await lab.stepButton('A').isDisabled(), true);
    await lab.step('B', 'B');
    assert.deepEqual(await lab.sync('b'), ['b barrier', '0 of 2 arrived', '—']);
    assert.equal(await lab.stepButton('A').isDisabled(), false);
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('starvation and livelock come as lassos that load with the loop played three times, and Peterson\'s lock has neither', async () => {
    const { lab, context, problems } = await open();
    await lab.loadLesson('polite-livelock');
    await lab.explore();
    assert.equal(await lab.goalVerdict(), 'reached');
    const { prefix, cycle } = await lab.lasso('livelock');
    assert.ok(cycle.length > 0 && cycle.every((name) => name === 'A' || name === 'B'), cycle.join(' '));
    await lab.loadLasso('livelock');
    assert.deepEqual(await lab.stepCount(), { at: prefix.length + 3 * cycle.length, of: prefix.length + 3 * cycle.length });
    // Round the cycle, the state is one it was in before: the goal is met.
    assert.match(await lab.goal().innerText(), /Goal met!/);
    // Play goes round the cycle again and again.
    assert.match(await lab.root.getByTestId('loop').innerText(), /go round a cycle/);
    await lab.root.getByTestId('play').click();
    const total = prefix.length + 3 * cycle.length;
    const at = () => lab.page.evaluate(() => Number(/step (\d+) of/.exec(document.querySelector('[data-testid=step-count]').textContent)[1]));
    await lab.page.waitForFunction((total) => !document.querySelector('[data-testid=step-count]').textContent.startsWith(`step ${total} `), total);
    assert.ok((await at()) < total);
    await lab.page.waitForFunction((total) => document.querySelector('[data-testid=step-count]').textContent.startsWith(`step ${total} `), total, { timeout: 20_000 });
    await lab.root.getByTestId('play').click();
    assert.equal(await lab.root.getByTestId('play').innerText(), 'Play');
    await lab.loadLesson('readers-writer-starve');
    await lab.explore();
    assert.equal(await lab.goalVerdict(), 'reached');
    assert.match(await lab.root.getByTestId('starve-W').innerText(), /W never makes progress while others do/);
    await lab.loadLesson('peterson-fair');
    await lab.explore();
    assert.match(await lab.liveness().innerText(), /No starvation and no livelock/);
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('a bad edit shows a located error, keeps the text and the last good program', async () => {
    const { lab, context, problems } = await open();
    await lab.loadLesson('lost-update');
    await lab.step('A');
    await lab.editProgram('shared x = 0\nthread A {\n  x = x +\n}\n');
    assert.match(await lab.programError().innerText(), /^Line 3:10: expected a value/);
    assert.equal(await lab.root.getByTestId('program').inputValue(), 'shared x = 0\nthread A {\n  x = x +\n}\n');
    assert.equal(await lab.root.locator('.thread-pane[data-thread]').count(), 2);
    assert.deepEqual(await lab.stepCount(), { at: 1, of: 1 });
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('a huge state space shows progress, the page stays responsive, and cancel stops it', async () => {
    const { lab, page, context, problems } = await open();
    await lab.editProgram(
      'shared x = 0\nshared y = 0\nthread A {\n  while true {\n    x = x + 1\n  }\n}\nthread B {\n  while true {\n    y = y + x\n  }\n}\nthread C {\n  while true {\n    x = x - y\n  }\n}\n',
    );
    await lab.explore({ wait: false });
    await lab.progress().waitFor();
    // The page's own work goes on while the worker explores.
    await lab.step('A', 'A');
    assert.deepEqual(await lab.stepCount(), { at: 2, of: 2 });
    await lab.cancelExplore();
    await page.getByText('Cancelled.').waitFor();
    assert.equal(await lab.progress().count(), 0, 'no progress after cancel');
    // The explorer still works: a new search runs to its answer.
    await lab.loadLesson('lost-update');
    await lab.explore();
    assert.deepEqual((await lab.outcomes()).map((o) => o.values).sort(), ['x = 1', 'x = 2']);
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('a search stopped early says "unknown", and random schedules find the failure it could not prove', async () => {
    const { lab, page, context, problems } = await open();
    const peterson = await readFile(new URL('../../crates/core/tests/races/peterson-no-turn.race', import.meta.url), 'utf8');
    await lab.editProgram(peterson);
    // Every schedule one by one: the spin loops make the tree endless.
    await lab.setReduction(false);
    await lab.explore();
    assert.equal(await lab.goalVerdict(), 'unknown');
    assert.match(await lab.root.getByTestId('explore-stopped').innerText(), /Stopped early: it reached its cap of 500000 states\. .*proves nothing/);
    assert.match(await lab.root.locator('.shortest').first().innerText(), /No schedule that meets the goal in the part searched/);
    const found = await lab.sample();
    assert.equal(found.tried, 20000);
    assert.ok(found.failing > 0, 'random schedules find two threads in the critical section');
    await lab.root.getByTestId('load-sample').click();
    await lab.goal().getByText('Goal met!').waitFor();
    // With reduction the search is complete and proves it reachable.
    await lab.setReduction(true);
    await lab.explore();
    assert.equal(await lab.goalVerdict(), 'reached');
    assert.equal(await lab.root.getByTestId('sample').count(), 0, 'nothing to keep looking for');
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('the address holds the schedule and the step: a copied link reopens them exactly', async () => {
    const { lab, page, context, problems } = await open();
    await lab.loadLesson('lost-update');
    await lab.step('A', 'B', 'A');
    await lab.back();
    await page.waitForFunction(() => location.hash.startsWith('#/races?s=v1.'));
    await page.waitForTimeout(400);
    const hash = new URL(page.url()).hash;
    await lab.root.getByRole('button', { name: 'Share / Embed' }).click();
    const link = await page.getByLabel('Share link').inputValue();
    assert.ok(link.endsWith(hash), `${link} should end with ${hash}`);
    assert.match(await page.getByLabel('Embed code').inputValue(), /title="Interleave: Lost update on a counter"/);
    await page.getByRole('button', { name: 'Close' }).click();
    const other = await open('plain', hash);
    assert.deepEqual(await other.lab.stepCount(), { at: 2, of: 3 });
    assert.match(await other.lab.narration().innerText(), /^B reads x \(0\) into t1\./);
    assert.deepEqual(problems, []);
    assert.deepEqual(other.problems, []);
    await other.context.close();
    await context.close();
  });
});
