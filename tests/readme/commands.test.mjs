// The README's two commands, as a new user runs them: both scripts are
// committed executable, and the first serves the app on 127.0.0.1:8080
// with the isolation headers, where the page loads with no console errors
// (no Content-Security-Policy violation, no failed request).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { launch, openPage } from '../e2e/browser.mjs';

const ROOT = new URL('../../', import.meta.url).pathname;
const URL_SERVED = 'http://127.0.0.1:8080/';

async function readmeCommands() {
  const readme = await readFile(`${ROOT}README.md`, 'utf8');
  const block = /```sh\n([\s\S]*?)```/.exec(readme)[1];
  return block.trim().split('\n');
}

test('the README starts with two commands whose scripts are committed executable', async () => {
  const commands = await readmeCommands();
  assert.deepEqual(commands, ['./scripts/serve.sh', './scripts/test.sh']);
  for (const command of commands) {
    const entry = execFileSync('git', ['ls-files', '-s', command.replace('./', '')], { cwd: ROOT, encoding: 'utf8' });
    assert.match(entry, /^100755 /, `${command} is not committed executable: ${entry}`);
  }
});

let server;
let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  if (server) process.kill(-server.pid, 'SIGTERM');
  await browser?.close();
});

test('./scripts/serve.sh serves the app on 127.0.0.1:8080, isolated, with no console errors', async () => {
  const [serve] = await readmeCommands();
  server = spawn(serve, [], { cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  server.stdout.on('data', (chunk) => (log += chunk));
  server.stderr.on('data', (chunk) => (log += chunk));
  // It builds first (release), then serves: wait for an answer.
  const deadline = Date.now() + 600_000;
  let response;
  while (Date.now() < deadline) {
    assert.equal(server.exitCode, null, `serve.sh exited: ${log.slice(-2000)}`);
    response = await fetch(URL_SERVED).catch(() => null);
    if (response?.ok) break;
    await new Promise((ok) => setTimeout(ok, 1000));
  }
  assert.ok(response?.ok, `nothing answered on ${URL_SERVED}: ${log.slice(-2000)}`);
  assert.equal(response.headers.get('cross-origin-opener-policy'), 'same-origin');
  assert.equal(response.headers.get('cross-origin-embedder-policy'), 'require-corp');
  const { page, context, problems } = await openPage(browser, `${URL_SERVED}#/parallel`);
  await page.locator('[data-mode="isolated"]').waitFor({ timeout: 60_000 });
  assert.equal(await page.evaluate(() => crossOriginIsolated), true);
  assert.deepEqual(problems, []);
  await context.close();
});
