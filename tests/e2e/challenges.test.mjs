// End-to-end: challenges in every lab, in real headless Chromium. A
// prediction is committed before the lab (and its result) shows, then
// compared with the computed answer and kept after a reload; a goal is
// won by stepping; a teacher makes a challenge from what the lab shows,
// hands out its link, and a learner in a fresh browser wins it; the
// challenges page reports it. Needs dist/.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { labHarness } from './harness.mjs';
import { ChallengeBar, ChallengesPage } from './pages/challenges.mjs';
import { RacesLab } from './pages/races_lab.mjs';
import { ServersLab } from './pages/servers_lab.mjs';

const openLab = labHarness();

async function open(hash, mode = 'plain') {
  const opened = await openLab(mode, hash);
  return { ...opened, bar: new ChallengeBar(opened.page) };
}

// One prediction of each lab's built-in set, with its right answer.
const PREDICTIONS = [
  { lab: 'models', at: 0, title: 'One blocking thread', answer: 210, computed: '210 ms' },
  { lab: 'servers', at: 1, title: 'Slow I/O: which breaks first?', answer: 'Multi-process', computed: 'Multi-process (at 50 requests/s)' },
  { lab: 'races', at: 12, title: 'Three adders', answer: { values: '3, 1, 2' }, computed: '1, 2, 3' },
  { lab: 'parallel', at: 0, title: 'A tenth serial, four workers', answer: 3.1, computed: '3.08×' },
  { lab: 'eventloop', at: 0, title: 'A timer of 0 ms or a then?', answer: { order: ['script', 'then', 'timeout'] }, computed: 'script, then, timeout' },
];

describe('Challenges', () => {
  for (const { lab, at, title, answer, computed } of PREDICTIONS) {
    test(`${lab}: a prediction is committed before the lab shows, compared with the computed answer, and kept after a reload`, async () => {
      const { page, bar, context, problems } = await open(`#/${lab}?c=builtin&at=${at}`);
      assert.equal(await bar.waitForTitle(), title);
      // The start is told as text; the lab, which would show the result, is not there yet.
      await bar.root.getByTestId('challenge-brief').waitFor();
      assert.equal(await page.locator('section.lab').count(), 0);
      await bar.answer(answer);
      assert.match(await bar.comparison().innerText(), /^Right\./);
      assert.equal(await bar.root.getByTestId('computed-answer').innerText(), computed);
      assert.match(await bar.win().innerText(), /Challenge won!/);
      await page.locator('section.lab').waitFor();
      // Kept in this browser: after a reload the comparison is there, no form.
      await page.reload();
      await bar.comparison().waitFor();
      assert.equal(await bar.root.getByTestId('computed-answer').innerText(), computed);
      assert.equal(await bar.root.getByTestId('answer-form').count(), 0);
      assert.deepEqual(problems, []);
      await context.close();
    });
  }

  test('a wrong prediction is said beside the computed one, with the lab\'s explanation; a field takes only what it asks', async () => {
    const { bar, context, problems } = await open('#/models?c=builtin&at=1');
    await bar.waitForTitle();
    await bar.root.getByTestId('answer-number').fill('about 60');
    await bar.root.getByTestId('commit-answer').click();
    assert.match(await bar.root.getByTestId('answer-problem').innerText(), /"about 60" is not a number/);
    await bar.answer(200);
    const said = await bar.comparison().innerText();
    assert.match(said, /^Not quite\. Your answer: 200\. Computed: 90 ms\./);
    assert.match(said, /an asynchronous thread runs another task while one waits/);
    assert.equal(await bar.win().count(), 0);
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('a goal is won by stepping; the set\'s page reports it; a version 1 set file still plays, hints one at a time', async () => {
    const { page, bar, context, problems } = await open('#/races?c=builtin');
    assert.equal(await bar.waitForTitle(), 'Lost update on a counter');
    const lab = await new RacesLab(page).ready();
    await lab.step('A', 'B', 'A', 'A', 'B', 'B');
    assert.match(await bar.win().innerText(), /Challenge won!/);
    // The learner's schedule is in the address: a reload shows the win again.
    await page.waitForURL(/&s=v1\.|\?s=v1\./);
    await page.reload();
    await bar.win().waitFor();
    // The set's page: every challenge, and the report.
    await bar.root.getByTestId('set-overview').click();
    const overview = await new ChallengesPage(page).ready();
    const rows = await overview.reportRows();
    assert.deepEqual(rows[0], ['Lost update on a counter', 'won']);
    assert.equal(rows[1][1], 'not done');
    assert.match(await overview.root.getByTestId('report-summary').innerText(), /^1 of 17 challenges won/);
    // A teacher's set of version 1, from a file: it opens on its lab's page.
    const set = {
      format: 'interleave-challenges/1',
      title: 'Week 3',
      challenges: [{
        title: 'Two locks',
        program: 'mutex a, b\nthread A { lock(a); lock(b); unlock(b); unlock(a) }\nthread B { lock(b); lock(a); unlock(a); unlock(b) }\ngoal deadlock\n',
        intro: 'Deadlock them.',
        hints: ['Each takes one lock first.', 'Step A once, then B once.'],
        win: 'Each holds what the other needs.',
      }],
    };
    await overview.openSet('week3.json', JSON.stringify(set, null, 2));
    assert.equal(await bar.waitForTitle(), 'Two locks');
    assert.deepEqual(await bar.hints(), []);
    await bar.revealHint();
    assert.deepEqual(await bar.hints(), ['Each takes one lock first.']);
    await bar.revealHint();
    assert.equal(await bar.root.getByTestId('hint').count(), 0, 'no more hints');
    await new RacesLab(page).step('A', 'B');
    assert.match(await bar.win().innerText(), /Each holds what the other needs/);
    // A set whose program does not compile says where, on the lab's page.
    const broken = { ...set, challenges: [{ ...set.challenges[0], program: 'thread A { y = x }\ngoal assert\n' }] };
    await page.goto(page.url().replace(/#.*/, '#/challenges'));
    await new ChallengesPage(page).openSet('broken.json', JSON.stringify(broken));
    assert.match(await bar.problem().innerText(), /cannot be opened: challenges\[0\]\.state\.source: 1:16: unknown name 'x'/);
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('a teacher makes a challenge from the state shown; a learner opens its link in a fresh browser, wins it, and the report lists it', async () => {
    const { page, bar, context, problems, browser } = await open('#/models');
    await bar.root.getByTestId('make-challenge').click();
    const maker = bar.root.getByTestId('maker');
    const check = maker.getByTestId('maker-check');
    // A target already met where it starts is refused, with the reason.
    const options = await check.locator('option').allInnerTexts();
    const target = options.findIndex((text) => text.startsWith('Target:'));
    await check.selectOption(String(target));
    await maker.getByTestId('maker-title').fill('Too easy');
    await maker.getByTestId('maker-add').click();
    assert.match(await maker.getByTestId('maker-problem').innerText(), /a target is already met at its start/);
    // A prediction of the makespan shown, with the tolerance the teacher sets.
    const predict = options.findIndex((text) => text.startsWith('Predict: When does sync, 1 thread'));
    await check.selectOption(String(predict));
    await maker.getByTestId('maker-tolerance').fill('5');
    await maker.getByTestId('maker-title').fill('How long on one thread?');
    await maker.getByTestId('maker-add').click();
    assert.match(await maker.getByTestId('maker-added').innerText(), /Added as challenge 1 of your set \(answered 210 by its solution, right\)/);
    // The set page: its texts, then its link.
    await bar.root.getByTestId('open-challenges-page').click();
    const setPage = await new ChallengesPage(page).ready();
    const item = setPage.root.getByTestId('set-item');
    assert.equal(await item.count(), 1);
    await item.getByRole('button', { name: 'Edit texts' }).click();
    await item.locator('textarea').first().fill('Three requests, one synchronous thread.');
    await item.getByRole('button', { name: 'Save the texts' }).click();
    await setPage.root.getByTestId('set-title').fill('Week 1');
    await setPage.root.getByTestId('set-title').press('Tab');
    const link = await setPage.root.getByTestId('set-link').inputValue();
    assert.match(link, /#\/models\?c=v1\./);
    // A learner, in a fresh browser.
    const fresh = await browser.newContext();
    const other = await fresh.newPage();
    await other.goto(link);
    const learner = new ChallengeBar(other);
    assert.equal(await learner.waitForTitle(), 'How long on one thread?');
    assert.match(await learner.root.innerText(), /Three requests, one synchronous thread\./);
    assert.match(await learner.root.innerText(), /within ±5 ms/);
    await learner.answer(214);
    assert.match(await learner.comparison().innerText(), /^Right\./);
    await learner.root.getByTestId('set-overview').click();
    const report = await new ChallengesPage(other).ready();
    assert.deepEqual(await report.reportRows(), [['How long on one thread?', 'won']]);
    assert.match(await report.root.getByTestId('report-summary').innerText(), /^1 of 1 challenges won/);
    // The report handed in, opened by the teacher.
    const [download] = await Promise.all([other.waitForEvent('download'), report.root.getByTestId('report-download').click()]);
    const handedIn = await (await download.createReadStream()).toArray();
    await setPage.openReport('alice.json', Buffer.concat(handedIn).toString());
    const opened = setPage.root.getByTestId('report').last();
    assert.deepEqual(await setPage.reportRows(opened), [['How long on one thread?', 'won']]);
    await setPage.openReport('bad.json', '{"format": "interleave-progress/1", "set": 3}');
    assert.match(await setPage.root.getByTestId('report-problem').innerText(), /^bad\.json: 1:44 set: invalid type: integer `3`, expected a string/);
    await fresh.close();
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('a target: the Servers lab is changed until it holds, on the traffic as given', async () => {
    const { page, bar, context, problems } = await open('#/servers?c=builtin&at=4');
    assert.equal(await bar.waitForTitle(), 'Serve the slow API');
    assert.match(await bar.state().innerText(), /^Not yet: The Multi-process server misses/);
    const lab = new ServersLab(page);
    await lab.showModel('evented');
    assert.match(await bar.win().innerText(), /Challenge won!/);
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('a damaged set in a link says so and leaves the lab usable', async () => {
    const { page, bar, context, problems } = await open('#/models?c=v1.AAAA&at=2');
    assert.match(await bar.problem().innerText(), /This link's challenge set cannot be opened/);
    await bar.root.getByRole('link', { name: 'Open the lab without it' }).click();
    await bar.root.getByTestId('make-challenge').waitFor();
    await page.locator('section.lab').waitFor();
    assert.deepEqual(problems, []);
    await context.close();
  });
});
