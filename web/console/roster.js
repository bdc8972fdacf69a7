// roster is the console's roster (#/roster): who holds which post when,
// per site, a week from today; a supervisor puts a person on a post (one
// post at a time per person, at most 24 hours: 003 三班倒, 24-hour duty).

import { h, button, banner } from '../shared/ui.js';
import { s, addStrings, reason } from './strings.js';
import * as duty from './dutydata.js';
import { personName } from './names.js';

addStrings({
  en: { roster_nav: 'Roster', roster_heading: 'Roster', roster_from: 'Starts', roster_to: 'Ends', roster_person: 'Person',
    roster_note: 'Note', roster_cancelled: 'Cancelled', roster_add_heading: 'Put someone on a post' },
  'zh-CN': { roster_nav: '排班', roster_heading: '排班表', roster_from: '开始', roster_to: '结束', roster_person: '人员',
    roster_note: '备注', roster_cancelled: '已取消', roster_add_heading: '安排上岗' },
});

const state = { site: '' };

export async function rosterScreen(context) {
  const { known, main, session } = context;
  const site = duty.siteSelect(known, 'roster-site', state.site);
  const board = h('div', { id: 'roster-board' });
  const now = new Date();
  const read = () => duty.list('/v1/shifts', { site_id: state.site, from: new Date(now - 86400000).toISOString(),
    to: new Date(+now + 7 * 86400000).toISOString() });
  const show = () => duty.load(board, read, (items) => duty.table('roster-table',
    [s('duty_site'), s('duty_post'), s('duty_who'), s('roster_from'), s('roster_to'), s('roster_note')],
    items.map((x) => h('tr', { class: x.cancelled ? 'is-muted' : '' }, h('td', {}, duty.siteName(known, x.site_id)),
      h('td', {}, x.post), h('td', {}, x.user_name), h('td', {}, duty.at(known, x.site_id, x.starts_at)),
      h('td', {}, duty.at(known, x.site_id, x.ends_at)), h('td', {}, x.cancelled ? s('roster_cancelled') : x.note)))));
  site.addEventListener('change', () => { state.site = site.value; show(); });
  const form = session.user.role === 'auditor' ? null : addForm(context, show);
  main.replaceChildren(h('div', { class: 'console-screen-head' }, h('h1', { class: 'console-heading' }, s('roster_heading')),
    h('div', { class: 'console-screen-tools' }, h('label', { class: 'console-filter console-filter-inline' },
      h('span', {}, s('duty_site')), site))), form, board);
  await show();
}

function addForm(context, refresh) {
  const { known } = context;
  const site = duty.siteSelect(known, 'roster-new-site', state.site || [...known.sites.keys()][0], false);
  const person = h('select', { id: 'roster-new-person' }, [...known.people.keys()].map((id) => h('option', { value: id }, personName(known, id))));
  const post = h('input', { id: 'roster-new-post', required: true, maxlength: 100 });
  const from = h('input', { id: 'roster-new-from', type: 'datetime-local', required: true });
  const to = h('input', { id: 'roster-new-to', type: 'datetime-local', required: true });
  const message = h('div', { 'aria-live': 'polite' });
  const save = async (event) => {
    event.preventDefault();
    try {
      await duty.post('/v1/shifts', { site_id: site.value, user_id: person.value, post: post.value,
        starts_at: new Date(from.value).toISOString(), ends_at: new Date(to.value).toISOString() });
      message.replaceChildren(banner(s('duty_saved'), 'ok'));
      await refresh();
    } catch (error) {
      message.replaceChildren(banner(s('duty_failed', { error: reason(error) }), 'error'));
    }
  };
  const field = (text, control) => h('label', { class: 'console-filter' }, h('span', {}, text), control);
  return h('form', { class: 'card console-form', id: 'roster-form', onsubmit: save }, h('h2', { class: 'section-title' }, s('roster_add_heading')),
    h('div', { class: 'console-form-grid' }, field(s('duty_site'), site), field(s('roster_person'), person),
      field(s('duty_post'), post), field(s('roster_from'), from), field(s('roster_to'), to)),
    message, h('button', { type: 'submit', class: 'btn btn-primary', id: 'roster-add' }, s('duty_add')));
}
