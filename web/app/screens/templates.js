// templates: start an inspection from any published checklist, at one of
// the guard's sites.

import * as data from '../data.js';
import * as actions from '../actions.js';
import { t, label } from '../../shared/i18n.js';
import { h, icon, empty, field } from '../../shared/ui.js';

export const back = '#/today';

export function title() {
  return t('choose_template');
}

export async function render({ session, navigate }) {
  const [versions, sites] = await Promise.all([data.latestVersions(), data.sites()]);
  const mine = sites.filter((site) => !session.user.site_ids || session.user.site_ids.includes(site.id));
  if (versions.length === 0) return empty(t('no_templates'));
  const siteSelect = h('select', { id: 'site-select' }, mine.map((site) => h('option', { value: site.id }, site.name)));
  versions.sort((a, b) => label(a.document.title).localeCompare(label(b.document.title)));
  const start = async (version) => {
    const id = await actions.startInspection(version, siteSelect.value);
    navigate(`#/inspection/${id}`);
  };
  return h('div', {},
    mine.length > 1 ? field(t('site'), siteSelect) : null,
    h('ul', { class: 'list', id: 'templates' }, versions.map((version) => h('li', {},
      h('button', { class: 'row', type: 'button', onclick: () => start(version), dataset: { key: version.key } },
        icon('clipboard'),
        h('div', { class: 'row-main' },
          h('div', { class: 'row-title' }, label(version.document.title)),
          version.document.description ? h('div', { class: 'row-meta' }, clip(label(version.document.description), 90)) : null),
        icon('chevron', 20))))));
}

function clip(text, length) {
  return text.length > length ? `${text.slice(0, length - 1)}…` : text;
}
