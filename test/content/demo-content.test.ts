import { describe, expect, it } from 'vitest';
import { fixedClock } from '../../server/clock.js';
import { checkContent } from '../../server/modules/content/service.js';
import { demoContentDir } from '../helpers/app.js';

// The shipped demo provider, loaded whole: it is what a newcomer sees first and copies from.
const clock = fixedClock('2026-11-28T12:00:00Z');
const { bundle, problems } = checkContent(demoContentDir, clock);

describe('the demo provider', () => {
  it('passes content check without errors', () => {
    expect(problems.filter((p) => p.level === 'error').map((p) => `${p.file}:${p.line} ${p.message}`)).toEqual([]);
  });

  it('has the catalogue: 93 ISO/IEC 27002:2022 controls and the 7 CLD controls, described in our words', () => {
    expect(bundle.controls.filter((c) => c.frameworkId === 'iso27002')).toHaveLength(93);
    expect(bundle.controls.filter((c) => c.frameworkId === 'iso27017')).toHaveLength(7);
    for (const c of bundle.controls) {
      expect(c.description.length, c.id).toBeGreaterThan(40);
      expect(c.keywords.length, c.id).toBeGreaterThanOrEqual(5);
    }
    expect(bundle.controls.filter((c) => c.guidance).length).toBeGreaterThanOrEqual(30);
  });

  it('covers every control for every service in the responsibility matrix, with duties that differ by service model', () => {
    expect(bundle.services.map((s) => s.model).sort()).toEqual(['IaaS', 'PaaS', 'SaaS']);
    expect(bundle.responsibilities.length).toBeGreaterThanOrEqual(300);
    const byKey = new Map(bundle.responsibilities.map((r) => [`${r.controlId}|${r.serviceId}`, r]));
    for (const c of bundle.controls) for (const s of bundle.services) expect(byKey.has(`${c.id}|${s.id}`), `${c.id} × ${s.id}`).toBe(true);
    // Patching the guest OS: the customer's on IaaS, the provider's on PaaS and SaaS.
    const iaas = bundle.services.find((s) => s.model === 'IaaS')!.id;
    const paas = bundle.services.find((s) => s.model === 'PaaS')!.id;
    const saas = bundle.services.find((s) => s.model === 'SaaS')!.id;
    expect(['customer', 'shared']).toContain(byKey.get(`iso27002:8.8|${iaas}`)!.party);
    expect(byKey.get(`iso27002:8.8|${saas}`)!.party).toBe('provider');
    expect(byKey.get(`iso27002:8.8|${iaas}`)!.customer).toMatch(/patch|update/i);
    // No templated filler where the split depends on the service model: technological controls and
    // access control (5.15-5.18). Organisation-wide duties (policies, screening) are written once for all.
    let identical = 0;
    let partiesDiffer = 0;
    const dependsOnModel = (id: string) => /^iso27002:8\./.test(id) || /^iso27002:5\.1[5-8]$/.test(id);
    for (const c of bundle.controls) {
      const duties = [iaas, paas, saas].map((s) => byKey.get(`${c.id}|${s}`)!);
      if (dependsOnModel(c.id) && new Set(duties.map((d) => `${d.provider}|${d.customer}`)).size === 1) identical++;
      if (new Set(duties.map((d) => d.party)).size > 1) partiesDiffer++;
    }
    expect(bundle.controls.filter((c) => dependsOnModel(c.id)).length).toBeGreaterThanOrEqual(38);
    expect(identical).toBeLessThanOrEqual(5);
    expect(partiesDiffer).toBeGreaterThanOrEqual(20);
  });

  it('has an answer library of 250+ answers covering every control, each with 3+ phrasings and a control', () => {
    expect(bundle.library.length).toBeGreaterThanOrEqual(250);
    const covered = new Set(bundle.library.flatMap((a) => a.controls));
    for (const c of bundle.controls) expect(covered.has(c.id), `no answer for ${c.id}`).toBe(true);
    for (const a of bundle.library) {
      expect(a.phrasings.length, a.id).toBeGreaterThanOrEqual(3);
      expect(a.controls.length, a.id).toBeGreaterThanOrEqual(1);
      expect(a.explanation.length, a.id).toBeGreaterThan(60);
    }
    const levels = new Set(bundle.library.map((a) => a.access));
    expect([...levels].sort()).toEqual(['internal', 'nda', 'public']);
  });

  it('has 40+ evidence items with real files whose hashes hold, some stale or expiring, at every access level', () => {
    expect(bundle.evidence.length).toBeGreaterThanOrEqual(40);
    expect(problems.filter((p) => /sha256|does not exist/.test(p.message))).toEqual([]);
    expect(bundle.evidence.every((e) => e.file)).toBe(true);
    expect(bundle.evidence.some((e) => e.reviewBy < '2026-11-28')).toBe(true);
    expect(new Set(bundle.evidence.map((e) => e.access))).toEqual(new Set(['public', 'nda', 'internal']));
    expect(bundle.evidence.filter((e) => e.access === 'nda').every((e) => e.file!.endsWith('.pdf'))).toBe(true);
  });

  it('discloses locations, subprocessors, certifications, a change log and an FAQ with sources', () => {
    expect(bundle.regions.length).toBeGreaterThanOrEqual(5);
    expect(new Set(bundle.regions.map((r) => r.data.jurisdiction)).size).toBeGreaterThanOrEqual(4);
    expect(bundle.subprocessors.length).toBeGreaterThanOrEqual(10);
    expect(bundle.subprocessors.some((s) => s.data.ended)).toBe(true);
    expect(bundle.certifications.some((c) => /27001/.test(String(c.data.standard)))).toBe(true);
    expect(bundle.certifications.some((c) => c.data.lapsed)).toBe(true);
    expect(bundle.changes.length).toBeGreaterThanOrEqual(6);
    expect(bundle.faq.length).toBeGreaterThanOrEqual(15);
    for (const f of bundle.faq) {
      const markers = new Set([...f.answer.matchAll(/\[(\d+)\]/g)].map((m) => Number(m[1])));
      expect(markers.size, f.id).toBeGreaterThan(0);
      for (const n of markers) expect(n, f.id).toBeLessThanOrEqual(f.citations.length);
    }
    expect(bundle.nda?.version).toBeTruthy();
    expect(bundle.thesaurus.length).toBeGreaterThanOrEqual(50);
  });
});
