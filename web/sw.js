// Interleave's service worker.
// 1. Offline: network first (so a deploy is picked up at once), the cache
//    as the fallback, so the page keeps working once loaded.
// 2. Isolation fallback for hosts that cannot send headers: top-level page
//    loads get Cross-Origin-Opener-Policy and Cross-Origin-Embedder-Policy
//    added (and worker scripts Cross-Origin-Embedder-Policy), so after a
//    reload the page is cross-origin isolated and the Parallel lab can
//    share memory. Frames are left alone: a service worker
//    cannot isolate a page embedded in a non-isolated parent.
const CACHE = 'interleave-v1';

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

function isolated(response) {
  if (response.headers.get('cross-origin-embedder-policy') || response.type === 'opaque') return response;
  const headers = new Headers(response.headers);
  headers.set('Cross-Origin-Opener-Policy', 'same-origin');
  headers.set('Cross-Origin-Embedder-Policy', 'require-corp');
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET' || new URL(request.url).origin !== self.location.origin) return;
  // Worker scripts from a real URL (the rayon pool's, the lab worker's) do
  // not inherit the page's embedder policy: they need the header too.
  const needsHeaders = (request.mode === 'navigate' && request.destination === 'document')
    || request.destination === 'worker';
  event.respondWith(
    (async () => {
      const cache = await caches.open(CACHE);
      let response;
      try {
        response = await fetch(request);
        if (response.ok) await cache.put(request, response.clone());
      } catch (error) {
        response = await cache.match(request, { ignoreSearch: true });
        if (!response) throw error;
      }
      return needsHeaders ? isolated(response) : response;
    })(),
  );
});
