// review is one inspection on the supervisor's tablet: who, where and
// when (in the site's time zone), the failed and critical items first,
// every section's answers with flags, photos as thumbnails that open full
// size, signatures, the history; then sign-off with a drawn signature and
// If-Match on the reviewed content hash, or return with comments.

import { h, button, badge, banner, loading, failure, toast } from '../shared/ui.js';
import { label, time } from '../shared/i18n.js';
import { s, addStrings, reason } from './strings.js';
import * as data from './data.js';
import { signaturePad, drawStrokes } from './pad.js';
import { distanceMetres } from './place.js';

addStrings({
  en: {
    review_location_at: '{distance} m from {site}: at the site (within {radius} m)',
    review_location_outside: '{distance} m from {site}: outside the site (radius {radius} m)',
    review_outside: 'Outside the site',
    review_late: 'Late: submitted {minutes} min after the round closed ({at})',
    review_auditor: 'You are signed in as an auditor: you can read everything and change nothing.',
  },
  'zh-CN': {
    review_location_at: '距{site} {distance} 米：在站点范围内（{radius} 米以内）',
    review_location_outside: '距{site} {distance} 米：不在站点范围内（半径 {radius} 米）',
    review_outside: '不在站点范围内',
    review_late: '迟交：巡更时段（{at}）结束后 {minutes} 分钟提交',
    review_auditor: '您以审计员身份登录：可以查看全部内容，不能做任何修改。',
  },
});
import { personName, zoneOf, outcomeBadge, statusBadge } from './names.js';

export async function inspectionScreen(context, id, notice = null) {
  const { main } = context;
  main.replaceChildren(loading(s('loading')));
  let inspection;
  let version;
  try {
    inspection = await data.inspection(id);
    version = await data.templateVersion(inspection.template_id, inspection.template_version);
    // Lateness is against the round's window; a round no longer readable leaves the flag out.
    if (inspection.round_id) inspection.round = await data.round(inspection.round_id).catch(() => null);
  } catch (error) {
    main.replaceChildren(back(), failure(s('load_failed', { error: reason(error) }), button(s('retry'), () => inspectionScreen(context, id))));
    return;
  }
  const page = new Page(context, inspection, version.document);
  main.replaceChildren(...[back(), notice, ...page.render()].filter(Boolean));
  // The notice sits at the top, under the sticky bar: show it from the start of the page.
  if (notice) window.scrollTo(0, 0);
}

function back() {
  return h('a', { href: '#/', class: 'btn btn-quiet console-back', id: 'inspection-back' }, `← ${s('back_to_queue')}`);
}

// items walks the template: [{item, path, answer, section, repeat}] in
// document order, group children once per repeat.
function itemsOf(document, answers) {
  const out = [];
  for (const section of document.sections || []) {
    for (const item of section.items || []) {
      const answer = answers[item.key];
      if (item.type === 'group') {
        out.push({ item, path: `/${item.key}`, answer, section, group: true });
        (answer && answer.repeats || []).forEach((repeat, index) => {
          for (const child of item.items || []) {
            out.push({ item: child, path: `/${item.key}/${index}/${child.key}`, answer: repeat && repeat[child.key], section, repeat: index + 1, parent: item });
          }
        });
      } else {
        out.push({ item, path: `/${item.key}`, answer, section });
      }
    }
  }
  return out;
}

class Page {
  constructor(context, inspection, document) {
    this.context = context;
    this.known = context.known;
    this.inspection = inspection;
    this.document = document;
    this.zone = zoneOf(this.known, inspection.site_id);
    const evaluation = inspection.evaluation || {};
    this.failed = new Set(evaluation.failed || []);
    this.critical = new Set(evaluation.critical_failed || []);
    this.missing = new Set(evaluation.missing || []);
    this.errors = new Map();
    for (const error of evaluation.errors || []) {
      const list = this.errors.get(error.path) || [];
      list.push(error);
      this.errors.set(error.path, list);
    }
    this.entries = itemsOf(document, inspection.answers || {});
  }

  render() {
    return [this.header(), this.attention(), ...this.sections(), this.signOff(), this.history()];
  }

  header() {
    const x = this.inspection;
    const site = this.known.sites.get(x.site_id);
    const rows = [
      [s('inspector'), personName(this.known, x.owner_id, x)],
      [s('site'), site ? `${site.name} (${this.zone || ''})` : '—'],
      [s('started'), time(x.started_at, this.zone, true)],
      [s('submitted'), time(x.submitted_at, this.zone, true)],
      [s('received'), time(x.received_at, this.zone, true)],
    ];
    if (x.approved_at) rows.push([s('approved_at'), time(x.approved_at, this.zone, true)], [s('approved_by'), personName(this.known, x.approved_by, x)]);
    const flags = [];
    if (x.submitted_at && x.received_at) {
      const minutes = Math.round((Date.parse(x.received_at) - Date.parse(x.submitted_at)) / 60000);
      // A device clock ahead of the server, or a submission "received" long after it was made offline, is
      // only a skew when the device claims a time after the server received it.
      if (minutes < -5) flags.push(badge(s('flag_clock_skew', { minutes: -minutes }), 'warn'));
    }
    // Late: submitted after its round's window closed (the periodic report's 迟交 counts the same).
    if (x.round && x.submitted_at && Date.parse(x.submitted_at) > Date.parse(x.round.window_end)) {
      const minutes = Math.round((Date.parse(x.submitted_at) - Date.parse(x.round.window_end)) / 60000);
      flags.push(badge(s('review_late', { minutes, at: time(x.round.window_end, this.zone, true) }), 'bad'));
    }
    if (x.media_pending) flags.push(badge(s('flag_media_pending'), 'warn'));
    return h('section', { class: 'card console-summary', id: 'inspection-summary' },
      h('div', { class: 'console-summary-head' },
        h('h1', { class: 'console-heading' }, label(this.document.title) || x.template_key),
        h('div', { class: 'console-badges' }, statusBadge(x), outcomeBadge(x),
          x.score === null || x.score === undefined ? null : badge(s('score', { score: x.score }), 'neutral'), flags)),
      h('dl', { class: 'console-facts' }, rows.map(([term, value]) => [h('dt', {}, term), h('dd', {}, value || '—')])));
  }

  attention() {
    const bad = this.entries.filter((e) => this.failed.has(e.path) || this.errors.has(e.path) || this.missing.has(e.path));
    bad.sort((a, b) => rank(this, a) - rank(this, b));
    return h('section', { class: 'card console-attention', id: 'inspection-attention' },
      h('h2', { class: 'section-title' }, s('attention')),
      bad.length ? h('ul', { class: 'console-items' }, bad.map((e) => this.item(e, true))) : h('p', { class: 'hint' }, s('no_failures')));
  }

  sections() {
    return (this.document.sections || []).map((section) => h('section', { class: 'card', dataset: { section: section.key } },
      h('h2', { class: 'section-title' }, label(section.title)),
      h('ul', { class: 'console-items' }, this.entries.filter((e) => e.section === section && !e.group).map((e) => this.item(e, false)))));
  }

  flags(entry) {
    const { item, path, answer } = entry;
    const out = [];
    if (this.critical.has(path)) out.push(badge(s('flag_critical'), 'bad'));
    else if (this.failed.has(path)) out.push(badge(s('flag_failed'), 'bad'));
    if (this.missing.has(path)) out.push(badge(s('flag_missing'), 'warn'));
    const value = answer && answer.value;
    if (item.type === 'number' && typeof value === 'number') {
      if ((item.min !== undefined && value < item.min) || (item.max !== undefined && value > item.max)) {
        out.push(badge(s('flag_out_of_range', { min: item.min ?? '−∞', max: item.max ?? '∞' }), 'warn'));
      }
      const expected = item.expected && (this.inspection.context || {})[item.expected.context];
      if (typeof expected === 'number' && Math.abs(value - expected) > (item.expected.tolerance || 0)) {
        out.push(badge(s('flag_expected', { expected, tolerance: item.expected.tolerance || 0 }), 'warn'));
      }
    }
    if (item.type === 'location' && value && this.placed(value) && !this.placed(value).inside) {
      out.push(badge(s('review_outside'), 'warn'));
    }
    if (item.type === 'checkpoint_scan' && value && value.tag) {
      const expected = item.expected_tag || (this.inspection.context || {}).checkpoint_tag;
      if (expected && String(expected).trim().toLowerCase() !== String(value.tag).trim().toLowerCase()) {
        out.push(badge(s('flag_tag', { tag: expected }), 'warn'));
      }
    }
    for (const error of this.errors.get(path) || []) out.push(badge(s('flag_error', { message: error.message || error.code }), 'warn'));
    return out;
  }

  item(entry, inAttention) {
    const { item, path, answer, repeat, parent } = entry;
    const title = [parent ? `${label(parent.repeat_label || parent.label)} ${s('repeat', { n: repeat })} · ` : '', label(item.label)].join('');
    const bad = this.failed.has(path);
    return h('li', { class: `console-item${bad ? ' console-item-bad' : ''}`, dataset: inAttention ? { path, attention: 'true' } : { path } },
      h('div', { class: 'console-item-head' },
        h('span', { class: 'console-item-label' }, title, item.critical ? h('span', { class: 'console-critical', title: s('flag_critical') }, ' ★') : null),
        h('span', { class: 'console-badges' }, this.flags(entry))),
      h('div', { class: 'console-answer' }, this.value(item, answer)),
      answer && answer.note ? h('p', { class: 'console-note' }, `${s('note')}: ${answer.note}`) : null,
      answer && answer.media && answer.media.length ? this.photos(answer.media) : null,
      answer && answer.countersign ? h('p', { class: 'console-note' }, s('countersigned', { name: personName(this.known, answer.countersign.user_id, this.inspection) }),
        answer.countersign.signature_media_id ? this.signatureImage(answer.countersign.signature_media_id) : null) : null);
  }

  value(item, answer) {
    if (item.type === 'instruction') return null;
    if (!answer || answer.value === undefined || answer.value === null || answer.value === '') return h('span', { class: 'hint' }, s('not_answered'));
    const value = answer.value;
    const option = (v) => {
      const found = (item.options || []).find((o) => o.value === v);
      return found ? label(found.label) : String(v);
    };
    switch (item.type) {
      case 'yes_no': return h('strong', {}, s({ yes: 'yes', no: 'no', na: 'na' }[value] || String(value)));
      case 'single_choice': return h('strong', {}, option(value));
      case 'multi_choice': return h('strong', {}, (value || []).map(option).join('、'));
      case 'number': return h('strong', {}, `${value}${item.unit ? ` ${item.unit}` : ''}`);
      case 'datetime': return h('strong', {}, time(value, this.zone, true));
      case 'photo': return this.photos(value || []);
      case 'signature': return h('div', {}, value.media_id ? this.signatureImage(value.media_id) : null,
        h('div', { class: 'row-meta' }, s('signer', { name: value.signer_name || personName(this.known, value.signer_user_id, this.inspection) })));
      case 'location': return this.location(value);
      case 'checkpoint_scan': return h('strong', {}, s('scan_value', { tag: value.tag, method: value.method }));
      default: return h('span', { class: 'console-text' }, typeof value === 'object' ? JSON.stringify(value) : String(value));
    }
  }

  photos(ids) {
    return h('div', { class: 'console-photos' }, ids.map((id) => {
      const img = h('img', { alt: '', class: 'console-thumb', dataset: { media: id } });
      const open = h('button', { type: 'button', class: 'console-photo', 'aria-label': s('open_full'), onclick: () => this.full(id) }, img);
      data.mediaURL(id, true).catch(() => data.mediaURL(id, false)).then((url) => { img.src = url; })
        .catch(() => open.replaceChildren(h('span', { class: 'hint' }, s('photo_missing'))));
      return open;
    }));
  }

  // placed measures a location against the site's place: null when the
  // site has none or the value is not a location.
  placed(value) {
    const site = this.known.sites.get(this.inspection.site_id);
    if (!site || !site.location || !Number.isFinite(value.lat) || !Number.isFinite(value.lng)) return null;
    const distance = Math.round(distanceMetres(site.location, value));
    return { site, distance, inside: distance <= site.location.radius_m + (value.accuracy_m || 0) };
  }

  location(value) {
    const at = h('strong', {}, s('location_value', { lat: value.lat, lng: value.lng, accuracy: value.accuracy_m ?? '?' }));
    const placed = this.placed(value);
    if (!placed) return at;
    const text = s(placed.inside ? 'review_location_at' : 'review_location_outside',
      { distance: placed.distance, site: placed.site.name, radius: placed.site.location.radius_m });
    return h('div', {}, at, h('div', { class: `row-meta console-place console-place-${placed.inside ? 'in' : 'out'}` }, text));
  }

  // signatureImage draws a signature from the strokes the API gives with
  // the inspection, as signed; a signature without strokes shows its image.
  signatureImage(id) {
    const signed = (this.inspection.signatures || {})[id];
    if (signed && Array.isArray(signed.strokes) && signed.strokes.length) {
      const canvas = h('canvas', { class: 'console-signature', role: 'img', 'aria-label': signed.signer_name || '', dataset: { media: id, strokes: 'true' } });
      drawStrokes(canvas, signed.strokes, 280, 112);
      return canvas;
    }
    const img = h('img', { alt: '', class: 'console-signature', dataset: { media: id } });
    data.mediaURL(id, false).then((url) => { img.src = url; }).catch(() => img.replaceWith(h('span', { class: 'hint' }, s('photo_missing'))));
    return img;
  }

  full(id) {
    const img = h('img', { alt: '', class: 'console-full' });
    const dialog = h('dialog', { class: 'console-dialog', id: 'photo-dialog' }, img,
      h('div', { class: 'btn-row' }, button(s('close'), () => dialog.close(), { kind: 'secondary', id: 'photo-close' })));
    dialog.addEventListener('close', () => dialog.remove());
    document.body.append(dialog);
    dialog.showModal();
    data.mediaURL(id, false).then((url) => { img.src = url; }).catch(() => img.replaceWith(h('p', {}, s('photo_missing'))));
  }

  history() {
    return h('section', { class: 'card', id: 'inspection-history' }, h('h2', { class: 'section-title' }, s('history')),
      h('ol', { class: 'console-history' }, (this.inspection.history || []).map((event) => h('li', {},
        h('strong', {}, s(`kind_${event.kind}`)), ' · ', personName(this.known, event.actor_id, this.inspection), ' · ', time(event.at, this.zone, true),
        event.detail && event.detail.comment ? h('div', { class: 'console-note' }, event.detail.comment) : null))));
  }

  signOff() {
    const x = this.inspection;
    const me = this.context.session.user;
    if (me.role === 'auditor') return banner(s('review_auditor'), 'info');
    if (x.status !== 'submitted') return banner(s('read_only', { status: s(`status_${x.status}`) }), 'info');
    if (x.owner_id === me.id) return banner(s('own_inspection'), 'info');
    const message = h('div', { 'aria-live': 'polite', id: 'approve-message' });
    const pad = signaturePad(s('sign_here'));
    pad.onchange = () => message.replaceChildren();
    const comment = h('textarea', { id: 'approve-comment', rows: 2, maxlength: 5000 });
    const approve = button(s('approve'), async () => {
      if (pad.strokes.length === 0) { message.replaceChildren(banner(s('need_signature'), 'warn')); return; }
      approve.disabled = true;
      approve.textContent = s('approving');
      try {
        await data.approve(x.id, x.content_hash, pad.strokes, me.name || me.email, comment.value.trim());
        toast(s('approved_done'));
        await inspectionScreen(this.context, x.id, banner(s('approved_done'), 'ok'));
      } catch (error) {
        approve.disabled = false;
        approve.textContent = s('approve');
        if (error.status === 412) { await this.stale(); return; }
        message.replaceChildren(refusal(error));
      }
    }, { id: 'approve-submit' });
    const returning = this.returnForm();
    return h('div', { class: 'console-decide' },
      h('section', { class: 'card', id: 'inspection-sign-off' }, h('h2', { class: 'section-title' }, s('sign_off')),
        pad.element, h('div', { class: 'btn-row console-pad-actions' }, button(s('clear'), () => pad.clear(), { kind: 'quiet', id: 'approve-clear' })),
        h('label', { for: 'approve-comment', class: 'label' }, s('comment')), comment, message, approve),
      returning);
  }

  // stale reloads an inspection that changed under the reviewer and says which items changed.
  async stale() {
    const before = this.inspection;
    let after;
    try {
      after = await data.inspection(before.id);
    } catch (error) {
      toast(s('load_failed', { error: reason(error) }));
      return;
    }
    const keys = new Set([...Object.keys(before.answers || {}), ...Object.keys(after.answers || {})]);
    const changed = [...keys].filter((key) => JSON.stringify((before.answers || {})[key]) !== JSON.stringify((after.answers || {})[key]));
    const names = changed.map((key) => {
      const entry = this.entries.find((e) => e.path === `/${key}`);
      return entry ? label(entry.item.label) : key;
    });
    const notice = h('div', { id: 'inspection-stale' }, banner(s('stale'), 'warn'),
      names.length ? banner(s('stale_changed', { what: names.join('、') }), 'info') : null);
    await inspectionScreen(this.context, before.id, notice);
  }

  // returnForm sends the inspection back with a general comment and any
  // number of comments on items: pick an item, write, add; the list shows
  // what will be sent, each removable.
  returnForm() {
    const x = this.inspection;
    const message = h('div', { 'aria-live': 'polite', id: 'return-message' });
    const comment = h('textarea', { id: 'return-comment', rows: 2 });
    const answerable = this.entries.filter((e) => !e.group && e.item.type !== 'instruction');
    const first = [...answerable].sort((a, b) => rank(this, a) - rank(this, b));
    const nameOf = (e) => label(e.item.label) + (e.repeat ? ` ${s('repeat', { n: e.repeat })}` : '');
    const target = h('select', { id: 'return-item' }, h('option', { value: '' }, s('return_item_none')),
      first.map((e) => h('option', { value: e.path }, nameOf(e))));
    const itemComment = h('textarea', { id: 'return-item-comment', rows: 2 });
    const items = new Map();
    const list = h('ul', { class: 'console-return-items', id: 'return-items' });
    const show = () => list.replaceChildren(...[...items].map(([path, text]) => {
      const entry = answerable.find((e) => e.path === path);
      return h('li', { dataset: { path } }, h('div', {}, h('strong', {}, entry ? nameOf(entry) : path), h('div', {}, text)),
        button(s('remove'), () => { items.delete(path); show(); }, { kind: 'quiet' }));
    }));
    // addItem keeps what is written for the chosen item; true when something was added.
    const addItem = () => {
      if (!target.value || !itemComment.value.trim()) return false;
      items.set(target.value, itemComment.value.trim());
      itemComment.value = '';
      target.value = '';
      show();
      return true;
    };
    const add = button(s('add_item_comment'), () => {
      if (!addItem()) message.replaceChildren(banner(s('need_item_comment'), 'warn'));
      else message.replaceChildren();
    }, { kind: 'secondary', id: 'return-item-add' });
    const send = button(s('send_back'), async () => {
      addItem();
      if (!comment.value.trim() && !items.size) { message.replaceChildren(banner(s('need_comment'), 'warn')); return; }
      send.disabled = true;
      send.textContent = s('sending_back');
      try {
        await data.sendBack(x.id, comment.value.trim(), Object.fromEntries(items));
        toast(s('returned_done'));
        await inspectionScreen(this.context, x.id, banner(s('returned_done'), 'ok'));
      } catch (error) {
        send.disabled = false;
        send.textContent = s('send_back');
        message.replaceChildren(refusal(error));
      }
    }, { kind: 'danger', id: 'return-submit' });
    return h('section', { class: 'card', id: 'inspection-return' }, h('h2', { class: 'section-title' }, s('return_heading')),
      h('label', { for: 'return-comment', class: 'label' }, s('return_comment')), comment,
      h('label', { for: 'return-item', class: 'label' }, s('return_item')), target, itemComment, add, list, message, send);
  }
}

// rank orders items for attention: critical failures, failures, then the rest.
function rank(page, entry) {
  if (page.critical.has(entry.path)) return 0;
  if (page.failed.has(entry.path)) return 1;
  if (page.errors.has(entry.path) || page.missing.has(entry.path)) return 2;
  return 3;
}

// refusal words a sign-off or return that did not go through. A transient
// failure (the server busy or down, 503 with Retry-After; no network)
// changed nothing: the reviewer tries again later, with the signature and
// comments still on the page. Anything else is the server's refusal.
function refusal(error) {
  if (error.transient) return banner(s('try_again_later'), 'warn');
  return banner(s('not_reviewable', { error: reason(error) }), 'error');
}
