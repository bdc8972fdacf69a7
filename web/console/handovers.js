// handovers is the console's shift handovers (#/handovers): each with the
// outgoing and the incoming guard's drawn signatures; one the incoming
// guard has not signed in time is flagged (the seeds: both confirm, an
// unconfirmed handover is flagged).

import { h, badge } from '../shared/ui.js';
import { s, addStrings } from './strings.js';
import * as duty from './dutydata.js';

addStrings({
  en: { handovers_nav: 'Handovers', handovers_heading: 'Shift handovers', handovers_outgoing: 'Outgoing', handovers_incoming: 'Incoming',
    handovers_items: 'Handed over', handovers_status_completed: 'Both signed', handovers_status_awaiting_incoming: 'Awaiting the incoming guard',
    handovers_unconfirmed: 'Unconfirmed', handovers_open: 'Open matters', handovers_equipment: 'Equipment', handovers_keys: 'Keys and items',
    handovers_remarks: 'Remarks', handovers_signature_of: 'Signature of {name}' },
  'zh-CN': { handovers_nav: '交接班', handovers_heading: '交接班记录', handovers_outgoing: '交班人', handovers_incoming: '接班人',
    handovers_items: '交接内容', handovers_status_completed: '双方已签字', handovers_status_awaiting_incoming: '待接班人签字',
    handovers_unconfirmed: '未确认', handovers_open: '未结事项', handovers_equipment: '设备状态', handovers_keys: '钥匙物品',
    handovers_remarks: '备注', handovers_signature_of: '{name}的签名' },
});

const state = { site: '' };

export async function handoversScreen(context) {
  const { known, main } = context;
  const site = duty.siteSelect(known, 'handovers-site', state.site);
  const board = h('div', { id: 'handovers-board' });
  const show = () => duty.load(board, () => duty.list('/v1/handovers', { site_id: state.site }), (items) => duty.table('handovers-table',
    [s('duty_when'), s('duty_site'), s('duty_post'), s('handovers_outgoing'), s('handovers_incoming'), s('handovers_items')],
    items.map((x) => h('tr', { id: `handover-${x.id}` }, h('td', {}, duty.at(known, x.site_id, x.handed_at),
      h('div', {}, badge(s(`handovers_status_${x.status}`), x.status === 'completed' ? 'ok' : 'warn'),
        x.unconfirmed ? badge(s('handovers_unconfirmed'), 'bad') : null)),
    h('td', {}, duty.siteName(known, x.site_id)), h('td', {}, x.post),
    h('td', {}, x.outgoing_name, duty.signature(x.outgoing_strokes, s('handovers_signature_of', { name: x.outgoing_name }))),
    h('td', {}, x.incoming_name, x.incoming_strokes ? duty.signature(x.incoming_strokes, s('handovers_signature_of', { name: x.incoming_name })) : null),
    h('td', {}, items_(x.items))))));
  site.addEventListener('change', () => { state.site = site.value; show(); });
  main.replaceChildren(h('div', { class: 'console-screen-head' }, h('h1', { class: 'console-heading' }, s('handovers_heading')),
    h('div', { class: 'console-screen-tools' }, h('label', { class: 'console-filter console-filter-inline' },
      h('span', {}, s('duty_site')), site))), board);
  await show();
}

function items_(items) {
  const rows = [['handovers_open', items.open_matters], ['handovers_equipment', items.equipment], ['handovers_keys', items.keys_and_items],
    ['handovers_remarks', items.remarks]].filter(([, v]) => v);
  return h('dl', { class: 'duty-items' }, rows.map(([key, value]) => [h('dt', {}, s(key)), h('dd', {}, value)]));
}
