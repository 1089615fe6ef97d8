import type { Freshness } from '../evidence/freshness.js';

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const colours: Record<Freshness, string> = { current: '#2f855a', expiring: '#b7791f', stale: '#c53030' };

export interface FreshnessBar {
  label: string;
  current: number;
  expiring: number;
  stale: number;
}

/**
 * Stacked horizontal bars as inline SVG, drawn on the server so the dashboard needs no
 * JavaScript; the table beside each chart carries the same numbers for screen readers.
 */
export function freshnessChart(title: string, bars: FreshnessBar[]): string {
  const width = 560;
  const labelWidth = 170;
  const rowHeight = 26;
  const max = Math.max(1, ...bars.map((b) => b.current + b.expiring + b.stale));
  const scale = (width - labelWidth - 40) / max;
  const rows = bars
    .map((b, i) => {
      const y = 10 + i * rowHeight;
      let x = labelWidth;
      const parts = (['current', 'expiring', 'stale'] as const)
        .map((k) => {
          const w = b[k] * scale;
          const rect = w > 0 ? `<rect x="${x.toFixed(1)}" y="${y}" width="${w.toFixed(1)}" height="18" fill="${colours[k]}"><title>${escape(`${b.label}: ${b[k]} ${k}`)}</title></rect>` : '';
          x += w;
          return rect;
        })
        .join('');
      return `<text x="${labelWidth - 8}" y="${y + 13}" text-anchor="end" font-size="12">${escape(b.label)}</text>${parts}<text x="${(x + 6).toFixed(1)}" y="${y + 13}" font-size="12">${b.current + b.expiring + b.stale}</text>`;
    })
    .join('');
  const height = 20 + bars.length * rowHeight + 24;
  const legend = (['current', 'expiring', 'stale'] as const)
    .map((k, i) => `<rect x="${labelWidth + i * 110}" y="${height - 18}" width="12" height="12" fill="${colours[k]}"/><text x="${labelWidth + i * 110 + 18}" y="${height - 8}" font-size="12">${k}</text>`)
    .join('');
  return `<svg class="chart" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escape(title)}" xmlns="http://www.w3.org/2000/svg"><title>${escape(title)}</title>${rows}${legend}</svg>`;
}

export interface HeatCell {
  label: string;
  href: string;
  state: Freshness | 'none';
}

/**
 * One square per control, coloured by the freshness of its weakest evidence, so a hundred
 * controls fit in one glance; each square links to the control and names itself for screen readers.
 */
export function freshnessGrid(title: string, cells: HeatCell[]): string {
  const perRow = 20;
  const size = 24;
  const gap = 4;
  const fill = (s: HeatCell['state']) => (s === 'none' ? '#a0aec0' : colours[s]);
  const squares = cells
    .map((c, i) => {
      const x = (i % perRow) * (size + gap);
      const y = Math.floor(i / perRow) * (size + gap);
      const label = `${c.label}: ${c.state === 'none' ? 'no evidence' : c.state}`;
      return `<a href="${escape(c.href)}" aria-label="${escape(label)}"><rect x="${x}" y="${y}" width="${size}" height="${size}" rx="3" fill="${fill(c.state)}"><title>${escape(label)}</title></rect></a>`;
    })
    .join('');
  const rows = Math.ceil(cells.length / perRow);
  const legendY = rows * (size + gap) + 8;
  const legend = (['current', 'expiring', 'stale', 'none'] as const)
    .map((k, i) => `<rect x="${i * 120}" y="${legendY}" width="12" height="12" fill="${fill(k)}"/><text x="${i * 120 + 18}" y="${legendY + 10}" font-size="12">${k === 'none' ? 'no evidence' : k}</text>`)
    .join('');
  return `<svg class="chart" viewBox="0 0 ${perRow * (size + gap)} ${legendY + 20}" role="group" aria-label="${escape(title)}" xmlns="http://www.w3.org/2000/svg"><title>${escape(title)}</title>${squares}${legend}</svg>`;
}
