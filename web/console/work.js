// work is what the findings, rounds and schedules screens share: their
// reads and writes of the API (screens never fetch), the people of a site
// by name, times in a site's zone with the year, and photo thumbnails
// that open full size.

import * as api from '../shared/api.js';
import { lang } from '../shared/i18n.js';
import { h, button } from '../shared/ui.js';
import { s } from './strings.js';
import * as data from './data.js';

// pages reads every page of a list (capped: boards show at most `most`).
async function pages(path, query = {}, most = 2000) {
  const items = [];
  let cursor = '';
  for (;;) {
    const params = new URLSearchParams({ limit: '500', ...query });
    if (cursor) params.set('cursor', cursor);
    const page = await api.request('GET', `${path}?${params}`);
    items.push(...page.items);
    if (!page.next_cursor || page.items.length === 0 || items.length >= most) return items;
    cursor = page.next_cursor;
  }
}

const once = () => ({ idempotencyKey: crypto.randomUUID() });

export const findings = (query) => pages('/v1/findings', query);
export const finding = (id) => api.request('GET', `/v1/findings/${encodeURIComponent(id)}`);
// act takes one step of the rectification loop (assign, verify, reject,
// close) on the version the supervisor saw: a change in between is a 412.
export const act = (id, action, body) => api.request('POST', `/v1/findings/${encodeURIComponent(id)}/${action}`, { body, ...once() });
export const rounds = (query) => pages('/v1/rounds', { ...query, scans: 'true' });
export const schedules = (query) => pages('/v1/schedules', query);
// standards are the day-one schedules an administrator sets up at a site.
export const standards = () => api.request('GET', '/v1/schedule-standards').then((answer) => answer.items);
// defaultSchedules are the organisation's stored day-one schedules; enabling
// one chooses its site.
export const defaultSchedules = () => api.request('GET', '/v1/default-schedules').then((answer) => answer.items);
export const enableDefaultSchedule = (key, siteID) => api.request('POST', `/v1/default-schedules/${encodeURIComponent(key)}/sites`,
  { body: { site_id: siteID }, ...once() });
export const schedule = (id) => api.request('GET', `/v1/schedules/${encodeURIComponent(id)}`);
export const routes = (siteID) => pages('/v1/routes', siteID ? { site_id: siteID, active: 'true' } : { active: 'true' });
export const preview = (body) => api.request('POST', '/v1/schedules/preview', { body, ...once() });
export const createSchedule = (body) => api.request('POST', '/v1/schedules', { body, ...once() });
export const updateSchedule = (id, body) => api.request('PATCH', `/v1/schedules/${encodeURIComponent(id)}`, { body, ...once() });

// people caches, per directory (one per sign-in), each site's people.
const people = new WeakMap();

// sitePeople lists who works at a site ({id, name, role}), once per
// sign-in, and teaches the directory their names.
export function sitePeople(known, siteID) {
  if (!people.has(known)) people.set(known, new Map());
  const sites = people.get(known);
  if (!sites.has(siteID)) {
    sites.set(siteID, pages(`/v1/sites/${encodeURIComponent(siteID)}/people`).then((list) => {
      for (const person of list) known.people.set(person.id, person.name);
      return list;
    }).catch((error) => { sites.delete(siteID); throw error; }));
  }
  return sites.get(siteID);
}

// learnPeople loads the people of every site given, for names on a board.
export async function learnPeople(known, siteIDs) {
  await Promise.all([...new Set(siteIDs)].filter((id) => known.sites.has(id)).map((id) => sitePeople(known, id).catch(() => [])));
}

export function nameOf(known, id) {
  if (!id) return '—';
  return known.people.get(id) || s('work_someone');
}

// canAct: supervisors and administrators take steps; anyone else (an
// auditor) reads only and is shown no controls.
export const canAct = (session) => ['supervisor', 'admin'].includes(session.user.role);
export const isAdmin = (session) => session.user.role === 'admin';

// when formats an instant in a zone: date with year and time.
export function when(iso, zone, { weekday = false, date = true, clock = true } = {}) {
  if (!iso) return '—';
  const options = { hour12: false };
  if (date) Object.assign(options, { year: 'numeric', month: 'short', day: 'numeric' });
  if (weekday) options.weekday = 'short';
  if (clock) Object.assign(options, { hour: '2-digit', minute: '2-digit' });
  if (zone) options.timeZone = zone;
  return new Intl.DateTimeFormat(lang(), options).format(new Date(iso));
}

// localParts reads an instant's wall clock in a zone: {day: YYYY-MM-DD, time: HH:MM}.
export function localParts(iso, zone) {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-CA', {
    timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit',
  }).formatToParts(new Date(iso)).map((p) => [p.type, p.value]));
  return { day: `${parts.year}-${parts.month}-${parts.day}`, time: `${parts.hour}:${parts.minute}` };
}

// zonedInstant is the instant (RFC 3339 UTC) of a wall-clock time
// (YYYY-MM-DDTHH:MM) in an IANA zone.
export function zonedInstant(local, zone) {
  const guess = Date.parse(`${local}:00Z`);
  const offset = (at) => {
    const parts = Object.fromEntries(new Intl.DateTimeFormat('en-US', {
      timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
    }).formatToParts(new Date(at)).map((p) => [p.type, p.value]));
    return Date.UTC(+parts.year, +parts.month - 1, +parts.day, +parts.hour, +parts.minute, +parts.second) - at;
  };
  let at = guess - offset(guess);
  at = guess - offset(at);
  return new Date(at).toISOString().replace('.000Z', 'Z');
}

// photos shows media as thumbnails; a tap opens one full size.
export function photos(ids, attrs = {}) {
  return h('div', { class: 'console-photos', ...attrs }, (ids || []).map((id) => {
    const img = h('img', { alt: '', class: 'console-thumb', dataset: { media: id } });
    const open = h('button', { type: 'button', class: 'console-photo', 'aria-label': s('open_full'), onclick: () => full(id) }, img);
    data.mediaURL(id, true).catch(() => data.mediaURL(id, false)).then((url) => { img.src = url; })
      .catch(() => open.replaceChildren(h('span', { class: 'hint' }, s('photo_missing'))));
    return open;
  }));
}

function full(id) {
  const img = h('img', { alt: '', class: 'console-full' });
  const dialog = h('dialog', { class: 'console-dialog', id: 'photo-dialog' }, img,
    h('div', { class: 'btn-row' }, button(s('close'), () => dialog.close(), { kind: 'secondary', id: 'photo-close' })));
  dialog.addEventListener('close', () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
  data.mediaURL(id, false).then((url) => { img.src = url; }).catch(() => img.replaceWith(h('p', {}, s('photo_missing'))));
}

// problems turns a problem+json answer's field errors into {pointer: text}.
export function problems(error) {
  const out = {};
  for (const item of (error && error.errors) || []) out[item.pointer || ''] = item.detail || item.message || '';
  return out;
}
