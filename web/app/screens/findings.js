// findings: the hazards assigned to the guard, and the rectification of
// one with a note and evidence photos, kept on the phone until sent.

import * as data from '../data.js';
import * as actions from '../actions.js';
import * as evidence from '../evidence.js';
import * as store from '../../shared/store.js';
import { t, time } from '../../shared/i18n.js';
import { h, icon, badge, empty, field, toast, banner } from '../../shared/ui.js';
import { photoStrip } from '../components.js';

// The list follows the store; a rectification being written does not.
export function live(params) {
  return !params[0];
}

export function title() {
  return t('findings');
}

const tone = { low: 'neutral', medium: 'info', high: 'warn', critical: 'bad' };

export async function render(context) {
  if (context.params[0]) return detail(context);
  const list = await data.assignedFindings(context.session.user.id);
  if (list.length === 0) return h('div', {}, h('h2', { class: 'section-title' }, t('my_findings')), empty(t('no_findings')));
  const rectifications = await store.drafts('rectification');
  return h('div', {}, h('h2', { class: 'section-title' }, t('my_findings')),
    h('ul', { class: 'list', id: 'findings' }, list.map((finding) => {
      const sent = rectifications.find((one) => one.finding_id === finding.id);
      return h('li', {}, h('a', { class: 'row', href: `#/findings/${finding.id}` }, icon('alert'),
        h('div', { class: 'row-main' }, h('div', { class: 'row-title' }, finding.title),
          h('div', { class: 'row-meta' }, finding.due_at ? t('due', { time: time(finding.due_at, undefined, true) }) : '', ' · ', finding.status)),
        sent && finding.status !== 'rectified' ? badge(t('state_waiting'), 'warn') : badge(t(`severity_${finding.severity}`), tone[finding.severity]),
        icon('chevron', 20)));
    })));
}

async function detail({ params, navigate }) {
  const finding = await data.finding(params[0]);
  if (!finding) return empty(t('empty'));
  const ownerID = finding.inspection_id || finding.id;
  const media = new Map();
  let photos = [];
  const note = h('textarea', { id: 'rectify-note', maxlength: 5000 });
  const strip = h('div', {});
  const drawPhotos = () => strip.replaceChildren(photoStrip({
    ids: photos, media, disabled: false,
    add: async (files) => {
      for (const file of files) {
        const medium = await evidence.photo(file, { ownerID, itemKey: finding.item_path ? finding.item_path.split('/').pop() : 'rectification' });
        media.set(medium.id, medium);
        photos = [...photos, medium.id];
      }
      drawPhotos();
    },
    remove: (one) => { photos = photos.filter((other) => other !== one); drawPhotos(); },
  }));
  drawPhotos();
  const message = h('div', { 'aria-live': 'polite' });
  const canRectify = finding.status === 'assigned' || finding.status === 'rejected' || finding.status === 'open';
  return h('div', {},
    h('div', { class: 'card' }, h('h1', {}, finding.title),
      h('p', {}, badge(t(`severity_${finding.severity}`), tone[finding.severity]), ' ', t('finding_status', { status: finding.status })),
      finding.description ? h('p', {}, finding.description) : null,
      finding.due_at ? h('p', { class: 'muted' }, t('due', { time: time(finding.due_at, undefined, true) })) : null),
    canRectify ? h('form', {
      class: 'card', id: 'rectify-form',
      onsubmit: async (event) => {
        event.preventDefault();
        message.replaceChildren();
        if (!note.value.trim()) { note.focus(); return; }
        if (photos.length === 0) { message.append(banner(t('evidence_required'), 'warn')); return; }
        await actions.rectify(finding, note.value.trim(), photos.map((one) => media.get(one)));
        toast(t('rectified_queued'));
        navigate('#/sync');
      },
    }, h('h2', {}, t('rectify')), field(t('rectification_note'), note),
    h('div', { class: 'field' }, h('span', { class: 'label' }, t('evidence')), strip), message,
    h('button', { type: 'submit', class: 'btn btn-primary btn-block', id: 'rectify-send' }, t('rectify'))) : null);
}

export function back({ params }) {
  return params[0] ? '#/findings' : null;
}
