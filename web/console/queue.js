// queue is the review queue: inspections filtered by site, checklist,
// status and dates (days in the site's time zone), a page at a time with
// the API's cursor, names instead of ids and times in the site's zone.

import { h, button, badge, empty, loading, failure } from '../shared/ui.js';
import { label, time } from '../shared/i18n.js';
import { s, reason } from './strings.js';
import * as data from './data.js';
import { personName, zoneOf, outcomeBadge, statusBadge, zonedMidnight } from './names.js';

// The filters and the page survive going to an inspection and back.
const state = { status: 'submitted', site: '', template: '', from: '', to: '', cursors: [''], page: 0 };

export async function queueScreen(context) {
  const { known, main } = context;
  const select = (id, options, value) => h('select', { id, name: id },
    options.map(([v, text]) => h('option', { value: v, selected: v === value }, text)));
  const site = select('queue-site', [['', s('all_sites')], ...[...known.sites.values()].map((x) => [x.id, x.name])], state.site);
  const template = select('queue-template', [['', s('all_templates')], ...[...known.templates.values()].map((x) => [x.id, label(x.title)])], state.template);
  const status = select('queue-status', [['', s('all_statuses')], ...['submitted', 'returned', 'approved', 'in_progress'].map((x) => [x, s(`status_${x}`)])], state.status);
  const from = h('input', { type: 'date', id: 'queue-from', value: state.from });
  const to = h('input', { type: 'date', id: 'queue-to', value: state.to });
  const labelled = (text, control) => h('label', { class: 'console-filter' }, h('span', {}, text), control);
  const results = h('div', { id: 'queue-results' });
  const load = () => show(context, results);
  const form = h('form', {
    class: 'console-filters card', id: 'queue-filters',
    onsubmit: (event) => {
      event.preventDefault();
      Object.assign(state, { site: site.value, template: template.value, status: status.value, from: from.value, to: to.value, cursors: [''], page: 0 });
      load();
    },
  }, labelled(s('filter_site'), site), labelled(s('filter_template'), template), labelled(s('filter_status'), status),
  labelled(s('filter_from'), from), labelled(s('filter_to'), to),
  h('div', { class: 'console-filter-actions' },
    h('button', { type: 'submit', class: 'btn btn-primary', id: 'queue-apply' }, s('apply')),
    button(s('reset'), () => {
      Object.assign(state, { status: 'submitted', site: '', template: '', from: '', to: '', cursors: [''], page: 0 });
      context.go('#/');
      queueScreen(context);
    }, { kind: 'quiet' })));
  main.replaceChildren(h('h1', { class: 'console-heading' }, s('queue_heading')), form, results);
  await load();
}

async function show(context, results) {
  const { known } = context;
  results.replaceChildren(loading(s('loading')));
  // Dates are whole days at the chosen site (else the first site): from its
  // midnight to the midnight after the last day.
  const zone = zoneOf(known, state.site || [...known.sites.keys()][0]);
  const nextDay = (day) => new Date(Date.parse(`${day}T00:00:00Z`) + 86400000).toISOString().slice(0, 10);
  let page;
  try {
    page = await data.queue({
      status: state.status, site: state.site, template: state.template,
      from: state.from ? zonedMidnight(state.from, zone) : '', to: state.to ? zonedMidnight(nextDay(state.to), zone) : '',
      cursor: state.cursors[state.page],
    });
  } catch (error) {
    results.replaceChildren(failure(s('load_failed', { error: reason(error) }), button(s('retry'), () => show(context, results))));
    return;
  }
  const more = Boolean(page.next_cursor) && page.items.length > 0;
  if (more) state.cursors[state.page + 1] = page.next_cursor;
  const pager = h('div', { class: 'console-pager' },
    button(s('previous_page'), () => { state.page -= 1; show(context, results); }, { kind: 'secondary', disabled: state.page === 0, id: 'queue-previous' }),
    h('span', { class: 'console-page' }, s('page', { n: state.page + 1 })),
    button(s('next_page'), () => { state.page += 1; show(context, results); }, { kind: 'secondary', disabled: !more, id: 'queue-next' }));
  if (page.items.length === 0) {
    results.replaceChildren(...[empty(s('queue_empty')), state.page > 0 ? pager : null].filter(Boolean));
    return;
  }
  const rows = page.items.map((item) => {
    const siteRow = known.sites.get(item.site_id);
    const templateRow = known.templates.get(item.template_id);
    const zone = zoneOf(known, item.site_id);
    const when = item.submitted_at || item.received_at || item.created_at;
    return h('tr', {},
      h('td', {}, h('a', { href: `#/inspections/${item.id}`, class: 'console-link', dataset: { inspection: item.id } },
        templateRow ? label(templateRow.title) : item.template_key), h('div', { class: 'row-meta' }, s('version', { n: item.template_version }))),
      h('td', {}, siteRow ? siteRow.name : '—'),
      h('td', {}, personName(known, item.owner_id, item)),
      h('td', {}, time(when, zone, true), h('div', { class: 'row-meta' }, zone)),
      h('td', {}, outcomeBadge(item), item.score === null || item.score === undefined ? null : h('div', { class: 'row-meta' }, s('score', { score: item.score }))),
      h('td', {}, statusBadge(item), item.media_pending ? h('div', {}, badge(s('flag_media_pending'), 'warn')) : null));
  });
  results.replaceChildren(
    h('div', { class: 'console-table-wrap' }, h('table', { class: 'console-table', id: 'queue-table' },
      h('thead', {}, h('tr', {}, ['col_checklist', 'col_site', 'col_inspector', 'col_submitted', 'col_result', 'col_status'].map((key) => h('th', { scope: 'col' }, s(key))))),
      h('tbody', {}, rows))),
    pager);
}
