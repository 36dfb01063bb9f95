// End-to-end: share links, bad links, autosave, embed mode, export.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
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

describe('share links', () => {
  test('a copied link opens the same state in a fresh browser', async () => {
    const { page, context, problems } = await openPage(browser, `${server.url}#/models`);
    const lab = await new ModelsLab(page).ready();
    await lab.durationField('A', 2).fill('20');
    await lab.selectConfig(2);
    await lab.scrubTo(15);
    await lab.waitForSavedState();
    const { link, snippet } = await lab.share();
    assert.ok(link.startsWith(server.url) && link.includes('#/models?s=v1.'), link);
    assert.ok(link.length < 500, `a typical link is short: ${link.length}`);
    assert.match(snippet, /^<iframe id="interleave" src="[^"]*#\/models\?s=v1\.[^"]*&amp;embed"|^<iframe id="interleave" src="[^"]*&embed"/);
    assert.match(snippet, /allow="cross-origin-isolated"/);
    await context.close();

    const fresh = await openPage(browser, link);
    const again = await new ModelsLab(fresh.page).ready();
    assert.equal(await again.makespan('sync, 1 thread'), 180);
    assert.equal(await again.cursor(), 15);
    assert.equal(await again.durationField('A', 2).inputValue(), '20');
    assert.equal(await again.laneState(0).innerText(), 'running B');
    await fresh.context.close();

    const playing = await openPage(browser, link.replace(/#\/models\?s=([^&]*)/, '#/models?s=$1&autoplay'));
    const auto = await new ModelsLab(playing.page).ready();
    await playing.page.waitForFunction(() => Number(document.querySelector('.cursor-time').textContent.split(' ')[0]) > 20);
    assert.ok(await auto.root.getByRole('button', { name: 'Pause' }).isVisible(), 'autoplay starts playing');
    assert.deepEqual([...problems, ...fresh.problems, ...playing.problems], []);
    await playing.context.close();
  });

  test('the Share dialog\'s options shape the link and the embed snippet', async () => {
    const { page, context, problems } = await openPage(browser, `${server.url}#/models`);
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    const lab = await new ModelsLab(page).ready();
    await lab.scrubTo(15);
    await lab.root.getByRole('button', { name: 'Share / Embed' }).click();
    const dialog = page.getByRole('dialog');
    const link = () => dialog.getByLabel('Share link').inputValue();
    const snippet = () => dialog.getByLabel('Embed code').inputValue();
    const src = async () => /src="([^"]*)"/.exec(await snippet())[1].replaceAll('&amp;', '&');
    // Defaults: at the current step, medium size, no autoplay.
    assert.match(await snippet(), /width="960" height="760"/);
    assert.doesNotMatch(await src(), /autoplay/);
    const atStep = await link();
    await dialog.getByLabel('Embed size').selectOption({ label: 'Small (640 × 520)' });
    assert.match(await snippet(), /width="640" height="520"/);
    await dialog.getByLabel('Embed size').selectOption({ label: 'Full width (100% × 900)' });
    assert.match(await snippet(), /width="100%" height="900"/);
    await dialog.getByLabel('play on open').check();
    assert.match(await src(), /#\/models\?s=v1\.[^&]+&embed&autoplay$|&autoplay&embed$/);
    assert.match(await link(), /&autoplay/);
    // A theme for the embed only: the course site's; the link follows the viewer.
    await dialog.getByLabel('Embed theme').selectOption({ label: 'Dark' });
    assert.match(await src(), /&theme=dark$/);
    assert.doesNotMatch(await link(), /theme/);
    await dialog.getByLabel('Embed theme').selectOption({ label: "Follow the viewer's system" });
    assert.doesNotMatch(await src(), /theme/);
    // A plain page gets the lines that size the frame, for the snippet's id.
    await dialog.locator('details.share-resize summary').click();
    const resize = await dialog.getByTestId('resize-script').inputValue();
    assert.match(resize, /event\.data\.type === 'interleave:resize'/);
    assert.match(await snippet(), /<iframe id="interleave" /);
    assert.match(resize, /getElementById\('interleave'\)/);
    await dialog.getByLabel('open at the current step').uncheck();
    const atStart = await link();
    assert.notEqual(atStart, atStep);
    // Copy link puts the link as shown on the clipboard.
    await dialog.getByRole('button', { name: /^Copy link/ }).click();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), atStart);
    await dialog.getByRole('button', { name: 'Close' }).click();
    // Each link opens where it says: the current step, or the start.
    for (const [address, cursor] of [[atStep, 15], [atStart.replace('&autoplay', ''), 0]]) {
      const opened = await openPage(browser, address);
      const again = await new ModelsLab(opened.page).ready();
      assert.equal(await again.cursor(), cursor, address);
      assert.deepEqual(opened.problems, []);
      await opened.context.close();
    }
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('a corrupted link shows a banner and the autosaved work, which stays intact', async () => {
    const { page, context, problems } = await openPage(browser, `${server.url}#/models`);
    const lab = await new ModelsLab(page).ready();
    await lab.durationField('B', 2).fill('90');
    await lab.waitForSavedState();
    const saved = await page.evaluate(() => localStorage.getItem('interleave.models'));
    assert.ok(saved?.startsWith('v1.'));
    const { link } = await lab.share();
    const broken = link.slice(0, link.length - 40);
    await page.goto(broken);
    await page.reload();
    const banner = page.getByRole('alert').filter({ hasText: 'could not be opened' });
    await banner.waitFor();
    assert.match(await banner.innerText(), /damaged.*Showing your autosaved work instead/s);
    const reopened = await new ModelsLab(page).ready();
    assert.equal(await reopened.durationField('B', 2).inputValue(), '90');
    await page.waitForTimeout(500);
    assert.equal(await page.evaluate(() => localStorage.getItem('interleave.models')), saved, 'autosave untouched');
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('an edit made just before a reload is kept, even when the address already held a link', async () => {
    const { page, context, problems } = await openPage(browser, `${server.url}#/models`);
    const lab = await new ModelsLab(page).ready();
    await lab.root.getByRole('button', { name: 'Remove configuration 4' }).click();
    await page.waitForFunction(() => location.hash.includes('s=v1.'));
    // Reloaded before the address catches up with this edit (300 ms).
    await lab.root.getByRole('button', { name: 'Remove configuration 3' }).click();
    await page.reload();
    await lab.ready();
    assert.equal(await page.locator('article.config').count(), 2);
    // The address shows it too, so the next reload or a copied link agrees.
    await page.reload();
    await lab.ready();
    assert.equal(await page.locator('article.config').count(), 2);
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('an edit made just before going to another lab reaches its autosave, and never the other lab\'s address', async () => {
    const { page, context, problems } = await openPage(browser, `${server.url}#/models`);
    const lab = await new ModelsLab(page).ready();
    await lab.root.getByRole('button', { name: 'Remove configuration 4' }).click();
    await page.evaluate(() => { location.hash = '#/races'; });
    await page.locator('section.races-lab .thread-pane').first().waitFor();
    await page.waitForTimeout(600);
    assert.equal(new URL(page.url()).hash, '#/races', 'the Models edit did not write over the Races address');
    await page.evaluate(() => { location.hash = '#/models'; });
    await lab.ready();
    assert.equal(await page.locator('article.config').count(), 3, 'the edit is in the autosave');
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('links from a newer version and unknown pages say so', async () => {
    const { page, context, problems } = await openPage(browser, `${server.url}#/models?s=v7.abcdef`);
    await page.getByRole('alert').filter({ hasText: 'newer version of Interleave' }).waitFor();
    await new ModelsLab(page).ready();
    await page.goto(`${server.url}#/nowhere`);
    await page.getByRole('alert').filter({ hasText: 'There is no page "/nowhere"' }).waitFor();
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('the home page explains the labs and opens a one-click example', async () => {
    const { page, context, problems } = await openPage(browser, server.url);
    await page.getByRole('heading', { name: /Models: synchronous vs asynchronous/ }).waitFor();
    await page.getByRole('link', { name: 'A CPU-heavy batch' }).click();
    const lab = await new ModelsLab(page).ready();
    assert.equal(await lab.makespan('sync, 1 thread'), 160);
    assert.deepEqual(problems, []);
    await context.close();
  });
});

describe('embed mode', () => {
  test('works in an iframe on another origin without isolation, reports its height three ways, and opens the full page', async (t) => {
    const target = `${server.url}#/models?embed`;
    // The course page answers H5P's resizer protocol the way h5p-resizer.js
    // does: hello back, then prepareResize / resizePrepared / resize.
    const parent = createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' }).end(`<!doctype html><title>Course page</title>
        <h1>Week 3: concurrency</h1>
        <script>window.heights = []; window.canvas = []; window.h5p = []; window.origins = new Set();
          addEventListener('message', (e) => {
            if (e.data && e.data.type === 'interleave:resize') heights.push(e.data.height);
            if (typeof e.data === 'string' && e.data.includes('lti.frameResize')) canvas.push(JSON.parse(e.data).height);
            if (!e.data || e.data.context !== 'h5p') return;
            const frame = document.getElementById('lab');
            if (frame.contentWindow !== e.source) return;
            h5p.push(e.data.action);
            const respond = (action) => e.source.postMessage({ context: 'h5p', action }, e.origin);
            if (e.data.action === 'hello') respond('hello');
            if (e.data.action === 'prepareResize') { frame.style.height = e.data.clientHeight + 'px'; respond('resizePrepared'); }
            if (e.data.action === 'resize') frame.style.height = e.data.scrollHeight + 'px';
          });</script>
        <iframe id="lab" src="${target}" width="900" height="600" allow="cross-origin-isolated"></iframe>`);
    });
    await new Promise((ok) => parent.listen(0, '127.0.0.1', ok));
    // Closed even when an assertion fails: a listening server would keep
    // this file's process, and the whole run, alive.
    t.after(() => {
      parent.closeAllConnections();
      return new Promise((ok) => parent.close(ok));
    });
    const { page, context, problems } = await openPage(browser, `http://127.0.0.1:${parent.address().port}/`);
    const frame = page.frameLocator('#lab');
    await frame.locator('article.config svg rect.span').first().waitFor();
    assert.equal(await frame.locator('header.site-header').count(), 0, 'no site chrome');
    await page.waitForFunction(() => window.heights.length > 0 && window.canvas.length > 0);
    const [heights, canvas] = await page.evaluate(() => [window.heights, window.canvas]);
    assert.ok(heights.at(-1) > 600, `reported height ${heights.at(-1)}`);
    assert.equal(canvas.at(-1), heights.at(-1));
    // H5P: the frame is sized to the whole lab.
    await page.waitForFunction(() => parseInt(document.getElementById('lab').style.height, 10) > 600);
    const { actions, height } = await page.evaluate(() => ({ actions: window.h5p, height: parseInt(document.getElementById('lab').style.height, 10) }));
    assert.deepEqual(actions.slice(0, 3), ['hello', 'prepareResize', 'resize']);
    // One prepareResize in flight at a time, each answered by a resize.
    assert.doesNotMatch(actions.join(' '), /prepareResize prepareResize/, actions.join(' '));
    assert.ok(Math.abs(height - heights.at(-1)) <= 2, `H5P height ${height}, reported ${heights.at(-1)}`);

    // An edit made in the embed goes along to the full page, which is the
    // page itself, not the embed again.
    await frame.getByRole('button', { name: 'Remove configuration 4' }).click();
    await page.waitForTimeout(500);
    const [full] = await Promise.all([page.waitForEvent('popup'), frame.getByRole('link', { name: /Open full page/ }).click()]);
    await full.locator('header.site-header').waitFor();
    assert.doesNotMatch(full.url(), /embed/);
    assert.match(full.url(), /#\/models\?s=v1\./);
    await full.locator('article.config svg rect.span').first().waitFor();
    assert.equal(await full.locator('article.config').count(), 3, 'the embed\'s removal came along');
    assert.deepEqual(problems, []);
    await context.close();
  });
});

describe('export', () => {
  test('downloads a timeline as SVG and PNG, and the scenario as JSON that imports back', async () => {
    const { page, context, problems } = await openPage(browser, `${server.url}#/models`);
    const lab = await new ModelsLab(page).ready();
    const card = lab.config('async, 1 thread');
    const [svgDownload] = await Promise.all([page.waitForEvent('download'), card.getByRole('button', { name: 'SVG' }).click()]);
    const svg = await readFile(await svgDownload.path(), 'utf8');
    assert.match(svg, /^<\?xml/);
    assert.match(svg, /<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    assert.equal((svg.match(/class="span running"/g) ?? []).length, 6);
    const [pngDownload] = await Promise.all([page.waitForEvent('download'), card.getByRole('button', { name: 'PNG' }).click()]);
    const png = await readFile(await pngDownload.path());
    assert.deepEqual([...png.subarray(1, 4)], [0x50, 0x4e, 0x47], 'a PNG file');
    assert.ok(png.length > 2000);

    await lab.durationField('C', 1).fill('33');
    const [jsonDownload] = await Promise.all([page.waitForEvent('download'), lab.root.getByRole('button', { name: 'Export JSON' }).click()]);
    const json = await readFile(await jsonDownload.path(), 'utf8');
    await lab.root.getByRole('button', { name: 'Reset to default' }).click();
    await lab.durationField('C', 1).waitFor();
    assert.equal(await lab.durationField('C', 1).inputValue(), '10');
    await lab.root.getByLabel('Import a scenario file').setInputFiles({ name: 'scenario.json', mimeType: 'application/json', buffer: Buffer.from(json) });
    await page.waitForFunction(() => document.querySelector('[aria-label="C, step 1 duration"]')?.value === '33');
    assert.deepEqual(problems, []);
    await context.close();
  });
});

describe('security and offline', () => {
  test('a Content-Security-Policy allows no eval beyond wasm, and nothing third-party loads', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const origins = new Set();
    const problems = [];
    page.on('request', (request) => origins.add(new URL(request.url()).origin));
    page.on('console', (msg) => msg.type() === 'error' && problems.push(msg.text()));
    await page.goto(`${server.url}#/models`);
    await new ModelsLab(page).ready();
    const policy = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
    assert.match(policy, /script-src 'self' 'wasm-unsafe-eval' 'sha256-/);
    assert.doesNotMatch(policy.replace("'wasm-unsafe-eval'", ''), /unsafe-eval/);
    assert.match(policy, /default-src 'self'/);
    const own = new URL(server.url).origin;
    assert.deepEqual([...origins].filter((origin) => origin !== own && !origin.startsWith('blob:') && origin !== 'null'), []);
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('keeps working offline once loaded', async () => {
    const { page, context, problems } = await openPage(browser, `${server.url}#/models`);
    await new ModelsLab(page).ready();
    await page.evaluate(() => navigator.serviceWorker.ready);
    await page.reload();
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
    await new ModelsLab(page).ready();
    await context.setOffline(true);
    await page.reload();
    const lab = await new ModelsLab(page).ready();
    assert.equal(await lab.makespan('async, 1 thread'), 90);
    await context.setOffline(false);
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('a lab without steps or playback shows no empty Options box', async () => {
    const { page, context, problems } = await openPage(browser, `${server.url}#/servers`);
    await page.locator('section.servers-lab [data-testid=servers-compare]').waitFor();
    await page.getByRole('button', { name: 'Share / Embed' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Share link').waitFor();
    assert.equal(await dialog.locator('fieldset.share-options').count(), 0);
    await dialog.getByRole('button', { name: 'Close' }).click();
    assert.deepEqual(problems, []);
    await context.close();
  });
});
