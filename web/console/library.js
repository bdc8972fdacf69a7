// library is the standard checklist library's upgrade screen (#/library):
// before anything changes it lists, from the server's own decision
// (GET /v1/templates/library/upgrade, which writes nothing), which standard
// checklists have a newer library version and which are kept because the
// organisation edited or archived them; an administrator then upgrades
// (POST, the same decision carried out) and sees what was published.
// Inspections keep the version they started on, and the screen says so.
// Auditors read the preview; the upgrade button is an administrator's.

import * as api from '../shared/api.js';
import { h, button, badge, banner, loading, failure, confirm } from '../shared/ui.js';
import { label } from '../shared/i18n.js';
import { s, addStrings, reason } from './strings.js';

addStrings({
  en: {
    library_nav: 'Standard library', library_heading: 'Standard checklist library',
    library_intro: 'The server ships the standard checklists. When a newer library version exists, the checklists your organisation has not changed can be brought up to it: each is published as its next version.',
    library_pinned: 'Inspections already started keep the version they started on and are judged by it; only new inspections use the new version. Guards’ phones receive it at their next sync.',
    library_col_checklist: 'Checklist', library_col_now: 'Now', library_col_outcome: 'With the upgrade',
    library_col_before: 'Before', library_col_done: 'Done',
    library_version: 'v{n}', library_none: 'none',
    library_plan_upgraded: 'Newer library version: v{from} → v{to}', library_plan_added: 'New in the library: added as v1',
    library_plan_current: 'Up to date', library_plan_edited: 'Kept: your organisation edited it',
    library_plan_archived: 'Kept: archived',
    library_done_upgraded: 'Published v{to} (was v{from})', library_done_added: 'Added as v1',
    library_summary: '{upgrade} to upgrade, {kept} kept as your organisation has them, {current} up to date.',
    library_nothing: 'Every standard checklist is up to date or kept as your organisation has it: nothing to upgrade.',
    library_upgrade: 'Upgrade {n} checklist(s)', library_upgrading: 'Upgrading…',
    library_confirm: 'Publish the newer library version of {n} checklist(s)? New inspections will use them; inspections already started stay on their version.',
    library_confirm_ok: 'Upgrade', library_cancel: 'Cancel',
    library_result: 'Upgraded: {n} checklist(s) published.', library_failed: 'The upgrade failed: {error}',
    library_read_only: 'Read-only: administrators run the upgrade.',
    library_from_checklists: 'Standard library updates',
  },
  'zh-CN': {
    library_nav: '标准检查表库', library_heading: '标准检查表库',
    library_intro: '服务器自带标准检查表。标准库有新版本时，本机构未修改过的检查表可以升级：每张发布为下一个版本。',
    library_pinned: '已开始的检查保留开始时的版本，并按该版本评判；只有新的检查使用新版本。保安手机在下次同步时收到新版本。',
    library_col_checklist: '检查表', library_col_now: '当前', library_col_outcome: '升级后',
    library_col_before: '升级前', library_col_done: '结果',
    library_version: '第 {n} 版', library_none: '无',
    library_plan_upgraded: '标准库有新版本：第 {from} 版 → 第 {to} 版', library_plan_added: '标准库新增：添加为第 1 版',
    library_plan_current: '已是最新', library_plan_edited: '保留：本机构修改过',
    library_plan_archived: '保留：已归档',
    library_done_upgraded: '已发布第 {to} 版（原第 {from} 版）', library_done_added: '已添加为第 1 版',
    library_summary: '{upgrade} 张可升级，{kept} 张按本机构的版本保留，{current} 张已是最新。',
    library_nothing: '所有标准检查表均已是最新或按本机构的版本保留：无需升级。',
    library_upgrade: '升级 {n} 张检查表', library_upgrading: '正在升级…',
    library_confirm: '发布 {n} 张检查表的标准库新版本？新的检查将使用新版本；已开始的检查保留原版本。',
    library_confirm_ok: '升级', library_cancel: '取消',
    library_result: '升级完成：已发布 {n} 张检查表。', library_failed: '升级失败：{error}',
    library_read_only: '只读：由管理员执行升级。',
    library_from_checklists: '标准库更新',
  },
});

// titles are the organisation's checklists by id: a checklist it renamed
// is shown by its own name, one still to be added by the library's.
let titles = new Map();

const offered = (x) => x.outcome === 'upgraded' || x.outcome === 'added';

export async function libraryScreen(context) {
  const { main, session, known } = context;
  titles = known.templates;
  const board = h('div', { id: 'library-board' });
  const message = h('div', { id: 'library-message', 'aria-live': 'polite' });
  main.replaceChildren(h('h1', { class: 'console-heading' }, s('library_heading')),
    h('p', { class: 'hint' }, s('library_intro')),
    banner(s('library_pinned'), 'info'), message, board);
  const show = async () => {
    board.replaceChildren(loading(s('loading')));
    let plan;
    try {
      plan = (await api.request('GET', '/v1/templates/library/upgrade')).items;
    } catch (error) {
      board.replaceChildren(failure(s('load_failed', { error: reason(error) }), button(s('retry'), show)));
      return;
    }
    board.replaceChildren(...preview(plan, session.user.role === 'admin', async (count) => {
      if (!await confirm(s('library_confirm', { n: count }), s('library_confirm_ok'), s('library_cancel'))) return;
      await upgrade(board, message, show);
    }));
  };
  await show();
}

// preview is the table of what the upgrade would do and, for an
// administrator with something to upgrade, the button.
function preview(plan, admin, start) {
  const count = plan.filter(offered).length;
  const kept = plan.filter((x) => x.outcome === 'edited' || x.outcome === 'archived').length;
  const order = { upgraded: 0, added: 1, edited: 2, archived: 3, current: 4 };
  const rows = [...plan].sort((a, b) => order[a.outcome] - order[b.outcome]).map((x) => row(x, planText(x)));
  const action = !admin ? banner(s('library_read_only'), 'info')
    : count ? h('div', { class: 'btn-row' }, button(s('library_upgrade', { n: count }), () => start(count), { id: 'library-upgrade' }))
      : banner(s('library_nothing'), 'ok');
  return [h('p', { class: 'hint', id: 'library-summary' }, s('library_summary', { upgrade: count, kept, current: plan.length - count - kept })),
    action, table('library-table', rows)];
}

async function upgrade(board, message, again) {
  const go = document.getElementById('library-upgrade');
  if (go) { go.disabled = true; go.textContent = s('library_upgrading'); }
  message.replaceChildren();
  let done;
  try {
    done = (await api.request('POST', '/v1/templates/library/upgrade', { idempotencyKey: crypto.randomUUID() })).items;
  } catch (error) {
    message.replaceChildren(banner(s('library_failed', { error: reason(error) }), 'error'));
    await again();
    return;
  }
  const published = done.filter(offered);
  message.replaceChildren(banner(s('library_result', { n: published.length }), 'ok'),
    table('library-result', published.map((x) => row(x, s(`library_done_${x.outcome}`, { from: x.from_number, to: x.to_number }), 'ok')),
      ['library_col_checklist', 'library_col_before', 'library_col_done']));
  await again();
}

function planText(x) {
  return s(`library_plan_${x.outcome}`, { from: x.from_number, to: x.to_number });
}

const tones = { upgraded: 'warn', added: 'warn', current: 'ok', edited: 'neutral', archived: 'neutral' };

function row(x, text, tone = tones[x.outcome] || 'neutral') {
  return h('tr', { dataset: { key: x.key, outcome: x.outcome } },
    h('td', {}, x.template_id ? h('a', { href: `#/templates/${x.template_id}`, class: 'console-link' }, label((titles.get(x.template_id) || x).title))
      : label(x.title),
      h('div', { class: 'row-meta' }, h('code', { class: 'console-code' }, x.key))),
    h('td', {}, x.from_number ? s('library_version', { n: x.from_number }) : s('library_none')),
    h('td', {}, badge(text, tone)));
}

function table(id, rows, headings = ['library_col_checklist', 'library_col_now', 'library_col_outcome']) {
  return h('div', { class: 'console-table-wrap' }, h('table', { class: 'console-table', id },
    h('thead', {}, h('tr', {}, headings.map((key) => h('th', { scope: 'col' }, s(key))))),
    h('tbody', {}, rows)));
}
