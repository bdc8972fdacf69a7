// trainings is the console's training record (#/trainings): sessions
// with topic, trainer, who signed the attendance sheet and their result
// (004: monthly security-skills training; the record: topic, trainer,
// attendees, signatures, test result). Supervisors and administrators
// schedule a session (a site's, or the organisation's for administrators)
// and record the results of those who signed the sheet.

import { h, badge, banner, button, loading, failure } from '../shared/ui.js';
import { s, addStrings, reason } from './strings.js';
import * as duty from './dutydata.js';
import { zoneOf } from './names.js';
import { zonedInstant, localParts, problems } from './work.js';

addStrings({
  en: { trainings_nav: 'Training', trainings_heading: 'Training', trainings_topic: 'Topic', trainings_trainer: 'Trainer',
    trainings_attendance: 'Attendance ({n})', trainings_pass: 'Pass', trainings_fail: 'Fail', trainings_org: 'Whole organisation',
    trainings_new: 'Schedule a training session', trainings_starts: 'Starts (site time)', trainings_ends: 'Ends (site time)',
    trainings_schedule: 'Schedule', trainings_result: 'Result', trainings_score: 'Score (0–100)', trainings_no_result: 'No result yet',
    trainings_save_results: 'Save results', trainings_no_attendance: 'Nobody has signed in yet.',
    trainings_sheet: 'Attendance and results', trainings_place: 'Place', trainings_content: 'Content',
    trainings_edit: 'Edit', trainings_edit_heading: 'Edit the training session', trainings_save: 'Save changes', trainings_cancel: 'Close',
    trainings_edited: 'Saved. The session is now version {n}.',
    trainings_stale: 'Someone else changed this session after you opened it. Your changes were not saved: below is the current record. Make your changes again if they are still needed.',
    trainings_fix: 'Not saved: correct the marked fields.',
    trainings_time_fixed: 'The time stays as it is: people have signed the attendance sheet for this time.',
    trainings_attendance_note: 'Each person signs the attendance sheet themselves (on their phone, while the session runs); results can be recorded for those who signed.' },
  'zh-CN': { trainings_nav: '培训', trainings_heading: '培训记录', trainings_topic: '主题', trainings_trainer: '培训人',
    trainings_attendance: '签到({n}人)', trainings_pass: '合格', trainings_fail: '不合格', trainings_org: '全机构',
    trainings_new: '安排培训', trainings_starts: '开始(网点时间)', trainings_ends: '结束(网点时间)',
    trainings_schedule: '安排', trainings_result: '考核结果', trainings_score: '得分(0–100)', trainings_no_result: '尚无结果',
    trainings_save_results: '保存考核结果', trainings_no_attendance: '尚无人签到。',
    trainings_sheet: '签到与考核', trainings_place: '地点', trainings_content: '内容',
    trainings_edit: '修改', trainings_edit_heading: '修改培训', trainings_save: '保存修改', trainings_cancel: '关闭',
    trainings_edited: '已保存。本次培训现为第 {n} 版。',
    trainings_stale: '你打开后有其他人修改了本次培训。你的修改未保存：以下是当前记录。如仍需要，请重新修改。',
    trainings_fix: '未保存：请改正标出的字段。',
    trainings_time_fixed: '时间不能再改：已有人按此时间签到。',
    trainings_attendance_note: '签到由本人在培训进行时用手机签名；考核结果只能记录已签到的人。' },
});

export async function trainingsScreen(context) {
  const { known, main, session } = context;
  const board = h('div', { id: 'trainings-board' });
  const now = new Date();
  // The server lists at most 62 days: six weeks back, two ahead.
  const read = () => duty.list('/v1/trainings', { from: new Date(now - 45 * 86400000).toISOString(), to: new Date(+now + 15 * 86400000).toISOString() });
  const writer = ['supervisor', 'admin'].includes(session.user.role);
  // An organisation-wide session is an administrator's to edit.
  const editable = (x) => writer && (x.site_id || session.user.role === 'admin');
  const editor = h('div', { id: 'training-editor-holder' });
  const show = () => duty.load(board, read, (items) => duty.table('trainings-table',
    [s('duty_when'), s('duty_site'), s('trainings_topic'), s('trainings_trainer'), s('trainings_sheet')],
    items.map((x) => h('tr', { id: `training-${x.id}` }, h('td', {}, duty.at(known, siteOf(known, x), x.starts_at)),
      h('td', {}, x.site_id ? duty.siteName(known, x.site_id) : s('trainings_org')),
      h('td', {}, h('div', {}, x.topic), x.place ? h('div', { class: 'row-meta' }, x.place) : null,
        editable(x) ? button(s('trainings_edit'), () => openEditor(context, editor, x.id, show), { kind: 'secondary', class: 'btn btn-secondary training-edit' }) : null),
      h('td', {}, x.trainer),
      h('td', {}, h('div', {}, s('trainings_attendance', { n: x.attendance.length })),
        writer && x.attendance.length ? resultsForm(x, show) : attendees(x))))));
  main.replaceChildren(h('div', { class: 'console-screen-head' }, h('h1', { class: 'console-heading' }, s('trainings_heading'))),
    writer ? newForm(context, show) : null, editor, board);
  await show();
}

// openEditor reads the session afresh (its current version) and shows
// the edit form in holder; notice is a banner to show above it.
async function openEditor(context, holder, id, refresh, notice = null) {
  holder.replaceChildren(loading(s('loading')));
  let x;
  try {
    x = await duty.read(`/v1/trainings/${encodeURIComponent(id)}`);
  } catch (error) {
    holder.replaceChildren(failure(s('load_failed', { error: reason(error) }), button(s('retry'), () => openEditor(context, holder, id, refresh, notice))));
    return;
  }
  holder.replaceChildren(editForm(context, holder, x, refresh, notice));
  holder.scrollIntoView({ block: 'start' });
}

// editForm edits a session's topic, trainer, place, content and time
// against the version it was read at (PATCH /v1/trainings/{id}): a session
// changed meanwhile is not overwritten, the current record is shown
// instead; a refused field is marked beside it. Once someone has signed
// the sheet the time stays (the signatures attest to it).
function editForm(context, holder, x, refresh, notice) {
  const { known } = context;
  const zone = zoneOf(known, siteOf(known, x)) || 'UTC';
  const local = (iso) => { const p = localParts(iso, zone); return `${p.day}T${p.time}`; };
  const signed = x.attendance.length > 0;
  const errors = {};
  const control = (text, input, pointer, wide) => h('label', { class: `console-filter${wide ? ' training-wide' : ''}` }, h('span', {}, text), input,
    errors[pointer] = h('p', { class: 'field-error', id: `training-error-${pointer.slice(1)}`, 'aria-live': 'polite' }));
  const topic = h('input', { id: 'training-edit-topic', value: x.topic, maxlength: 200 });
  const trainer = h('input', { id: 'training-edit-trainer', value: x.trainer, maxlength: 100 });
  const place = h('input', { id: 'training-edit-place', value: x.place || '', maxlength: 200 });
  const content = h('textarea', { id: 'training-edit-content', maxlength: 5000, rows: 3 }, x.content || '');
  const from = h('input', { id: 'training-edit-from', type: 'datetime-local', value: local(x.starts_at), disabled: signed });
  const to = h('input', { id: 'training-edit-to', type: 'datetime-local', value: local(x.ends_at), disabled: signed });
  const message = h('div', { 'aria-live': 'polite', id: 'training-edit-message' }, notice);
  const save = h('button', { type: 'submit', class: 'btn btn-primary', id: 'training-edit-save' }, s('trainings_save'));
  const submit = async (event) => {
    event.preventDefault();
    message.replaceChildren();
    for (const node of Object.values(errors)) node.textContent = '';
    const body = { topic: topic.value, trainer: trainer.value, place: place.value, content: content.value, version: x.version };
    if (!signed && from.value !== local(x.starts_at)) body.starts_at = from.value ? zonedInstant(from.value, zone) : '';
    if (!signed && to.value !== local(x.ends_at)) body.ends_at = to.value ? zonedInstant(to.value, zone) : '';
    save.disabled = true;
    try {
      const saved = await duty.patch(`/v1/trainings/${encodeURIComponent(x.id)}`, body);
      await refresh();
      holder.replaceChildren(editForm(context, holder, saved, refresh, banner(s('trainings_edited', { n: saved.version }), 'ok')));
    } catch (error) {
      save.disabled = false;
      if (error.status === 412) {
        await refresh();
        await openEditor(context, holder, x.id, refresh, banner(s('trainings_stale'), 'warn'));
        return;
      }
      const fields = problems(error);
      let shown = false;
      for (const [pointer, text] of Object.entries(fields)) {
        if (errors[pointer]) { errors[pointer].textContent = text; shown = true; }
      }
      message.replaceChildren(banner(shown ? s('trainings_fix') : s('duty_failed', { error: Object.values(fields).join(' ') || reason(error) }), 'error'));
    }
  };
  return h('form', { class: 'card console-form training-editor', id: 'training-editor', dataset: { training: x.id, version: String(x.version) }, onsubmit: submit, novalidate: true },
    h('div', { class: 'console-screen-head' }, h('h2', { class: 'section-title' }, s('trainings_edit_heading')),
      button(s('trainings_cancel'), () => holder.replaceChildren(), { kind: 'quiet', id: 'training-edit-close' })),
    message,
    h('p', { class: 'hint' }, `${s('duty_site')}: ${x.site_id ? duty.siteName(known, x.site_id) : s('trainings_org')}`),
    h('div', { class: 'console-form-grid training-grid' }, control(s('trainings_topic'), topic, '/topic'),
      control(s('trainings_trainer'), trainer, '/trainer'), control(s('trainings_starts'), from, '/starts_at'),
      control(s('trainings_ends'), to, '/ends_at'), control(s('trainings_place'), place, '/place', true),
      control(s('trainings_content'), content, '/content', true)),
    signed ? h('p', { class: 'hint', id: 'training-time-fixed' }, s('trainings_time_fixed')) : null,
    h('div', { class: 'btn-row' }, save),
    h('h3', { class: 'findings-sub' }, s('trainings_sheet')),
    h('p', { class: 'hint' }, s('trainings_attendance_note')),
    x.attendance.length ? resultsForm(x, async () => { await refresh(); await openEditor(context, holder, x.id, refresh, banner(s('duty_saved'), 'ok')); }) : attendees(x));
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
      message.replaceChildren(banner(s('duty_failed', { error: reason(error) }), 'error'));
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
      message.replaceChildren(banner(s('duty_failed', { error: reason(error) }), 'error'));
    }
  };
  return h('form', { class: 'training-results', onsubmit: save },
    lines.map(({ a, result, score }) => h('div', { class: 'training-line' }, h('strong', {}, a.user_name),
      h('div', { class: 'console-form-grid' }, result, score))),
    message, h('button', { type: 'submit', class: 'btn btn-secondary training-save' }, s('trainings_save_results')));
}
