// data is the console's reading and writing of the API: the directory
// (sites, templates, people by name), the review queue a page at a time,
// one inspection with its template, sign-off and return, and the bytes of
// photos and signatures. Screens call these, never fetch.

import * as api from '../shared/api.js';
import * as store from '../shared/store.js';

// all reads every page of a list endpoint (directories are small).
async function all(path) {
  const items = [];
  let cursor = '';
  for (;;) {
    const query = new URLSearchParams({ limit: '500' });
    if (cursor) query.set('cursor', cursor);
    const page = await api.request('GET', `${path}?${query}`);
    items.push(...page.items);
    if (!page.next_cursor || page.items.length === 0) return items;
    cursor = page.next_cursor;
  }
}

// directory holds the names the screens show instead of ids. People are
// only listed for administrators: for others the signed-in user is known,
// and guards' names are learnt from the signatures they gave.
export async function directory(session) {
  const [sites, templates] = await Promise.all([all('/v1/sites'), all('/v1/templates')]);
  const people = new Map();
  if (session.user) people.set(session.user.id, session.user.name || session.user.email);
  try {
    for (const user of await all('/v1/users')) people.set(user.id, user.name);
  } catch (error) {
    if (error.status !== 403) throw error;
  }
  return {
    sites: new Map(sites.map((site) => [site.id, site])),
    templates: new Map(templates.map((template) => [template.id, template])),
    people,
  };
}

// queue reads one page of inspections with the filters of the queue.
export function queue({ status, site, template, from, to, cursor, limit = 25 }) {
  const query = new URLSearchParams({ limit: String(limit) });
  if (status) query.set('status', status);
  if (site) query.set('site_id', site);
  if (template) query.set('template_id', template);
  if (from) query.set('from', from);
  if (to) query.set('to', to);
  if (cursor) query.set('cursor', cursor);
  return api.request('GET', `/v1/inspections?${query}`);
}

export function inspection(id) {
  return api.request('GET', `/v1/inspections/${encodeURIComponent(id)}`);
}

const versions = new Map();

// templateVersion reads the pinned version's document once per session.
export async function templateVersion(templateID, number) {
  const key = `${templateID}/${number}`;
  if (!versions.has(key)) {
    versions.set(key, api.request('GET', `/v1/templates/${encodeURIComponent(templateID)}/versions/${number}`)
      .catch((error) => { versions.delete(key); throw error; }));
  }
  return versions.get(key);
}

// round reads the round an inspection was done on (its window, for the late flag).
export const round = (id) => api.request('GET', `/v1/rounds/${encodeURIComponent(id)}`);

// approve signs the reviewed content hash off with the drawn strokes.
export function approve(id, contentHash, strokes, name, comment) {
  const body = { signature: { strokes, name } };
  if (comment) body.comment = comment;
  return api.request('POST', `/v1/inspections/${encodeURIComponent(id)}/approve`, {
    body, headers: { 'If-Match': `"${contentHash}"` }, idempotencyKey: crypto.randomUUID(),
  });
}

// sendBack returns the inspection to its guard with a comment and comments per item path.
export function sendBack(id, comment, items) {
  const body = {};
  if (comment) body.comment = comment;
  if (items && Object.keys(items).length) body.items = items;
  return api.request('POST', `/v1/inspections/${encodeURIComponent(id)}/return`, { body, idempotencyKey: crypto.randomUUID() });
}

const blobs = new Map();

// mediaURL fetches a stored blob (or its thumbnail) through the API's
// redirect to the object store and answers a blob: URL for an <img>. The
// access token goes to the API only: the browser drops it on the
// cross-origin redirect to the presigned URL.
export function mediaURL(id, thumbnail) {
  const key = `${id}/${thumbnail ? 't' : 'f'}`;
  if (!blobs.has(key)) {
    blobs.set(key, fetchBlob(`/v1/media/${encodeURIComponent(id)}${thumbnail ? '/thumbnail' : ''}`)
      .catch((error) => { blobs.delete(key); throw error; }));
  }
  return blobs.get(key);
}

// forgetMedia releases the blob: URLs of the photos shown so far (on
// leaving an inspection), so a long shift does not keep every photo in memory.
export function forgetMedia() {
  for (const pending of blobs.values()) pending.then((url) => URL.revokeObjectURL(url), () => {});
  blobs.clear();
}

async function fetchBlob(path, retried = false) {
  const session = await store.session();
  const response = await fetch(path, { headers: { Authorization: `Bearer ${session && session.access}` }, cache: 'no-store' });
  if (response.status === 401 && !retried) {
    // Let the API client renew the token, then try once more.
    await api.request('GET', '/v1/me');
    return fetchBlob(path, true);
  }
  if (!response.ok) throw new api.ApiError(response.status);
  return URL.createObjectURL(await response.blob());
}
