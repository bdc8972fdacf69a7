// templates is the checklist editor: the draft as JSON with the engine's
// validation errors beside it as you type (the WebAssembly engine, the
// server's own checklists package), a live preview drawn by the guard
// app's own form screen, saving the draft and publishing it as a new
// version (the server validates again and its errors are shown the same
// way), and a line diff between any two versions or the draft.
// Administrators edit; auditors read.

import { h, button, badge, banner, loading, failure, empty, toast } from '../shared/ui.js';
import { label, time } from '../shared/i18n.js';
import { validate } from '../shared/engine.js';
import { s, addStrings, reason } from './strings.js';
import * as manage from './manage.js';
import { personName, zoneOf } from './names.js';
import { lineDiff } from './diff.js';

addStrings({
  en: {
    templates_nav: 'Checklists',
    templates_heading: 'Checklists',
    templates_key: 'Key', templates_status: 'Status', templates_latest: 'Published version',
    templates_status_draft: 'Draft', templates_status_published: 'Published', templates_status_archived: 'Archived',
    templates_none: 'Not published yet',
    templates_back: 'All checklists',
    templates_editor: 'Document (JSON)', templates_preview: 'Preview — as the guard will see it',
    templates_valid: 'Valid: the engine accepts this checklist.',
    templates_invalid: '{n} problem(s):', templates_json_error: 'Not JSON: {error}',
    templates_save: 'Save draft', templates_publish: 'Publish as version {n}', templates_saved: 'Draft saved.',
    templates_published: 'Published as version {n}.', templates_server_refused: 'The server refused it:', templates_not_saved: 'Not saved:',
    templates_unsaved: 'Unsaved changes', templates_read_only: 'Read-only: auditors see checklists and their versions and change nothing.',
    templates_diff: 'Compare versions', templates_from: 'From', templates_to: 'To', templates_draft: 'Draft',
    templates_version: 'Version {n}', templates_no_changes: 'No differences.', templates_diff_summary: '{added} lines added, {removed} removed',
    templates_published_by: 'Published {when} by {name}',
    templates_loading_engine: 'Loading the checklist engine…',
  },
  'zh-CN': {
    templates_nav: '检查表',
    templates_heading: '检查表',
    templates_key: '标识', templates_status: '状态', templates_latest: '已发布版本',
    templates_status_draft: '草稿', templates_status_published: '已发布', templates_status_archived: '已归档',
    templates_none: '尚未发布',
    templates_back: '全部检查表',
    templates_editor: '文档（JSON）', templates_preview: '预览 — 保安看到的样子',
    templates_valid: '有效：检查表引擎接受此检查表。',
    templates_invalid: '{n} 个问题：', templates_json_error: '不是有效的 JSON：{error}',
    templates_save: '保存草稿', templates_publish: '发布为第 {n} 版', templates_saved: '草稿已保存。',
    templates_published: '已发布为第 {n} 版。', templates_server_refused: '服务器拒绝：', templates_not_saved: '未保存：',
    templates_unsaved: '有未保存的修改', templates_read_only: '只读：审计员可以查看检查表及其各版本，不能修改。',
    templates_diff: '版本对比', templates_from: '从', templates_to: '到', templates_draft: '草稿',
    templates_version: '第 {n} 版', templates_no_changes: '没有差异。', templates_diff_summary: '新增 {added} 行，删除 {removed} 行',
    templates_published_by: '{when} 由 {name} 发布',
    templates_loading_engine: '正在加载检查表引擎…',
  },
});

export async function templatesScreen(context, templateID) {
  if (templateID) return editorScreen(context, templateID);
  const { main, known } = context;
  const zone = zoneOf(known, [...known.sites.keys()][0]);
  const rows = [...known.templates.values()].map((template) => h('tr', { dataset: { template: template.id } },
    h('td', {}, h('a', { href: `#/templates/${template.id}`, class: 'console-link' }, label(template.title))),
    h('td', {}, h('code', { class: 'console-code' }, template.key)),
    h('td', {}, s(`templates_status_${template.status}`)),
    h('td', {}, template.latest_version ? [s('templates_version', { n: template.latest_version.number }),
      h('div', { class: 'row-meta' }, time(template.latest_version.published_at, zone, true))] : s('templates_none'))));
  main.replaceChildren(h('div', { class: 'console-screen-head' }, h('h1', { class: 'console-heading' }, s('templates_heading')),
    h('a', { href: '#/library', class: 'btn btn-secondary', id: 'templates-library' }, s('library_from_checklists'))),
    rows.length ? h('div', { class: 'console-table-wrap' }, h('table', { class: 'console-table', id: 'templates-table' },
      h('thead', {}, h('tr', {}, ['templates_nav', 'templates_key', 'templates_status', 'templates_latest'].map((key) => h('th', { scope: 'col' }, s(key))))),
      h('tbody', {}, rows))) : empty(s('templates_none')));
}

async function editorScreen(context, templateID) {
  const { main } = context;
  main.replaceChildren(loading(s('loading')));
  let template;
  let versions;
  try {
    [template, versions] = await Promise.all([manage.template(templateID), manage.templateVersions(templateID)]);
  } catch (error) {
    main.replaceChildren(failure(s('load_failed', { error: reason(error) }), button(s('retry'), () => editorScreen(context, templateID))));
    return;
  }
  const editor = new Editor(context, template, versions);
  await editor.open();
}

class Editor {
  constructor(context, template, versions) {
    this.context = context;
    this.template = template;
    this.versions = versions.sort((a, b) => a.number - b.number);
    this.canWrite = context.session.user.role === 'admin';
    this.timer = 0;
  }

  async open() {
    const { template } = this;
    const latest = this.versions[this.versions.length - 1];
    let document = template.draft;
    if (!document && latest) document = (await manage.templateVersion(template.id, latest.number)).document;
    this.saved = JSON.stringify(document, null, 2);
    this.text = h('textarea', { id: 'template-json', class: 'console-json', spellcheck: false, readOnly: !this.canWrite,
      'aria-label': s('templates_editor'), oninput: () => this.changed() }, this.saved);
    this.problems = h('div', { id: 'template-problems', 'aria-live': 'polite' });
    this.previewRoot = h('div', { id: 'template-preview', class: 'console-preview' }, loading(s('templates_loading_engine')));
    this.dirty = badge(s('templates_unsaved'), 'warn');
    this.dirty.hidden = true;
    this.save = button(s('templates_save'), () => this.store(false), { kind: 'secondary', id: 'template-save' });
    this.publish = button(s('templates_publish', { n: (latest ? latest.number : 0) + 1 }), () => this.store(true), { id: 'template-publish' });
    const zone = zoneOf(this.context.known, [...this.context.known.sites.keys()][0]);
    this.context.main.replaceChildren(...[
      h('a', { href: '#/templates', class: 'btn btn-quiet console-back' }, `← ${s('templates_back')}`),
      h('div', { class: 'console-summary-head' }, h('h1', { class: 'console-heading' }, label(template.title)),
        h('div', { class: 'console-badges' }, badge(s(`templates_status_${template.status}`), 'neutral'), this.dirty)),
      latest ? h('p', { class: 'hint' }, s('templates_published_by', { when: time(latest.published_at, zone, true),
        name: personName(this.context.known, latest.published_by) })) : null,
      this.canWrite ? null : banner(s('templates_read_only'), 'info'),
      h('div', { class: 'console-template' },
        h('section', { class: 'card console-template-edit' }, h('h2', { class: 'section-title' }, s('templates_editor')), this.text, this.problems,
          this.canWrite ? h('div', { class: 'btn-row' }, this.save, this.publish) : null),
        h('section', { class: 'card console-template-preview' }, h('h2', { class: 'section-title' }, s('templates_preview')), this.previewRoot)),
      this.diffView()].filter(Boolean));
    await this.check();
  }

  changed() {
    this.dirty.hidden = this.text.value === this.saved;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.check(), 300);
  }

  // check parses the JSON, validates it with the engine and, when it is
  // valid, draws the preview with the guard app's own form.
  async check() {
    let document;
    try {
      document = JSON.parse(this.text.value);
    } catch (error) {
      this.showProblems([{ path: '', message: s('templates_json_error', { error: error.message }) }]);
      return null;
    }
    const result = await validate(document);
    if (!result.valid) {
      this.showProblems(result.problems);
      return null;
    }
    this.problems.replaceChildren(banner(s('templates_valid'), 'ok'));
    this.text.removeAttribute('aria-invalid');
    const { preview } = await import('../app/screens/inspection.js');
    await preview(this.previewRoot, document, this.context.session.user);
    return document;
  }

  showProblems(problems, heading = s('templates_invalid', { n: problems.length })) {
    this.text.setAttribute('aria-invalid', 'true');
    this.problems.replaceChildren(h('div', { class: 'banner banner-error', role: 'alert' },
      h('div', {}, h('strong', {}, heading),
        h('ul', { class: 'console-problems' }, problems.map((p) => h('li', { dataset: { path: p.path || '' } },
          p.path ? h('code', { class: 'console-code' }, p.path) : null, p.path ? ' ' : null, p.message))))));
  }

  // store saves the draft and, when publishing, publishes it; the server
  // validates again and its field errors show like the engine's.
  async store(publishing) {
    const document = await this.check();
    if (!document) return;
    this.save.disabled = true;
    this.publish.disabled = true;
    try {
      let saved = this.template;
      if (this.text.value !== this.saved || !this.template.draft) saved = await manage.updateTemplate(this.template.id, { document, version: this.template.version });
      if (publishing) {
        const published = await manage.publishTemplate(this.template.id, { version: saved.version });
        toast(s('templates_published', { n: published.latest_version ? published.latest_version.number : '' }));
      } else {
        toast(s('templates_saved'));
      }
      this.context.known.templates.set(saved.id, saved);
      const [template, versions] = await Promise.all([manage.template(this.template.id), manage.templateVersions(this.template.id)]);
      this.template = template;
      this.versions = versions.sort((a, b) => a.number - b.number);
      this.context.known.templates.set(template.id, template);
      await this.open();
    } catch (error) {
      const problems = (error.errors || []).map((e) => ({ path: e.pointer, message: e.detail }));
      if (error.transient) this.showProblems([{ path: '', message: reason(error) }], s('templates_not_saved'));
      else this.showProblems(problems.length ? problems : [{ path: '', message: error.message }], s('templates_server_refused'));
      this.save.disabled = false;
      this.publish.disabled = false;
    }
  }

  // diffView compares two versions (or the draft) line by line.
  diffView() {
    // The draft is offered only while it differs from the latest version
    // (publishing leaves the draft as it was published).
    const latest = this.versions[this.versions.length - 1];
    const draftDiffers = this.template.draft && (!latest || this.template.draft_digest !== latest.digest);
    const choices = [...this.versions.map((v) => [String(v.number), s('templates_version', { n: v.number })]),
      ...(draftDiffers ? [['draft', s('templates_draft')]] : [])];
    if (choices.length < 2) return null;
    const select = (id, chosen) => h('select', { id }, choices.map(([value, text]) => h('option', { value, selected: value === chosen }, text)));
    const from = select('template-diff-from', choices[choices.length - 2][0]);
    const to = select('template-diff-to', choices[choices.length - 1][0]);
    const out = h('div', { id: 'template-diff' });
    const load = async (choice) => (choice === 'draft' ? this.template.draft : (await manage.templateVersion(this.template.id, Number(choice))).document);
    const show = async () => {
      out.replaceChildren(loading(s('loading')));
      try {
        const [a, b] = await Promise.all([load(from.value), load(to.value)]);
        const lines = lineDiff(JSON.stringify(a, null, 2).split('\n'), JSON.stringify(b, null, 2).split('\n'));
        out.replaceChildren(renderDiff(lines));
      } catch (error) {
        out.replaceChildren(failure(s('load_failed', { error: reason(error) })));
      }
    };
    from.addEventListener('change', show);
    to.addEventListener('change', show);
    show();
    const labelled = (text, control) => h('label', { class: 'console-filter' }, h('span', {}, text), control);
    return h('section', { class: 'card', id: 'template-compare' }, h('h2', { class: 'section-title' }, s('templates_diff')),
      h('div', { class: 'console-filters-inline' }, labelled(s('templates_from'), from), labelled(s('templates_to'), to)), out);
  }
}

// renderDiff shows changed lines with three lines of context around them.
function renderDiff(lines) {
  const added = lines.filter((l) => l.op === '+').length;
  const removed = lines.filter((l) => l.op === '-').length;
  if (!added && !removed) return h('p', { class: 'hint' }, s('templates_no_changes'));
  const near = new Set();
  lines.forEach((line, index) => {
    if (line.op === ' ') return;
    for (let k = Math.max(0, index - 3); k <= Math.min(lines.length - 1, index + 3); k += 1) near.add(k);
  });
  const rows = [];
  let gap = false;
  lines.forEach((line, index) => {
    if (!near.has(index)) { gap = true; return; }
    if (gap && rows.length) rows.push(h('div', { class: 'console-diff-gap' }, '⋯'));
    gap = false;
    rows.push(h('div', { class: `console-diff-line console-diff-${{ '+': 'add', '-': 'del', ' ': 'same' }[line.op]}` }, `${line.op} ${line.text}`));
  });
  return h('div', {}, h('p', { class: 'hint', id: 'template-diff-summary' }, s('templates_diff_summary', { added, removed })),
    h('pre', { class: 'console-diff' }, rows));
}
