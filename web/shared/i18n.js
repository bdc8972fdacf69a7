// i18n holds every string the screens show, in zh-CN and en. The language
// follows the device until the user picks one; the choice is kept in
// localStorage (a setting, not data). Times are formatted in the site's zone.

const tables = {
  en: {
    app_name: 'PatrolSync',
    tagline: 'Guard rounds and inspections, online or not',
    email: 'Email', password: 'Password', sign_in: 'Sign in', signing_in: 'Signing in…',
    sign_out: 'Sign out', language: 'Language',
    login_failed: 'Email or password is wrong.', login_offline: 'No network. Signing in needs a connection once.',
    login_again: 'Your session ended. Sign in again: nothing waiting on this phone is lost.',
    taking_over: '{from} handed the shift over to {name}. {name}, sign in with your own account.',
    login_again_waiting: 'You are signed out. {n} change(s) wait on this phone and are sent once you sign in again: nothing is lost.',
    countersign_key_name: 'Countersign key on a guard phone',
    others_waiting: '{n} change(s) of another guard wait on this phone: they are sent when that guard signs in here again.',
    today: 'Today', rounds: 'Rounds', inspections: 'Inspections', incidents: 'Incident', findings: 'Findings',
    sync: 'Sync', more: 'More',
    hello: 'Hello, {name}', site: 'Site',
    due_rounds: 'Rounds due', due_inspections: 'Inspections due', in_progress: 'In progress',
    nothing_due: 'Nothing due right now.', no_rounds: 'No rounds assigned to you today.',
    start_inspection: 'Start an inspection', choose_template: 'Choose a checklist',
    no_templates: 'No published checklists yet. Connect once to receive them.',
    start: 'Start', resume: 'Continue', open: 'Open',
    window: '{from}–{to}', checkpoints_done: '{done} of {total} checkpoints',
    status_scheduled: 'Scheduled', status_completed: 'Completed', status_partial: 'Partial', status_missed: 'Missed',
    offline_banner: 'Offline: your work is kept on this phone and sent later.',
    storage_refused: 'Offline data is not protected from cleanup: add the app to the home screen.',
    storage_low: 'Storage almost full: {free} free. Send your evidence before taking more photos.',
    // round
    round_walk: 'Round', scan_checkpoint: 'Scan checkpoint', scan_qr: 'Scan QR code', scan_nfc: 'Tap NFC tag',
    type_code: 'Type the code', code_placeholder: 'Code on the tag', record_scan: 'Record',
    scanned_at: 'Scanned {time}', not_scanned: 'Not scanned', next_checkpoint: 'Next',
    camera_unavailable: 'The camera cannot read codes in this browser. Type the code instead.',
    nfc_waiting: 'Hold the phone to the tag…', scan_recorded: 'Scan recorded: {name}',
    unknown_tag: 'This tag is not on the route. It is recorded and flagged.',
    round_done: 'All checkpoints scanned.', fill_checklist: 'Fill in the checklist here',
    cancel: 'Cancel', close: 'Close', back: 'Back', save: 'Save', done: 'Done', remove: 'Remove', retry: 'Try again',
    // inspection
    section_of: 'Section {n} of {total}', previous: 'Previous', next: 'Next', submit: 'Submit',
    progress: '{done} of {total} answered', score: 'Score {score}%',
    yes: 'Yes', no: 'No', na: 'N/A', required: 'Required', optional: 'Optional', critical: 'Critical', locked: 'Locked',
    why_required: 'Required', why_required_rule: 'Required because of an earlier answer',
    why_blocked: 'Locked until earlier steps pass: {items}', why_failed: 'Failed',
    why_critical: 'Critical: fails the whole inspection', expected: 'Expected {value}',
    finding_raised: 'Raises a finding ({severity})', photos_needed: 'Add {n} photo(s) as evidence',
    add_photo: 'Add photo', take_photo: 'Take photo', photos_count: '{n} photo(s)',
    sign_here: 'Sign here', clear: 'Clear', signed: 'Signed', sign: 'Sign', signer_name: 'Name of the signer',
    get_location: 'Record location', location_value: '{lat}, {lng} (±{acc} m)', location_denied: 'Location not permitted.',
    location_failed: 'Location unavailable: {error}',
    scan_item: 'Scan tag', scanned_tag: 'Tag {tag} ({method})',
    add_repeat: 'Add {label}', repeat_n: '{label} {n}', remove_repeat: 'Remove',
    countersign: 'Countersign', countersigner: 'Second person', countersigner_pick: 'Choose who countersigns',
    countersigned_by: 'Countersigned by {name}', countersign_note: 'The second person signs with their own phone (no network needed), or signs in on this one.',
    note: 'Note', add_note: 'Add note', choose: 'Choose…', now: 'Now',
    submit_confirm: 'Submit this inspection? It cannot be changed afterwards unless returned.',
    cannot_submit: '{n} item(s) still need attention.', submitted: 'Submitted',
    submitted_wait: 'Submitted on this phone. It is sent when the phone is online.',
    preview_complete: 'Every item is answered: the guard could submit this.',
    outcome_pass: 'Pass', outcome_fail: 'Fail', outcome_incomplete: 'Incomplete',
    // countersign handed over by QR (web/app/countersign.js)
    handover_their_phone: 'With their phone', handover_this_phone: 'Sign in here',
    handover_step_one: '1. On their own phone they tap “Countersign for a colleague” and scan this code. No network needed.',
    handover_step_two: '2. Scan the code their phone shows now.',
    handover_read_proof: 'Their phone signed: scan it back', handover_scan_proof: 'Point the camera at the code on their phone, or photograph it.',
    handover_scan_request: 'Point the camera at the code on your colleague\'s phone, or photograph it.',
    handover_review: 'You are signing for:', handover_checklist: 'Checklist', handover_item: 'Item', handover_answer: 'Answer',
    handover_inspector: 'Inspector', handover_unknown: 'not on this phone',
    handover_sign: 'I checked it: sign', handover_show_proof: 'Show this code to {name}: their phone scans it.',
    handover_signed_note: 'Your key on this phone signed. The server checks it when the inspection is sent.',
    handover_no_key: 'Your countersign key is not on this phone yet. Sign in once with a network on this phone to set it up.',
    handover_not_ours: 'This is not a PatrolSync countersign code.', handover_version: 'This code comes from another version of the app: update both phones.',
    handover_want_proof: 'This is the request code. Scan the code the second person\'s phone shows after signing.',
    handover_want_request: 'This is a signed code. Scan the code your colleague\'s phone shows for the item.',
    handover_other_item: 'This code was signed for another inspection or item.',
    shift_handover_not_you: 'This handover names another person as the incoming guard: only they can sign it.',
    shift_handover_not_incoming: 'This code was signed by someone other than the incoming guard.',
    shift_handover_review: 'You take over this shift:', shift_handover_from: 'From', shift_handover_post: 'Post',
    handover_items_open_matters: 'Open matters', handover_items_equipment: 'Equipment', handover_items_keys_and_items: 'Keys and items',
    handover_items_remarks: 'Remarks', shift_handover_signed_note: 'Your key on this phone signed. The server checks it when the handover is sent.',
    handover_answer_changed: 'The answer changed after it was signed: they scan the new code and sign again.',
    handover_self: 'The inspector cannot countersign their own inspection: a second person must.',
    handover_role_guard: 'This item needs a countersigner who is a guard, supervisor or admin.',
    handover_role_supervisor: 'This item needs a countersigner who is a supervisor or admin.', handover_site: 'You do not work at this inspection\'s site.',
    handover_too_long: 'This answer is too long to show as a code: shorten the note, or sign in here.',
    handover_here_note: 'They sign in here (this needs a network) and sign below.',
    countersign_colleague: 'Countersign for a colleague', qr_code: 'QR code', qr_photograph: 'Photograph the code',
    qr_none: 'No code found in the photo. Try again closer, without glare.',
    engine_loading: 'Loading the checklist engine…', engine_failed: 'The checklist engine did not load: {error}',
    // incident
    report_incident: 'Report an incident', incident_type: 'What happened', incident_level: 'Level',
    level_general: 'General 一般', level_serious: 'Serious 较大', level_major: 'Major 重大', level_critical: 'Critical 特别重大',
    place: 'Place', description: 'Description', occurred_at: 'When', send_report: 'Send report',
    report_queued: 'Report saved. It is sent when the phone is online.',
    type_intrusion: 'Intrusion', type_fire: 'Fire or smoke', type_equipment: 'Equipment fault',
    type_suspicious: 'Suspicious person', type_other: 'Other',
    // findings
    my_findings: 'Findings assigned to me', no_findings: 'No findings assigned to you.',
    rectify: 'Send rectification', rectification_note: 'What was done', rectified_queued: 'Rectification saved. It is sent when the phone is online.',
    due: 'Due {time}', severity_low: 'Low', severity_medium: 'Medium', severity_high: 'High', severity_critical: 'Critical',
    finding_status: 'Status: {status}', evidence_required: 'Add at least one photo as evidence.',
    // sync
    sync_title: 'Sync', all_synced: 'Everything is synced', needs_attention: '{n} record(s) need your attention', all_synced_detail: 'Last synced {time}.',
    waiting_count: '{n} change(s) waiting to be sent', evidence_waiting: '{n} photo(s) or signature(s) waiting',
    sync_now: 'Sync now', syncing: 'Syncing…',
    // What a failed sync means, and what happens next (sync.js problemOf).
    sync_offline: 'You are offline. Everything waiting stays on this phone and is sent when the network returns.',
    sync_busy: 'The server is busy. Nothing is lost: the phone tries again at {time}.',
    sync_unreachable: 'The phone has a network but cannot reach the server. Nothing is lost: it tries again at {time}.',
    sync_refused: 'The server did not accept what this phone sent ({error}). Nothing is lost. Tap Sync now to try again; if it happens again, tell your supervisor.',
    sync_signed_out: 'You are signed out. Sign in again to send what is waiting: nothing is lost.',
    rejected_inspection: 'The server did not accept this checklist. Open it, correct the items below and submit it again.',
    rejected_other: 'The server did not accept this record, and it cannot be sent as it is. Tell your supervisor what it was, then dismiss it.',
    rejected_required: 'an answer is required',
    state_waiting: 'Waiting', state_sent: 'Sent', state_rejected: 'Rejected', state_conflict: 'Conflict',
    state_uploading: 'Uploading', state_stored: 'Stored', state_failed: 'Refused',
    server_version: 'The server has: {status}', returned_by_supervisor: 'Returned by the supervisor',
    conflict_explain: 'Someone changed this on the server meanwhile. The server’s version is kept.',
    returned_explain: 'The supervisor returned this inspection after it was sent. Open it, fix what was asked and submit again.',
    dismiss: 'Dismiss', never_synced: 'Not synced yet', retry_failed: 'Send refused evidence again',
    evidence: 'Evidence', records: 'Records', signature: 'Signature', photo: 'Photo',
    type_inspection: 'Inspection', type_scan: 'Checkpoint scan', type_incident: 'Incident', type_finding: 'Finding',
    mutation_inspection_start: 'Inspection started', mutation_answer_set: 'Answer', mutation_answer_clear: 'Answer cleared',
    mutation_inspection_submit: 'Inspection submitted', mutation_checkpoint_scan: 'Checkpoint scan',
    mutation_incident_report: 'Incident report', mutation_finding_rectify: 'Rectification', mutation_media_declare: 'Evidence',
    mutation_finding_update: 'Finding update',
    loading: 'Loading…', empty: 'Nothing here yet.', error: 'Something went wrong: {error}',
    update_ready: 'A new version of the app is ready. Reload to use it: nothing waiting to be sent is lost.', reload: 'Reload',
  },
  'zh-CN': {
    app_name: '巡检通',
    tagline: '巡更与检查，有网无网都能用',
    email: '邮箱', password: '密码', sign_in: '登录', signing_in: '正在登录…',
    sign_out: '退出登录', language: '语言',
    login_failed: '邮箱或密码错误。', login_offline: '没有网络。首次登录需要联网。',
    login_again: '登录已过期，请重新登录：本机待发送的内容不会丢失。',
    taking_over: '{from}已向{name}交班。请{name}用自己的账号登录。',
    login_again_waiting: '您已退出登录。本机有 {n} 项内容待发送，重新登录后自动发送，不会丢失。',
    countersign_key_name: '保安手机上的会签密钥',
    others_waiting: '本机有另一名保安的 {n} 项内容待发送：该保安在本机重新登录后发送。',
    today: '今日', rounds: '巡更', inspections: '检查', incidents: '报事件', findings: '隐患',
    sync: '同步', more: '更多',
    hello: '您好，{name}', site: '网点',
    due_rounds: '待巡更', due_inspections: '待检查', in_progress: '进行中',
    nothing_due: '当前没有待办。', no_rounds: '今天没有分配给您的巡更。',
    start_inspection: '开始检查', choose_template: '选择检查表',
    no_templates: '还没有已发布的检查表。联网一次即可获取。',
    start: '开始', resume: '继续', open: '打开',
    window: '{from}–{to}', checkpoints_done: '已巡 {done}/{total} 个点',
    status_scheduled: '待执行', status_completed: '已完成', status_partial: '部分完成', status_missed: '漏巡',
    offline_banner: '离线：操作已保存在本机，联网后自动发送。',
    storage_refused: '离线数据可能被浏览器清理：请把应用添加到主屏幕。',
    storage_low: '存储空间即将用完：剩余 {free}。请先发送证据再继续拍照。',
    round_walk: '巡更', scan_checkpoint: '扫描巡更点', scan_qr: '扫二维码', scan_nfc: '贴近 NFC 标签',
    type_code: '手动输入编码', code_placeholder: '标签上的编码', record_scan: '记录',
    scanned_at: '{time} 已扫描', not_scanned: '未扫描', next_checkpoint: '下一个',
    camera_unavailable: '此浏览器无法用相机识别二维码，请手动输入编码。',
    nfc_waiting: '请将手机贴近标签…', scan_recorded: '已记录：{name}',
    unknown_tag: '此标签不在路线上。已记录并标记。',
    round_done: '所有巡更点已扫描。', fill_checklist: '在此处填写检查表',
    cancel: '取消', close: '关闭', back: '返回', save: '保存', done: '完成', remove: '删除', retry: '重试',
    section_of: '第 {n}/{total} 部分', previous: '上一部分', next: '下一部分', submit: '提交',
    progress: '已答 {done}/{total}', score: '得分 {score}%',
    yes: '是', no: '否', na: '不适用', required: '必填', optional: '选填', critical: '关键项', locked: '未解锁',
    why_required: '必填', why_required_rule: '因前面的回答而必填',
    why_blocked: '需先通过前面的步骤：{items}', why_failed: '不合格',
    why_critical: '关键项：不合格则整次检查不合格', expected: '应为 {value}',
    finding_raised: '将生成隐患（{severity}）', photos_needed: '请拍 {n} 张照片作为证据',
    add_photo: '添加照片', take_photo: '拍照', photos_count: '{n} 张照片',
    sign_here: '请在此签名', clear: '清除', signed: '已签名', sign: '签名', signer_name: '签名人姓名',
    get_location: '记录位置', location_value: '{lat}, {lng}（±{acc} 米）', location_denied: '未获准使用定位。',
    location_failed: '无法定位：{error}',
    scan_item: '扫描标签', scanned_tag: '标签 {tag}（{method}）',
    add_repeat: '添加{label}', repeat_n: '{label} {n}', remove_repeat: '删除',
    countersign: '复核签字', countersigner: '复核人', countersigner_pick: '选择复核人',
    countersigned_by: '复核人：{name}', countersign_note: '复核人用自己的手机签字（无需网络），或在本机登录签字。',
    note: '备注', add_note: '添加备注', choose: '请选择…', now: '现在',
    submit_confirm: '确定提交此次检查？提交后除非被退回，否则不能修改。',
    cannot_submit: '还有 {n} 项需要处理。', submitted: '已提交',
    submitted_wait: '已在本机提交，联网后发送。',
    preview_complete: '所有项目都已作答：保安此时可以提交。',
    outcome_pass: '合格', outcome_fail: '不合格', outcome_incomplete: '未完成',
    // 扫码会签（web/app/countersign.js）
    handover_their_phone: '用复核人手机', handover_this_phone: '在本机登录',
    handover_step_one: '1. 复核人在自己手机上点“为同事复核签字”，扫描此码。无需网络。',
    handover_step_two: '2. 扫描复核人手机上显示的签字码。',
    handover_read_proof: '对方已签字：扫描回传码', handover_scan_proof: '将摄像头对准对方手机上的码，或拍照。',
    handover_scan_request: '将摄像头对准同事手机上的码，或拍照。',
    handover_review: '您将为以下内容签字：', handover_checklist: '检查表', handover_item: '检查项', handover_answer: '答案',
    handover_inspector: '检查人', handover_unknown: '本机没有此资料',
    handover_sign: '已核对，签字', handover_show_proof: '请将此码出示给{name}，由其手机扫描。',
    handover_signed_note: '已用您本机的密钥签字。检查上传后由服务器核验。',
    handover_no_key: '本机还没有您的会签密钥。请在本机联网登录一次以设置。',
    handover_not_ours: '这不是 PatrolSync 会签码。', handover_version: '此码来自其他版本的应用：请更新两部手机。',
    handover_want_proof: '这是请求码。请扫描复核人签字后其手机显示的码。',
    handover_want_request: '这是签字码。请扫描同事手机上为该检查项显示的码。',
    handover_other_item: '此码签的是另一次检查或另一检查项。',
    shift_handover_not_you: '此交接班的接班人不是您,只有接班人本人可以签字。',
    shift_handover_not_incoming: '此码不是接班人签的。',
    shift_handover_review: '您将接班:', shift_handover_from: '交班人', shift_handover_post: '岗位',
    handover_items_open_matters: '未结事项', handover_items_equipment: '设备状态', handover_items_keys_and_items: '钥匙物品',
    handover_items_remarks: '备注', shift_handover_signed_note: '已用本机密钥签字,交接班发送时由服务器核验。',
    handover_answer_changed: '签字后答案已更改：请对方扫描新码重新签字。',
    handover_self: '检查人不能为自己的检查复核签字：须由第二人签字。',
    handover_role_guard: '此项需要保安、主管或管理员复核。',
    handover_role_supervisor: '此项需要主管或管理员复核。', handover_site: '您不在此检查所属的站点工作。',
    handover_too_long: '答案太长，无法显示为二维码：请缩短备注，或改为在本机登录。',
    handover_here_note: '复核人在本机登录（需要网络）并在下方签名。',
    countersign_colleague: '为同事复核签字', qr_code: '二维码', qr_photograph: '拍摄二维码',
    qr_none: '照片中未找到二维码。请靠近一些、避开反光后重试。',
    engine_loading: '正在加载检查引擎…', engine_failed: '检查引擎加载失败：{error}',
    report_incident: '报告事件', incident_type: '事件类型', incident_level: '级别',
    level_general: '一般', level_serious: '较大', level_major: '重大', level_critical: '特别重大',
    place: '地点', description: '描述', occurred_at: '发生时间', send_report: '发送报告',
    report_queued: '报告已保存，联网后发送。',
    type_intrusion: '非法闯入', type_fire: '火情或烟雾', type_equipment: '设备故障',
    type_suspicious: '可疑人员', type_other: '其他',
    my_findings: '分配给我的隐患', no_findings: '没有分配给您的隐患。',
    rectify: '提交整改', rectification_note: '整改情况', rectified_queued: '整改已保存，联网后发送。',
    due: '{time} 前', severity_low: '低', severity_medium: '中', severity_high: '高', severity_critical: '严重',
    finding_status: '状态：{status}', evidence_required: '请至少添加一张照片作为证据。',
    sync_title: '同步', all_synced: '全部已同步', needs_attention: '{n} 项记录需要您处理', all_synced_detail: '上次同步 {time}。',
    waiting_count: '{n} 项更改待发送', evidence_waiting: '{n} 张照片或签名待上传',
    sync_now: '立即同步', syncing: '正在同步…',
    sync_offline: '当前离线。待发送的内容都保存在本机，联网后自动发送。',
    sync_busy: '服务器繁忙。内容不会丢失，将于 {time} 自动重试。',
    sync_unreachable: '手机已联网，但连不上服务器。内容不会丢失，将于 {time} 自动重试。',
    sync_refused: '服务器未接受本机发送的内容（{error}）。内容不会丢失。请点“立即同步”重试；如仍失败，请告知主管。',
    sync_signed_out: '您已退出登录。请重新登录以发送待发送的内容，内容不会丢失。',
    rejected_inspection: '服务器未接受此检查表。请打开它，改正下列项目后重新提交。',
    rejected_other: '服务器未接受此记录，无法按原样发送。请将情况告知主管，然后点“知道了”。',
    rejected_required: '此项必须回答',
    state_waiting: '待发送', state_sent: '已发送', state_rejected: '被拒绝', state_conflict: '冲突',
    state_uploading: '上传中', state_stored: '已保存', state_failed: '被拒收',
    server_version: '服务器上为：{status}', returned_by_supervisor: '主管已退回',
    conflict_explain: '服务器上的记录已被他人修改，以服务器版本为准。',
    returned_explain: '此检查提交后已被主管退回。请打开、按要求修改后重新提交。',
    dismiss: '知道了', never_synced: '尚未同步', retry_failed: '重新发送被拒收的证据',
    evidence: '证据', records: '记录', signature: '签名', photo: '照片',
    type_inspection: '检查', type_scan: '巡更打卡', type_incident: '事件', type_finding: '隐患',
    mutation_inspection_start: '开始检查', mutation_answer_set: '回答', mutation_answer_clear: '清除回答',
    mutation_inspection_submit: '提交检查', mutation_checkpoint_scan: '巡更打卡',
    mutation_incident_report: '事件报告', mutation_finding_rectify: '整改', mutation_media_declare: '证据',
    mutation_finding_update: '隐患更新',
    loading: '加载中…', empty: '暂无内容。', error: '出错了：{error}',
    update_ready: '应用有新版本。重新加载即可使用，待发送的记录不会丢失。', reload: '重新加载',
  },
};

export const languages = [['zh-CN', '中文'], ['en', 'English']];

let current = pick();

function pick() {
  const saved = globalThis.localStorage && localStorage.getItem('patrolsync.lang');
  if (saved && tables[saved]) return saved;
  const wanted = (globalThis.navigator && navigator.languages) || ['en'];
  for (const language of wanted) {
    if (language.toLowerCase().startsWith('zh')) return 'zh-CN';
    if (language.toLowerCase().startsWith('en')) return 'en';
  }
  return 'en';
}

export function lang() {
  return current;
}

export function setLang(language) {
  if (!tables[language]) return;
  current = language;
  localStorage.setItem('patrolsync.lang', language);
  document.documentElement.lang = language;
}

// t looks a key up and fills {name} placeholders.
export function t(key, params = {}) {
  const text = tables[current][key] ?? tables.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
}

// label picks a multilingual text of a template ({"zh-CN", "en"}).
export function label(text) {
  if (!text) return '';
  if (typeof text === 'string') return text;
  return text[current] || text.en || text['zh-CN'] || Object.values(text)[0] || '';
}

// time formats an instant in the given IANA zone (the site's). Making an
// Intl.DateTimeFormat is costly (the zone's rules, the locale's patterns),
// so one is kept per language, zone and shape.
export function time(iso, zone, withDate = false) {
  if (!iso) return '';
  return formatter(zone, withDate).format(new Date(iso));
}

// prepareTimes makes ahead of time the formatter a first screen uses: the
// language's, in the zone of the last zoned formatter made (kept in
// localStorage). The first Intl.DateTimeFormat of a page loads the
// locale's and the zone's data, which took from 0.2 to over 1 s at a
// throttled cold start; made while the database opens, it costs the first
// screen nothing (docs/benchmarks.md).
export function prepareTimes() {
  const zone = globalThis.localStorage && localStorage.getItem(ZONE_KEY);
  formatter(zone || undefined, false);
}

const ZONE_KEY = 'patrolsync.zone';
const formatters = new Map();

function formatter(zone, withDate) {
  const key = `${current} ${zone || ''} ${withDate}`;
  let made = formatters.get(key);
  if (!made) {
    const options = { hour: '2-digit', minute: '2-digit', hour12: false };
    if (withDate) Object.assign(options, { month: 'short', day: 'numeric' });
    try {
      made = new Intl.DateTimeFormat(current, zone ? { ...options, timeZone: zone } : options);
    } catch {
      made = new Intl.DateTimeFormat(current, options); // a zone this browser does not know
    }
    formatters.set(key, made);
    if (zone && globalThis.localStorage && localStorage.getItem(ZONE_KEY) !== zone) localStorage.setItem(ZONE_KEY, zone);
  }
  return made;
}

export function bytes(count) {
  if (count < 1024 * 1024) return `${Math.round(count / 1024)} KiB`;
  if (count < 1024 * 1024 * 1024) return `${(count / 1024 / 1024).toFixed(1)} MiB`;
  return `${(count / 1024 / 1024 / 1024).toFixed(1)} GiB`;
}
