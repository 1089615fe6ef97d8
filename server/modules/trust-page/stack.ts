import type { LayerId, ServiceLayer } from '../content/types.js';
import type { Party } from '../content/tables.js';
import { partyLabel } from '../../../web/helpers/party-label.js';

/** How each layer is named on the page. */
const LAYER_NAMES: Record<LayerId, string> = {
  facility: 'Facility',
  network: 'Network',
  virtualisation: 'Virtualisation',
  'guest-os': 'Guest OS',
  runtime: 'Runtime',
  application: 'Application',
  data: 'Data',
  identities: 'Identities',
};

/** What each party means for a layer, in the legend. */
const MEANINGS: Record<Party, string> = {
  provider: 'we run it',
  customer: 'you run it',
  shared: 'we and you each do a part',
  'third-party': 'a subservice organisation runs it for us',
  'shared-third-party': 'we and a subservice organisation each do a part',
  'not-applicable': 'does not apply to this service',
};

/** Parties whose swatch carries a pattern as well as a colour, so colour is never the only sign (WCAG 1.4.1). */
const PATTERNED = new Set<Party>(['customer', 'shared', 'third-party', 'shared-third-party']);

const WIDTH = 320;
const ROW = 40;
const GAP = 4;

const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

export interface StackService {
  id: string;
  name: string;
  model: string;
  layers: ServiceLayer[];
}

/**
 * A service's stack as the layer-stack partial draws it: boxes bottom-up (the facility at the
 * bottom), listed top-down so the page reads in the order it is seen, each with its party in words
 * and a sentence for screen readers and the tooltip.
 */
export function stackOf(service: StackService, subprocessorName: (id: string) => string) {
  const n = service.layers.length;
  const layers = service.layers
    .map((l, i) => {
      const y = (n - 1 - i) * (ROW + GAP);
      const who = partyLabel(l.party);
      const by = l.subprocessors.length ? ` (${l.subprocessors.map(subprocessorName).join(', ')})` : '';
      return {
        id: l.layer,
        name: LAYER_NAMES[l.layer],
        party: l.party,
        who: capitalise(who),
        note: l.note,
        by: by.trim(),
        label: `${LAYER_NAMES[l.layer]}: ${who}${by} — ${l.note}`,
        y,
        nameY: y + 17,
        whoY: y + 33,
        patterned: PATTERNED.has(l.party),
      };
    })
    .reverse();
  return { id: service.id, name: service.name, model: service.model, width: WIDTH, height: n ? n * ROW + (n - 1) * GAP : 0, rowHeight: ROW, layers };
}

/** The legend for the parties that appear in the given stacks, in the vocabulary's order. */
export function legendOf(stacks: { layers: { party: Party }[] }[]) {
  const used = new Set(stacks.flatMap((s) => s.layers.map((l) => l.party)));
  return (Object.keys(MEANINGS) as Party[]).filter((p) => used.has(p)).map((party) => ({ party, label: capitalise(partyLabel(party)), meaning: MEANINGS[party] }));
}
