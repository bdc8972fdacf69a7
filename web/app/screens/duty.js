// duty: the guard's shifts today, the handovers waiting for their
// signature (they read what is handed over and sign with their finger),
// the training sessions running now whose attendance sheet they sign, and
// the duty log (值班日志) they write. Everything works offline.

import * as duty from '../duty.js';
import * as data from '../data.js';
import { lang, time } from '../../shared/i18n.js';
import { h, toast, empty, banner, button } from '../../shared/ui.js';
import * as takeover from '../signinhere.js';

const strings = {
  en: { title: 'My duty', shifts: 'My shifts today', no_shifts: 'No shift today.', sign: 'Handovers to sign',
    from: 'From {name}', open: 'Open matters', equipment: 'Equipment', keys: 'Keys and items', remarks: 'Remarks',
    sign_button: 'Sign: I take over', signed: 'Signed. It is sent when online.', draw_first: 'Sign in the box first.',
    log: 'Duty log', kind: 'Kind', text: 'What happened', save: 'Write in the log', saved: 'Written. It is sent when online.',
    write_first: 'Write something first.', kind_routine: 'Routine', kind_anomaly: 'Anomaly', kind_visitor: 'Visitor',
    kind_equipment: 'Equipment', kind_other: 'Other', hand_over: 'Hand over shift',
    trainings: 'Training sign-in', trainer: 'Trainer: {name}', attend_button: 'Sign the attendance sheet',
    attended: 'Signed in. It is sent when online.',
    handed: 'You handed the shift over to {name}.',
    take_over: '{name} can take over this phone. What you still have to send is sent first, as yours; then you are signed out.',
    sign_in_here: '{name} signs in here', sending: 'Sending your work…',
    not_offline: 'No network: {n} of your changes are still on this phone. They are kept and you stay signed in; connect and try again.',
    not_unsent: 'Not everything could be sent yet ({n} waiting). You stay signed in and nothing is lost; try again in a moment.',
    not_signed_out: 'Your session ended before your work was sent ({n} waiting). Sign in again as yourself to send it first.',
    not_problems: 'The server refused {n} of your records: look at them on the Sync screen first.' },
  'zh-CN': { title: '我的值班', shifts: '今日班次', no_shifts: '今天没有排班。', sign: '待签字的交接班',
    from: '交班人:{name}', open: '未结事项', equipment: '设备状态', keys: '钥匙物品', remarks: '备注',
    sign_button: '签字接班', signed: '已签字,联网后发送。', draw_first: '请先在框内签名。',
    log: '值班日志', kind: '类别', text: '情况记录', save: '写入日志', saved: '已记录,联网后发送。',
    write_first: '请先填写内容。', kind_routine: '日常', kind_anomaly: '异常', kind_visitor: '来访',
    kind_equipment: '设备', kind_other: '其他', hand_over: '交班',
    trainings: '培训签到', trainer: '培训人:{name}', attend_button: '在签到表上签名',
    attended: '已签到,联网后发送。',
    handed: '您已向{name}交班。',
    take_over: '{name}可以接管这台手机：先以您的身份发送您待发送的内容，然后退出您的登录。',
    sign_in_here: '{name}在本机登录', sending: '正在发送您的内容…',
    not_offline: '没有网络：您还有 {n} 项内容在本机未发送。内容已保留，您仍保持登录；请联网后重试。',
    not_unsent: '还有 {n} 项未能发送。您仍保持登录，内容不会丢失；请稍后重试。',
    not_signed_out: '您的登录在发送完成前已过期（{n} 项待发送）。请先以您本人身份重新登录并发送。',
    not_problems: '服务器拒绝了您的 {n} 项记录：请先在“同步”页处理。' },
};
const s = (key, params = {}) => (strings[lang()][key] ?? strings.en[key]).replace(/\{(\w+)\}/g, (w, n) => params[n] ?? w);
const KINDS = ['routine', 'anomaly', 'visitor', 'equipment', 'other'];

export function title() {
  return s('title');
}

export async function render({ session, navigate }) {
  const me = session.user;
  // The signature pad comes with the screen, not with today's (which
  // imports this module for its title at a cold start).
  const [shifts, waiting, trainings, sites, { signaturePad }, handed] = await Promise.all([duty.shiftsToday(me.id), duty.awaitingMe(me.id),
    duty.trainingsToSign(me.id), data.sites(), import('../components.js'), takeover.offer()]);
  const mine = sites.filter((x) => !me.site_ids || me.site_ids.includes(x.id));
  const zoneOf = (id) => (sites.find((x) => x.id === id) || {}).timezone;
  const refresh = () => navigate('#/duty');
  return h('div', { class: 'stack-page', id: 'duty' },
    handed ? takeOverCard(handed, navigate) : null,
    h('a', { class: 'btn btn-secondary btn-block', href: '#/handover', id: 'duty-handover' }, s('hand_over')),
    h('h2', { class: 'section-title' }, s('shifts')),
    shifts.length ? h('ul', { class: 'list', id: 'duty-shifts' }, shifts.map((x) => h('li', { class: 'row' },
      h('div', { class: 'row-main' }, h('div', { class: 'row-title' }, x.post),
        h('div', { class: 'row-meta' }, `${time(x.starts_at, zoneOf(x.site_id), true)} – ${time(x.ends_at, zoneOf(x.site_id))}`)))))
      : empty(s('no_shifts')),
    waiting.length ? [h('h2', { class: 'section-title' }, s('sign')), waiting.map((x) => handoverCard(x, signaturePad(), refresh))] : null,
    trainings.length ? [h('h2', { class: 'section-title' }, s('trainings')),
      trainings.map((x) => trainingCard(x, zoneOf(x.site_id) || (sites[0] || {}).timezone, signaturePad(), refresh))] : null,
    logForm(mine, shifts, refresh));
}

// takeOverCard offers the phone to the guard the shift was handed to: a
// tap sends the outgoing guard's work and signs them out (signinhere.js).
function takeOverCard(handed, navigate) {
  const message = h('div', { 'aria-live': 'polite', id: 'sign-in-here-message' });
  const go = button(s('sign_in_here', { name: handed.name }), async () => {
    go.disabled = true;
    go.textContent = s('sending');
    const why = await takeover.signInHere();
    if (!why) { navigate('#/today'); return; }
    const key = why.problem === 'signed_out' ? 'not_signed_out' : `not_${why.reason}`;
    message.replaceChildren(banner(s(key, { n: why.n }), why.reason === 'offline' ? 'warn' : 'error'));
    go.disabled = false;
    go.textContent = s('sign_in_here', { name: handed.name });
  }, { class: 'btn btn-primary btn-block', id: 'sign-in-here' });
  return h('section', { class: 'card stack', id: 'take-over' },
    h('strong', {}, s('handed', { name: handed.name })), h('p', {}, s('take_over', { name: handed.name })), message, go);
}

function handoverCard(handover, pad, refresh) {
  const rows = [['open', handover.items.open_matters], ['equipment', handover.items.equipment],
    ['keys', handover.items.keys_and_items], ['remarks', handover.items.remarks]].filter(([, v]) => v);
  const sign = async () => {
    if (!pad.strokes.length) { toast(s('draw_first')); return; }
    await duty.signHandover(handover, pad.strokes);
    toast(s('signed'));
    refresh();
  };
  return h('section', { class: 'card', dataset: { handover: handover.id } },
    h('div', { class: 'row-title' }, handover.post, ' · ', s('from', { name: handover.outgoing_name })),
    h('dl', {}, rows.map(([key, value]) => [h('dt', {}, s(key)), h('dd', {}, value)])),
    pad.element,
    h('button', { type: 'button', class: 'btn btn-primary btn-block', id: `duty-sign-${handover.id}`, onclick: sign }, s('sign_button')));
}

// trainingCard is a session running now: its topic, trainer and time,
// and a box to sign the attendance sheet with one's finger.
function trainingCard(training, zone, pad, refresh) {
  const sign = async () => {
    if (!pad.strokes.length) { toast(s('draw_first')); return; }
    await duty.attend(training, pad.strokes);
    toast(s('attended'));
    refresh();
  };
  return h('section', { class: 'card', dataset: { training: training.id } },
    h('div', { class: 'row-title' }, training.topic),
    h('div', { class: 'row-meta' }, s('trainer', { name: training.trainer }), ' · ',
      `${time(training.starts_at, zone, true)} – ${time(training.ends_at, zone)}`),
    pad.element,
    h('button', { type: 'button', class: 'btn btn-primary btn-block', id: `duty-attend-${training.id}`, onclick: sign }, s('attend_button')));
}

function logForm(sites, shifts, refresh) {
  const site = h('select', { id: 'duty-log-site' }, sites.map((x) => h('option', { value: x.id }, x.name)));
  const kind = h('select', { id: 'duty-log-kind' }, KINDS.map((x) => h('option', { value: x }, s(`kind_${x}`))));
  const text = h('textarea', { id: 'duty-log-text', maxlength: 4000, 'aria-label': s('text') });
  const save = async (event) => {
    event.preventDefault();
    if (!text.value.trim()) { toast(s('write_first')); return; }
    const now = Date.now();
    const shift = shifts.find((x) => x.site_id === site.value && Date.parse(x.starts_at) <= now && Date.parse(x.ends_at) > now);
    await duty.writeLog(site.value, kind.value, text.value.trim(), shift && shift.id);
    toast(s('saved'));
    refresh();
  };
  return h('form', { class: 'card', id: 'duty-log-form', onsubmit: save },
    h('h2', { class: 'section-title' }, s('log')),
    h('label', { class: 'field' }, h('span', {}, s('kind')), kind),
    sites.length > 1 ? h('label', { class: 'field' }, site) : site,
    h('label', { class: 'field' }, h('span', {}, s('text')), text),
    h('button', { type: 'submit', class: 'btn btn-primary btn-block', id: 'duty-log-save' }, s('save')));
}
