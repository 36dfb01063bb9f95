// A static file server for the built dist/, with or without the
// cross-origin isolation headers (the un-isolated case is what an LMS
// iframe gets). Used by the end-to-end tests and the bench.
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve } from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.png': 'image/png',
  // The Races language reference, read as text (web/_headers says so too).
  '.md': 'text/plain; charset=utf-8',
};

export const DIST = resolve(new URL('../../dist', import.meta.url).pathname);

/**
 * What a response may be cached for. `cache: 'deploy'` sends what
 * `web/_headers` asks static hosts to send (Trunk's hashed files and the
 * snippets they import are immutable; the rest is revalidated); the
 * default, for tests, caches nothing.
 */
function cacheControl(path, cache) {
  if (cache !== 'deploy') return 'no-store';
  return /^\/(interleave_[a-z]+-[0-9a-f]+(_bg)?\.(js|wasm)|snippets\/.*)$/.test(path)
    ? 'public, max-age=31536000, immutable'
    : 'no-cache';
}

/** Serves `root` on 127.0.0.1 at a free port; resolves to { url, close }. */
export async function serveDist({ isolated, root = DIST, cache } = {}) {
  const server = createServer(async (req, res) => {
    try {
      const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
      let file = normalize(join(root, path));
      if (!file.startsWith(root)) {
        res.writeHead(403).end();
        return;
      }
      if ((await stat(file).catch(() => null))?.isDirectory()) file = join(file, 'index.html');
      const body = await readFile(file).catch(() => null);
      if (body === null) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
        return;
      }
      const headers = { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': cacheControl(path, cache) };
      if (isolated) {
        headers['cross-origin-opener-policy'] = 'same-origin';
        headers['cross-origin-embedder-policy'] = 'require-corp';
      }
      res.writeHead(200, headers).end(body);
    } catch (err) {
      res.writeHead(500).end(String(err));
    }
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address();
  const close = () => {
    server.closeAllConnections();
    return new Promise((ok) => server.close(ok));
  };
  return { url: `http://127.0.0.1:${port}/`, close };
}
