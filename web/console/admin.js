// admin is the organisation's administration: users (create, role, sites,
// deactivate), their devices (deactivate a lost phone: its tokens stop
// working at once), sites (name, time zone, place) and the checkpoints of
// each site's routes with printable codes. Administrators change things;
// auditors see the same screens with no control that writes.

import { h, button, badge, banner, loading, failure, empty, toast, confirm } from '../shared/ui.js';
import { time, lang } from '../shared/i18n.js';
import { s, addStrings, reason } from './strings.js';
import * as manage from './manage.js';

addStrings({
  en: {
    admin_nav: 'Administration',
    admin_users: 'Users', admin_devices: 'Devices', admin_sites: 'Sites', admin_checkpoints: 'Checkpoints',
    admin_name: 'Name', admin_email: 'Email', admin_role: 'Role', admin_sites_col: 'Sites', admin_state: 'State',
    admin_password: 'Initial password (at least 10 characters)', admin_active: 'Active', admin_inactive: 'Deactivated',
    admin_all_sites: 'Whole organisation', admin_create_user: 'Add a user', admin_create: 'Add', admin_save: 'Save',
    admin_deactivate: 'Deactivate', admin_reactivate: 'Reactivate', admin_devices_of: 'Devices of {name}',
    admin_all_devices: 'All devices', admin_device: 'Device', admin_platform: 'Platform', admin_owner: 'Used by',
    admin_last_seen: 'Last seen', admin_never: 'Never',
    admin_deactivate_device_confirm: 'Deactivate “{name}”? Whoever holds this phone is signed out at once and cannot sync.',
    admin_deactivate_user_confirm: 'Deactivate {name}? Their sessions end at once.',
    admin_device_deactivated: 'Device deactivated: its sessions no longer work.',
    admin_saved: 'Saved.', admin_created: 'Added.', admin_failed: 'Not saved: {error}',
    admin_timezone: 'Time zone', admin_address: 'Address', admin_code: 'Code', admin_lat: 'Latitude', admin_lng: 'Longitude',
    admin_radius: 'Radius (m)', admin_place: 'Place', admin_no_place: 'No place set', admin_place_value: '{lat}, {lng} · {radius} m',
    admin_create_site: 'Add a site', admin_edit: 'Edit', admin_cancel: 'Cancel',
    admin_route: 'Route', admin_checkpoint: 'Checkpoint', admin_tag: 'Tag code', admin_no_routes: 'No routes at this site yet.',
    admin_add_checkpoint: 'Add a checkpoint', admin_print: 'Print QR labels (PDF)', admin_labels_ready: 'Label sheet downloaded.', admin_none: 'None yet.',
    admin_read_only: 'Read-only: auditors see the administration and change nothing.',
    admin_pick_site: 'Site',
  },
  'zh-CN': {
    admin_nav: '管理',
    admin_users: '用户', admin_devices: '设备', admin_sites: '站点', admin_checkpoints: '巡检点',
    admin_name: '姓名', admin_email: '邮箱', admin_role: '角色', admin_sites_col: '站点', admin_state: '状态',
    admin_password: '初始密码（至少 10 个字符）', admin_active: '启用', admin_inactive: '已停用',
    admin_all_sites: '整个机构', admin_create_user: '添加用户', admin_create: '添加', admin_save: '保存',
    admin_deactivate: '停用', admin_reactivate: '重新启用', admin_devices_of: '{name} 的设备',
    admin_all_devices: '全部设备', admin_device: '设备', admin_platform: '平台', admin_owner: '使用人',
    admin_last_seen: '最后在线', admin_never: '从未',
    admin_deactivate_device_confirm: '停用“{name}”？持有这部手机的人会立即退出登录，无法再同步。',
    admin_deactivate_user_confirm: '停用 {name}？其登录会立即失效。',
    admin_device_deactivated: '设备已停用：其登录已失效。',
    admin_saved: '已保存。', admin_created: '已添加。', admin_failed: '未保存：{error}',
    admin_timezone: '时区', admin_address: '地址', admin_code: '编号', admin_lat: '纬度', admin_lng: '经度',
    admin_radius: '半径（米）', admin_place: '位置', admin_no_place: '未设置位置', admin_place_value: '{lat}, {lng} · {radius} 米',
    admin_create_site: '添加站点', admin_edit: '编辑', admin_cancel: '取消',
    admin_route: '路线', admin_checkpoint: '巡检点', admin_tag: '标签编码', admin_no_routes: '该站点还没有路线。',
    admin_add_checkpoint: '添加巡检点', admin_print: '打印二维码标签（PDF）', admin_labels_ready: '标签页已下载。', admin_none: '暂无。',
    admin_read_only: '只读：审计员可以查看管理页面，不能修改。',
    admin_pick_site: '站点',
  },
});

const roles = ['guard', 'supervisor', 'admin', 'auditor'];

// adminScreen shows one tab: users (default), devices[/user], sites, checkpoints.
export async function adminScreen(context, tab, ...rest) {
  tab = tab || 'users';
  const { main } = context;
  const canWrite = context.session.user.role === 'admin';
  const tabs = h('nav', { class: 'console-tabs', 'aria-label': s('admin_nav') }, ['users', 'devices', 'sites', 'checkpoints'].map((name) =>
    h('a', { href: `#/admin/${name}`, class: 'console-tab', 'aria-current': name === tab ? 'page' : null }, s(`admin_${name}`))));
  const body = h('div', { id: 'admin-body' }, loading(s('loading')));
  main.replaceChildren(...[h('h1', { class: 'console-heading' }, s('admin_nav')), tabs,
    canWrite ? null : banner(s('admin_read_only'), 'info'), body].filter(Boolean));
  const screen = { users: usersTab, devices: devicesTab, sites: sitesTab, checkpoints: checkpointsTab }[tab] || usersTab;
  const again = () => adminScreen(context, tab, ...rest);
  try {
    body.replaceChildren(...[await screen({ ...context, canWrite, again }, ...rest)].flat(Infinity).filter(Boolean));
  } catch (error) {
    body.replaceChildren(failure(s('load_failed', { error: reason(error) }), button(s('retry'), again)));
  }
}

// act runs a write and says how it went; the tab is drawn again after it.
async function act(context, work, done) {
  try {
    await work();
    toast(s(done));
    await context.again();
  } catch (error) {
    toast(s('admin_failed', { error: fieldErrors(error) }));
  }
}

function fieldErrors(error) {
  return error.errors && error.errors.length ? error.errors.map((e) => `${e.pointer}: ${e.detail}`).join('; ') : reason(error);
}

function table(id, heads, rows) {
  return h('div', { class: 'console-table-wrap' }, h('table', { class: 'console-table', id },
    h('thead', {}, h('tr', {}, heads.map((key) => h('th', { scope: 'col' }, key ? s(key) : '')))), h('tbody', {}, rows)));
}

const labelled = (text, control) => h('label', { class: 'console-filter' }, h('span', {}, text), control);

function siteNames(context, ids) {
  if (!ids || !ids.length) return s('admin_all_sites');
  return ids.map((siteID) => (context.known.sites.get(siteID) || {}).name || '—').join('、');
}

async function usersTab(context) {
  const people = await manage.users();
  for (const person of people) context.known.people.set(person.id, person.name);
  const rows = people.map((person) => {
    const role = h('select', { 'aria-label': s('admin_role'), disabled: !context.canWrite, dataset: { user: person.id } },
      roles.map((r) => h('option', { value: r, selected: r === person.role }, s(`role_${r}`))));
    const siteBoxes = sitePicker(context, person.site_ids, !context.canWrite);
    const controls = context.canWrite ? h('div', { class: 'btn-row' },
      button(s('admin_save'), () => act(context, () => manage.updateUser(person.id, { role: role.value, site_ids: siteBoxes.value() }), 'admin_saved'), { kind: 'secondary' }),
      person.active
        ? button(s('admin_deactivate'), async () => {
          if (await confirm(s('admin_deactivate_user_confirm', { name: person.name }), s('admin_deactivate'), s('admin_cancel'))) {
            await act(context, () => manage.updateUser(person.id, { active: false }), 'admin_saved');
          }
        }, { kind: 'danger' })
        : button(s('admin_reactivate'), () => act(context, () => manage.updateUser(person.id, { active: true }), 'admin_saved'), { kind: 'quiet' })) : null;
    return h('tr', { dataset: { user: person.id } },
      h('td', {}, h('strong', {}, person.name), h('div', { class: 'row-meta' }, person.email)),
      h('td', {}, role),
      h('td', {}, context.canWrite ? siteBoxes.element : siteNames(context, person.site_ids)),
      h('td', {}, badge(s(person.active ? 'admin_active' : 'admin_inactive'), person.active ? 'ok' : 'neutral'),
        h('div', {}, h('a', { href: `#/admin/devices/${person.id}`, class: 'console-link' }, s('admin_devices')))),
      h('td', {}, controls));
  });
  return [context.canWrite ? newUserForm(context) : null, table('admin-users', ['admin_name', 'admin_role', 'admin_sites_col', 'admin_state', ''], rows)];
}

// sitePicker is a checkbox per site; value() answers the ticked ids.
function sitePicker(context, chosen, disabled) {
  const boxes = [...context.known.sites.values()].map((site) => {
    const box = h('input', { type: 'checkbox', value: site.id, checked: (chosen || []).includes(site.id), disabled });
    return h('label', { class: 'console-check' }, box, site.name);
  });
  return { element: h('div', { class: 'console-checks' }, boxes), value: () => boxes.map((b) => b.firstChild).filter((b) => b.checked).map((b) => b.value) };
}

function newUserForm(context) {
  const name = h('input', { type: 'text', id: 'admin-user-name', required: true, maxlength: 200 });
  const email = h('input', { type: 'email', id: 'admin-user-email', required: true });
  const password = h('input', { type: 'password', id: 'admin-user-password', required: true, minlength: 10, autocomplete: 'new-password' });
  const role = h('select', { id: 'admin-user-role' }, roles.map((r) => h('option', { value: r }, s(`role_${r}`))));
  const sites = sitePicker(context, [], false);
  return h('form', {
    class: 'card console-form', id: 'admin-user-form',
    onsubmit: (event) => {
      event.preventDefault();
      act(context, () => manage.createUser({ name: name.value.trim(), email: email.value.trim(), password: password.value, role: role.value, site_ids: sites.value() }), 'admin_created');
    },
  }, h('h2', { class: 'section-title' }, s('admin_create_user')),
  h('div', { class: 'console-form-grid' }, labelled(s('admin_name'), name), labelled(s('admin_email'), email),
    labelled(s('admin_password'), password), labelled(s('admin_role'), role)),
  labelled(s('admin_sites_col'), sites.element),
  h('button', { type: 'submit', class: 'btn btn-primary', id: 'admin-user-create' }, s('admin_create')));
}

async function devicesTab(context, userID) {
  const [list, people] = await Promise.all([manage.devices(userID), manage.users()]);
  const byID = new Map(people.map((person) => [person.id, person]));
  const owner = userID && byID.get(userID);
  // A device's times read in the zone of its user's first site (else the organisation's first).
  const zoneOf = (person) => {
    const siteID = (person && person.site_ids && person.site_ids[0]) || [...context.known.sites.keys()][0];
    return (context.known.sites.get(siteID) || {}).timezone;
  };
  const rows = list.map((device) => {
    const person = device.user_id && byID.get(device.user_id);
    const zone = zoneOf(person);
    return h('tr', { dataset: { device: device.id } },
      h('td', {}, h('strong', {}, device.name || device.platform || s('admin_device')), h('div', { class: 'row-meta' }, device.platform || '')),
      h('td', {}, person ? person.name : '—'),
      h('td', {}, device.last_seen_at ? [time(device.last_seen_at, zone, true), h('div', { class: 'row-meta' }, zone)] : s('admin_never')),
      h('td', {}, badge(s(device.active ? 'admin_active' : 'admin_inactive'), device.active ? 'ok' : 'neutral')),
      h('td', {}, context.canWrite && device.active ? button(s('admin_deactivate'), async () => {
        const name = `${device.name || device.platform || s('admin_device')}${person ? ` · ${person.name}` : ''}`;
        if (await confirm(s('admin_deactivate_device_confirm', { name }), s('admin_deactivate'), s('admin_cancel'))) {
          await act(context, () => manage.deactivateDevice(device.id), 'admin_device_deactivated');
        }
      }, { kind: 'danger', class: 'btn btn-danger device-deactivate' }) : null));
  });
  return [
    h('h2', { class: 'section-title' }, owner ? s('admin_devices_of', { name: owner.name }) : s('admin_all_devices'),
      owner ? h('a', { href: '#/admin/devices', class: 'btn btn-quiet' }, s('admin_all_devices')) : null),
    rows.length ? table('admin-devices', ['admin_device', 'admin_owner', 'admin_last_seen', 'admin_state', ''], rows) : empty(s('admin_none')),
  ];
}

async function sitesTab(context) {
  const list = await manage.sites();
  const rows = list.map((site) => {
    const place = site.location ? s('admin_place_value', { lat: site.location.lat, lng: site.location.lng, radius: site.location.radius_m }) : s('admin_no_place');
    const row = h('tr', { dataset: { site: site.id } },
      h('td', {}, h('strong', {}, site.name), h('div', { class: 'row-meta' }, site.code)),
      h('td', {}, site.timezone),
      h('td', {}, place, site.address ? h('div', { class: 'row-meta' }, site.address) : null),
      h('td', {}, badge(s(site.active ? 'admin_active' : 'admin_inactive'), site.active ? 'ok' : 'neutral')),
      h('td', {}, context.canWrite ? button(s('admin_edit'), () => row.replaceWith(siteEditor(context, site, row)), { kind: 'secondary', class: 'btn btn-secondary site-edit' }) : null));
    return row;
  });
  return [context.canWrite ? siteForm(context, null) : null, table('admin-sites', ['admin_name', 'admin_timezone', 'admin_place', 'admin_state', ''], rows)];
}

// siteFields are the inputs of a site; body() answers the API's shape.
function siteFields(site) {
  const value = (v) => (v === undefined || v === null ? '' : String(v));
  const inputs = {
    code: h('input', { type: 'text', value: value(site && site.code), required: true, maxlength: 32, class: 'site-code' }),
    name: h('input', { type: 'text', value: value(site && site.name), required: true, maxlength: 200, class: 'site-name' }),
    timezone: h('input', { type: 'text', value: value(site ? site.timezone : 'Asia/Shanghai'), required: true, class: 'site-timezone', list: 'admin-zones' }),
    address: h('input', { type: 'text', value: value(site && site.address), maxlength: 500 }),
    lat: h('input', { type: 'number', step: 'any', min: -90, max: 90, value: value(site && site.location && site.location.lat), class: 'site-lat' }),
    lng: h('input', { type: 'number', step: 'any', min: -180, max: 180, value: value(site && site.location && site.location.lng), class: 'site-lng' }),
    radius: h('input', { type: 'number', step: '1', min: 1, max: 100000, value: value(site && site.location && site.location.radius_m), class: 'site-radius' }),
  };
  const zones = h('datalist', { id: 'admin-zones' }, (Intl.supportedValuesOf ? Intl.supportedValuesOf('timeZone') : ['Asia/Shanghai']).map((zone) => h('option', { value: zone })));
  const element = h('div', { class: 'console-form-grid' },
    labelled(s('admin_code'), inputs.code), labelled(s('admin_name'), inputs.name), labelled(s('admin_timezone'), inputs.timezone),
    labelled(s('admin_address'), inputs.address), labelled(s('admin_lat'), inputs.lat), labelled(s('admin_lng'), inputs.lng),
    labelled(s('admin_radius'), inputs.radius), zones);
  const body = () => {
    const out = { code: inputs.code.value.trim(), name: inputs.name.value.trim(), timezone: inputs.timezone.value.trim(), address: inputs.address.value.trim() };
    const placed = [inputs.lat, inputs.lng, inputs.radius].map((input) => input.value.trim());
    if (placed.every(Boolean)) out.location = { lat: Number(placed[0]), lng: Number(placed[1]), radius_m: Math.round(Number(placed[2])) };
    else if (placed.every((one) => !one)) out.location = null;
    return out;
  };
  return { element, body };
}

function siteForm(context) {
  const fields = siteFields(null);
  return h('form', {
    class: 'card console-form', id: 'admin-site-form',
    onsubmit: (event) => {
      event.preventDefault();
      const body = fields.body();
      if (body.location === null) delete body.location;
      act(context, () => manage.createSite(body), 'admin_created');
    },
  }, h('h2', { class: 'section-title' }, s('admin_create_site')), fields.element,
  h('button', { type: 'submit', class: 'btn btn-primary' }, s('admin_create')));
}

function siteEditor(context, site, row) {
  const fields = siteFields(site);
  const cell = h('td', { colspan: 5 }, h('form', {
    class: 'console-form', dataset: { site: site.id },
    onsubmit: (event) => {
      event.preventDefault();
      act(context, () => manage.updateSite(site.id, { ...fields.body(), version: site.version }), 'admin_saved');
    },
  }, fields.element, h('div', { class: 'btn-row' },
    h('button', { type: 'submit', class: 'btn btn-primary site-save' }, s('admin_save')),
    button(s('admin_cancel'), () => editor.replaceWith(row), { kind: 'quiet' }))));
  const editor = h('tr', { class: 'console-editing' }, cell);
  return editor;
}

async function checkpointsTab(context, siteID) {
  const sites = [...context.known.sites.values()];
  const chosen = siteID || (sites[0] && sites[0].id) || '';
  const picker = h('select', { id: 'admin-checkpoint-site', onchange: (event) => context.go(`#/admin/checkpoints/${event.target.value}`) },
    sites.map((site) => h('option', { value: site.id, selected: site.id === chosen }, site.name)));
  const list = chosen ? await manage.routes(chosen) : [];
  const cards = list.map((route) => {
    const rows = (route.checkpoints || []).map((point) => h('tr', {},
      h('td', {}, h('strong', {}, point.name)), h('td', {}, h('code', { class: 'console-code' }, point.tag_code)),
      h('td', {}, point.latitude != null ? `${point.latitude}, ${point.longitude}` : '—')));
    return h('section', { class: 'card console-route', dataset: { route: route.id } },
      h('h2', { class: 'section-title' }, route.name),
      rows.length ? table(`route-${route.id}`, ['admin_checkpoint', 'admin_tag', 'admin_place'], rows) : empty(s('admin_none')),
      context.canWrite ? checkpointForm(context, route) : null);
  });
  return [h('div', { class: 'console-filters-inline' }, labelled(s('admin_pick_site'), picker),
    chosen ? button(s('admin_print'), () => printLabels(chosen), { kind: 'secondary', id: 'admin-print-labels' }) : null),
  cards.length ? cards : empty(s('admin_no_routes'))];
}

// printLabels downloads the site's sheet of QR labels (the server draws
// the QR of each tag code, the same text the guard app's scan reads).
async function printLabels(siteID) {
  try {
    await manage.download(manage.labelsQuery(siteID, lang()), 'checkpoint-labels.pdf');
    toast(s('admin_labels_ready'));
  } catch (error) {
    toast(s('load_failed', { error: reason(error) }));
  }
}

function checkpointForm(context, route) {
  const name = h('input', { type: 'text', required: true, maxlength: 200 });
  const tag = h('input', { type: 'text', required: true, maxlength: 200 });
  return h('form', {
    class: 'console-form console-form-inline',
    onsubmit: (event) => {
      event.preventDefault();
      const checkpoints = [...(route.checkpoints || []), { name: name.value.trim(), tag_code: tag.value.trim() }];
      act(context, () => manage.updateRoute(route.id, { checkpoints, version: route.version }), 'admin_saved');
    },
  }, labelled(s('admin_checkpoint'), name), labelled(s('admin_tag'), tag),
  h('button', { type: 'submit', class: 'btn btn-secondary' }, s('admin_add_checkpoint')));
}
