import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BADGE_RADIUS, placeBadges } from '../../../server/modules/trust-page/map.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';

// The shipped demo content: seven regions, five of them in Europe, and subprocessors abroad.
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}
const intersects = (a: Box, b: Box) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

/** The label boxes as drawn: every numbered badge's bounding box, read from the SVG. */
function badgeBoxes(svg: string): Box[] {
  return [...svg.matchAll(/<circle class="badge" cx="(-?[\d.]+)" cy="(-?[\d.]+)" r="([\d.]+)"\/>/g)].map(([, cx, cy, r]) => ({ x: +cx! - +r!, y: +cy! - +r!, width: 2 * +r!, height: 2 * +r! }));
}

/** Walks path data ("M1 2l3-4 5 6zm…") and returns every absolute point it visits. */
function pathPoints(d: string): [number, number][] {
  const points: [number, number][] = [];
  let [x, y, startX, startY] = [0, 0, 0, 0];
  for (const [, command, args] of d.matchAll(/([MmLlZz])([^MmLlZz]*)/g)) {
    const values = (args!.match(/-?\d+(\.\d+)?/g) ?? []).map(Number);
    if (command === 'z' || command === 'Z') {
      [x, y] = [startX, startY];
      continue;
    }
    for (let i = 0; i < values.length; i += 2) {
      const relative = command === 'm' || command === 'l';
      [x, y] = relative ? [x + values[i]!, y + values[i + 1]!] : [values[i]!, values[i + 1]!];
      if (i === 0 && (command === 'm' || command === 'M')) [startX, startY] = [x, y];
      points.push([x, y]);
    }
  }
  return points;
}

describe('the data-locations map', () => {
  for (const url of ['/data-locations', '/data-locations?category=customer-content']) {
    it(`${url}: no two label boxes intersect, and all lie inside the map`, async () => {
      const res = await t.app.inject({ url });
      expect(res.statusCode).toBe(200);
      const svg = /<svg class="world-map"[\s\S]*?<\/svg>/.exec(res.body)![0];
      const boxes = badgeBoxes(svg);
      expect(boxes.length).toBeGreaterThanOrEqual(5);
      for (const [i, a] of boxes.entries()) {
        expect(a.x >= 0 && a.y >= 0 && a.x + a.width <= 960 && a.y + a.height <= 470, `badge ${i} inside`).toBe(true);
        for (const b of boxes.slice(i + 1)) expect(intersects(a, b), `badges ${JSON.stringify(a)} and ${JSON.stringify(b)}`).toBe(false);
      }
    });
  }

  it('every marker is a link to its row, named with the same details, and numbered as the row is', async () => {
    const res = await t.app.inject({ url: '/data-locations' });
    const markers = [...res.body.matchAll(/<a href="#([^"]+)" class="marker (region|subprocessor)" aria-label="([^"]+)"><title>([^<]+)<\/title>/g)];
    const regions = markers.filter((m) => m[2] === 'region');
    expect(regions.length).toBe(7);
    for (const [, target, , label, title] of markers) {
      expect(title).toBe(label);
      expect(res.body).toContain(`id="${target}"`);
    }
    for (const [n, [, target, , label]] of regions.entries()) {
      expect(label).toMatch(new RegExp(`^${n + 1}: `));
      expect(res.body).toMatch(new RegExp(`<tr id="${target}">\\s*<th scope="row"><span class="key" aria-hidden="true">${n + 1}</span>`));
    }
    expect(markers.some((m) => m[2] === 'subprocessor' && m[1] === 'subprocessor-locations')).toBe(true);
  });

  it('weighs under 40 KB on the wire, with gzip as with brotli', async () => {
    for (const encoding of ['gzip', 'br']) {
      const res = await t.app.inject({ url: '/data-locations', headers: { 'accept-encoding': encoding } });
      expect(res.headers['content-encoding']).toBe(encoding);
      expect(res.rawPayload.length).toBeLessThan(40 * 1024);
    }
    const plain = await t.app.inject({ url: '/data-locations' });
    expect(zlib.gzipSync(plain.rawPayload).length).toBeLessThan(40 * 1024);
  });

  it('draws the countries with compact relative paths that stay on the map', async () => {
    const res = await t.app.inject({ url: '/data-locations' });
    const paths = [...res.body.matchAll(/<path class="land[^"]*" d="([^"]+)"\/>/g)].map((m) => m[1]!);
    expect(paths.length).toBe(2); // the rest of the world, and the countries holding data
    const points = paths.flatMap(pathPoints);
    expect(points.length).toBeGreaterThan(2000);
    for (const [x, y] of points) expect(x >= 0 && x <= 960 && y >= 0 && y <= 470, `${x},${y}`).toBe(true);
  });
});

describe('placing badges', () => {
  it('keeps badges apart however tightly the points cluster', () => {
    const cluster = Array.from({ length: 12 }, (_, i) => ({ x: 480 + (i % 3), y: 120 + (i % 2) }));
    const placed = placeBadges(cluster);
    const boxes = placed.map((p) => ({ x: p.x - BADGE_RADIUS, y: p.y - BADGE_RADIUS, width: 2 * BADGE_RADIUS, height: 2 * BADGE_RADIUS }));
    for (const [i, a] of boxes.entries()) for (const b of boxes.slice(i + 1)) expect(intersects(a, b)).toBe(false);
    // The first point keeps its place; the others stay near.
    expect(placed[0]).toEqual({ x: 480, y: 120 });
    for (const p of placed) expect(Math.hypot(p.x - 480, p.y - 120)).toBeLessThan(120);
  });

  it('a corner point still gets a badge inside the map', () => {
    const placed = placeBadges([{ x: 2, y: 2 }, { x: 3, y: 3 }]);
    for (const p of placed) expect(p.x - BADGE_RADIUS >= 0 && p.y - BADGE_RADIUS >= 0).toBe(true);
  });
});
