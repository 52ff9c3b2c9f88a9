// The timeline: attacks per year, month or day (bars) and the killed band between the sums of each
// attack's lowest and highest figure (Athar's timeline buckets). Dragging across it calls onBrush
// with the first and last day selected.
import uPlot from 'uplot';

const day = 86400;

export function createTimeline(el, onBrush) {
  let plot = null;
  let buckets = [];

  function draw() {
    if (plot) plot.destroy();
    const xs = buckets.map((b) => Date.parse(b.start + 'T00:00:00Z') / 1000);
    const data = [xs, buckets.map((b) => b.attacks), buckets.map((b) => b.killedLow), buckets.map((b) => b.killedHigh)];
    const width = Math.max(el.clientWidth, 300);
    plot = new uPlot({
      width, height: Math.max(el.clientHeight - 10, 120),
      scales: { x: { time: true }, n: { range: (u, min, max) => [0, Math.max(1, max)] }, k: { range: (u, min, max) => [0, Math.max(1, max)] } },
      series: [
        { label: 'date', value: (u, v) => (v == null ? '' : new Date(v * 1000).toISOString().slice(0, 10)) },
        { label: 'attacks', scale: 'n', stroke: '#1f4e79', fill: 'rgba(31,78,121,0.35)', paths: uPlot.paths.bars({ size: [0.7, 40, 4] }), points: { show: false } },
        { label: 'killed (low)', scale: 'k', stroke: '#b22222', width: 1, points: { show: true, size: 4 } },
        { label: 'killed (high)', scale: 'k', stroke: '#b22222', width: 1, dash: [4, 3], points: { show: true, size: 4 } },
      ],
      bands: [{ series: [3, 2], fill: 'rgba(178,34,34,0.18)' }],
      axes: [{}, { scale: 'n', label: 'attacks', size: 45 }, { scale: 'k', side: 1, label: 'killed', size: 55, grid: { show: false } }],
      cursor: { drag: { x: true, y: false, setScale: false } },
      hooks: {
        setSelect: [(u) => {
          if (u.select.width < 2) return;
          const a = u.posToVal(u.select.left, 'x');
          const b = u.posToVal(u.select.left + u.select.width, 'x');
          u.setSelect({ left: 0, width: 0 }, false);
          onBrush(iso(a), iso(b));
        }],
      },
    }, data, el);
  }

  new ResizeObserver(() => { if (buckets.length) draw(); }).observe(el);

  return {
    show(bs) {
      buckets = bs;
      draw();
    },
  };
}

function iso(seconds) {
  return new Date(Math.round(seconds / day) * day * 1000).toISOString().slice(0, 10);
}
