// The network of a selected attack or facility: Athar's graph query drawn with Cytoscape.js, each
// link labelled with its type (TARGETED, OCCURRED_IN, ABOUT, FROM, CITES, ...).
import cytoscape from 'cytoscape';
import { count } from './words.js';

const colours = {
  Attack: '#b22222', Facility: '#1f77b4', Place: '#2ca02c', Actor: '#9467bd', Source: '#ff7f0e', Claim: '#8c564b',
  Event: '#17becf', Day: '#7f7f7f', Month: '#7f7f7f', Year: '#7f7f7f', Weapon: '#bcbd22', AttackType: '#bcbd22', Dataset: '#e377c2',
};

export function drawNetwork(el, legendEl, graph, startId) {
  const elements = [];
  for (const n of graph.nodes) {
    elements.push({ data: { id: n.id, label: short(n.name), type: n.label, start: n.entityId === startId ? 1 : 0 } });
  }
  for (const e of graph.edges) elements.push({ data: { id: e.id, source: e.source, target: e.target, label: e.type } });
  const cy = cytoscape({
    container: el,
    elements,
    style: [
      { selector: 'node', style: { 'background-color': (n) => colours[n.data('type')] || '#999', label: 'data(label)', 'font-size': 9, 'text-wrap': 'ellipsis', 'text-max-width': 110, width: 14, height: 14 } },
      { selector: 'node[start = 1]', style: { width: 26, height: 26, 'border-width': 3, 'border-color': '#000' } },
      { selector: 'edge', style: { width: 1, 'line-color': '#aaa', 'target-arrow-color': '#aaa', 'target-arrow-shape': 'triangle', 'curve-style': 'bezier', label: 'data(label)', 'font-size': 6, color: '#666', 'text-rotation': 'autorotate' } },
      // With many links their names would cover the drawing: they show on the hovered node's links.
      { selector: 'edge.quiet', style: { label: '' } },
      { selector: 'edge.quiet.near', style: { label: 'data(label)' } },
    ],
    layout: { name: 'cose', animate: false, nodeRepulsion: () => 9000, idealEdgeLength: () => 80, randomize: false },
    wheelSensitivity: 0.3,
  });
  if (graph.edges.length > 40) {
    cy.edges().addClass('quiet');
    cy.on('mouseover', 'node', (e) => e.target.connectedEdges().addClass('near'));
    cy.on('mouseout', 'node', (e) => e.target.connectedEdges().removeClass('near'));
  }
  const types = [...new Set(graph.nodes.map((n) => n.label))].sort();
  const links = [...new Set(graph.edges.map((e) => e.type))].sort();
  legendEl.textContent = '';
  for (const t of types) {
    const s = document.createElement('span');
    const i = document.createElement('i');
    i.style.background = colours[t] || '#999';
    s.append(i, t);
    legendEl.append(s);
  }
  const l = document.createElement('p');
  l.textContent = `${count(graph.nodes.length, 'node')}, ${count(graph.edges.length, 'link')}${links.length ? ': ' + links.join(', ') : ''}${graph.truncated ? ' (cut at the limit)' : ''}`;
  legendEl.append(l);
  return cy;
}

function short(s) {
  return s.length > 40 ? s.slice(0, 39) + '…' : s;
}
