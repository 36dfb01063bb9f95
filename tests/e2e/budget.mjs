// The release wasm's size budgets: the gzip size (zlib, level 9) of each
// module in dist/ may not pass its budget. The page's module is what every
// visit loads; the workers' module (crates/worker) is loaded only when a
// job first runs in a worker. Set at the sizes reached (see the README's
// "Page weight" for what takes the space); raise one only on purpose.
import { readdir, readFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { DIST } from './server.mjs';

export const WASM_GZIP_BUDGET = 563_000;
export const WORKER_WASM_GZIP_BUDGET = 192_000;

/** The page's module (Trunk hashes its name), else the workers' module. */
const MODULES = {
  page: (f) => f.startsWith('interleave_web-') && f.endsWith('_bg.wasm'),
  worker: (f) => f === 'interleave_worker_bg.wasm',
};

/** A release module in dist/: its name, bytes, and raw and gzip sizes. */
export async function wasmSizes(which = 'page') {
  const name = (await readdir(DIST)).find(MODULES[which]);
  if (!name) throw new Error(`no ${which} module (*_bg.wasm) in dist/: run trunk build --release first`);
  const bytes = await readFile(`${DIST}/${name}`);
  return { name, bytes, raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
}
