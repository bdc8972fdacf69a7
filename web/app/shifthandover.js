// shifthandover is a shift handover (交接班) started on the outgoing
// guard's phone with no network (issue 16 item 4): the outgoing guard
// picks the incoming guard from the site's people (site_person in the
// replica), both sign on this phone, and the incoming guard proves the
// signature theirs the way a countersign is proven: their own phone,
// signed in as them with their key, reads this handover by QR, signs its
// id and content digest, and shows the proof back (docs/sync-protocol.md,
// "Shift handover on one phone"). One handover.start carries both.

import * as store from '../shared/store.js';
import * as sync from '../shared/sync.js';
import { contentDigest } from '../shared/engine.js';
import { HandoverError } from './handover.js';

export const REQUEST = 'shift-handover-request';
export const PROOF = 'shift-handover-proof';
const VERSION = 1;
const MESSAGE = 'patrolsync-handover-v1';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// draft is a new handover as both guards sign it: the content (what the
// server's content_digest covers, duties.digestOf) and who is who. Texts
// are trimmed and the time is whole seconds, as the server keeps them.
export function draft({ siteID, post, shiftID, outgoing, incoming, items }) {
  const kept = { equipment: items.equipment.trim() };
  for (const key of ['open_matters', 'keys_and_items', 'remarks']) {
    if (items[key] && items[key].trim()) kept[key] = items[key].trim();
  }
  return {
    id: store.uuidv7(), outgoing_name: outgoing.name, incoming_name: incoming.name,
    content: {
      site_id: siteID, post: post.trim(), shift_id: shiftID || null, outgoing_user_id: outgoing.id,
      incoming_user_id: incoming.user_id, handed_at: new Date().toISOString().replace(/\.\d+Z$/, 'Z'), items: kept,
    },
  };
}

// digest is the handover's content_digest, computed by the Go engine
// exactly as the server computes it.
export function digest(handover) {
  return contentDigest(handover.content);
}

// message is the text the incoming guard's key signs (duties.HandoverMessage).
export function message(handoverID, contentDigest, userID, keyID, signedAt) {
  return [MESSAGE, `handover_id=${handoverID.toLowerCase()}`, `content_digest=${contentDigest.toLowerCase()}`,
    `user_id=${userID.toLowerCase()}`, `key_id=${keyID.toLowerCase()}`, `signed_at=${signedAt}`].join('\n');
}

// requestText is what the outgoing guard's phone shows the incoming
// guard's phone: the whole content, so that it shows what is signed and
// computes the digest itself.
export function requestText(handover) {
  return JSON.stringify({ patrolsync: REQUEST, v: VERSION, handover_id: handover.id, outgoing_name: handover.outgoing_name,
    content: handover.content });
}

// isRequest tells a shift handover's request from a countersign's.
export function isRequest(text) {
  try {
    const value = JSON.parse(text);
    return !!value && value.patrolsync === REQUEST;
  } catch {
    return false;
  }
}

// parseRequest reads a scanned request on the incoming guard's phone and
// refuses one that names someone else as the incoming guard.
export function parseRequest(text, user) {
  let request = null;
  try {
    request = JSON.parse(text);
  } catch {
    throw new HandoverError('handover_not_ours');
  }
  if (!request || request.patrolsync !== REQUEST || !request.content || !UUID.test(request.handover_id || '')) {
    throw new HandoverError('handover_not_ours');
  }
  if (request.v !== VERSION) throw new HandoverError('handover_version');
  if (String(request.content.incoming_user_id).toLowerCase() !== user.id.toLowerCase()) {
    throw new HandoverError('shift_handover_not_you');
  }
  return request;
}

// sign is the incoming guard's proof, made on their own phone with their
// own key: it signs the handover's id and the digest of the content shown.
export async function sign(request, user, key) {
  const signedAt = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const contentDigest = await digest({ content: request.content });
  const text = new TextEncoder().encode(message(request.handover_id, contentDigest, user.id, key.id, signedAt));
  const signature = new Uint8Array(await crypto.subtle.sign('Ed25519', key.privateKey, text));
  return JSON.stringify({ patrolsync: PROOF, v: VERSION, handover_id: request.handover_id, content_digest: contentDigest,
    user_id: user.id, key_id: key.id, signed_at: signedAt, signature: base64(signature) });
}

// acceptProof reads the proof back on the outgoing guard's phone: it must
// be for this handover, this content and the incoming guard named in it.
// Whether the key and signature hold is the server's to say.
export async function acceptProof(text, handover) {
  let proof = null;
  try {
    proof = JSON.parse(text);
  } catch {
    throw new HandoverError('handover_not_ours');
  }
  if (!proof || proof.patrolsync === REQUEST) throw new HandoverError('handover_want_proof');
  if (proof.patrolsync !== PROOF) throw new HandoverError('handover_not_ours');
  if (proof.handover_id !== handover.id || proof.content_digest !== await digest(handover)) {
    throw new HandoverError('handover_other_item');
  }
  if (String(proof.user_id).toLowerCase() !== handover.content.incoming_user_id.toLowerCase()) {
    throw new HandoverError('shift_handover_not_incoming');
  }
  for (const key of ['key_id', 'signed_at', 'signature']) {
    if (typeof proof[key] !== 'string' || !proof[key]) throw new HandoverError('handover_not_ours');
  }
  return { key_id: proof.key_id, signed_at: proof.signed_at, signature: proof.signature };
}

// start queues handover.start: the outgoing guard's signature and, when
// the incoming guard signed here, theirs with its proof.
export async function start(handover, outgoingStrokes, incoming) {
  const { content } = handover;
  const payload = {
    site_id: content.site_id, post: content.post, incoming_user_id: content.incoming_user_id, handed_at: content.handed_at,
    items: content.items, signature: { strokes: outgoingStrokes, signed_at: new Date().toISOString() },
  };
  if (content.shift_id) payload.shift_id = content.shift_id;
  if (incoming) payload.incoming = incoming;
  await store.saveDraft(null, [store.mutation('handover.start', 'handover', handover.id, payload)]);
  sync.syncSoon(0);
}

function base64(bytes) {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}
