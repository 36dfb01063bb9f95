// Trunk post-build step (scripts/post_build.mjs runs it last): adds a
// Content-Security-Policy to index.html that allows no eval beyond
// 'wasm-unsafe-eval', no third-party requests, and only the inline
// scripts the build wrote (the loader; by their SHA-256 hashes).
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Writes the policy into `dir`'s index.html. */
export async function addCsp(dir) {
  const file = join(dir, 'index.html');
  let html = await readFile(file, 'utf8');

  const hashes = [...html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)].map(
    ([, body]) => `'sha256-${createHash('sha256').update(body, 'utf8').digest('base64')}'`,
  );
  const policy = [
    "default-src 'self'",
    `script-src 'self' 'wasm-unsafe-eval' ${hashes.join(' ')}`.trim(),
    "worker-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "connect-src 'self'",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');

  html = html.replace(/\s*<meta http-equiv="Content-Security-Policy"[^>]*>/, '');
  html = html.replace(/<head>/, `<head>\n    <meta http-equiv="Content-Security-Policy" content="${policy}" />`);
  await writeFile(file, html);
  console.log(`csp: ${hashes.length} inline script hash(es) in ${file}`);
}
