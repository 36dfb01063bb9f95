// axe-core (the npm package) run inside a page: WCAG 2.0-2.2 A and AA
// rules. The source is evaluated through the devtools protocol, so the
// app's Content-Security-Policy does not block it.
import { readFile } from 'node:fs/promises';

const SOURCE = await readFile(new URL('../../node_modules/axe-core/axe.min.js', import.meta.url), 'utf8');
export const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

/**
 * Runs axe on `page` and returns { checked, serious }: how many rules
 * passed or failed, and the serious or critical violations, each as
 * "rule: nodes (help)".
 */
export async function axeCheck(page) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(SOURCE);
  const result = await page.evaluate((tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] }), TAGS);
  const serious = result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help}; ${v.nodes.length} node(s): ${v.nodes.slice(0, 4).map((n) => `${n.target.join(' ')} ${n.failureSummary?.split('\n')[1]?.trim() ?? ''}`).join(' | ')}`);
  const minor = result.violations.filter((v) => v.impact !== 'serious' && v.impact !== 'critical').map((v) => `${v.id} (${v.impact})`);
  return { checked: result.passes.length + result.violations.length + result.incomplete.length, serious, minor };
}
