// store is the one place that touches IndexedDB. It holds the local replica
// (server records by entity type), the outbox (mutations in the order the
// user acted), the results the server gave them, the evidence blobs until
// the server stores them, local drafts (inspections being filled in) and the
// session (tokens, user, sync cursor). Every user action that changes a
// draft and queues a mutation does both in one transaction, so a crash
// never leaves one without the other.

const DB_NAME = 'patrolsync';
const DB_VERSION = 1;

let opening = null;
const listeners = new Set();

function promised(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

function open() {
  if (opening) return opening;
  opening = new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, DB_VERSION);
    request.onupgradeneeded = () => {
      const db = request.result;
      db.createObjectStore('kv');
      const replica = db.createObjectStore('replica', { keyPath: ['type', 'id'] });
      replica.createIndex('type', 'type');
      const outbox = db.createObjectStore('outbox', { keyPath: 'seq', autoIncrement: true });
      outbox.createIndex('entity', 'entity_id');
      const results = db.createObjectStore('results', { keyPath: 'mutation_id' });
      results.createIndex('entity', 'entity_id');
      const media = db.createObjectStore('media', { keyPath: 'id' });
      media.createIndex('owner', 'owner_id');
      media.createIndex('state', 'state');
      const drafts = db.createObjectStore('drafts', { keyPath: 'id' });
      drafts.createIndex('kind', 'kind');
    };
    request.onsuccess = () => {
      const db = request.result;
      // Another tab upgrading the app closes this connection; reopen later.
      db.onversionchange = () => { db.close(); opening = null; };
      resolve(db);
    };
    request.onerror = () => { opening = null; reject(request.error); };
    request.onblocked = () => reject(new Error('the database is open in an older tab; close it'));
  });
  return opening;
}

// tx runs work(stores) in one transaction over the named object stores and
// resolves with its return value once the transaction has committed.
export async function tx(names, mode, work) {
  const db = await open();
  return new Promise((resolve, reject) => {
    const transaction = db.transaction(names, mode);
    const stores = {};
    for (const name of names) stores[name] = transaction.objectStore(name);
    let value;
    transaction.oncomplete = () => {
      if (mode === 'readwrite') notify(names);
      resolve(value);
    };
    transaction.onerror = () => reject(transaction.error);
    transaction.onabort = () => reject(transaction.error || new Error('transaction aborted'));
    Promise.resolve()
      .then(() => work(stores, transaction))
      .then((result) => { value = result; })
      .catch((error) => { try { transaction.abort(); } catch { /* already finished */ } reject(error); });
  });
}

// subscribe calls listener(names) after every committed write; screens use
// it to re-render from the store. It returns the unsubscribe function.
export function subscribe(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function notify(names) {
  for (const listener of listeners) {
    try { listener(names); } catch (error) { console.error(error); }
  }
}

export const req = promised;

// --- key/value: session, cursor, settings ---

export async function getKV(key) {
  return tx(['kv'], 'readonly', ({ kv }) => promised(kv.get(key)));
}

export async function setKV(key, value) {
  return tx(['kv'], 'readwrite', ({ kv }) => promised(kv.put(value, key)));
}

export async function session() {
  return (await getKV('session')) || null;
}

export async function saveSession(update) {
  return tx(['kv'], 'readwrite', async ({ kv }) => {
    const current = (await promised(kv.get('session'))) || {};
    const next = { ...current, ...update };
    await promised(kv.put(next, 'session'));
    return next;
  });
}

// deviceID is made once per install and kept across logins.
export async function deviceID() {
  return tx(['kv'], 'readwrite', async ({ kv }) => {
    let id = await promised(kv.get('device_id'));
    if (!id) {
      id = 'web-' + uuidv7();
      await promised(kv.put(id, 'device_id'));
    }
    return id;
  });
}

// --- replica ---

export async function records(type) {
  return tx(['replica'], 'readonly', ({ replica }) =>
    promised(replica.index('type').getAll(type))).then((rows) => rows.map((row) => row.data));
}

export async function record(type, id) {
  const row = await tx(['replica'], 'readonly', ({ replica }) => promised(replica.get([type, id])));
  return row ? row.data : null;
}

// applyPage applies one pull page and its cursor in one transaction: a crash
// between the two replays the page, which upserts make harmless.
export async function applyPage(changes, nextCursor) {
  return tx(['replica', 'kv'], 'readwrite', async ({ replica, kv }) => {
    for (const change of changes) {
      const summarizer = summarizers.get(change.entity_type);
      if (change.op === 'delete') {
        replica.delete([change.entity_type, change.entity_id]);
        if (summarizer) replica.delete([summaryType(change.entity_type), change.entity_id]);
      } else {
        replica.put({ type: change.entity_type, id: change.entity_id, version: change.version, data: change.data });
        if (summarizer) replica.put({ type: summaryType(change.entity_type), id: change.entity_id, data: summarizer(change.data) });
      }
    }
    if (nextCursor) kv.put(nextCursor, 'cursor');
  });
}

// --- summaries: the few fields of big records a first screen needs ---

// A summary of a record (summarize(type, fn): fn(record) → a small object)
// is kept beside it in the replica and written in the same transaction, so
// that a screen listing many large records (the title of every checklist
// template) reads a few fields without structured-cloning whole documents:
// that copy was most of the offline cold start (docs/benchmarks.md).
// dropReplica drops them with the records.
const summarizers = new Map();

function summaryType(type) {
  return `${type}:summary`;
}

export function summarize(type, fn) {
  summarizers.set(type, fn);
}

// summaries reads the summaries of every record of type. Records pulled
// before their type had a summarizer (an older app shell) have none: the
// counts differ, and the summaries are made once from the records.
export async function summaries(type) {
  const kind = summaryType(type);
  const kept = await tx(['replica'], 'readonly', async ({ replica }) => {
    const index = replica.index('type');
    const [records, summarized] = await Promise.all([promised(index.count(type)), promised(index.count(kind))]);
    return records === summarized ? promised(index.getAll(kind)) : null;
  });
  if (kept) return kept.map((row) => row.data);
  const summarizer = summarizers.get(type);
  return tx(['replica'], 'readwrite', async ({ replica }) => {
    const rows = await promised(replica.index('type').getAll(type));
    const made = rows.map((row) => summarizer(row.data));
    rows.forEach((row, at) => replica.put({ type: kind, id: row.id, data: made[at] }));
    return made;
  });
}

// dropReplica forgets every server record and the cursor, never the outbox,
// drafts or media (a 410 Gone answer).
export async function dropReplica() {
  return tx(['replica', 'kv'], 'readwrite', ({ replica, kv }) => {
    replica.clear();
    kv.delete('cursor');
  });
}

// --- whose records: the outbox, drafts and evidence are per user ---

// Each outbox entry, draft and medium carries the id of the user who made
// it. Sync sends only the signed-in user's, with their token: a second
// guard signing in on the same phone never pushes the first guard's work
// as their own; it waits on the phone until the first guard signs in
// again. Entries without a user (none are made so) count as anyone's.

async function userOf(kv) {
  const current = await promised(kv.get('session'));
  return (current && current.user && current.user.id) || '';
}

function mine(user) {
  return (row) => !row.user_id || row.user_id === user;
}

// --- outbox ---

// mutation builds an outbox entry for the user's action now.
export function mutation(type, entityType, entityID, payload, baseVersion) {
  const entry = {
    mutation_id: uuidv7(), type, entity_type: entityType, entity_id: entityID, payload,
    client_time: new Date().toISOString(), attempts: 0, last_error: '',
  };
  if (baseVersion !== undefined) entry.base_version = baseVersion;
  return entry;
}

// outbox is the signed-in user's queue, in the order they acted.
export async function outbox() {
  return tx(['outbox', 'kv'], 'readonly', async ({ outbox: store, kv }) =>
    (await promised(store.getAll())).filter(mine(await userOf(kv))));
}

// outboxHead is the first limit entries of the signed-in user's queue.
export async function outboxHead(limit) {
  return tx(['outbox', 'kv'], 'readonly', async ({ outbox: store, kv }) => {
    const keep = mine(await userOf(kv));
    const head = [];
    await new Promise((resolve, reject) => {
      const cursor = store.openCursor();
      cursor.onerror = () => reject(cursor.error);
      cursor.onsuccess = () => {
        const at = cursor.result;
        if (!at || head.length >= limit) { resolve(); return; }
        if (keep(at.value)) head.push(at.value);
        at.continue();
      };
    });
    return head;
  });
}

export async function noteAttempt(seqs, error) {
  return tx(['outbox'], 'readwrite', async ({ outbox: store }) => {
    for (const seq of seqs) {
      const entry = await promised(store.get(seq));
      if (!entry) continue;
      entry.attempts += 1;
      entry.last_error = error || '';
      store.put(entry);
    }
  });
}

// settle removes answered mutations from the outbox and keeps their results
// to show the guard, in one transaction. Versions the server gave are
// recorded on the local drafts.
export async function settle(batch, results) {
  const sent = new Map(batch.map((entry) => [entry.mutation_id, entry]));
  return tx(['outbox', 'results', 'drafts'], 'readwrite', async ({ outbox: store, results: kept, drafts }) => {
    const settled = [];
    for (const result of results) {
      const entry = sent.get(result.mutation_id);
      if (!entry) continue;
      sent.delete(result.mutation_id);
      kept.put({
        mutation_id: entry.mutation_id, seq: entry.seq, type: entry.type, entity_type: entry.entity_type,
        entity_id: entry.entity_id, payload: entry.payload, status: result.status, version: result.version || 0,
        errors: result.errors || [], server_record: result.server_record || null, scan: result.scan || null,
        answered_at: new Date().toISOString(), attempts: entry.attempts + 1,
      });
      store.delete(entry.seq);
      const draft = await promised(drafts.get(entry.entity_id));
      if (draft) {
        draft.sync = draftState(draft.sync, entry, result);
        drafts.put(draft);
      }
      settled.push(result);
    }
    return settled;
  });
}

// draftState folds one answered mutation into the draft's sync state:
// rejected and conflict stay until the guard acts on them.
function draftState(current, entry, result) {
  const state = { ...(current || {}) };
  if (result.version) state.version = Math.max(state.version || 0, result.version);
  if (result.status === 'rejected') {
    state.rejected = [...(state.rejected || []), { type: entry.type, errors: result.errors || [] }];
  } else if (result.status === 'conflict') {
    state.conflict = { type: entry.type, server_record: result.server_record || null };
  } else if (entry.type === 'inspection.submit' || entry.type === 'incident.report' || entry.type === 'finding.rectify') {
    state.sent = true;
  }
  return state;
}

export async function resultsFor(entityID) {
  return tx(['results'], 'readonly', ({ results }) => promised(results.index('entity').getAll(entityID)));
}

export async function allResults() {
  return tx(['results'], 'readonly', ({ results }) => promised(results.getAll()));
}

// --- drafts: local records the guard is working on ---

// drafts are the signed-in user's drafts of a kind.
export async function drafts(kind) {
  return tx(['drafts', 'kv'], 'readonly', async ({ drafts: store, kv }) =>
    (await promised(store.index('kind').getAll(kind))).filter(mine(await userOf(kv))));
}

export async function draft(id) {
  return tx(['drafts'], 'readonly', ({ drafts: store }) => promised(store.get(id)));
}

// saveDraft writes a draft and queues its mutations (and evidence) in one
// transaction, each stamped with the signed-in user.
export async function saveDraft(value, mutations = [], media = []) {
  return tx(['drafts', 'outbox', 'media', 'kv'], 'readwrite', async ({ drafts: store, outbox: queue, media: blobs, kv }) => {
    const user = await userOf(kv);
    if (value) store.put(value.user_id ? value : { ...value, user_id: user });
    for (const entry of mutations) queue.add(entry.user_id ? entry : { ...entry, user_id: user });
    for (const medium of media) blobs.put(medium.user_id ? medium : { ...medium, user_id: user });
  });
}

export async function deleteDraft(id) {
  return tx(['drafts'], 'readwrite', ({ drafts: store }) => promised(store.delete(id)));
}

// --- media: evidence kept until the server has stored it ---

export async function putMedia(medium) {
  return tx(['media', 'kv'], 'readwrite', async ({ media, kv }) =>
    promised(media.put(medium.user_id ? medium : { ...medium, user_id: await userOf(kv) })));
}

export async function media(id) {
  return tx(['media'], 'readonly', ({ media: store }) => promised(store.get(id)));
}

export async function allMedia() {
  return tx(['media'], 'readonly', ({ media: store }) => promised(store.getAll()));
}

export async function mediaFor(ownerID) {
  return tx(['media'], 'readonly', ({ media: store }) => promised(store.index('owner').getAll(ownerID)));
}

// unsentMedia lists media not yet stored (failed ones stay, never dropped,
// but are not retried until the guard asks).
// Only the signed-in user's: their token declares and completes them.
export async function unsentMedia() {
  const [all, current] = await Promise.all([allMedia(), session()]);
  const keep = mine((current && current.user && current.user.id) || '');
  return all.filter((medium) => keep(medium) && medium.state !== 'stored' && medium.state !== 'failed').sort((a, b) => a.seq - b.seq);
}

// setMediaState records a step of declare → upload → complete. Once stored,
// the full-size bytes are dropped; the thumbnail stays for the screens.
export async function setMediaState(id, state, extra = {}) {
  return tx(['media'], 'readwrite', async ({ media: store }) => {
    const medium = await promised(store.get(id));
    if (!medium) return;
    Object.assign(medium, extra, { state });
    if (state === 'stored') medium.blob = null;
    store.put(medium);
  });
}

// --- whole-device state ---

// counts says what of the signed-in user's is waiting, for the header
// badge and the sync screen; others is what waits for other users of the
// phone to sign in again.
export async function counts() {
  return tx(['outbox', 'media', 'results', 'kv'], 'readonly', async ({ outbox: queue, media: store, results, kv }) => {
    const [entries, all, answered, user] = await Promise.all([
      promised(queue.getAll()), promised(store.getAll()), promised(results.getAll()), userOf(kv),
    ]);
    const keep = mine(user);
    const waiting = entries.filter(keep).length;
    const unsent = all.filter((medium) => keep(medium) && medium.state !== 'stored').length;
    const others = entries.length - waiting + all.filter((medium) => !keep(medium) && medium.state !== 'stored').length;
    const problems = answered.filter((result) => (result.status === 'rejected' || result.status === 'conflict') && !result.dismissed).length;
    return { waiting, unsent, problems, others };
  });
}

export async function dismissResult(mutationID) {
  return tx(['results'], 'readwrite', async ({ results }) => {
    const result = await promised(results.get(mutationID));
    if (result) { result.dismissed = true; results.put(result); }
  });
}

// forgetUser clears what belongs to the signed-in user's view of the server
// (replica, cursor, tokens) but never the outbox, drafts or evidence.
export async function forgetTokens() {
  return saveSession({ access: null, refresh: null });
}

// --- ids ---

// uuidv7 makes a time-ordered UUID (RFC 9562) from the clock and WebCrypto.
export function uuidv7() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  let time = Date.now();
  for (let index = 5; index >= 0; index -= 1) {
    bytes[index] = time % 256;
    time = Math.floor(time / 256);
  }
  bytes[6] = (bytes[6] & 0x0f) | 0x70;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = [...bytes].map((byte) => byte.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
