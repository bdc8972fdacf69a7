// trainings is the console's training record (#/trainings): sessions
// with topic, trainer, who signed the attendance sheet and their result
// (004: monthly security-skills training).

import { h, badge } from '../shared/ui.js';
import { s, addStrings } from './strings.js';
import * as duty from './dutydata.js';

addStrings({
  en: { trainings_nav: 'Training', trainings_heading: 'Training', trainings_topic: 'Topic', trainings_trainer: 'Trainer',
    trainings_attendance: 'Attendance ({n})', trainings_pass: 'Pass', trainings_fail: 'Fail', trainings_org: 'Whole organisation' },
  'zh-CN': { trainings_nav: '培训', trainings_heading: '培训记录', trainings_topic: '主题', trainings_trainer: '培训人',
    trainings_attendance: '签到({n}人)', trainings_pass: '合格', trainings_fail: '不合格', trainings_org: '全机构' },
});

export async function trainingsScreen(context) {
  const { known, main } = context;
  const board = h('div', { id: 'trainings-board' });
  const now = new Date();
  const read = () => duty.list('/v1/trainings', { from: new Date(now - 60 * 86400000).toISOString(), to: new Date(+now + 86400000).toISOString() });
  main.replaceChildren(h('div', { class: 'console-screen-head' }, h('h1', { class: 'console-heading' }, s('trainings_heading'))), board);
  await duty.load(board, read, (items) => duty.table('trainings-table',
    [s('duty_when'), s('duty_site'), s('trainings_topic'), s('trainings_trainer'), s('trainings_attendance', { n: '' })],
    items.map((x) => h('tr', {}, h('td', {}, duty.at(known, x.site_id || [...known.sites.keys()][0], x.starts_at)),
      h('td', {}, x.site_id ? duty.siteName(known, x.site_id) : s('trainings_org')), h('td', {}, x.topic), h('td', {}, x.trainer),
      h('td', {}, h('div', {}, s('trainings_attendance', { n: x.attendance.length })),
        x.attendance.map((a) => h('div', { class: 'duty-attendee' }, a.user_name,
          a.result ? badge(s(`trainings_${a.result}`) + (a.score != null ? ` ${a.score}` : ''), a.result === 'pass' ? 'ok' : 'bad') : null)))))));
}
