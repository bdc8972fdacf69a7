// daily is the console's daily safety reports (#/daily): for a day, each
// site's report on time, late, pending or overdue against the
// organisation's cut-off (default 11:00, 001 第7篇 "每日上午11时前"), and a
// form to file one.

import { h, badge, banner } from '../shared/ui.js';
import { s, addStrings, reason } from './strings.js';
import * as duty from './dutydata.js';

addStrings({
  en: { daily_nav: 'Daily reports', daily_heading: 'Daily safety reports', daily_day: 'Day', daily_due: 'Due',
    daily_status: 'Status', daily_report: 'Report', daily_status_on_time: 'On time', daily_status_late: 'Late',
    daily_status_pending: 'Not yet due', daily_status_overdue: 'Overdue', daily_all_clear: 'All clear',
    daily_incidents: 'Incidents', daily_hazards: 'Hazards', daily_equipment: 'Buildings and equipment', daily_other: 'Other',
    daily_file: 'File the report', daily_by: 'by {name}',
    daily_settings: 'Duty settings', daily_cutoff: 'Daily report due by (each site\u2019s local time)',
    daily_cutoff_hint: 'Seed 001 第7篇: the daily safety report by 11:00.', daily_confirm: 'Flag a handover unsigned after (minutes)',
    daily_settings_save: 'Save settings', daily_site_cutoffs: 'A site\u2019s own cut-off',
    daily_site_cutoff_hint: 'Empty: the organisation\u2019s.' },
  'zh-CN': { daily_nav: '日报', daily_heading: '日安全信息上报', daily_day: '日期', daily_due: '截止',
    daily_status: '状态', daily_report: '报告', daily_status_on_time: '按时', daily_status_late: '迟报',
    daily_status_pending: '未到截止', daily_status_overdue: '逾期未报', daily_all_clear: '平安无事',
    daily_incidents: '事件', daily_hazards: '隐患', daily_equipment: '房屋设备设施', daily_other: '其他',
    daily_file: '上报', daily_by: '报告人:{name}',
    daily_settings: '值班设置', daily_cutoff: '日报截止时间(各网点当地时间)',
    daily_cutoff_hint: '依据 001 第7篇:每日上午11时前上报。', daily_confirm: '交接未签名标记时限(分钟)',
    daily_settings_save: '保存设置', daily_site_cutoffs: '网点单独的截止时间',
    daily_site_cutoff_hint: '留空:按机构设置。' },
});

const TONE = { on_time: 'ok', late: 'bad', pending: 'neutral', overdue: 'bad' };
const state = { day: '' };

export async function dailyScreen(context) {
  const { known, main, session } = context;
  const day = h('input', { type: 'date', id: 'daily-day', value: state.day });
  const board = h('div', { id: 'daily-board' });
  const show = () => duty.load(board, () => duty.list('/v1/daily-reports', { day: state.day }), (items) => duty.table('daily-table',
    [s('duty_site'), s('daily_day'), s('daily_due'), s('daily_status'), s('daily_report')],
    items.map((x) => h('tr', { id: `daily-${x.site_id}` }, h('td', {}, x.site_name), h('td', {}, x.day),
      h('td', {}, duty.at(known, x.site_id, x.due_at)), h('td', {}, badge(s(`daily_status_${x.status}`), TONE[x.status])),
      h('td', {}, x.report ? report(x.report) : (session.user.role === 'auditor' ? null : form(x, show)))))));
  day.addEventListener('change', () => { state.day = day.value; show(); });
  const settings = h('div', { id: 'daily-settings-card' });
  // Both parts are read before the screen is drawn: the reports' table sits
  // above the settings, and arriving after them it would move Save down
  // under an administrator's finger onto a report's "File the report".
  await Promise.all([show(), duty.load(settings, () => duty.read('/v1/settings/duties'),
    (current) => settingsForm(known, current, session.user.role === 'admin', show))]);
  main.replaceChildren(h('div', { class: 'console-screen-head' }, h('h1', { class: 'console-heading' }, s('daily_heading')),
    h('div', { class: 'console-screen-tools' }, h('label', { class: 'console-filter console-filter-inline' },
      h('span', {}, s('daily_day')), day))), board, settings);
}

// settingsForm edits the organisation's duty settings (administrators):
// the daily report's cut-off and how long a handover may wait for the
// incoming guard's signature.
function settingsForm(known, current, editable, refresh) {
  const cutoff = h('input', { type: 'time', id: 'daily-cutoff', value: current.daily_report_cutoff, required: true, disabled: !editable });
  const confirmMinutes = h('input', { type: 'number', id: 'daily-confirm', min: 1, max: 1440, value: current.handover_confirm_minutes,
    required: true, disabled: !editable });
  // A site's own cut-off, empty for the organisation's; every PUT carries
  // them all (the server replaces them).
  const own = [...known.sites.values()].map((site) => [site, h('input', { type: 'time', id: `daily-cutoff-${site.id}`,
    value: (current.site_cutoffs || {})[site.id] || '', disabled: !editable })]);
  const message = h('div', { 'aria-live': 'polite', id: 'daily-settings-message' });
  const save = async (event) => {
    event.preventDefault();
    const siteCutoffs = Object.fromEntries(own.filter(([, input]) => input.value).map(([site, input]) => [site.id, input.value]));
    try {
      await duty.put('/v1/settings/duties', { daily_report_cutoff: cutoff.value, handover_confirm_minutes: Number(confirmMinutes.value),
        site_cutoffs: siteCutoffs });
      message.replaceChildren(banner(s('duty_saved'), 'ok'));
      await refresh();
    } catch (error) {
      message.replaceChildren(banner(s('duty_failed', { error: reason(error) }), 'error'));
    }
  };
  const field = (text, control, hint) => h('label', { class: 'console-filter' }, h('span', {}, text), control, hint ? h('small', { class: 'hint' }, hint) : null);
  return h('form', { class: 'card console-form', id: 'daily-settings', onsubmit: save }, h('h2', { class: 'section-title' }, s('daily_settings')),
    h('div', { class: 'console-form-grid' }, field(s('daily_cutoff'), cutoff, s('daily_cutoff_hint')), field(s('daily_confirm'), confirmMinutes)),
    h('h3', { class: 'section-title' }, s('daily_site_cutoffs')),
    h('div', { class: 'console-form-grid' }, own.map(([site, input]) => field(site.name, input, s('daily_site_cutoff_hint')))),
    message, editable ? h('button', { type: 'submit', class: 'btn btn-primary', id: 'daily-settings-save' }, s('daily_settings_save')) : null);
}

function report(r) {
  const parts = [['daily_incidents', r.body.incidents], ['daily_hazards', r.body.hazards], ['daily_equipment', r.body.equipment],
    ['daily_other', r.body.other]].filter(([, v]) => v);
  return h('div', {}, r.all_clear ? badge(s('daily_all_clear'), 'ok') : null, h('small', {}, ' ', s('daily_by', { name: r.reporter_name })),
    h('dl', { class: 'duty-items' }, parts.map(([key, value]) => [h('dt', {}, s(key)), h('dd', {}, value)])));
}

function form(line, refresh) {
  const clear = h('input', { type: 'checkbox', checked: true });
  const hazards = h('textarea', { rows: 2, 'aria-label': s('daily_hazards') });
  const message = h('div', { 'aria-live': 'polite' });
  const submit = async (event) => {
    event.preventDefault();
    try {
      await duty.post('/v1/daily-reports', { site_id: line.site_id, day: line.day, all_clear: clear.checked,
        body: { hazards: hazards.value } });
      await refresh();
    } catch (error) {
      message.replaceChildren(banner(s('duty_failed', { error: reason(error) }), 'error'));
    }
  };
  return h('form', { class: 'console-form-inline', onsubmit: submit },
    h('label', {}, clear, ' ', s('daily_all_clear')), hazards, message,
    h('button', { type: 'submit', class: 'btn btn-secondary' }, s('daily_file')));
}
