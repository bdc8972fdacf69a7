// records is the registers and the audit log: each register (inspections,
// hazards, handovers, outsiders) filtered by site and dates (whole days in
// the site's time zone), a page at a time, exported as CSV (the server's
// export: names, site zones, bilingual header) and each inspection as its
// PDF report; and the audit log with the server's check of its hash chain.

import { h, button, badge, banner, loading, failure, empty, toast } from '../shared/ui.js';
import { label, time, lang } from '../shared/i18n.js';
import { s, addStrings, reason } from './strings.js';
import * as manage from './manage.js';
import { personName, zoneOf, zonedMidnight } from './names.js';
import { periodicReport } from './periodic.js';

addStrings({
  en: {
    records_nav: 'Records',
    records_heading: 'Records',
    records_inspections: 'Inspections', records_hazards: 'Hazards', records_handovers: 'Handovers', records_outsiders: 'Outsiders',
    records_audit: 'Audit log',
    records_csv: 'Export CSV', records_export_pdf: 'Export PDF', records_pdf: 'PDF', records_print: 'Print',
    records_empty: 'No records with these filters.',
    records_when: 'When', records_checklist: 'Checklist', records_person: 'Inspector', records_result: 'Result', records_status: 'Status',
    records_signed_off: 'Signed off', records_finding: 'Finding', records_severity: 'Severity', records_due: 'Due',
    records_assignee: 'Assignee', records_overdue: 'Overdue', records_closed: 'Closed',
    records_rectified_by: 'Rectified by {name}, {when}', records_verified_by: 'Verified by {name}, {when}',
    records_chain_ok: 'The audit chain is intact: {n} entries checked.',
    records_chain_broken: 'The audit chain is broken. Problems found: {n}.',
    records_check_chain: 'Check the chain', records_checking: 'Checking…',
    records_action: 'Action', records_actor: 'By', records_entity: 'Record', records_system: 'System or operator',
    records_exported: 'Export downloaded.',
    records_shift_handover: 'Shift handover · {post}', records_handover_between: '{outgoing} → {incoming}',
    records_handover_completed: 'Both signed', records_handover_awaiting: 'Awaiting the incoming guard',
    records_visitor: 'Visitor', records_id: 'ID {n}', records_work_id: 'Work ID {n}', records_reason: 'Reason',
    records_in_out: 'In / out', records_recorded_by: 'Recorded by',
  },
  'zh-CN': {
    records_nav: '台账',
    records_heading: '台账',
    records_inspections: '检查台账', records_hazards: '隐患台账', records_handovers: '交接台账', records_outsiders: '外来人员登记',
    records_audit: '审计日志',
    records_csv: '导出 CSV', records_export_pdf: '导出 PDF', records_pdf: 'PDF', records_print: '打印',
    records_empty: '没有符合条件的记录。',
    records_when: '时间', records_checklist: '检查表', records_person: '检查人', records_result: '结果', records_status: '状态',
    records_signed_off: '签核', records_finding: '隐患', records_severity: '等级', records_due: '整改期限',
    records_assignee: '责任人', records_overdue: '已逾期', records_closed: '关闭时间',
    records_rectified_by: '{name} 整改，{when}', records_verified_by: '{name} 验收，{when}',
    records_chain_ok: '审计链完整：已核验 {n} 条记录。',
    records_chain_broken: '审计链已被破坏：{n} 处问题。',
    records_check_chain: '核验审计链', records_checking: '正在核验…',
    records_action: '操作', records_actor: '操作人', records_entity: '记录', records_system: '系统或运维人员',
    records_shift_handover: '值班交接 · {post}', records_handover_between: '{outgoing} → {incoming}',
    records_handover_completed: '双方已签', records_handover_awaiting: '待接班人签名',
    records_exported: '已下载导出文件。',
    records_visitor: '来访人', records_id: '证件号码 {n}', records_work_id: '工作证 {n}', records_reason: '事由',
    records_in_out: '进入 / 离开', records_recorded_by: '登记人',
  },
});

const registers = ['inspections', 'hazards', 'handovers', 'outsiders'];
const state = { site: '', from: '', to: '', cursors: [''], page: 0 };

// recordsScreen shows one register (default inspections) or the audit log.
export async function recordsScreen(context, tab) {
  tab = tab || 'inspections';
  const { main } = context;
  const tabs = h('nav', { class: 'console-tabs', 'aria-label': s('records_heading') }, [...registers, 'reports', 'audit'].map((name) =>
    h('a', { href: `#/records/${name}`, class: 'console-tab', 'aria-current': name === tab ? 'page' : null }, s(`records_${name}`))));
  const results = h('div', { id: 'records-results' });
  main.replaceChildren(...[h('h1', { class: 'console-heading' }, s('records_heading')), tabs,
    registers.includes(tab) ? filters(context, tab, results) : null, results].filter(Boolean));
  if (tab === 'audit') await auditLog(context, results);
  else if (tab === 'reports') await periodicReport(context, results);
  else await show(context, tab, results);
}

function filters(context, tab, results) {
  const { known } = context;
  const site = h('select', { id: 'records-site' }, [['', s('all_sites')], ...[...known.sites.values()].map((x) => [x.id, x.name])]
    .map(([value, text]) => h('option', { value, selected: value === state.site }, text)));
  const from = h('input', { type: 'date', id: 'records-from', value: state.from });
  const to = h('input', { type: 'date', id: 'records-to', value: state.to });
  const labelled = (text, control) => h('label', { class: 'console-filter' }, h('span', {}, text), control);
  const csv = button(s('records_csv'), async () => {
    try {
      await manage.download(manage.registerQuery(tab, range(context)), `${tab}-register.csv`);
      toast(s('records_exported'));
    } catch (error) {
      toast(s('load_failed', { error: reason(error) }));
    }
  }, { kind: 'secondary', id: 'records-csv' });
  const pdf = button(s('records_export_pdf'), async () => {
    try {
      await manage.download(manage.registerQuery(tab, range(context), 'pdf', lang()), `${tab}-register.pdf`);
      toast(s('records_exported'));
    } catch (error) {
      toast(s('load_failed', { error: reason(error) }));
    }
  }, { kind: 'secondary', id: 'records-pdf' });
  return h('form', {
    class: 'console-filters console-records-filters card', id: 'records-filters',
    onsubmit: (event) => {
      event.preventDefault();
      Object.assign(state, { site: site.value, from: from.value, to: to.value, cursors: [''], page: 0 });
      show(context, tab, results);
    },
  }, labelled(s('filter_site'), site), labelled(s('filter_from'), from), labelled(s('filter_to'), to),
  h('div', { class: 'console-filter-actions' }, h('button', { type: 'submit', class: 'btn btn-primary', id: 'records-apply' }, s('apply')), csv, pdf,
    button(s('records_print'), () => window.print(), { kind: 'quiet' })));
}

// range turns the day filters into instants: whole days in the chosen
// site's zone (else the first site's).
function range(context) {
  const zone = zoneOf(context.known, state.site || [...context.known.sites.keys()][0]);
  const nextDay = (day) => new Date(Date.parse(`${day}T00:00:00Z`) + 86400000).toISOString().slice(0, 10);
  return { site: state.site, from: state.from ? zonedMidnight(state.from, zone) : '', to: state.to ? zonedMidnight(nextDay(state.to), zone) : '' };
}

async function show(context, tab, results) {
  results.replaceChildren(loading(s('loading')));
  let page;
  try {
    page = await manage.register(tab, { ...range(context), cursor: state.cursors[state.page] });
  } catch (error) {
    results.replaceChildren(failure(s('load_failed', { error: reason(error) }), button(s('retry'), () => show(context, tab, results))));
    return;
  }
  const more = Boolean(page.next_cursor) && page.items.length > 0;
  if (more) state.cursors[state.page + 1] = page.next_cursor;
  const pager = h('div', { class: 'console-pager' },
    button(s('previous_page'), () => { state.page -= 1; show(context, tab, results); }, { kind: 'secondary', disabled: state.page === 0 }),
    h('span', { class: 'console-page' }, s('page', { n: state.page + 1 })),
    button(s('next_page'), () => { state.page += 1; show(context, tab, results); }, { kind: 'secondary', disabled: !more }));
  if (!page.items.length) {
    results.replaceChildren(empty(s('records_empty')));
    return;
  }
  const tables = { hazards: hazardTable, outsiders: outsiderTable };
  const table = (tables[tab] || inspectionTable)(context, page.items);
  results.replaceChildren(h('div', { class: 'console-table-wrap' }, table), pager);
}

function templateName(context, key) {
  for (const template of context.known.templates.values()) if (template.key === key) return label(template.title);
  return key;
}

function inspectionTable(context, rows) {
  const { known } = context;
  return h('table', { class: 'console-table', id: 'records-table' },
    h('thead', {}, h('tr', {}, ['records_when', 'col_site', 'records_checklist', 'records_person', 'records_result', 'records_signed_off', '']
      .map((key) => h('th', { scope: 'col' }, key ? s(key) : '')))),
    h('tbody', {}, rows.map((row) => {
      if (row.kind === 'shift_handover') return shiftHandoverRow(context, row);
      const zone = zoneOf(known, row.site_id);
      const site = known.sites.get(row.site_id);
      return h('tr', { dataset: { inspection: row.id } },
        h('td', {}, time(row.submitted_at || row.created_at, zone, true), h('div', { class: 'row-meta' }, zone)),
        h('td', {}, site ? site.name : '—'),
        h('td', {}, h('a', { href: `#/inspections/${row.id}`, class: 'console-link' }, templateName(context, row.template_key))),
        h('td', {}, personName(known, row.owner_id)),
        h('td', {}, row.outcome ? badge(s(`outcome_${row.outcome}`), { pass: 'ok', fail: 'bad' }[row.outcome] || 'warn') : '—',
          h('div', { class: 'row-meta' }, s(`status_${row.status}`))),
        h('td', {}, row.approved_at ? [time(row.approved_at, zone, true), h('div', { class: 'row-meta' }, personName(known, row.approved_by))] : '—'),
        h('td', {}, row.status === 'in_progress' ? null : button(s('records_pdf'), () => manage.download(`/v1/inspections/${encodeURIComponent(row.id)}/report.pdf`, `inspection-${row.id}.pdf`)
          .catch((error) => toast(s('load_failed', { error: reason(error) }))), { kind: 'quiet', class: 'btn btn-quiet records-pdf' })));
    })));
}

// shiftHandoverRow is a guards' shift handover in the handover register:
// the post, both guards by name (outgoing → incoming) and whether the
// incoming guard has signed.
function shiftHandoverRow(context, row) {
  const { known } = context;
  const zone = zoneOf(known, row.site_id);
  const site = known.sites.get(row.site_id);
  const completed = row.status === 'completed';
  return h('tr', { dataset: { handover: row.id } },
    h('td', {}, time(row.handed_at, zone, true), h('div', { class: 'row-meta' }, zone)),
    h('td', {}, site ? site.name : '—'),
    h('td', {}, s('records_shift_handover', { post: row.post })),
    h('td', {}, s('records_handover_between', { outgoing: row.outgoing_name, incoming: row.incoming_name })),
    h('td', {}, badge(s(completed ? 'records_handover_completed' : 'records_handover_awaiting'), completed ? 'ok' : 'warn')),
    h('td', {}, completed ? time(row.incoming_signed_at, zone, true) : '—'),
    h('td', {}));
}

// outsiderTable is the outsider register (外来人员登记簿, seed 1) as a
// bank reads it: a line per person let in, with their unit, ID, reason and
// times in and out, then who recorded it; the registration opens its page.
function outsiderTable(context, rows) {
  const { known } = context;
  const meta = (text) => (text ? h('div', { class: 'row-meta' }, text) : null);
  // A time of day (08:30) is as the guard wrote it at the site; an instant
  // reads in the site's zone.
  const at = (answered, zone) => (!answered ? '—' : answered.includes('T') ? time(answered, zone, true) : answered);
  const reason = (v) => [label(v.reason_label), v.reason].filter(Boolean).join(' · ') || '—';
  return h('table', { class: 'console-table', id: 'records-table' },
    h('thead', {}, h('tr', {}, ['records_when', 'records_visitor', 'records_reason', 'records_in_out', 'records_recorded_by', '']
      .map((key) => h('th', { scope: 'col' }, key ? s(key) : '')))),
    h('tbody', {}, rows.flatMap((row) => {
      const zone = zoneOf(known, row.site_id);
      const site = known.sites.get(row.site_id);
      const pdf = () => button(s('records_pdf'), () => manage.download(`/v1/inspections/${encodeURIComponent(row.id)}/report.pdf`, `inspection-${row.id}.pdf`)
        .catch((error) => toast(s('load_failed', { error: reason(error) }))), { kind: 'quiet', class: 'btn btn-quiet records-pdf' });
      const people = row.visitors && row.visitors.length ? row.visitors : [null];
      return people.map((v) => h('tr', { dataset: { inspection: row.id, visitor: v ? v.name : '' } },
        // The site under the time, not a column of its own: an ID number
        // and a person's unit need the width on a portrait tablet.
        h('td', {}, time(row.submitted_at || row.created_at, zone, true), meta(site ? site.name : '—'), meta(zone)),
        // The person as their ID card reads: name, ID number (and work ID),
        // then who they came from.
        h('td', { class: 'records-visitor' }, h('a', { href: `#/inspections/${row.id}`, class: 'console-link' }, v ? v.name || '—' : templateName(context, row.template_key)),
          meta(v && v.id_number && s('records_id', { n: v.id_number })),
          meta(v && v.work_id_number && s('records_work_id', { n: v.work_id_number })), meta(v && v.unit)),
        h('td', {}, v ? reason(v) : '—'),
        h('td', {}, v ? at(v.entered_at, zone) : '—', meta(v && `→ ${at(v.left_at, zone)}`)),
        h('td', {}, personName(known, row.owner_id), meta(s(`status_${row.status}`))),
        h('td', {}, row.status === 'in_progress' ? null : pdf())));
    })));
}

// hazardTable is the hazard ledger (隐患整改台账) as a person reads it:
// severity and state in words (the findings board's), people by name,
// times in the site's zone, each finding opening its page.
function hazardTable(context, rows) {
  const { known } = context;
  const when = (at, zone) => (at ? time(at, zone, true) : '—');
  return h('table', { class: 'console-table', id: 'records-table' },
    h('thead', {}, h('tr', {}, ['records_when', 'col_site', 'records_finding', 'records_severity', 'records_status', 'records_due', 'records_assignee', 'records_closed']
      .map((key) => h('th', { scope: 'col' }, s(key))))),
    h('tbody', {}, rows.map((row) => {
      const zone = zoneOf(known, row.site_id);
      const site = known.sites.get(row.site_id);
      const rectified = row.rectifier_id ? h('div', { class: 'row-meta' }, s('records_rectified_by', { name: personName(known, row.rectifier_id), when: when(row.rectified_at, zone) })) : null;
      const verified = row.verifier_id ? h('div', { class: 'row-meta' }, s('records_verified_by', { name: personName(known, row.verifier_id), when: when(row.verified_at, zone) })) : null;
      return h('tr', { dataset: { finding: row.id, severity: row.severity, status: row.status } },
        h('td', {}, when(row.created_at, zone), h('div', { class: 'row-meta' }, zone)),
        h('td', {}, site ? site.name : '—'),
        h('td', {}, h('a', { href: `#/findings/${row.id}`, class: 'console-link' }, row.title), rectified, verified),
        h('td', {}, badge(s(`findings_severity_${row.severity}`), { low: 'neutral', medium: 'warn', high: 'bad', critical: 'bad' }[row.severity] || 'neutral')),
        h('td', {}, s(`findings_state_${row.status}`), row.overdue ? h('div', {}, badge(s('records_overdue'), 'bad')) : null),
        h('td', {}, when(row.due_at, zone)),
        h('td', {}, row.assignee_id ? personName(known, row.assignee_id) : s('findings_unassigned')),
        h('td', {}, when(row.closed_at, zone)));
    })));
}

const auditState = { cursors: [''], page: 0 };

async function auditLog(context, results) {
  const verdict = h('div', { id: 'audit-verdict', 'aria-live': 'polite' });
  const check = button(s('records_check_chain'), async () => {
    check.disabled = true;
    check.textContent = s('records_checking');
    try {
      const report = await manage.verifyAudit();
      verdict.replaceChildren(report.ok ? banner(s('records_chain_ok', { n: report.checked }), 'ok')
        : h('div', {}, banner(s('records_chain_broken', { n: report.problems.length }), 'error'),
          h('ul', {}, report.problems.map((p) => h('li', {}, `#${p.seq}: ${p.problem}`)))));
    } catch (error) {
      verdict.replaceChildren(banner(s('load_failed', { error: reason(error) }), 'error'));
    }
    check.disabled = false;
    check.textContent = s('records_check_chain');
  }, { id: 'audit-check' });
  const list = h('div', { id: 'audit-list' }, loading(s('loading')));
  results.replaceChildren(h('div', { class: 'card console-audit-head' }, check, verdict), list);
  check.click();
  await auditPage(context, list);
}

async function auditPage(context, list) {
  const { known } = context;
  let page;
  try {
    page = await manage.audit({ cursor: auditState.cursors[auditState.page] });
  } catch (error) {
    list.replaceChildren(failure(s('load_failed', { error: reason(error) })));
    return;
  }
  const more = Boolean(page.next_cursor) && page.items.length > 0;
  if (more) auditState.cursors[auditState.page + 1] = page.next_cursor;
  // The log is the organisation's: its times read in the first site's zone.
  const zone = zoneOf(known, [...known.sites.keys()][0]);
  const rows = page.items.map((entry) => h('tr', { dataset: { seq: String(entry.seq) } },
    h('td', {}, `#${entry.seq}`),
    h('td', {}, time(entry.at, zone, true), h('div', { class: 'row-meta' }, zone)),
    h('td', {}, h('code', { class: 'console-code' }, entry.action)),
    // Everyone of the organisation is in the directory (users are deactivated, never deleted), so an
    // actor who is not is the server itself or its operator's command line.
    h('td', {}, entry.actor_id && known.people.has(entry.actor_id) ? known.people.get(entry.actor_id) : s('records_system')),
    h('td', {}, entityName(context, entry))));
  list.replaceChildren(rows.length ? h('div', { class: 'console-table-wrap' }, h('table', { class: 'console-table', id: 'audit-table' },
    h('thead', {}, h('tr', {}, ['', 'records_when', 'records_action', 'records_actor', 'records_entity'].map((key) => h('th', { scope: 'col' }, key ? s(key) : '')))),
    h('tbody', {}, rows))) : empty(s('records_empty')),
  h('div', { class: 'console-pager' },
    button(s('previous_page'), () => { auditState.page -= 1; auditPage(context, list); }, { kind: 'secondary', disabled: auditState.page === 0 }),
    h('span', { class: 'console-page' }, s('page', { n: auditState.page + 1 })),
    button(s('next_page'), () => { auditState.page += 1; auditPage(context, list); }, { kind: 'secondary', disabled: !more })));
}

// entityName names the record an entry is about where the console knows
// it (people, sites, checklists), else its kind.
function entityName(context, entry) {
  const { known } = context;
  const details = entry.details || {};
  switch (entry.entity_type) {
    case 'user': return known.people.get(entry.entity_id) || details.email || s('admin_users');
    case 'site': return (known.sites.get(entry.entity_id) || {}).name || details.name || entry.entity_type;
    case 'template': {
      const template = known.templates.get(entry.entity_id);
      return template ? label(template.title) : details.key || entry.entity_type;
    }
    case 'inspection': return h('a', { href: `#/inspections/${entry.entity_id}`, class: 'console-link' }, templateName(context, details.template_key || 'inspection'));
    default: return details.name || details.title || entry.entity_type;
  }
}
