// names turns the ids of an inspection into what people read: names of
// people and sites, the site's time zone, and states as words with colour.

import { badge } from '../shared/ui.js';
import { s } from './strings.js';

export function zoneOf(known, siteID) {
  const site = known.sites.get(siteID);
  return (site && site.timezone) || undefined;
}

// personName finds a user's name: the directory, else a signature in the
// inspection's answers that the user gave with their name.
export function personName(known, id, inspection) {
  if (!id) return '—';
  if (known.people.has(id)) return known.people.get(id);
  const found = signerName(inspection && inspection.answers, id);
  if (found) {
    known.people.set(id, found);
    return found;
  }
  return s('unknown_person');
}

function signerName(answers, id) {
  const stack = answers ? Object.values(answers) : [];
  while (stack.length) {
    const answer = stack.pop();
    if (!answer || typeof answer !== 'object') continue;
    const value = answer.value;
    if (value && typeof value === 'object' && value.signer_user_id === id && value.signer_name) return value.signer_name;
    for (const repeat of answer.repeats || []) stack.push(...Object.values(repeat || {}));
  }
  return '';
}

export function outcomeBadge(item) {
  if (!item.outcome) return badge('—', 'neutral');
  const tone = { pass: 'ok', fail: 'bad', incomplete: 'warn' }[item.outcome] || 'neutral';
  return badge(s(`outcome_${item.outcome}`), tone);
}

export function statusBadge(item) {
  const tone = { submitted: 'warn', approved: 'ok', returned: 'bad', in_progress: 'neutral' }[item.status] || 'neutral';
  return badge(s(`status_${item.status}`), tone);
}

// zonedMidnight is the instant (RFC 3339, UTC) when day (YYYY-MM-DD)
// begins in the IANA zone.
export function zonedMidnight(day, zone) {
  const guess = Date.parse(`${day}T00:00:00Z`);
  if (!zone) return new Date(`${day}T00:00:00`).toISOString();
  // The zone's offset at a moment, from how the moment reads there.
  const offset = (at) => {
    const parts = Object.fromEntries(new Intl.DateTimeFormat('en-US', {
      timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
    }).formatToParts(new Date(at)).map((p) => [p.type, p.value]));
    return Date.UTC(+parts.year, +parts.month - 1, +parts.day, +parts.hour, +parts.minute, +parts.second) - at;
  };
  let at = guess - offset(guess);
  at = guess - offset(at);
  return new Date(at).toISOString();
}
