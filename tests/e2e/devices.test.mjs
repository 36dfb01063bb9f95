// Every student, every device: each lab at phone (390 x 844) and desktop
// (1400 x 900) widths, light and dark, with no sideways page scrolling,
// the key figures in view and text at 11 px or more; axe-core (WCAG 2.0 to
// 2.2, A and AA) on every page in several states; keyboard-only paths;
// dark mode, reduced motion and single-key shortcuts. Screenshots of each
// lab at both widths land in tests/e2e/artifacts/.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { serveDist } from './server.mjs';
import { launch, openPage } from './browser.mjs';
import { axeCheck, TAGS } from './axe.mjs';
import { ModelsLab } from './pages/models_lab.mjs';
import { RacesLab } from './pages/races_lab.mjs';
import { ServersLab } from './pages/servers_lab.mjs';
import { ParallelLab } from './pages/parallel_lab.mjs';
import { EventLoopLab } from './pages/eventloop_lab.mjs';

const ARTIFACTS = new URL('./artifacts/', import.meta.url).pathname;
const SIZES = [
  { name: 'phone', width: 390, height: 844 },
  { name: 'desktop', width: 1400, height: 900 },
];

let browser;
let server;
before(async () => {
  await mkdir(ARTIFACTS, { recursive: true });
  browser = await launch();
  server = await serveDist({ isolated: true });
});
after(async () => {
  await browser?.close();
  await server?.close();
});

/** What axe found; fails on serious or critical violations. */
async function assertAccessible(page, what) {
  const { checked, serious } = await axeCheck(page);
  console.log(`axe ${TAGS.join(', ')} on ${what}: ${checked} rules checked, ${serious.length} serious or critical`);
  assert.deepEqual(serious, [], `axe on ${what}`);
}

/**
 * The page does not scroll sideways, no box but a focusable code listing
 * scrolls sideways, and every drawn text is at least 11 px on screen.
 */
async function assertFits(page, what) {
  const layout = await page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const sideways = [...document.querySelectorAll('body *')]
      .filter((el) => {
        const overflow = getComputedStyle(el).overflowX;
        return (overflow === 'auto' || overflow === 'scroll') && el.scrollWidth > el.clientWidth + 1 && !(el.tagName === 'PRE' && el.tabIndex === 0);
      })
      .map((el) => `${el.tagName.toLowerCase()}.${el.className} (${el.scrollWidth} px in ${el.clientWidth})`);
    const small = [...document.querySelectorAll('svg text')]
      .filter((text) => text.getBBox().width > 0 && text.closest('[aria-hidden="true"]') === null)
      .map((text) => ({ text: text.textContent, px: parseFloat(getComputedStyle(text).fontSize) * text.getScreenCTM().a }))
      .filter((t) => t.px < 10.9)
      .slice(0, 5)
      .map((t) => `"${t.text}" at ${t.px.toFixed(1)} px`);
    return { pageWidth: document.documentElement.scrollWidth, width, sideways, small };
  });
  assert.ok(layout.pageWidth <= layout.width, `${what}: the page is ${layout.pageWidth} px wide in a ${layout.width} px window`);
  assert.deepEqual(layout.sideways, [], `${what}: boxes that scroll sideways`);
  assert.deepEqual(layout.small, [], `${what}: text under 11 px`);
}

/**
 * Nothing is cut: every select shows its whole choice (the chosen option's
 * text, in the select's font, fits inside it beside its arrow), and every
 * chart's text lies inside its drawing.
 */
async function assertNothingCut(page, what) {
  const cut = await page.evaluate(() => {
    const context = document.createElement('canvas').getContext('2d');
    const selects = [...document.querySelectorAll('select')]
      .filter((select) => select.offsetParent !== null && select.selectedIndex >= 0)
      .map((select) => {
        const style = getComputedStyle(select);
        context.font = `${style.fontStyle} ${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
        const text = select.options[select.selectedIndex].text;
        const needs = context.measureText(text).width + parseFloat(style.paddingLeft) + parseFloat(style.paddingRight) + 18;
        return { text, needs, has: select.clientWidth };
      })
      .filter(({ needs, has }) => needs > has + 1)
      .map(({ text, needs, has }) => `select "${text}" needs ${needs.toFixed(0)} px, has ${has}`);
    const texts = [...document.querySelectorAll('svg text')]
      .filter((text) => text.getBBox().width > 0 && text.closest('[aria-hidden="true"]') === null && text.closest('svg').viewBox.baseVal)
      .filter((text) => {
        const view = text.closest('svg').viewBox.baseVal;
        if (view.width === 0) return false;
        const box = text.getBBox();
        return box.x < view.x - 1 || box.x + box.width > view.x + view.width + 1;
      })
      .map((text) => `chart text "${text.textContent}" runs out of its drawing`);
    return [...selects, ...texts];
  });
  assert.deepEqual(cut, [], `${what}: text cut`);
}

/** `locator`'s box lies within the window's width. */
async function assertInView(page, locator, what) {
  const box = await locator.boundingBox();
  const width = page.viewportSize().width;
  assert.ok(box, `${what} is drawn`);
  assert.ok(box.x >= 0 && box.x + box.width <= width + 0.5, `${what} spans ${box.x.toFixed(0)}..${(box.x + box.width).toFixed(0)} px of a ${width} px window`);
}

// Each lab in a state that shows its evidence, and that evidence.
const LABS = {
  home: {
    hash: '#/',
    prepare: async (page) => page.getByRole('heading', { name: /Models: synchronous vs asynchronous/ }).waitFor(),
    key: (page) => [['the Races lessons', page.getByTestId('home-lessons')]],
  },
  models: {
    hash: '#/models',
    prepare: async (page) => new ModelsLab(page).ready(),
    key: (page) => {
      const card = new ModelsLab(page).config('sync, 1 thread');
      return [
        ['the finish time', card.locator('.makespan-badge')],
        ['the whole sync timeline, to its end', card.locator('figure.timeline svg')],
      ];
    },
  },
  servers: {
    hash: '#/servers',
    prepare: async (page) => new ServersLab(page).ready(),
    key: (page) => {
      const row = page.locator('[data-testid=servers-compare] tbody tr').first();
      return [
        ['p99', row.getByTestId('p99')],
        ['answered late', row.getByTestId('late')],
        ['dropped', row.getByTestId('dropped')],
        ['the queue chart', page.locator('figure.queue-chart svg')],
      ];
    },
  },
  races: {
    hash: '#/races',
    prepare: async (page) => {
      const lab = await new RacesLab(page).ready();
      await lab.loadLesson('list-removal');
    },
    key: (page) => [['the list drawing', page.getByTestId('heap').locator('svg')]],
  },
  parallel: {
    hash: '#/parallel',
    prepare: async (page) => {
      const lab = new ParallelLab(page);
      await lab.poolReady();
      await lab.waitForSweeps((await lab.sweep()) + 1);
      await lab.race(undefined, 20000);
    },
    key: (page) => [
      ['the lost updates', page.locator('.race-table td[data-label="lost"]').first()],
      ['the speedup chart', page.locator('figure.speedup-chart svg').first()],
    ],
  },
  eventloop: {
    hash: '#/eventloop',
    prepare: async (page) => {
      const lab = await new EventLoopLab(page).ready();
      await lab.loadLesson('sequential-vs-all');
      await lab.press('next-job', 3);
      await lab.press('forward');
    },
    key: (page) => [
      ['the step controls', page.getByTestId('scrubber')],
      ['the microtask queue', page.getByTestId('microtasks')],
      ['the console', page.getByTestId('console')],
      ['the timeline', page.locator('figure.eventloop-timeline svg').first()],
    ],
  },
};

describe('every lab on a phone and a desktop, light and dark', () => {
  for (const [name, lab] of Object.entries(LABS)) {
    test(`${name}: fits, key figures in view, text 11 px or more, axe clean (and embedded, with the Share dialog open)`, async () => {
      for (const size of SIZES) {
        for (const colorScheme of ['light', 'dark']) {
          const what = `${name} at ${size.width} px, ${colorScheme}`;
          const { page, context, problems } = await openPage(browser, `${server.url}${lab.hash}`, { ...size, colorScheme });
          await lab.prepare(page);
          // Charts are drawn at their box's measured width.
          await page.waitForTimeout(300);
          await assertFits(page, what);
          await assertNothingCut(page, what);
          for (const [figure, locator] of lab.key(page)) await assertInView(page, locator, `${what}: ${figure}`);
          await assertAccessible(page, what);
          await page.screenshot({ path: `${ARTIFACTS}devices-${name}-${size.width}-${colorScheme}.png`, fullPage: true });
          assert.deepEqual(problems, []);
          await context.close();
        }
      }
      if (name === 'home') return;
      // Embedded (as in a course page), then with the Share dialog open.
      const { page, context, problems } = await openPage(browser, `${server.url}${lab.hash}?embed`, SIZES[1]);
      await lab.prepare(page);
      await assertAccessible(page, `${name} embedded`);
      await page.getByRole('button', { name: 'Share / Embed' }).click();
      await page.getByRole('dialog').waitFor();
      await assertAccessible(page, `${name} embedded, with the Share dialog open`);
      assert.deepEqual(problems, []);
      await context.close();
    });
  }
});

describe('challenges on a phone and a desktop, light and dark', () => {
  test('a prediction\'s form, its comparison, the teacher\'s maker and the challenges page: they fit, axe clean, embedded too', async () => {
    for (const size of SIZES) {
      for (const colorScheme of ['light', 'dark']) {
        const what = `challenges at ${size.width} px, ${colorScheme}`;
        const { page, context, problems } = await openPage(browser, `${server.url}#/eventloop?c=builtin&at=3`, { ...size, colorScheme });
        const bar = page.getByTestId('challenges');
        await bar.getByTestId('answer-order').waitFor();
        await assertFits(page, `${what}: the order form`);
        await assertAccessible(page, `${what}: the order form`);
        await page.screenshot({ path: `${ARTIFACTS}devices-challenge-${size.width}-${colorScheme}.png`, fullPage: true });
        // By keyboard: a line moves with its button, the answer commits.
        await bar.getByRole('button', { name: 'Move \u201cscript\u201d up' }).first().focus();
        await page.keyboard.press('Enter');
        await bar.getByTestId('commit-answer').focus();
        await page.keyboard.press('Enter');
        await bar.getByTestId('comparison').waitFor();
        await page.locator('section.lab').waitFor();
        await page.waitForTimeout(300);
        await assertFits(page, `${what}: the comparison`);
        await assertAccessible(page, `${what}: the comparison`);
        await page.goto(`${server.url}#/models`);
        await page.getByTestId('make-challenge').click();
        await page.getByTestId('maker').waitFor();
        await assertFits(page, `${what}: the maker`);
        await assertAccessible(page, `${what}: the maker`);
        await page.getByTestId('open-challenges-page').click();
        await page.getByTestId('challenges-page').waitFor();
        await assertFits(page, `${what}: the challenges page`);
        await assertAccessible(page, `${what}: the challenges page`);
        assert.deepEqual(problems, []);
        await context.close();
      }
    }
    const { page, context, problems } = await openPage(browser, `${server.url}#/models?c=builtin&at=2&embed`, SIZES[1]);
    await page.getByTestId('answer-choices').waitFor();
    await assertAccessible(page, 'a challenge embedded');
    assert.deepEqual(problems, []);
    await context.close();
  });
});

describe('detail on a phone', () => {
  test('a Models timeline fits by default; zoomed in, it pans with the cursor', async () => {
    const { page, context, problems } = await openPage(browser, `${server.url}#/models`, SIZES[0]);
    const lab = await new ModelsLab(page).ready();
    const timeline = lab.config('sync, 1 thread').locator('figure.timeline');
    const ticks = () => timeline.locator('.tick text').allTextContents();
    assert.equal((await ticks()).at(-1), '200', 'the whole 210 ms run is in view');
    await lab.root.getByRole('button', { name: 'Zoom in' }).click();
    await lab.root.getByRole('button', { name: 'Zoom in' }).click();
    assert.ok(Number((await ticks()).at(-1)) < 100, `zoomed: ${await ticks()}`);
    await lab.scrubTo(200);
    await timeline.locator('.cursor[data-time="200"]').waitFor();
    assert.ok(Number((await ticks()).at(-1)) >= 150, `panned to the cursor: ${await ticks()}`);
    assert.deepEqual(problems, []);
    await context.close();
  });
});

describe('accessibility in more states', () => {
  test('Servers on a phone after a load sweep: the sweep chart fits, its text 11 px or more', async () => {
    const { page, context, problems } = await openPage(browser, `${server.url}#/servers`, SIZES[0]);
    const servers = await new ServersLab(page).ready();
    await servers.sweep();
    await page.waitForTimeout(300);
    await assertFits(page, 'servers at 390 px after a sweep');
    await assertNothingCut(page, 'servers at 390 px after a sweep');
    await assertInView(page, page.locator('figure.sweep-chart > svg'), 'the sweep chart');
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('what a screen reader hears at the cursor is the narration the page shows', async () => {
    const { page, context, problems } = await openPage(browser, `${server.url}#/models`);
    const models = await new ModelsLab(page).ready();
    await models.scrubTo(30);
    const narration = (await models.root.locator('.cursor-details .narration').innerText()).replace(/^At /, 'at ');
    assert.equal(await models.root.getByLabel('Time cursor').getAttribute('aria-valuetext'), `30 ms: ${narration}`);

    await page.goto(`${server.url}#/races`);
    const races = await new RacesLab(page).ready();
    await races.step('A');
    const said = await races.root.getByLabel('Step', { exact: true }).getAttribute('aria-valuetext');
    assert.equal(said, `step 1 of 1: ${await races.root.getByTestId('narration').innerText()}`);
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('axe after Explore and after a load sweep', async () => {
    const { page, context, problems } = await openPage(browser, `${server.url}#/races`);
    const races = await new RacesLab(page).ready();
    await races.explore();
    await assertAccessible(page, 'races after Explore');

    await page.goto(`${server.url}#/servers`);
    const servers = await new ServersLab(page).ready();
    await servers.sweep();
    await assertAccessible(page, 'servers after a load sweep');
    await assertNothingCut(page, 'servers after a load sweep');
    assert.deepEqual(problems, []);
    await context.close();
  });
});

/** Presses Tab until `locator` has focus; returns how many presses it took. */
async function tabTo(page, locator, most = 40) {
  for (let presses = 1; presses <= most; presses++) {
    await page.keyboard.press('Tab');
    if (await locator.evaluate((el) => el === document.activeElement)) return presses;
  }
  throw new Error(`not reached in ${most} Tab presses`);
}

const focusedText = (page) => page.evaluate(() => `${document.activeElement.tagName} ${document.activeElement.textContent.trim().slice(0, 40)}`);

describe('keyboard only', () => {
  test('Models: the skip link, Play within a few Tabs, the Share dialog is a modal, shortcuts can be turned off', async () => {
    const { page, context, problems } = await openPage(browser, `${server.url}#/models`);
    const lab = await new ModelsLab(page).ready();
    await page.keyboard.press('Tab');
    assert.match(await focusedText(page), /Skip to the lab/);
    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'main-content');
    const presses = await tabTo(page, lab.root.getByRole('button', { name: 'Play' }), 10);
    console.log(`Models: Play reached in ${presses + 2} key presses from the top (skip link, Enter, ${presses} Tab)`);

    // The Share dialog: focus inside, Tab stays inside, arrows do not
    // scrub the timeline behind it, Escape closes and returns focus.
    const share = lab.root.getByRole('button', { name: 'Share / Embed' });
    await share.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    for (let i = 0; i < 15; i++) {
      await page.keyboard.press('Tab');
      assert.ok(await dialog.evaluate((el) => el.contains(document.activeElement)), `Tab ${i + 1} left the dialog: ${await focusedText(page)}`);
    }
    const before = await lab.cursor();
    await dialog.getByRole('button', { name: 'Close' }).focus();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('l');
    assert.equal(await lab.cursor(), before, 'the timeline behind the dialog did not move');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    assert.ok(await share.evaluate((el) => el === document.activeElement), `focus returned to Share, not ${await focusedText(page)}`);

    // Single-key shortcuts work, and can be turned off (and stay off).
    await page.keyboard.press('l');
    const moved = await lab.cursor();
    assert.ok(moved > before, 'l steps to the next event');
    await lab.root.getByTestId('shortcuts').uncheck();
    await share.focus();
    await page.keyboard.press('l');
    assert.equal(await lab.cursor(), moved, 'off: l does nothing');
    await page.reload();
    await lab.ready();
    assert.equal(await lab.root.getByTestId('shortcuts').isChecked(), false, 'remembered');
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('Races: focus stays on the Step button through a thread\'s last step, and on Explore through its run', async () => {
    const { page, context, problems } = await openPage(browser, `${server.url}#/races`);
    const lab = await new RacesLab(page).ready();
    await lab.loadLesson('lost-update');
    const stepA = lab.stepButton('A');
    await stepA.focus();
    for (let i = 0; i < 12 && (await stepA.getAttribute('aria-disabled')) !== 'true'; i++) await page.keyboard.press('Enter');
    assert.equal(await stepA.getAttribute('aria-disabled'), 'true', 'A ran to its end');
    assert.ok(await stepA.evaluate((el) => el === document.activeElement), `focus is on ${await focusedText(page)}`);
    const explore = lab.root.getByTestId('explore');
    await explore.focus();
    await page.keyboard.press('Enter');
    await lab.root.getByTestId('explore-result').waitFor({ timeout: 30_000 });
    assert.ok(await explore.evaluate((el) => el === document.activeElement), `focus is on ${await focusedText(page)}`);
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('Parallel and Servers: focus stays on the button that started a run', async () => {
    const { page, context, problems } = await openPage(browser, `${server.url}#/parallel`);
    const parallel = new ParallelLab(page);
    await parallel.poolReady();
    const sweep = parallel.root.getByRole('button', { name: /^Sweep 1 to/ });
    await sweep.focus();
    await page.keyboard.press('Enter');
    await parallel.waitForSweeps(1);
    assert.ok(await sweep.evaluate((el) => el === document.activeElement), `focus is on ${await focusedText(page)}`);

    await page.goto(`${server.url}#/servers`);
    const servers = await new ServersLab(page).ready();
    const button = servers.root.getByTestId('sweep');
    await button.focus();
    await page.keyboard.press('Enter');
    await servers.root.getByTestId('sweep-result').waitFor({ timeout: 60_000 });
    assert.ok(await button.evaluate((el) => el === document.activeElement), `focus is on ${await focusedText(page)}`);
    // Picking another model in the table changes nothing the sweep ran.
    await servers.showModel('evented');
    assert.doesNotMatch(await servers.root.getByTestId('sweep-result').innerText(), /sweep again/);
    assert.deepEqual(problems, []);
    await context.close();
  });
});

describe('themes and motion', () => {
  const background = (page) => page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
  const dark = (rgb) => {
    const [r, g, b] = rgb.match(/\d+/g).map(Number);
    return 0.2126 * r + 0.7152 * g + 0.0722 * b < 60;
  };

  test('the system\'s dark mode, and a link that forces light or dark', async () => {
    for (const [colorScheme, hash, wantDark] of [
      ['light', '#/races', false],
      ['dark', '#/races', true],
      ['dark', '#/races?theme=light', false],
      ['light', '#/races?theme=dark&embed', true],
    ]) {
      const { page, context, problems } = await openPage(browser, `${server.url}${hash}`, { colorScheme });
      await new RacesLab(page).ready();
      assert.equal(dark(await background(page)), wantDark, `${hash} with a ${colorScheme} system: ${await background(page)}`);
      assert.deepEqual(problems, []);
      await context.close();
    }
    const { page, context } = await openPage(browser, `${server.url}#/races?theme=blue`);
    await page.getByRole('alert').filter({ hasText: 'neither light nor dark' }).waitFor();
    await context.close();
  });

  test('reduced motion: a link that plays on open waits for Play', async () => {
    const { page, context, problems } = await openPage(browser, `${server.url}#/models?autoplay`, { reducedMotion: 'reduce' });
    const lab = await new ModelsLab(page).ready();
    await page.getByTestId('autoplay-held').waitFor();
    await page.waitForTimeout(600);
    assert.equal(await lab.cursor(), 0, 'still at the start');
    await lab.play();
    await page.waitForFunction(() => !/^0 \//.test(document.querySelector('.cursor-time').textContent));
    assert.equal(await page.getByTestId('autoplay-held').count(), 0);
    assert.deepEqual(problems, []);
    await context.close();
  });
});

describe('the home page', () => {
  test('lists every Races lesson, grouped by idea', async () => {
    const { page, context, problems } = await openPage(browser, server.url);
    const lessons = page.getByTestId('home-lessons');
    await lessons.waitFor();
    const ideas = await lessons.locator(':scope > li.idea').evaluateAll((items) => items.map((li) => [li.firstChild.textContent, li.querySelectorAll('a').length]));
    assert.deepEqual(ideas, [
      ['Lost updates', 3],
      ['Shared data structures', 2],
      ['Mutual exclusion', 3],
      ['Deadlock', 3],
      ['Dining philosophers', 3],
      ['Condition variables', 2],
      ['Barriers', 2],
      ['Starvation and livelock', 4],
      ['Files shared by processes', 4],
    ]);
    await lessons.getByRole('link', { name: 'Fix: reserve everything up front' }).click();
    await new RacesLab(page).ready();
    assert.equal(await page.getByTestId('lesson').inputValue(), 'deadlock-lock-all');
    assert.deepEqual(problems, []);
    await context.close();
  });
});
