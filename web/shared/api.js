// api is the one place that calls fetch for the server's API. Errors come
// back as ApiError: status 0 for a network failure (offline, timeout),
// otherwise the HTTP status with the problem+json body's type, title,
// detail and field errors. The access token is refreshed once on 401, with
// one refresh in flight at a time; when the refresh token is refused too
// the session is over (NeedLogin) and nothing queued is touched.

import * as store from './store.js';

export class ApiError extends Error {
  constructor(status, problem = {}, retryAfter = null) {
    super(problem.detail || problem.title || (status ? `HTTP ${status}` : 'network unreachable'));
    this.name = 'ApiError';
    this.status = status;
    this.type = problem.type || '';
    this.title = problem.title || '';
    this.detail = problem.detail || '';
    this.errors = problem.errors || [];
    this.retryAfter = retryAfter;
  }

  // transient errors are worth retrying as they are: nothing happened.
  get transient() {
    return this.status === 0 || this.status === 408 || this.status === 429 || this.status >= 500;
  }
}

export class NeedLogin extends Error {
  constructor() {
    super('signed out: sign in again');
    this.name = 'NeedLogin';
  }
}

const TIMEOUT_MS = 30000;

let refreshing = null;

// request sends one call. path is an API path (/v1/...) or an absolute URL
// (a presigned upload). body may be an object (sent as JSON) or a Blob.
export async function request(method, path, { body, auth = true, headers = {}, idempotencyKey, retried = false } = {}) {
  const init = { method, headers: { Accept: 'application/json, application/problem+json', ...headers } };
  if (body instanceof Blob) {
    init.body = body;
  } else if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers['Content-Type'] = 'application/json';
  }
  if (idempotencyKey) init.headers['Idempotency-Key'] = idempotencyKey;
  let token = null;
  if (auth) {
    const current = await store.session();
    token = current && current.access;
    if (!token) {
      if (current && current.refresh) {
        await refresh(null);
        return request(method, path, { body, auth, headers, idempotencyKey, retried: true });
      }
      throw new NeedLogin();
    }
    init.headers.Authorization = `Bearer ${token}`;
  }
  const response = await send(path, init);
  if (response.status === 401 && auth && !retried) {
    await refresh(token);
    return request(method, path, { body, auth, headers, idempotencyKey, retried: true });
  }
  if (!response.ok) throw await problemOf(response);
  if (response.status === 204) return null;
  const type = response.headers.get('Content-Type') || '';
  return type.includes('json') ? response.json() : response.text();
}

async function send(path, init) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), TIMEOUT_MS);
  try {
    return await fetch(path, { ...init, signal: controller.signal, cache: 'no-store', credentials: 'same-origin' });
  } catch {
    throw new ApiError(0);
  } finally {
    clearTimeout(timer);
  }
}

async function problemOf(response) {
  let problem = {};
  try {
    const text = await response.text();
    problem = text ? JSON.parse(text) : {};
  } catch {
    problem = {};
  }
  return new ApiError(response.status, problem, retryAfterMs(response.headers.get('Retry-After')));
}

function retryAfterMs(value) {
  if (!value) return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(at - Date.now(), 0);
}

// refresh trades the refresh token for a new pair. stale is the access
// token that was refused: when another call already renewed it, nothing is
// done. A network failure is thrown as is (decide nothing while offline);
// a refused refresh clears the tokens and throws NeedLogin.
async function refresh(stale) {
  if (!refreshing) {
    refreshing = (async () => {
      const current = (await store.session()) || {};
      if (stale && current.access && current.access !== stale) return;
      if (!current.refresh) {
        await store.forgetTokens();
        throw new NeedLogin();
      }
      const response = await send('/v1/auth/refresh', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify({ refresh_token: current.refresh, device_id: current.device_id }),
      });
      if (response.status === 401 || response.status === 403 || response.status === 422) {
        await store.forgetTokens();
        throw new NeedLogin();
      }
      if (!response.ok) throw await problemOf(response);
      const tokens = await response.json();
      await store.saveSession({ access: tokens.access_token, refresh: tokens.refresh_token });
    })().finally(() => { refreshing = null; });
  }
  return refreshing;
}

// login signs in on this device and keeps the tokens and the user.
export async function login(email, password) {
  const deviceID = await store.deviceID();
  const tokens = await request('POST', '/v1/auth/login', {
    auth: false, body: { email, password, device_id: deviceID },
  });
  // Who signed in is known before the tokens are kept: tokens and user are
  // saved together, so sync never sends one user's outbox with another's
  // token (store.js sends only the signed-in user's entries).
  const me = await request('GET', '/v1/me', { auth: false, headers: { Authorization: `Bearer ${tokens.access_token}` } });
  const before = await store.session();
  // Another user on this phone: the replica and its cursor were the other
  // user's view of the server. Their outbox, drafts and evidence stay on
  // the phone, theirs, until they sign in again.
  if (before && before.user && before.user.id !== me.user.id) await store.dropReplica();
  return store.saveSession({ access: tokens.access_token, refresh: tokens.refresh_token, device_id: deviceID, email, user: me.user, org: me.org });
}

export async function logout() {
  const current = await store.session();
  if (current && current.refresh) {
    try {
      await request('POST', '/v1/auth/logout', { auth: false, body: { refresh_token: current.refresh } });
    } catch {
      // Offline: the tokens are forgotten here anyway.
    }
  }
  await store.forgetTokens();
}

// upload sends bytes to a URL the server handed out, with its headers
// unchanged (the store checks the declared SHA-256). No bearer token goes
// to a presigned URL.
export async function upload(method, url, headers, blob) {
  const response = await send(url, { method: method || 'PUT', headers: { ...(headers || {}) }, body: blob });
  if (!response.ok) throw await problemOf(response);
}

// identify checks a second person's credentials for a two-person item
// without touching this device's session: it signs them in, reads who they
// are and signs them out again. whileSignedIn(user, call), when given, runs
// before the sign-out with call(method, path, body) sending requests with
// that person's token (to register their countersign key); identify
// answers {user, result} with what it returned, else the user.
export async function identify(email, password, whileSignedIn) {
  const deviceID = await store.deviceID();
  const tokens = await request('POST', '/v1/auth/login', {
    auth: false, body: { email, password, device_id: `${deviceID}-countersign` },
  });
  const call = async (method, path, body) => {
    const init = { method, headers: { Authorization: `Bearer ${tokens.access_token}`, Accept: 'application/json, application/problem+json' } };
    if (body !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    const response = await send(path, init);
    if (!response.ok) throw await problemOf(response);
    return response.status === 204 ? null : response.json();
  };
  try {
    const me = await call('GET', '/v1/me');
    if (!whileSignedIn) return me.user;
    return { user: me.user, result: await whileSignedIn(me.user, call) };
  } finally {
    await request('POST', '/v1/auth/logout', { auth: false, body: { refresh_token: tokens.refresh_token } }).catch(() => {});
  }
}
