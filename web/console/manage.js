// manage is how the administration, records and template screens read and
// write the API: users, devices, sites, routes and their checkpoints,
// registers and their exports, the audit log and its chain check, and
// template versions. Screens call these, never fetch.

import * as api from '../shared/api.js';
import * as store from '../shared/store.js';

// all reads every page of a list endpoint (these lists are small).
export async function all(path, params = {}) {
  const items = [];
  let cursor = '';
  for (;;) {
    const query = new URLSearchParams({ limit: '500', ...params });
    if (cursor) query.set('cursor', cursor);
    const page = await api.request('GET', `${path}?${query}`);
    items.push(...page.items);
    if (!page.next_cursor || page.items.length === 0) return items;
    cursor = page.next_cursor;
  }
}

const write = (method, path, body) => api.request(method, path, { body, idempotencyKey: crypto.randomUUID() });
const id = (value) => encodeURIComponent(value);

export const users = () => all('/v1/users');
export const createUser = (body) => write('POST', '/v1/users', body);
export const updateUser = (userID, patch) => write('PATCH', `/v1/users/${id(userID)}`, patch);

export const devices = (userID) => all('/v1/devices', userID ? { user_id: userID } : {});
export const deactivateDevice = (deviceID) => write('PATCH', `/v1/devices/${id(deviceID)}`, { active: false });

export const sites = () => all('/v1/sites');
export const createSite = (body) => write('POST', '/v1/sites', body);
export const updateSite = (siteID, patch) => write('PATCH', `/v1/sites/${id(siteID)}`, patch);

export const routes = (siteID) => all('/v1/routes', siteID ? { site_id: siteID } : {});
export const updateRoute = (routeID, patch) => write('PATCH', `/v1/routes/${id(routeID)}`, patch);

// register reads one page of a register (inspections, hazards, handovers, outsiders).
export function register(name, { site, from, to, cursor, limit = 50 }) {
  const query = new URLSearchParams({ limit: String(limit) });
  if (site) query.set('site_id', site);
  if (from) query.set('from', from);
  if (to) query.set('to', to);
  if (cursor) query.set('cursor', cursor);
  return api.request('GET', `/v1/registers/${name}?${query}`);
}

// registerQuery is the CSV or PDF export of the same filters; a PDF is
// printed in the console's language.
export function registerQuery(name, { site, from, to }, format = 'csv', language = '') {
  const query = new URLSearchParams({ format });
  if (format === 'pdf' && language) query.set('lang', language);
  if (site) query.set('site_id', site);
  if (from) query.set('from', from);
  if (to) query.set('to', to);
  return `/v1/registers/${name}?${query}`;
}

// periodic reads a weekly, monthly or yearly report; periodicQuery is
// its CSV or PDF download.
function periodicParams({ period, date, site }) {
  const query = new URLSearchParams({ period });
  if (date) query.set('date', date);
  if (site) query.set('site_id', site);
  return query;
}
export const periodic = (filters) => api.request('GET', `/v1/reports/periodic?${periodicParams(filters)}`);
export function periodicQuery(filters, format, language) {
  const query = periodicParams(filters);
  query.set('format', format);
  if (format === 'pdf' && language) query.set('lang', language);
  return `/v1/reports/periodic?${query}`;
}

// labelsQuery is a site's sheet of checkpoint QR labels.
export const labelsQuery = (siteID, language) => `/v1/sites/${id(siteID)}/checkpoint-labels.pdf?lang=${encodeURIComponent(language)}`;

export function audit({ cursor, limit = 50 }) {
  const query = new URLSearchParams({ limit: String(limit) });
  if (cursor) query.set('cursor', cursor);
  return api.request('GET', `/v1/audit?${query}`);
}
export const verifyAudit = () => api.request('GET', '/v1/audit/verify');

export const template = (templateID) => api.request('GET', `/v1/templates/${id(templateID)}`);
export const templateVersions = (templateID) => all(`/v1/templates/${id(templateID)}/versions`);
export const templateVersion = (templateID, number) => api.request('GET', `/v1/templates/${id(templateID)}/versions/${number}`);
export const updateTemplate = (templateID, patch) => write('PATCH', `/v1/templates/${id(templateID)}`, patch);
export const publishTemplate = (templateID, body = {}) => write('POST', `/v1/templates/${id(templateID)}/publish`, body);

// download fetches an authenticated file (CSV, PDF) and hands it to the
// browser as a download named filename.
export async function download(path, filename, retried = false) {
  const session = await store.session();
  const response = await fetch(path, { headers: { Authorization: `Bearer ${session && session.access}` }, cache: 'no-store' });
  if (response.status === 401 && !retried) {
    await api.request('GET', '/v1/me');
    return download(path, filename, true);
  }
  if (!response.ok) throw new api.ApiError(response.status);
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}
