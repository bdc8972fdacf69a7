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
    not_built: 'Findings, rounds, incidents, records and administration screens are not part of this build yet; the API under /v1 serves all of them.',
    nav_queue: 'Review queue',
    queue_heading: 'Inspections to review',
    filter_site: 'Site', filter_template: 'Checklist', filter_status: 'Status', filter_from: 'From', filter_to: 'To',
    all_sites: 'All sites', all_templates: 'All checklists', all_statuses: 'Any status',
    status_submitted: 'Submitted', status_returned: 'Returned', status_approved: 'Approved', status_in_progress: 'In progress',
    outcome_pass: 'Pass', outcome_fail: 'Fail', outcome_incomplete: 'Incomplete',
    apply: 'Apply', reset: 'Reset', next_page: 'Next page', previous_page: 'Previous page', first_page: 'First page',
    page: 'Page {n}', loading: 'Loading…', queue_empty: 'Nothing to review with these filters.',
    load_failed: 'Could not load: {error}', retry: 'Try again',
    server_busy: 'the server is busy or out of reach. Try again in a moment.',
    col_checklist: 'Checklist', col_site: 'Site', col_inspector: 'Inspector', col_submitted: 'Submitted', col_result: 'Result', col_status: 'Status',
    unknown_person: 'Guard not in your directory',
    score: 'Score {score}%',
    back_to_queue: 'Back to the queue',
    inspector: 'Inspector', site: 'Site', started: 'Started', submitted: 'Submitted (device)', received: 'Received (server)', approved_at: 'Signed off',
    approved_by: 'Signed off by', version: 'Version {n}',
    attention: 'Needs attention',
    no_failures: 'No failed items.',
    flag_critical: 'Critical failed', flag_failed: 'Failed', flag_out_of_range: 'Out of range ({min}–{max})',
    flag_expected: 'Expected {expected} ± {tolerance}', flag_tag: 'Wrong checkpoint (expected {tag})',
    flag_clock_skew: 'Device clock off by {minutes} min', flag_media_pending: 'Evidence still uploading',
    flag_error: 'Answer error: {message}', flag_missing: 'Required, not answered',
    yes: 'Yes', no: 'No', na: 'N.A.', not_answered: 'Not answered', note: 'Note', repeat: '#{n}',
    signer: 'Signed by {name}', photo_missing: 'Photo not available', open_full: 'Open full size', close: 'Close',
    countersigned: 'Countersigned by {name}',
    location_value: '{lat}, {lng} (± {accuracy} m)',
    scan_value: '{tag} by {method}',
    history: 'History',
    kind_started: 'Started', kind_submitted: 'Submitted', kind_resubmitted: 'Resubmitted', kind_returned: 'Returned', kind_approved: 'Signed off',
    sign_off: 'Sign off', sign_here: 'Sign here with your finger or pen', clear: 'Clear', comment: 'Comment (optional)',
    approve: 'Approve and sign', approving: 'Signing off…', approved_done: 'Signed off.',
    need_signature: 'Draw your signature first.',
    stale: 'The guard changed this inspection after you opened it. It has been reloaded: review it again before signing off.',
    stale_changed: 'Changed: {what}',
    not_reviewable: 'This inspection cannot be signed off now: {error}',
    try_again_later: 'Not saved: the server is busy or out of reach. Your signature and comments are kept: try again in a moment.',
    return_heading: 'Return to the guard', return_comment: 'What must be fixed', return_item: 'Comment on an item',
    return_item_none: 'No item', send_back: 'Return', sending_back: 'Returning…', returned_done: 'Returned to the guard.',
    need_comment: 'Say what must be fixed.',
    add_item_comment: 'Add this comment', need_item_comment: 'Pick an item and write the comment.', remove: 'Remove',
    read_only: 'This inspection is {status}: there is nothing to sign off.',
    own_inspection: 'You cannot sign off your own inspection.',
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
    not_built: '隐患、巡更、事件、台账和管理页面尚未包含在此版本中；/v1 下的 API 已提供全部功能。',
    nav_queue: '审核队列',
    queue_heading: '待审核的检查',
    filter_site: '站点', filter_template: '检查表', filter_status: '状态', filter_from: '开始日期', filter_to: '结束日期',
    all_sites: '全部站点', all_templates: '全部检查表', all_statuses: '全部状态',
    status_submitted: '已提交', status_returned: '已退回', status_approved: '已签核', status_in_progress: '进行中',
    outcome_pass: '合格', outcome_fail: '不合格', outcome_incomplete: '不完整',
    apply: '筛选', reset: '重置', next_page: '下一页', previous_page: '上一页', first_page: '第一页',
    page: '第 {n} 页', loading: '正在加载…', queue_empty: '没有符合条件的待审核检查。',
    load_failed: '加载失败：{error}', retry: '重试',
    server_busy: '服务器繁忙或无法连接，请稍后重试。',
    col_checklist: '检查表', col_site: '站点', col_inspector: '检查人', col_submitted: '提交时间', col_result: '结果', col_status: '状态',
    unknown_person: '不在您名录中的保安',
    score: '得分 {score}%',
    back_to_queue: '返回队列',
    inspector: '检查人', site: '站点', started: '开始', submitted: '提交（设备时间）', received: '接收（服务器时间）', approved_at: '签核时间',
    approved_by: '签核人', version: '第 {n} 版',
    attention: '需要关注',
    no_failures: '没有不合格项。',
    flag_critical: '关键项不合格', flag_failed: '不合格', flag_out_of_range: '超出范围（{min}–{max}）',
    flag_expected: '应为 {expected} ± {tolerance}', flag_tag: '巡检点不符（应为 {tag}）',
    flag_clock_skew: '设备时钟偏差 {minutes} 分钟', flag_media_pending: '证据仍在上传',
    flag_error: '答案错误：{message}', flag_missing: '必填项未作答',
    yes: '是', no: '否', na: '不适用', not_answered: '未作答', note: '备注', repeat: '第 {n} 项',
    signer: '签名人：{name}', photo_missing: '照片不可用', open_full: '查看原图', close: '关闭',
    countersigned: '复核人：{name}',
    location_value: '{lat}, {lng}（± {accuracy} 米）',
    scan_value: '{tag}（{method}）',
    history: '记录',
    kind_started: '开始', kind_submitted: '提交', kind_resubmitted: '重新提交', kind_returned: '退回', kind_approved: '签核',
    sign_off: '签核', sign_here: '请用手指或笔在此签名', clear: '清除', comment: '意见（可选）',
    approve: '批准并签名', approving: '正在签核…', approved_done: '已签核。',
    need_signature: '请先签名。',
    stale: '您打开后保安修改了这份检查，已重新加载：请重新审核后再签核。',
    stale_changed: '变更：{what}',
    not_reviewable: '目前无法签核：{error}',
    try_again_later: '未保存：服务器繁忙或无法连接。您的签名和意见已保留，请稍后重试。',
    return_heading: '退回给保安', return_comment: '需要整改的内容', return_item: '针对某一项的意见',
    return_item_none: '不针对具体项', send_back: '退回', sending_back: '正在退回…', returned_done: '已退回给保安。',
    need_comment: '请说明需要整改的内容。',
    add_item_comment: '添加此意见', need_item_comment: '请选择一项并填写意见。', remove: '删除',
    read_only: '这份检查{status}，无需签核。',
    own_inspection: '您不能签核自己的检查。',
  },
};

// addStrings lets a screen module keep its own texts beside it:
// addStrings({ en: {...}, 'zh-CN': {...} }) at the top of the module.
// A key defined twice is a mistake and throws, so two screens never
// silently fight over one text.
export function addStrings(more) {
  for (const [code, entries] of Object.entries(more)) {
    const table = tables[code] || (tables[code] = {});
    for (const [key, text] of Object.entries(entries)) {
      if (key in table) throw new Error(`console string ${code}.${key} is defined twice`);
      table[key] = text;
    }
  }
}

// s looks a key up and fills {name} placeholders.
export function s(key, params = {}) {
  const text = (tables[lang()] || tables.en)[key] ?? tables.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
}

// reason is what went wrong, in the reader's words: a transient failure
// (the server busy or down, a 503 or no network) changed nothing and is
// said so in the reader's language, with what to do; a refusal keeps the
// server's own detail, which names the field or rule.
export function reason(error) {
  return error && error.transient ? s('server_busy') : error.message;
}
