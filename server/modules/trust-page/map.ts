import { geoCentroid, geoEqualEarth, geoPath } from 'd3-geo';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { feature } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';

const WIDTH = 960;
const HEIGHT = 470;

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
  const path = geoPath(projection).digits(1);
  base = {
    projection,
    countries: collection.features.filter((f) => f.id !== '010').map((f) => ({ id: String(f.id), d: path(f) ?? '', centroid: geoCentroid(f) as [number, number] })),
  };
  return base;
}

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export interface MapMarker {
  id: string;
  label: string;
  country: string;
  lat: number;
  lon: number;
  kind: 'region' | 'backup' | 'subprocessor';
  dimmed: boolean;
}

/**
 * The data-locations map as inline SVG, rendered on the server: countries holding data shaded,
 * regions marked. The table beside it is the text alternative.
 */
export function renderMap(markers: MapMarker[], title: string): string {
  const { projection, countries } = world();
  const shaded = new Set(markers.filter((m) => !m.dimmed).map((m) => numeric[m.country]).filter(Boolean));
  const paths = countries.map((c) => `<path d="${c.d}" class="${shaded.has(c.id) ? 'land shaded' : 'land'}"/>`).join('');
  const dots = markers
    .map((m) => {
      const point = projection([m.lon, m.lat]);
      if (!point) return '';
      const [x, y] = point.map((v) => Math.round(v * 10) / 10);
      return `<g class="marker ${m.kind}${m.dimmed ? ' dimmed' : ''}"><circle cx="${x}" cy="${y}" r="${m.kind === 'region' ? 6 : 4}"/><text x="${x + 9}" y="${y + 4}">${escape(m.label)}</text></g>`;
    })
    .join('');
  return `<svg class="world-map" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-labelledby="map-title" xmlns="http://www.w3.org/2000/svg"><title id="map-title">${escape(title)}</title>${paths}${dots}</svg>`;
}

/** A country's centre [lon, lat] (for subprocessor locations given by country only), or null. */
export function countryCentroid(alpha2: string): [number, number] | null {
  const id = numeric[alpha2.toUpperCase()];
  return world().countries.find((c) => c.id === id)?.centroid ?? null;
}
