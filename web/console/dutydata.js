// dutydata is what the duty screens (roster, handovers, duty log,
// training, daily reports) read and write: the /v1 duty routes, a site
// filter, a table and the shared strings. Screens never call fetch.

import * as api from '../shared/api.js';
import { h, button, empty, loading, failure } from '../shared/ui.js';
import { time } from '../shared/i18n.js';
import { s, addStrings, reason } from './strings.js';
import { zoneOf } from './names.js';
import { drawStrokes } from './pad.js';

addStrings({
  en: { duty_site: 'Site', duty_all_sites: 'All sites', duty_empty: 'Nothing in this period.', duty_when: 'When',
    duty_who: 'Who', duty_post: 'Post', duty_add: 'Add', duty_saved: 'Saved.', duty_failed: 'Not saved: {error}' },
  'zh-CN': { duty_site: '网点', duty_all_sites: '全部网点', duty_empty: '此期间无记录。', duty_when: '时间',
    duty_who: '人员', duty_post: '岗位', duty_add: '添加', duty_saved: '已保存。', duty_failed: '未保存:{error}' },
});

// list reads a duty list route with its query.
export async function list(path, query = {}) {
  const params = new URLSearchParams(Object.entries(query).filter(([, v]) => v));
  const answer = await api.request('GET', `${path}${params.size ? `?${params}` : ''}`);
  return answer.items;
}

export function post(path, body) { return api.request('POST', path, { body }); }

export function put(path, body) { return api.request('PUT', path, { body }); }

export function patch(path, body) { return api.request('PATCH', path, { body }); }

export function read(path) { return api.request('GET', path); }

// siteSelect is a site filter over the sites the console knows.
export function siteSelect(known, id, value, withAll = true) {
  return h('select', { id }, withAll ? h('option', { value: '' }, s('duty_all_sites')) : null,
    [...known.sites.values()].map((x) => h('option', { value: x.id, selected: x.id === value }, x.name)));
}

// at formats a time in a site's zone, with its date.
export function at(known, siteID, iso) { return iso ? time(iso, zoneOf(known, siteID) || 'UTC', true) : ''; }

export function siteName(known, id) { const site = known.sites.get(id); return site ? site.name : ''; }

// table is a duty table: headings and rows of cells.
export function table(id, headings, rows) {
  if (!rows.length) return empty(s('duty_empty'));
  return h('div', { class: 'console-table-wrap' }, h('table', { class: 'console-table', id },
    h('thead', {}, h('tr', {}, headings.map((x) => h('th', {}, x)))),
    h('tbody', {}, rows)));
}

// load fills target with what fill renders from read, with loading and
// failure states.
export async function load(target, read, fill) {
  target.replaceChildren(loading(s('loading')));
  try {
    target.replaceChildren(fill(await read()));
  } catch (error) {
    target.replaceChildren(failure(s('load_failed', { error: reason(error) }), button(s('retry'), () => load(target, read, fill))));
  }
}

// signature draws a drawn signature small.
export function signature(strokes, labelText) {
  const canvas = h('canvas', { class: 'duty-signature', role: 'img', 'aria-label': labelText });
  requestAnimationFrame(() => drawStrokes(canvas, strokes || [], 120, 48));
  return canvas;
}
