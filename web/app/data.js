// data answers the screens' questions from the local replica and drafts:
// what is due today, which checklists can be started, what the server says
// about a record. It only reads through store.js.

import * as store from '../shared/store.js';

// latestVersions is the newest published version of every template.
export async function latestVersions() {
  const versions = await store.records('template_version');
  const latest = new Map();
  for (const version of versions) {
    const seen = latest.get(version.template_id);
    if (!seen || version.number > seen.number) latest.set(version.template_id, version);
  }
  return [...latest.values()];
}

// A template version's summary is what the home screen shows of it: its
// title and how many items can be answered (store.summarize).
store.summarize('template_version', (version) => ({
  id: version.id, template_id: version.template_id, number: version.number,
  title: version.document.title, answerable: answerable(version.document),
}));

function answerable(document) {
  return document.sections.reduce((sum, section) => sum + section.items.filter((item) => item.type !== 'instruction').length, 0);
}

// latestSummaries is latestVersions as summaries: what a list shows, read
// without copying every template's document.
export async function latestSummaries() {
  const latest = new Map();
  for (const version of await store.summaries('template_version')) {
    const seen = latest.get(version.template_id);
    if (!seen || version.number > seen.number) latest.set(version.template_id, version);
  }
  return [...latest.values()];
}

export async function templateVersion(id) {
  return store.record('template_version', id);
}

export async function sites() {
  return store.records('site');
}

// roundsToday are the rounds and due inspections of the shift: open now or
// starting within 12 hours, and those that ended in the last two hours and
// are not done, soonest first, at most `limit` of each kind.
export async function roundsToday(now = Date.now(), limit = 6) {
  const rounds = await store.records('round');
  const from = now - 2 * 3600 * 1000;
  const to = now + 12 * 3600 * 1000;
  const due = rounds
    .filter((round) => Date.parse(round.window_start) <= to &&
      (Date.parse(round.window_end) >= now || (Date.parse(round.window_end) >= from && round.status !== 'completed')))
    .sort((a, b) => Date.parse(a.window_start) - Date.parse(b.window_start));
  const kept = [];
  const counts = {};
  for (const round of due) {
    counts[round.kind] = (counts[round.kind] || 0) + 1;
    if (counts[round.kind] <= limit) kept.push(round);
  }
  return kept;
}

export async function round(id) {
  return store.record('round', id);
}

// scansOf merges the server's scans of a round with those still on the phone.
export async function scansOf(roundID) {
  return (await scansByRound()).get(roundID) || [];
}

// scansByRound reads every scan once, by round.
export async function scansByRound() {
  const [server, local] = await Promise.all([store.records('scan'), store.drafts('scan')]);
  const ids = new Set(server.map((scan) => scan.id));
  const byRound = new Map();
  for (const scan of [...server, ...local.filter((one) => !ids.has(one.id))]) {
    if (!byRound.has(scan.round_id)) byRound.set(scan.round_id, []);
    byRound.get(scan.round_id).push(scan);
  }
  for (const list of byRound.values()) list.sort((a, b) => Date.parse(a.scanned_at) - Date.parse(b.scanned_at));
  return byRound;
}

export async function inspections() {
  return store.drafts('inspection');
}

// serverInspection is the server's copy of an inspection, once pulled.
export async function serverInspection(id) {
  return store.record('inspection', id);
}

// An inspection's summary is what the home screen needs of the server's
// copy: whether it was returned to the guard.
store.summarize('inspection', (inspection) => ({ id: inspection.id, status: inspection.status }));

export async function inspectionStatuses() {
  return store.summaries('inspection');
}

export async function serverInspections() {
  return store.records('inspection');
}

export async function assignedFindings(userID) {
  const findings = await store.records('finding');
  return findings.filter((finding) => finding.assignee_id === userID && finding.status !== 'closed')
    .sort((a, b) => Date.parse(a.due_at || a.created_at) - Date.parse(b.due_at || b.created_at));
}

export async function finding(id) {
  return store.record('finding', id);
}

export async function siteZone(siteID) {
  const site = siteID ? await store.record('site', siteID) : null;
  return site ? site.timezone : undefined;
}

// drills are the drills of the user's sites the phone pulled (entity drill).
export async function drills() {
  return store.records('drill');
}

// sitePeople are the people of a site the phone pulled (entity
// site_person: name and role only), by name.
export async function sitePeople(siteID) {
  const people = await store.records('site_person');
  return people.filter((x) => x.site_id === siteID).sort((a, b) => a.name.localeCompare(b.name));
}
