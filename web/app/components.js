// components are the guard app's capture widgets: a strip of photos with a
// camera button, a signature pad, the checkpoint scanner (QR camera, NFC,
// typed code) and the two-person countersign dialog.

import * as api from '../shared/api.js';
import * as evidence from './evidence.js';
import { t } from '../shared/i18n.js';
import { h, icon, badge, button, field, banner } from '../shared/ui.js';
import { signaturePad as sharedPad } from '../shared/pad.js';
import { handoverPanel } from './countersign.js';

const stateTone = { queued: 'warn', declared: 'warn', uploaded: 'warn', stored: 'ok', failed: 'bad' };

// photoStrip shows the photos by id and a camera button that feeds add(files).
export function photoStrip({ ids, media, disabled, max, add, remove }) {
  const input = h('input', {
    type: 'file', accept: 'image/*', capture: 'environment', multiple: true, 'aria-label': t('take_photo'), class: 'photo-input',
    onchange: async (event) => {
      const files = [...event.target.files];
      event.target.value = '';
      if (files.length) await add(files);
    },
  });
  const full = max !== undefined && max !== null && ids.length >= max;
  return h('div', {},
    h('div', { class: 'photos' }, ids.map((id) => {
      const medium = media.get(id);
      return h('div', { class: 'photo', dataset: { media: id } },
        medium && medium.thumb ? h('img', { src: medium.thumb, alt: t('evidence') }) : null,
        medium ? badge(t(`state_${medium.state === 'stored' ? 'stored' : medium.state === 'failed' ? 'failed' : 'waiting'}`), stateTone[medium.state]) : null,
        disabled ? null : h('button', { type: 'button', 'aria-label': t('remove'), onclick: () => remove(id) }, '×'));
    })),
    disabled || full ? null : h('label', { class: 'btn btn-secondary file-button' }, icon('camera', 20), t('take_photo'), input));
}

// signaturePad is the shared pad (web/shared/pad.js) in the app's style.
export function signaturePad() {
  return sharedPad({ label: t('sign_here'), className: 'pad' });
}

export function dialog(...children) {
  const node = h('dialog', {}, ...children);
  document.body.append(node);
  node.addEventListener('close', () => node.remove());
  node.showModal();
  return node;
}

// scanDialog reads a tag by QR camera, NFC or a typed code, and calls
// found(tag, method) once.
export function scanDialog(found) {
  const video = h('video', { playsinline: true, muted: true });
  const status = h('p', { class: 'muted', 'aria-live': 'polite' });
  const code = h('input', { type: 'text', placeholder: t('code_placeholder'), autocapitalize: 'characters', id: 'scan-code', 'aria-label': t('type_code') });
  const stops = [];
  let node = null;
  let read = false;
  const finish = (tag, method) => {
    if (read) return;
    read = true;
    for (const stop of stops) stop();
    node.close();
    found(tag, method);
  };
  const camera = h('div', { class: 'scanner' });
  const form = h('form', {
    class: 'code-entry',
    onsubmit: (event) => {
      event.preventDefault();
      if (code.value.trim()) finish(code.value.trim(), 'manual');
    },
  }, code, h('button', { type: 'submit', class: 'btn btn-primary', id: 'scan-submit' }, t('record_scan')));
  node = dialog(h('h2', {}, t('scan_checkpoint')), camera, status,
    h('div', { class: 'field' }, h('label', { for: 'scan-code' }, t('type_code')), form),
    button(t('cancel'), () => { for (const stop of stops) stop(); node.close(); }, { kind: 'quiet', class: 'btn btn-quiet btn-block' }));
  code.focus();
  if (evidence.canReadNFC()) {
    evidence.readNFC().then((reading) => {
      stops.push(reading.stop);
      status.textContent = t('nfc_waiting');
      reading.result.then((tag) => finish(tag, 'nfc')).catch(() => {});
    }).catch(() => {
      // NFC refused or off: the camera and the typed code remain.
    });
  }
  if (evidence.canReadQR()) {
    camera.append(video);
    evidence.readQR(video).then((reading) => {
      stops.push(reading.stop);
      if (!node.open) reading.stop();
      reading.result.then((tag) => finish(tag, 'qr')).catch(() => {});
    }).catch(() => {
      camera.replaceChildren();
      status.textContent = t('camera_unavailable');
    });
  } else {
    status.textContent = t('camera_unavailable');
  }
}

// countersignDialog asks the second person of a two-person item for their
// consent, proven with their own key, one of two ways:
//   - with their phone (the default, no network needed): this phone shows
//     the request as a QR code, their phone signs and shows the proof,
//     this phone reads it back (countersign.js handoverPanel);
//   - on this phone: they sign in (which needs the network) and draw their
//     signature; their key on this phone (made and registered with their
//     own token the first time, then reused) signs the answer as it stands.
// done(person, medium, countersign) gets who signed, the drawn signature
// (null for a handover) and the answer's countersign member.
export function countersignDialog({ role, title, draft, itemKey, path, inspector, answer, done }) {
  const ownerID = draft.id;
  const inspectorID = inspector.id;
  const email = h('input', { type: 'email', autocomplete: 'off', id: 'cs-email' });
  const password = h('input', { type: 'password', autocomplete: 'off', id: 'cs-password' });
  const message = h('div', { 'aria-live': 'polite' });
  const pad = signaturePad();
  let node = null;
  let panel = null;
  const save = async () => {
    message.replaceChildren();
    if (pad.strokes.length === 0) { message.append(banner(t('sign_here'), 'warn')); return; }
    try {
      const { user: person, result: key } = await api.identify(email.value.trim(), password.value, async (user, call) => {
        if (user.id === inspectorID) throw new Error(t('error', { error: 'countersign_self' }));
        return evidence.countersignKey(call, t('countersign_key_name'), user.id);
      });
      const proof = await evidence.countersign({ inspectionID: ownerID, path, answer, userID: person.id, key });
      const medium = await evidence.signature(pad, {
        ownerID, itemKey, signerUserID: person.id, signerRole: role === 'any' ? person.role : role, contentDigest: await evidence.digestOf(answer),
      });
      await done(person, medium, proof);
      node.close();
    } catch (error) {
      const text = error.status === 0 ? t('login_offline') : error.status === 401 ? t('login_failed') : error.message;
      message.append(banner(text, 'error'));
    }
  };
  const here = h('div', {}, h('p', { class: 'muted' }, t('handover_here_note')),
    field(t('email'), email), field(t('password'), password), pad.element, message,
    h('div', { class: 'btn-row', style: 'margin-top: 12px' }, button(t('sign'), save, { id: 'cs-sign' })));
  const content = h('div', {});
  const modes = h('div', { class: 'choices cs-modes', role: 'group' });
  const show = async (mode) => {
    if (panel) panel.stop();
    panel = null;
    for (const one of modes.children) one.setAttribute('aria-pressed', String(one.dataset.mode === mode));
    if (mode === 'here') { content.replaceChildren(here); return; }
    panel = await handoverPanel({
      draft, path, role, inspector, answer,
      accept: async ({ person, countersign }) => { await done(person, null, countersign); node.close(); },
    });
    content.replaceChildren(panel.element);
  };
  modes.append(
    h('button', { type: 'button', class: 'choice', dataset: { mode: 'phone' }, id: 'cs-mode-phone', onclick: () => show('phone') }, t('handover_their_phone')),
    h('button', { type: 'button', class: 'choice', dataset: { mode: 'here' }, id: 'cs-mode-here', onclick: () => show('here') }, t('handover_this_phone')));
  node = dialog(h('h2', {}, title), modes, content,
    button(t('cancel'), () => { if (panel) panel.stop(); node.close(); }, { kind: 'quiet', class: 'btn btn-quiet btn-block', id: 'cs-cancel' }));
  show('phone');
}
