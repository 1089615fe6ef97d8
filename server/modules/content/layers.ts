import type { LayerId, ContentBundle, Problem } from './types.js';

/**
 * The one control per layer that plainly is about that layer: physical perimeters for the facility,
 * network security for the network, segregation of virtual machines for virtualisation, identity
 * management for identities. Guest OS, runtime, application and data have no single control that
 * covers the whole layer (patching, secure coding, encryption and backup each cover a part), so
 * they are not compared.
 */
const LAYER_CONTROL: Partial<Record<LayerId, string>> = {
  facility: 'iso27002:7.1',
  network: 'iso27002:8.20',
  virtualisation: 'iso27017:CLD.9.5.1',
  identities: 'iso27002:5.16',
};

/** A layer and the matrix row of its control must name the same party for the same service. */
export function checkLayerParties(bundle: ContentBundle): Problem[] {
  const party = new Map(bundle.responsibilities.map((r) => [`${r.controlId}|${r.serviceId}`, r.party]));
  const problems: Problem[] = [];
  for (const service of bundle.services) {
    for (const l of service.layers) {
      const control = LAYER_CONTROL[l.layer];
      const matrix = control ? party.get(`${control}|${service.id}`) : undefined;
      if (matrix && matrix !== l.party) {
        problems.push({
          level: 'warning',
          ...l.at,
          message: `service ${service.id}, layer ${l.layer}: party is ${l.party} but the responsibility matrix gives ${control} to ${matrix}; make them agree`,
        });
      }
    }
  }
  return problems;
}
