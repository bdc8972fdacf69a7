// findings is the board of hidden hazards (隐患) by state, overdue first,
// and one finding's page: where it came from (the failed item of an
// inspection, its photos), its history, the rectification evidence, and
// the supervisor's steps of the loop: assign to a person by name, verify,
// reject with a reason, close. The steps are the API's
// (/v1/findings/{id}/{action}) on the version on the screen, so REST, the
// phones and the console follow one set of rules (internal/finding).

import { h, button, badge, banner, empty, loading, failure, toast } from '../shared/ui.js';
import { label } from '../shared/i18n.js';
import { s, addStrings, reason } from './strings.js';
import * as data from './data.js';
import * as work from './work.js';
import { zoneOf } from './names.js';

// The board's order: what waits on the supervisor first, then what waits
// on others, then what is done.
const STATES = ['rectified', 'open', 'rejected', 'assigned', 'verified', 'closed'];
const ACTIVE = new Set(['open', 'assigned', 'rejected']);
const TONE = { open: 'bad', assigned: 'warn', rectified: 'warn', verified: 'ok', closed: 'ok', rejected: 'bad' };
const SEVERITY_TONE = { low: 'neutral', medium: 'warn', high: 'bad', critical: 'bad' };

const state = { site: '' };

export async function findingsScreen(context) {
  const { known, main } = context;
  const site = h('select', { id: 'findings-site', onchange: () => { state.site = site.value; show(context, results); } },
    h('option', { value: '' }, s('all_sites')),
    [...known.sites.values()].map((x) => h('option', { value: x.id, selected: x.id === state.site }, x.name)));
  const results = h('div', { id: 'findings-board' });
  main.replaceChildren(
    h('div', { class: 'console-screen-head' }, h('h1', { class: 'console-heading' }, s('findings_heading')),
      h('label', { class: 'console-filter console-filter-inline' }, h('span', {}, s('filter_site')), site)),
    results);
  await show(context, results);
}

// overdue: an open, assigned or rejected finding past its due time.
const overdue = (f, now) => ACTIVE.has(f.status) && f.due_at && Date.parse(f.due_at) < now;

// order puts overdue findings first (most overdue first), then by due
// time, findings without a due time last.
function order(list, now) {
  const due = (f) => (f.due_at ? Date.parse(f.due_at) : Infinity);
  return [...list].sort((a, b) => (overdue(b, now) - overdue(a, now)) || (due(a) - due(b)) || a.created_at.localeCompare(b.created_at));
}

async function show(context, results) {
  const { known } = context;
  results.replaceChildren(loading(s('loading')));
  let lists;
  try {
    const query = state.site ? { site_id: state.site } : {};
    lists = await Promise.all(STATES.map((status) => work.findings({ ...query, status })));
    await work.learnPeople(known, lists.flat().map((f) => f.site_id));
  } catch (error) {
    results.replaceChildren(failure(s('load_failed', { error: reason(error) }), button(s('retry'), () => show(context, results))));
    return;
  }
  const now = Date.now();
  const counts = h('nav', { class: 'findings-counts', 'aria-label': s('findings_heading') }, STATES.map((status, i) =>
    h('a', { href: `#/findings`, class: 'findings-count', dataset: { state: status },
      onclick: (event) => { event.preventDefault(); document.getElementById(`findings-${status}`)?.scrollIntoView({ block: 'start' }); } },
    h('strong', {}, String(lists[i].length)), s(`findings_state_${status}`),
    ACTIVE.has(status) && lists[i].some((f) => overdue(f, now)) ? badge(s('findings_overdue_n', { n: lists[i].filter((f) => overdue(f, now)).length }), 'bad') : null)));
  const sections = STATES.map((status, i) => h('section', { class: 'card findings-state', id: `findings-${status}`, dataset: { state: status } },
    h('h2', { class: 'section-title' }, badge(s(`findings_state_${status}`), TONE[status]), ' ', h('span', { class: 'hint' }, s(`findings_means_${status}`))),
    lists[i].length ? h('ul', { class: 'findings-list' }, order(lists[i], now).map((f) => row(known, f, now))) : h('p', { class: 'hint' }, s('findings_none'))));
  results.replaceChildren(counts, ...sections);
}

function row(known, f, now) {
  const zone = zoneOf(known, f.site_id);
  const site = known.sites.get(f.site_id);
  const late = overdue(f, now);
  return h('li', { class: `findings-row${late ? ' findings-row-late' : ''}`, dataset: { finding: f.id } },
    h('a', { href: `#/findings/${f.id}`, class: 'console-link findings-title' }, f.title),
    h('div', { class: 'findings-meta' },
      badge(s(`findings_severity_${f.severity}`), SEVERITY_TONE[f.severity]),
      late ? badge(s('findings_overdue'), 'bad') : null,
      h('span', {}, site ? site.name : '—'),
      h('span', {}, f.assignee_id ? work.nameOf(known, f.assignee_id) : s('findings_unassigned')),
      h('span', { class: late ? 'findings-due-late' : '' }, f.due_at ? s('findings_due', { when: work.when(f.due_at, zone) }) : s('findings_no_due'))));
}

// findingScreen is one finding, with the steps the caller may take now.
export async function findingScreen(context, id, notice = null) {
  const { known, main } = context;
  main.replaceChildren(loading(s('loading')));
  let f;
  let source = null;
  try {
    f = await work.finding(id);
    await work.learnPeople(known, [f.site_id]);
    if (f.inspection_id) source = await origin(f);
  } catch (error) {
    main.replaceChildren(back(), failure(s('load_failed', { error: reason(error) }), button(s('retry'), () => findingScreen(context, id))));
    return;
  }
  const zone = zoneOf(known, f.site_id);
  main.replaceChildren(...[back(), notice, summary(known, f, zone), source ? origins(known, f, source, zone) : null,
    evidence(known, f, zone), steps(context, f, zone), history(known, f, zone)].filter(Boolean));
  if (notice) window.scrollTo(0, 0);
}

function back() {
  return h('a', { href: '#/findings', class: 'btn btn-quiet console-back', id: 'finding-back' }, `← ${s('findings_back')}`);
}

function summary(known, f, zone) {
  const site = known.sites.get(f.site_id);
  const late = overdue(f, Date.now());
  const rows = [
    [s('site'), site ? `${site.name} (${zone || ''})` : '—'],
    [s('findings_raised_by'), work.nameOf(known, f.created_by)],
    [s('findings_raised_at'), work.when(f.created_at, zone)],
    [s('findings_due_at'), work.when(f.due_at, zone)],
    [s('findings_assignee'), f.assignee_id ? work.nameOf(known, f.assignee_id) : s('findings_unassigned')],
  ];
  if (f.escalation_level) rows.push([s('findings_escalated'), s('findings_level', { n: f.escalation_level })]);
  return h('section', { class: 'card console-summary', id: 'finding-summary' },
    h('div', { class: 'console-summary-head' }, h('h1', { class: 'console-heading' }, f.title),
      h('div', { class: 'console-badges' }, badge(s(`findings_state_${f.status}`), TONE[f.status]),
        badge(s(`findings_severity_${f.severity}`), SEVERITY_TONE[f.severity]), late ? badge(s('findings_overdue'), 'bad') : null)),
    f.description ? h('p', {}, f.description) : null,
    h('dl', { class: 'console-facts' }, rows.map(([term, value]) => [h('dt', {}, term), h('dd', {}, value || '—')])));
}

// origin reads the inspection a finding was raised on and its pinned template.
async function origin(f) {
  try {
    const inspection = await data.inspection(f.inspection_id);
    const version = await data.templateVersion(inspection.template_id, inspection.template_version);
    return { inspection, document: version.document };
  } catch (error) {
    if (error.status === 404) return { missing: true };
    throw error;
  }
}

// itemAt finds the template item and the answer at a path such as
// /door_locked or /extinguishers/1/pressure.
function itemAt(document, answers, path) {
  const keys = path.split('/').filter(Boolean);
  let items = (document.sections || []).flatMap((section) => section.items || []);
  let answer = null;
  let item = null;
  let scope = answers || {};
  for (let i = 0; i < keys.length; i++) {
    item = items.find((x) => x.key === keys[i]);
    if (!item) return {};
    answer = scope[keys[i]];
    if (item.type === 'group' && i + 1 < keys.length) {
      scope = ((answer && answer.repeats) || [])[Number(keys[i + 1])] || {};
      items = item.items || [];
      i++;
    }
  }
  return { item, answer };
}

function answerText(item, answer) {
  if (!answer || answer.value === undefined || answer.value === null || answer.value === '') return s('not_answered');
  const value = answer.value;
  const option = (v) => { const o = (item.options || []).find((x) => x.value === v); return o ? label(o.label) : String(v); };
  switch (item.type) {
    case 'yes_no': return s({ yes: 'yes', no: 'no', na: 'na' }[value] || String(value));
    case 'single_choice': return option(value);
    case 'multi_choice': return (value || []).map(option).join('、');
    case 'number': return `${value}${item.unit ? ` ${item.unit}` : ''}`;
    case 'photo': return s('findings_photos_below');
    default: return typeof value === 'object' ? '' : String(value);
  }
}

function origins(known, f, source, zone) {
  if (source.missing) return h('section', { class: 'card', id: 'finding-origin' }, h('h2', { class: 'section-title' }, s('findings_origin')), h('p', { class: 'hint' }, s('findings_origin_gone')));
  const { inspection, document } = source;
  const { item, answer } = itemAt(document, inspection.answers, f.item_path);
  return h('section', { class: 'card', id: 'finding-origin' }, h('h2', { class: 'section-title' }, s('findings_origin')),
    h('dl', { class: 'console-facts' },
      h('dt', {}, s('findings_inspection')), h('dd', {}, h('a', { href: `#/inspections/${inspection.id}`, class: 'console-link', id: 'finding-inspection' }, label(document.title))),
      h('dt', {}, s('inspector')), h('dd', {}, work.nameOf(known, inspection.owner_id)),
      h('dt', {}, s('submitted')), h('dd', {}, work.when(inspection.submitted_at, zone))),
    item ? h('div', { class: 'console-item console-item-bad', id: 'finding-item' },
      h('div', { class: 'console-item-head' }, h('span', { class: 'console-item-label' }, label(item.label)), badge(s('flag_failed'), 'bad')),
      h('div', { class: 'console-answer' }, h('strong', {}, answerText(item, answer))),
      answer && answer.note ? h('p', { class: 'console-note' }, `${s('note')}: ${answer.note}`) : null) : null,
    f.media && f.media.length ? [h('h3', { class: 'findings-sub' }, s('findings_item_photos')), work.photos(f.media, { id: 'finding-photos' })] : null);
}

function evidence(known, f, zone) {
  if (!f.rectified_at) {
    if (!f.inspection_id && f.media && f.media.length) {
      return h('section', { class: 'card' }, h('h2', { class: 'section-title' }, s('findings_item_photos')), work.photos(f.media, { id: 'finding-photos' }));
    }
    return null;
  }
  return h('section', { class: 'card findings-evidence', id: 'finding-evidence' }, h('h2', { class: 'section-title' }, s('findings_evidence')),
    h('dl', { class: 'console-facts' },
      h('dt', {}, s('findings_rectified_by')), h('dd', {}, work.nameOf(known, f.rectifier_id)),
      h('dt', {}, s('findings_rectified_at')), h('dd', {}, work.when(f.rectified_at, zone))),
    h('p', { class: 'findings-note', id: 'finding-rectification-note' }, f.rectification_note),
    work.photos(f.evidence, { id: 'finding-evidence-photos' }),
    f.follow_up_inspection_id ? h('a', { href: `#/inspections/${f.follow_up_inspection_id}`, class: 'console-link' }, s('findings_follow_up')) : null);
}

// steps offers what the loop allows from the finding's state; the server
// decides in the end and its answer is shown as it is.
function steps(context, f, zone) {
  const { session, known } = context;
  if (!work.canAct(session)) return null;
  const message = h('div', { 'aria-live': 'polite', id: 'finding-message' });
  const run = async (action, body, control) => {
    control.disabled = true;
    try {
      await work.act(f.id, action, { ...body, version: f.version });
      toast(s(`findings_done_${action}`));
      await findingScreen(context, f.id, banner(s(`findings_done_${action}`), 'ok'));
    } catch (error) {
      control.disabled = false;
      if (error.status === 412) {
        await findingScreen(context, f.id, banner(s('findings_stale'), 'warn'));
        return;
      }
      const fields = work.problems(error);
      const detail = Object.values(fields).filter(Boolean).join(' ') || reason(error);
      message.replaceChildren(banner(s('findings_refused', { error: detail }), 'error'));
    }
  };
  const note = (id, text) => [h('label', { for: id, class: 'label' }, text), h('textarea', { id, rows: 2, maxlength: 5000 })];
  const parts = [];
  if (ACTIVE.has(f.status)) parts.push(assignForm(context, f, zone, run, message));
  if (f.status === 'rectified') {
    if (f.rectifier_id === session.user.id) {
      parts.push(banner(s('findings_four_eyes'), 'info'));
    } else {
      const [verifyLabel, verifyNote] = note('finding-verify-note', s('findings_verify_note'));
      const verify = button(s('findings_verify'), () => run('verify', { note: verifyNote.value.trim() }, verify), { id: 'finding-verify' });
      const [rejectLabel, reason] = note('finding-reject-reason', s('findings_reject_reason'));
      const reject = button(s('findings_reject'), () => {
        if (!reason.value.trim()) { message.replaceChildren(banner(s('findings_need_reason'), 'warn')); reason.focus(); return; }
        run('reject', { note: reason.value.trim() }, reject);
      }, { kind: 'danger', id: 'finding-reject' });
      parts.push(h('div', { class: 'console-decide' },
        h('section', { class: 'card', id: 'finding-verify-card' }, h('h2', { class: 'section-title' }, s('findings_verify_heading')),
          h('p', { class: 'hint' }, s('findings_verify_hint')), verifyLabel, verifyNote, verify),
        h('section', { class: 'card', id: 'finding-reject-card' }, h('h2', { class: 'section-title' }, s('findings_reject_heading')),
          rejectLabel, reason, reject)));
    }
  }
  if (f.status === 'verified') {
    const [closeLabel, closeNote] = note('finding-close-note', s('findings_close_note'));
    const close = button(s('findings_close'), () => run('close', { note: closeNote.value.trim() }, close), { id: 'finding-close' });
    parts.push(h('section', { class: 'card', id: 'finding-close-card' }, h('h2', { class: 'section-title' }, s('findings_close_heading')), closeLabel, closeNote, close));
  }
  if (f.status === 'assigned' && f.assignee_id) parts.unshift(banner(s('findings_waiting', { name: work.nameOf(known, f.assignee_id) }), 'info'));
  if (f.status === 'closed') parts.push(banner(s('findings_closed_done'), 'ok'));
  return h('div', { id: 'finding-steps' }, parts, message);
}

function assignForm(context, f, zone, run, message) {
  const { known } = context;
  const person = h('select', { id: 'finding-assignee' }, h('option', { value: '' }, s('findings_pick_person')));
  work.sitePeople(known, f.site_id).then((list) => {
    const roles = ['guard', 'supervisor', 'admin'];
    const sorted = [...list].sort((a, b) => roles.indexOf(a.role) - roles.indexOf(b.role) || a.name.localeCompare(b.name));
    person.append(...sorted.map((p) => h('option', { value: p.id, selected: p.id === f.assignee_id }, `${p.name} · ${s(`role_${p.role}`)}`)));
  }).catch((error) => message.replaceChildren(banner(s('load_failed', { error: reason(error) }), 'error')));
  const current = f.due_at && zone ? work.localParts(f.due_at, zone) : null;
  const due = h('input', { type: 'datetime-local', id: 'finding-due', value: current ? `${current.day}T${current.time}` : '' });
  const note = h('textarea', { id: 'finding-assign-note', rows: 2, maxlength: 5000 });
  const assign = button(f.assignee_id ? s('findings_reassign') : s('findings_assign'), () => {
    if (!person.value) { message.replaceChildren(banner(s('findings_need_person'), 'warn')); person.focus(); return; }
    const body = { assignee_id: person.value, note: note.value.trim() };
    if (due.value) body.due_at = work.zonedInstant(due.value, zone || 'UTC');
    run('assign', body, assign);
  }, { id: 'finding-assign' });
  return h('section', { class: 'card', id: 'finding-assign-card' }, h('h2', { class: 'section-title' }, s('findings_assign_heading')),
    h('div', { class: 'findings-assign-grid' },
      h('label', { class: 'console-filter' }, h('span', {}, s('findings_assignee')), person),
      h('label', { class: 'console-filter' }, h('span', {}, s('findings_due_local', { zone: zone || 'UTC' })), due)),
    h('label', { for: 'finding-assign-note', class: 'label' }, s('findings_assign_note')), note, assign);
}

function history(known, f, zone) {
  const detailOf = (event) => {
    const detail = event.detail || {};
    const lines = [];
    if (detail.assignee_id) lines.push(s('findings_to', { name: work.nameOf(known, detail.assignee_id) }));
    if (detail.note) lines.push(detail.note);
    return lines.length ? h('div', { class: 'console-note' }, lines.join(' · ')) : null;
  };
  return h('section', { class: 'card', id: 'finding-history' }, h('h2', { class: 'section-title' }, s('history')),
    h('ol', { class: 'console-history' }, (f.history || []).map((event) => h('li', { dataset: { kind: event.kind } },
      h('strong', {}, s(`findings_kind_${event.kind}`)), ' · ', work.nameOf(known, event.actor_id), ' · ', work.when(event.at, zone), detailOf(event)))),
    (f.escalations || []).length ? h('ul', { class: 'console-history' }, f.escalations.map((e) =>
      h('li', {}, badge(s('findings_level', { n: e.level }), 'bad'), ' ', work.when(e.at, zone), ' · ', e.recipient_ids.map((id) => work.nameOf(known, id)).join('、')))) : null);
}

addStrings({
  en: {
    nav_findings: 'Findings',
    findings_heading: 'Findings (hidden hazards)',
    findings_state_open: 'Open', findings_state_assigned: 'Assigned', findings_state_rectified: 'Awaiting verification',
    findings_state_verified: 'Verified', findings_state_closed: 'Closed', findings_state_rejected: 'Rejected',
    findings_means_open: 'raised, nobody assigned yet', findings_means_assigned: 'being rectified',
    findings_means_rectified: 'rectified: check the evidence', findings_means_verified: 'checked: close it',
    findings_means_closed: 'done', findings_means_rejected: 'the fix was not good enough: back to the assignee',
    findings_none: 'None.', findings_overdue: 'Overdue', findings_overdue_n: '{n} overdue',
    findings_severity_low: 'Low', findings_severity_medium: 'Medium', findings_severity_high: 'High', findings_severity_critical: 'Critical',
    findings_unassigned: 'Unassigned', findings_due: 'Due {when}', findings_no_due: 'No due date',
    findings_back: 'Back to the findings', findings_raised_by: 'Raised by', findings_raised_at: 'Raised', findings_due_at: 'Due',
    findings_assignee: 'Assigned to', findings_escalated: 'Escalated', findings_level: 'Level {n}',
    findings_origin: 'Where it was found', findings_origin_gone: 'The inspection it was raised on is no longer kept.',
    findings_inspection: 'Inspection', findings_item_photos: 'Photos of the failed item', findings_photos_below: 'Photos below',
    findings_evidence: 'Rectification evidence', findings_rectified_by: 'Rectified by', findings_rectified_at: 'Rectified',
    findings_follow_up: 'Open the follow-up inspection',
    findings_assign_heading: 'Assign', findings_pick_person: 'Pick a person…', findings_due_local: 'Due (time at the site, {zone})',
    findings_assign_note: 'Instructions (optional)', findings_assign: 'Assign', findings_reassign: 'Reassign',
    findings_need_person: 'Pick the person who will rectify it.',
    findings_verify_heading: 'Verify the rectification', findings_verify_hint: 'Look at the evidence above before you verify.',
    findings_verify_note: 'Note (optional)', findings_verify: 'Verify',
    findings_reject_heading: 'Reject the rectification', findings_reject_reason: 'Why it is not good enough', findings_reject: 'Reject',
    findings_need_reason: 'Say why the rectification is rejected.',
    findings_close_heading: 'Close the finding', findings_close_note: 'Note (optional)', findings_close: 'Close',
    findings_done_assign: 'Assigned.', findings_done_verify: 'Verified.', findings_done_reject: 'Rejected: back to the assignee.', findings_done_close: 'Closed.',
    findings_stale: 'Someone changed this finding after you opened it. It has been reloaded: look again.',
    findings_refused: 'Not done: {error}', findings_four_eyes: 'You rectified this finding yourself: another supervisor verifies it.',
    findings_waiting: 'Waiting for {name} to rectify it.', findings_closed_done: 'This finding is closed.',
    findings_to: 'to {name}',
    findings_kind_created: 'Raised', findings_kind_assigned: 'Assigned', findings_kind_rectified: 'Rectified', findings_kind_verified: 'Verified',
    findings_kind_rejected: 'Rejected', findings_kind_closed: 'Closed', findings_kind_updated: 'Edited', findings_kind_escalated: 'Escalated',
    work_someone: 'Someone outside your sites',
  },
  'zh-CN': {
    nav_findings: '隐患',
    findings_heading: '隐患（整改闭环）',
    findings_state_open: '待分派', findings_state_assigned: '整改中', findings_state_rectified: '待验收',
    findings_state_verified: '已验收', findings_state_closed: '已关闭', findings_state_rejected: '验收不通过',
    findings_means_open: '已发现，尚未指定整改人', findings_means_assigned: '正在整改',
    findings_means_rectified: '已整改：请查看证据', findings_means_verified: '已验收：请关闭',
    findings_means_closed: '已完成', findings_means_rejected: '整改不到位：退回整改人',
    findings_none: '无。', findings_overdue: '已逾期', findings_overdue_n: '{n} 项逾期',
    findings_severity_low: '低', findings_severity_medium: '中', findings_severity_high: '高', findings_severity_critical: '重大',
    findings_unassigned: '未分派', findings_due: '期限 {when}', findings_no_due: '无期限',
    findings_back: '返回隐患列表', findings_raised_by: '发现人', findings_raised_at: '发现时间', findings_due_at: '整改期限',
    findings_assignee: '整改人', findings_escalated: '已升级', findings_level: '第 {n} 级',
    findings_origin: '发现位置', findings_origin_gone: '发现该隐患的检查已不再保存。',
    findings_inspection: '检查', findings_item_photos: '不合格项照片', findings_photos_below: '见下方照片',
    findings_evidence: '整改证据', findings_rectified_by: '整改人', findings_rectified_at: '整改时间',
    findings_follow_up: '打开复查检查',
    findings_assign_heading: '分派', findings_pick_person: '选择人员…', findings_due_local: '整改期限（站点时间，{zone}）',
    findings_assign_note: '要求（可选）', findings_assign: '分派', findings_reassign: '重新分派',
    findings_need_person: '请选择整改人。',
    findings_verify_heading: '验收整改', findings_verify_hint: '验收前请查看上方证据。',
    findings_verify_note: '备注（可选）', findings_verify: '验收通过',
    findings_reject_heading: '验收不通过', findings_reject_reason: '不通过的原因', findings_reject: '不通过',
    findings_need_reason: '请说明不通过的原因。',
    findings_close_heading: '关闭隐患', findings_close_note: '备注（可选）', findings_close: '关闭',
    findings_done_assign: '已分派。', findings_done_verify: '已验收。', findings_done_reject: '验收不通过，已退回整改人。', findings_done_close: '已关闭。',
    findings_stale: '您打开后有人修改了此隐患，已重新加载：请重新查看。',
    findings_refused: '未完成：{error}', findings_four_eyes: '此隐患由您本人整改，须由其他主管验收。',
    findings_waiting: '等待 {name} 整改。', findings_closed_done: '此隐患已关闭。',
    findings_to: '给 {name}',
    findings_kind_created: '发现', findings_kind_assigned: '分派', findings_kind_rectified: '整改', findings_kind_verified: '验收',
    findings_kind_rejected: '验收不通过', findings_kind_closed: '关闭', findings_kind_updated: '修改', findings_kind_escalated: '升级',
    work_someone: '您站点以外的人员',
  },
});
