// The one way the page reaches Athar: POST /graphql on its own origin.

// An APIError's message is a sentence for the reader; detail, when there is one, is what Athar
// answered, word for word, for those who want it.
export class APIError extends Error {
  constructor(message, detail = '') {
    super(message);
    this.detail = detail;
  }
}

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

// gql sends one GraphQL request and returns its data; an error in the answer is thrown as a
// sentence naming what to change on the page, with Athar's messages as its detail.
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
    throw new APIError(plain(body.errors), body.errors.map((e) => e.message).join('; '));
  }
  return body.data;
}

// What the page calls the variables its requests send (and their fields), longest first: Athar's
// errors name the variable at fault ("filter.facilityTypes.0").
const fieldNames = [
  ['filter.dateRange', 'the From and To dates', 'change them or clear them'],
  ['filter.placeIds', 'the Place filter', 'choose another place or any'],
  ['filter.facilityTypes', 'the Facility filter', 'choose another facility type or any type'],
  ['filter.actorIds', 'the Actor filter', 'choose another actor or any'],
  ['filter.datasetIds', 'the Dataset filter', 'choose another dataset or any'],
  ['filter.text', 'the Text filter', 'shorten or change the words'],
  ['filter', 'the filters', 'change them or press Clear'],
  ['actor', 'the Actor filter', 'choose another actor or any'],
  ['interval', 'the timeline\u2019s interval', 'choose year, month or day'],
  ['id', 'the selected attack (attack= in the page\u2019s address)', 'choose an attack in the list'],
  ['ids', 'the network\u2019s starting point (network= in the page\u2019s address)', 'open the network from an attack\u2019s card'],
  ['depth', 'the network\u2019s hops', 'choose 1 or 2'],
  ['bbox', 'the map\u2019s view', 'move or zoom the map'],
  ['zoom', 'the map\u2019s zoom', 'zoom the map in or out'],
];

// fields are the variables an error may be about, as dotted paths ("filter.facilityTypes.0"): Athar
// names one in the error's extensions, in its path or in its message ("variable $filter.text ...").
function fields(e) {
  const out = [];
  const x = e.extensions || {};
  if (typeof x.field === 'string' && x.field) out.push(x.field);
  if (Array.isArray(e.path) && e.path[0] === 'variable') out.push(e.path.slice(1).join('.'));
  const m = /\$([A-Za-z_][\w.[\]]*)/.exec(e.message || '');
  if (m) out.push(m[1].replace(/\[(\d+)\]/g, '.$1'));
  return out;
}

// plain says in one sentence what Athar did not accept and what to change on the page, naming the
// most precise field the errors give.
export function plain(errors) {
  let best = null;
  for (const e of errors) {
    for (const f of fields(e)) {
      const hit = fieldNames.find(([path]) => f === path || f.startsWith(path + '.'));
      if (hit && (!best || hit[0].length > best[0].length)) best = hit;
    }
  }
  if (best) return `Athar did not accept ${best[1]}: ${best[2]}.`;
  return 'Athar could not answer this request: change the filters, or press Clear.';
}

// errorView shows an error: its sentence and, folded away beneath it and in its tooltip, Athar's own
// words.
export function errorView(e) {
  const box = document.createElement('span');
  box.className = 'api-error';
  box.append(e.message);
  if (e.detail && e.detail !== e.message) {
    box.title = e.detail;
    const d = document.createElement('details');
    const sum = document.createElement('summary');
    sum.textContent = 'Athar\u2019s message';
    const code = document.createElement('code');
    code.textContent = e.detail;
    d.append(sum, code);
    box.append(d);
  }
  return box;
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
