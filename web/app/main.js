// main starts the guard app: it registers the service worker, asks for
// persistent storage, starts sync, and routes #/… addresses to screens.
// The store is the source of truth: list screens re-render from it after
// every committed write; forms keep their own element state while typed in.

import * as store from '../shared/store.js';
import * as sync from '../shared/sync.js';
import { t, lang, setLang, bytes, prepareTimes } from '../shared/i18n.js';
import { h, icon, banner, button, loading, failure } from '../shared/ui.js';
import * as today from './screens/today.js';
import { afterTouch, held } from './touches.js';

// When the app's code starts running (the cold-start benchmark's split).
performance.mark('patrolsync-main');

// Only today's screen, the usual first one, is in the start-up bundle; the
// others are loaded when first opened (from the service worker's cache),
// so that a cold start parses no code it does not run (docs/benchmarks.md).
const routes = [
  [/^#\/today$/, () => today, 'today'],
  [/^#\/templates$/, () => import('./screens/templates.js'), 'today'],
  [/^#\/inspection\/([\w-]+)$/, () => import('./screens/inspection.js'), 'today'],
  [/^#\/round\/([\w-]+)$/, () => import('./screens/round.js'), 'today'],
  [/^#\/incident$/, () => import('./screens/incident.js'), 'incident'],
  [/^#\/findings(?:\/([\w-]+))?$/, () => import('./screens/findings.js'), 'findings'],
  [/^#\/sync$/, () => import('./screens/sync.js'), 'sync'],
  [/^#\/duty$/, () => import('./screens/duty.js'), 'today'],
  [/^#\/drills$/, () => import('./screens/drills.js'), 'today'],
  [/^#\/handover$/, () => import('./screens/handover.js'), 'today'],
];
const loadLogin = () => import('./screens/login.js');

const notices = { storage: null, update: false };
let current = null;
let renderSeq = 0;
// Today's screen is the usual first one: its reads start with the
// session's (the first render takes them, or drops them for the sign-in).
let prefetched = match().load === routes[0][1] ? today.reads() : null;
if (prefetched) prefetched.catch(() => {});
// While the database opens, the thread is free for the first screen's
// time formatter, the costliest thing it draws.
prepareTimes();

function navigate(hash) {
  if (location.hash === hash) render();
  else location.hash = hash;
}

function match() {
  const hash = location.hash || '#/today';
  for (const [pattern, load, tab] of routes) {
    const found = hash.match(pattern);
    if (found) return { load, tab, params: found.slice(1) };
  }
  return { load: routes[0][1], tab: 'today', params: [] };
}

// signingIn says whether the sign-in screen is up: it is drawn once, since
// redrawing it would lose what is being typed.
function signingIn() {
  return !!(current && current.login);
}

// render draws the screen the address names. No screen is swapped in while
// a finger is on the screen (touches.js): replacing the pressed element
// would lose the tap.
async function render() {
  const seq = ++renderSeq;
  const root = document.getElementById('app');
  const early = prefetched;
  prefetched = null;
  const session = await store.session();
  document.documentElement.lang = lang();
  if (!session || !session.user || (!session.access && !session.refresh)) {
    const login = await loadLogin();
    if (seq !== renderSeq) return;
    if (current && current.cleanup) current.cleanup();
    current = { screen: login, login: true };
    root.replaceChildren(await login.render({ navigate, rerender: render, session }));
    afterFirstScreen();
    return;
  }
  const { load, tab, params } = match();
  let screen;
  try {
    screen = await load();
  } catch (error) {
    // A screen's module is in the cached shell; it is missing when a newer
    // shell took over this open page (its cache replaced the old files): a
    // reload starts the new shell, and nothing in IndexedDB is touched.
    console.error(error);
    root.replaceChildren(failure(t('error', { error: error.message }), button(t('reload'), () => location.reload())));
    return;
  }
  if (seq !== renderSeq) return;
  if (current && current.cleanup && current.screen !== screen) current.cleanup();
  const context = { navigate, rerender: render, session, params, prefetched: screen === today ? early : null };
  const main = h('main', { class: 'main', id: 'main' });
  // The new screen is drawn off the page and swapped in whole, so a
  // re-render never shows a blank or half-drawn screen.
  const first = !root.querySelector('.app');
  if (first) root.replaceChildren(h('div', { class: 'app' }, h('main', { class: 'main' }, loading(t('loading')))));
  let content;
  try {
    content = await screen.render(context);
  } catch (error) {
    console.error(error);
    content = failure(t('error', { error: error.message }), button(t('retry'), () => render()));
  }
  if (seq !== renderSeq) return;
  // A finger came down while this screen was read from the store: it is
  // drawn once the touch is over, from the state as it is then. This holds
  // for a navigation too (a tab tapped, then a button of the old screen
  // pressed while the new one loads): swapping the screen under the press
  // would take the pressed element away and lose that second tap.
  if (held()) {
    redraw();
    return;
  }
  main.replaceChildren(content);
  const scroll = window.scrollY;
  // The tab bar is drawn with the counts last read and filled after the
  // screen is up: reading the outbox and evidence is not worth a later
  // first screen (the cold-start budget), and the counts follow at once.
  root.replaceChildren(h('div', { class: 'app' },
    topbar(screen, context), main, tabbar(tab, lastCounts)));
  if (current && current.screen === screen && current.params === location.hash) window.scrollTo(0, scroll);
  current = { screen, cleanup: screen.cleanup, params: location.hash };
  // The first screen with content: what the cold-start budget measures.
  if (!performance.getEntriesByName('patrolsync-usable').length) {
    performance.mark('patrolsync-usable');
    afterFirstScreen();
  }
  updateTabbar();
}

// lastCounts are the tab bar's counts as last read from the store.
let lastCounts = { waiting: 0, unsent: 0, problems: 0, others: 0 };

function topbar(screen, context) {
  const title = screen.title ? screen.title(context) : t('app_name');
  const target = typeof screen.back === 'function' ? screen.back(context) : screen.back;
  const back = target ? h('a', { class: 'btn btn-quiet', href: target, 'aria-label': t('back') }, icon('back')) : null;
  return h('header', { class: 'topbar' }, back, h('h1', {}, title),
    button(lang() === 'zh-CN' ? 'EN' : '中文', () => { setLang(lang() === 'zh-CN' ? 'en' : 'zh-CN'); render(); },
      { kind: 'quiet', 'aria-label': t('language'), id: 'lang-toggle' }));
}

// offlineBanner sits in the fixed footer, above the tabs: the network
// coming and going never moves the screen's content under a finger.
// The notices (storage, an update) sit there too, for the same reason:
// they arrive after the first screen, while a finger may be on its way.
function offlineBanner() {
  if (navigator.onLine) return null;
  return h('div', { class: 'banner banner-offline', role: 'status', id: 'offline-banner' }, icon('offline', 20), h('span', {}, t('offline_banner')));
}

function noticeBanners() {
  const list = [];
  if (notices.update) list.push(banner(t('update_ready'), 'info', button(t('reload'), applyUpdate, { kind: 'secondary', id: 'update-reload' })));
  // The notice is kept as its string's key, so that it follows a change of
  // language; a dismissed notice stays away until another one comes.
  const notice = notices.storage && JSON.stringify(notices.storage);
  // Whether the notice is up, for a test to wait on (it arrives after the
  // first screen, in the footer).
  const shown = notice && localStorage.getItem('patrolsync.storage-notice') !== notice;
  if (notice) document.documentElement.dataset.storageNotice = shown ? 'shown' : 'dismissed';
  if (shown) {
    list.push(banner(t(notices.storage.key, notices.storage.params), 'warn', button(t('dismiss'), () => {
      localStorage.setItem('patrolsync.storage-notice', notice);
      render();
    }, { kind: 'quiet', id: 'dismiss-storage' })));
  }
  return list.length ? h('div', { class: 'notices' }, list) : null;
}

function tabbar(active, counts) {
  const tab = (name, hash, iconName, text, dot) => h('a', {
    class: 'tab', href: hash, 'aria-current': active === name ? 'page' : null, id: `tab-${name}`,
  }, icon(iconName), text, dot ? h('span', { class: 'dot' }, String(dot)) : null);
  const pending = counts.waiting + counts.unsent + counts.problems;
  const footer = h('footer', { class: 'tabbar', dataset: { online: String(navigator.onLine) } }, noticeBanners(), offlineBanner(), h('nav', { 'aria-label': t('app_name') },
    tab('today', '#/today', 'home', t('today')),
    tab('incident', '#/incident', 'alert', t('incidents')),
    tab('findings', '#/findings', 'wrench', t('findings')),
    tab('sync', '#/sync', 'sync', t('sync'), pending)));
  if (observedFooter) footerSize.unobserve(observedFooter);
  footerSize.observe(footer);
  observedFooter = footer;
  return footer;
}

// footerSize keeps --footer-height the fixed footer's height, measured
// before each paint: the screen scrolls that much further (design.css,
// .main) so that nothing is hidden under notices, banner and tabs, and
// their coming and going never moves the screen's content.
let observedFooter = null;
const footerSize = new ResizeObserver((entries) => {
  for (const entry of entries) {
    if (!entry.target.isConnected) continue;
    document.documentElement.style.setProperty('--footer-height', `${Math.ceil(entry.borderBoxSize[0].blockSize)}px`);
  }
});

// storage asks the browser to keep offline data and watches free space.
async function storage() {
  if (!navigator.storage) return;
  try {
    if (navigator.storage.persist && !(await navigator.storage.persisted())) {
      const granted = await navigator.storage.persist();
      if (!granted) notices.storage = { key: 'storage_refused' };
    }
    await space();
  } catch (error) {
    console.warn('storage', error);
  }
}

// space warns when little room is left for evidence. Nothing is ever
// deleted to make room: the guard is asked to send what waits first.
async function space() {
  if (!navigator.storage || !navigator.storage.estimate) return;
  const { usage = 0, quota = 0 } = await navigator.storage.estimate();
  const free = quota - usage;
  if (quota && (free < 100 * 1024 * 1024 || usage / quota > 0.9)) notices.storage = { key: 'storage_low', params: { free: bytes(free) } };
}

// Every photo or signature kept on the phone takes room: look again after
// evidence is stored (at most every few seconds), and show a new warning.
let spaceCheck = null;
store.subscribe((names) => {
  if (!names.includes('media') || spaceCheck) return;
  spaceCheck = setTimeout(async () => {
    const before = JSON.stringify(notices.storage);
    try { await space(); } catch (error) { console.warn('storage', error); }
    spaceCheck = null;
    if (JSON.stringify(notices.storage) !== before) redrawUnlessSigningIn();
  }, 3000);
});

function serviceWorker() {
  if (!('serviceWorker' in navigator)) return;
  navigator.serviceWorker.register('./sw.js', { scope: './' }).then((registration) => {
    // A new shell installed beside this one waits for the guard's Reload
    // (sw.js). The outbox lives in IndexedDB, which an update never touches.
    const offer = (worker) => {
      notices.update = worker;
      rerenderLists();
    };
    if (registration.waiting && navigator.serviceWorker.controller) offer(registration.waiting);
    registration.addEventListener('updatefound', () => {
      const worker = registration.installing;
      worker.addEventListener('statechange', () => {
        if (worker.state === 'installed' && navigator.serviceWorker.controller) offer(worker);
      });
    });
    // The browser looks for a new shell when the app is opened; an app
    // left open all shift looks when the network returns or it is shown.
    const look = () => { if (navigator.onLine) registration.update().catch(() => {}); };
    window.addEventListener('online', look);
    document.addEventListener('visibilitychange', () => { if (document.visibilityState === 'visible') look(); });
  }).catch((error) => console.warn('service worker', error));
}

// applyUpdate hands over to the waiting shell and reloads once it controls
// the page (at once when another tab already handed over).
function applyUpdate() {
  const worker = notices.update;
  if (!worker || worker.state === 'activated' || worker.state === 'redundant') {
    location.reload();
    return;
  }
  navigator.serviceWorker.addEventListener('controllerchange', () => location.reload(), { once: true });
  worker.postMessage({ type: 'skip-waiting' });
}

// redrawUnlessSigningIn draws the screen again with new notices; the
// sign-in screen keeps them for later, since redrawing it would lose what is
// being typed.
function redrawUnlessSigningIn() {
  if (!signingIn()) redraw();
}

// redraw draws the screen again in the background, after any touch.
function redraw() {
  afterTouch('screen', () => render());
}

let pendingRender = null;
function rerenderLists() {
  if (pendingRender) return;
  pendingRender = setTimeout(() => {
    pendingRender = null;
    // The screen on the page; one still loading reads the store when drawn.
    const screen = current && current.params === location.hash ? current.screen : {};
    const { params } = match();
    const live = typeof screen.live === 'function' ? screen.live(params) : screen.live;
    if (live && !signingIn()) redraw();
    else updateTabbar();
  }, 150);
}

async function updateTabbar() {
  const counts = await store.counts();
  const footer = document.querySelector('.tabbar');
  if (!footer) return;
  const changed = JSON.stringify(counts) !== JSON.stringify(lastCounts) || footer.dataset.online !== String(navigator.onLine);
  if (changed || !footer.dataset.counted) {
    // A tab under a finger is not replaced until the touch is over.
    if (held()) {
      afterTouch('tabbar', updateTabbar);
      return;
    }
    lastCounts = counts;
    const fresh = tabbar(match().tab, counts);
    fresh.dataset.counted = 'true';
    footer.replaceWith(fresh);
  }
}

window.addEventListener('hashchange', render);
window.addEventListener('online', rerenderLists);
window.addEventListener('offline', rerenderLists);
store.subscribe(rerenderLists);
sync.onStatus(() => {
  // The sign-in screen is drawn once; redrawing it would lose what is typed.
  if (sync.status().phase === 'login' && !signingIn()) redraw();
  else if (!signingIn()) rerenderLists();
});

// afterFirstScreen starts what the first screen does not need: the service
// worker's registration (the page is already served from its cache when it
// is installed), the storage checks and sync. On a throttled phone each of
// them competes with the first screen for the one thread.
let started = false;
function afterFirstScreen() {
  if (started) return;
  started = true;
  setTimeout(() => {
    serviceWorker();
    storage().then(() => {
      if (notices.storage) redrawUnlessSigningIn();
      else document.documentElement.dataset.storageNotice = 'none';
    });
    sync.start();
  }, 0);
}

render();
