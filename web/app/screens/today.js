// today: the guard's shift at a glance: rounds and inspections due from
// the schedules, inspections in progress, and a way to start any checklist.

import * as data from '../data.js';
import { t, label, time } from '../../shared/i18n.js';
import { h, icon, badge, button, empty } from '../../shared/ui.js';
import { title as dutyTitle } from './duty.js';
import { title as drillsTitle } from './drills.js';

// What the screen's buttons do is loaded when one is tapped: the screen is
// the first of a cold start, which parses only what draws it.
const actions = () => import('../actions.js');
const components = () => import('../components.js');
const countersign = () => import('../countersign.js');

export const live = true;

export function title() {
  return t('today');
}

const statusTone = { scheduled: 'info', completed: 'ok', partial: 'warn', missed: 'bad' };

// reads are what the screen shows, read from the store all at once. On a
// cold start main begins them before the session is read, so that the two
// overlap, and hands them to the first render as prefetched.
export function reads() {
  return Promise.all([
    data.roundsToday(), data.inspections(), data.latestSummaries(), data.sites(), data.inspectionStatuses(), data.scansByRound(),
  ]);
}

export async function render({ session, navigate, prefetched }) {
  const user = session.user;
  const [rounds, drafts, versions, sites, server, scans] = await (prefetched || reads());
  const returned = new Set(server.filter((one) => one.status === 'returned').map((one) => one.id));
  const site = sites.find((one) => user.site_ids && user.site_ids.includes(one.id)) || sites[0];
  const zone = site && site.timezone;
  const walks = rounds.filter((round) => round.kind === 'round');
  const due = rounds.filter((round) => round.kind === 'inspection');
  const open = drafts.filter((draft) => draft.status === 'in_progress' || returned.has(draft.id))
    .sort((a, b) => Date.parse(b.started_at) - Date.parse(a.started_at));

  const roundRow = (round) => {
    const done = new Set((scans.get(round.id) || []).map((scan) => scan.tag_code)).size;
    const total = (round.checkpoints || []).length;
    return h('li', {}, h('a', { class: 'row', href: `#/round/${round.id}`, dataset: { round: round.id } },
      icon('route'),
      h('div', { class: 'row-main' },
        h('div', { class: 'row-title' }, round.name, ' ', badge(t(`status_${round.status}`), statusTone[round.status])),
        h('div', { class: 'row-meta' }, t('window', { from: time(round.window_start, zone), to: time(round.window_end, zone) }),
          ' · ', t('checkpoints_done', { done: Math.min(done, total), total }))),
      icon('chevron', 20)));
  };

  const dueRow = (round) => {
    const version = versions.find((one) => one.template_id === round.template_id);
    const started = drafts.find((draft) => draft.round_id === round.id);
    const go = async () => {
      if (started) { navigate(`#/inspection/${started.id}`); return; }
      if (!version) return;
      const { startInspection } = await actions();
      const id = await startInspection(await data.templateVersion(version.id), round.site_id, { roundID: round.id });
      navigate(`#/inspection/${id}`);
    };
    return h('li', {}, h('button', { class: 'row', type: 'button', onclick: go },
      icon('clipboard'),
      h('div', { class: 'row-main' },
        h('div', { class: 'row-title' }, version ? label(version.title) : round.name),
        h('div', { class: 'row-meta' }, t('window', { from: time(round.window_start, zone), to: time(round.window_end, zone) }), ' ',
          started ? badge(started.status === 'submitted' ? t('submitted') : t('in_progress'), started.status === 'submitted' ? 'ok' : 'info')
            : badge(t(`status_${round.status}`), statusTone[round.status]))),
      icon('chevron', 20)));
  };

  const draftRow = (draft) => {
    const version = versions.find((one) => one.id === draft.template_version_id)
      || versions.find((one) => one.template_id === draft.template_id);
    const count = Object.keys(draft.answers || {}).length;
    return h('li', {}, h('a', { class: 'row', href: `#/inspection/${draft.id}` }, icon('clipboard'),
      h('div', { class: 'row-main' },
        h('div', { class: 'row-title' }, version ? label(version.title) : draft.template_id),
        h('div', { class: 'row-meta' }, time(draft.started_at, zone, true), ' · ',
          t('progress', { done: count, total: version ? version.answerable : '?' }), ' ',
          returned.has(draft.id) && draft.status !== 'in_progress' ? badge(t('returned_by_supervisor'), 'bad') : badge(t('in_progress'), 'info'))),
      icon('chevron', 20)));
  };

  return h('div', { class: 'stack-page' },
    h('div', { class: 'hello' },
      h('div', {}, h('h1', {}, t('hello', { name: user.name })), site ? h('div', { class: 'muted' }, site.name) : null)),
    h('div', { class: 'btn-row' },
      h('a', { class: 'btn btn-secondary btn-block', href: '#/duty', id: 'today-duty' }, dutyTitle()),
      h('a', { class: 'btn btn-secondary btn-block', href: '#/drills', id: 'today-drills' }, icon('alert', 20), drillsTitle())),
    open.length ? [h('h2', { class: 'section-title' }, t('in_progress')), h('ul', { class: 'list' }, open.map(draftRow))] : null,
    h('h2', { class: 'section-title' }, t('due_rounds')),
    walks.length ? h('ul', { class: 'list', id: 'rounds' }, walks.map(roundRow)) : empty(t('no_rounds')),
    h('h2', { class: 'section-title' }, t('due_inspections')),
    due.length ? h('ul', { class: 'list', id: 'due' }, due.map(dueRow)) : empty(t('nothing_due')),
    button([icon('plus'), t('start_inspection')], () => navigate('#/templates'), { kind: 'secondary', class: 'btn btn-secondary btn-block', id: 'start-inspection' }),
    button([icon('pen'), t('countersign_colleague')], async () => {
      const [{ colleagueDialog }, { dialog }] = await Promise.all([countersign(), components()]);
      colleagueDialog(user, dialog);
    },
      { kind: 'secondary', class: 'btn btn-secondary btn-block', id: 'countersign-colleague' }));
}
