import { createHash } from 'node:crypto';
import type { Party } from '../content/tables.js';
import type { OperatingModel } from '../responsibility/model.js';

// OSCAL names who answers for a duty; a subservice organisation works for the provider, who stays accountable.
const ROLES: Record<Party, string[]> = {
  provider: ['provider'],
  customer: ['customer'],
  shared: ['provider', 'customer'],
  'third-party': ['provider'],
  'shared-third-party': ['provider'],
  'not-applicable': ['provider'],
};

/** Name-based UUIDs (version 5): the same content always exports the same document. */
export function uuidFor(name: string): string {
  const h = createHash('sha1').update(`evident:${name}`).digest('hex');
  const variant = ((parseInt(h[16], 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const token = (id: string) => id.replace(':', '-').replace(/[^\p{L}\p{N}._-]/gu, '_');

const catalogues: Record<string, string> = {
  iso27002: 'https://www.iso.org/standard/75652.html',
  iso27017: 'https://www.iso.org/standard/43757.html',
};

/**
 * An OSCAL 1.0.6 component-definition: one component per service; each implemented requirement
 * carries the provider's and the customer's statement with their roles. Evidence links are
 * limited to what the model passed in (filter it to the reader's level first).
 */
export function buildComponentDefinition(model: OperatingModel, provider: { name: string }, lastModified: Date, baseUrl: string) {
  const providerParty = uuidFor('party:provider');
  return {
    'component-definition': {
      uuid: uuidFor(`component-definition:${provider.name}`),
      metadata: {
        title: `${provider.name}: shared responsibility for ISO/IEC 27002:2022 and ISO/IEC 27017:2015`,
        'last-modified': lastModified.toISOString().replace(/\.\d{3}Z$/, 'Z'),
        version: model.today,
        'oscal-version': '1.0.6',
        roles: [
          { id: 'provider', title: 'Cloud service provider' },
          { id: 'customer', title: 'Cloud service customer' },
        ],
        parties: [{ uuid: providerParty, type: 'organization', name: provider.name }],
      },
      components: model.services.map((service) => ({
        uuid: uuidFor(`component:${service.id}`),
        type: 'service',
        title: service.name,
        description: `${service.summary} Service model: ${service.model}.`,
        'responsible-roles': [{ 'role-id': 'provider', 'party-uuids': [providerParty] }],
        // OSCAL wants at least one requirement per implementation: frameworks a service does not touch are left out.
        'control-implementations': Object.keys(catalogues).map((framework) => ({
          uuid: uuidFor(`implementation:${service.id}:${framework}`),
          source: catalogues[framework],
          description: `How ${service.name} implements ${framework === 'iso27002' ? 'ISO/IEC 27002:2022' : 'the ISO/IEC 27017:2015 cloud controls'}, and what the customer does.`,
          'implemented-requirements': model.controls
            .filter((c) => c.id.startsWith(`${framework}:`))
            .map((c) => ({ control: c, duty: c.duties.find((d) => d.serviceId === service.id) }))
            .filter((x) => x.duty)
            .map(({ control, duty }) => {
              const statements = [];
              if (duty!.provider) statements.push({ 'statement-id': `${token(control.id)}_provider`, uuid: uuidFor(`stmt:${service.id}:${control.id}:provider`), description: duty!.provider, 'responsible-roles': [{ 'role-id': 'provider', 'party-uuids': [providerParty] }] });
              if (duty!.customer) statements.push({ 'statement-id': `${token(control.id)}_customer`, uuid: uuidFor(`stmt:${service.id}:${control.id}:customer`), description: duty!.customer, 'responsible-roles': [{ 'role-id': 'customer' }] });
              const roles = ROLES[duty!.party];
              return {
                uuid: uuidFor(`req:${service.id}:${control.id}`),
                'control-id': token(control.id),
                description: duty!.party === 'not-applicable' ? `Not applicable: ${duty!.reason ?? ''}` : `${control.title}: ${duty!.party} responsibility.`,
                props: [{ name: 'responsibility', value: duty!.party, ns: 'https://evident.example/ns/oscal' }],
                ...(duty!.evidence.length ? { links: duty!.evidence.map((e) => ({ href: `${baseUrl}/documents#${encodeURIComponent(e.id)}`, rel: 'evidence', text: e.title })) } : {}),
                'responsible-roles': roles.map((r) => (r === 'provider' ? { 'role-id': r, 'party-uuids': [providerParty] } : { 'role-id': r })),
                ...(statements.length ? { statements } : {}),
              };
            }),
        })).filter((ci) => ci['implemented-requirements'].length > 0),
      })),
    },
  };
}
