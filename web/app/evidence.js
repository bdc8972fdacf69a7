// evidence turns what the phone captures into media records the store
// keeps until the server has them: photos downscaled to a long edge of at
// most 2048 px as JPEG, signatures drawn as strokes and rendered to PNG,
// each hashed with WebCrypto. It also reads the position and tags (QR via
// BarcodeDetector or the engine's decoder, NFC via Web NDEF) where the
// browser has them.

import * as store from '../shared/store.js';
import { uuidv7 } from '../shared/store.js';
// The engine module (with Go's wasm_exec.js) is imported when first
// needed, so the first screen never waits for it.
const engine = () => import('../shared/engine.js');

export const MAX_EDGE = 2048;
const THUMB_EDGE = 240;

export async function sha256Hex(blob) {
  const digest = await crypto.subtle.digest('SHA-256', await blob.arrayBuffer());
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, '0')).join('');
}

async function decode(file) {
  if (globalThis.createImageBitmap) {
    try {
      return await createImageBitmap(file, { imageOrientation: 'from-image' });
    } catch {
      // Fall back to an <img>, which some browsers decode more formats with.
    }
  }
  const url = URL.createObjectURL(file);
  try {
    const image = new Image();
    image.src = url;
    await image.decode();
    return image;
  } finally {
    URL.revokeObjectURL(url);
  }
}

function draw(source, width, height, edge) {
  const scale = Math.min(1, edge / Math.max(width, height));
  const canvas = document.createElement('canvas');
  canvas.width = Math.max(1, Math.round(width * scale));
  canvas.height = Math.max(1, Math.round(height * scale));
  const context = canvas.getContext('2d');
  context.fillStyle = '#fff';
  context.fillRect(0, 0, canvas.width, canvas.height);
  context.drawImage(source, 0, 0, canvas.width, canvas.height);
  return canvas;
}

function toBlob(canvas, type, quality) {
  return new Promise((resolve, reject) => canvas.toBlob(
    (blob) => (blob ? resolve(blob) : reject(new Error('the image could not be encoded'))), type, quality));
}

async function thumbnail(source, width, height) {
  const canvas = draw(source, width, height, THUMB_EDGE);
  return canvas.toDataURL('image/jpeg', 0.7);
}

// photo makes a media record from a picked or captured image file.
export async function photo(file, { ownerID, itemKey, location }) {
  const image = await decode(file);
  const width = image.width || image.naturalWidth;
  const height = image.height || image.naturalHeight;
  const canvas = draw(image, width, height, MAX_EDGE);
  const blob = await toBlob(canvas, 'image/jpeg', 0.85);
  const thumb = await thumbnail(image, width, height);
  if (image.close) image.close();
  return {
    id: uuidv7(), seq: Date.now(), owner_id: ownerID, item_key: itemKey, kind: 'photo', content_type: 'image/jpeg',
    sha256: await sha256Hex(blob), size: blob.size, blob, thumb, width: canvas.width, height: canvas.height,
    captured_at: new Date().toISOString(), location: location || null, state: 'queued', last_error: '',
  };
}

// signature makes a media record from the pad's strokes ([[x, y], …] per
// stroke) and the PNG it drew, with what the API asks of a signature.
// id, when given, is the medium's id (made with newID): a signature item
// names it in the answer its contentDigest is the digest of.
export async function signature(pad, { id, ownerID, itemKey, signerUserID, signerName, signerRole, contentDigest }) {
  const blob = await toBlob(pad.canvas, 'image/png');
  const details = {
    strokes: pad.strokes, signer_role: signerRole || 'guard', signed_at: new Date().toISOString(),
    content_digest: contentDigest,
  };
  if (signerUserID) details.signer_user_id = signerUserID;
  else details.signer_name = signerName;
  return {
    id: id || uuidv7(), seq: Date.now(), owner_id: ownerID, item_key: itemKey, kind: 'signature', content_type: 'image/png',
    sha256: await sha256Hex(blob), size: blob.size, blob, thumb: pad.canvas.toDataURL('image/png'),
    captured_at: details.signed_at, signature: details, state: 'queued', last_error: '',
  };
}

// newID is a fresh media id.
export function newID() {
  return uuidv7();
}

// signedContent is what a signature or a countersignature agrees to: the
// answer's value, note and media as they will be submitted.
export function signedContent(answer) {
  const out = {};
  for (const key of ['value', 'note', 'media']) if (answer && answer[key] !== undefined) out[key] = answer[key];
  return out;
}

// digestOf is checklists.AnswerDigest of an answer, computed by the Go
// engine so that it is exactly what the server checks: the content_digest
// of a drawn signature and the answer_sha256 a countersigner signs.
export async function digestOf(answer) {
  return (await engine()).answerDigest(signedContent(answer));
}

// countersignKey is the countersigner's Ed25519 key on this phone: one per
// user and device, made and registered (with call, a request with the
// countersigner's own token, see api.identify) the first time they
// countersign here and reused after that, so keys never pile up on the
// server. A key the user revoked (DELETE /v1/me/keys/{id}, the deliberate
// rotation) is replaced by a new one. The private key cannot be exported;
// IndexedDB keeps it as a CryptoKey. Answers {id, privateKey}.
export async function countersignKey(call, name, userID) {
  const slot = `countersign-key:${userID}`;
  const kept = await store.getKV(slot);
  if (kept && kept.id && kept.privateKey) {
    const keys = await call('GET', '/v1/me/keys?limit=100');
    if ((keys.items || []).some((key) => key.id === kept.id && !key.revoked_at)) return kept;
  }
  const pair = await crypto.subtle.generateKey({ name: 'Ed25519' }, false, ['sign', 'verify']);
  const raw = new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey));
  const key = await call('POST', '/v1/me/keys', { algorithm: 'ed25519', public_key: base64(raw), name });
  const made = { id: key.id, privateKey: pair.privateKey };
  await store.setKV(slot, made);
  return made;
}

// countersign signs an answer for its countersigner (docs/sync-protocol.md,
// "Countersignatures"): the answer's countersign member, without the
// signature medium. The message comes from the Go engine, so the phone
// signs exactly the bytes the server verifies.
export async function countersign({ inspectionID, path, answer, userID, key }) {
  const signedAt = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const message = await (await engine()).countersignMessage({
    inspection_id: inspectionID, item: path, answer_sha256: await digestOf(answer),
    user_id: userID, key_id: key.id, signed_at: signedAt,
  });
  const signature = await crypto.subtle.sign('Ed25519', key.privateKey, new TextEncoder().encode(message));
  return { user_id: userID, key_id: key.id, signed_at: signedAt, signature: base64(new Uint8Array(signature)) };
}

function base64(bytes) {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

// locate answers {lat, lng, accuracy_m} or throws with the reason.
export function locate() {
  return new Promise((resolve, reject) => {
    if (!navigator.geolocation) { reject(new Error('no geolocation')); return; }
    navigator.geolocation.getCurrentPosition(
      (position) => resolve({
        lat: round(position.coords.latitude, 6), lng: round(position.coords.longitude, 6),
        accuracy_m: round(position.coords.accuracy, 1),
      }),
      (error) => reject(Object.assign(new Error(error.message || 'position unavailable'), { denied: error.code === 1 })),
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 30000 });
  });
}

function round(value, decimals) {
  const scale = 10 ** decimals;
  return Math.round(value * scale) / scale;
}

// canReadQR reports whether there is a camera to read QR codes with:
// BarcodeDetector where the browser has it, else the WebAssembly engine's
// decoder (iPhones).
export function canReadQR() {
  return !!(navigator.mediaDevices && navigator.mediaDevices.getUserMedia);
}

async function nativeDetector() {
  if (!('BarcodeDetector' in globalThis)) return null;
  try {
    const formats = await BarcodeDetector.getSupportedFormats();
    return formats.includes('qr_code') ? new BarcodeDetector({ formats: ['qr_code'] }) : null;
  } catch {
    return null;
  }
}

// readQR shows the camera in video until a QR code is read; result
// resolves with the text, or rejects when stop() is called.
export async function readQR(video) {
  const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false });
  video.srcObject = stream;
  await video.play();
  const detector = await nativeDetector();
  const canvas = document.createElement('canvas');
  const context = canvas.getContext('2d', { willReadFrequently: true });
  const frame = async () => {
    if (detector) {
      const codes = await detector.detect(video).catch(() => []);
      return codes.length ? codes[0].rawValue : null;
    }
    const scale = Math.min(1, 800 / Math.max(video.videoWidth || 1, video.videoHeight || 1));
    canvas.width = Math.round((video.videoWidth || 1) * scale);
    canvas.height = Math.round((video.videoHeight || 1) * scale);
    context.drawImage(video, 0, 0, canvas.width, canvas.height);
    return (await engine()).decodeQR(context.getImageData(0, 0, canvas.width, canvas.height));
  };
  let stopped = false;
  const stop = () => { stopped = true; stream.getTracks().forEach((track) => track.stop()); };
  const result = (async () => {
    while (!stopped) {
      const text = await frame().catch(() => null);
      if (text) { stop(); return text; }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    throw new Error('stopped');
  })();
  return { result, stop };
}

// canReadNFC reports whether the browser has Web NFC (Chrome on Android).
export function canReadNFC() {
  return 'NDEFReader' in globalThis;
}

// readNFC resolves with the tag's serial number (or its first text record).
export async function readNFC() {
  const reader = new NDEFReader();
  const controller = new AbortController();
  await reader.scan({ signal: controller.signal });
  const result = new Promise((resolve) => {
    reader.onreading = (event) => {
      let tag = event.serialNumber;
      for (const record of event.message.records) {
        if (record.recordType === 'text') tag = new TextDecoder(record.encoding || 'utf-8').decode(record.data);
      }
      controller.abort();
      resolve(tag);
    };
  });
  return { result, stop: () => controller.abort() };
}
