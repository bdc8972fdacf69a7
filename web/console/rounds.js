// rounds is a day of patrols per site, in the site's time zone: each
// round on time, late, partly done, missed or still to come; the
// exceptions (tags that are no checkpoint of the route, checkpoints
// scanned out of order, and the other scan flags); and each round's scan
// timeline. It reads what the server judged (internal/rounds): a round is
// judged only after its window, the grace and the sync delay, so until
// then it shows what has arrived.

import { h, button, badge, empty, loading, failure } from '../shared/ui.js';
import { s, addStrings, reason } from './strings.js';
import * as work from './work.js';
import { zoneOf, zonedMidnight } from './names.js';

const state = { day: '', site: '' };

export async function roundsScreen(context) {
  const { known, main } = context;
  const firstZone = zoneOf(known, [...known.sites.keys()][0]) || 'UTC';
  if (!state.day) state.day = work.localParts(new Date().toISOString(), firstZone).day;
  const site = h('select', { id: 'rounds-site' }, h('option', { value: '' }, s('all_sites')),
    [...known.sites.values()].map((x) => h('option', { value: x.id, selected: x.id === state.site }, x.name)));
  const day = h('input', { type: 'date', id: 'rounds-day', value: state.day });
  const results = h('div', { id: 'rounds-board' });
  const apply = () => { state.site = site.value; state.day = day.value || state.day; show(context, results); };
  site.addEventListener('change', apply);
  day.addEventListener('change', apply);
  main.replaceChildren(
    h('div', { class: 'console-screen-head' }, h('h1', { class: 'console-heading' }, s('rounds_heading')),
      h('div', { class: 'console-screen-tools' },
        h('label', { class: 'console-filter console-filter-inline' }, h('span', {}, s('rounds_day')), day),
        h('label', { class: 'console-filter console-filter-inline' }, h('span', {}, s('filter_site')), site),
        h('a', { href: '#/schedules', class: 'btn btn-secondary', id: 'rounds-schedules' }, s('rounds_schedules')))),
    results);
  await show(context, results);
}

// shown counts the loads of the board: a load that a newer one overtook
// (the day changed while today's rounds were still coming) draws nothing,
// so the board always shows the day the picker shows.
let shown = 0;

async function show(context, results) {
  const { known } = context;
  const load = ++shown;
  results.replaceChildren(loading(s('loading')));
  const sites = [...known.sites.values()].filter((x) => !state.site || x.id === state.site);
  let days;
  try {
    // The day is each site's own: from its midnight to the next.
    days = await Promise.all(sites.map((site) => {
      const zone = site.timezone || 'UTC';
      const next = new Date(Date.parse(`${state.day}T00:00:00Z`) + 86400000).toISOString().slice(0, 10);
      return work.rounds({ site_id: site.id, from: zonedMidnight(state.day, zone), to: zonedMidnight(next, zone) });
    }));
    await work.learnPeople(known, sites.map((x) => x.id));
  } catch (error) {
    if (load !== shown) return;
    results.replaceChildren(failure(s('load_failed', { error: reason(error) }), button(s('retry'), () => show(context, results))));
    return;
  }
  if (load !== shown) return;
  results.dataset.day = state.day;
  const now = Date.now();
  const cards = sites.map((site, i) => siteCard(known, site, days[i].sort((a, b) => a.slot_at.localeCompare(b.slot_at)), now));
  results.replaceChildren(...(cards.length ? cards : [empty(s('rounds_no_sites'))]));
}

// verdict is what a round is for the supervisor: on_time, late, partial,
// missed, in_progress, awaiting (window over, not judged yet) or upcoming.
export function verdict(round, now) {
  const late = round.flags.includes('late') || (round.scans || []).some((x) => x.flags.includes('late'));
  switch (round.status) {
    case 'completed': return late ? 'late' : 'on_time';
    case 'partial': return 'partial';
    case 'missed': return 'missed';
  }
  if (now < Date.parse(round.window_start)) return 'upcoming';
  if (now <= Date.parse(round.window_end)) return 'in_progress';
  return 'awaiting';
}

const TONE = { on_time: 'ok', late: 'warn', partial: 'warn', missed: 'bad', in_progress: 'neutral', awaiting: 'neutral', upcoming: 'neutral' };
// Exceptions: a scan of a tag that is no checkpoint of the route, and one
// out of the route's order, are called out by name; the other flags too.
const EXCEPTIONS = ['wrong_tag', 'out_of_order', 'out_of_range', 'outside_window', 'clock_skew', 'repeat'];

function exceptionsOf(round) {
  const counts = {};
  for (const scan of round.scans || []) {
    for (const flag of scan.flags) if (EXCEPTIONS.includes(flag)) counts[flag] = (counts[flag] || 0) + 1;
  }
  return counts;
}

function siteCard(known, site, rounds, now) {
  const zone = site.timezone || 'UTC';
  const tally = { on_time: 0, late: 0, partial: 0, missed: 0, exceptions: 0, later: 0 };
  for (const round of rounds) {
    const v = verdict(round, now);
    if (v in tally) tally[v] += 1; else tally.later += 1;
    tally.exceptions += Object.values(exceptionsOf(round)).reduce((a, b) => a + b, 0);
  }
  const chip = (key, tone) => h('div', { class: `rounds-chip rounds-chip-${tone}`, dataset: { tally: key } }, h('strong', {}, String(tally[key])), s(`rounds_tally_${key}`));
  return h('section', { class: 'card rounds-site', dataset: { site: site.id } },
    h('div', { class: 'console-summary-head' }, h('h2', { class: 'section-title' }, site.name), h('span', { class: 'hint' }, zone)),
    h('div', { class: 'rounds-tally' }, chip('on_time', 'ok'), chip('late', 'warn'), chip('partial', 'warn'), chip('missed', 'bad'),
      chip('exceptions', tally.exceptions ? 'bad' : 'neutral'), chip('later', 'neutral')),
    rounds.length ? [dayStrip(rounds, zone, now), h('ul', { class: 'rounds-list' }, rounds.map((round) => roundRow(known, round, zone, now)))]
      : h('p', { class: 'hint' }, s('rounds_none')));
}

// dayStrip places each round on the day from 00:00 to 24:00 at the site,
// coloured by its verdict, with a line at the present moment.
function dayStrip(rounds, zone, now) {
  const start = Date.parse(zonedMidnight(state.day, zone));
  const span = 86400000;
  const at = (iso) => Math.min(100, Math.max(0, ((Date.parse(iso) - start) / span) * 100));
  const marks = rounds.map((round) => h('span', { class: `rounds-mark rounds-mark-${TONE[verdict(round, now)]}`, title: work.when(round.slot_at, zone, { date: false }) }));
  rounds.forEach((round, i) => { marks[i].style.left = `${at(round.slot_at)}%`; });
  const hours = [0, 6, 12, 18, 24].map((hour) => {
    const tick = h('span', { class: 'rounds-hour' }, `${String(hour).padStart(2, '0')}:00`);
    tick.style.left = `${(hour / 24) * 100}%`;
    return tick;
  });
  const strip = h('div', { class: 'rounds-strip', 'aria-hidden': 'true' }, marks, hours);
  if (now >= start && now < start + span) {
    const line = h('span', { class: 'rounds-now' });
    line.style.left = `${((now - start) / span) * 100}%`;
    strip.append(line);
  }
  return strip;
}

function roundRow(known, round, zone, now) {
  const v = verdict(round, now);
  const exceptions = exceptionsOf(round);
  const scanned = new Set((round.scans || []).filter((x) => x.checkpoint_id).map((x) => x.checkpoint_id)).size;
  const who = round.assignee_id ? work.nameOf(known, round.assignee_id) : s('rounds_pool');
  return h('li', { class: 'rounds-row', dataset: { round: round.id, verdict: v } },
    h('details', {},
      h('summary', { class: 'rounds-summary' },
        h('span', { class: 'rounds-time' }, work.when(round.slot_at, zone, { date: false })),
        h('span', { class: 'rounds-name' }, round.name, h('small', {}, who)),
        h('span', { class: 'console-badges' }, badge(s(`rounds_verdict_${v}`), TONE[v]),
          Object.entries(exceptions).map(([flag, n]) => badge(s(`rounds_flag_${flag}`) + (n > 1 ? ` ×${n}` : ''), 'bad'))),
        h('span', { class: 'rounds-count' }, s('rounds_scanned', { done: round.kind === 'round' ? (round.status === 'scheduled' ? scanned : round.scanned_count) : round.scanned_count, total: round.total_count }))),
      timeline(known, round, zone)));
}

// timeline lists the round's scans by device time, each at its checkpoint
// (or the unknown tag), by whom, with its flags, then the checkpoints
// judged missed.
function timeline(known, round, zone) {
  const checkpoint = new Map((round.checkpoints || []).map((c) => [c.id, c]));
  const scans = round.scans || [];
  const window = s('rounds_window', { from: work.when(round.window_start, zone, { date: false }), to: work.when(round.window_end, zone, { date: false }) });
  return h('div', { class: 'rounds-timeline' },
    h('p', { class: 'hint' }, window),
    scans.length ? h('ol', { class: 'rounds-scans' }, scans.map((scan) => {
      const at = checkpoint.get(scan.checkpoint_id);
      const flags = scan.flags.filter((f) => f !== 'after_judgement');
      return h('li', { class: `rounds-scan${flags.length ? ' rounds-scan-flagged' : ''}`, dataset: { scan: scan.id } },
        h('span', { class: 'rounds-time' }, work.when(scan.scanned_at, zone, { date: false })),
        h('span', {}, at ? at.name : s('rounds_unknown_tag', { tag: scan.tag_code }), h('small', {}, work.nameOf(known, scan.user_id))),
        h('span', { class: 'console-badges' }, flags.map((flag) => badge(s(`rounds_flag_${flag}`), ['late', 'early'].includes(flag) ? 'warn' : 'bad'))));
    })) : h('p', { class: 'hint' }, s('rounds_no_scans')),
    (round.missed_checkpoints || []).length ? h('p', { class: 'rounds-missed' }, s('rounds_missed_list', {
      names: round.missed_checkpoints.map((id) => (checkpoint.get(id) ? checkpoint.get(id).name : s('rounds_inspection_missed'))).join('、'),
    })) : null);
}

addStrings({
  en: {
    nav_rounds: 'Rounds',
    rounds_heading: 'Rounds of the day', rounds_day: 'Day', rounds_schedules: 'Schedules',
    rounds_no_sites: 'No sites to show.', rounds_none: 'No rounds this day.',
    rounds_tally_on_time: 'on time', rounds_tally_late: 'late', rounds_tally_partial: 'partly done', rounds_tally_missed: 'missed',
    rounds_tally_exceptions: 'exceptions', rounds_tally_later: 'to come or being judged',
    rounds_verdict_on_time: 'On time', rounds_verdict_late: 'Late', rounds_verdict_partial: 'Partly done', rounds_verdict_missed: 'Missed',
    rounds_verdict_in_progress: 'In its window', rounds_verdict_awaiting: 'Waiting for late scans', rounds_verdict_upcoming: 'To come',
    rounds_flag_wrong_tag: 'Unknown tag', rounds_flag_out_of_order: 'Out of order', rounds_flag_out_of_range: 'Out of range',
    rounds_flag_outside_window: 'Outside its window', rounds_flag_clock_skew: 'Device clock off', rounds_flag_repeat: 'Scanned twice',
    rounds_flag_late: 'Late', rounds_flag_early: 'Early',
    rounds_pool: 'Any guard of the site', rounds_scanned: '{done} of {total}',
    rounds_window: 'Window {from}–{to}', rounds_unknown_tag: 'Unknown tag {tag}', rounds_no_scans: 'No scans have arrived.',
    rounds_missed_list: 'Missed: {names}', rounds_inspection_missed: 'the inspection',
  },
  'zh-CN': {
    nav_rounds: '巡更',
    rounds_heading: '当日巡更', rounds_day: '日期', rounds_schedules: '排班计划',
    rounds_no_sites: '没有可显示的站点。', rounds_none: '当天没有巡更。',
    rounds_tally_on_time: '准时', rounds_tally_late: '迟到', rounds_tally_partial: '部分完成', rounds_tally_missed: '漏巡',
    rounds_tally_exceptions: '异常', rounds_tally_later: '待进行或待判定',
    rounds_verdict_on_time: '准时', rounds_verdict_late: '迟到', rounds_verdict_partial: '部分完成', rounds_verdict_missed: '漏巡',
    rounds_verdict_in_progress: '进行中', rounds_verdict_awaiting: '等待补传', rounds_verdict_upcoming: '待进行',
    rounds_flag_wrong_tag: '未知标签', rounds_flag_out_of_order: '顺序错误', rounds_flag_out_of_range: '位置偏离',
    rounds_flag_outside_window: '超出时段', rounds_flag_clock_skew: '设备时钟偏差', rounds_flag_repeat: '重复打卡',
    rounds_flag_late: '迟到', rounds_flag_early: '提前',
    rounds_pool: '站点任一保安', rounds_scanned: '{done}/{total}',
    rounds_window: '时段 {from}–{to}', rounds_unknown_tag: '未知标签 {tag}', rounds_no_scans: '尚未收到打卡。',
    rounds_missed_list: '漏巡：{names}', rounds_inspection_missed: '检查',
  },
});
