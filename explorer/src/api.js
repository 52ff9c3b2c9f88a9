// The one way the page reaches Athar: POST /graphql on its own origin.

export class APIError extends Error {}

// The API token, as the playground keeps it: in this tab's sessionStorage only (gone when the tab
// closes), sent with every request as "Authorization: Bearer <token>". A single-user local
// instance needs none.
const tokenKey = 'athar.token';

export function token() {
  try {
    return window.sessionStorage.getItem(tokenKey) || '';
  } catch {
    return '';
  }
}

// setToken keeps t as the token ('' forgets it); false when the browser keeps no session storage.
export function setToken(t) {
  try {
    if (t) window.sessionStorage.setItem(tokenKey, t);
    else window.sessionStorage.removeItem(tokenKey);
    return true;
  } catch {
    return false;
  }
}

// gql sends one GraphQL request and returns its data; any error in the answer is thrown, with the
// messages Athar gave (they name the field at fault).
export async function gql(query, variables = {}) {
  const headers = { 'Content-Type': 'application/json', Accept: 'application/graphql-response+json, application/json' };
  if (token()) headers.Authorization = 'Bearer ' + token();
  const res = await fetch('/graphql', { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
  if (res.status === 401) {
    throw new APIError(token()
      ? 'Athar refused the API token (expired, revoked or mistyped): paste a valid one in the token field.'
      : 'This Athar needs an API token: paste yours in the token field (ask an admin for an account).');
  }
  let body = null;
  try {
    body = await res.json();
  } catch {
    throw new APIError(`Athar answered ${res.status} ${res.statusText}`);
  }
  if (body.errors && body.errors.length) {
    throw new APIError(body.errors.map((e) => e.message).join('; '));
  }
  return body.data;
}

// inline writes a query with its variables spelled out, for the playground, which is opened with
// the query text alone.
export function inline(query, variables) {
  let q = query;
  for (const [name, value] of Object.entries(variables)) {
    q = q.replace(new RegExp('\\$' + name + '\\b(?!\\s*:)', 'g'), literal(value));
  }
  // Drop the variable definitions, now unused: "query Name($a: T, $b: U) {" becomes "query Name {".
  return q.replace(/^(\s*query\s+\w+)\s*\([^)]*\)/, '$1');
}

function literal(v) {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return '[' + v.map(literal).join(', ') + ']';
  if (typeof v === 'object') return '{' + Object.entries(v).map(([k, x]) => `${k}: ${literal(x)}`).join(', ') + '}';
  if (typeof v === 'string' && /^[A-Z][A-Z_]*$/.test(v)) return v; // an enum value
  return JSON.stringify(v);
}
