// countersign holds the dialogs of a countersign handed over by QR code
// with no network (handover.js has the texts): on the inspector's phone,
// the request shown and the proof read back (handoverPanel); on the
// countersigner's own phone, "Countersign for a colleague"
// (colleagueDialog). QR codes are drawn and read by the WebAssembly engine
// (internal/qrscan), or by BarcodeDetector where the browser has it.

import * as data from './data.js';
import * as evidence from './evidence.js';
import * as handover from './handover.js';
import * as shift from './shifthandover.js';
import { t, label } from '../shared/i18n.js';
import { h, icon, button, banner } from '../shared/ui.js';

const engine = () => import('../shared/engine.js');

// qrCode draws text as a QR code on a canvas, at whole pixels per module
// so that another phone's camera reads it sharp.
export async function qrCode(text, id, className = 'qr-code') {
  const code = await (await engine()).encodeQR(text);
  const scale = Math.max(2, Math.floor(600 / code.size));
  const canvas = h('canvas', { class: className, id, width: code.size * scale, height: code.size * scale, role: 'img', 'aria-label': t('qr_code') });
  const context = canvas.getContext('2d');
  context.fillStyle = '#fff';
  context.fillRect(0, 0, canvas.width, canvas.height);
  context.fillStyle = '#000';
  for (let y = 0; y < code.size; y += 1) {
    for (let x = 0; x < code.size; x += 1) {
      if (code.modules.charCodeAt(y * code.size + x) === 49) context.fillRect(x * scale, y * scale, scale, scale);
    }
  }
  return canvas;
}

// decodePicture reads a QR code from a photo of another phone's screen.
export async function decodePicture(file) {
  const bitmap = await createImageBitmap(file);
  const scale = Math.min(1, 1200 / Math.max(bitmap.width, bitmap.height));
  const canvas = document.createElement('canvas');
  canvas.width = Math.max(1, Math.round(bitmap.width * scale));
  canvas.height = Math.max(1, Math.round(bitmap.height * scale));
  const context = canvas.getContext('2d', { willReadFrequently: true });
  context.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  if (bitmap.close) bitmap.close();
  if ('BarcodeDetector' in globalThis) {
    try {
      const codes = await new BarcodeDetector({ formats: ['qr_code'] }).detect(canvas);
      if (codes.length) return codes[0].rawValue;
    } catch {
      // No native QR support after all: the engine reads it below.
    }
  }
  return (await engine()).decodeQR(context.getImageData(0, 0, canvas.width, canvas.height));
}

// qrReader reads one QR code, by the live camera where there is one or by
// a photo of the other phone's screen, and calls found(text) with each
// reading until stop() (a reading may be the wrong code: found decides).
export function qrReader(found, prompt) {
  const status = h('p', { class: 'muted', 'aria-live': 'polite' }, prompt);
  const camera = h('div', { class: 'scanner' });
  let reading = null;
  let stopped = false;
  const picture = h('input', {
    type: 'file', accept: 'image/*', capture: 'environment', class: 'photo-input', id: 'qr-picture', 'aria-label': t('qr_photograph'),
    onchange: async (event) => {
      const [file] = event.target.files;
      event.target.value = '';
      if (!file) return;
      const text = await decodePicture(file).catch(() => null);
      if (text) found(text);
      else status.textContent = t('qr_none');
    },
  });
  const watch = () => {
    const video = h('video', { playsinline: true, muted: true });
    camera.replaceChildren(video);
    evidence.readQR(video).then((live) => {
      reading = live;
      if (stopped) live.stop();
      live.result.then((text) => { found(text); if (!stopped) watch(); }).catch(() => {});
    }).catch(() => camera.replaceChildren());
  };
  if (evidence.canReadQR()) watch();
  const element = h('div', { class: 'stack qr-reader' }, camera, status,
    h('label', { class: 'btn btn-secondary btn-block file-button' }, icon('camera', 20), t('qr_photograph'), picture));
  return { element, status, stop: () => { stopped = true; if (reading) reading.stop(); } };
}

function problem(error) {
  return error instanceof handover.HandoverError ? t(error.key, error.params) : t('error', { error: error.message });
}

// handoverPanel is the inspector's side: the request for the item as a QR
// code, then a reader for the proof the countersigner's phone shows back.
// accept({person, countersign}) gets the proof once it fits this answer.
export async function handoverPanel({ draft, path, role, inspector, answer, accept }) {
  const text = handover.requestText({
    inspectionID: draft.id, templateVersionID: draft.template_version_id, siteID: draft.site_id, path, role, inspector, answer,
  });
  const message = h('div', { 'aria-live': 'polite' });
  const panel = h('div', { class: 'stack handover', id: 'cs-handover' });
  let reader = null;
  const read = async (scanned) => {
    try {
      const proof = await handover.acceptProof(scanned, { inspectionID: draft.id, path, answer, inspectorID: inspector.id });
      reader.stop();
      await accept(proof);
    } catch (error) {
      message.replaceChildren(banner(problem(error), 'error'));
    }
  };
  const scanBack = () => {
    reader = qrReader(read, t('handover_scan_proof'));
    panel.replaceChildren(h('p', { class: 'step' }, t('handover_step_two')), reader.element, message);
  };
  try {
    panel.append(h('p', { class: 'step' }, t('handover_step_one')), await qrCode(text, 'cs-request-qr', 'qr-code qr-small'),
      button([icon('qr', 20), t('handover_read_proof')], scanBack, { class: 'btn btn-primary btn-block', id: 'cs-read-proof' }));
  } catch (error) {
    panel.append(banner(t('handover_too_long'), 'error'));
  }
  return { element: panel, stop: () => reader && reader.stop() };
}

// findItem is the template item at a countersign path (/key or
// /group/<index>/key).
function findItem(document, path) {
  const parts = path.split('/').slice(1);
  let items = document.sections.flatMap((section) => section.items);
  let item = null;
  for (const part of parts) {
    if (/^\d+$/.test(part) && item && item.type === 'group') continue;
    item = items.find((one) => one.key === part);
    if (!item) return null;
    items = item.items || [];
  }
  return item;
}

// shownValue is an answer's value as the countersigner reads it.
function shownValue(item, value) {
  if (value === undefined || value === null || value === '') return '—';
  if (item && item.type === 'yes_no') return t(value === 'na' ? 'na' : value);
  if (item && item.options) {
    const one = (chosen) => label((item.options.find((option) => option.value === chosen) || {}).label) || String(chosen);
    return Array.isArray(value) ? value.map(one).join(', ') : one(value);
  }
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

async function subjectOf(request) {
  const [version, sites] = await Promise.all([data.templateVersion(request.template_version_id), data.sites()]);
  const site = sites.find((one) => one.id === request.site_id);
  const item = version ? findItem(version.document, request.item) : null;
  const answer = request.answer;
  const rows = [
    [t('handover_checklist'), version ? label(version.document.title) : t('handover_unknown')],
    [t('handover_item'), item ? label(item.label) : request.item],
    [t('handover_answer'), shownValue(item, answer.value)],
    answer.note ? [t('note'), answer.note] : null,
    answer.media && answer.media.length ? [t('evidence'), t('photos_count', { n: answer.media.length })] : null,
    [t('site'), site ? site.name : t('handover_unknown')],
    [t('handover_inspector'), request.inspector_name || request.inspector_id],
  ].filter(Boolean);
  return h('dl', { class: 'subject', id: 'cs-subject' }, rows.map(([term, value]) => [h('dt', {}, term), h('dd', {}, value)]));
}

// colleagueDialog is the countersigner's side, on their own phone signed
// in as them: read the colleague's request, see what it is, sign with the
// key kept here, and show the proof. No network is needed once the key
// was made (at sign-in).
export function colleagueDialog(user, dialog) {
  const body = h('div', { class: 'stack' });
  const message = h('div', { 'aria-live': 'polite' });
  let reader = null;
  const close = () => { if (reader) reader.stop(); node.close(); };
  const node = dialog(h('h2', {}, t('countersign_colleague')), body, message,
    button(t('close'), close, { kind: 'quiet', class: 'btn btn-quiet btn-block', id: 'cs-colleague-close' }));
  const showProof = async (request, key) => {
    const proof = await handover.sign(request, user, key);
    body.replaceChildren(h('p', { class: 'step' }, t('handover_show_proof', { name: request.inspector_name || '' })),
      await qrCode(proof, 'cs-proof-qr'), h('p', { class: 'hint' }, t('handover_signed_note')));
    message.replaceChildren();
  };
  // A shift handover's request: the incoming guard reads what is handed
  // over and signs with their key; the proof goes back to the outgoing
  // guard's phone.
  const reviewShift = async (scanned) => {
    let request = null;
    try {
      request = shift.parseRequest(scanned, user);
    } catch (error) {
      message.replaceChildren(banner(problem(error), 'error'));
      return;
    }
    reader.stop();
    let key = await handover.ownKey(user.id);
    if (!key && navigator.onLine) key = await handover.prepareOwnKey(user, t('countersign_key_name')).catch(() => null);
    const items = request.content.items;
    const rows = [[t('shift_handover_from'), request.outgoing_name], [t('shift_handover_post'), request.content.post],
      ...[['open_matters', items.open_matters], ['equipment', items.equipment], ['keys_and_items', items.keys_and_items],
        ['remarks', items.remarks]].filter(([, v]) => v).map(([k, v]) => [t(`handover_items_${k}`), v])];
    const sign = async () => {
      try {
        body.replaceChildren(h('p', { class: 'step' }, t('handover_show_proof', { name: request.outgoing_name || '' })),
          await qrCode(await shift.sign(request, user, key), 'cs-proof-qr'), h('p', { class: 'hint' }, t('shift_handover_signed_note')));
        message.replaceChildren();
      } catch (error) {
        message.replaceChildren(banner(problem(error), 'error'));
      }
    };
    const action = key ? button([icon('pen', 20), t('handover_sign')], sign, { class: 'btn btn-primary btn-block', id: 'cs-colleague-sign' })
      : banner(t('handover_no_key'), 'warn');
    body.replaceChildren(h('p', { class: 'step' }, t('shift_handover_review')),
      h('dl', { class: 'subject', id: 'cs-subject' }, rows.map(([term, value]) => [h('dt', {}, term), h('dd', {}, value)])), action);
  };
  const review = async (scanned) => {
    message.replaceChildren();
    if (shift.isRequest(scanned)) { await reviewShift(scanned); return; }
    let request = null;
    try {
      request = handover.parseRequest(scanned);
    } catch (error) {
      message.replaceChildren(banner(problem(error), 'error'));
      return;
    }
    reader.stop();
    const refused = handover.refusal(request, user);
    let key = await handover.ownKey(user.id);
    if (!key && !refused && navigator.onLine) key = await handover.prepareOwnKey(user, t('countersign_key_name')).catch(() => null);
    const sign = async () => {
      try {
        await showProof(request, key);
      } catch (error) {
        message.replaceChildren(banner(problem(error), 'error'));
      }
    };
    let action = button([icon('pen', 20), t('handover_sign')], sign, { class: 'btn btn-primary btn-block', id: 'cs-colleague-sign' });
    if (refused) action = banner(problem(refused), 'error');
    else if (!key) action = banner(t('handover_no_key'), 'warn');
    body.replaceChildren(h('p', { class: 'step' }, t('handover_review')), await subjectOf(request), action);
  };
  reader = qrReader(review, t('handover_scan_request'));
  body.append(reader.element);
  return node;
}
