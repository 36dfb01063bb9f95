// The release wasm's size budgets: the gzip size (zlib, level 9) of each
// module in dist/ may not pass its budget. A visit loads the module of the
// lab it opens (the home page's is the Models lab's), another lab's the
// first time that lab is opened, and the workers' module (crates/worker)
// when a job first runs in a worker. Set at the sizes reached (see
// docs/performance.md, "Page weight", for what takes the space); raise one only on
// purpose, and never a lab's past PAGE_GOAL.
import { readdir, readFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { DIST } from './server.mjs';

/** What any one page load may fetch in wasm (issue 15): 400 KB gzip. */
export const PAGE_GOAL = 400_000;

/** The lab modules, in the order the page's nav lists the labs (the one list, web/labs.json). */
export const LAB_MODULES = JSON.parse(readFileSync(new URL('../../web/labs.json', import.meta.url), 'utf8')).labs.map((lab) => lab.name);

export const WASM_GZIP_BUDGETS = {
  // +2 to +7 KB each for the one lab pattern (issue 28): a lab's links,
  // files and worker messages are generic over the lab (decoded by one
  // type each instead of an enum of the labs), the one lab hook and the
  // generic lab page; the workers' module serves each lab's jobs with
  // its own types. Then +3 to +7 KB for the page that explains itself
  // (issue 29): the glossary, the counts in words, the narration computed
  // from the figures, the exact schedule counts (the workers' module). See
  // docs/performance.md, "Page weight".
  // +6 KB with the Event loop lab (issue 30): the home page's card (its
  // lessons' links carry their programs), and legends that name only the
  // span kinds a trace has, in the trace's own words.
  // +50 to +57 KB each for challenges in every lab (issue 31): the
  // challenge bar (the player, the answer forms, "Make a challenge from
  // this"), sets read from their JSON tree, each lab's checks, brief and
  // built-in set; the home page's module also holds the challenges page
  // (a set's report, the set editor). The Races and Event loop modules
  // are built with the `wasm-small` profile (LabInfo::profile): -30 and
  // -50 KB. See docs/performance.md, "Page weight".
  models: 361_500,
  servers: 317_000,
  races: 373_000,
  parallel: 309_000,
  // The Event loop lab (issue 30): its own JavaScript lexer, parser,
  // compiler, promise machine and Node-style inspector, the recorded
  // run's panels and the real run's sandbox.
  eventloop: 370_500,
  // +0.2 KB: a trace's own names for its span kinds (issue 30).
  worker: 202_500,
};

/** A release module in dist/ (`models`, ..., `worker`): its name, bytes, and raw and gzip sizes. */
export async function wasmSizes(which) {
  const pattern = new RegExp(`^interleave_${which}-[0-9a-f]+_bg\\.wasm$`);
  const name = (await readdir(DIST)).find((file) => pattern.test(file));
  if (!name) throw new Error(`no ${which} module (interleave_${which}-*_bg.wasm) in dist/: run trunk build --release first`);
  const bytes = await readFile(`${DIST}/${name}`);
  return { name, bytes, raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
}
