// The portal's only way to the service: the documented REST API, with the bearer token of this tab.

export const API_VERSION = '2025-08-01';
export const PROVIDER = 'Microsoft.DBforPostgreSQL';
export const MIGRATION_TYPE = 'Microsoft.DBforPostgreSQL/flexibleServers/migrations';
/** The subscription the CLI uses when none is configured. */
export const LOCAL_SUBSCRIPTION = '00000000-0000-0000-0000-000000000000';

const TOKEN_KEY = 'pgmigrate.token';

export const token = {
  get: () => sessionStorage.getItem(TOKEN_KEY),
  set: (t) => sessionStorage.setItem(TOKEN_KEY, t),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
};

/** An ARM ErrorResponse (or a failure to reach the service), with the property it concerns in target. */
export class ApiError extends Error {
  constructor(status, code, message, target) {
    super(message);
    this.status = status;
    this.code = code;
    this.target = target || null;
  }
}

let onUnauthorized = () => {};
/** What to do when the service refuses the token (it changed, or the service was set up again). */
export function whenUnauthorized(f) {
  onUnauthorized = f;
}

/** An ARM id as the API writes it (names not encoded) as a request path: each segment encoded. */
export function path(id) {
  return String(id).split('/').map((s) => encodeURIComponent(s)).join('/');
}

/** A request path from names: each one encoded whole (a '/' in a name stays part of that name). */
export function segments(...names) {
  return names.map((s) => `/${encodeURIComponent(s)}`).join('');
}

/** Calls the API; resolves with the JSON body (null when empty), rejects with an ApiError. */
export async function call(method, resourcePath, body, query, tokenOverride) {
  const params = new URLSearchParams(query || {});
  params.set('api-version', API_VERSION);
  return send(method, `${resourcePath}?${params}`, body, tokenOverride);
}

/** A pageable list, every page of it: follows ARM's nextLink and resolves with {value: [all items]}. */
export async function list(resourcePath, query) {
  let page = await call('GET', resourcePath, null, query);
  const value = [...((page && page.value) || [])];
  while (page && page.nextLink) {
    const next = new URL(page.nextLink, window.location.href);
    // The token goes only to this service: a nextLink elsewhere is not followed.
    if (next.origin !== window.location.origin) {
      throw new ApiError(0, 'UnexpectedNextLink', `The service gave a nextLink to another origin (${next.origin}).`);
    }
    page = await send('GET', next.pathname + next.search);
    value.push(...((page && page.value) || []));
  }
  return {value};
}

async function send(method, url, body, tokenOverride) {
  const headers = {Authorization: `Bearer ${tokenOverride || token.get() || ''}`};
  if (body !== undefined && body !== null) headers['Content-Type'] = 'application/json';
  let response;
  try {
    response = await fetch(url, {
      method,
      headers,
      body: body === undefined || body === null ? undefined : JSON.stringify(body),
      cache: 'no-store',
      credentials: 'omit',
    });
  } catch (e) {
    throw new ApiError(0, 'ServiceUnreachable', `The pgmigrate service does not answer (${e.message}). Is it running?`);
  }
  const text = await response.text();
  let json = null;
  if (text) {
    try {
      json = JSON.parse(text);
    } catch (e) {
      json = null;
    }
  }
  if (!response.ok) {
    const error = (json && json.error) || {};
    const failure = new ApiError(response.status, error.code || `HTTP ${response.status}`,
      error.message || `The service answered ${response.status}.`, error.target);
    if (response.status === 401 && !tokenOverride) onUnauthorized(failure);
    throw failure;
  }
  return json;
}

export const get = (p, query) => call('GET', p, null, query);
export const put = (p, body) => call('PUT', p, body);
export const patch = (p, body) => call('PATCH', p, body);
export const post = (p, body) => call('POST', p, body);
export const del = (p) => call('DELETE', p);

export function groupPath(subscription, resourceGroup) {
  return segments('subscriptions', subscription, 'resourceGroups', resourceGroup, 'providers', PROVIDER);
}

/** The parts of an ARM id: {subscription, resourceGroup, kind, server, migration}. */
export function parseId(id) {
  const parts = String(id || '').split('/');
  const at = (name) => {
    const i = parts.findIndex((p) => p.toLowerCase() === name.toLowerCase());
    return i >= 0 && i + 1 < parts.length ? parts[i + 1] : null;
  };
  const kind = parts.some((p) => p.toLowerCase() === 'flexibleservers') ? 'flexibleServers' : 'servers';
  return {subscription: at('subscriptions'), resourceGroup: at('resourceGroups'), kind,
    server: at(kind), migration: at('migrations')};
}

// Lists across the whole service (pgmigrate extensions, see docs/service.md).
export const allMigrations = (filter) => list(`/providers/${PROVIDER}/migrations`, {migrationListFilter: filter});
export const allFlexibleServers = () => list(`/providers/${PROVIDER}/flexibleServers`);
export const allSingleServers = () => list(`/providers/${PROVIDER}/servers`);
