import { afterEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../../../server/clock.js';
import { checkContent, formatProblem } from '../../../server/modules/content/service.js';
import { copyContent } from '../../helpers/content-fixture.js';

// The minimal fixture's services carry no layers; each test gives one service a stack and breaks it.
const clock = fixedClock('2026-11-28T12:00:00Z');
let copy: ReturnType<typeof copyContent> | null = null;
afterEach(() => {
  copy?.remove();
  copy = null;
});

const problems = (level: 'error' | 'warning') => checkContent(copy!.dir, clock).problems.filter((p) => p.level === level).map(formatProblem);

/** Gives the "vm" service (services.yaml lines 2-6) these layers, from line 7 on. */
function withLayers(...layers: string[]) {
  copy = copyContent();
  copy.edit('services.yaml', (t) => t.replace('    description: Virtual machines for tests.\n', `    description: Virtual machines for tests.\n    layers:\n${layers.map((l) => `      - ${l}\n`).join('')}`));
}

describe('service layers in the content', () => {
  it('accepts a stack listed bottom-up, a third-party layer naming its subprocessor', () => {
    withLayers('{ layer: facility, party: third-party, subprocessors: [colo], note: The colocation operator runs the building. }', '{ layer: guest-os, party: customer, note: You patch and harden it. }');
    const result = checkContent(copy!.dir, clock);
    expect(result.problems.filter((p) => p.level === 'error')).toEqual([]);
    expect(result.bundle.services[0]!.layers.map((l) => [l.layer, l.party, l.subprocessors])).toEqual([
      ['facility', 'third-party', ['colo']],
      ['guest-os', 'customer', []],
    ]);
  });

  it('names the file and line of an unknown layer or party', () => {
    withLayers('{ layer: facility, party: provider, note: Ours. }', '{ layer: kernel, party: customer, note: Yours. }', '{ layer: data, party: tenant, note: Yours. }');
    const errors = problems('error');
    expect(errors).toContain('services.yaml:9: error: service "vm", layer 2: "layer" must be one of facility, network, virtualisation, guest-os, runtime, application, data, identities');
    expect(errors).toContain('services.yaml:10: error: service "vm", layer 3: "party" must be one of provider, customer, shared, third-party, shared-third-party, not-applicable');
  });

  it('refuses a layer out of the bottom-up order, or listed twice', () => {
    withLayers('{ layer: data, party: customer, note: Yours. }', '{ layer: network, party: provider, note: Ours. }', '{ layer: data, party: customer, note: Again. }');
    const errors = problems('error');
    expect(errors).toContain('services.yaml:9: error: service "vm", layer 2: "network" comes after "data"; list the layers bottom-up: facility, network, virtualisation, guest-os, runtime, application, data, identities');
    expect(errors).toContain('services.yaml:10: error: service "vm", layer 3: "data" is listed twice');
  });

  it('refuses an unknown subprocessor, a third-party layer that names none, and one that does not serve the service', () => {
    withLayers('{ layer: facility, party: third-party, subprocessors: [nowhere-dc], note: Theirs. }', '{ layer: network, party: shared-third-party, note: Partly theirs. }', '{ layer: data, party: customer, subprocessors: [colo], note: Yours. }');
    let errors = problems('error');
    expect(errors).toContain('services.yaml:8: error: service vm, layer facility: unknown subprocessor "nowhere-dc"');
    expect(errors).toContain('services.yaml:9: error: service vm, layer network: party is shared-third-party but "subprocessors" names no subservice organisation');
    expect(errors).toContain('services.yaml:10: error: service vm, layer data: "subprocessors" is only for third-party and shared-third-party layers');
    // A subprocessor that lists the services it serves must list this one.
    copy!.edit('disclosures/subprocessors.yaml', (t) => t.replace('started: -400d }', 'started: -400d, services: [db] }'));
    copy!.edit('services.yaml', (t) => t.replace('nowhere-dc', 'colo'));
    errors = problems('error');
    expect(errors).toContain('services.yaml:8: error: service vm, layer facility: subprocessor "colo" does not serve vm (its "services" in disclosures/subprocessors.yaml)');
  });

  it('warns when a layer and the matrix row of its control name different parties', () => {
    withLayers('{ layer: network, party: customer, note: Your firewall rules. }');
    copy!.edit('frameworks/iso27002-2022.yaml', (t) => `${t}  - id: "8.20"\n    title: Networks security\n    theme: technological\n    description: Protect networks and the devices on them.\n`);
    copy!.edit('responsibility/technological.yaml', (t) => `${t}- control: iso27002:8.20\n  services:\n    all:\n      party: shared\n      provider: Runs the network fabric.\n      customer: Writes firewall rules.\n      owner: Network Engineering\n`);
    const warning = 'services.yaml:8: warning: service vm, layer network: party is customer but the responsibility matrix gives iso27002:8.20 to shared; make them agree';
    expect(problems('warning')).toContain(warning);
    copy!.edit('services.yaml', (t) => t.replace('layer: network, party: customer', 'layer: network, party: shared'));
    expect(problems('warning').filter((w) => w.includes('layer network'))).toEqual([]);
  });
});
