// organisation is the administrator's organisation settings
// (#/organisation): the language the server writes composed text in, and
// how long records are kept. It reads the organisation from GET /v1/me
// and changes it with PATCH /v1/org (audited, each change with what it
// was); a refused value is shown beside its field.

import * as api from '../shared/api.js';
import { h, button, banner, loading, failure } from '../shared/ui.js';
import { s, addStrings, reason } from './strings.js';
import { problems } from './work.js';

addStrings({
  en: {
    org_nav: 'Organisation', org_heading: 'Organisation settings',
    org_name: 'Name', org_slug: 'Sign-in code',
    org_language: 'Language of the server’s texts', org_language_zh: '简体中文 (Chinese)', org_language_en: 'English',
    org_language_affects: 'The server writes the texts it composes in this language: the description of an incident raised by a checklist answer (for example a suspicious person reported on a round), stored with the incident and shown wherever it appears. Texts already written stay as they are. Each person still chooses the language of their own screens, and printed reports are in the language asked for.',
    org_retention: 'Keep records (days)', org_retention_hint: 'Inspections, registers and the audit log cannot be deleted within this many days after their last change (1095 days is three years). A checklist may set its own period.',
    org_save: 'Save settings', org_saved: 'Saved: {language}, records kept {days} days.', org_unchanged: 'Nothing changed.',
    org_failed: 'Not saved: {error}', org_admins_only: 'Only administrators see and change the organisation settings.',
  },
  'zh-CN': {
    org_nav: '机构设置', org_heading: '机构设置',
    org_name: '名称', org_slug: '登录代码',
    org_language: '服务器文本语言', org_language_zh: '简体中文', org_language_en: 'English（英文）',
    org_language_affects: '服务器用此语言撰写它生成的文本：由检查表答案引发的事件的描述（例如巡逻时报告的可疑人员），随事件保存并在各处显示。已写成的文本不变。每个人仍可自选自己界面的语言，打印的报告按所选语言输出。',
    org_retention: '记录保存期（天）', org_retention_hint: '检查记录、登记簿和审计日志在最后一次修改后的这些天内不能删除（1095 天即三年）。检查表可以设定自己的保存期。',
    org_save: '保存设置', org_saved: '已保存：{language}，记录保存 {days} 天。', org_unchanged: '没有修改。',
    org_failed: '未保存：{error}', org_admins_only: '只有管理员可以查看和修改机构设置。',
  },
});

export async function organisationScreen(context) {
  const { main, session } = context;
  if (session.user.role !== 'admin') {
    main.replaceChildren(h('h1', { class: 'console-heading' }, s('org_heading')), banner(s('org_admins_only'), 'info'));
    return;
  }
  main.replaceChildren(loading(s('loading')));
  let org;
  try {
    org = (await api.request('GET', '/v1/me')).org;
  } catch (error) {
    main.replaceChildren(failure(s('load_failed', { error: reason(error) }), button(s('retry'), () => organisationScreen(context))));
    return;
  }
  main.replaceChildren(h('h1', { class: 'console-heading' }, s('org_heading')), form(org));
}

function form(org) {
  const errors = {};
  const errorFor = (pointer) => (errors[pointer] = h('p', { class: 'field-error', id: `org-error-${pointer.slice(1)}`, 'aria-live': 'polite' }));
  const choices = h('div', { class: 'org-languages', role: 'radiogroup', 'aria-labelledby': 'org-language-label' },
    [['zh-CN', 'org_language_zh'], ['en', 'org_language_en']].map(([code, key]) => h('label', { class: 'org-language' },
      h('input', { type: 'radio', name: 'org-language', value: code, id: `org-language-${code}`, checked: org.language === code }),
      h('span', {}, s(key)))));
  const retention = h('input', { type: 'number', id: 'org-retention', min: 1, max: 36500, step: 1, value: org.retention_days, required: true });
  const message = h('div', { id: 'org-message', 'aria-live': 'polite' });
  const save = h('button', { type: 'submit', class: 'btn btn-primary', id: 'org-save' }, s('org_save'));
  const chosen = () => (choices.querySelector('input:checked') || {}).value;
  const submit = async (event) => {
    event.preventDefault();
    message.replaceChildren();
    for (const node of Object.values(errors)) node.textContent = '';
    const body = {};
    if (chosen() && chosen() !== org.language) body.language = chosen();
    if (retention.value !== String(org.retention_days)) body.retention_days = retention.value === '' ? null : Number(retention.value);
    if (!Object.keys(body).length) { message.replaceChildren(banner(s('org_unchanged'), 'info')); return; }
    save.disabled = true;
    try {
      org = await api.request('PATCH', '/v1/org', { body, idempotencyKey: crypto.randomUUID() });
      message.replaceChildren(banner(s('org_saved', { language: s(org.language === 'en' ? 'org_language_en' : 'org_language_zh'),
        days: org.retention_days }), 'ok'));
    } catch (error) {
      const fields = problems(error);
      let shown = false;
      for (const [pointer, text] of Object.entries(fields)) {
        if (errors[pointer]) { errors[pointer].textContent = text; shown = true; }
      }
      if (!shown) message.replaceChildren(banner(s('org_failed', { error: Object.values(fields).join(' ') || reason(error) }), 'error'));
    } finally {
      save.disabled = false;
    }
  };
  return h('form', { class: 'card console-form org-settings', id: 'org-form', onsubmit: submit, novalidate: true },
    h('dl', { class: 'org-facts' }, h('dt', {}, s('org_name')), h('dd', { id: 'org-name' }, org.name),
      h('dt', {}, s('org_slug')), h('dd', {}, h('code', { class: 'console-code' }, org.slug))),
    h('fieldset', { class: 'org-field' }, h('legend', { id: 'org-language-label' }, s('org_language')), choices,
      h('p', { class: 'hint', id: 'org-language-affects' }, s('org_language_affects')), errorFor('/language')),
    h('div', { class: 'org-field' }, h('label', { for: 'org-retention' }, s('org_retention')), retention,
      h('p', { class: 'hint' }, s('org_retention_hint')), errorFor('/retention_days')),
    message, save);
}
