// The live chart of replication latency and pending bytes (uPlot, served from its WebJar by the service).
import uPlot from '/portal/lib/uplot/dist/uPlot.esm.js';
import {bytes} from './format.js';

const HEIGHT = 240;

/** A chart in container; update(samples) redraws it with [{time, latency, pendingBytes}], oldest first. */
export function replicationChart(container, label) {
  const opts = {
    width: Math.max(280, container.clientWidth || 600),
    height: HEIGHT,
    title: label,
    cursor: {drag: {x: false, y: false}},
    legend: {live: true},
    scales: {
      x: {time: true},
      s: {range: (u, min, max) => [0, Math.max(1, max || 0) * 1.1]},
      b: {range: (u, min, max) => [0, Math.max(1024, max || 0) * 1.1]},
    },
    series: [
      {},
      {label: 'Latency (s)', scale: 's', stroke: '#0b5cab', width: 2, points: {show: false}, value: (u, v) => (v == null ? '–' : `${v} s`)},
      {label: 'Pending', scale: 'b', stroke: '#b45309', width: 2, dash: [6, 4], points: {show: false},
        value: (u, v) => (v == null ? '–' : bytes(v))},
    ],
    axes: [
      {},
      {scale: 's', label: 'Latency (s)', size: 60},
      {scale: 'b', side: 1, label: 'Pending', size: 80, grid: {show: false},
        values: (u, vals) => vals.map((v) => bytes(v))},
    ],
  };
  const plot = new uPlot(opts, [[], [], []], container);
  const resize = new ResizeObserver(() => {
    const w = container.clientWidth;
    if (w > 0 && Math.abs(w - plot.width) > 4) plot.setSize({width: Math.max(280, w), height: HEIGHT});
  });
  resize.observe(container);
  return {
    update(samples) {
      plot.setData([
        samples.map((s) => new Date(s.time).getTime() / 1000),
        samples.map((s) => s.latency),
        samples.map((s) => s.pendingBytes),
      ]);
    },
    destroy() {
      resize.disconnect();
      plot.destroy();
    },
  };
}
