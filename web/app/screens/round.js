// round: walk a route, scanning each checkpoint (QR camera, NFC or the
// typed code). Scans are append-only events kept on the phone and sent when
// online; the server judges them by their scan time, so a round walked
// offline still counts as on time.

import * as data from '../data.js';
import * as actions from '../actions.js';
import * as evidence from '../evidence.js';
import { t, time } from '../../shared/i18n.js';
import { h, icon, badge, button, banner, empty, toast, progress } from '../../shared/ui.js';
import { scanDialog } from '../components.js';

export const back = '#/today';
export const live = true;

export function title() {
  return t('round_walk');
}

export async function render({ params, navigate }) {
  const round = await data.round(params[0]);
  if (!round) return empty(t('empty'));
  const zone = round.timezone;
  const scans = await data.scansOf(round.id);
  const points = round.checkpoints || [];
  const scannedAt = new Map();
  for (const scan of scans) if (!scannedAt.has(scan.tag_code)) scannedAt.set(scan.tag_code, scan.scanned_at);
  const done = points.filter((point) => scannedAt.has(point.tag_code)).length;
  const next = points.find((point) => !scannedAt.has(point.tag_code));
  const versions = await data.latestVersions();

  const record = async (tag, method) => {
    let location = null;
    try { location = await Promise.race([evidence.locate(), new Promise((resolve) => setTimeout(() => resolve(null), 1500))]); } catch { location = null; }
    const { checkpoint } = await actions.scan(round, tag, method, location);
    toast(checkpoint ? t('scan_recorded', { name: checkpoint.name }) : t('unknown_tag'));
    if (checkpoint && checkpoint.template_id) {
      const version = versions.find((one) => one.template_id === checkpoint.template_id);
      if (version) {
        const id = await actions.startInspection(version, round.site_id, { roundID: round.id, context: { checkpoint_tag: tag } });
        navigate(`#/inspection/${id}`);
      }
    }
  };

  return h('div', { id: 'round', dataset: { id: round.id } },
    h('div', { class: 'card' },
      h('h1', {}, round.name),
      h('p', { class: 'muted' }, t('window', { from: time(round.window_start, zone), to: time(round.window_end, zone) }), ' · ',
        badge(t(`status_${round.status}`), round.status === 'completed' ? 'ok' : round.status === 'missed' ? 'bad' : 'info')),
      h('p', { id: 'round-progress' }, t('checkpoints_done', { done, total: points.length })),
      progress(done, points.length)),
    next ? button([icon('qr'), t('scan_checkpoint')], () => scanDialog(record), { class: 'btn btn-primary btn-block', id: 'scan-button' })
      : banner(t('round_done'), 'ok'),
    h('ol', { class: 'list checkpoints', id: 'checkpoints', style: 'margin-top: 12px' }, points.map((point) => {
      const at = scannedAt.get(point.tag_code);
      return h('li', { class: `checkpoint${at ? ' done' : point === next ? ' next' : ''}`, dataset: { tag: point.tag_code } },
        h('div', { class: 'row-main' },
          h('div', { class: 'row-title' }, point.name),
          h('div', { class: 'row-meta' }, at ? t('scanned_at', { time: time(at, zone) }) : t('not_scanned'),
            point.template_id ? [' · ', t('fill_checklist')] : null)),
        at ? badge(t('done'), 'ok') : null);
    })),
    next ? null : button([icon('qr'), t('scan_checkpoint')], () => scanDialog(record), { kind: 'secondary', class: 'btn btn-secondary btn-block', id: 'scan-button' }));
}
