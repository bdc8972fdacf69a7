// inspection: the checklist form. Every item type the engine has is drawn
// here; after every answer the WebAssembly engine (the server's own code)
// evaluates visibility, requirement, gates, expected values, score and
// findings, and each item says why it is required, locked or failed.
// Answers are kept on the phone at once and queued section by section.

import * as data from '../data.js';
import * as actions from '../actions.js';
import * as store from '../../shared/store.js';
import * as checklist from '../checklist.js';
import * as evidence from '../evidence.js';
import { t, label } from '../../shared/i18n.js';
import { h, icon, badge, button, banner, loading, failure, progress, toast, confirm } from '../../shared/ui.js';
import { photoStrip, signaturePad, scanDialog, countersignDialog } from '../components.js';

export const back = '#/today';

const sectionOf = new Map();

export function title() {
  return t('inspections');
}

export async function render({ params, navigate, session }) {
  const id = params[0];
  const draft = await store.draft(id);
  if (!draft) {
    const server = await data.serverInspection(id);
    return failure(server ? t('submitted') : t('empty'));
  }
  const version = await data.templateVersion(draft.template_version_id);
  if (!version) return failure(t('no_templates'));
  const root = h('div', { class: 'inspection', id: 'inspection', dataset: { id } }, loading(t('engine_loading')));
  const form = new Form(root, draft, version, session.user, navigate);
  form.start();
  return root;
}

class Form {
  constructor(root, draft, version, user, navigate) {
    this.root = root;
    this.draft = draft;
    this.version = version;
    this.document = version.document;
    this.user = user;
    this.navigate = navigate;
    this.result = null;
    this.media = new Map();
  }

  async start() {
    try {
      const form = await checklist.load(this.document);
      this.server = await data.serverInspection(this.draft.id);
      await this.loadMedia();
      // The answers live in an engine session: after each answer only that
      // answer goes into the engine and only what it changed comes back.
      this.session = form.session(this.draft.answers, this.draft.context || {}, this.user.id);
      this.result = this.session.result;
      if (this.editable && this.prune().length) {
        this.session.change(Object.fromEntries(Object.keys(this.session.answers).filter((key) => !(key in this.draft.answers)).map((key) => [key, null])));
        await this.save();
      }
      this.draw();
    } catch (error) {
      console.error(error);
      this.root.replaceChildren(failure(t('engine_failed', { error: error.message })));
    }
  }

  async loadMedia() {
    for (const medium of await store.mediaFor(this.draft.id)) this.media.set(medium.id, medium);
  }

  get sectionIndex() {
    return Math.min(sectionOf.get(this.draft.id) || 0, this.document.sections.length - 1);
  }

  set sectionIndex(value) {
    sectionOf.set(this.draft.id, value);
  }

  get editable() {
    return this.draft.status === 'in_progress';
  }

  // prune drops answers to items that became hidden or locked, as the
  // server would refuse them, and returns their keys.
  prune() {
    const dropped = [];
    const blocked = new Set(this.result.blocked);
    for (const key of Object.keys(this.draft.answers)) {
      const path = `/${key}`;
      if (this.result.visible[path] === false || blocked.has(path)) {
        delete this.draft.answers[key];
        dropped.push(key);
      }
    }
    return dropped;
  }

  // change records an answer: the engine session re-evaluates, the items
  // whose state changed are drawn again (the whole form only when the
  // sections or the form's first answer changed), then the draft is saved.
  // 'patrolsync-answer' measures the answer to the screen showing it.
  async change(key, answer) {
    if (!this.editable) return;
    const started = performance.now();
    const hadAnswers = Object.keys(this.draft.answers).length > 0;
    const sectionsBefore = this.visibleSections().map(({ index }) => index).join();
    const empty = answer === null || actions.isEmpty(answer);
    if (empty) delete this.draft.answers[key];
    else this.draft.answers[key] = answer;
    const paths = new Set([`/${key}`, ...this.session.change({ [key]: empty ? null : answer }).paths]);
    this.result = this.session.result;
    for (let pass = 0; pass < 3; pass += 1) {
      const dropped = this.prune();
      if (dropped.length === 0) break;
      for (const one of dropped) paths.add(`/${one}`);
      for (const path of this.session.change(Object.fromEntries(dropped.map((one) => [one, null]))).paths) paths.add(path);
      this.result = this.session.result;
    }
    const whole = hadAnswers !== Object.keys(this.draft.answers).length > 0
      || sectionsBefore !== this.visibleSections().map(({ index }) => index).join();
    if (whole) this.draw();
    else this.patch(paths);
    performance.measure('patrolsync-answer', { start: started });
    await this.save();
  }

  // patch draws again the items of the section on screen whose state is
  // among paths (a group's child redraws its group), and the form's head.
  patch(paths) {
    const tops = new Set([...paths].map((path) => `/${path.split('/')[1]}`));
    for (const top of tops) {
      const slot = this.slots && this.slots.get(top);
      if (!slot) continue;
      const item = this.itemOf.get(top);
      const next = this.item(item, top, this.draft.answers[item.key], (answer) => this.change(item.key, answer)) || document.createComment(top);
      slot.replaceWith(next);
      this.slots.set(top, next);
    }
    const head = this.head();
    this.headNode.replaceWith(head);
    this.headNode = head;
  }

  // save keeps the draft on the phone (the preview keeps it in memory).
  save() {
    return store.saveDraft(this.draft);
  }

  // keep stores a captured photo or signature with the draft's evidence.
  async keep(medium) {
    await actions.addMedia(medium);
    this.media.set(medium.id, medium);
  }

  hiddenPaths() {
    return new Set(Object.entries(this.result.visible).filter(([, visible]) => !visible).map(([path]) => path));
  }

  async go(index) {
    if (this.editable) await actions.flushAnswers(this.draft.id, this.hiddenPaths());
    this.draft = await store.draft(this.draft.id);
    this.sectionIndex = index;
    this.draw();
    window.scrollTo(0, 0);
  }

  async submit() {
    const problems = this.result.missing.length + this.result.errors.length;
    if (problems > 0) {
      toast(t('cannot_submit', { n: problems }));
      const first = this.firstProblemSection();
      if (first !== -1 && first !== this.sectionIndex) await this.go(first);
      return;
    }
    if (!(await confirm(t('submit_confirm'), t('submit'), t('cancel')))) return;
    await actions.submitInspection(this.draft.id, this.hiddenPaths());
    toast(t('submitted_wait'));
    this.navigate('#/sync');
  }

  sectionProblems(section) {
    const keys = new Set(section.items.map((item) => item.key));
    const inSection = (path) => keys.has(decodeToken(path.split('/')[1]));
    return this.result.missing.filter(inSection).length + this.result.errors.filter((error) => inSection(error.path)).length;
  }

  sectionDone(section) {
    return section.items.every((item) => {
      const path = `/${item.key}`;
      return item.type === 'instruction' || this.result.visible[path] === false || !this.result.required[path]
        || !this.result.missing.includes(path);
    });
  }

  firstProblemSection() {
    return this.document.sections.findIndex((section) => this.sectionProblems(section) > 0);
  }

  visibleSections() {
    return this.document.sections.map((section, index) => ({ section, index }))
      .filter(({ section }) => {
        const visible = this.result.sections.find((one) => one.key === section.key);
        return !visible || visible.visible;
      });
  }

  // head is the title, progress, score and the section chips.
  head() {
    const sections = this.visibleSections();
    const index = this.sectionIndex;
    const position = sections.findIndex((one) => one.index === index);
    const answerable = this.countAnswerable();
    return h('div', { class: 'form-head' },
      h('h1', { style: 'font-size: var(--text-lg); margin-bottom: 4px' }, label(this.document.title)),
      h('div', { class: 'meta' },
        h('span', { id: 'form-progress' }, t('progress', answerable)),
        h('span', {}, t('score', { score: this.result.score }), ' · ', outcomeBadge(this.result.outcome))),
      progress(answerable.done, answerable.total),
      h('nav', { class: 'sections', 'aria-label': t('section_of', { n: position + 1, total: sections.length }) },
        sections.map(({ section: one, index: at }) => h('button', {
          type: 'button', class: `section-chip${this.sectionProblems(one) && this.touched(one) ? ' has-problem' : ''}${this.sectionDone(one) ? ' complete' : ''}`,
          'aria-current': at === index ? 'step' : null, onclick: () => this.go(at),
        }, label(one.title)))));
  }

  draw() {
    const sections = this.visibleSections();
    const index = this.sectionIndex;
    const section = this.document.sections[index];
    const position = sections.findIndex((one) => one.index === index);
    const head = this.head();
    this.headNode = head;
    const status = this.statusBanner();
    // Every item of the section has a slot (its element, or a comment when
    // hidden) that patch replaces.
    this.slots = new Map();
    this.itemOf = new Map();
    const body = h('div', { class: 'section', id: `section-${section.key}` },
      h('h2', {}, t('section_of', { n: position + 1, total: sections.length }), ' · ', label(section.title)),
      section.help ? h('p', { class: 'muted' }, label(section.help)) : null,
      section.items.map((item) => {
        const path = `/${item.key}`;
        const node = this.item(item, path, this.draft.answers[item.key], (answer) => this.change(item.key, answer)) || document.createComment(path);
        this.slots.set(path, node);
        this.itemOf.set(path, item);
        return node;
      }));
    const previous = sections[position - 1];
    const next = sections[position + 1];
    const foot = h('div', { class: 'form-foot' },
      previous ? button(t('previous'), () => this.go(previous.index), { kind: 'secondary', id: 'prev-section' }) : null,
      next ? button(t('next'), () => this.go(next.index), { id: 'next-section' })
        : this.editable ? button(t('submit'), () => this.submit(), { id: 'submit-inspection' }) : null);
    this.root.replaceChildren(status || '', head, body, foot);
  }

  touched(section) {
    return section.items.some((item) => item.key in this.draft.answers) || this.draft.status !== 'in_progress';
  }

  countAnswerable() {
    let total = 0;
    let done = 0;
    for (const section of this.document.sections) {
      for (const item of section.items) {
        const path = `/${item.key}`;
        if (item.type === 'instruction' || this.result.visible[path] === false) continue;
        total += 1;
        if (item.key in this.draft.answers) done += 1;
      }
    }
    return { done, total };
  }

  statusBanner() {
    const sync = this.draft.sync || {};
    if (sync.conflict) {
      return banner(`${t('state_conflict')}: ${t('conflict_explain')} ${serverStatus(sync.conflict.server_record)}`, 'error');
    }
    if (sync.rejected && sync.rejected.length) {
      const errors = sync.rejected.flatMap((one) => one.errors);
      return h('div', { class: 'banner banner-error', role: 'alert' }, h('span', {}, t('state_rejected'),
        h('ul', { class: 'errors' }, errors.map((error) => h('li', {}, `${error.pointer}: ${error.detail}`)))));
    }
    if (this.draft.status === 'submitted' && this.server && this.server.status === 'returned') {
      return h('div', { class: 'banner banner-error', role: 'alert', id: 'returned-banner' },
        h('span', {}, t('returned_by_supervisor')),
        button(t('open'), async () => { await actions.reopen(this.draft.id); this.draft = await store.draft(this.draft.id); this.draw(); }, { kind: 'secondary' }));
    }
    if (this.draft.status === 'submitted') return banner(t('submitted_wait'), 'info');
    return null;
  }

  // item draws one item with its control and the reasons from the engine.
  item(item, path, answer, set, inGroup = false) {
    if (item.type === 'instruction') {
      return h('div', { class: 'item instruction', dataset: { path } }, h('div', { class: 'item-label' }, label(item.label)),
        item.help ? h('div', {}, label(item.help)) : null);
    }
    if (this.result.visible[path] === false) return null;
    const blocked = this.result.blocked.includes(path);
    const failed = this.result.failed.includes(path);
    const missing = this.result.missing.includes(path);
    const errors = this.result.errors.filter((error) => error.path === path || error.path.startsWith(`${path}/`));
    const disabled = blocked || !this.editable;
    const answered = answer && !actions.isEmpty(answer);
    const stateClass = blocked ? 'is-blocked' : failed || errors.length ? 'is-failed' : missing && this.touchedItem(path) ? 'is-missing' : answered ? 'is-ok' : '';
    set = keepProofs(item, answer || {}, set);
    const control = this.control(item, path, answer || {}, set, disabled);
    const tags = h('div', { class: 'item-tags' },
      this.result.required[path] ? badge(t('required'), 'neutral') : null,
      item.critical ? badge(t('critical'), 'bad') : null,
      blocked ? badge([icon('lock', 14), ' ', t('locked')], 'neutral') : null);
    return h('div', { class: `item ${stateClass}`, dataset: { path, type: item.type } },
      h('div', { class: 'item-label', id: `label-${path}` }, label(item.label)),
      item.help ? h('div', { class: 'item-help' }, label(item.help)) : null,
      tags.childNodes.length ? tags : null,
      control,
      failed || (answer && answer.media && answer.media.length) ? this.evidenceFor(item, path, answer || {}, set, disabled) : null,
      item.countersign ? this.countersign(item, path, answer || {}, set, disabled) : null,
      this.why(item, path, { blocked, failed, missing, errors }));
  }

  touchedItem() {
    return this.draft.status !== 'in_progress' || Object.keys(this.draft.answers).length > 0;
  }

  why(item, path, { blocked, failed, missing, errors }) {
    const reasons = [];
    if (blocked) {
      const names = (item.requires_passed || []).map((key) => label(this.findItem(key)?.label) || key).join('、');
      reasons.push(['info', t('why_blocked', { items: names })]);
    }
    if (missing && item.required_when && !item.required) reasons.push(['warn', t('why_required_rule')]);
    if (failed) {
      reasons.push(['bad', this.result.critical_failed.includes(path) ? t('why_critical') : t('why_failed')]);
      const finding = this.result.findings.find((one) => one.path === path);
      if (finding) reasons.push(['bad', t('finding_raised', { severity: t(`severity_${finding.severity}`) })]);
    }
    if (item.expected) {
      const expected = (this.draft.context || {})[item.expected.context];
      if (expected !== undefined) reasons.push(['info', t('expected', { value: `${expected} ${item.unit || ''}`.trim() })]);
    }
    for (const error of errors) reasons.push(['bad', error.message]);
    if (reasons.length === 0) return null;
    return h('ul', { class: 'item-why' }, reasons.map(([tone, text]) => h('li', { class: `why-${tone}` }, text)));
  }

  findItem(key) {
    for (const section of this.document.sections) {
      for (const item of section.items) {
        if (item.key === key) return item;
        for (const child of item.items || []) if (child.key === key) return child;
      }
    }
    return null;
  }

  control(item, path, answer, set, disabled) {
    const value = answer.value;
    const keep = (next) => set({ ...answer, value: next });
    switch (item.type) {
      case 'yes_no': {
        const options = [['yes', t('yes'), 'choice-yes'], ['no', t('no'), 'choice-no']];
        if (item.allow_na) options.push(['na', t('na'), 'choice-na']);
        return h('div', { class: 'choices', role: 'group', 'aria-labelledby': `label-${path}` }, options.map(([code, text, tone]) =>
          h('button', { type: 'button', class: `choice ${tone}`, 'aria-pressed': String(value === code), disabled, dataset: { value: code },
            onclick: () => keep(value === code ? null : code) }, text)));
      }
      case 'single_choice':
        return h('div', { class: 'choices', role: 'group', 'aria-labelledby': `label-${path}` }, item.options.map((option) =>
          h('button', { type: 'button', class: `choice${option.fails ? ' choice-no' : ''}`, 'aria-pressed': String(value === option.value),
            disabled, dataset: { value: option.value }, onclick: () => keep(value === option.value ? null : option.value) }, label(option.label))));
      case 'multi_choice': {
        const chosen = Array.isArray(value) ? value : [];
        return h('div', { class: 'choices', role: 'group', 'aria-labelledby': `label-${path}` }, item.options.map((option) =>
          h('button', { type: 'button', class: 'choice', 'aria-pressed': String(chosen.includes(option.value)), disabled,
            dataset: { value: option.value },
            onclick: () => keep(chosen.includes(option.value) ? chosen.filter((one) => one !== option.value) : [...chosen, option.value]) },
          label(option.label))));
      }
      case 'number': {
        const step = item.decimals !== undefined ? (item.decimals === 0 ? '1' : `0.${'0'.repeat(item.decimals - 1)}1`) : 'any';
        const input = h('input', { type: 'number', inputmode: 'decimal', step, disabled, value: value ?? '', 'aria-labelledby': `label-${path}`,
          min: item.min ?? null, max: item.max ?? null,
          onchange: (event) => keep(event.target.value === '' ? null : Number(event.target.value)) });
        const range = item.min !== undefined || item.max !== undefined
          ? h('div', { class: 'hint' }, `${item.min ?? '…'} – ${item.max ?? '…'} ${item.unit || ''}`) : null;
        return h('div', {}, h('div', { class: 'number-row' }, input, item.unit ? h('span', { class: 'unit' }, item.unit) : null), range);
      }
      case 'text': {
        const attrs = { disabled, 'aria-labelledby': `label-${path}`, maxlength: item.max_length ?? null,
          onchange: (event) => keep(event.target.value) };
        if (item.multiline) return h('textarea', attrs, value || '');
        return h('input', { type: 'text', value: value || '', pattern: item.pattern || null, ...attrs });
      }
      case 'date':
        return withNow(h('input', { type: 'date', value: value || '', disabled, 'aria-labelledby': `label-${path}`, onchange: (event) => keep(event.target.value) }),
          disabled, () => keep(toLocalInput(new Date().toISOString()).slice(0, 10)));
      case 'time':
        return withNow(h('input', { type: 'time', value: value || '', disabled, 'aria-labelledby': `label-${path}`, onchange: (event) => keep(event.target.value) }),
          disabled, () => keep(toLocalInput(new Date().toISOString()).slice(11, 16)));
      case 'datetime':
        return withNow(h('input', { type: 'datetime-local', value: value ? toLocalInput(value) : '', disabled, 'aria-labelledby': `label-${path}`,
          onchange: (event) => keep(event.target.value ? rfc3339(new Date(event.target.value)) : null) }),
        disabled, () => keep(rfc3339(new Date())));
      case 'photo':
        return photoStrip({
          ids: Array.isArray(value) ? value : [], media: this.media, disabled, max: item.max_count,
          add: async (files) => {
            const added = [];
            for (const file of files) added.push((await this.capture(file, item.key)).id);
            keep([...(Array.isArray(value) ? value : []), ...added]);
          },
          remove: (id) => keep((Array.isArray(value) ? value : []).filter((one) => one !== id)),
        });
      case 'signature':
        return this.signature(item, path, answer, set, disabled);
      case 'location':
        return this.location(item, value, keep, disabled);
      case 'checkpoint_scan':
        return this.checkpointScan(item, value, keep, disabled);
      case 'group':
        return this.group(item, path, answer, set, disabled);
      default:
        return h('p', { class: 'muted' }, item.type);
    }
  }

  async capture(file, itemKey, kind = 'photo') {
    let location = null;
    try { location = await Promise.race([evidence.locate(), new Promise((resolve) => setTimeout(() => resolve(null), 1500))]); } catch { location = null; }
    const medium = await evidence.photo(file, { ownerID: this.draft.id, itemKey, location });
    medium.kind = kind;
    await this.keep(medium);
    return medium;
  }

  signature(item, path, answer, set, disabled) {
    const value = answer.value;
    if (value && value.media_id) {
      const medium = this.media.get(value.media_id);
      return h('div', {}, medium ? h('img', { class: 'signature-img', src: medium.thumb, alt: t('signed') }) : badge(t('signed'), 'ok'),
        h('div', { class: 'muted' }, value.signer_name || this.user.name),
        disabled ? null : button(t('clear'), () => set({ ...answer, value: null }), { kind: 'quiet' }));
    }
    if (disabled) return h('p', { class: 'muted' }, t('sign_here'));
    const role = item.signer_role || 'guard';
    const self = role === 'guard';
    const name = self ? null : h('input', { type: 'text', placeholder: t('signer_name'), 'aria-label': t('signer_name') });
    const pad = signaturePad();
    const save = async () => {
      if (pad.strokes.length === 0) { toast(t('sign_here')); return; }
      if (name && !name.value.trim()) { name.focus(); toast(t('signer_name')); return; }
      // The medium signs the answer that names it (its content_digest is
      // that answer's digest), so the id comes first and the answer is
      // built exactly as it will be submitted.
      const id = evidence.newID();
      const next = { media_id: id };
      if (self) next.signer_user_id = this.user.id;
      else next.signer_name = name.value.trim();
      const signed = { ...answer, value: next };
      const medium = await evidence.signature(pad, {
        id, ownerID: this.draft.id, itemKey: item.key, signerRole: role,
        signerUserID: self ? this.user.id : null, signerName: self ? null : name.value.trim(),
        contentDigest: await evidence.digestOf(signed),
      });
      await this.keep(medium);
      set(signed);
    };
    return h('div', { class: 'stack' }, name, pad.element,
      h('div', { class: 'btn-row' }, button(t('clear'), () => pad.clear(), { kind: 'secondary' }),
        button([icon('pen', 20), t('sign')], save, { class: 'btn btn-primary sign-save' })));
  }

  location(item, value, keep, disabled) {
    const shown = value ? h('p', { class: 'location-value' }, t('location_value', { lat: value.lat, lng: value.lng, acc: value.accuracy_m ?? '?' })) : null;
    const take = async () => {
      try {
        keep(await evidence.locate());
      } catch (error) {
        toast(error.denied ? t('location_denied') : t('location_failed', { error: error.message }));
      }
    };
    return h('div', {}, shown, disabled ? null : button([icon('pin', 20), t('get_location')], take, { kind: 'secondary', class: 'btn btn-secondary locate' }),
      item.accuracy_m ? h('p', { class: 'hint' }, `≤ ${item.accuracy_m} m`) : null);
  }

  checkpointScan(item, value, keep, disabled) {
    const shown = value ? h('p', {}, badge(t('scanned_tag', { tag: value.tag, method: value.method }), 'ok')) : null;
    const scan = () => scanDialog((tag, method) => keep({ tag, method }));
    return h('div', {}, shown, disabled ? null : button([icon('qr', 20), t('scan_item')], scan, { kind: 'secondary', class: 'btn btn-secondary scan-item' }));
  }

  group(item, path, answer, set, disabled) {
    const repeats = Array.isArray(answer.repeats) ? answer.repeats : [];
    const repeatLabel = label(item.repeat_label) || label(item.label);
    const setRepeat = (index, key, childAnswer) => {
      const next = repeats.map((repeat) => ({ ...repeat }));
      if (childAnswer === null || actions.isEmpty(childAnswer)) delete next[index][key];
      else next[index][key] = childAnswer;
      set({ repeats: next });
    };
    const max = item.max_repeats ?? Infinity;
    return h('div', {}, repeats.map((repeat, index) => h('div', { class: 'group', dataset: { repeat: String(index) } },
      h('div', { class: 'group-head' }, t('repeat_n', { label: repeatLabel, n: index + 1 }),
        !disabled && index === repeats.length - 1 ? button(t('remove_repeat'), () => set({ repeats: repeats.slice(0, -1) }), { kind: 'quiet' }) : null),
      item.items.map((child) => this.item(child, `${path}/${index}/${child.key}`, repeat[child.key],
        (childAnswer) => setRepeat(index, child.key, childAnswer), true)))),
    disabled || repeats.length >= max ? null
      : button([icon('plus', 20), t('add_repeat', { label: repeatLabel })], () => set({ repeats: [...repeats, {}] }), { kind: 'secondary', class: 'btn btn-secondary add-repeat' }));
  }

  evidenceFor(item, path, answer, set, disabled) {
    const ids = answer.media || [];
    const needed = item.photo_when_failed ? item.photo_when_failed.min : 0;
    return h('div', { class: 'stack', style: 'margin-top: 12px' },
      needed && ids.length < needed ? h('p', { class: 'why-warn' }, t('photos_needed', { n: needed - ids.length })) : null,
      photoStrip({
        ids, media: this.media, disabled,
        add: async (files) => {
          const added = [];
          for (const file of files) added.push((await this.capture(file, item.key)).id);
          set({ ...answer, media: [...ids, ...added] });
        },
        remove: (id) => set({ ...answer, media: ids.filter((one) => one !== id) }),
      }),
      disabled ? null : h('textarea', { placeholder: t('note'), 'aria-label': t('note'), onchange: (event) => set({ ...answer, note: event.target.value }) }, answer.note || ''));
  }

  countersign(item, path, answer, set, disabled) {
    const given = answer.countersign;
    const title = label(item.countersign.label) || t('countersigner');
    if (given) {
      const medium = given.signature_media_id && this.media.get(given.signature_media_id);
      return h('div', { class: 'stack', style: 'margin-top: 12px' }, h('div', { class: 'label' }, title),
        medium ? h('img', { class: 'signature-img', src: medium.thumb, alt: t('signed') }) : null,
        badge(t('countersigned_by', { name: (this.draft.countersigners || {})[given.user_id] || given.user_id }), 'ok'),
        disabled ? null : button(t('clear'), () => { const next = { ...answer }; delete next.countersign; set(next); }, { kind: 'quiet' }));
    }
    if (disabled) return null;
    const open = () => countersignDialog({
      role: item.countersign.role, title, draft: this.draft, itemKey: item.key, path, inspector: this.user, answer,
      done: async (person, medium, proof) => {
        if (medium) await this.keep(medium);
        this.draft.countersigners = { ...(this.draft.countersigners || {}), [person.id]: person.name };
        set({ ...answer, countersign: medium ? { ...proof, signature_media_id: medium.id } : proof });
      },
    });
    return h('div', { style: 'margin-top: 12px' }, button([icon('pen', 20), t('countersign'), ' · ', title], open, { kind: 'secondary', class: 'btn btn-secondary btn-block countersign-open' }),
      h('p', { class: 'hint' }, t('countersign_note')));
  }
}

// preview draws document into root exactly as the guard will see it (the
// same Form, the same WebAssembly engine) with answers kept in memory
// only: nothing is stored on the device, queued or sent. The console's
// template editor shows it beside the JSON.
export async function preview(root, document, user) {
  const draft = { id: `preview-${document.key || ''}`, status: 'in_progress', answers: {}, context: {} };
  const form = new PreviewForm(root, draft, { document }, user, () => {});
  await form.start();
  return form;
}

class PreviewForm extends Form {
  async start() {
    try {
      const form = await checklist.load(this.document);
      this.session = form.session(this.draft.answers, this.draft.context || {}, this.user.id);
      this.result = this.session.result;
      this.draw();
    } catch (error) {
      this.root.replaceChildren(failure(t('engine_failed', { error: error.message })));
    }
  }

  save() {}

  async keep(medium) {
    this.media.set(medium.id, medium);
  }

  async go(index) {
    this.sectionIndex = index;
    this.draw();
  }

  async submit() {
    const problems = this.result.missing.length + this.result.errors.length;
    toast(problems ? t('cannot_submit', { n: problems }) : t('preview_complete'));
  }
}

// keepProofs wraps an item's set so that a signature never outlives what
// it signed: a change to the answer's value, note or media drops its
// countersign, and a change to a signature item's note or media drops the
// drawn signature (its content_digest names the answer). The server would
// refuse either; the person signs again instead.
function keepProofs(item, answer, set) {
  const before = JSON.stringify(evidence.signedContent(answer));
  return (next) => {
    if (!next || JSON.stringify(evidence.signedContent(next)) === before) { set(next); return; }
    let out = next;
    if (out.countersign) {
      out = { ...out };
      delete out.countersign;
    }
    const value = out.value;
    if (item.type === 'signature' && value && value.media_id && answer.value && value.media_id === answer.value.media_id) {
      out = { ...out, value: null };
    }
    set(out);
  };
}

function outcomeBadge(outcome) {
  const tone = { pass: 'ok', fail: 'bad', incomplete: 'warn' }[outcome] || 'neutral';
  return badge(t(`outcome_${outcome}`), tone);
}

function serverStatus(record) {
  if (!record || !record.status) return '';
  return t('server_version', { status: record.status === 'returned' ? t('returned_by_supervisor') : record.status });
}

function decodeToken(token) {
  return (token || '').replaceAll('~1', '/').replaceAll('~0', '~');
}

function withNow(input, disabled, now) {
  return h('div', { class: 'number-row' }, input, disabled ? null : button(t('now'), now, { kind: 'secondary', class: 'btn btn-secondary now-button' }));
}

function rfc3339(date) {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function toLocalInput(iso) {
  const date = new Date(iso);
  const pad = (number) => String(number).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

