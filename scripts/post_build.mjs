// Trunk's post-build hook (Trunk.toml): the modules' content names and the
// page's loader (modules.mjs), then the Content-Security-Policy, which
// takes the hash of that inline loader (csp.mjs).
import { addCsp } from './csp.mjs';
import { nameModules } from './modules.mjs';

const dir = process.env.TRUNK_STAGING_DIR ?? process.argv[2];
const source = process.env.TRUNK_SOURCE_DIR ?? new URL('..', import.meta.url).pathname;
if (!dir) throw new Error('usage: TRUNK_STAGING_DIR=dist node scripts/post_build.mjs');
const modules = await nameModules(dir, source);
console.log(`modules: ${Object.values(modules).map(({ wasm }) => wasm).join(' ')}`);
await addCsp(dir);
