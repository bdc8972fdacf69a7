// incident: report what happened (type, level, place, time, description,
// photos). The report and its photos are kept on the phone and sent when
// online; the site's supervisors are notified then.

import * as data from '../data.js';
import * as actions from '../actions.js';
import * as evidence from '../evidence.js';
import * as store from '../../shared/store.js';
import { t } from '../../shared/i18n.js';
import { h, field, toast, banner } from '../../shared/ui.js';
import { photoStrip } from '../components.js';

export function title() {
  return t('report_incident');
}

const types = ['intrusion', 'fire', 'equipment', 'suspicious', 'other'];
const levels = ['general', 'serious', 'major', 'critical'];

export async function render({ session, navigate }) {
  const sites = (await data.sites()).filter((site) => !session.user.site_ids || session.user.site_ids.includes(site.id));
  const id = store.uuidv7();
  const media = new Map();
  let photos = [];
  const site = h('select', { id: 'incident-site' }, sites.map((one) => h('option', { value: one.id }, one.name)));
  const type = h('select', { id: 'incident-type' }, types.map((one) => h('option', { value: one }, t(`type_${one}`))));
  const level = h('div', { class: 'choices', role: 'radiogroup', id: 'incident-level' });
  let chosen = 'general';
  const drawLevels = () => level.replaceChildren(...levels.map((one) => h('button', {
    type: 'button', class: `choice${one === 'major' || one === 'critical' ? ' choice-no' : ''}`, 'aria-pressed': String(chosen === one),
    role: 'radio', 'aria-checked': String(chosen === one), dataset: { value: one },
    onclick: () => { chosen = one; drawLevels(); },
  }, t(`level_${one}`))));
  drawLevels();
  const place = h('input', { type: 'text', id: 'incident-place', maxlength: 300 });
  const now = new Date(Date.now() - new Date().getTimezoneOffset() * 60000).toISOString().slice(0, 16);
  const when = h('input', { type: 'datetime-local', id: 'incident-when', value: now });
  const description = h('textarea', { id: 'incident-description', maxlength: 5000 });
  const strip = h('div', {});
  const drawPhotos = () => strip.replaceChildren(photoStrip({
    ids: photos, media, disabled: false,
    add: async (files) => {
      for (const file of files) {
        const medium = await evidence.photo(file, { ownerID: id, itemKey: 'incident' });
        media.set(medium.id, medium);
        photos = [...photos, medium.id];
      }
      drawPhotos();
    },
    remove: (one) => { photos = photos.filter((other) => other !== one); drawPhotos(); },
  }));
  drawPhotos();
  const message = h('div', { 'aria-live': 'polite' });
  const send = h('button', { type: 'submit', class: 'btn btn-primary btn-block', id: 'incident-send' }, t('send_report'));
  return h('form', {
    class: 'card', id: 'incident-form',
    onsubmit: async (event) => {
      event.preventDefault();
      if (!description.value.trim() && photos.length === 0) { description.focus(); return; }
      send.disabled = true;
      await actions.reportIncident({
        id, site_id: site.value, type: type.value, level: chosen, place: place.value.trim(),
        occurred_at: new Date(when.value).toISOString(), description: description.value.trim(),
      }, photos.map((one) => media.get(one)));
      toast(t('report_queued'));
      navigate('#/sync');
    },
  },
  sites.length > 1 ? field(t('site'), site) : null,
  field(t('incident_type'), type),
  h('div', { class: 'field' }, h('span', { class: 'label' }, t('incident_level')), level),
  field(t('place'), place), field(t('occurred_at'), when), field(t('description'), description),
  h('div', { class: 'field' }, h('span', { class: 'label' }, t('evidence')), strip),
  message, send, sites.length === 0 ? banner(t('no_templates'), 'warn') : null);
}
