// drills: the emergency drills (应急演练) scheduled at the guard's sites,
// those open now first, then the overdue ones (still to be held, late),
// then the next ones, each with its
// window in the site's time zone (004 二(一)1.2 quarterly; 002 篇18 L1473
// each June). Recording one starts the drill's template as an ordinary
// inspection that names the drill; the drill is held when it is sent, so
// it works offline like any checklist.

import * as data from '../data.js';
import { lang } from '../../shared/i18n.js';
import { h, icon, badge, button, empty, toast } from '../../shared/ui.js';

const strings = {
  en: { title: 'Drills', overdue: 'Overdue', open: 'Open now', upcoming: 'Coming up', none: 'No drill is scheduled at your sites.',
    held: 'Held', evaluated: 'Evaluated', recorded: 'Recorded on this phone', window: '{from} – {to}',
    record: 'Record this drill', resume: 'Continue the record', no_template: 'The drill checklist is not on this phone yet: sync first.',
    category_fire: 'Fire', category_robbery: 'Robbery', category_network: 'Network', category_equipment: 'Equipment',
    category_injury: 'Injury', category_public_opinion: 'Public opinion', category_other: 'Other',
    cadence_quarterly: 'Quarterly drill', cadence_june: 'Safety-month drill (June)' },
  'zh-CN': { title: '应急演练', overdue: '已逾期', open: '本期进行中', upcoming: '即将开始', none: '您的网点暂无演练安排。',
    held: '已演练', evaluated: '已评估', recorded: '已在本机记录', window: '{from} 至 {to}',
    record: '记录本次演练', resume: '继续记录', no_template: '本机尚无演练检查表,请先同步。',
    category_fire: '火灾', category_robbery: '抢劫', category_network: '网络', category_equipment: '设备',
    category_injury: '伤害', category_public_opinion: '舆情', category_other: '其他',
    cadence_quarterly: '季度演练', cadence_june: '安全生产月演练(6月)' },
};
const s = (key, params = {}) => (strings[lang()][key] ?? strings.en[key]).replace(/\{(\w+)\}/g, (w, n) => params[n] ?? w);

export const live = true;
export const back = '#/today';

export function title() {
  return s('title');
}

// day is the calendar day of an instant in the site's zone.
function day(iso, zone) {
  const options = { month: 'short', day: 'numeric', year: 'numeric' };
  try {
    return new Intl.DateTimeFormat(lang(), { ...options, timeZone: zone }).format(new Date(iso));
  } catch {
    return new Intl.DateTimeFormat(lang(), options).format(new Date(iso));
  }
}

// phase sorts a drill: open, overdue, upcoming, done.
function phase(drill, now) {
  if (drill.status !== 'scheduled') return 'done';
  if (Date.parse(drill.due_at) <= now || drill.overdue) return 'overdue';
  return Date.parse(drill.opens_at) <= now ? 'open' : 'upcoming';
}

export async function render({ session, navigate }) {
  const me = session.user;
  const [drills, sites, drafts, versions] = await Promise.all([data.drills(), data.sites(), data.inspections(), data.latestSummaries()]);
  const now = Date.now();
  const mine = drills.filter((x) => !me.site_ids || me.role === 'admin' || me.site_ids.includes(x.site_id));
  const order = { open: 0, overdue: 1, upcoming: 2, done: 3 };
  // Drills done more than 100 days ago, and drills not yet open for
  // 100 days, are of no use on a shift.
  const shown = mine.filter((x) => (phase(x, now) === 'done' ? Date.parse(x.due_at) > now - 100 * 86400000
    : Date.parse(x.opens_at) < now + 100 * 86400000))
    .sort((a, b) => order[phase(a, now)] - order[phase(b, now)] || a.due_at.localeCompare(b.due_at));
  const zoneOf = (id) => (sites.find((x) => x.id === id) || {}).timezone;
  const siteName = (id) => (sites.find((x) => x.id === id) || {}).name || '';

  const row = (drill) => {
    const state = phase(drill, now);
    const zone = zoneOf(drill.site_id);
    const draft = drafts.find((x) => x.drill_id === drill.id);
    const version = versions.find((x) => x.template_id === drill.template_id);
    const tone = { overdue: 'bad', open: 'info', upcoming: 'neutral' }[state];
    const status = draft && draft.status !== 'in_progress' ? badge(s('recorded'), 'ok')
      : state === 'done' ? badge(s(drill.status), 'ok') : badge(s(state), tone);
    const record = async () => {
      if (draft) { navigate(`#/inspection/${draft.id}`); return; }
      if (!version) { toast(s('no_template')); return; }
      const actions = await import('../actions.js'); // not in the start-up bundle: today's screen imports this module for its title
      const id = await actions.startInspection(await data.templateVersion(version.id), drill.site_id, { drillID: drill.id });
      navigate(`#/inspection/${id}`);
    };
    const canRecord = state !== 'done' && state !== 'upcoming' && !(draft && draft.status !== 'in_progress');
    return h('li', { class: 'card drill', dataset: { drill: drill.id, phase: state } },
      h('div', { class: 'row-title' }, icon('alert', 20), ' ', drill.plan_title, ' ', status),
      h('div', { class: 'row-meta' }, s(`category_${drill.category}`), ' · ', s(`cadence_${drill.cadence}`), ' · ', siteName(drill.site_id)),
      h('div', { class: 'row-meta' }, s('window', { from: day(drill.opens_at, zone), to: day(Date.parse(drill.due_at) - 1, zone) })),
      canRecord ? button([icon('clipboard', 20), draft ? s('resume') : s('record')], record,
        { class: `btn ${state === 'open' ? 'btn-primary' : 'btn-secondary'} btn-block`, id: `drill-record-${drill.id}` }) : null);
  };
  return h('div', { class: 'stack-page', id: 'drills' },
    shown.length ? h('ul', { class: 'list stack', id: 'drill-list' }, shown.map(row)) : empty(s('none')));
}
