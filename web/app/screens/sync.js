// sync: what this phone still has to send, record by record (waiting,
// sent, rejected with the server's reasons by item, conflict with the
// server's version), the evidence uploads, and one clear "everything is
// synced" state.

import * as store from '../../shared/store.js';
import * as sync from '../../shared/sync.js';
import * as data from '../data.js';
import * as actions from '../actions.js';
import { t, label, time } from '../../shared/i18n.js';
import { h, icon, badge, button, empty } from '../../shared/ui.js';

export const live = true;

export function title() {
  return t('sync_title');
}

const kinds = { inspection: 'type_inspection', scan: 'type_scan', incident: 'type_incident', rectification: 'type_finding' };

export async function render({ navigate, session }) {
  const [outbox, results, media, counts, versions, server, sites] = await Promise.all([
    store.outbox(), store.allResults(), store.allMedia(), store.counts(), data.latestVersions(), data.serverInspections(), data.sites(),
  ]);
  // Times are the site's, as everywhere in the app (the guard's own site).
  const user = (session && session.user) || {};
  const site = sites.find((one) => user.site_ids && user.site_ids.includes(one.id)) || sites[0];
  const zone = site && site.timezone;
  const serverBy = new Map(server.map((record) => [record.id, record]));
  const drafts = (await Promise.all(Object.keys(kinds).map((kind) => store.drafts(kind)))).flat();
  const status = sync.status();
  const waitingBy = new Map();
  for (const entry of outbox) waitingBy.set(entry.entity_id, (waitingBy.get(entry.entity_id) || 0) + 1);
  const resultsBy = new Map();
  for (const result of results) {
    if (!resultsBy.has(result.entity_id)) resultsBy.set(result.entity_id, []);
    resultsBy.get(result.entity_id).push(result);
  }

  const rows = drafts.map((draft) => {
    const answered = (resultsBy.get(draft.id) || []).sort((a, b) => a.seq - b.seq);
    const problems = answered.filter((result) => (result.status === 'rejected' || result.status === 'conflict') && !result.dismissed);
    const waiting = waitingBy.get(draft.id) || 0;
    const evidence = media.filter((medium) => medium.owner_id === draft.id && medium.state !== 'stored').length;
    // The supervisor returned what this phone holds as submitted: the
    // server's version differs from the phone's, and the guard must act.
    const record = serverBy.get(draft.id);
    const returned = draft.kind === 'inspection' && draft.status === 'submitted' && !waiting && record && record.status === 'returned';
    if (returned) problems.push({ status: 'conflict', returned: true, server_record: record, mutation_id: null });
    let state = 'sent';
    if (problems.some((result) => result.status === 'conflict')) state = 'conflict';
    else if (problems.length) state = 'rejected';
    else if (waiting || evidence || (draft.kind === 'inspection' && draft.status === 'in_progress')) state = 'waiting';
    return { draft, state, problems, waiting, evidence, at: draft.submitted_at || draft.scanned_at || draft.started_at || draft.at || draft.occurred_at || '' };
  }).sort((a, b) => order(a.state) - order(b.state) || String(b.at).localeCompare(String(a.at)));

  const attention = rows.filter((row) => row.state === 'conflict' || row.state === 'rejected').length;
  const synced = counts.waiting === 0 && counts.unsent === 0 && attention === 0;
  const hero = heroOf(status, { ...counts, problems: attention }, synced, zone);

  return h('div', { id: 'sync', dataset: { synced: String(synced && status.phase !== 'syncing') } },
    hero,
    counts.others ? h('div', { class: 'banner banner-info', role: 'status', id: 'others-waiting' }, h('span', {}, t('others_waiting', { n: counts.others }))) : null,
    h('div', { class: 'btn-row', style: 'margin-bottom: 12px' },
      button([icon('sync', 20), status.phase === 'syncing' ? t('syncing') : t('sync_now')], () => sync.syncNow(),
        { id: 'sync-now', disabled: !navigator.onLine }),
      media.some((medium) => medium.state === 'failed' && medium.blob) ? button(t('retry_failed'), () => sync.retryFailedMedia(), { kind: 'secondary' }) : null),
    h('h2', { class: 'section-title' }, t('records')),
    rows.length ? h('ul', { class: 'list', id: 'sync-records' }, rows.map((row) => recordRow(row, versions, navigate))) : empty(t('empty')),
    media.length ? [h('h2', { class: 'section-title' }, t('evidence')), h('ul', { class: 'list', id: 'sync-media' },
      media.sort((a, b) => b.seq - a.seq).slice(0, 40).map(mediaRow))] : null);
}

function order(state) {
  return { conflict: 0, rejected: 1, waiting: 2, sent: 3 }[state];
}

function heroOf(status, counts, synced, zone) {
  let tone = 'waiting';
  let headline;
  let detail = '';
  if (status.phase === 'syncing') {
    headline = t('syncing');
  } else if (synced) {
    tone = 'ok';
    headline = t('all_synced');
    detail = status.lastSyncAt ? t('all_synced_detail', { time: time(status.lastSyncAt, zone, true) }) : '';
  } else if (counts.problems) {
    tone = 'bad';
    headline = t('needs_attention', { n: counts.problems });
  } else {
    headline = t('waiting_count', { n: counts.waiting });
    if (counts.unsent) detail = t('evidence_waiting', { n: counts.unsent });
  }
  const problem = synced ? null : problemOf(status, zone);
  return h('div', { class: `card sync-hero ${tone}`, id: 'sync-state', dataset: { state: synced ? 'synced' : tone } },
    icon(synced ? 'check' : tone === 'bad' ? 'alert' : 'sync'),
    h('div', {}, h('strong', {}, headline), detail ? h('p', {}, detail) : null,
      problem ? h('p', { id: 'sync-problem', dataset: { problem: problem.kind } }, problem.text) : null));
}

// problemOf says in the guard's words why nothing is being sent and what
// happens next, or null when sync is not held up.
function problemOf(status, zone) {
  if (!navigator.onLine || status.problem === 'offline') return { kind: 'offline', text: t('sync_offline') };
  if (status.phase === 'login' || status.problem === 'signed_out') return { kind: 'signed_out', text: t('sync_signed_out') };
  if (status.phase !== 'error' || !status.problem) return null;
  if (status.problem === 'refused') return { kind: 'refused', text: t('sync_refused', { error: status.lastError }) };
  if (!status.nextRetryAt) return null;
  return { kind: status.problem, text: t(`sync_${status.problem}`, { time: time(status.nextRetryAt, zone, true) }) };
}

function recordRow({ draft, state, problems, waiting, evidence }, versions, navigate) {
  const tone = { sent: 'ok', waiting: 'warn', rejected: 'bad', conflict: 'bad' }[state];
  let name = t(kinds[draft.kind]);
  if (draft.kind === 'inspection') {
    const version = versions.find((one) => one.template_id === draft.template_id);
    if (version) name = label(version.document.title);
  } else if (draft.kind === 'scan') {
    name = `${t('type_scan')} · ${draft.tag_code}`;
  } else if (draft.kind === 'incident') {
    // Which incident: where, or what, as the guard wrote it.
    const what = draft.place || draft.description || '';
    if (what) name = `${t('type_incident')} · ${what.length > 40 ? `${what.slice(0, 40)}…` : what}`;
  }
  const details = [];
  if (waiting) details.push(t('waiting_count', { n: waiting }));
  if (evidence) details.push(t('evidence_waiting', { n: evidence }));
  const problemList = problems.map((result) => h('div', { class: 'problem', dataset: { status: result.status } },
    result.returned
      ? h('p', { class: 'errors' }, t('returned_explain'), ' ', serverSays(result.server_record))
      : result.status === 'conflict'
        ? h('p', { class: 'errors' }, t('conflict_explain'), ' ', serverSays(result.server_record))
        : rejection(draft, result, versions),
    h('div', { class: 'btn-row' },
      draft.kind === 'inspection' && (result.status === 'rejected' || result.returned)
        ? button(t('open'), async () => { await actions.reopen(draft.id); navigate(`#/inspection/${draft.id}`); }, { kind: 'secondary', class: 'btn btn-secondary reopen' }) : null,
      result.mutation_id ? button(t('dismiss'), () => store.dismissResult(result.mutation_id), { kind: 'quiet' }) : null)));
  return h('li', { class: 'sync-record', dataset: { id: draft.id, kind: draft.kind, state } },
    h('div', { class: 'row' },
      icon(draft.kind === 'scan' ? 'qr' : draft.kind === 'incident' ? 'alert' : draft.kind === 'rectification' ? 'wrench' : 'clipboard'),
      h('div', { class: 'row-main' }, h('div', { class: 'row-title' }, name),
        details.length ? h('div', { class: 'row-meta' }, details.join(' · ')) : null),
      badge(t(`state_${state}`), tone)),
    problemList.length ? h('div', { style: 'padding: 0 16px 12px' }, problemList) : null);
}

// rejection says which parts of a record the server refused and what the
// guard does about it: a checklist is opened, corrected and submitted
// again; anything else cannot be sent as it is.
function rejection(draft, result, versions) {
  const version = draft.kind === 'inspection' && versions.find((one) => one.template_id === draft.template_id);
  const items = version ? itemsByKey(version.document) : new Map();
  return h('div', { class: 'errors rejection' },
    h('p', {}, t(draft.kind === 'inspection' ? 'rejected_inspection' : 'rejected_other')),
    h('ul', {}, (result.errors || []).map((error) => {
      // The server names an answer as /answers/<item path>: the item's own
      // label is what the guard saw on the form.
      const keys = String(error.pointer || '').split('/').filter((part) => part && !/^\d+$/.test(part));
      const item = error.pointer && error.pointer.startsWith('/answers/') ? items.get(keys[keys.length - 1]) : null;
      const detail = error.detail === 'required' ? t('rejected_required') : error.detail;
      return h('li', { dataset: { pointer: error.pointer || '' } },
        item ? h('strong', {}, label(item.label)) : h('code', {}, error.pointer || '/'), ' ', detail);
    })));
}

// itemsByKey indexes a template's items (in sections and repeat groups)
// by their keys.
function itemsByKey(document) {
  const found = new Map();
  const walk = (list) => {
    for (const item of list || []) {
      if (item.key && item.label) found.set(item.key, item);
      walk(item.items);
    }
  };
  for (const section of (document && document.sections) || []) walk(section.items);
  return found;
}

function serverSays(record) {
  if (!record) return '';
  const status = record.status === 'returned' ? t('returned_by_supervisor') : record.status;
  return status ? t('server_version', { status }) : '';
}

function mediaRow(medium) {
  const state = medium.state === 'stored' ? 'stored' : medium.state === 'failed' ? 'failed' : 'uploading';
  const tone = { stored: 'ok', failed: 'bad', uploading: 'warn' }[state];
  return h('li', { class: 'row', dataset: { media: medium.id, state: medium.state } },
    medium.thumb ? h('img', { src: medium.thumb, alt: '', width: 48, height: 48, style: 'object-fit: cover; border-radius: 6px; background: #fff' }) : icon('camera'),
    h('div', { class: 'row-main' }, h('div', { class: 'row-title' }, medium.kind === 'signature' ? t('signature') : t('photo')),
      h('div', { class: 'row-meta' }, `${Math.round(medium.size / 1024)} KiB`, medium.last_error ? ` · ${medium.last_error}` : '')),
    badge(t(`state_${state}`), tone));
}
