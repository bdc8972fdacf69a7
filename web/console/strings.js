// strings are the console's texts in zh-CN and en; the language is the one
// the shared i18n module picked (device language or the user's choice).

import { lang } from '../shared/i18n.js';

const tables = {
  en: {
    title: 'PatrolSync Console',
    tagline: 'Review, sign-off and records for supervisors and managers',
    sign_in_heading: 'Console — sign in',
    email: 'Email', password: 'Password', sign_in: 'Sign in', signing_in: 'Signing in…', sign_out: 'Sign out',
    wrong_credentials: 'Email or password is wrong.',
    offline: 'No network: the console needs a connection to the server.',
    throttled: 'Too many attempts. Wait a moment and try again.',
    failed: 'Signing in failed: {error}',
    signed_in_as: 'Signed in',
    name: 'Name', organisation: 'Organisation', role: 'Role',
    role_admin: 'Administrator', role_supervisor: 'Supervisor', role_guard: 'Guard', role_auditor: 'Auditor',
    guards_use_app: 'This console is for supervisors, administrators and auditors. Guards work in the guard app.',
    open_app: 'Open the guard app',
    not_built: 'The review queue, findings, rounds, incidents, records and administration screens are not part of this build yet; the API under /v1 serves all of them.',
  },
  'zh-CN': {
    title: '巡检通 控制台',
    tagline: '主管与管理人员的审核、签核与台账',
    sign_in_heading: '控制台 — 登录',
    email: '邮箱', password: '密码', sign_in: '登录', signing_in: '正在登录…', sign_out: '退出登录',
    wrong_credentials: '邮箱或密码错误。',
    offline: '没有网络：控制台需要连接服务器。',
    throttled: '尝试次数过多，请稍后再试。',
    failed: '登录失败：{error}',
    signed_in_as: '已登录',
    name: '姓名', organisation: '机构', role: '角色',
    role_admin: '管理员', role_supervisor: '主管', role_guard: '保安', role_auditor: '审计员',
    guards_use_app: '控制台供主管、管理员和审计员使用。保安请使用巡检应用。',
    open_app: '打开巡检应用',
    not_built: '审核队列、隐患、巡更、事件、台账和管理页面尚未包含在此版本中；/v1 下的 API 已提供全部功能。',
  },
};

// s looks a key up and fills {name} placeholders.
export function s(key, params = {}) {
  const text = (tables[lang()] || tables.en)[key] ?? tables.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
}
