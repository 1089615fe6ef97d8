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
