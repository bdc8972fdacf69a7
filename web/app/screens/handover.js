// handover: the outgoing guard hands the shift over on their phone, with
// no network (交接班: 003 "中午交接或换班", handover procedure completed and
// signed; 001 第11篇, signatures on handover). They pick the incoming guard
// from the site's people, write what is handed over and sign; then the
// incoming guard signs on this same phone, and proves the signature theirs
// with their own phone's key by QR (shifthandover.js). Or the incoming
// guard signs later on their own phone (My duty).

import * as data from '../data.js';
import * as duty from '../duty.js';
import * as shift from '../shifthandover.js';
import { qrCode, qrReader } from '../countersign.js';
import { HandoverError } from '../handover.js';
import { handedOver } from '../signinhere.js';
import { t, lang } from '../../shared/i18n.js';
import { h, icon, button, banner, toast, empty, field } from '../../shared/ui.js';
import { signaturePad } from '../components.js';

const strings = {
  en: { title: 'Hand over shift', site: 'Site', post: 'Post', incoming: 'Incoming guard', choose: 'Choose…',
    open: 'Open matters', equipment: 'Equipment (CCTV, alarms, doors)', keys: 'Keys and items', remarks: 'Remarks',
    sign_out: 'Your signature', next: 'Sign and hand over', missing: 'Fill in the post, the incoming guard, the equipment and your signature.',
    nobody: 'No one else of this site is on this phone yet: sync once with a network.',
    their_turn: '{name} signs here', step_one: '1. {name} taps “Countersign for a colleague” on their own phone and scans this code. No network needed.',
    step_two: '2. {name} signs in the box; then scan the code their phone shows.', read: 'Scan their phone’s code',
    proven: 'Signed by {name}’s key.', finish: 'Both signed: hand over', later: '{name} signs later on their own phone',
    draw_first: '{name} signs in the box first.', sent: 'Handed over. It is sent when online.',
    role_supervisor: '{name} (supervisor)', role_admin: '{name} (administrator)' },
  'zh-CN': { title: '交班', site: '网点', post: '岗位', incoming: '接班人', choose: '请选择…',
    open: '未结事项', equipment: '设备状态(监控、报警、门窗)', keys: '钥匙物品', remarks: '备注',
    sign_out: '交班人签名', next: '签字并交班', missing: '请填写岗位、接班人、设备状态并签名。',
    nobody: '本机尚无该网点的其他人员,请联网同步一次。',
    their_turn: '请{name}在此签字', step_one: '1. 请{name}在自己手机上点“为同事复核签字”并扫描此码,无需网络。',
    step_two: '2. 请{name}在框内签名,然后扫描其手机显示的码。', read: '扫描对方手机上的码',
    proven: '已由{name}的密钥签字。', finish: '双方已签字,完成交班', later: '{name}稍后在自己手机上签字',
    draw_first: '请{name}先在框内签名。', sent: '已交班,联网后发送。',
    role_supervisor: '{name}(主管)', role_admin: '{name}(管理员)' },
};
const s = (key, params = {}) => (strings[lang()][key] ?? strings.en[key]).replace(/\{(\w+)\}/g, (w, n) => params[n] ?? w);

// personLabel names a supervisor's or an administrator's role beside the
// name: every active administrator is in every site's list (they may take
// any post), and the outgoing guard should see whom they are picking.
function personLabel(person) {
  return person.role === 'supervisor' || person.role === 'admin' ? s('role_' + person.role, { name: person.name }) : person.name;
}

export const back = '#/duty';

export function title() {
  return s('title');
}

export async function render({ session, navigate }) {
  const me = session.user;
  const [sites, shifts] = await Promise.all([data.sites(), duty.shiftsToday(me.id)]);
  const mine = sites.filter((x) => me.role === 'admin' || (me.site_ids || []).includes(x.id));
  if (!mine.length) return empty(s('nobody'));
  const now = Date.now();
  const current = shifts.find((x) => Date.parse(x.starts_at) <= now && Date.parse(x.ends_at) > now);
  const site = h('select', { id: 'handover-site' }, mine.map((x) => h('option', { value: x.id, selected: current && current.site_id === x.id }, x.name)));
  const post = h('input', { id: 'handover-post', maxlength: 100, value: current ? current.post : '' });
  const incoming = h('select', { id: 'handover-incoming' });
  const fillPeople = async () => {
    const people = (await data.sitePeople(site.value)).filter((x) => x.user_id !== me.id && x.role !== 'auditor');
    incoming.replaceChildren(h('option', { value: '' }, s('choose')),
      ...people.map((x) => h('option', { value: x.user_id, dataset: { name: x.name } }, personLabel(x))));
    return people;
  };
  let people = await fillPeople();
  site.addEventListener('change', async () => { people = await fillPeople(); });
  const text = (id, max) => h('textarea', { id, maxlength: max, rows: 2 });
  const open = text('handover-open', 4000);
  const equipment = text('handover-equipment', 4000);
  const keys = text('handover-keys', 4000);
  const remarks = text('handover-remarks', 4000);
  const pad = signaturePad();
  const form = h('div', { class: 'stack' });
  const next = () => {
    const person = people.find((x) => x.user_id === incoming.value);
    if (!post.value.trim() || !person || !equipment.value.trim() || !pad.strokes.length) { toast(s('missing')); return; }
    const handover = shift.draft({ siteID: site.value, post: post.value, shiftID: current && current.site_id === site.value ? current.id : null,
      outgoing: me, incoming: person, items: { open_matters: open.value, equipment: equipment.value, keys_and_items: keys.value, remarks: remarks.value } });
    form.replaceChildren(incomingStep(handover, pad.strokes, person.name, navigate));
  };
  form.append(...[
    field(s('site'), site),
    field(s('post'), post),
    field(s('incoming'), incoming),
    people.length ? null : banner(s('nobody'), 'warn'),
    field(s('equipment'), equipment),
    field(s('open'), open),
    field(s('keys'), keys),
    field(s('remarks'), remarks),
    h('div', { class: 'field' }, h('span', { class: 'label' }, s('sign_out')), pad.element),
    button([icon('pen', 20), s('next')], next, { class: 'btn btn-primary btn-block', id: 'handover-next' })].filter(Boolean));
  return h('div', { class: 'stack-page', id: 'handover' }, h('section', { class: 'card' }, form));
}

// incomingStep is the incoming guard's turn on this phone: the request as
// a QR code for their phone, their drawn signature, and their phone's
// proof read back; or they sign later on their own phone.
function incomingStep(handover, outgoingStrokes, name, navigate) {
  const pad = signaturePad();
  const message = h('div', { 'aria-live': 'polite' });
  const proofSlot = h('div', { class: 'stack', id: 'handover-proof' });
  let proof = null;
  let reader = null;
  const done = async (incoming) => {
    if (reader) reader.stop();
    await shift.start(handover, outgoingStrokes, incoming);
    await handedOver(handover);
    toast(s('sent'));
    navigate('#/duty');
  };
  const finish = button([icon('pen', 20), s('finish')], () => {
    if (!pad.strokes.length) { toast(s('draw_first', { name })); return; }
    done({ strokes: pad.strokes, ...proof });
  }, { class: 'btn btn-primary btn-block', id: 'handover-finish', disabled: true });
  const read = async (scanned) => {
    try {
      proof = await shift.acceptProof(scanned, handover);
      reader.stop();
      proofSlot.replaceChildren(banner(s('proven', { name }), 'info'));
      message.replaceChildren();
      finish.disabled = false;
    } catch (error) {
      message.replaceChildren(banner(error instanceof HandoverError ? t(error.key, error.params) : t('error', { error: error.message }), 'error'));
    }
  };
  const scan = () => {
    reader = qrReader(read, s('read'));
    proofSlot.replaceChildren(reader.element);
  };
  proofSlot.append(button([icon('qr', 20), s('read')], scan, { class: 'btn btn-secondary btn-block', id: 'handover-read-proof' }));
  const step = h('div', { class: 'stack', id: 'handover-incoming-step' },
    h('h2', { class: 'section-title' }, s('their_turn', { name })),
    h('p', { class: 'step' }, s('step_one', { name })));
  // The code's square is kept from the start: drawn in later (the engine
  // encodes it), it would push the buttons below down under a finger that
  // is already on its way to "signs later".
  const pending = h('div', { class: 'qr-code qr-small qr-pending', 'aria-busy': 'true' });
  step.append(pending);
  qrCode(shift.requestText(handover), 'handover-request-qr', 'qr-code qr-small')
    .then((canvas) => pending.replaceWith(canvas))
    .catch(() => pending.replaceWith(banner(t('handover_too_long'), 'error')));
  step.append(h('p', { class: 'step' }, s('step_two', { name })), pad.element, proofSlot, message, finish,
    button(s('later', { name }), () => done(null), { kind: 'quiet', class: 'btn btn-quiet btn-block', id: 'handover-later' }));
  return step;
}
