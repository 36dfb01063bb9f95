// The release wasm's size budget: the gzip size (zlib, level 9) of dist/'s
// module may not pass it. Set at the size reached (see the README's
// bench section for what takes the space); raise it only on purpose.
import { readdir, readFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { DIST } from './server.mjs';

export const WASM_GZIP_BUDGET = 676_000;

/** The release module in dist/: its name and raw and gzip sizes in bytes. */
export async function wasmSizes() {
  const name = (await readdir(DIST)).find((f) => f.endsWith('_bg.wasm'));
  if (!name) throw new Error('no *_bg.wasm in dist/: run trunk build --release first');
  const bytes = await readFile(`${DIST}/${name}`);
  return { name, raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
}
