// duty is the guard's duty on the phone (issue 16 item 4): their shifts
// of today, handovers waiting for their signature as the incoming guard,
// and what they write and sign, each a change to the store (a mutation
// in the outbox) sent when online: duty_log.write, handover.sign and
// training.attend, the same rules as the server's REST routes.

import * as store from '../shared/store.js';
import * as sync from '../shared/sync.js';

// shiftsToday are the user's live shifts from 12 hours ago to a day
// ahead, soonest first.
export async function shiftsToday(userID, now = Date.now()) {
  const shifts = await store.records('duty_shift');
  return shifts.filter((x) => x.user_id === userID && !x.cancelled && Date.parse(x.ends_at) > now - 12 * 3600000
    && Date.parse(x.starts_at) < now + 24 * 3600000).sort((a, b) => a.starts_at.localeCompare(b.starts_at));
}

// awaitingMe are handovers naming the user as the incoming guard that
// they have not signed (neither on the server nor in the outbox).
export async function awaitingMe(userID) {
  const [handovers, queued] = await Promise.all([store.records('handover'), store.outbox()]);
  const signed = new Set(queued.filter((m) => m.type === 'handover.sign').map((m) => m.entity_id));
  return handovers.filter((x) => x.incoming_user_id === userID && x.status === 'awaiting_incoming' && !signed.has(x.id));
}

// writeLog writes a line of the duty log.
export async function writeLog(siteID, kind, text, shiftID) {
  const id = store.uuidv7();
  const payload = { site_id: siteID, kind, text, occurred_at: new Date().toISOString() };
  if (shiftID) payload.shift_id = shiftID;
  await store.saveDraft(null, [store.mutation('duty_log.write', 'duty_log_entry', id, payload)]);
  sync.syncSoon(0);
  return id;
}

// signHandover signs a handover as the incoming guard, over the content
// digest the phone holds.
export async function signHandover(handover, strokes) {
  const payload = { content_digest: handover.content_digest, signature: { strokes, signed_at: new Date().toISOString() } };
  await store.saveDraft(null, [store.mutation('handover.sign', 'handover', handover.id, payload)]);
  sync.syncSoon(0);
}

// signInEarly and signInLate are the server's window for signing a
// training's attendance sheet: an hour either side of the session.
const signInEarly = 3600000;
const signInLate = 3600000;

// trainingsToSign are the sessions running now (an hour either side) whose
// sheet the user has not signed, neither on the server nor in the outbox.
export async function trainingsToSign(userID, now = Date.now()) {
  const [trainings, queued] = await Promise.all([store.records('training'), store.outbox()]);
  const signed = new Set(queued.filter((m) => m.type === 'training.attend').map((m) => m.entity_id));
  return trainings.filter((x) => !signed.has(x.id) && !(x.attendance || []).some((a) => a.user_id === userID)
    && Date.parse(x.starts_at) - signInEarly <= now && Date.parse(x.ends_at) + signInLate >= now)
    .sort((a, b) => a.starts_at.localeCompare(b.starts_at));
}

// attend signs a training's attendance sheet with the user's drawn
// signature (004: monthly security-skills training, attendees sign).
export async function attend(training, strokes) {
  const payload = { signature: { strokes, signed_at: new Date().toISOString() } };
  await store.saveDraft(null, [store.mutation('training.attend', 'training', training.id, payload)]);
  sync.syncSoon(0);
}
