// The release wasm's size budgets: the gzip size (zlib, level 9) of each
// module in dist/ may not pass its budget. A visit loads the module of the
// lab it opens (the home page's is the Models lab's), another lab's the
// first time that lab is opened, and the workers' module (crates/worker)
// when a job first runs in a worker. Set at the sizes reached (see the
// README's "Page weight" for what takes the space); raise one only on
// purpose, and never a lab's past PAGE_GOAL.
import { readdir, readFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { DIST } from './server.mjs';

/** What any one page load may fetch in wasm (issue 15): 400 KB gzip. */
export const PAGE_GOAL = 400_000;

/** The lab modules, in the order the page's nav lists the labs. */
export const LAB_MODULES = ['models', 'servers', 'races', 'parallel'];

export const WASM_GZIP_BUDGETS = {
  models: 266_500,
  servers: 251_500,
  races: 317_000,
  parallel: 247_500,
  worker: 192_000,
};

/** A release module in dist/ (`models`, ..., `worker`): its name, bytes, and raw and gzip sizes. */
export async function wasmSizes(which) {
  const pattern = new RegExp(`^interleave_${which}-[0-9a-f]+_bg\\.wasm$`);
  const name = (await readdir(DIST)).find((file) => pattern.test(file));
  if (!name) throw new Error(`no ${which} module (interleave_${which}-*_bg.wasm) in dist/: run trunk build --release first`);
  const bytes = await readFile(`${DIST}/${name}`);
  return { name, bytes, raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
}
