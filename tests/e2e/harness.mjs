// Shared set-up of the lab e2e suites: one headless Chromium and the app
// served twice, with cross-origin isolation (COOP + COEP) and without
// (what an LMS iframe gets). Call inside a test file, at the top level.
import { after, before } from 'node:test';
import { serveDist } from './server.mjs';
import { launch, openPage } from './browser.mjs';

/**
 * Registers before/after hooks; returns `open(mode, hash)`, which opens the
 * page ('isolated' or 'plain') at `hash` and resolves to what `openPage`
 * gives plus `browser`.
 */
export function labHarness() {
  const state = { browser: null, servers: {} };
  before(async () => {
    state.browser = await launch();
    state.servers.isolated = await serveDist({ isolated: true });
    state.servers.plain = await serveDist({ isolated: false });
  });
  after(async () => {
    await state.browser?.close();
    await state.servers.isolated?.close();
    await state.servers.plain?.close();
  });
  return async (mode, hash) => ({
    ...(await openPage(state.browser, `${state.servers[mode].url}${hash}`)),
    browser: state.browser,
  });
}
