import { launch } from './browser.mjs';
import { serveDist } from './server.mjs';
const browser = await launch();
for (const isolated of [true, false]) {
  const server = await serveDist({ isolated, cache: 'deploy' });
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${server.url}#/parallel`);
  await page.locator(`.status[data-mode="${isolated ? 'isolated' : 'message-passing'}"]`).waitFor({ timeout: 30_000 });
  const sweep = page.getByRole('button', { name: /^Sweep 1 to/ });
  const ratios = [];
  for (let run = 1; run <= 10; run++) {
    await sweep.click();
    await page.locator(`.parallel-results[data-sweeps="${run}"]`).waitFor({ timeout: 120_000 });
    if (run === 1) continue;
    const rows = await page.locator('.speedup-table tbody tr').evaluateAll((trs) => trs.map((tr) => ({ workers: Number(tr.dataset.workers), ms: Number(tr.dataset.ms) })));
    ratios.push(rows[0].ms / rows[1].ms);
  }
  const s = [...ratios].sort((a, b) => a - b);
  console.log(isolated ? 'isolated' : 'message', 'median', ((s[4] + s[5]) / 2).toFixed(2), ratios.map((x) => x.toFixed(2)).join(' '));
  await context.close(); await server.close();
}
await browser.close();
