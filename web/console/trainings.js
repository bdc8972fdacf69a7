// trainings is the console's training record (#/trainings): sessions
// with topic, trainer, who signed the attendance sheet and their result
// (004: monthly security-skills training; the record: topic, trainer,
// attendees, signatures, test result). Supervisors and administrators
// schedule a session (a site's, or the organisation's for administrators)
// and record the results of those who signed the sheet.

import { h, badge, banner } from '../shared/ui.js';
import { s, addStrings } from './strings.js';
import * as duty from './dutydata.js';
import { zoneOf } from './names.js';
import { zonedInstant } from './work.js';

addStrings({
  en: { trainings_nav: 'Training', trainings_heading: 'Training', trainings_topic: 'Topic', trainings_trainer: 'Trainer',
    trainings_attendance: 'Attendance ({n})', trainings_pass: 'Pass', trainings_fail: 'Fail', trainings_org: 'Whole organisation',
    trainings_new: 'Schedule a training session', trainings_starts: 'Starts (site time)', trainings_ends: 'Ends (site time)',
    trainings_schedule: 'Schedule', trainings_result: 'Result', trainings_score: 'Score (0–100)', trainings_no_result: 'No result yet',
    trainings_save_results: 'Save results', trainings_no_attendance: 'Nobody has signed in yet.',
    trainings_sheet: 'Attendance and results' },
  'zh-CN': { trainings_nav: '培训', trainings_heading: '培训记录', trainings_topic: '主题', trainings_trainer: '培训人',
    trainings_attendance: '签到({n}人)', trainings_pass: '合格', trainings_fail: '不合格', trainings_org: '全机构',
    trainings_new: '安排培训', trainings_starts: '开始(网点时间)', trainings_ends: '结束(网点时间)',
    trainings_schedule: '安排', trainings_result: '考核结果', trainings_score: '得分(0–100)', trainings_no_result: '尚无结果',
    trainings_save_results: '保存考核结果', trainings_no_attendance: '尚无人签到。',
    trainings_sheet: '签到与考核' },
});

export async function trainingsScreen(context) {
  const { known, main, session } = context;
  const board = h('div', { id: 'trainings-board' });
  const now = new Date();
  // The server lists at most 62 days: six weeks back, two ahead.
  const read = () => duty.list('/v1/trainings', { from: new Date(now - 45 * 86400000).toISOString(), to: new Date(+now + 15 * 86400000).toISOString() });
  const writer = ['supervisor', 'admin'].includes(session.user.role);
  const show = () => duty.load(board, read, (items) => duty.table('trainings-table',
    [s('duty_when'), s('duty_site'), s('trainings_topic'), s('trainings_trainer'), s('trainings_sheet')],
    items.map((x) => h('tr', { id: `training-${x.id}` }, h('td', {}, duty.at(known, siteOf(known, x), x.starts_at)),
      h('td', {}, x.site_id ? duty.siteName(known, x.site_id) : s('trainings_org')), h('td', {}, x.topic), h('td', {}, x.trainer),
      h('td', {}, h('div', {}, s('trainings_attendance', { n: x.attendance.length })),
        writer && x.attendance.length ? resultsForm(x, show) : attendees(x))))));
  main.replaceChildren(h('div', { class: 'console-screen-head' }, h('h1', { class: 'console-heading' }, s('trainings_heading'))),
    writer ? newForm(context, show) : null, board);
  await show();
}

// siteOf is the site whose zone a session's times are in (the first site
// for an organisation-wide one).
const siteOf = (known, x) => x.site_id || [...known.sites.keys()][0];

function attendees(x) {
  if (!x.attendance.length) return h('small', { class: 'hint' }, s('trainings_no_attendance'));
  return x.attendance.map((a) => h('div', { class: 'duty-attendee' }, a.user_name,
    a.result ? badge(s(`trainings_${a.result}`) + (a.score != null ? ` ${a.score}` : ''), a.result === 'pass' ? 'ok' : 'bad') : null));
}

// newForm schedules a session; times are the chosen site's wall clock.
function newForm(context, refresh) {
  const { known, session } = context;
  const site = duty.siteSelect(known, 'training-new-site', [...known.sites.keys()][0], false);
  if (session.user.role === 'admin') site.prepend(h('option', { value: '' }, s('trainings_org')));
  const topic = h('input', { id: 'training-new-topic', required: true, maxlength: 200 });
  const trainer = h('input', { id: 'training-new-trainer', required: true, maxlength: 100 });
  const from = h('input', { id: 'training-new-from', type: 'datetime-local', required: true });
  const to = h('input', { id: 'training-new-to', type: 'datetime-local', required: true });
  const message = h('div', { 'aria-live': 'polite', id: 'training-new-message' });
  const save = async (event) => {
    event.preventDefault();
    const zone = zoneOf(known, site.value || [...known.sites.keys()][0]) || 'UTC';
    try {
      await duty.post('/v1/trainings', { site_id: site.value || null, topic: topic.value, trainer: trainer.value,
        starts_at: zonedInstant(from.value, zone), ends_at: zonedInstant(to.value, zone) });
      message.replaceChildren(banner(s('duty_saved'), 'ok'));
      await refresh();
    } catch (error) {
      message.replaceChildren(banner(s('duty_failed', { error: error.message }), 'error'));
    }
  };
  const field = (text, control) => h('label', { class: 'console-filter' }, h('span', {}, text), control);
  return h('form', { class: 'card console-form', id: 'training-form', onsubmit: save }, h('h2', { class: 'section-title' }, s('trainings_new')),
    h('div', { class: 'console-form-grid' }, field(s('duty_site'), site), field(s('trainings_topic'), topic),
      field(s('trainings_trainer'), trainer), field(s('trainings_starts'), from), field(s('trainings_ends'), to)),
    message, h('button', { type: 'submit', class: 'btn btn-primary', id: 'training-add' }, s('trainings_schedule')));
}

// resultsForm records pass or fail and a score for each person who signed
// the sheet (the server refuses anyone else).
function resultsForm(x, refresh) {
  const lines = x.attendance.map((a) => {
    const result = h('select', { class: 'training-result', 'aria-label': `${s('trainings_result')}: ${a.user_name}`, dataset: { user: a.user_id } },
      h('option', { value: '' }, s('trainings_no_result')),
      ['pass', 'fail'].map((r) => h('option', { value: r, selected: a.result === r }, s(`trainings_${r}`))));
    const score = h('input', { type: 'number', class: 'training-score', min: 0, max: 100, step: 'any', value: a.score ?? '',
      'aria-label': `${s('trainings_score')}: ${a.user_name}` });
    return { a, result, score };
  });
  const message = h('div', { 'aria-live': 'polite' });
  const save = async (event) => {
    event.preventDefault();
    const results = lines.filter((l) => l.result.value).map((l) => ({ user_id: l.a.user_id, result: l.result.value,
      score: l.score.value === '' ? null : Number(l.score.value) }));
    try {
      await duty.put(`/v1/trainings/${encodeURIComponent(x.id)}/results`, { results });
      await refresh();
    } catch (error) {
      message.replaceChildren(banner(s('duty_failed', { error: error.message }), 'error'));
    }
  };
  return h('form', { class: 'training-results', onsubmit: save },
    lines.map(({ a, result, score }) => h('div', { class: 'training-line' }, h('strong', {}, a.user_name),
      h('div', { class: 'console-form-grid' }, result, score))),
    message, h('button', { type: 'submit', class: 'btn btn-secondary training-save' }, s('trainings_save_results')));
}
