// actions are what the guard does, as changes to the store: each writes
// the local draft and queues its mutations (and evidence) in one
// transaction, then asks sync to send when it can. Screens call these and
// never touch the store's internals or the network.

import * as store from '../shared/store.js';
import * as sync from '../shared/sync.js';

export async function me() {
  const current = await store.session();
  return current && current.user;
}

// startInspection pins the template version and queues inspection.start.
// A drillID makes the inspection the record of that scheduled drill: its
// submit names the drill (drill_id) and the server holds the drill by it.
export async function startInspection(version, siteID, { roundID, context, drillID } = {}) {
  const id = store.uuidv7();
  const payload = {
    template_id: version.template_id, template_version: version.number, site_id: siteID,
    started_at: new Date().toISOString(),
  };
  if (roundID) payload.round_id = roundID;
  if (context && Object.keys(context).length) payload.context = context;
  const draft = {
    id, kind: 'inspection', status: 'in_progress', template_version_id: version.id, template_id: version.template_id,
    template_number: version.number, site_id: siteID, round_id: roundID || null, context: context || {},
    started_at: payload.started_at, answers: {}, queued: {}, sync: {},
  };
  if (drillID) draft.drill_id = drillID;
  await store.saveDraft(draft, [store.mutation('inspection.start', 'inspection', id, payload)]);
  sync.syncSoon();
  return id;
}

// setAnswer keeps an answer on the draft only; flushAnswers queues it.
export async function setAnswer(id, key, answer) {
  const draft = await store.draft(id);
  if (!draft || draft.status !== 'in_progress') return draft;
  if (answer === null) delete draft.answers[key];
  else draft.answers[key] = answer;
  await store.saveDraft(draft);
  return draft;
}

export async function addMedia(medium) {
  await store.putMedia(medium);
}

// leafAnswers flattens answers to the paths answer.set takes: groups are
// answered child by child (/group/<index>/<child>).
export function leafAnswers(answers) {
  const leaves = {};
  for (const [key, answer] of Object.entries(answers)) {
    if (answer && Array.isArray(answer.repeats)) {
      answer.repeats.forEach((repeat, index) => {
        for (const [child, childAnswer] of Object.entries(repeat || {})) {
          if (!isEmpty(childAnswer)) leaves[`/${escape(key)}/${index}/${escape(child)}`] = childAnswer;
        }
      });
    } else if (!isEmpty(answer)) {
      leaves[`/${escape(key)}`] = answer;
    }
  }
  return leaves;
}

function escape(token) {
  return token.replaceAll('~', '~0').replaceAll('/', '~1');
}

export function isEmpty(answer) {
  if (!answer) return true;
  const value = answer.value;
  const noValue = value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0);
  return noValue && !(answer.media && answer.media.length) && !answer.countersign && !(answer.repeats && answer.repeats.length);
}

// flushAnswers queues answer.set for every answer that changed since it was
// last queued and answer.clear for every one removed, in one transaction.
export async function flushAnswers(id, hidden = new Set()) {
  const draft = await store.draft(id);
  if (!draft || draft.status !== 'in_progress') return;
  const mutations = flushMutations(draft, hidden);
  if (mutations.length === 0) return;
  await store.saveDraft(draft, mutations);
  sync.syncSoon();
}

function flushMutations(draft, hidden) {
  const leaves = leafAnswers(draft.answers);
  for (const path of hidden) delete leaves[path];
  const mutations = [];
  for (const [path, answer] of Object.entries(leaves)) {
    const encoded = JSON.stringify(answer);
    if (draft.queued[path] === encoded) continue;
    mutations.push(store.mutation('answer.set', 'inspection', draft.id, { path, answer }));
    draft.queued[path] = encoded;
  }
  for (const path of Object.keys(draft.queued)) {
    if (path in leaves) continue;
    mutations.push(store.mutation('answer.clear', 'inspection', draft.id, { path }));
    delete draft.queued[path];
  }
  return mutations;
}

// submit queues the last answers and inspection.submit together.
export async function submitInspection(id, hidden = new Set()) {
  const draft = await store.draft(id);
  if (!draft || draft.status !== 'in_progress') return;
  const mutations = flushMutations(draft, hidden);
  const submittedAt = new Date().toISOString();
  const submit = { submitted_at: submittedAt };
  if (draft.drill_id) submit.drill_id = draft.drill_id;
  mutations.push(store.mutation('inspection.submit', 'inspection', id, submit));
  draft.status = 'submitted';
  draft.submitted_at = submittedAt;
  draft.sync = { ...(draft.sync || {}), rejected: [], conflict: null, sent: false };
  await store.saveDraft(draft, mutations);
  sync.syncSoon(0);
}

// reopen lets the guard fix an inspection the server rejected or a
// supervisor returned: answers stay, the next submit sends what changed.
export async function reopen(id) {
  const draft = await store.draft(id);
  if (!draft) return;
  draft.status = 'in_progress';
  draft.sync = { ...(draft.sync || {}), rejected: [], conflict: null, sent: false };
  await store.saveDraft(draft);
}

// scan records a checkpoint scan (append-only) against a round.
export async function scan(round, tag, method, location) {
  const id = store.uuidv7();
  const checkpoint = (round.checkpoints || []).find((point) => point.tag_code === tag);
  const payload = { round_id: round.id, tag_code: tag, scanned_at: new Date().toISOString() };
  if (checkpoint && checkpoint.id) payload.checkpoint_id = checkpoint.id;
  if (location) payload.location = { lat: location.lat, lng: location.lng, accuracy_m: location.accuracy_m };
  const draft = { id, kind: 'scan', round_id: round.id, tag_code: tag, method, checkpoint_id: payload.checkpoint_id || null,
    scanned_at: payload.scanned_at, sync: {} };
  await store.saveDraft(draft, [store.mutation('checkpoint.scan', 'scan', id, payload)]);
  sync.syncSoon(0);
  return { id, checkpoint };
}

export async function reportIncident(input, media) {
  const id = input.id;
  const payload = {
    site_id: input.site_id, type: input.type, level: input.level, place: input.place || '',
    occurred_at: input.occurred_at, description: input.description || '', media: media.map((medium) => medium.id),
  };
  const draft = { id, kind: 'incident', ...payload, sync: {} };
  await store.saveDraft(draft, [store.mutation('incident.report', 'incident', id, payload)], media);
  sync.syncSoon(0);
}

export async function rectify(finding, note, media) {
  const payload = { note, evidence: media.map((medium) => medium.id), version: finding.version };
  const draft = { id: finding.id, kind: 'rectification', finding_id: finding.id, note, evidence: payload.evidence,
    at: new Date().toISOString(), sync: {} };
  await store.saveDraft(draft, [store.mutation('finding.rectify', 'finding', finding.id, payload)], media);
  sync.syncSoon(0);
}

