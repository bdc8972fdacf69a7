// dutylog is the console's duty log (#/duty-log, 值班日志): the lines
// guards write on their phones, newest first; never changed (001 第2篇
// 第十一条), so the screen only reads.

import { h, badge } from '../shared/ui.js';
import { s, addStrings } from './strings.js';
import * as duty from './dutydata.js';

addStrings({
  en: { dutylog_nav: 'Duty log', dutylog_heading: 'Duty log', dutylog_kind: 'Kind', dutylog_text: 'Entry',
    dutylog_kind_routine: 'Routine', dutylog_kind_anomaly: 'Anomaly', dutylog_kind_visitor: 'Visitor',
    dutylog_kind_equipment: 'Equipment', dutylog_kind_other: 'Other' },
  'zh-CN': { dutylog_nav: '值班日志', dutylog_heading: '值班日志', dutylog_kind: '类别', dutylog_text: '内容',
    dutylog_kind_routine: '日常', dutylog_kind_anomaly: '异常', dutylog_kind_visitor: '来访',
    dutylog_kind_equipment: '设备', dutylog_kind_other: '其他' },
});

const state = { site: '' };

export async function dutyLogScreen(context) {
  const { known, main } = context;
  const site = duty.siteSelect(known, 'dutylog-site', state.site);
  const board = h('div', { id: 'dutylog-board' });
  const show = () => duty.load(board, () => duty.list('/v1/duty-log', { site_id: state.site }), (items) => duty.table('dutylog-table',
    [s('duty_when'), s('duty_site'), s('duty_who'), s('dutylog_kind'), s('dutylog_text')],
    items.map((x) => h('tr', {}, h('td', {}, duty.at(known, x.site_id, x.occurred_at)), h('td', {}, duty.siteName(known, x.site_id)),
      h('td', {}, x.user_name), h('td', {}, badge(s(`dutylog_kind_${x.kind}`), x.kind === 'anomaly' ? 'warn' : 'neutral')),
      h('td', { class: 'duty-text' }, x.text)))));
  site.addEventListener('change', () => { state.site = site.value; show(); });
  main.replaceChildren(h('div', { class: 'console-screen-head' }, h('h1', { class: 'console-heading' }, s('dutylog_heading')),
    h('div', { class: 'console-screen-tools' }, h('label', { class: 'console-filter console-filter-inline' },
      h('span', {}, s('duty_site')), site))), board);
  await show();
}
