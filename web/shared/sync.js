// sync is the browser twin of internal/client: it takes evidence through
// declare → upload → complete, pushes the outbox in the order the guard
// acted, and pulls the replica, as docs/sync-protocol.md says. Transient
// failures (offline, timeouts, 5xx, 429) keep everything and retry after
// min(cap, base·2^attempt) with full jitter, or the server's Retry-After.
// A 413 splits the batch; a 410 on pull drops the replica (never the
// outbox) and pulls from scratch.

import * as api from './api.js';
import * as store from './store.js';

const BATCH = 100;
const PULL_LIMIT = 500;
const MAX_RESETS = 3;
const UPLOAD_ROUNDS = 3;
export const BACKOFF = { base: 500, cap: 60000, maxRetryAfter: 600000 };

// LOCAL_TYPES are outbox entries sent through their own REST call rather
// than push: the rectification of a finding, with its Idempotency-Key.
const LOCAL_TYPES = new Set(['finding.rectify']);

// problem is what the last failure means for the guard, in words the app
// shows: offline (no network on the phone), unreachable (a network, but
// no answer from the server), busy (the server answered 5xx, 429 or 408:
// try later), signed_out (the session ended: sign in again) or refused
// (the server refused the batch as it is; lastError says why).
const state = { phase: 'idle', attempt: 0, lastSyncAt: null, lastError: '', problem: '', nextRetryAt: null };
const listeners = new Set();
let running = null;
let again = false;
let timer = null;

export function status() {
  return { ...state };
}

export function onStatus(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function set(update) {
  Object.assign(state, update);
  for (const listener of listeners) listener(status());
}

// ceiling and delay are Backoff.Ceiling and Backoff.Delay of internal/client.
export function ceiling(attempt, backoff = BACKOFF) {
  let value = backoff.base;
  for (let index = 0; index < attempt && value < backoff.cap; index += 1) value *= 2;
  return Math.min(value, backoff.cap);
}

export function delay(attempt, retryAfter, random = Math.random, backoff = BACKOFF) {
  if (retryAfter !== null && retryAfter !== undefined) return Math.min(retryAfter, backoff.maxRetryAfter);
  return Math.floor(random() * (ceiling(attempt, backoff) + 1));
}

// start wires sync to the browser: on coming online, on a timer and on
// demand. It returns at once.
export function start() {
  window.addEventListener('online', () => { set({ attempt: 0 }); syncSoon(0); });
  window.addEventListener('offline', () => set({ phase: 'offline' }));
  if (!navigator.onLine) set({ phase: 'offline' });
  setInterval(() => { if (!running && !timer) syncSoon(0); }, 60000);
  syncSoon(0);
}

// syncSoon schedules a sync after ms (replacing a later one).
export function syncSoon(ms = 300) {
  if (timer) clearTimeout(timer);
  timer = setTimeout(() => { timer = null; syncNow(); }, ms);
}

// syncNow runs one sync, or, when one is running, one more after it (what
// changed meanwhile is sent and pulled too); it resolves when they end.
export function syncNow() {
  if (running) {
    again = true;
    return running;
  }
  running = (async () => {
    do {
      again = false;
      await run();
    } while (again);
  })().finally(() => { running = null; });
  return running;
}

async function run() {
  const current = await store.session();
  if (!current || !current.user) return;
  if (!navigator.onLine) {
    set({ phase: 'offline' });
    return;
  }
  set({ phase: 'syncing', lastError: '', problem: '', nextRetryAt: null });
  try {
    for (let round = 0; round < 5; round += 1) {
      await push();
      await pull();
      const { waiting, unsent } = await store.counts();
      if (waiting === 0 && unsent === 0) break;
    }
    set({ phase: 'idle', attempt: 0, lastSyncAt: new Date().toISOString() });
  } catch (error) {
    // A sync asked for while this one ran (a write, the network coming
    // back) must not run at once after a failure: that would skip the
    // backoff. The retry scheduled below sends what it would have.
    again = false;
    if (error instanceof api.NeedLogin) {
      set({ phase: 'login', lastError: error.message, problem: 'signed_out' });
      return;
    }
    const transient = !(error instanceof api.ApiError) || error.transient;
    const wait = delay(state.attempt, error.retryAfter);
    // A refused batch is not tried again by itself (nothing would change):
    // it has no next try until the guard asks or something new is written.
    const retry = transient || error.status === 409;
    set({
      phase: navigator.onLine ? 'error' : 'offline', attempt: state.attempt + 1,
      lastError: error.message, problem: problemOf(error), nextRetryAt: retry ? new Date(Date.now() + wait).toISOString() : null,
    });
    if (retry) {
      // The try that failed, the wait drawn and the ceiling it was drawn
      // under (or the server's Retry-After; -1 when none): a phone's log.
      console.info('sync retry', state.attempt, wait, ceiling(state.attempt - 1), error.retryAfter ?? -1);
      syncSoon(wait);
    }
  }
}

// problemOf names what a failed sync means for the guard (state.problem).
export function problemOf(error) {
  if (error instanceof api.NeedLogin) return 'signed_out';
  if (!(error instanceof api.ApiError) || error.status === 0) return navigator.onLine ? 'unreachable' : 'offline';
  if (error.transient || error.status === 409) return 'busy';
  return 'refused';
}

// push mirrors client.push: media before every batch, so that no submit
// reaches the server before the media it names are declared.
async function push() {
  let limit = BATCH;
  for (;;) {
    // The batch is read before the media are sent, never after: a photo or
    // signature stored while earlier media were being sent, and the submit
    // naming it queued just after, would otherwise reach the server before
    // the medium was declared, and be refused for it.
    const head = await store.outboxHead(limit);
    await sendMedia();
    if (head.length === 0) return;
    if (LOCAL_TYPES.has(head[0].type)) {
      await sendLocal(head[0]);
      continue;
    }
    const local = head.findIndex((entry) => LOCAL_TYPES.has(entry.type));
    const batch = local === -1 ? head : head.slice(0, local);
    let results;
    try {
      results = await send(batch);
    } catch (error) {
      if (error instanceof api.ApiError && error.status === 413) {
        if (batch.length > 1) {
          limit = Math.floor(batch.length / 2);
          continue;
        }
        results = [{ mutation_id: batch[0].mutation_id, status: 'rejected', entity_id: batch[0].entity_id,
          errors: [{ pointer: '', detail: 'too_large' }] }];
      } else {
        throw error;
      }
    }
    const settled = await store.settle(batch, results);
    if (settled.length === 0) throw new Error('the server answered none of the mutations sent');
  }
}

async function send(batch) {
  const mutations = batch.map((entry) => {
    const body = { mutation_id: entry.mutation_id, type: entry.type, entity_id: entry.entity_id,
      payload: entry.payload, client_time: entry.client_time };
    if (entry.base_version !== undefined) body.base_version = entry.base_version;
    return body;
  });
  try {
    const answer = await api.request('POST', '/v1/sync/push', { body: { mutations } });
    return answer.results || [];
  } catch (error) {
    await store.noteAttempt(batch.map((entry) => entry.seq), error.message);
    throw error;
  }
}

// sendLocal sends an outbox entry that has its own endpoint; a refusal is
// kept as a rejected result, like a rejected mutation.
async function sendLocal(entry) {
  let result;
  try {
    if (entry.type === 'finding.rectify') {
      const finding = await api.request('POST', `/v1/findings/${entry.entity_id}/rectify`, {
        body: entry.payload, idempotencyKey: entry.mutation_id,
      });
      result = { mutation_id: entry.mutation_id, status: 'applied', entity_id: entry.entity_id, version: finding.version };
    }
  } catch (error) {
    if (error instanceof api.ApiError && !error.transient && error.status !== 401) {
      const status = error.status === 409 || error.status === 412 ? 'conflict' : 'rejected';
      result = { mutation_id: entry.mutation_id, status, entity_id: entry.entity_id,
        errors: error.errors.length ? error.errors : [{ pointer: '', detail: error.message }] };
    } else {
      await store.noteAttempt([entry.seq], error.message);
      throw error;
    }
  }
  await store.settle([entry], [result]);
}

// sendMedia mirrors client.sendMedia: each medium resumes from its recorded
// step. A refused medium is marked failed and kept, never dropped.
async function sendMedia() {
  for (const medium of await store.unsentMedia()) {
    try {
      await sendOne(medium);
    } catch (error) {
      await store.setMediaState(medium.id, medium.state, { last_error: error.message });
      throw error;
    }
  }
}

async function sendOne(medium) {
  let current = medium.state;
  let last = null;
  for (let round = 0; round < UPLOAD_ROUNDS; round += 1) {
    if (current === 'uploaded') {
      if (await complete(medium)) return;
      current = 'declared';
      continue;
    }
    let declared;
    try {
      declared = await api.request('POST', '/v1/media', { body: declaration(medium) });
    } catch (error) {
      if (refused(error)) return fail(medium, error);
      throw error;
    }
    if (declared.status === 'stored' || !declared.upload) {
      await store.setMediaState(medium.id, 'stored', { last_error: '' });
      return;
    }
    await store.setMediaState(medium.id, 'declared');
    try {
      await uploadBytes(medium, declared.upload);
    } catch (error) {
      if (refused(error)) { last = error; current = 'queued'; continue; }
      throw error;
    }
    await store.setMediaState(medium.id, 'uploaded');
    current = 'uploaded';
  }
  await fail(medium, last || new Error(`not stored after ${UPLOAD_ROUNDS} uploads`));
}

function refused(error) {
  return error instanceof api.ApiError && !error.transient && error.status !== 401;
}

async function fail(medium, error) {
  await store.setMediaState(medium.id, 'failed', { last_error: error.message });
}

export function declaration(medium) {
  const body = {
    id: medium.id, sha256: medium.sha256, size: medium.size, content_type: medium.content_type,
    kind: medium.kind, inspection_id: medium.owner_id, item_key: medium.item_key || '',
    captured_at: medium.captured_at,
  };
  if (medium.location) body.location = medium.location;
  if (medium.signature) body.signature = medium.signature;
  return body;
}

async function uploadBytes(medium, plan) {
  const fresh = await store.media(medium.id);
  if (!fresh || !fresh.blob) throw new Error('the evidence bytes are missing on this device');
  if (!plan.part_size) {
    await api.upload(plan.method, plan.url, plan.headers, fresh.blob);
    return;
  }
  for (const part of plan.parts || []) {
    const start = (part.number - 1) * plan.part_size;
    const end = Math.min(start + plan.part_size, fresh.blob.size);
    await api.upload(part.method, part.url, part.headers, fresh.blob.slice(start, end));
  }
}

async function complete(medium) {
  try {
    const view = await api.request('POST', `/v1/media/${medium.id}/complete`);
    if (view.status === 'stored') {
      await store.setMediaState(medium.id, 'stored', { last_error: '' });
      return true;
    }
    throw new Error(`complete answered ${view.status}`);
  } catch (error) {
    if (error instanceof api.ApiError && (error.status === 409 || error.status === 422)) {
      await store.setMediaState(medium.id, 'declared');
      return false;
    }
    if (refused(error)) {
      await fail(medium, error);
      return true;
    }
    throw error;
  }
}

// pull mirrors client.pull.
async function pull() {
  let resets = 0;
  for (;;) {
    const cursor = await store.getKV('cursor');
    const query = new URLSearchParams({ limit: String(PULL_LIMIT) });
    if (cursor) query.set('cursor', cursor);
    let page;
    try {
      page = await api.request('GET', `/v1/sync/pull?${query}`);
    } catch (error) {
      if (error instanceof api.ApiError && error.status === 410 && resets < MAX_RESETS) {
        resets += 1;
        await store.dropReplica();
        continue;
      }
      throw error;
    }
    await store.applyPage(page.changes || [], page.next_cursor);
    if (!page.has_more || !page.next_cursor || (page.next_cursor === cursor && page.changes.length === 0)) return;
  }
}

// retryFailedMedia puts evidence the server refused back in the queue, when
// the guard asks after fixing what was wrong.
export async function retryFailedMedia() {
  for (const medium of await store.allMedia()) {
    if (medium.state === 'failed' && medium.blob) await store.setMediaState(medium.id, 'queued', { last_error: '' });
  }
  syncSoon(0);
}
