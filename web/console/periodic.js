// periodic: the weekly, monthly or yearly report a security manager sends
// up, per site and in total (the server counts, in each site's own local
// period), with the same figures as CSV and PDF downloads.

import { h, button, loading, failure, toast } from '../shared/ui.js';
import { lang } from '../shared/i18n.js';
import { s, addStrings, reason } from './strings.js';
import * as manage from './manage.js';

addStrings({
  en: {
    records_reports: 'Reports',
    periodic_period: 'Period', periodic_week: 'Week', periodic_month: 'Month', periodic_year: 'Year', periodic_day: 'A day in it',
    periodic_show: 'Show', periodic_title_week: 'Weekly report {label}', periodic_title_month: 'Monthly report {label}', periodic_title_year: 'Yearly report {label}', periodic_site: 'Site', periodic_total: 'Total',
    periodic_inspections: 'Inspections', periodic_rounds: 'Rounds', periodic_findings: 'Findings', periodic_incidents: 'Incidents and drills',
    periodic_submitted: 'submitted', periodic_approved: 'signed off', periodic_returned: 'returned', periodic_failed: 'failed', periodic_late: 'late',
    periodic_scheduled: 'scheduled', periodic_completed: 'completed', periodic_partial: 'partial', periodic_missed: 'missed', periodic_open: 'not judged',
    periodic_opened: 'opened', periodic_closed: 'closed', periodic_overdue: 'overdue',
    periodic_general: 'general', periodic_serious: 'serious', periodic_major: 'major', periodic_critical: 'critical', periodic_drills: 'drills',
    periodic_failed_items: 'Failed items', periodic_checklist: 'Checklist', periodic_item: 'Item', periodic_times: 'Times failed',
    periodic_no_failed_items: 'No item failed in the period.',
  },
  'zh-CN': {
    records_reports: '定期报告',
    periodic_period: '期间', periodic_week: '周', periodic_month: '月', periodic_year: '年', periodic_day: '期间内任一天',
    periodic_show: '查看', periodic_title_week: '安全工作周报 {label}', periodic_title_month: '安全工作月报 {label}', periodic_title_year: '安全工作年报 {label}', periodic_site: '站点', periodic_total: '合计',
    periodic_inspections: '检查', periodic_rounds: '巡查', periodic_findings: '隐患', periodic_incidents: '事件与演练',
    periodic_submitted: '已提交', periodic_approved: '已签核', periodic_returned: '退回', periodic_failed: '不合格', periodic_late: '迟交',
    periodic_scheduled: '应巡', periodic_completed: '完成', periodic_partial: '部分完成', periodic_missed: '漏巡', periodic_open: '未判定',
    periodic_opened: '新发现', periodic_closed: '已关闭', periodic_overdue: '逾期',
    periodic_general: '一般', periodic_serious: '较大', periodic_major: '重大', periodic_critical: '特别重大', periodic_drills: '演练',
    periodic_failed_items: '不合格检查项', periodic_checklist: '检查表', periodic_item: '检查项', periodic_times: '不合格次数',
    periodic_no_failed_items: '期间内没有不合格的检查项。',
  },
});

// groups are the report's tables: a heading and the figures under it.
const groups = [
  ['periodic_inspections', (f) => f.inspections, ['submitted', 'approved', 'returned', 'failed', 'late']],
  ['periodic_rounds', (f) => f.rounds, ['scheduled', 'completed', 'partial', 'missed', 'open']],
  ['periodic_findings', (f) => f.findings, ['opened', 'closed', 'overdue']],
  ['periodic_incidents', (f) => ({ ...f.incidents, drills: f.drills }), ['general', 'serious', 'major', 'critical', 'drills']],
];
const alarming = new Set(['failed', 'late', 'missed', 'overdue', 'major', 'critical']);

const state = { period: 'month', date: '', site: '' };

// periodicReport fills results with the report form and the figures.
export async function periodicReport(context, results) {
  const { known } = context;
  const select = (id, value, options) => h('select', { id }, options.map(([v, text]) => h('option', { value: v, selected: v === value }, text)));
  const period = select('periodic-period', state.period, ['week', 'month', 'year'].map((p) => [p, s(`periodic_${p}`)]));
  const site = select('periodic-site', state.site, [['', s('all_sites')], ...[...known.sites.values()].map((x) => [x.id, x.name])]);
  const day = h('input', { type: 'date', id: 'periodic-date', value: state.date });
  const labelled = (text, control) => h('label', { class: 'console-filter' }, h('span', {}, text), control);
  const query = () => ({ period: state.period, date: state.date, site: state.site });
  const download = (format) => button(s(format === 'csv' ? 'records_csv' : 'records_export_pdf'), async () => {
    try {
      await manage.download(manage.periodicQuery(query(), format, lang()), `report-${state.period}.${format}`);
      toast(s('records_exported'));
    } catch (error) {
      toast(s('load_failed', { error: reason(error) }));
    }
  }, { kind: 'secondary', id: `periodic-${format}` });
  const figures = h('div', { id: 'periodic-figures' });
  const form = h('form', {
    class: 'console-filters console-records-filters card', id: 'periodic-filters',
    onsubmit: (event) => {
      event.preventDefault();
      Object.assign(state, { period: period.value, date: day.value, site: site.value });
      show(context, figures);
    },
  }, labelled(s('periodic_period'), period), labelled(s('periodic_day'), day), labelled(s('filter_site'), site),
  h('div', { class: 'console-filter-actions' }, h('button', { type: 'submit', class: 'btn btn-primary', id: 'periodic-show' }, s('periodic_show')),
    download('csv'), download('pdf')));
  results.replaceChildren(form, figures);
  await show(context, figures);
}

async function show(context, figures) {
  figures.replaceChildren(loading(s('loading')));
  let report;
  try {
    report = await manage.periodic({ period: state.period, date: state.date, site: state.site });
  } catch (error) {
    figures.replaceChildren(failure(s('load_failed', { error: reason(error) }), button(s('retry'), () => show(context, figures))));
    return;
  }
  const title = h('h2', { class: 'section-title', id: 'periodic-title' },
    s(`periodic_title_${report.period}`, { label: report.label }));
  figures.replaceChildren(title, ...groups.map(([heading, pick, keys]) => h('section', { class: 'card console-periodic' },
    h('h3', { class: 'section-title' }, s(heading)),
    h('div', { class: 'console-table-wrap' }, h('table', { class: 'console-table', dataset: { group: heading } },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, s('periodic_site')), keys.map((key) => h('th', { scope: 'col' }, s(`periodic_${key}`))))),
      h('tbody', {}, [...report.sites.map((site) => row(site.site_name, site.timezone, pick(site), keys)),
        row(s('periodic_total'), '', pick(report.total), keys, true)]))))), failedItems(report));
}

// failedItems lists which checklist items failed how often, each site's
// then the total across the sites.
function failedItems(report) {
  const lines = [...report.sites.map((site) => [site.site_name, site.failed_items || [], false]),
    ...(report.sites.length > 1 ? [[s('periodic_total'), report.total.failed_items || [], true]] : [])]
    .flatMap(([name, items, total]) => items.map((item) => h('tr', { class: total ? 'console-total' : null },
      h('td', {}, h('strong', {}, name)), h('td', {}, item.checklist),
      h('td', {}, item.item, h('div', { class: 'row-meta' }, item.item_path)),
      h('td', {}, h('strong', { class: 'console-alarm' }, String(item.failed))))));
  return h('section', { class: 'card console-periodic', id: 'periodic-failed-items' },
    h('h3', { class: 'section-title' }, s('periodic_failed_items')),
    lines.length ? h('div', { class: 'console-table-wrap' }, h('table', { class: 'console-table' },
      h('thead', {}, h('tr', {}, ['periodic_site', 'periodic_checklist', 'periodic_item', 'periodic_times'].map((key) => h('th', { scope: 'col' }, s(key))))),
      h('tbody', {}, lines))) : h('p', { class: 'hint' }, s('periodic_no_failed_items')));
}

function row(name, zone, values, keys, total = false) {
  return h('tr', { class: total ? 'console-total' : null },
    h('td', {}, h('strong', {}, name), zone ? h('div', { class: 'row-meta' }, zone) : null),
    keys.map((key) => {
      const n = values[key] || 0;
      return h('td', {}, alarming.has(key) && n > 0 ? h('strong', { class: 'console-alarm' }, String(n)) : String(n));
    }));
}
