// The real run's console formatter (web/eventloop/format.js) against Node's
// own: every line the hand-written Event loop programs print
// (tests/eventloop/programs/*.js) is formatted both ways in one Node run
// and must come out the same. Promises are the one exception on purpose:
// a page cannot read a promise's state, so format.js prints
// `Promise { … }` (docs/eventloop-language.md). Needs no browser.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const programs = `${root}tests/eventloop/programs/`;

// Runs before the program: console.log also formats with format.js and
// reports every line where the two differ (promises aside).
const checker = `
import { readFileSync } from 'node:fs';
import { format } from 'node:util';
import vm from 'node:vm';
vm.runInThisContext(readFileSync(${JSON.stringify(`${root}web/eventloop/format.js`)}, 'utf8'));
const { formatLog } = globalThis.InterleaveFormat;
const hasPromise = (v, seen = new Set()) => {
  if (v instanceof Promise) return true;
  if (v === null || typeof v !== 'object' || seen.has(v)) return false;
  seen.add(v);
  return Object.values(v).some((x) => hasPromise(x, seen));
};
let lines = 0;
const differences = [];
const log = console.log.bind(console);
console.log = (...args) => {
  lines += 1;
  const node = format(...args);
  const ours = formatLog(args);
  if (node !== ours && !args.some((a) => hasPromise(a))) differences.push({ node, ours });
  log(node);
};
process.on('exit', () => process.stderr.write('\\n@@' + JSON.stringify({ lines, differences }) + '\\n'));
`;

for (const file of readdirSync(programs).filter((f) => f.endsWith('.js')).sort()) {
  test(`format.js prints ${file} as Node does`, () => {
    // A program that ends at an uncaught error exits with code 1: only the report matters.
    const { stderr } = spawnSync('node', ['--import', `data:text/javascript,${encodeURIComponent(checker)}`, '--import', `${root}tests/eventloop/node-prelude.mjs`, `${programs}${file}`], {
      encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'], timeout: 30000,
    });
    const report = stderr.split('\n').find((line) => line.startsWith('@@'));
    assert.ok(report, `no report from ${file}: ${stderr}`);
    const { lines, differences } = JSON.parse(report.slice(2));
    assert.ok(lines > 0, `${file} printed nothing`);
    assert.deepEqual(differences, [], `${file}: ${differences.length} of ${lines} lines differ`);
  });
}
