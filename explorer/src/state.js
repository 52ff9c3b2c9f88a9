// The filters and the selection, kept in the page's URL so that a view can be shared.

const keys = ['from', 'to', 'place', 'facilityType', 'actor', 'dataset', 'text', 'interval', 'attack', 'network'];

export function read() {
  const p = new URLSearchParams(location.search);
  const s = {};
  for (const k of keys) s[k] = p.get(k) || '';
  return s;
}

export function write(s) {
  const p = new URLSearchParams();
  for (const k of keys) if (s[k]) p.set(k, s[k]);
  const q = p.toString();
  history.replaceState(null, '', location.pathname + (q ? '?' + q : ''));
}

// filter turns the state into an AttackFilter; leaveOut names a key to ignore (the actor, to find
// the attacks the actor denies).
export function filter(s, leaveOut = '') {
  const f = {};
  const use = (k) => s[k] && k !== leaveOut;
  if (use('from') || use('to')) f.dateRange = { from: use('from') ? s.from : null, to: use('to') ? s.to : null };
  if (use('place')) f.placeIds = [s.place];
  if (use('facilityType')) f.facilityTypes = [s.facilityType];
  if (use('actor')) f.actorIds = [s.actor];
  if (use('dataset')) f.datasetIds = [s.dataset];
  if (use('text')) f.text = s.text;
  return f;
}
