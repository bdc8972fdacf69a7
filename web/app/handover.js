// handover is the countersign handed from phone to phone by QR code, with
// no network (docs/sync-protocol.md, "Countersignatures"): the inspector's
// phone shows a request, the countersigner's own phone (signed in as
// them, with their key) checks it, signs and shows a proof, which the
// inspector's phone reads back into the answer. Only the countersigner's
// phone holds their key; the server verifies the proof at submit. This
// module builds and checks the two texts; the dialogs are in countersign.js.

import * as api from '../shared/api.js';
import * as store from '../shared/store.js';
import * as evidence from './evidence.js';

export const REQUEST = 'countersign-request';
export const PROOF = 'countersign';
const VERSION = 1;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// HandoverError is a text that cannot be used, with the i18n key that says
// why (and its parameters).
export class HandoverError extends Error {
  constructor(key, params = {}) {
    super(key);
    this.name = 'HandoverError';
    this.key = key;
    this.params = params;
  }
}

// requestText is what the inspector's phone shows for the item at path:
// enough for the countersigner's phone to show what is signed (the
// template version and site from its replica) and to compute the answer
// digest itself from the answer's content.
export function requestText({ inspectionID, templateVersionID, siteID, path, role, inspector, answer }) {
  return JSON.stringify({
    patrolsync: REQUEST, v: VERSION, inspection_id: inspectionID, template_version_id: templateVersionID, site_id: siteID,
    item: path, role: role || 'any', inspector_id: inspector.id, inspector_name: inspector.name || '',
    answer: evidence.signedContent(answer),
  });
}

function parse(text, kind) {
  let value = null;
  try {
    value = JSON.parse(text);
  } catch {
    throw new HandoverError('handover_not_ours');
  }
  if (!value || typeof value !== 'object' || (value.patrolsync !== REQUEST && value.patrolsync !== PROOF)) {
    throw new HandoverError('handover_not_ours');
  }
  if (value.patrolsync !== kind) throw new HandoverError(kind === PROOF ? 'handover_want_proof' : 'handover_want_request');
  if (value.v !== VERSION) throw new HandoverError('handover_version');
  for (const key of ['inspection_id', kind === REQUEST ? 'inspector_id' : 'user_id']) {
    if (!UUID.test(value[key] || '')) throw new HandoverError('handover_not_ours');
  }
  if (typeof value.item !== 'string' || !value.item.startsWith('/')) throw new HandoverError('handover_not_ours');
  return value;
}

// parseRequest reads a scanned request on the countersigner's phone.
export function parseRequest(text) {
  const request = parse(text, REQUEST);
  if (!request.answer || typeof request.answer !== 'object') throw new HandoverError('handover_not_ours');
  return request;
}

// holdsRole mirrors the server's rule (internal/countersign): "guard" and
// "supervisor" ask for that role or a stronger one, other roles for anyone.
export function holdsRole(role, asked) {
  const rank = { guard: 1, supervisor: 2, admin: 3 };
  if (asked === 'guard' || asked === 'supervisor') return (rank[role] || 0) >= rank[asked];
  return role in rank;
}

// refusal says why user must not sign request, before anything is signed:
// the checks the server makes that this phone can know. Null when none.
export function refusal(request, user) {
  if (request.inspector_id.toLowerCase() === user.id.toLowerCase()) return new HandoverError('handover_self');
  if (!holdsRole(user.role, request.role)) return new HandoverError(`handover_role_${request.role}`);
  if (user.role !== 'admin' && !(user.site_ids || []).includes(request.site_id)) return new HandoverError('handover_site');
  return null;
}

const slot = (userID) => `countersign-key:${userID}`;

// ownKey is the signed-in user's countersign key on this phone. It is made
// and registered online (at sign-in, see prepareOwnKey); offline the key
// kept here is used as it is, and null means none was ever made here.
export async function ownKey(userID) {
  const kept = await store.getKV(slot(userID));
  return kept && kept.id && kept.privateKey ? kept : null;
}

// prepareOwnKey makes sure the signed-in user has a registered key on this
// phone, so that they can countersign for a colleague later with no
// network. It needs the network; a failure is left for the next sign-in.
export async function prepareOwnKey(user, name) {
  const call = (method, path, body) => api.request(method, path, { body });
  return evidence.countersignKey(call, name, user.id);
}

// sign is the countersigner's proof for a request: their key signs the
// request's inspection, item and the digest of its answer (computed here
// by the engine from the answer shown, never taken from the request).
export async function sign(request, user, key) {
  const proof = await evidence.countersign({
    inspectionID: request.inspection_id, path: request.item, answer: request.answer, userID: user.id, key,
  });
  return JSON.stringify({
    patrolsync: PROOF, v: VERSION, inspection_id: request.inspection_id, item: request.item,
    answer_sha256: await evidence.digestOf(request.answer), ...proof, name: user.name || '',
  });
}

// acceptProof reads a scanned proof back on the inspector's phone and
// answers {person: {id, name}, countersign} for the answer, after checking
// it is for this inspection, this item and this answer as it stands now.
// Whether the key and signature hold is the server's to say at submit.
export async function acceptProof(text, { inspectionID, path, answer, inspectorID }) {
  const proof = parse(text, PROOF);
  if (proof.inspection_id.toLowerCase() !== inspectionID.toLowerCase() || proof.item !== path) {
    throw new HandoverError('handover_other_item');
  }
  if (proof.answer_sha256 !== await evidence.digestOf(answer)) throw new HandoverError('handover_answer_changed');
  if (proof.user_id.toLowerCase() === inspectorID.toLowerCase()) throw new HandoverError('handover_self');
  for (const key of ['key_id', 'signed_at', 'signature']) {
    if (typeof proof[key] !== 'string' || !proof[key]) throw new HandoverError('handover_not_ours');
  }
  return {
    person: { id: proof.user_id, name: typeof proof.name === 'string' && proof.name ? proof.name : proof.user_id },
    countersign: { user_id: proof.user_id, key_id: proof.key_id, signed_at: proof.signed_at, signature: proof.signature },
  };
}
