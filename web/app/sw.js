// The guard app's service worker: it precaches the shell (page, scripts,
// styles, icons, the WebAssembly engine) under a versioned cache and serves
// it cache-first, so the app starts with no network. Navigations inside the
// app fall back to the cached page. API data is never cached by URL: it
// lives in IndexedDB (the replica and the outbox), which an update of the
// shell never touches.
//
// A new shell installs beside the running one and waits: the page shows
// the guard "a new version is ready", and its Reload asks the waiting
// worker to take over (the message skip-waiting), then reloads. Taking
// over at once would delete the old cache under a page that still loads
// files of its own version later (the engine, on the first checklist).
//
// web/build defines SHELL_VERSION (a digest of the shell's contents) and
// SHELL_FILES (the shell's URLs) when it bundles this file.

/* global SHELL_VERSION, SHELL_FILES */
const VERSION = typeof SHELL_VERSION === 'string' ? SHELL_VERSION : 'dev';
const FILES = typeof SHELL_FILES !== 'undefined' ? SHELL_FILES
  : ['./', './main.js', './app.css', './manifest.webmanifest', './icons/icon.svg', './icons/icon-192.png'];
const CACHE = `patrolsync-shell-${VERSION}`;
const PREFIX = 'patrolsync-shell-';

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    await cache.addAll(FILES.map((url) => new Request(url, { cache: 'reload' })));
  })());
});

self.addEventListener('message', (event) => {
  if (event.data && event.data.type === 'skip-waiting') self.skipWaiting();
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith(PREFIX) && name !== CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

function isAPI(url) {
  return url.pathname.startsWith('/v1/') || url.pathname === '/healthz' || url.pathname === '/readyz';
}

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || isAPI(url)) return;
  if (request.mode === 'navigate') {
    event.respondWith(shell(request));
    return;
  }
  event.respondWith(cached(request));
});

// shell answers a navigation with the cached page (the router reads the
// #fragment), and from the network only before the first install.
async function shell(request) {
  const cache = await caches.open(CACHE);
  const page = (await cache.match('./')) || (await cache.match('./index.html'));
  if (!page) return fetch(request);
  // A navigation may not be answered with a redirected response.
  if (page.redirected) return new Response(await page.blob(), { status: 200, headers: page.headers });
  return page;
}

async function cached(request) {
  const cache = await caches.open(CACHE);
  const hit = await cache.match(request, { ignoreSearch: true });
  if (hit) return hit;
  return fetch(request);
}
