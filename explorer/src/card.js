// The evidence card of one attack: every claim, grouped by kind, with its source, who said it and the
// verbatim quote; where the accounts disagree (figures, weapons, who is responsible, a denial) it
// says so. A claim its source only relays (said by an actor whose own report the source cites, as
// the article quotes Reuters) is marked as not an independent account, and so is a source that
// cites another source on the card.

import { count } from './words.js';
import { describePrecision } from './map.js';

export const cardQuery = `query EvidenceCard($id: ID!) {
  attack(id: $id) {
    id title summary
    date { start end precision }
    attackTypes weapons
    facilities { id name type }
    places { id name }
    mappedLocation { from location { latitude longitude precision } }
    casualties {
      killed { low high claims sources independentSources }
      childrenKilled { low high claims sources independentSources }
      injured { low high claims sources independentSources }
    }
    attributions {
      actor { id name }
      asserting { id }
      denying { id }
    }
    claims(first: 200) {
      totalCount
      nodes {
        id kind stance text quote inconsistent
        source { id title kind cites { id title publishedBy { id } } }
        claimedBy { id name }
        names { id name }
        killed { low best high }
        childrenKilled { low best high }
        injured { low best high }
        weapons
        places { id name }
        retracted { reason }
      }
    }
  }
}`;

const kindOrder = ['CASUALTIES', 'PERPETRATOR', 'DENIAL', 'WEAPON', 'DATE', 'LOCATION', 'DAMAGE'];

export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
  return el;
}

export function range(r) {
  if (!r) return null;
  const { low, best, high } = r;
  if (low != null && high != null) return low === high ? `${low}` : `${low}–${high}`;
  if (best != null) return `${best}${low != null ? ' (at least ' + low + ')' : ''}`;
  if (low != null) return `at least ${low}`;
  if (high != null) return `up to ${high}`;
  return null;
}

// The counts a claim can give figures for, as the card names them.
const counts = [['killed', 'killed'], ['childrenKilled', 'children killed'], ['injured', 'injured']];

function figures(c) {
  const out = [];
  for (const [k, label] of counts) {
    const r = range(c[k]);
    if (r) out.push(`${r} ${label}`);
  }
  return out.join(', ');
}

// account is who gives a claim: its source, and the actor the source quotes when there is one (an
// article quoting Reuters and the Aleppo Media Center gives two accounts).
function account(c) {
  return `${c.source ? c.source.id : ''} ${c.claimedBy ? c.claimedBy.id : ''}`;
}

// differing groups what the accounts say: key(c) is what a claim says (null when it says nothing
// on it), and the answer maps each thing said to the accounts saying it, in words; null unless two
// accounts say different things. One claim, or one account however many its claims, never differs.
function differing(claims, key) {
  const said = new Map();
  const accounts = new Set();
  for (const c of claims) {
    const k = key(c);
    if (k === null) continue;
    accounts.add(account(c));
    if (!said.has(k)) said.set(k, new Map());
    said.get(k).set(account(c), sayer(c));
  }
  return said.size > 1 && accounts.size > 1 ? said : null;
}

function listSaid(said, show = (k) => k) {
  return [...said].map(([k, who]) => `${show(k)} (${[...who.values()].join('; ')})`).join(', ');
}

// disagreements returns, per claim kind, what the accounts disagree on, in words: the live claims
// (not retracted) of two or more accounts that give different figures for the same count, name
// different weapons or hold different actors responsible, and an actor both accused and denying.
export function disagreements(attack) {
  const out = {};
  const claims = attack.claims.nodes.filter((c) => !c.retracted);
  const asserted = claims.filter((c) => c.stance !== 'DENIES');
  const figs = [];
  for (const [k, label] of counts) {
    const said = differing(asserted, (c) => range(c[k]));
    if (!said) continue;
    const all = attack.casualties && range(attack.casualties[k]);
    figs.push(`${label}${all ? ` (${all} in all)` : ''}: ${listSaid(said)}`);
  }
  if (figs.length) out.CASUALTIES = `The accounts give different figures for ${figs.join('; for ')}.`;

  // An account's weapons are those of all its claims: one source naming missiles in one claim and
  // parachute bombs in another does not disagree with itself.
  const weapons = new Map();
  for (const c of asserted) {
    if (!c.weapons.length) continue;
    if (!weapons.has(account(c))) weapons.set(account(c), { c, w: new Set() });
    for (const w of c.weapons) weapons.get(account(c)).w.add(w);
  }
  const bySet = differing([...weapons.values()].map((x) => x.c), (c) => [...weapons.get(account(c)).w].sort().join(' + '));
  if (bySet) out.WEAPON = `The accounts name different weapons: ${listSaid(bySet, (k) => k.toLowerCase().replaceAll('_', ' '))}.`;

  const who = [];
  const names = new Map();
  for (const c of asserted) {
    if (c.kind !== 'PERPETRATOR' || !c.names.filter(Boolean).length) continue;
    if (!names.has(account(c))) names.set(account(c), { c, n: new Set() });
    for (const n of c.names) if (n) names.get(account(c)).n.add(n.name);
  }
  const byActors = differing([...names.values()].map((x) => x.c), (c) => [...names.get(account(c)).n].sort().join(' and '));
  if (byActors) who.push(`The accounts hold different actors responsible: ${listSaid(byActors)}.`);
  const denied = attack.attributions.filter((a) => a.actor && a.asserting.length && a.denying.length)
    .map((a) => `${a.actor.name}: ${count(a.asserting.length, 'account accuses', 'accounts accuse')}, ${count(a.denying.length, 'denies', 'deny')}.`);
  if (denied.length) out.DENIAL = denied.join(' ');
  if (who.length || denied.length) out.PERPETRATOR = [...who, ...denied].join(' ');
  return out;
}

function sayer(c) {
  const s = c.source ? c.source.title : 'an unreadable source';
  return c.claimedBy ? `${c.claimedBy.name}, in “${s}”` : `“${s}”`;
}

export function renderCard(el, attack, playgroundURL, onNetwork) {
  el.textContent = '';
  const sourcesHere = new Map();
  for (const c of attack.claims.nodes) if (c.source) sourcesHere.set(c.source.id, c.source);
  const dis = disagreements(attack);
  const cas = attack.casualties;
  const loc = attack.mappedLocation;
  el.append(
    h('header', {},
      h('h2', { dir: 'auto' }, attack.title),
      h('p', { class: 'meta' },
        `${attack.date.start}${attack.date.end && attack.date.end !== attack.date.start ? ' – ' + attack.date.end : ''} (${attack.date.precision.toLowerCase()})`,
        attack.facilities.filter(Boolean).length ? ' · ' + attack.facilities.filter(Boolean).map((f) => `${f.name} (${f.type.toLowerCase()})`).join(', ') : '',
        attack.places.filter(Boolean).length ? ' · ' + attack.places.filter(Boolean).map((p) => p.name).join(', ') : '',
        loc ? ` · mapped at ${loc.location.latitude.toFixed(4)}, ${loc.location.longitude.toFixed(4)} (${describePrecision(loc)})` : ' · no point known'),
      attack.summary ? h('p', { dir: 'auto' }, attack.summary) : null,
      cas ? h('p', { class: 'figures' },
        h('strong', {}, 'Killed: '), range(cas.killed) || 'no figure',
        ` (${count(cas.killed.claims, 'claim')}, ${count(cas.killed.sources, 'source')}, ${cas.killed.independentSources} independent)`,
        range(cas.childrenKilled) ? ` · children killed ${range(cas.childrenKilled)}` : '',
        range(cas.injured) ? ` · injured ${range(cas.injured)}` : '') : null,
      h('p', { class: 'actions' },
        h('a', { href: playgroundURL, id: 'card-playground', target: '_blank', rel: 'noopener' }, 'This card’s query in the playground'),
        ' · ',
        h('button', { type: 'button', id: 'open-network', onclick: () => onNetwork(attack.id, attack.title) }, 'Network of this attack'),
        attack.facilities.filter(Boolean).map((f) => [' · ', h('button', { type: 'button', class: 'open-facility-network', onclick: () => onNetwork(f.id, f.name) }, `Network of ${f.name}`)])),
    ),
  );
  const groups = new Map();
  for (const c of attack.claims.nodes) {
    if (!groups.has(c.kind)) groups.set(c.kind, []);
    groups.get(c.kind).push(c);
  }
  const kinds = [...groups.keys()].sort((a, b) => (kindOrder.indexOf(a) + 100) % 100 - (kindOrder.indexOf(b) + 100) % 100 || a.localeCompare(b));
  for (const kind of kinds) {
    const sec = h('section', { class: 'kind', 'data-kind': kind },
      h('h3', {}, kind.charAt(0) + kind.slice(1).toLowerCase().replaceAll('_', ' '), h('span', { class: 'count' }, ` ${groups.get(kind).length}`)));
    if (dis[kind]) sec.append(h('p', { class: 'disagreement', role: 'note' }, h('strong', {}, 'Accounts disagree. '), dis[kind]));
    const list = h('ul', {});
    for (const c of groups.get(kind)) list.append(claimItem(c, sourcesHere));
    sec.append(list);
    el.append(sec);
  }
}

function claimItem(c, sourcesHere) {
  const s = c.source;
  const cited = s ? s.cites.filter((x) => x && x.id !== s.id && sourcesHere.has(x.id)) : [];
  const relayed = s && c.claimedBy ? s.cites.filter((x) => x && x.publishedBy.some((p) => p && p.id === c.claimedBy.id)) : [];
  const fig = figures(c);
  return h('li', { class: 'claim' + (c.stance === 'DENIES' ? ' denies' : '') + (c.retracted ? ' retracted' : ''), 'data-claim': c.id },
    h('blockquote', { dir: 'auto' }, c.quote),
    h('p', { class: 'said' },
      c.stance === 'DENIES' ? h('span', { class: 'badge deny' }, 'denies') : null,
      c.retracted ? h('span', { class: 'badge retracted' }, `retracted: ${c.retracted.reason}`) : null,
      c.inconsistent ? h('span', { class: 'badge' }, 'figures contradict each other') : null,
      fig ? h('span', { class: 'badge fig' }, fig) : null,
      c.weapons.length ? h('span', { class: 'badge weapon' }, c.weapons.join(', ').toLowerCase().replaceAll('_', ' ')) : null,
      c.names.filter(Boolean).length ? h('span', { class: 'badge actor' }, c.names.filter(Boolean).map((n) => n.name).join(', ')) : null,
      c.places.filter(Boolean).length ? h('span', { class: 'badge place' }, c.places.filter(Boolean).map((p) => p.name).join(', ')) : null),
    h('p', { class: 'source' },
      c.claimedBy ? [h('span', { class: 'who', dir: 'auto' }, c.claimedBy.name), ' in '] : null,
      s ? h('cite', { dir: 'auto' }, s.title) : 'source not readable',
      s ? ` (${s.kind.toLowerCase().replaceAll('_', ' ')})` : '',
      cited.length ? h('span', { class: 'badge dependent' }, `not independent: cites ${cited.map((x) => '“' + x.title + '”').join(', ')}`) : null,
      relayed.length ? h('span', { class: 'badge dependent relayed' }, `not independent: relays ${relayed.map((x) => '“' + x.title + '”').join(', ')}`) : null),
    h('p', { class: 'text', dir: 'auto' }, c.text));
}
