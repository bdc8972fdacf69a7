// drills is the console's emergency-drill screen (#/drills): drills
// scheduled from an emergency plan (quarterly, 004 二(一)1.2; each June,
// the safety month, 002 篇18 L1473), each with its window, its state
// (scheduled → held → evaluated, overdue flagged) and its next step: record
// the guard's inspection of the drill template, then write the evaluation
// and follow-up. The drill's failed items are findings, linked here.

import * as api from '../shared/api.js';
import { h, button, badge, banner, empty, loading, failure, field } from '../shared/ui.js';
import { lang } from '../shared/i18n.js';
import { s, addStrings, reason } from './strings.js';
import { zoneOf } from './names.js';

addStrings({
  en: {
    drills_nav: 'Drills', drills_heading: 'Emergency drills', drills_empty: 'No drills scheduled yet.',
    drills_schedule: 'Schedule drills', drills_plan: 'Emergency plan', drills_cadence: 'Cadence', drills_year: 'Year',
    drills_site: 'Site', drills_cadence_quarterly: 'Quarterly (fire, theft, robbery)', drills_cadence_june: 'June, safety month',
    drills_schedule_hint: 'Quarterly: 004 §2(1)1.2. Each June: 002 篇18. Scheduling a year twice adds nothing.',
    drills_do_schedule: 'Schedule', drills_scheduled_n: '{n} drills in the schedule.',
    drills_col_drill: 'Drill', drills_col_window: 'Window', drills_col_status: 'Status', drills_col_result: 'Result',
    drills_col_next: 'Next step',
    drills_status_scheduled: 'Scheduled', drills_status_held: 'Held', drills_status_evaluated: 'Evaluated',
    drills_overdue: 'Overdue', drills_held_late: 'Held late', drills_plan_version: 'Plan v{n}',
    drills_findings: '{n} findings', drills_no_findings: 'No findings', drills_score: '{score}%',
    drills_inspection: 'Drill record (inspection)', drills_no_inspection: 'No submitted drill record at this site yet.',
    drills_record: 'Record as held', drills_evaluation: 'Evaluation', drills_follow_up: 'Follow-up actions',
    drills_follow_up_hint: 'What will be improved, or write “none”.', drills_evaluate: 'Evaluate and close',
    drills_failed: 'Not saved: {error}', drills_wait: 'For the site supervisor or an admin.',
    drills_category_robbery: 'Robbery', drills_category_fire: 'Fire', drills_category_network: 'Network',
    drills_category_equipment: 'Equipment', drills_category_injury: 'Injury', drills_category_public_opinion: 'Public opinion',
    drills_category_other: 'Other',
  },
  'zh-CN': {
    drills_nav: '应急演练', drills_heading: '应急演练', drills_empty: '尚未安排演练。',
    drills_schedule: '安排演练', drills_plan: '应急预案', drills_cadence: '频次', drills_year: '年度',
    drills_site: '网点', drills_cadence_quarterly: '每季度(防火、防盗、防抢)', drills_cadence_june: '每年6月安全生产月',
    drills_schedule_hint: '每季度:004 二(一)1.2;每年6月:002 篇18。同一年度重复安排不会新增。',
    drills_do_schedule: '安排', drills_scheduled_n: '计划中共 {n} 次演练。',
    drills_col_drill: '演练', drills_col_window: '时间窗口', drills_col_status: '状态', drills_col_result: '结果',
    drills_col_next: '下一步',
    drills_status_scheduled: '待演练', drills_status_held: '已演练', drills_status_evaluated: '已评估',
    drills_overdue: '逾期未演练', drills_held_late: '逾期演练', drills_plan_version: '预案第{n}版',
    drills_findings: '{n} 项隐患', drills_no_findings: '无隐患', drills_score: '{score}分',
    drills_inspection: '演练记录(检查表)', drills_no_inspection: '该网点尚无已提交的演练记录。',
    drills_record: '登记为已演练', drills_evaluation: '总结评估', drills_follow_up: '改进措施',
    drills_follow_up_hint: '需要改进的事项;没有请填写“无”。', drills_evaluate: '评估并结束',
    drills_failed: '未保存:{error}', drills_wait: '由网点主管或管理员处理。',
    drills_category_robbery: '抢劫', drills_category_fire: '火灾', drills_category_network: '网络安全',
    drills_category_equipment: '设备故障', drills_category_injury: '人身伤害', drills_category_public_opinion: '舆情',
    drills_category_other: '其他',
  },
});

const statusTone = { scheduled: 'info', held: 'warn', evaluated: 'ok' };
const severities = ['critical', 'high', 'medium', 'low'];
const rank = (finding) => severities.indexOf(finding.severity);

// day formats an instant as a date in the site's zone.
function day(iso, zone) {
  const options = { year: 'numeric', month: '2-digit', day: '2-digit' };
  if (zone) options.timeZone = zone;
  return new Intl.DateTimeFormat(lang(), options).format(new Date(iso));
}

// titleIn picks the signed-in language's half of a "中文 / English" title.
function titleIn(title) {
  const halves = title.split(' / ');
  return halves.length === 2 ? halves[lang() === 'en' ? 1 : 0] : title;
}

function problemText(error) {
  return error.problem && error.problem.errors ? error.problem.errors.map((e) => e.detail || e.message).join('; ') : reason(error);
}

export async function drillsScreen(context) {
  const { main, session } = context;
  main.replaceChildren(loading(s('loading')));
  let page;
  let plans;
  try {
    [page, plans] = await Promise.all([api.request('GET', '/v1/drills?limit=200'), api.request('GET', '/v1/plans?active=true&limit=200')]);
  } catch (error) {
    if (error instanceof api.NeedLogin) { context.signOut(); return; }
    main.replaceChildren(failure(s('load_failed', { error: reason(error) }), button(s('retry'), () => drillsScreen(context))));
    return;
  }
  const handler = session.user.role === 'admin' || session.user.role === 'supervisor';
  const rows = await Promise.all(page.items.map((item) => drillRow(context, item, handler)));
  main.replaceChildren(
    h('h1', { class: 'console-heading' }, s('drills_heading')),
    handler && plans.items.length ? scheduleCard(context, plans.items) : null,
    rows.length ? h('div', { class: 'console-table-wrap' }, h('table', { class: 'console-table', id: 'drills-table' },
      h('thead', {}, h('tr', {}, ['drills_col_drill', 'drills_col_window', 'drills_col_status', 'drills_col_result', 'drills_col_next']
        .map((key) => h('th', { scope: 'col' }, s(key))))),
      h('tbody', {}, rows))) : empty(s('drills_empty')));
}

// scheduleCard schedules a year's drills from a plan.
function scheduleCard(context, plans) {
  const { known } = context;
  const plan = h('select', { id: 'drill-plan' }, plans.map((p) =>
    h('option', { value: p.id }, `${p.title} · ${s(`drills_category_${p.category}`)}`)));
  const cadence = h('select', { id: 'drill-cadence' }, ['quarterly', 'june'].map((c) => h('option', { value: c }, s(`drills_cadence_${c}`))));
  const year = h('input', { id: 'drill-year', type: 'number', min: 2000, max: 2100, value: String(new Date().getFullYear()) });
  const site = h('select', { id: 'drill-site' }, [...known.sites.values()].map((x) => h('option', { value: x.id }, x.name)));
  const siteField = field(s('drills_site'), site);
  const message = h('div', { 'aria-live': 'polite' });
  const chosen = () => plans.find((p) => p.id === plan.value);
  const sync = () => { siteField.hidden = Boolean(chosen() && chosen().site_id); };
  plan.addEventListener('change', sync);
  sync();
  const go = button(s('drills_do_schedule'), async () => {
    go.disabled = true;
    const body = { cadence: cadence.value, year: Number(year.value) };
    if (!chosen().site_id) body.site_id = site.value;
    try {
      const out = await api.request('POST', `/v1/plans/${encodeURIComponent(plan.value)}/drills`, { body, idempotencyKey: crypto.randomUUID() });
      await drillsScreen(context);
      context.main.prepend(banner(s('drills_scheduled_n', { n: out.items.length }), 'info'));
    } catch (error) {
      if (error instanceof api.NeedLogin) { context.signOut(); return; }
      message.replaceChildren(banner(s('drills_failed', { error: problemText(error) }), 'error'));
      go.disabled = false;
    }
  }, { id: 'drill-schedule' });
  return h('section', { class: 'card drill-schedule' }, h('h2', { class: 'section-title' }, s('drills_schedule')),
    h('div', { class: 'drill-schedule-fields' }, field(s('drills_plan'), plan), field(s('drills_cadence'), cadence),
      field(s('drills_year'), year), siteField),
    h('p', { class: 'row-meta' }, s('drills_schedule_hint')), go, message);
}

async function drillRow(context, item, handler) {
  const { known } = context;
  const zone = zoneOf(known, item.site_id);
  const site = known.sites.get(item.site_id);
  const last = new Date(Date.parse(item.due_at) - 1).toISOString();
  const flags = [
    item.overdue ? badge(s('drills_overdue'), 'bad') : null,
    item.held_late ? badge(s('drills_held_late'), 'warn') : null,
  ].filter(Boolean);
  const result = item.status === 'scheduled' ? '—' : h('div', {},
    item.score === null ? '—' : s('drills_score', { score: Math.round(item.score) }), ' ',
    item.outcome ? badge(s(`outcome_${item.outcome}`), item.outcome === 'pass' ? 'ok' : 'bad') : null,
    h('div', { class: 'row-meta' }, item.findings.length
      ? [s('drills_findings', { n: item.findings.length }), ': ', [...item.findings].sort((a, b) => rank(a) - rank(b)).slice(0, 3).map((f, i) =>
        [i ? ', ' : '', h('a', { href: `#/findings/${f.id}`, class: 'console-link' }, titleIn(f.title))]),
      item.findings.length > 3 ? ' …' : '']
      : s('drills_no_findings')),
    item.plan_version ? h('div', { class: 'row-meta' }, s('drills_plan_version', { n: item.plan_version })) : null);
  return h('tr', { dataset: { drill: item.id, status: item.status } },
    h('td', {}, h('strong', {}, item.plan_title), h('div', { class: 'row-meta' },
      s(`drills_category_${item.category}`), ' · ', s(`drills_cadence_${item.cadence}`), ' · ', site ? site.name : '—')),
    h('td', {}, `${day(item.opens_at, zone)} – ${day(last, zone)}`),
    h('td', {}, badge(s(`drills_status_${item.status}`), statusTone[item.status]), h('div', { class: 'incident-flags' }, flags)),
    h('td', {}, result),
    h('td', { class: 'drill-next' }, handler ? await nextStep(context, item) : s('drills_wait')));
}

// nextStep is the drill's next step: record a submitted inspection of its
// template at its site, then evaluate.
async function nextStep(context, item) {
  const message = h('div', { 'aria-live': 'polite' });
  const take = async (path, body, control) => {
    control.disabled = true;
    try {
      await api.request('POST', `/v1/drills/${encodeURIComponent(item.id)}/${path}`, { body, idempotencyKey: crypto.randomUUID() });
      await drillsScreen(context);
    } catch (error) {
      if (error instanceof api.NeedLogin) { context.signOut(); return; }
      message.replaceChildren(banner(s('drills_failed', { error: problemText(error) }), 'error'));
      control.disabled = false;
    }
  };
  if (item.status === 'scheduled') {
    const query = new URLSearchParams({ site_id: item.site_id, template_id: item.template_id, status: 'submitted', limit: '50' });
    let found = { items: [] };
    try { found = await api.request('GET', `/v1/inspections?${query}`); } catch (error) { if (error instanceof api.NeedLogin) throw error; }
    if (found.items.length === 0) return h('span', { class: 'row-meta' }, s('drills_no_inspection'));
    const zone = zoneOf(context.known, item.site_id);
    const pick = h('select', { id: `drill-inspection-${item.id}` }, found.items.map((x) =>
      h('option', { value: x.id }, `${day(x.submitted_at || x.received_at, zone)} · ${x.score === null ? '—' : s('drills_score', { score: Math.round(x.score) })}`)));
    const record = button(s('drills_record'), () => take('record', { inspection_id: pick.value }, record),
      { id: `drill-record-${item.id}`, kind: 'secondary' });
    return h('div', {}, field(s('drills_inspection'), pick), record, message);
  }
  if (item.status === 'held') {
    const evaluation = h('textarea', { id: `drill-evaluation-${item.id}`, rows: 3 });
    const followUp = h('textarea', { id: `drill-follow-up-${item.id}`, rows: 2 });
    const send = button(s('drills_evaluate'), () => take('evaluate', { evaluation: evaluation.value, follow_up: followUp.value }, send),
      { id: `drill-evaluate-${item.id}` });
    return h('div', {}, field(s('drills_evaluation'), evaluation), field(s('drills_follow_up'), followUp, s('drills_follow_up_hint')), send, message);
  }
  return h('div', {}, h('p', {}, item.evaluation), h('p', { class: 'row-meta' }, `${s('drills_follow_up')}: ${item.follow_up}`),
    h('p', { class: 'row-meta' }, item.evaluated_by));
}

