// The supervisor's and manager's console at /console/: sign-in through the
// shared API client (the same session store as the guard app), then the
// screens of the route table below: the review queue (#/), one inspection
// (#/inspections/<id>) and the rest. It needs the network; it registers no
// service worker.

import * as api from '../shared/api.js';
import * as store from '../shared/store.js';
import { lang, setLang, languages } from '../shared/i18n.js';
import { h, button, field, banner, loading, failure } from '../shared/ui.js';
import { s, reason } from './strings.js';
import { directory, forgetMedia } from './data.js';
import { queueScreen } from './queue.js';
import { inspectionScreen } from './review.js';
import { findingsScreen, findingScreen } from './findings.js';
import { roundsScreen } from './rounds.js';
import { schedulesScreen, scheduleScreen } from './schedules.js';
import { adminScreen } from './admin.js';
import { recordsScreen } from './records.js';
import { templatesScreen } from './templates.js';
import { incidentsScreen } from './incidents.js';
import { drillsScreen } from './drills.js';
import { rosterScreen } from './roster.js';
import { handoversScreen } from './handovers.js';
import { dutyLogScreen } from './dutylog.js';
import { trainingsScreen } from './trainings.js';
import { dailyScreen } from './daily.js';
import { libraryScreen } from './library.js';
import { organisationScreen } from './organisation.js';
import { menus } from './menus.js';

const root = document.getElementById('console');

async function render() {
  document.documentElement.lang = lang();
  document.title = s('title');
  const session = await store.session();
  // Signing out forgets the tokens but keeps who it was, to fill in the form.
  const active = session && session.user && (session.access || session.refresh);
  if (!active) {
    known = null;
    root.replaceChildren(signIn(session));
    return;
  }
  if (session.user.role === 'guard') {
    root.replaceChildren(signedIn(session));
    return;
  }
  await route(session);
}

// known is the directory of names, read once per sign-in.
let known = null;

// turn counts the screens drawn: one whose directory arrives after a newer
// screen began (a tap on the bar while signing in) draws nothing, so that a
// stale screen's loads cannot overtake the one shown.
let turn = 0;

async function route(session) {
  const mine = ++turn;
  const main = h('main', { class: 'console-main', id: 'console-main' });
  root.replaceChildren(topbar(session), main);
  main.append(loading(s('loading')));
  try {
    known = known || await directory(session);
  } catch (error) {
    if (error instanceof api.NeedLogin) { await render(); return; }
    main.replaceChildren(failure(s('load_failed', { error: reason(error) }), button(s('retry'), () => render())));
    return;
  }
  if (mine !== turn) return;
  const context = { session, known, main, go: (hash) => { location.hash = hash; }, signOut: () => render() };
  const { screen, params } = currentRoute();
  if (screen.path !== '#/inspections/') forgetMedia();
  await screen.show(context, ...params);
}

// screens is the console's route table: one line per screen. path is the
// hash prefix (the longest match wins; '#/' is the default), nav the string
// key of its link in the top bar (none: reached from another screen), roles
// who sees the link (all signed-in console roles when absent), and show the
// function that fills context.main, called with the path's remaining
// segments; group puts its link in one of the bar's menus (menus.js).
const screens = [
  { path: '#/', nav: 'nav_queue', show: (context) => queueScreen(context) },
  { path: '#/inspections/', show: (context, id) => inspectionScreen(context, id) },
  { path: '#/findings', nav: 'nav_findings', show: (context) => findingsScreen(context) },
  { path: '#/findings/', show: (context, id) => findingScreen(context, id) },
  { path: '#/rounds', nav: 'nav_rounds', group: 'operations', show: (context) => roundsScreen(context) },
  { path: '#/schedules', nav: 'nav_schedules', group: 'operations', show: (context) => schedulesScreen(context) },
  { path: '#/schedules/', show: (context, id, standard) => scheduleScreen(context, id, standard) },
  { path: '#/records', nav: 'records_nav', roles: ['supervisor', 'admin', 'auditor'], show: (context, tab) => recordsScreen(context, tab) },
  { path: '#/templates', nav: 'templates_nav', roles: ['admin', 'auditor'], group: 'setup', show: (context, id) => templatesScreen(context, id) },
  { path: '#/admin', nav: 'admin_nav', roles: ['admin', 'auditor'], group: 'setup', show: (context, tab, ...rest) => adminScreen(context, tab, ...rest) },
  { path: '#/library', nav: 'library_nav', roles: ['admin', 'auditor'], group: 'setup', show: (context) => libraryScreen(context) },
  { path: '#/organisation', nav: 'org_nav', roles: ['admin'], group: 'setup', show: (context) => organisationScreen(context) },
  { path: '#/incidents', nav: 'incidents_nav', group: 'operations', show: (context, ...rest) => incidentsScreen(context, rest.find(Boolean)) },
  { path: '#/drills', nav: 'drills_nav', group: 'operations', show: (context) => drillsScreen(context) },
  // Duties (issue 16 item 4).
  { path: '#/roster', nav: 'roster_nav', group: 'duties', show: (context) => rosterScreen(context) },
  { path: '#/handovers', nav: 'handovers_nav', group: 'duties', show: (context) => handoversScreen(context) },
  { path: '#/duty-log', nav: 'dutylog_nav', group: 'duties', show: (context) => dutyLogScreen(context) },
  { path: '#/trainings', nav: 'trainings_nav', group: 'duties', show: (context) => trainingsScreen(context) },
  { path: '#/daily', nav: 'daily_nav', roles: ['supervisor', 'admin', 'auditor'], group: 'duties', show: (context) => dailyScreen(context) },
];

function currentRoute() {
  const hash = location.hash || '#/';
  let best = screens[0];
  for (const screen of screens) {
    if (hash.startsWith(screen.path) && screen.path.length > best.path.length) best = screen;
  }
  const rest = hash.slice(best.path.length).split('?')[0].replace(/^\//, '');
  return { screen: best, params: rest ? rest.split('/').map(decodeURIComponent) : [] };
}

function navigation(session) {
  const { screen: current } = currentRoute();
  return menus(screens
    .filter((screen) => screen.nav && (!screen.roles || screen.roles.includes(session.user.role))), current);
}

function topbar(session) {
  const signOut = button(s('sign_out'), async () => { await api.logout(); await render(); }, { kind: 'quiet', id: 'console-sign-out' });
  return h('header', { class: 'console-top' },
    h('a', { href: '#/', class: 'console-top-brand' }, h('img', { src: '/app/icons/icon.svg', alt: '' }), s('title')),
    h('nav', { class: 'console-nav' }, navigation(session)),
    h('span', { class: 'console-who', id: 'console-who' }, `${session.user.name || session.user.email} · ${s(`role_${session.user.role}`)}`,
      session.org && session.org.name ? h('small', {}, session.org.name) : null),
    languageSwitch(), signOut);
}

window.addEventListener('hashchange', () => render());

function brand() {
  return h('div', { class: 'console-brand' }, h('img', { src: '/app/icons/icon.svg', alt: '' }),
    h('div', {}, h('strong', {}, s('title')), h('span', {}, s('tagline'))));
}

function languageSwitch() {
  return h('div', { class: 'console-languages' }, languages.map(([code, name]) =>
    button(name, () => { setLang(code); render(); },
      { kind: code === lang() ? 'secondary' : 'quiet', 'aria-pressed': String(code === lang()) })));
}

function signIn(session) {
  const email = h('input', { type: 'email', id: 'console-email', name: 'email', autocomplete: 'username', required: true,
    value: (session && session.email) || '' });
  const password = h('input', { type: 'password', id: 'console-password', name: 'password', autocomplete: 'current-password', required: true });
  const message = h('div', { 'aria-live': 'polite', id: 'console-message' });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-block', id: 'console-submit' }, s('sign_in'));
  const form = h('form', {
    class: 'card',
    onsubmit: async (event) => {
      event.preventDefault();
      submit.disabled = true;
      submit.textContent = s('signing_in');
      try {
        await api.login(email.value.trim(), password.value);
        await render();
      } catch (error) {
        message.replaceChildren(banner(signInError(error), 'error'));
        submit.disabled = false;
        submit.textContent = s('sign_in');
      }
    },
  }, h('h1', { class: 'section-title' }, s('sign_in_heading')), field(s('email'), email), field(s('password'), password), submit);
  return h('main', { class: 'console-login' }, brand(), message, form, languageSwitch());
}

function signInError(error) {
  if (error.status === 0) return s('offline');
  if (error.status === 401 || error.status === 422) return s('wrong_credentials');
  if (error.status === 429) return s('throttled');
  return s('failed', { error: reason(error) });
}

function signedIn(session) {
  const { user, org } = session;
  const role = user.role || '';
  const rows = [[s('name'), user.name || user.email], [s('organisation'), (org && org.name) || ''], [s('role'), s(`role_${role}`)]];
  const signOut = button(s('sign_out'), async () => { await api.logout(); await render(); }, { kind: 'secondary', id: 'console-sign-out' });
  const note = role === 'guard'
    ? banner(s('guards_use_app'), 'info', h('a', { href: '/app/', class: 'btn btn-quiet' }, s('open_app')))
    : banner(s('not_built'), 'info');
  return h('main', { class: 'console-signed-in' }, brand(),
    h('section', { class: 'card', id: 'console-account' },
      h('h1', { class: 'section-title' }, s('signed_in_as')),
      h('dl', {}, rows.map(([term, value]) => [h('dt', {}, term), h('dd', {}, value)])),
      signOut),
    note, languageSwitch());
}

render();
