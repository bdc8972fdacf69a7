// signinhere lets the incoming guard take over the outgoing guard's phone
// after a shift handover (交接班, 003 "中午交接或换班": the post, and with it
// the post's phone, passes to the incoming guard). Before the outgoing
// guard is signed out, everything of theirs still on the phone (the
// outbox, photos and signatures, the handover itself) is sent under their
// own session, so nothing is lost and nothing is sent as the wrong person.
// When it cannot all be sent (offline, the server busy or refusing), the
// outgoing guard stays signed in and is told why; nothing is dropped.

import * as api from '../shared/api.js';
import * as store from '../shared/store.js';
import * as sync from '../shared/sync.js';

// handedOver remembers on the phone's session that its user handed the
// shift over to name, so that My duty offers the incoming guard the phone.
export async function handedOver(handover) {
  await store.saveSession({ handed: { id: handover.id, name: handover.incoming_name, from: handover.outgoing_name } });
}

// offer is the handover this phone's user last handed over, or null.
export async function offer() {
  const session = await store.session();
  return (session && session.handed) || null;
}

// signInHere sends the outgoing guard's work, then signs them out. It
// returns null when the phone is ready for the incoming guard's sign-in,
// or why it is not: { reason: 'offline' | 'unsent' | 'problems', n }.
export async function signInHere() {
  const left = async () => {
    const counts = await store.counts();
    return counts.waiting + counts.unsent;
  };
  if (!navigator.onLine) return { reason: 'offline', n: await left() };
  await sync.syncNow();
  const n = await left();
  const status = sync.status();
  // Still waiting: the server was busy or unreachable, or the session of
  // the outgoing guard ended (they must sign in again to send it).
  if (n || status.phase !== 'idle') return { reason: status.problem === 'offline' || !navigator.onLine ? 'offline' : 'unsent', n, problem: status.problem };
  // A record the server refused is the outgoing guard's to see and
  // dismiss; it would be hidden from them once another guard signs in.
  const problems = (await store.counts()).problems;
  if (problems) return { reason: 'problems', n: problems };
  const handed = await offer();
  await api.logout();
  // The sign-in screen greets the incoming guard, not the outgoing one
  // (their email is not filled in, and "your session ended" is not said).
  await store.saveSession({ email: '', handed: null, taking_over: handed });
  return null;
}

// takenOver is said after the incoming guard has signed in.
export async function takenOver() {
  await store.saveSession({ taking_over: null, handed: null });
}
