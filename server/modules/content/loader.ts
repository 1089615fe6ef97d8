import { readAccessRules, readNda } from './load/access.js';
import { createLoadContext } from './load/context.js';
import { readDisclosures } from './load/disclosures.js';
import { readEvidenceRegister } from './load/evidence.js';
import { readFactsFile, renderFactsIn } from './load/facts.js';
import { readFaq } from './load/faq.js';
import { readFrameworks } from './load/frameworks.js';
import { readLexicons, readThesaurus } from './load/lexicons.js';
import { checkAnswerKind, readLibrary } from './load/library.js';
import { readProvider, readServices } from './load/provider.js';
import { readResponsibilities } from './load/responsibility.js';
import type { ContentBundle, Problem } from './types.js';

export interface LoadResult {
  bundle: ContentBundle;
  problems: Problem[];
}

function emptyBundle(syncDay: string): ContentBundle {
  return {
    syncDay,
    provider: null,
    services: [],
    frameworks: [],
    controls: [],
    mappings: [],
    responsibilities: [],
    ismsPractices: [],
    evidence: [],
    bundles: [],
    dataCategories: [],
    regions: [],
    subprocessors: [],
    certifications: [],
    changes: [],
    library: [],
    faq: [],
    facts: [],
    thesaurus: [],
    lexicons: { frameworks: [], dataTypes: [], capabilities: [], genericWords: [], places: { countries: [], groups: [] } },
    nda: null,
    accessRules: null,
  };
}

/**
 * Reads and validates every file of content/; never throws on bad content, it reports. One reader
 * per content kind (load/), called in a fixed order: problems are listed in the order they are
 * found, and the matrix needs the services to expand its `all` blocks.
 */
/**
 * An `all` block's region overrides apply to the services each region hosts: a service inheriting
 * the block keeps only those (a block written for one service must name hosting regions; the
 * reference check says so).
 */
function keepHostedRegions(bundle: ContentBundle): void {
  const hosts = new Map(bundle.regions.map((r) => [r.id, new Set((r.data.services as string[] | undefined) ?? [])]));
  for (const r of bundle.responsibilities) {
    if (!r.inherited) continue;
    r.regions = Object.fromEntries(Object.entries(r.regions).filter(([id]) => !hosts.has(id) || hosts.get(id)!.has(r.serviceId)));
  }
}

export function loadContent(root: string, syncDay: string): LoadResult {
  const ctx = createLoadContext(root, syncDay);
  const { problems } = ctx;
  const bundle = emptyBundle(syncDay);

  bundle.provider = readProvider(ctx);
  bundle.services = readServices(ctx);
  Object.assign(bundle, readFrameworks(ctx));
  ({ responsibilities: bundle.responsibilities, ismsPractices: bundle.ismsPractices } = readResponsibilities(ctx, bundle.services.map((s) => s.id)));
  Object.assign(bundle, readEvidenceRegister(ctx));
  Object.assign(bundle, readDisclosures(ctx));
  keepHostedRegions(bundle);
  bundle.library = readLibrary(ctx);
  bundle.faq = readFaq(ctx);
  bundle.thesaurus = readThesaurus(ctx);
  bundle.lexicons = readLexicons(ctx);

  // After every file is read: facts render into answers, duties and the FAQ alike.
  for (const answer of bundle.library) checkAnswerKind(answer, problems);
  bundle.facts = readFactsFile(ctx);
  renderFactsIn(bundle, problems);

  bundle.nda = readNda(ctx);
  bundle.accessRules = readAccessRules(ctx);
  return { bundle, problems };
}
