// incidents is the console's incidents screen (#/incidents): open
// incidents by level, strongest first, each with its next deadline and a
// live countdown; and one incident (#/incidents/<id>) with its questions,
// witnesses, CCTV references and timeline, and the next step of its life
// cycle (acknowledge, progress report, resolve, written summary, close),
// taken by the signed-in person. Levels keep their unambiguous names
// (一般, 较大, 重大, 特别重大), never "一级".

import * as api from '../shared/api.js';
import { h, button, badge, banner, empty, loading, failure, field } from '../shared/ui.js';
import { label, time } from '../shared/i18n.js';
import { s, addStrings, reason } from './strings.js';
import { zoneOf } from './names.js';

addStrings({
  en: {
    incidents_nav: 'Incidents', incidents_heading: 'Incidents', incidents_open: 'Open', incidents_closed: 'Closed',
    incidents_empty: 'No incidents here.', incidents_level_general: '一般 General', incidents_level_serious: '较大 Serious',
    incidents_level_major: '重大 Major', incidents_level_critical: '特别重大 Critical',
    incidents_status_reported: 'Reported', incidents_status_acknowledged: 'Acknowledged', incidents_status_handling: 'Handling',
    incidents_status_resolved: 'Resolved', incidents_status_summarized: 'Summary filed', incidents_status_closed: 'Closed',
    incidents_step_acknowledge: 'Acknowledge', incidents_step_report: 'Report up', incidents_step_handle: 'Resolve',
    incidents_step_summary: 'Written summary',
    incidents_due_in: '{step} due in {left}', incidents_overdue: '{step} late by {left}', incidents_no_deadline: 'No deadline open',
    incidents_late: 'Late: {steps}', incidents_reported_late: 'Reported late', incidents_casualties: 'Death or serious injury',
    incidents_escalated: 'Escalated to the admins',
    incidents_col_incident: 'Incident', incidents_col_site: 'Site', incidents_col_reporter: 'Reported by',
    incidents_col_status: 'Status', incidents_col_deadline: 'Next deadline',
    incidents_back: 'All incidents', incidents_place: 'Place', incidents_occurred: 'Occurred', incidents_received: 'Received',
    incidents_category: 'Category', incidents_questions: 'Questions', incidents_witnesses: 'Witnesses', incidents_cctv: 'CCTV to keep',
    incidents_deadlines: 'Deadlines', incidents_timeline: 'Timeline', incidents_summary: 'Written summary',
    incidents_next_step: 'Next step', incidents_as: 'As {name}',
    incidents_acknowledge: 'Acknowledge', incidents_progress: 'Report progress', incidents_resolve: 'Resolve (all clear)',
    incidents_file_summary: 'File the summary', incidents_close: 'Close the incident',
    incidents_note: 'Note', incidents_progress_hint: 'What happened since, what was done (facts, numbers; no hearsay).',
    incidents_resolve_hint: 'How it ended: the all-clear, who gave it.',
    incidents_summary_hint: 'Course, casualties, direct loss, cause, measures, lessons (at least 20 characters).',
    incidents_close_hint: '四不放过: closed only when all four hold.',
    incidents_cause_found: 'The cause is found', incidents_responsible_dealt_with: 'Those responsible are dealt with',
    incidents_people_educated: 'People are educated', incidents_prevention_in_place: 'Prevention is in place',
    incidents_done: 'Closed: nothing more to do.', incidents_wait_handling: 'Waiting for the site supervisor or an admin.',
    incidents_step_failed: 'Not saved: {error}', incidents_saved: 'Saved.',
    incidents_event_reported: 'Reported', incidents_event_follow_up: 'News from the reporter', incidents_event_acknowledged: 'Acknowledged',
    incidents_event_progress: 'Progress report', incidents_event_resolved: 'Resolved', incidents_event_summarized: 'Summary filed',
    incidents_event_closed: 'Closed', incidents_event_escalated: 'Escalated', incidents_event_late: 'Deadline missed',
    incidents_server: 'PatrolSync', incidents_yes: 'Yes', incidents_no: 'No', incidents_na: 'N/A',
    incidents_minutes: '{n} min', incidents_hours: '{h} h {m} min', incidents_days: '{d} d {h} h',
  },
  'zh-CN': {
    incidents_nav: '突发事件', incidents_heading: '突发事件', incidents_open: '未结案', incidents_closed: '已结案',
    incidents_empty: '暂无事件。', incidents_level_general: '一般', incidents_level_serious: '较大',
    incidents_level_major: '重大', incidents_level_critical: '特别重大',
    incidents_status_reported: '已报告', incidents_status_acknowledged: '已受理', incidents_status_handling: '处置中',
    incidents_status_resolved: '已处置', incidents_status_summarized: '已总结', incidents_status_closed: '已结案',
    incidents_step_acknowledge: '受理', incidents_step_report: '书面上报', incidents_step_handle: '处置完毕',
    incidents_step_summary: '书面总结',
    incidents_due_in: '{step}剩余 {left}', incidents_overdue: '{step}已逾期 {left}', incidents_no_deadline: '无待办期限',
    incidents_late: '逾期:{steps}', incidents_reported_late: '迟报', incidents_casualties: '有人员死亡或重伤',
    incidents_escalated: '已上报管理员',
    incidents_col_incident: '事件', incidents_col_site: '网点', incidents_col_reporter: '报告人',
    incidents_col_status: '状态', incidents_col_deadline: '最近期限',
    incidents_back: '全部事件', incidents_place: '地点', incidents_occurred: '发生时间', incidents_received: '收到时间',
    incidents_category: '类别', incidents_questions: '类别问题', incidents_witnesses: '目击证人', incidents_cctv: '需保存的监控录像',
    incidents_deadlines: '期限', incidents_timeline: '处置经过', incidents_summary: '书面总结',
    incidents_next_step: '下一步', incidents_as: '操作人:{name}',
    incidents_acknowledge: '受理', incidents_progress: '报告进展', incidents_resolve: '处置完毕(解除)',
    incidents_file_summary: '提交书面总结', incidents_close: '结案',
    incidents_note: '说明', incidents_progress_hint: '最新情况和已采取的措施(核实的事实和数字,不用“听说、可能”)。',
    incidents_resolve_hint: '如何结束:解除警报,由谁宣布。',
    incidents_summary_hint: '经过、伤亡、直接损失、原因、措施、教训(不少于20字)。',
    incidents_close_hint: '四不放过:四项都落实才能结案。',
    incidents_cause_found: '原因已查清', incidents_responsible_dealt_with: '责任人已处理',
    incidents_people_educated: '有关人员已受到教育', incidents_prevention_in_place: '防范措施已落实',
    incidents_done: '已结案,无待办事项。', incidents_wait_handling: '等待网点主管或管理员处理。',
    incidents_step_failed: '未保存:{error}', incidents_saved: '已保存。',
    incidents_event_reported: '上报', incidents_event_follow_up: '报告人续报', incidents_event_acknowledged: '受理',
    incidents_event_progress: '进展报告', incidents_event_resolved: '处置完毕', incidents_event_summarized: '提交书面总结',
    incidents_event_closed: '结案', incidents_event_escalated: '逐级上报', incidents_event_late: '逾期',
    incidents_server: '系统', incidents_yes: '是', incidents_no: '否', incidents_na: '不适用',
    incidents_minutes: '{n}分钟', incidents_hours: '{h}小时{m}分', incidents_days: '{d}天{h}小时',
  },
});

const levels = ['critical', 'major', 'serious', 'general'];
const levelTone = { critical: 'bad', major: 'bad', serious: 'warn', general: 'neutral' };
const statusTone = { reported: 'bad', acknowledged: 'warn', handling: 'warn', resolved: 'info', summarized: 'info', closed: 'ok' };
const state = { view: 'open' };

// clock is the console's one countdown timer: it refreshes every element
// with a data-due attribute each second while any is on the page.
let clock = null;
function startClock() {
  if (clock) return;
  clock = setInterval(() => {
    const counters = document.querySelectorAll('[data-due]');
    if (counters.length === 0) { clearInterval(clock); clock = null; return; }
    for (const element of counters) element.replaceWith(countdown(element.dataset.step, element.dataset.due));
  }, 1000);
}

function span(ms) {
  const minutes = Math.max(0, Math.round(Math.abs(ms) / 60000));
  if (minutes < 60) return s('incidents_minutes', { n: minutes });
  if (minutes < 48 * 60) return s('incidents_hours', { h: Math.floor(minutes / 60), m: minutes % 60 });
  return s('incidents_days', { d: Math.floor(minutes / 1440), h: Math.floor((minutes % 1440) / 60) });
}

function countdown(step, due) {
  const left = Date.parse(due) - Date.now();
  const text = s(left >= 0 ? 'incidents_due_in' : 'incidents_overdue', { step: s(`incidents_step_${step}`), left: span(left) });
  return h('span', { class: `incident-countdown ${left >= 0 ? '' : 'is-late'}`, dataset: { due, step }, role: 'timer' }, text);
}

// nextDeadline is the open step's deadline: the first not yet done.
function nextDeadline(item) {
  switch (item.status) {
    case 'reported': return ['acknowledge', item.ack_due_at];
    case 'acknowledged': return ['report', item.report_due_at];
    case 'handling': return ['handle', item.handle_due_at];
    case 'resolved': return ['summary', item.summary_due_at];
    default: return [null, null];
  }
}

function levelBadge(level) { return badge(s(`incidents_level_${level}`), levelTone[level] || 'neutral'); }
function statusBadge(status) { return badge(s(`incidents_status_${status}`), statusTone[status] || 'neutral'); }

function flags(item) {
  return [
    item.late_steps && item.late_steps.length ? badge(s('incidents_late', { steps: item.late_steps.map((x) => s(`incidents_step_${x}`)).join(', ') }), 'bad') : null,
    item.reported_late ? badge(s('incidents_reported_late'), 'warn') : null,
    item.casualties ? badge(s('incidents_casualties'), 'bad') : null,
    item.escalation_step > 0 ? badge(s('incidents_escalated'), 'warn') : null,
  ].filter(Boolean);
}

let categories = null;
function loadCategories() {
  categories = categories || api.request('GET', '/v1/incident-categories').catch((error) => { categories = null; throw error; });
  return categories;
}

export async function incidentsScreen(context, id) {
  if (id) return incidentPage(context, id);
  const { main, known } = context;
  main.replaceChildren(loading(s('loading')));
  let page;
  let kinds;
  try {
    [page, kinds] = await Promise.all([
      api.request('GET', `/v1/incidents?${new URLSearchParams({ limit: '200', status: state.view })}`), loadCategories()]);
  } catch (error) {
    if (error instanceof api.NeedLogin) { context.signOut(); return; }
    main.replaceChildren(failure(s('load_failed', { error: reason(error) }), button(s('retry'), () => incidentsScreen(context))));
    return;
  }
  const categoryName = (key) => label((kinds.items.find((c) => c.key === key) || {}).label) || key;
  const tabs = h('div', { class: 'incident-tabs', role: 'group' }, ['open', 'closed'].map((view) =>
    button(s(`incidents_${view}`), () => { state.view = view; incidentsScreen(context); },
      { kind: state.view === view ? 'secondary' : 'quiet', 'aria-pressed': String(state.view === view), id: `incidents-${view}` })));
  const groups = levels.map((level) => {
    const items = page.items.filter((item) => item.level === level);
    if (items.length === 0) return null;
    const rows = items.map((item) => {
      const zone = zoneOf(known, item.site_id);
      const site = known.sites.get(item.site_id);
      const [step, due] = nextDeadline(item);
      return h('tr', { dataset: { incident: item.id } },
        h('td', {}, h('a', { href: `#/incidents/${item.id}`, class: 'console-link' }, item.type),
          h('div', { class: 'row-meta' }, categoryName(item.category), ' · ', time(item.occurred_at, zone, true))),
        h('td', {}, site ? site.name : '—', h('div', { class: 'row-meta' }, item.place)),
        h('td', {}, item.reporter_name || '—'),
        h('td', {}, statusBadge(item.status), h('div', { class: 'incident-flags' }, flags(item))),
        h('td', {}, step && due ? countdown(step, due) : s('incidents_no_deadline')));
    });
    return h('section', { class: 'incident-level', dataset: { level } },
      h('h2', { class: 'section-title' }, levelBadge(level), ` ${items.length}`),
      h('div', { class: 'console-table-wrap' }, h('table', { class: 'console-table' },
        h('thead', {}, h('tr', {}, ['incidents_col_incident', 'incidents_col_site', 'incidents_col_reporter', 'incidents_col_status',
          'incidents_col_deadline'].map((key) => h('th', { scope: 'col' }, s(key))))),
        h('tbody', {}, rows))));
  }).filter(Boolean);
  main.replaceChildren(h('div', { class: 'incident-head' }, h('h1', { class: 'console-heading' }, s('incidents_heading')), tabs),
    ...(groups.length ? groups : [empty(s('incidents_empty'))]));
  startClock();
}

async function incidentPage(context, id) {
  const { main, known, session } = context;
  main.replaceChildren(loading(s('loading')));
  let item;
  let kinds;
  try {
    [item, kinds] = await Promise.all([api.request('GET', `/v1/incidents/${encodeURIComponent(id)}`), loadCategories()]);
  } catch (error) {
    if (error instanceof api.NeedLogin) { context.signOut(); return; }
    main.replaceChildren(failure(s('load_failed', { error: reason(error) }), button(s('retry'), () => incidentPage(context, id))));
    return;
  }
  const zone = zoneOf(known, item.site_id);
  const site = known.sites.get(item.site_id);
  const category = kinds.items.find((c) => c.key === item.category);
  const facts = h('dl', { class: 'incident-facts' },
    h('dt', {}, s('incidents_category')), h('dd', {}, category ? label(category.label) : item.category),
    h('dt', {}, s('incidents_col_site')), h('dd', {}, site ? site.name : '—'),
    h('dt', {}, s('incidents_place')), h('dd', {}, item.place || '—'),
    h('dt', {}, s('incidents_col_reporter')), h('dd', {}, item.reporter_name || '—'),
    h('dt', {}, s('incidents_occurred')), h('dd', {}, time(item.occurred_at, zone, true)),
    h('dt', {}, s('incidents_received')), h('dd', {}, time(item.received_at, zone, true)));
  const deadlines = h('ul', { class: 'incident-deadlines' }, [
    ['acknowledge', item.ack_due_at, item.acknowledged_at], ['report', item.report_due_at, item.handling_at],
    ['handle', item.handle_due_at, item.resolved_at], ['summary', item.summary_due_at, item.summarized_at],
  ].filter(([, due]) => due).map(([step, due, done]) => h('li', { dataset: { step } },
    h('strong', {}, s(`incidents_step_${step}`)), ' ', time(due, zone, true), ' ',
    done ? badge(time(done, zone, true), (item.late_steps || []).includes(step) ? 'warn' : 'ok') : countdown(step, due))));
  const main_ = h('div', { class: 'incident-page' },
    h('a', { href: '#/incidents', class: 'console-link' }, `← ${s('incidents_back')}`),
    h('div', { class: 'incident-title' }, h('h1', { class: 'console-heading' }, item.type), levelBadge(item.level), statusBadge(item.status)),
    h('div', { class: 'incident-flags' }, flags(item)),
    h('div', { class: 'incident-columns' },
      h('div', {},
        h('section', { class: 'card' }, facts, item.description ? h('p', {}, item.description) : null),
        questionsCard(item, kinds.questions),
        listCard('incidents_witnesses', item.witnesses, (w) => [h('strong', {}, w.name), w.phone ? ` · ${w.phone}` : '', w.statement ? h('div', {}, w.statement) : null]),
        listCard('incidents_cctv', item.cctv, (c) => [h('strong', {}, c.camera), ` ${time(c.from, zone, true)} – ${time(c.to, zone, true)}`, c.note ? h('div', {}, c.note) : null]),
        item.summary ? h('section', { class: 'card' }, h('h2', { class: 'section-title' }, s('incidents_summary')), h('p', { id: 'incident-summary' }, item.summary)) : null),
      h('div', {},
        h('section', { class: 'card' }, h('h2', { class: 'section-title' }, s('incidents_deadlines')), deadlines),
        stepCard(context, item, session),
        h('section', { class: 'card' }, h('h2', { class: 'section-title' }, s('incidents_timeline')), timeline(item, zone)))));
  main.replaceChildren(main_);
  startClock();
}

function listCard(title, list, render) {
  if (!list || list.length === 0) return null;
  return h('section', { class: 'card' }, h('h2', { class: 'section-title' }, s(title)),
    h('ul', { class: 'incident-list' }, list.map((entry) => h('li', {}, render(entry)))));
}

// questionsCard shows the category's questions that were answered, with
// the template's labels.
function questionsCard(item, template) {
  const answers = item.answers || {};
  const rows = [];
  for (const section of template.sections) {
    for (const question of section.items) {
      const answer = answers[question.key];
      if (!answer || answer.value === undefined || answer.value === null) continue;
      let value = answer.value;
      if (question.type === 'yes_no') value = s(`incidents_${value === 'na' ? 'na' : value}`);
      if (question.type === 'single_choice') value = label((question.options.find((o) => o.value === value) || {}).label) || value;
      rows.push(h('dt', {}, label(question.label)), h('dd', {}, String(value)));
    }
  }
  if (rows.length === 0) return null;
  return h('section', { class: 'card' }, h('h2', { class: 'section-title' }, s('incidents_questions')), h('dl', { class: 'incident-facts' }, rows));
}

function timeline(item, zone) {
  return h('ol', { class: 'incident-timeline', id: 'incident-timeline' }, item.timeline.map((event) => h('li', { dataset: { kind: event.kind } },
    h('div', {}, h('strong', {}, s(`incidents_event_${event.kind}`)), ' · ', event.actor_name || s('incidents_server')),
    h('div', { class: 'row-meta' }, time(event.at, zone, true)),
    event.note ? h('div', {}, event.note) : null)));
}

// stepCard offers the one next step of the life cycle to a supervisor of
// the site or an admin, taken as the signed-in person.
function stepCard(context, item, session) {
  const card = h('section', { class: 'card', id: 'incident-step' }, h('h2', { class: 'section-title' }, s('incidents_next_step')));
  const who = h('p', { class: 'row-meta' }, s('incidents_as', { name: session.user.name || session.user.email }));
  const message = h('div', { 'aria-live': 'polite' });
  const handler = session.user.role === 'admin' || session.user.role === 'supervisor';
  if (item.status === 'closed') { card.append(h('p', {}, s('incidents_done'))); return card; }
  if (!handler) { card.append(h('p', {}, s('incidents_wait_handling'))); return card; }
  const take = async (path, body, control) => {
    control.disabled = true;
    try {
      await api.request('POST', `/v1/incidents/${encodeURIComponent(item.id)}/${path}`, { body, idempotencyKey: crypto.randomUUID() });
      await incidentPage(context, item.id);
    } catch (error) {
      if (error instanceof api.NeedLogin) { context.signOut(); return; }
      const detail = error.problem && error.problem.errors ? error.problem.errors.map((e) => e.detail || e.message).join('; ') : reason(error);
      message.replaceChildren(banner(s('incidents_step_failed', { error: detail }), 'error'));
      control.disabled = false;
    }
  };
  const note = (id, hint) => field(s('incidents_note'), h('textarea', { id, rows: 3 }), hint);
  if (item.status === 'reported') {
    const ack = button(s('incidents_acknowledge'), () => take('acknowledge', undefined, ack), { id: 'incident-acknowledge' });
    card.append(who, ack);
  }
  if (['reported', 'acknowledged', 'handling'].includes(item.status)) {
    const text = note('incident-progress-note', s('incidents_progress_hint'));
    const send = button(s('incidents_progress'), () => take('progress', { note: text.querySelector('textarea').value }, send),
      { id: 'incident-progress', kind: item.status === 'reported' ? 'secondary' : 'primary' });
    if (item.status !== 'reported') card.append(who);
    card.append(text, send);
  }
  if (item.status === 'handling') {
    const text = note('incident-resolve-note', s('incidents_resolve_hint'));
    const send = button(s('incidents_resolve'), () => take('resolve', { note: text.querySelector('textarea').value }, send), { id: 'incident-resolve', kind: 'secondary' });
    card.append(text, send);
  }
  if (item.status === 'resolved') {
    const text = field(s('incidents_summary'), h('textarea', { id: 'incident-summary-text', rows: 6 }), s('incidents_summary_hint'));
    const send = button(s('incidents_file_summary'), () => take('summary', { summary: text.querySelector('textarea').value }, send), { id: 'incident-file-summary' });
    card.append(who, text, send);
  }
  if (item.status === 'summarized') {
    const checks = ['cause_found', 'responsible_dealt_with', 'people_educated', 'prevention_in_place'].map((key) =>
      h('label', { class: 'incident-check' }, h('input', { type: 'checkbox', id: `incident-${key}`, name: key }), s(`incidents_${key}`)));
    const send = button(s('incidents_close'), () => take('close', {
      closing: Object.fromEntries(checks.map((c) => { const input = c.querySelector('input'); return [input.name, input.checked]; })),
    }, send), { id: 'incident-close' });
    card.append(who, h('p', {}, s('incidents_close_hint')), ...checks, send);
  }
  card.append(message);
  return card;
}
