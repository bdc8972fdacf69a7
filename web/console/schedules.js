// schedules lists the recurring duties of the caller's sites and edits
// one: a preset (per shift, daily, weekly, monthly, quarterly, yearly in
// June) or a rule of one's own, with the next ten slots previewed in the
// site's time zone by the server (POST /v1/schedules/preview), which
// expands the rule exactly as it will make the rounds. Administrators
// create and change schedules (the API's rule); others read them.

import { h, button, badge, banner, empty, loading, failure, toast } from '../shared/ui.js';
import { label, lang } from '../shared/i18n.js';
import { s, addStrings, reason } from './strings.js';
import * as work from './work.js';
import { zoneOf } from './names.js';

// Presets: three shifts a day (三班倒: the seeds' "three shifts, 24-hour
// duty"), daily checks, weekly, the monthly full inspection (004), the
// quarterly drill (004) and the June safety-month drill (002 篇18).
const WEEKDAYS = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'];
const clock = (time) => { const [hour, minute] = time.split(':').map(Number); return `BYHOUR=${hour};BYMINUTE=${minute};BYSECOND=0`; };
const PRESETS = {
  shift: () => 'FREQ=DAILY;BYHOUR=0,8,16;BYMINUTE=0;BYSECOND=0',
  daily: (time) => `FREQ=DAILY;${clock(time)}`,
  weekly: (time, weekday) => `FREQ=WEEKLY;BYDAY=${weekday};${clock(time)}`,
  monthly: (time) => `FREQ=MONTHLY;BYMONTHDAY=1;${clock(time)}`,
  quarterly: (time) => `FREQ=YEARLY;BYMONTH=1,4,7,10;BYMONTHDAY=1;${clock(time)}`,
  june: (time) => `FREQ=YEARLY;BYMONTH=6;BYMONTHDAY=1;${clock(time)}`,
};

// presetOf recognises a rule the editor wrote: {preset, time, weekday}, or custom.
export function presetOf(rule) {
  if (rule === PRESETS.shift()) return { preset: 'shift', time: '00:00', weekday: 'MO' };
  const match = /^(.*)BYHOUR=(\d+);BYMINUTE=(\d+);BYSECOND=0$/.exec(rule || '');
  if (match) {
    const time = `${match[2].padStart(2, '0')}:${match[3].padStart(2, '0')}`;
    const weekday = (/BYDAY=(\w\w);/.exec(rule) || [])[1] || 'MO';
    for (const preset of ['daily', 'weekly', 'monthly', 'quarterly', 'june']) {
      if (PRESETS[preset](time, weekday) === rule) return { preset, time, weekday };
    }
  }
  return { preset: 'custom', time: '08:00', weekday: 'MO' };
}

function describe(schedule) {
  const { preset, time, weekday } = presetOf(schedule.rrule);
  if (preset === 'custom') return schedule.rrule;
  return s(`schedules_desc_${preset}`, { time, weekday: s(`schedules_day_${weekday}`) });
}

let flash = null;

export async function schedulesScreen(context) {
  const { known, main, session } = context;
  main.replaceChildren(loading(s('loading')));
  let list;
  let routes;
  try {
    [list, routes] = await Promise.all([work.schedules({ active: 'true' }), work.routes('')]);
    await work.learnPeople(known, list.map((x) => x.site_id));
  } catch (error) {
    main.replaceChildren(failure(s('load_failed', { error: reason(error) }), button(s('retry'), () => schedulesScreen(context))));
    return;
  }
  const routeNames = new Map(routes.map((r) => [r.id, r.name]));
  const notice = flash;
  flash = null;
  const rows = list.map((x) => {
    const zone = zoneOf(known, x.site_id);
    const site = known.sites.get(x.site_id);
    const template = x.template_id && known.templates.get(x.template_id);
    return h('tr', { dataset: { schedule: x.id } },
      h('td', {}, h('a', { href: `#/schedules/${x.id}`, class: 'console-link' }, x.name)),
      h('td', {}, site ? site.name : '—'),
      h('td', {}, x.kind === 'round' ? routeNames.get(x.route_id) || s('schedules_route') : template ? label(template.title) : s('schedules_checklist')),
      h('td', {}, describe(x)),
      h('td', {}, x.upcoming.length ? work.when(x.upcoming[0], zone) : '—', h('div', { class: 'row-meta' }, zone)),
      h('td', {}, x.assignee_id ? work.nameOf(known, x.assignee_id) : s('rounds_pool')));
  });
  const standardsCard = work.isAdmin(session) ? await standardsList(context) : null;
  main.replaceChildren(...[
    h('div', { class: 'console-screen-head' }, h('h1', { class: 'console-heading' }, s('schedules_heading')),
      work.isAdmin(session) ? h('a', { href: '#/schedules/new', class: 'btn btn-primary', id: 'schedules-new' }, s('schedules_new')) : null),
    notice,
    list.length ? h('div', { class: 'console-table-wrap' }, h('table', { class: 'console-table', id: 'schedules-table' },
      h('thead', {}, h('tr', {}, ['schedules_col_name', 'col_site', 'schedules_col_what', 'schedules_col_when', 'schedules_col_next', 'schedules_col_who']
        .map((key) => h('th', { scope: 'col' }, s(key))))),
      h('tbody', {}, rows))) : empty(s('schedules_none')),
    standardsCard,
  ].filter(Boolean));
}

// standardsList shows the organisation's stored default schedules (one
// per standard, disabled until a site is chosen: issue 16 point 6), where
// each runs, and for each a site to choose, which enables it there; the
// editor link opens the standard as a preset for a schedule of one's own.
async function standardsList(context) {
  const { known } = context;
  // A standard also runs where an administrator made its schedule in the
  // editor (the standards' site_ids): those sites are not offered again.
  const read = async () => {
    const [defaults, standards] = await Promise.all([work.defaultSchedules(), work.standards()]);
    const byKey = new Map();
    for (const x of defaults) byKey.set(x.key, [...(byKey.get(x.key) || []), x]);
    for (const standard of standards) {
      const list = byKey.get(standard.key);
      if (list) list.editorSites = standard.site_ids.filter((id) => !list.some((x) => x.enabled && x.site_id === id));
    }
    return byKey;
  };
  let byKey;
  try {
    byKey = await read();
  } catch (error) {
    return failure(s('load_failed', { error: reason(error) }));
  }
  const section = h('section', { class: 'card console-standards', id: 'schedule-standards' });
  const fill = (rows) => section.replaceChildren(
    h('h2', { class: 'section-title' }, s('schedules_standards')),
    h('p', { class: 'hint' }, s('schedules_standards_hint')),
    h('div', { class: 'console-table-wrap' }, h('table', { class: 'console-table' },
      h('thead', {}, h('tr', {}, ['schedules_col_name', 'schedules_col_when', 'schedules_standard_runs', 'schedules_standard_choose'].map((key) => h('th', { scope: 'col' }, s(key))))),
      h('tbody', {}, [...rows.entries()].map(([key, list]) => standardRow(context, key, list, async () => fill(await read())))))));
  fill(byKey);
  return section;
}

// standardRow is one standard: where it runs (or that it waits, disabled)
// and a site to choose for it.
function standardRow(context, key, list, refresh) {
  const { known } = context;
  const first = list[0];
  const running = [...list.filter((x) => x.enabled).map((x) => x.site_id), ...(list.editorSites || [])];
  const free = [...known.sites.values()].filter((site) => !running.includes(site.id));
  const site = h('select', { class: 'standard-site', 'aria-label': s('schedules_standard_choose') }, free.map((x) => h('option', { value: x.id }, x.name)));
  const message = h('div', { 'aria-live': 'polite' });
  const enable = async (event) => {
    event.preventDefault();
    try {
      await work.enableDefaultSchedule(key, site.value);
      toast(s('schedules_standard_enabled'));
      await refresh();
    } catch (error) {
      message.replaceChildren(banner(s('schedules_refused', { error: reason(error) }), 'error'));
    }
  };
  return h('tr', { dataset: { standard: key } },
    h('td', {}, h('strong', {}, label(first.name)), h('div', { class: 'row-meta' }, first.source)),
    h('td', {}, describe(first)),
    h('td', {}, running.length ? running.map((id) => h('div', { class: 'standard-running' }, badge(s('schedules_standard_on'), 'ok'), ' ', (known.sites.get(id) || {}).name || '—'))
      : badge(s('schedules_standard_nowhere'), 'warn')),
    h('td', {}, !first.template_id ? s('schedules_standard_no_checklist') : free.length
      ? h('form', { class: 'standard-enable', onsubmit: enable }, site,
        h('button', { type: 'submit', class: 'btn btn-primary standard-enable-button' }, s('schedules_standard_enable')), message,
        h('a', { href: `#/schedules/new/${encodeURIComponent(key)}`, class: 'console-link standard-set-up' }, s('schedules_standard_set_up')))
      : null));
}

// scheduleScreen edits a schedule (id) or makes a new one (id 'new'),
// filled in from a standard schedule when one is named.
export async function scheduleScreen(context, id, standardKey) {
  const { known, main, session } = context;
  main.replaceChildren(loading(s('loading')));
  let existing = null;
  let standard = null;
  try {
    if (id !== 'new') existing = await work.schedule(id);
    else if (standardKey) standard = (await work.standards()).find((x) => x.key === standardKey) || null;
  } catch (error) {
    main.replaceChildren(back(), failure(s('load_failed', { error: reason(error) }), button(s('retry'), () => scheduleScreen(context, id))));
    return;
  }
  const editable = work.isAdmin(session);
  const firstSite = existing ? existing.site_id : [...known.sites.keys()][0] || '';
  const initial = existing ? presetOf(existing.rrule) : standard ? presetOf(standard.rrule) : { preset: 'daily', time: '22:00', weekday: 'MO' };
  const errors = {};
  const errorFor = (pointer) => (errors[pointer] = h('p', { class: 'field-error', id: `schedule-error-${pointer.slice(1)}`, 'aria-live': 'polite' }));
  const control = (text, input, pointer, hint) => h('label', { class: 'console-filter schedule-field' }, h('span', {}, text), input,
    hint ? h('small', { class: 'hint' }, hint) : null, pointer ? errorFor(pointer) : null);
  const disabled = !editable;

  const site = h('select', { id: 'schedule-site', disabled: disabled || Boolean(existing) },
    [...known.sites.values()].map((x) => h('option', { value: x.id, selected: x.id === firstSite }, x.name)));
  const kind = h('select', { id: 'schedule-kind', disabled: disabled || Boolean(existing) },
    ['round', 'inspection'].map((k) => h('option', { value: k, selected: existing ? existing.kind === k : k === (standard ? 'inspection' : 'round') }, s(`schedules_kind_${k}`))));
  const route = h('select', { id: 'schedule-route', disabled: disabled || Boolean(existing) });
  const template = h('select', { id: 'schedule-template', disabled: disabled || Boolean(existing) },
    [...known.templates.values()].map((x) => h('option', { value: x.id, selected: (existing || standard || {}).template_id === x.id }, label(x.title))));
  const name = h('input', { type: 'text', id: 'schedule-name', value: existing ? existing.name : standard ? label(standard.name) : '', maxlength: 200, disabled });
  const preset = existing || standard ? initial.preset : 'daily';
  const presetButtons = h('div', { class: 'schedule-presets', role: 'radiogroup', 'aria-label': s('schedules_preset') },
    [...Object.keys(PRESETS), 'custom'].map((key) => h('button', { type: 'button', class: 'btn btn-secondary schedule-preset',
      role: 'radio', 'aria-checked': String(key === preset), dataset: { preset: key }, disabled,
      onclick: () => { choose(key); } }, s(`schedules_preset_${key}`))));
  const time = h('input', { type: 'time', id: 'schedule-time', value: initial.time, disabled });
  const weekday = h('select', { id: 'schedule-weekday', disabled }, WEEKDAYS.map((d) => h('option', { value: d, selected: d === initial.weekday }, s(`schedules_day_${d}`))));
  const start = h('input', { type: 'date', id: 'schedule-start', disabled,
    value: existing ? existing.dtstart.slice(0, 10) : work.localParts(new Date().toISOString(), zoneOf(known, firstSite) || 'UTC').day });
  const rule = h('input', { type: 'text', id: 'schedule-rrule', value: existing ? existing.rrule : '', disabled, spellcheck: false, autocapitalize: 'characters' });
  const tolerance = h('input', { type: 'number', id: 'schedule-tolerance', min: 1, max: 10080, value: (existing || standard || { tolerance_minutes: 30 }).tolerance_minutes, disabled });
  const assignee = h('select', { id: 'schedule-assignee', disabled });
  const message = h('div', { 'aria-live': 'polite', id: 'schedule-message' });
  const previewList = h('ol', { class: 'schedule-preview-list', id: 'schedule-preview' });
  const previewHead = h('h2', { class: 'section-title', id: 'schedule-preview-zone' }, s('schedules_preview'));

  let current = preset;
  const timeField = control(s('schedules_time'), time, null, s('schedules_time_hint'));
  const weekdayField = control(s('schedules_weekday'), weekday);
  const routeField = control(s('schedules_route'), route, '/route_id');
  const templateField = control(s('schedules_checklist'), template, '/template_id');

  function ruleFromPreset() {
    if (current !== 'custom') rule.value = PRESETS[current](time.value || '00:00', weekday.value);
    timeField.hidden = current === 'shift' || current === 'custom';
    weekdayField.hidden = current !== 'weekly';
  }
  function choose(key) {
    current = key;
    for (const b of presetButtons.children) b.setAttribute('aria-checked', String(b.dataset.preset === key));
    ruleFromPreset();
    if (key === 'custom') rule.focus();
    schedulePreview();
  }
  function dtstart() {
    const at = current === 'shift' ? '00:00' : current === 'custom' ? (existing ? existing.dtstart.slice(11, 16) : '00:00') : (time.value || '00:00');
    return `${start.value}T${at}:00`;
  }

  async function fillRoutes() {
    const zoneNow = zoneOf(known, site.value);
    try {
      const list = await work.routes(site.value);
      route.replaceChildren(...list.map((r) => h('option', { value: r.id, selected: existing && existing.route_id === r.id }, r.name)));
      const people = await work.sitePeople(known, site.value);
      assignee.replaceChildren(h('option', { value: '' }, s('rounds_pool')),
        ...people.filter((p) => p.role !== 'admin').map((p) => h('option', { value: p.id, selected: existing && existing.assignee_id === p.id }, `${p.name} · ${s(`role_${p.role}`)}`)));
    } catch (error) {
      message.replaceChildren(banner(s('load_failed', { error: reason(error) }), 'error'));
    }
    previewHead.textContent = s('schedules_preview_in', { zone: zoneNow || 'UTC' });
  }
  function showKind() {
    routeField.hidden = kind.value !== 'round';
    templateField.hidden = kind.value !== 'inspection';
  }

  let timer = null;
  let asked = 0;
  function schedulePreview() {
    clearTimeout(timer);
    timer = setTimeout(runPreview, 250);
  }
  async function runPreview() {
    const ask = ++asked;
    for (const node of Object.values(errors)) node.textContent = '';
    previewList.setAttribute('aria-busy', 'true');
    try {
      const answer = await work.preview({ site_id: site.value, rrule: rule.value.trim(), dtstart: dtstart(), count: 10 });
      if (ask !== asked) return;
      previewHead.textContent = s('schedules_preview_in', { zone: answer.timezone });
      previewList.replaceChildren(...(answer.occurrences.length ? answer.occurrences.map(occurrence) : [h('li', { class: 'hint' }, s('schedules_preview_none'))]));
    } catch (error) {
      if (ask !== asked) return;
      showProblems(error);
      previewList.replaceChildren(h('li', { class: 'hint' }, s('schedules_preview_fix')));
    } finally {
      if (ask === asked) previewList.removeAttribute('aria-busy');
    }
  }
  function showProblems(error) {
    const fields = work.problems(error);
    let shown = false;
    for (const [pointer, text] of Object.entries(fields)) {
      const node = errors[pointer === '/dtstart' ? '/dtstart' : pointer];
      if (node) { node.textContent = text; shown = true; }
    }
    if (!shown) message.replaceChildren(banner(s('schedules_refused', { error: Object.values(fields).join(' ') || reason(error) }), 'error'));
  }

  const save = editable ? button(existing ? s('schedules_save') : s('schedules_create'), async () => {
    message.replaceChildren();
    for (const node of Object.values(errors)) node.textContent = '';
    const body = { name: name.value.trim(), rrule: rule.value.trim(), dtstart: dtstart(), tolerance_minutes: Number(tolerance.value) };
    save.disabled = true;
    try {
      if (existing) {
        await work.updateSchedule(existing.id, { ...body, assignee_id: assignee.value, version: existing.version });
      } else {
        Object.assign(body, { site_id: site.value, kind: kind.value });
        if (kind.value === 'round') body.route_id = route.value || null; else body.template_id = template.value || null;
        if (assignee.value) body.assignee_id = assignee.value;
        await work.createSchedule(body);
      }
      flash = banner(s('schedules_saved'), 'ok');
      toast(s('schedules_saved_short'));
      context.go('#/schedules');
    } catch (error) {
      save.disabled = false;
      if (error.status === 412) { message.replaceChildren(banner(s('schedules_stale'), 'warn')); return; }
      showProblems(error);
    }
  }, { id: 'schedule-save' }) : null;

  for (const input of [time, weekday, start, site]) input.addEventListener('change', () => { ruleFromPreset(); schedulePreview(); });
  time.addEventListener('input', () => { ruleFromPreset(); schedulePreview(); });
  rule.addEventListener('input', () => { if (current !== 'custom') choose('custom'); else schedulePreview(); });
  site.addEventListener('change', fillRoutes);
  kind.addEventListener('change', showKind);

  main.replaceChildren(...[back(), h('h1', { class: 'console-heading' }, existing ? existing.name : s('schedules_new')),
    editable ? null : banner(s('schedules_read_only'), 'info'),
    standard ? banner(s('schedules_standard_pick_site', { source: standard.source }), 'info') : null,
    h('div', { class: 'schedule-editor' },
      h('section', { class: 'card schedule-form', id: 'schedule-form' },
        h('div', { class: 'schedule-grid' },
          control(s('site'), site, '/site_id'), control(s('schedules_kind'), kind, '/kind'), routeField, templateField,
          control(s('schedules_col_name'), name, '/name')),
        h('div', { class: 'schedule-field' }, h('span', { class: 'label' }, s('schedules_preset')), presetButtons),
        h('div', { class: 'schedule-grid' }, timeField, weekdayField, control(s('schedules_start'), start, '/dtstart', s('schedules_start_hint')),
          control(s('schedules_tolerance'), tolerance, '/tolerance_minutes'), control(s('schedules_assignee'), assignee, '/assignee_id')),
        control(s('schedules_rule'), rule, '/rrule', s('schedules_rule_hint')),
        message, save),
      h('section', { class: 'card schedule-preview' }, previewHead, previewList)),
  ].filter(Boolean));
  showKind();
  ruleFromPreset();
  await fillRoutes();
  await runPreview();
}

// occurrence shows one slot as the server wrote it at the site:
// weekday, date and wall-clock time from its local string.
function occurrence(slot) {
  const day = slot.local.slice(0, 10);
  const [year, month, date] = day.split('-').map(Number);
  const noon = new Date(Date.UTC(year, month - 1, date, 12));
  const text = new Intl.DateTimeFormat(lang(), { timeZone: 'UTC', weekday: 'short', year: 'numeric', month: 'short', day: 'numeric' }).format(noon);
  return h('li', { dataset: { at: slot.at, local: slot.local } }, h('span', {}, text), h('strong', {}, slot.local.slice(11, 16)),
    h('small', { class: 'hint' }, slot.local.slice(19)));
}

function back() {
  return h('a', { href: '#/schedules', class: 'btn btn-quiet console-back', id: 'schedule-back' }, `← ${s('schedules_back')}`);
}

addStrings({
  en: {
    nav_schedules: 'Schedules',
    schedules_heading: 'Schedules', schedules_new: 'New schedule', schedules_none: 'No schedules yet.',
    schedules_standards: 'Standard schedules', schedules_standard_runs: 'Runs at',
    schedules_standards_hint: 'Every organisation starts with these stored, disabled. Choose a site for one and it is enabled there.',
    schedules_standard_nowhere: 'Disabled: no site yet', schedules_standard_set_up: 'Or adjust it in the editor',
    schedules_standard_choose: 'Choose a site', schedules_standard_enable: 'Enable at this site', schedules_standard_on: 'Enabled',
    schedules_standard_enabled: 'Enabled: it runs at the site from now on.',
    schedules_standard_no_checklist: 'Checklist missing',
    schedules_standard_pick_site: 'A standard schedule ({source}). Pick the site and save: it runs there from then on.',
    schedules_col_name: 'Name', schedules_col_what: 'Route or checklist', schedules_col_when: 'When', schedules_col_next: 'Next', schedules_col_who: 'Who',
    schedules_route: 'Route', schedules_checklist: 'Checklist', schedules_kind: 'Kind',
    schedules_kind_round: 'Patrol round (route of checkpoints)', schedules_kind_inspection: 'Inspection (checklist)',
    schedules_preset: 'Repeats',
    schedules_preset_shift: 'Every shift', schedules_preset_daily: 'Daily', schedules_preset_weekly: 'Weekly', schedules_preset_monthly: 'Monthly',
    schedules_preset_quarterly: 'Quarterly', schedules_preset_june: 'Yearly in June', schedules_preset_custom: 'Own rule',
    schedules_desc_shift: 'Every shift (00:00, 08:00, 16:00)', schedules_desc_daily: 'Daily at {time}', schedules_desc_weekly: 'Every {weekday} at {time}',
    schedules_desc_monthly: 'The 1st of every month at {time}', schedules_desc_quarterly: 'The 1st of January, April, July, October at {time}',
    schedules_desc_june: 'Every 1 June at {time}',
    schedules_time: 'Time at the site', schedules_time_hint: 'Wall-clock time in the site\u2019s zone', schedules_weekday: 'Day of the week',
    schedules_start: 'Starting', schedules_start_hint: 'No slot before this day', schedules_tolerance: 'Window (minutes)',
    schedules_assignee: 'Who does it', schedules_rule: 'Rule (RFC 5545 RRULE)', schedules_rule_hint: 'Written by the preset; edit it for a rule of your own.',
    schedules_day_MO: 'Monday', schedules_day_TU: 'Tuesday', schedules_day_WE: 'Wednesday', schedules_day_TH: 'Thursday', schedules_day_FR: 'Friday',
    schedules_day_SA: 'Saturday', schedules_day_SU: 'Sunday',
    schedules_preview: 'Next ten', schedules_preview_in: 'Next ten, at the site ({zone})', schedules_preview_none: 'This rule makes no more slots.',
    schedules_preview_fix: 'Fix the marked field to see the slots.',
    schedules_create: 'Create the schedule', schedules_save: 'Save changes',
    schedules_saved: 'Saved. The server makes the rounds of the next 48 hours every 15 minutes, so the first ones appear here and on the guards\u2019 phones within 15 minutes.',
    schedules_saved_short: 'Schedule saved.', schedules_stale: 'Someone changed this schedule after you opened it: go back and open it again.',
    schedules_refused: 'Not saved: {error}', schedules_read_only: 'Only administrators change schedules; you can try rules in the preview.',
    schedules_back: 'Back to the schedules',
  },
  'zh-CN': {
    nav_schedules: '排班计划',
    schedules_heading: '排班计划', schedules_new: '新建计划', schedules_none: '暂无计划。',
    schedules_standards: '标准计划', schedules_standard_runs: '已用于',
    schedules_standards_hint: '每个机构都预置并保存这些计划，默认停用。为其选定站点后即在该站点启用。',
    schedules_standard_nowhere: '未启用:尚未选择站点', schedules_standard_set_up: '或在编辑器中调整',
    schedules_standard_choose: '选择站点', schedules_standard_enable: '在此站点启用', schedules_standard_on: '已启用',
    schedules_standard_enabled: '已启用:此后在该站点按计划执行。',
    schedules_standard_no_checklist: '缺少检查表',
    schedules_standard_pick_site: '标准计划（{source}）。选择站点并保存，即在该站点启用。',
    schedules_col_name: '名称', schedules_col_what: '路线或检查表', schedules_col_when: '频次', schedules_col_next: '下一次', schedules_col_who: '执行人',
    schedules_route: '路线', schedules_checklist: '检查表', schedules_kind: '类型',
    schedules_kind_round: '巡更（巡检点路线）', schedules_kind_inspection: '检查（检查表）',
    schedules_preset: '重复',
    schedules_preset_shift: '每班', schedules_preset_daily: '每天', schedules_preset_weekly: '每周', schedules_preset_monthly: '每月',
    schedules_preset_quarterly: '每季度', schedules_preset_june: '每年六月', schedules_preset_custom: '自定义规则',
    schedules_desc_shift: '每班（00:00、08:00、16:00）', schedules_desc_daily: '每天 {time}', schedules_desc_weekly: '每{weekday} {time}',
    schedules_desc_monthly: '每月 1 日 {time}', schedules_desc_quarterly: '每年 1、4、7、10 月 1 日 {time}',
    schedules_desc_june: '每年 6 月 1 日 {time}',
    schedules_time: '站点时间', schedules_time_hint: '站点时区的当地时间', schedules_weekday: '星期',
    schedules_start: '开始日期', schedules_start_hint: '此日期之前不排班', schedules_tolerance: '时段（分钟）',
    schedules_assignee: '执行人', schedules_rule: '规则（RFC 5545 RRULE）', schedules_rule_hint: '由预设生成；修改即为自定义规则。',
    schedules_day_MO: '星期一', schedules_day_TU: '星期二', schedules_day_WE: '星期三', schedules_day_TH: '星期四', schedules_day_FR: '星期五',
    schedules_day_SA: '星期六', schedules_day_SU: '星期日',
    schedules_preview: '接下来十次', schedules_preview_in: '接下来十次（站点时间，{zone}）', schedules_preview_none: '此规则之后不再产生班次。',
    schedules_preview_fix: '请修正标出的字段以查看班次。',
    schedules_create: '创建计划', schedules_save: '保存修改',
    schedules_saved: '已保存。服务器每 15 分钟生成未来 48 小时的巡更，首批将在 15 分钟内出现在此处和保安手机上。',
    schedules_saved_short: '计划已保存。', schedules_stale: '您打开后有人修改了此计划：请返回后重新打开。',
    schedules_refused: '未保存：{error}', schedules_read_only: '只有管理员可以修改计划；您可以在预览中试用规则。',
    schedules_back: '返回排班计划',
  },
});
