// Trunk post-build step (scripts/post_build.mjs runs it before csp.mjs):
// names each wasm module's JS glue and wasm by their content, and writes
// the page's loader (web/loader.js) into index.html with the list of the
// labs (web/labs.json) and their modules. Trunk hashes only its one "main" asset's names; the lab modules
// and the workers' module are Trunk "worker" assets, which it leaves
// unhashed. Named by content, every module file can be cached for good
// (web/_headers), and a page never pairs a module's glue with another
// build's wasm.
import { createHash } from 'node:crypto';
import { readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The list of labs (web/labs.json, written from crates/core/src/labs.rs). */
export const LABS = JSON.parse(await readFile(new URL('../web/labs.json', import.meta.url), 'utf8'));

/** The modules the loader needs: each lab's, and the workers'. */
export const MODULE_NAMES = [...LABS.labs.map((lab) => lab.name), 'worker'];

const hashOf = async (file) => createHash('sha256').update(await readFile(file)).digest('hex').slice(0, 16);

/** Renames the modules' files in `dir` and writes the loader into its index.html. */
export async function nameModules(dir, sourceDir) {
  const files = await readdir(dir);
  const modules = {};
  for (const name of MODULE_NAMES) {
    const find = (suffix) => {
      const pattern = new RegExp(`^interleave_${name}(-[0-9a-f]+)?${suffix.replace('.', '\\.')}$`);
      const found = files.filter((file) => pattern.test(file));
      if (found.length !== 1) {
        throw new Error(`modules: expected one interleave_${name}…${suffix} in ${dir}, found ${found.length}`);
      }
      return found[0];
    };
    const named = {};
    for (const [kind, suffix] of [['js', '.js'], ['wasm', '_bg.wasm']]) {
      const file = find(suffix);
      const target = `interleave_${name}-${await hashOf(join(dir, file))}${suffix}`;
      if (file !== target) await rename(join(dir, file), join(dir, target));
      named[kind] = `./${target}`;
    }
    modules[name] = named;
  }
  const marker = 'const MODULES = {};';
  const labsMarker = 'const LABS = { home: null, labs: [] };';
  const loader = await readFile(join(sourceDir, 'web/loader.js'), 'utf8');
  for (const line of [marker, labsMarker]) {
    if (!loader.includes(line)) throw new Error(`modules: web/loader.js lacks the line ${line}`);
  }
  const labs = { home: LABS.home, labs: LABS.labs.map(({ name, path, label }) => ({ name, path, label })) };
  const script = loader
    .replace(marker, `const MODULES = ${JSON.stringify(modules)};`)
    .replace(labsMarker, `const LABS = ${JSON.stringify(labs)};`);
  const file = join(dir, 'index.html');
  const html = await readFile(file, 'utf8');
  const tag = '<script type="module" src="web/loader.js"></script>';
  if (!html.includes(tag)) throw new Error(`modules: ${file} lacks ${tag}`);
  // Trunk leaves its "main" asset's link when it writes no script for it.
  const page = html
    .replace(tag, () => `<script type="module">\n${script}</script>`)
    .replace(/\s*<link data-trunk rel="rust"[^>]*>/g, '');
  await writeFile(file, page);
  return modules;
}
