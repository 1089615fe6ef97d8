import { geoCentroid, geoEqualEarth, geoPath, type GeoContext } from 'd3-geo';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { feature } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';

const WIDTH = 960;
const HEIGHT = 470;
/** A numbered badge's radius: its box is the "label box" that must not touch another. */
export const BADGE_RADIUS = 9;

// ISO 3166-1 alpha-2 → numeric, as world-atlas keys its countries.
const numeric: Record<string, string> = {
  AE: '784', AR: '032', AT: '040', AU: '036', BE: '056', BR: '076', CA: '124', CH: '756', CL: '152', CN: '156', CZ: '203', DE: '276',
  DK: '208', ES: '724', FI: '246', FR: '250', GB: '826', HK: '344', ID: '360', IE: '372', IL: '376', IN: '356', IT: '380', JP: '392',
  KR: '410', MX: '484', MY: '458', NL: '528', NO: '578', NZ: '554', PH: '608', PL: '616', PT: '620', SA: '682', SE: '752', SG: '702',
  TW: '158', US: '840', ZA: '710', LU: '442', RO: '642', HU: '348', GR: '300', TR: '792', EE: '233', LT: '440', LV: '428', UA: '804',
};

interface Base {
  projection: ReturnType<typeof geoEqualEarth>;
  countries: { id: string; d: string; centroid: [number, number] }[];
}

let base: Base | null = null;

/**
 * Writes a path as whole pixels in relative moves ("m12 34l1-2 3 4z"), dropping points that round
 * onto the previous one and rings that shrink to nothing: a third of the size of d3's absolute
 * one-decimal output, and no visible difference at the map's size.
 */
class CompactPath implements GeoContext {
  private out = '';
  private ring: [number, number][] = [];
  private x = 0;
  private y = 0;

  moveTo(x: number, y: number): void {
    this.flush();
    this.ring = [[Math.round(x), Math.round(y)]];
  }

  lineTo(x: number, y: number): void {
    const point: [number, number] = [Math.round(x), Math.round(y)];
    const last = this.ring[this.ring.length - 1];
    if (!last || last[0] !== point[0] || last[1] !== point[1]) this.ring.push(point);
  }

  closePath(): void {
    this.flush();
  }

  arc(): void {}

  beginPath(): void {}

  result(): string {
    this.flush();
    return this.out;
  }

  private flush(): void {
    const ring = this.ring;
    this.ring = [];
    if (ring.length < 3) return;
    const [start, ...rest] = ring;
    const deltas: number[] = [];
    let [x, y] = start!;
    for (const [px, py] of rest) {
      deltas.push(px - x, py - y);
      [x, y] = [px, py];
    }
    // The first ring is placed absolutely, so paths of several countries can be joined into one.
    this.out += `${this.out ? 'm' : 'M'}${numbers([start![0] - this.x, start![1] - this.y])}l${numbers(deltas)}z`;
    // After "z" the pen is back at the ring's start: the next "m" is relative to it.
    [this.x, this.y] = start!;
  }
}

/** Numbers as SVG path data writes them: a minus sign separates as well as a space does. */
const numbers = (values: number[]) => values.map((n, i) => (i === 0 || n < 0 ? String(n) : ` ${n}`)).join('');


/** The world, projected once per process: the geometry ships with the package, nothing is fetched. */
function world(): Base {
  if (base) return base;
  const require = createRequire(import.meta.url);
  const topology = JSON.parse(readFileSync(require.resolve('world-atlas/countries-110m.json'), 'utf8')) as Topology<{ countries: GeometryCollection }>;
  const collection = feature(topology, topology.objects.countries) as unknown as GeoJSON.FeatureCollection;
  const projection = geoEqualEarth().fitExtent(
    [
      [8, 8],
      [WIDTH - 8, HEIGHT - 8],
    ],
    { type: 'Sphere' },
  );
  base = {
    projection,
    countries: collection.features
      .filter((f) => f.id !== '010')
      .map((f) => {
        const context = new CompactPath();
        geoPath(projection, context)(f);
        return { id: String(f.id), d: context.result(), centroid: geoCentroid(f) as [number, number] };
      }),
  };
  return base;
}

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export interface MapMarker {
  id: string;
  /** What the badge shows (a number or letter), the same as beside the marker's row below the map. */
  key: string;
  label: string;
  /** Said to keyboard and screen-reader users and shown on hover: the same as the row says. */
  details: string;
  /** Where the marker leads: its row in the table. */
  href: string;
  country: string;
  lat: number;
  lon: number;
  kind: 'region' | 'backup' | 'subprocessor';
  dimmed: boolean;
}

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

const intersects = (a: Box, b: Box) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

/**
 * Where each badge goes: on its point if that is free, otherwise on the nearest free spot on
 * rings around it (a leader line joins them). Greedy, in the markers' order, so the first
 * markers (regions) sit on their points.
 */
export function placeBadges(points: { x: number; y: number }[], radius = BADGE_RADIUS): { x: number; y: number }[] {
  const placed: Box[] = [];
  const gap = 2;
  const boxAt = (x: number, y: number): Box => ({ x: x - radius - gap / 2, y: y - radius - gap / 2, width: 2 * radius + gap, height: 2 * radius + gap });
  const inside = (b: Box) => b.x >= 0 && b.y >= 0 && b.x + b.width <= WIDTH && b.y + b.height <= HEIGHT;
  return points.map(({ x, y }) => {
    const candidates: [number, number][] = [[x, y]];
    for (let ring = 1; ring <= 12; ring++) {
      const distance = ring * (radius + 3);
      const steps = 8 + ring * 4;
      for (let i = 0; i < steps; i++) {
        // Up and to the right first: labels read best above their point.
        const angle = -Math.PI / 4 + (2 * Math.PI * i) / steps;
        candidates.push([x + distance * Math.cos(angle), y + distance * Math.sin(angle)]);
      }
    }
    for (const [cx, cy] of candidates) {
      const box = boxAt(cx, cy);
      if (inside(box) && !placed.some((p) => intersects(p, box))) {
        placed.push(box);
        return { x: Math.round(cx), y: Math.round(cy) };
      }
    }
    placed.push(boxAt(x, y));
    return { x: Math.round(x), y: Math.round(y) };
  });
}

/**
 * The data-locations map as inline SVG, rendered on the server: countries holding data shaded,
 * each location a numbered badge keyed to its row below (labels never overlap, whatever the
 * clustering), each badge a link a keyboard reaches, with the row's details as its name.
 */
export function renderMap(markers: MapMarker[], title: string): string {
  const { projection, countries } = world();
  const shaded = new Set(markers.filter((m) => !m.dimmed).map((m) => numeric[m.country]).filter(Boolean));
  const land = countries.filter((c) => !shaded.has(c.id)).map((c) => c.d).join('');
  const held = countries.filter((c) => shaded.has(c.id)).map((c) => c.d).join('');
  const projected = markers.map((m) => ({ marker: m, point: projection([m.lon, m.lat]) })).filter((p): p is { marker: MapMarker; point: [number, number] } => Boolean(p.point));
  const badges = placeBadges(projected.map(({ point }) => ({ x: point[0], y: point[1] })));
  const dots = projected
    .map(({ marker: m, point }, i) => {
      const [x, y] = point.map((v) => Math.round(v));
      const badge = badges[i]!;
      const moved = badge.x !== x || badge.y !== y;
      const name = `${m.key}: ${m.details}`;
      return (
        `<a href="${escape(m.href)}" class="marker ${m.kind}${m.dimmed ? ' dimmed' : ''}" aria-label="${escape(name)}"><title>${escape(name)}</title>` +
        (moved ? `<line x1="${x}" y1="${y}" x2="${badge.x}" y2="${badge.y}"/><circle class="dot" cx="${x}" cy="${y}" r="2.5"/>` : '') +
        `<circle class="badge" cx="${badge.x}" cy="${badge.y}" r="${BADGE_RADIUS}"/><text x="${badge.x}" y="${badge.y}" dy=".35em">${escape(m.key)}</text></a>`
      );
    })
    .join('');
  return (
    `<svg class="world-map" viewBox="0 0 ${WIDTH} ${HEIGHT}" aria-labelledby="map-title" xmlns="http://www.w3.org/2000/svg"><title id="map-title">${escape(title)}</title>` +
    `<path class="land" d="${land}"/>${held ? `<path class="land shaded" d="${held}"/>` : ''}${dots}</svg>`
  );
}

/** A country's centre [lon, lat] (for subprocessor locations given by country only), or null. */
export function countryCentroid(alpha2: string): [number, number] | null {
  const id = numeric[alpha2.toUpperCase()];
  return world().countries.find((c) => c.id === id)?.centroid ?? null;
}
