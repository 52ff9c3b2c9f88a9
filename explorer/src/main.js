// Athar explorer: filters (kept in the URL), map, timeline, the list of matching attacks, the
// evidence card of the selected attack and its network. Every datum comes from Athar's GraphQL API
// on the page's own origin.
import 'leaflet/dist/leaflet.css';
import 'leaflet.markercluster/dist/MarkerCluster.css';
import 'leaflet.markercluster/dist/MarkerCluster.Default.css';
import 'uplot/dist/uPlot.min.css';
import './style.css';
import { gql, inline, token, setToken, errorView } from './api.js';
import * as state from './state.js';
import { createMap, legend, colour } from './map.js';
import { createTimeline } from './timeline.js';
import { cardQuery, renderCard, range, h } from './card.js';
import { drawNetwork } from './network.js';
import { count } from './words.js';

// At most this many attacks are listed and drawn one by one (pages of 100); when a filter matches
// more, the list shows the first page and the map draws the clusters Athar groups for the view.
const maxAttacks = 500;

const clustersQuery = `query ExplorerClusters($bbox: BBoxInput!, $zoom: Int!, $filter: AttackFilter) {
  attackClusters(bbox: $bbox, zoom: $zoom, filter: $filter) { count latitude longitude killedHigh exact attackId }
}`;

const attacksQuery = `query ExplorerAttacks($filter: AttackFilter, $after: String) {
  attacks(filter: $filter, first: 100, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes {
      id title
      date { start end precision }
      facilities { id name type }
      casualties { killed { low high } }
      mappedLocation { from location { latitude longitude precision } }
    }
  }
}`;

// The claims naming an actor, to find its denials (DENIAL claims, and PERPETRATOR claims that deny).
const denialsQuery = `query ExplorerDenials($actor: ID!) {
  actor(id: $actor) {
    id name
    namedIn(first: 500) {
      totalCount
      nodes { id kind stance quote claimedBy { name } source { title } attack { id title date { start } } }
    }
  }
}`;

const timelineQuery = `query ExplorerTimeline($filter: AttackFilter, $interval: TimelineInterval!) {
  timeline(filter: $filter, interval: $interval) { start end attacks killedLow killedHigh }
}`;

const graphQuery = `query ExplorerGraph($ids: [ID!]!, $depth: Int!) {
  graph(ids: $ids, depth: $depth, limit: 150) {
    nodes { id entityId label type name }
    edges { id source target type }
    truncated
  }
}`;

const optionsQuery = `query ExplorerOptions {
  places(first: 100) { nodes { id name kind partOf { id } } }
  actors(first: 100) { nodes { id name } }
  datasets(first: 100) { nodes { id name release } }
  facilityTypes: __type(name: "FacilityType") { enumValues { name } }
}`;

// When the script started, in the page's clock (ms since its load began): what the map's time
// (mapDrawnAt) owes to loading and parsing the page, not to Athar.
document.body.dataset.scriptAt = String(performance.now());

let s = state.read();
const form = document.getElementById('filters');
const statusEl = document.getElementById('status');
const listEl = document.getElementById('attacks');
const cardEl = document.getElementById('card');
const netBox = document.getElementById('network-box');
const intervalEl = document.getElementById('interval');
let cy = null;
let generation = 0;

// clustered is whether the map shows Athar's clusters (too many attacks to draw each).
let clustered = false;
const map = createMap(document.getElementById('map'), (id) => select(id), () => { if (clustered) loadClusters(generation); });
legend(document.getElementById('legend'));
const timeline = createTimeline(document.getElementById('timeline'), (from, to) => {
  s.from = from;
  s.to = to;
  fillForm();
  refresh();
});

function say(msg) {
  statusEl.textContent = msg;
  statusEl.classList.remove('error');
}

// fail shows an error in el: a sentence saying what to change, Athar's own words folded beneath.
function fail(el, e) {
  el.textContent = '';
  el.append(errorView(e));
}

function sayError(e) {
  fail(statusEl, e);
  statusEl.classList.add('error');
}

function fillForm() {
  for (const el of form.elements) if (el.name && el.name in s) el.value = s[el.name];
  intervalEl.value = s.interval || 'YEAR';
}

form.addEventListener('submit', (e) => {
  e.preventDefault();
  for (const el of form.elements) if (el.name) s[el.name] = el.value.trim();
  refresh();
});
form.addEventListener('change', (e) => {
  if (e.target.tagName === 'SELECT' || e.target.type === 'date') form.requestSubmit();
});
document.getElementById('clear').addEventListener('click', () => {
  s = { interval: s.interval };
  fillForm();
  refresh();
});
intervalEl.addEventListener('change', () => {
  s.interval = intervalEl.value;
  state.write(s);
  loadTimeline(generation);
});
document.getElementById('network-depth').addEventListener('change', () => {
  if (s.network) openNetwork(s.network, document.getElementById('network-title').textContent);
});
document.getElementById('network-close').addEventListener('click', () => {
  s.network = '';
  state.write(s);
  netBox.hidden = true;
  if (cy) cy.destroy();
  cy = null;
});

async function loadOptions() {
  const d = await gql(optionsQuery);
  // Places as a tree: each under the place it is part of, indented.
  const places = d.places.nodes;
  const children = new Map();
  for (const p of places) {
    const parent = p.partOf ? p.partOf.id : '';
    if (!children.has(parent)) children.set(parent, []);
    children.get(parent).push(p);
  }
  const ids = new Set(places.map((p) => p.id));
  const placeSel = form.elements.place;
  const add = (p, depth) => {
    placeSel.append(h('option', { value: p.id, dir: 'auto' }, '\u00a0\u00a0'.repeat(depth) + p.name + ` (${p.kind.toLowerCase()})`));
    for (const c of children.get(p.id) || []) add(c, depth + 1);
  };
  for (const p of places) if (!p.partOf || !ids.has(p.partOf.id)) add(p, 0);
  for (const a of d.actors.nodes) form.elements.actor.append(h('option', { value: a.id, dir: 'auto' }, a.name));
  for (const ds of d.datasets.nodes) form.elements.dataset.append(h('option', { value: ds.id }, ds.name + (ds.release ? ' ' + ds.release : '')));
  for (const t of (d.facilityTypes ? d.facilityTypes.enumValues : [])) form.elements.facilityType.append(h('option', { value: t.name }, t.name.toLowerCase().replaceAll('_', ' ')));
}

async function refresh() {
  state.write(s);
  const gen = ++generation;
  const filter = state.filter(s);
  say('Loading…');
  loadTimeline(gen);
  loadDenials(gen);
  try {
    // The clusters of the view are asked for beside the first page, so that a map of many attacks
    // waits for one round of requests, not two; with few attacks they go unused.
    const first = fetchClusters(filter);
    first.then(() => { document.body.dataset.clustersAt = String(performance.now()); }, () => {});
    const attacks = [];
    let after = null;
    let total = 0;
    do {
      const d = await gql(attacksQuery, { filter, after });
      if (gen !== generation) return;
      total = d.attacks.totalCount;
      if (!after) document.body.dataset.firstPageAt = String(performance.now());
      attacks.push(...d.attacks.nodes);
      after = d.attacks.pageInfo.hasNextPage ? d.attacks.pageInfo.endCursor : null;
    } while (after && total <= maxAttacks);
    clustered = total > maxAttacks;
    document.body.dataset.mode = clustered ? 'clusters' : 'points';
    renderList(attacks);
    document.body.dataset.attacks = String(total);
    if (clustered) {
      say(`${count(total, 'attack matches', 'attacks match')}; the first ${attacks.length} are listed, and the map shows them grouped for its view.`);
      await loadClusters(gen, first);
      return;
    }
    const drawn = map.show(attacks);
    say(count(total, 'attack matches', 'attacks match') +
      `; ${drawn} on the map` + (attacks.length > drawn ? ` (${attacks.length - drawn} without a known point)` : '') + '.');
    document.body.dataset.drawn = String(drawn);
    document.body.dataset.mapDrawnAt = String(performance.now());
  } catch (e) {
    if (gen === generation) sayError(e);
  }
}

// fetchClusters asks for Athar's clusters of the filtered attacks in the map's view.
function fetchClusters(filter) {
  const { bbox, zoom } = map.view();
  return gql(clustersQuery, { bbox, zoom, filter });
}

// loadClusters draws the clusters of the map's view, those asked for already when given.
async function loadClusters(gen, asked) {
  try {
    const d = await (asked || fetchClusters(state.filter(s)));
    if (gen !== generation || !clustered) return;
    const drawn = map.showClusters(d.attackClusters);
    document.body.dataset.drawn = String(drawn);
    document.body.dataset.clusters = String(d.attackClusters.length);
    document.body.dataset.mapDrawnAt = String(performance.now());
  } catch (e) {
    if (gen === generation) sayError(e);
  }
}

// maxDays is the longest date range drawn day by day: a bucket's five fields for each day keep the
// request within Athar's default cost limit (50,000; a timeline by day counts every day of its range).
const maxDays = 9000;

async function loadTimeline(gen) {
  const st = document.getElementById('timeline-status');
  if ((s.interval || 'YEAR') === 'DAY') {
    const days = s.from && s.to ? (Date.parse(s.to) - Date.parse(s.from)) / 86400000 : Infinity;
    if (!(days <= maxDays)) {
      st.textContent = `By day needs a date range of at most ${maxDays} days: set From and To, or drag across the timeline by year or month.`;
      return;
    }
  }
  try {
    const d = await gql(timelineQuery, { filter: state.filter(s), interval: s.interval || 'YEAR' });
    if (gen !== generation) return;
    timeline.show(d.timeline);
    st.textContent = count(d.timeline.length, 'bucket');
    document.body.dataset.buckets = String(d.timeline.length);
    document.body.dataset.timelineSum = String(d.timeline.reduce((n, b) => n + b.attacks, 0));
  } catch (e) {
    if (gen === generation) fail(st, e);
  }
}

// loadDenials shows, when an actor is chosen, the attacks it denies apart from those it is held
// responsible for: a denial is not an attribution, so the actor filter leaves them out. They are
// the claims naming the actor that deny (DENIAL, or a denying PERPETRATOR claim), whatever the other
// filters.
async function loadDenials(gen) {
  const el = document.getElementById('denials');
  if (!s.actor) {
    el.hidden = true;
    return;
  }
  try {
    const d = await gql(denialsQuery, { actor: s.actor });
    if (gen !== generation) return;
    el.textContent = '';
    if (!d.actor) {
      el.append(h('p', {}, `No actor has the id ${s.actor}.`));
      el.hidden = false;
      return;
    }
    const rows = [];
    for (const c of d.actor.namedIn.nodes) {
      if (!c.attack || (c.kind !== 'DENIAL' && !(c.kind === 'PERPETRATOR' && c.stance === 'DENIES'))) continue;
      const a = c.attack;
      rows.push(h('li', {}, h('button', { type: 'button', class: 'link', onclick: () => select(a.id) }, a.title), ` (${a.date.start}): `,
        h('q', { dir: 'auto' }, c.quote), c.claimedBy ? ` (${c.claimedBy.name}` : ' (', c.source ? `, in “${c.source.title}”)` : ')'));
    }
    const more = d.actor.namedIn.totalCount > d.actor.namedIn.nodes.length ? ` Only the first ${d.actor.namedIn.nodes.length} of the ${count(d.actor.namedIn.totalCount, 'claim')} naming it are read.` : '';
    el.append(h('h3', { dir: 'auto' }, `Denied by ${d.actor.name}`),
      rows.length ? h('ul', {}, rows) : h('p', {}, 'No account has it deny an attack.'));
    if (more) el.append(h('p', {}, more));
    el.hidden = false;
  } catch (e) {
    fail(el, e);
    el.hidden = false;
  }
}

function renderList(attacks) {
  listEl.textContent = '';
  for (const a of attacks) {
    const k = a.casualties && range(a.casualties.killed);
    const dot = h('i', { class: 'dot' });
    dot.style.background = colour(a);
    listEl.append(h('li', { 'data-id': a.id, class: a.id === s.attack ? 'selected' : null },
      h('button', { type: 'button', onclick: () => select(a.id) },
        dot, h('span', { class: 'title', dir: 'auto' }, a.title),
        h('span', { class: 'sub' }, a.date.start, k ? ` · ${k} killed` : '', a.mappedLocation ? '' : ' · not on the map'))));
  }
}

async function select(id) {
  s.attack = id;
  state.write(s);
  for (const li of listEl.children) li.classList.toggle('selected', li.dataset.id === id);
  map.highlight(id);
  cardEl.hidden = false;
  cardEl.textContent = 'Loading the evidence…';
  try {
    const d = await gql(cardQuery, { id });
    if (s.attack !== id) return;
    if (!d.attack) {
      cardEl.textContent = `No attack has the id ${id}.`;
      return;
    }
    const url = '/?query=' + encodeURIComponent(inline(cardQuery, { id }));
    renderCard(cardEl, d.attack, url, openNetwork);
    cardEl.scrollIntoView({ block: 'nearest' });
  } catch (e) {
    fail(cardEl, e);
  }
}

async function openNetwork(id, title) {
  s.network = id;
  state.write(s);
  netBox.hidden = false;
  document.getElementById('network-title').textContent = title || id;
  try {
    const d = await gql(graphQuery, { ids: [id], depth: Number(document.getElementById('network-depth').value) });
    if (cy) cy.destroy();
    cy = drawNetwork(document.getElementById('network'), document.getElementById('network-legend'), d.graph, id);
    netBox.scrollIntoView({ block: 'nearest' });
  } catch (e) {
    fail(document.getElementById('network-legend'), e);
  }
}

fillForm();
// The token field: a token is kept for this tab (api.js) and the page reloads with it. It is no
// form, so that nothing ever submits the token in a URL.
const tokenInput = document.querySelector('#token input[name=token]');
const tokenState = document.getElementById('token-state');
tokenState.textContent = token() ? 'requests carry a token' : '';
function useToken() {
  const t = tokenInput.value.trim();
  if (!t) return;
  if (!setToken(t)) {
    tokenState.textContent = 'this browser keeps no session storage';
    return;
  }
  window.location.reload();
}
document.getElementById('token-use').addEventListener('click', useToken);
tokenInput.addEventListener('keydown', (ev) => {
  if (ev.key === 'Enter') useToken();
});
document.getElementById('token-forget').addEventListener('click', () => {
  setToken('');
  window.location.reload();
});

loadOptions().then(fillForm).catch(sayError);
refresh().then(() => {
  if (s.attack) select(s.attack);
  if (s.network) openNetwork(s.network);
});
