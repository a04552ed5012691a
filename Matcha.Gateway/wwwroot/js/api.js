// Talks to the gateway. The access token lives in this module's memory only; the refresh token
// is an HttpOnly cookie the page cannot read, sent only to /api/session. A reload asks
// /api/session/refresh for a new access token, and one is fetched again before it expires.

const sessionHeaders = { 'X-Matcha-Session': '1', 'Content-Type': 'application/json' };
let accessToken = null;
let refreshTimer = null;
let refreshing = null;
let currentUser = null;
const listeners = new Set();

export class ApiError extends Error {
  constructor(message, status, fields = {}) {
    super(message);
    this.status = status;
    this.fields = fields;
  }
}

export const session = {
  get user() { return currentUser; },
  get signedIn() { return accessToken !== null; },
  onChange(listener) { listeners.add(listener); },
};

function changed() {
  for (const listener of listeners) listener(currentUser);
}

function keep(token) {
  accessToken = token.accessToken;
  clearTimeout(refreshTimer);
  // Refresh at four fifths of the lifetime, so a request never meets an expired token.
  refreshTimer = setTimeout(refresh, Math.max(5, token.expiresIn * 0.8) * 1000);
}

function forget() {
  accessToken = null;
  currentUser = null;
  clearTimeout(refreshTimer);
}

async function loadProfile() {
  currentUser = await api('/api/accounts/me');
}

// Restores the session after a page load; false when there is none.
export async function restoreSession() {
  return await refresh();
}

export function refresh() {
  refreshing ??= (async () => {
    try {
      const response = await fetch('/api/session/refresh', { method: 'POST', headers: sessionHeaders, credentials: 'same-origin' });
      if (!response.ok) {
        const wasSignedIn = accessToken !== null;
        forget();
        if (wasSignedIn) changed();
        return false;
      }
      keep(await response.json());
      if (!currentUser) {
        await loadProfile();
        changed();
      }
      return true;
    } catch {
      return accessToken !== null;
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}

export async function signIn(email, password) {
  const response = await send('/api/session/login', { method: 'POST', headers: sessionHeaders, body: JSON.stringify({ email, password }) });
  keep(await response.json());
  await loadProfile();
  changed();
}

export async function signUp(email, password, displayName) {
  // Answered alike whether or not the email is taken: what happens next is told by mail.
  await api('/api/accounts/signup', { method: 'POST', body: { email, password, displayName } });
}

export async function verifyEmail(token) {
  await api('/api/accounts/verify', { method: 'POST', body: { token } });
}

export async function signOut() {
  await send('/api/session/logout', { method: 'POST', headers: sessionHeaders });
  forget();
  changed();
}

// Calls the gateway as the signed-in user (if any); a 401 with a token tries one refresh first.
export async function api(path, { method = 'GET', body } = {}) {
  const request = () => {
    const headers = {};
    if (accessToken) headers.Authorization = `Bearer ${accessToken}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    return { method, headers, body: body === undefined ? undefined : JSON.stringify(body) };
  };
  let response = await fetchOrExplain(path, request());
  if (response.status === 401 && accessToken && await refresh()) {
    response = await fetchOrExplain(path, request());
  }
  await failUnlessOk(response);
  return response.status === 204 ? null : await response.json();
}

async function send(path, init) {
  const response = await fetchOrExplain(path, { ...init, credentials: 'same-origin' });
  await failUnlessOk(response);
  return response;
}

async function fetchOrExplain(path, init) {
  try {
    return await fetch(path, init);
  } catch {
    throw new ApiError('Matcha cannot be reached right now. Check your connection and try again.', 0);
  }
}

// Turns a problem response into words a person understands.
async function failUnlessOk(response) {
  if (response.ok) return;
  let problem = {};
  try { problem = await response.json(); } catch { /* not JSON */ }
  const fields = problem.errors ?? {};
  const fieldText = Object.values(fields).flat().join(' ');
  let message;
  switch (response.status) {
    case 400: message = fieldText || problem.detail || 'Please check what you entered.'; break;
    case 401: message = problem.detail || 'Please sign in first.'; break;
    case 403: message = problem.detail || 'That is not allowed.'; break;
    case 404: message = 'We could not find that.'; break;
    case 409: message = problem.detail || 'That conflicts with something already saved.'; break;
    case 429: {
      const wait = response.headers.get('Retry-After');
      message = problem.detail || `Too many tries; please wait${wait ? ` ${wait} seconds` : ' a moment'} and try again.`;
      break;
    }
    default: message = response.status >= 500
      ? (problem.detail && response.status === 503 ? problem.detail : 'Something went wrong on our side. Please try again in a moment.')
      : problem.detail || 'Something went wrong.';
  }
  throw new ApiError(message, response.status, fields);
}
