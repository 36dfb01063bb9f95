// A module per lab (ARCHITECTURE.md, "A module per lab"): a visit fetches
// the wasm of the lab it opens and no other, another lab's module the
// first time that lab is opened, and nothing again on the way back; the
// loader's route rule is the app's; a module that cannot load says so,
// and the header still leads to the other labs.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { serveDist } from './server.mjs';
import { launch } from './browser.mjs';

let browser;
let server;
before(async () => {
  browser = await launch();
  server = await serveDist({ isolated: true });
});
after(async () => {
  await browser?.close();
  await server?.close();
});

/**
 * A page whose lab modules' wasm fetches are recorded by name (no service
 * worker, so every fetch is seen). The workers' module is left out: a lab
 * that runs jobs starts compiling it when it mounts.
 */
async function open(hash, { width = 1200 } = {}) {
  const context = await browser.newContext({ viewport: { width, height: 900 }, serviceWorkers: 'block' });
  const page = await context.newPage();
  const fetched = [];
  const problems = [];
  page.on('request', (request) => {
    const name = new URL(request.url()).pathname.match(/interleave_([a-z]+)-[0-9a-f]+_bg\.wasm$/)?.[1];
    if (name && name !== 'worker') fetched.push(name);
  });
  page.on('pageerror', (error) => problems.push(error.message));
  await page.goto(`${server.url}${hash}`);
  return { page, context, fetched, problems };
}

/** The module roots that render something now. */
const rendering = (page) =>
  page.locator('.module-root').evaluateAll((roots) => roots.filter((root) => root.children.length > 0).map((root) => root.dataset.module));

test('a visit fetches only its lab\'s module; another lab\'s on the first visit to it; none on the way back', async () => {
  const { page, context, fetched, problems } = await open('#/races');
  await page.getByRole('heading', { name: 'Races: be the scheduler' }).waitFor();
  assert.deepEqual(fetched, ['races']);
  assert.deepEqual(await rendering(page), ['races']);

  await page.getByRole('navigation', { name: 'Labs' }).getByRole('link', { name: 'Servers' }).click();
  await page.getByRole('heading', { name: /^Servers/ }).first().waitFor();
  assert.deepEqual(fetched, ['races', 'servers']);
  assert.deepEqual(await rendering(page), ['servers']);
  // One header, one nav, one main: the loader's own are gone.
  assert.equal(await page.locator('nav[aria-label="Labs"]').count(), 1);
  assert.equal(await page.locator('#main-content').count(), 1);
  assert.equal(await page.locator('#loading').count(), 0);

  await page.goBack();
  await page.getByRole('heading', { name: 'Races: be the scheduler' }).waitFor();
  assert.deepEqual(await rendering(page), ['races']);
  await page.getByRole('link', { name: 'Interleave', exact: true }).click();
  await page.locator('.home').waitFor();
  assert.deepEqual(fetched, ['races', 'servers', 'models'], 'the home page is in the Models lab\'s module');
  assert.deepEqual(await rendering(page), ['models']);
  assert.deepEqual(problems, []);
  await context.close();
});

test('the loader picks each route\'s module by the app\'s own rule', async () => {
  // The fragment's path decides, as interleave_core's Fragment::parse
  // reads it: trailing slashes, the old anchors, an unknown path (the
  // home page, with a banner), parameters.
  const cases = [
    ['#/', 'models', '.home'],
    ['', 'models', '.home'],
    ['#/nowhere', 'models', '.banner'],
    ['#/models?autoplay', 'models', 'article.config'],
    ['#/races/', 'races', 'text=Races: be the scheduler'],
    ['#/servers?theme=dark', 'servers', 'main h2'],
    ['#parallel', 'parallel', '.status'],
    ['#/parallel//', 'parallel', '.status'],
  ];
  for (const [hash, module, selector] of cases) {
    const { page, context, fetched } = await open(hash);
    await page.locator(selector).first().waitFor();
    assert.deepEqual(fetched, [module], `${hash || '(no fragment)'} fetches the ${module} module`);
    assert.deepEqual(await rendering(page), [module], `${hash || '(no fragment)'} is rendered by the ${module} module`);
    await context.close();
  }
});

test('a lab whose module cannot load says so and keeps the way to the others; a later visit tries again', async () => {
  const { page, context } = await open('#/servers', { width: 390 });
  await page.getByRole('heading', { name: /^Servers/ }).first().waitFor();
  let fail = true;
  await page.route(/interleave_races-[0-9a-f]+_bg\.wasm$/, (route) => (fail ? route.abort() : route.continue()));
  await page.getByRole('navigation', { name: 'Labs' }).getByRole('link', { name: 'Races' }).click();
  const alert = page.getByRole('alert').filter({ hasText: 'Could not load the Races lab' });
  await alert.waitFor();
  assert.match(await alert.textContent(), /reload the page/);
  assert.deepEqual(await rendering(page), []);
  // The header is the loader's: the current lab is marked, the others lead on.
  const nav = page.getByRole('navigation', { name: 'Labs' });
  assert.equal(await nav.getByRole('link', { name: 'Races' }).getAttribute('aria-current'), 'page');
  await nav.getByRole('link', { name: 'Servers' }).click();
  await page.getByRole('heading', { name: /^Servers/ }).first().waitFor();
  assert.equal(await alert.count(), 0);

  fail = false;
  await page.getByRole('navigation', { name: 'Labs' }).getByRole('link', { name: 'Races' }).click();
  await page.getByRole('heading', { name: 'Races: be the scheduler' }).waitFor();
  assert.deepEqual(await rendering(page), ['races']);
  await context.close();
});

test('while a lab\'s module loads, the page says which lab it is loading, in an embed without the site\'s header', async () => {
  for (const [hash, header] of [['#/parallel', true], ['#/parallel?embed', false]]) {
    const context = await browser.newContext({ serviceWorkers: 'block' });
    const page = await context.newPage();
    let release;
    const held = new Promise((resolve) => {
      release = resolve;
    });
    await page.route(/interleave_parallel-[0-9a-f]+_bg\.wasm$/, async (route) => {
      await held;
      await route.continue();
    });
    await page.goto(`${server.url}${hash}`);
    const status = page.getByRole('status').filter({ hasText: 'Loading the Parallel lab…' });
    await status.waitFor();
    assert.equal(await page.locator('#loading header').isVisible(), header, `${hash}: the site's header`);
    release();
    await page.locator('.status').first().waitFor();
    assert.equal(await status.count(), 0);
    await context.close();
  }
});
