import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { readFacts, renderFacts } from './facts.js';
import { LAYERS, specs, type ItemSpec } from './schema.js';
import type {
  AccessRules,
  AnswerItem,
  ChangeItem,
  ContentBundle,
  ControlItem,
  DataItem,
  Lexicons,
  NdaDocument,
  Problem,
  ProviderProfile,
  ServiceItem,
  ServiceLayer,
} from './types.js';
import { validateItem, YamlFile } from './yaml-file.js';
import { defaultRedistribution, type AccessLevel, type Redistribution } from './tables.js';

export interface LoadResult {
  bundle: ContentBundle;
  problems: Problem[];
}

function yamlFilesIn(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => path.join(dir, f));
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
    lexicons: { frameworks: [], dataTypes: [], genericWords: [], places: { countries: [], groups: [] } },
    nda: null,
    accessRules: null,
  };
}

/** Reads and validates every file of content/; never throws on bad content, it reports. */
export function loadContent(root: string, syncDay: string): LoadResult {
  const problems: Problem[] = [];
  const bundle = emptyBundle(syncDay);
  const read = (absolute: string) => YamlFile.read(root, absolute, problems);
  const items = (file: YamlFile, key: string | null, spec: ItemSpec, what: string, strict = true) =>
    file
      .list(key, problems)
      .map(({ value, path: p }) => ({ item: validateItem(file, p, value, spec, syncDay, problems, what, strict), path: p }))
      .filter((x): x is { item: Record<string, unknown>; path: (string | number)[] } => x.item !== null);

  const optionalFile = (relative: string) => {
    const absolute = path.join(root, relative);
    if (existsSync(absolute)) return read(absolute);
    problems.push({ level: 'warning', file: relative, line: 1, message: 'file is missing' });
    return null;
  };

  const providerFile = optionalFile('provider.yaml');
  if (providerFile?.data !== undefined) {
    const raw = (providerFile.data as Record<string, unknown> | null)?.provider;
    if (!raw || typeof raw !== 'object') problems.push({ level: 'error', ...providerFile.at([]), message: 'missing map "provider"' });
    else {
      const checked = validateItem(providerFile, ['provider'], raw as Record<string, unknown>, specs.provider, syncDay, problems, 'provider', false);
      if (checked) bundle.provider = checked as ProviderProfile;
    }
  }

  const servicesFile = optionalFile('services.yaml');
  if (servicesFile) {
    for (const { item, path: p } of items(servicesFile, 'services', specs.service, 'service')) {
      const layers = loadLayers(servicesFile, p, item, syncDay, problems);
      bundle.services.push({ ...(item as unknown as Omit<ServiceItem, 'at' | 'layers'>), layers, at: servicesFile.at(p) });
    }
  }

  loadFrameworks(root, read, items, bundle, problems);
  loadResponsibilities(root, read, bundle, problems, syncDay);

  const registerFile = optionalFile('evidence/register.yaml');
  if (registerFile) {
    for (const { item, path: p } of items(registerFile, 'evidence', specs.evidence, 'evidence')) {
      bundle.evidence.push({
        id: item.id as string,
        title: item.title as string,
        summary: item.summary as string,
        kind: item.kind as never,
        owner: item.owner as string,
        source: item.source as string,
        issued: (item.issued as string | undefined) ?? null,
        periodStart: (item.periodStart as string | undefined) ?? null,
        periodEnd: (item.periodEnd as string | undefined) ?? null,
        version: (item.version as string | undefined) ?? null,
        approver: (item.approver as string | undefined) ?? null,
        redistribution: (item.redistribution as Redistribution | undefined) ?? defaultRedistribution(item.access as AccessLevel),
        collected: item.collected as string,
        reviewBy: item.reviewBy as string,
        controls: item.controls as string[],
        access: item.access as never,
        file: (item.file as string | undefined) ?? null,
        sha256: (item.sha256 as string | undefined)?.toLowerCase() ?? null,
        at: registerFile.at(p),
      });
    }
    // Bundles are optional: a register without them offers documents one by one.
    if ((registerFile.data as Record<string, unknown> | undefined)?.bundles !== undefined) {
      for (const { item, path: p } of items(registerFile, 'bundles', specs.documentBundle, 'bundle')) {
        bundle.bundles.push({ id: item.id as string, title: item.title as string, description: item.description as string, documents: item.documents as string[], at: registerFile.at(p) });
      }
    }
  }

  loadDisclosures(root, optionalFile, items, bundle);

  for (const absolute of yamlFilesIn(path.join(root, 'library'))) {
    const file = read(absolute);
    const topic = path.basename(absolute).replace(/\.ya?ml$/, '');
    for (const { item, path: p } of items(file, 'answers', specs.answer, 'answer')) {
      bundle.library.push({
        id: item.id as string,
        topic,
        question: item.question as string,
        phrasings: item.phrasings as string[],
        kind: (item.kind as AnswerItem['kind'] | undefined) ?? 'yes-no',
        answer: (item.answer as AnswerItem['answer'] | undefined) ?? null,
        asOf: (item.asOf as string | undefined) ?? null,
        explanation: item.explanation as string,
        controls: item.controls as string[],
        evidence: (item.evidence as string[] | undefined) ?? [],
        access: item.access as AnswerItem['access'],
        owner: item.owner as string,
        reviewed: item.reviewed as string,
        services: (item.services as AnswerItem['services'] | undefined) ?? {},
        at: file.at(p),
      });
    }
  }

  const faqFile = optionalFile('faq.yaml');
  if (faqFile) {
    for (const { item, path: p } of items(faqFile, 'faq', specs.faq, 'FAQ entry')) {
      bundle.faq.push({
        id: item.id as string,
        question: item.question as string,
        answer: item.answer as string,
        citations: (item.citations as never) ?? [],
        at: faqFile.at(p),
      });
    }
  }

  const thesaurusFile = optionalFile('thesaurus.yaml');
  if (thesaurusFile) {
    const groups = (thesaurusFile.data as { groups?: unknown } | null)?.groups;
    if (Array.isArray(groups) && groups.every((g) => Array.isArray(g) && g.every((t) => typeof t === 'string'))) bundle.thesaurus = groups as string[][];
    else if (thesaurusFile.data !== undefined) problems.push({ level: 'error', ...thesaurusFile.at(['groups']), message: '"groups" must be a list of lists of terms' });
  }

  const lexiconsPath = path.join(root, 'lexicons.yaml');
  if (existsSync(lexiconsPath)) bundle.lexicons = readLexicons(read(lexiconsPath), items, problems);
  const placesPath = path.join(root, 'places.yaml');
  if (existsSync(placesPath)) bundle.lexicons.places = readPlaces(read(placesPath), items);
  for (const answer of bundle.library) checkAnswerKind(answer, problems);

  const factsFile = optionalFile('facts.yaml');
  if (factsFile?.data !== undefined && factsFile.data !== null) bundle.facts = readFacts(factsFile, syncDay, problems);
  renderFactsIn(bundle, problems);

  bundle.nda = loadNda(root, problems);
  const rulesFile = optionalFile('access-rules.yaml');
  if (rulesFile?.data) bundle.accessRules = readAccessRules(rulesFile, problems);
  return { bundle, problems };
}

/** Prose that shows a fact writes {{fact.<id>}}; here it becomes the fact's value (see facts.ts). */
function renderFactsIn(bundle: ContentBundle, problems: Problem[]): void {
  const facts = new Map(bundle.facts.map((f) => [f.id, f]));
  const render = (text: string, at: AnswerItem['at'], what: string) => renderFacts(text, facts, at, what, problems);
  for (const answer of bundle.library) {
    answer.explanation = render(answer.explanation, answer.at, `answer "${answer.id}"`);
    for (const override of Object.values(answer.services)) {
      if (override.explanation) override.explanation = render(override.explanation, answer.at, `answer "${answer.id}"`);
    }
  }
  for (const r of bundle.responsibilities) {
    const what = `responsibility ${r.controlId} / ${r.serviceId}`;
    if (r.provider) r.provider = render(r.provider, r.at, what);
    if (r.customer) r.customer = render(r.customer, r.at, what);
  }
  for (const entry of bundle.faq) entry.answer = render(entry.answer, entry.at, `FAQ entry "${entry.id}"`);
}

type ItemsFn = (
  file: YamlFile,
  key: string | null,
  spec: ItemSpec,
  what: string,
  strict?: boolean,
) => { item: Record<string, unknown>; path: (string | number)[] }[];

function loadFrameworks(root: string, read: (f: string) => YamlFile, items: ItemsFn, bundle: ContentBundle, problems: Problem[]): void {
  for (const absolute of yamlFilesIn(path.join(root, 'frameworks'))) {
    const file = read(absolute);
    if (file.data === undefined) continue;
    const data = file.data as Record<string, unknown> | null;
    if (data && 'mappings' in data) {
      for (const { item, path: p } of items(file, 'mappings', specs.mapping, 'mapping')) {
        bundle.mappings.push({
          from: item.from as string,
          title2013: (item.title2013 as string | undefined) ?? '',
          to: item.to as string[],
          relationship: item.relationship as string,
          at: file.at(p),
        });
      }
      continue;
    }
    const framework = validateItem(file, ['framework'], (data?.framework ?? {}) as Record<string, unknown>, specs.framework, bundle.syncDay, problems, 'framework');
    if (!framework) continue;
    bundle.frameworks.push({ id: framework.id as string, name: framework.name as string, edition: framework.edition as string, at: file.at(["framework"]) });
    for (const { item, path: p } of items(file, 'controls', specs.control, 'control')) {
      const guidance = item.cloudGuidance as Record<string, unknown> | undefined;
      if (guidance && (typeof guidance.provider !== 'string' || typeof guidance.customer !== 'string')) {
        problems.push({ level: 'error', ...file.at([...p, 'cloudGuidance']), message: `control "${String(item.id)}": cloudGuidance needs provider and customer text` });
      }
      const control: ControlItem = {
        id: `${framework.id as string}:${item.id as string}`,
        frameworkId: framework.id as string,
        ref: item.id as string,
        title: item.title as string,
        theme: item.theme as ControlItem['theme'],
        description: item.description as string,
        keywords: (item.keywords as string[] | undefined) ?? [],
        focus: (item.focus as string[] | undefined) ?? [],
        guidance:
          guidance && typeof guidance.provider === 'string' && typeof guidance.customer === 'string'
            ? { clause: String(guidance.clause2013 ?? ''), provider: guidance.provider.trim(), customer: guidance.customer.trim() }
            : null,
        at: file.at(p),
      };
      bundle.controls.push(control);
    }
  }
}

function loadResponsibilities(root: string, read: (f: string) => YamlFile, bundle: ContentBundle, problems: Problem[], syncDay: string): void {
  for (const absolute of yamlFilesIn(path.join(root, 'responsibility'))) {
    const file = read(absolute);
    for (const { value, path: p } of file.list(null, problems)) {
      const entry = validateItem(file, p, value, specs.responsibility, syncDay, problems, 'responsibility');
      if (!entry) continue;
      for (const [serviceId, block, inherited] of withDefaults(entry.services as Record<string, unknown>, bundle.services.map((s) => s.id))) {
        const blockPath = [...p, 'services', inherited ? 'all' : serviceId];
        if (!block || typeof block !== 'object') {
          problems.push({ level: 'error', ...file.at(blockPath), message: `responsibility ${String(entry.control)} / ${serviceId}: must be a map` });
          continue;
        }
        const what = `responsibility ${String(entry.control)} / ${serviceId}`;
        const checked = validateItem(file, blockPath, block as Record<string, unknown>, specs.responsibilityBlock, syncDay, problems, what);
        if (!checked) continue;
        bundle.responsibilities.push({
          id: `${entry.control as string}|${serviceId}`,
          controlId: entry.control as string,
          serviceId,
          party: checked.party as never,
          provider: (checked.provider as string | undefined) ?? null,
          customer: (checked.customer as string | undefined) ?? null,
          reason: (checked.reason as string | undefined) ?? null,
          owner: (checked.owner as string | undefined) ?? null,
          evidence: (checked.evidence as string[] | undefined) ?? [],
          thirdParties: (checked.thirdParties as string[] | undefined) ?? [],
          inherited,
          at: file.at(blockPath),
        });
      }
    }
  }
}

/** A service's `layers`, each checked with its own line; a layer out of the bottom-up order or named twice is an error. */
function loadLayers(file: YamlFile, servicePath: (string | number)[], service: Record<string, unknown>, syncDay: string, problems: Problem[]): ServiceItem['layers'] {
  const raw = service.layers as Record<string, unknown>[] | undefined;
  const layers: ServiceItem['layers'] = [];
  (raw ?? []).forEach((value, i) => {
    const at = [...servicePath, 'layers', i];
    const what = `service "${String(service.id)}", layer ${i + 1}`;
    const item = validateItem(file, at, value, specs.layer, syncDay, problems, what);
    if (!item) return;
    const layer = item as unknown as ServiceLayer;
    const previous = layers[layers.length - 1];
    if (layers.some((l) => l.layer === layer.layer)) problems.push({ level: 'error', ...file.at([...at, 'layer']), message: `${what}: "${layer.layer}" is listed twice` });
    else if (previous && LAYERS.indexOf(layer.layer) < LAYERS.indexOf(previous.layer)) {
      problems.push({ level: 'error', ...file.at([...at, 'layer']), message: `${what}: "${layer.layer}" comes after "${previous.layer}"; list the layers bottom-up: ${LAYERS.join(', ')}` });
    } else layers.push({ layer: layer.layer, party: layer.party, note: layer.note, subprocessors: layer.subprocessors ?? [], at: file.at(at) });
  });
  return layers;
}

/**
 * An entry's `all` block applies to every service that has no block of its own: an
 * organisation-wide control is written once, and a service where the split differs overrides it.
 */
function withDefaults(services: Record<string, unknown>, serviceIds: string[]): [string, unknown, boolean][] {
  const own = Object.entries(services).filter(([id]) => id !== 'all');
  if (!('all' in services)) return own.map(([id, block]) => [id, block, false]);
  const written = new Set(own.map(([id]) => id));
  // The block's path still points at `all`, so a problem in it is reported where it is written.
  return [...own.map(([id, block]): [string, unknown, boolean] => [id, block, false]), ...serviceIds.filter((id) => !written.has(id)).map((id): [string, unknown, boolean] => [id, services.all, true])];
}

function loadDisclosures(
  root: string,
  optionalFile: (relative: string) => YamlFile | null,
  items: ItemsFn,
  bundle: ContentBundle,
): void {
  const asData = (file: YamlFile, item: Record<string, unknown>, p: (string | number)[]): DataItem => ({ id: item.id as string, data: item, at: file.at(p) });
  const locations = optionalFile('disclosures/locations.yaml');
  if (locations) {
    for (const { item, path: p } of items(locations, 'dataCategories', specs.dataCategory, 'data category')) {
      bundle.dataCategories.push({ id: item.id as string, name: item.name as string, description: item.description as string, at: locations.at(p) });
    }
    for (const { item, path: p } of items(locations, 'regions', specs.region, 'region', false)) bundle.regions.push(asData(locations, item, p));
  }
  const subprocessors = optionalFile('disclosures/subprocessors.yaml');
  if (subprocessors) {
    for (const { item, path: p } of items(subprocessors, 'subprocessors', specs.subprocessor, 'subprocessor', false)) bundle.subprocessors.push(asData(subprocessors, item, p));
  }
  const certifications = optionalFile('disclosures/certifications.yaml');
  if (certifications) {
    for (const { item, path: p } of items(certifications, 'certifications', specs.certification, 'certification', false)) bundle.certifications.push(asData(certifications, item, p));
  }
  const changes = optionalFile('disclosures/changes.yaml');
  if (changes) {
    for (const { item, path: p } of items(changes, 'changes', specs.change, 'change', false)) {
      const change: ChangeItem = {
        id: item.id as string,
        published: item.published as string,
        effective: item.effective as string,
        kind: item.kind as ChangeItem['kind'],
        data: item,
        at: changes.at(p),
      };
      bundle.changes.push(change);
    }
  }
}

function loadNda(root: string, problems: Problem[]): NdaDocument | null {
  const file = 'nda/nda.md';
  const absolute = path.join(root, file);
  if (!existsSync(absolute)) {
    problems.push({ level: 'warning', file, line: 1, message: 'file is missing' });
    return null;
  }
  const raw = readFileSync(absolute, 'utf8');
  const match = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?([\s\S]*)$/.exec(raw);
  let front: Record<string, unknown> | null = null;
  try {
    front = match ? (parseYaml(match[1]) as Record<string, unknown>) : null;
  } catch {
    front = null;
  }
  if (!match || !front || (typeof front.version !== 'string' && typeof front.version !== 'number')) {
    problems.push({ level: 'error', file, line: 1, message: 'the NDA needs front matter with a "version" (--- version: "2026-01" ---)' });
    return null;
  }
  const text = match[2].trim() + '\n';
  return {
    version: String(front.version),
    title: typeof front.title === 'string' ? front.title : 'Non-disclosure agreement',
    text,
    sha256: createHash('sha256').update(text).digest('hex'),
  };
}

function readAccessRules(file: YamlFile, problems: Problem[]): AccessRules | null {
  const data = file.data as Record<string, any>;
  const domains = (v: unknown) => (Array.isArray(v) ? v.map((d) => String(d).toLowerCase().trim()) : []);
  const rules: AccessRules = {
    autoApprove: { domains: domains(data?.autoApprove?.domains) },
    autoDeny: { domains: domains(data?.autoDeny?.domains), reason: String(data?.autoDeny?.reason ?? 'This request cannot be approved.') },
    defaultExpiryDays: Number(data?.defaultExpiryDays ?? 30),
    maxExpiryDays: Number(data?.maxExpiryDays ?? 365),
  };
  if (!(rules.defaultExpiryDays > 0 && rules.defaultExpiryDays <= rules.maxExpiryDays && rules.maxExpiryDays <= 3650)) {
    problems.push({ level: 'error', ...file.at(['defaultExpiryDays']), message: 'defaultExpiryDays must be positive and not above maxExpiryDays' });
    return null;
  }
  return rules;
}

/** A canonical short answer belongs to yes/no and event answers only; an event states its day. */
function checkAnswerKind(answer: AnswerItem, problems: Problem[]): void {
  const canonical = answer.kind === 'yes-no' || answer.kind === 'event';
  if (canonical && !answer.answer) problems.push({ level: 'error', ...answer.at, message: `library answer "${answer.id}" (${answer.kind}) needs an "answer"` });
  if (!canonical && answer.answer) {
    problems.push({ level: 'error', ...answer.at, message: `library answer "${answer.id}" is ${answer.kind === 'open' ? 'an open question' : `a ${answer.kind} question`}: a canonical "answer" (${answer.answer}) would force Yes/No onto it; remove it` });
  }
  if (answer.kind === 'event' && !answer.asOf) problems.push({ level: 'error', ...answer.at, message: `library answer "${answer.id}" is an event: give the day it is true on ("asOf")` });
}

function readLexicons(file: YamlFile, items: ItemsFn, problems: Problem[]): Lexicons {
  const lexicons: Lexicons = { frameworks: [], dataTypes: [], genericWords: [], places: { countries: [], groups: [] } };
  if (file.data === undefined || file.data === null) return lexicons;
  for (const { item } of items(file, 'frameworks', specs.lexiconFramework, 'framework')) lexicons.frameworks.push(item as unknown as Lexicons['frameworks'][number]);
  for (const { item } of items(file, 'dataTypes', specs.lexiconDataType, 'data type')) lexicons.dataTypes.push(item as unknown as Lexicons['dataTypes'][number]);
  const generic = (file.data as { genericWords?: unknown }).genericWords;
  if (Array.isArray(generic) && generic.every((w) => typeof w === 'string')) lexicons.genericWords = generic as string[];
  else if (generic !== undefined) problems.push({ level: 'error', ...file.at(['genericWords']), message: '"genericWords" must be a list of words' });
  return lexicons;
}

function readPlaces(file: YamlFile, items: ItemsFn): Lexicons['places'] {
  if (file.data === undefined || file.data === null) return { countries: [], groups: [] };
  return {
    countries: items(file, 'countries', specs.country, 'country').map(({ item }) => ({ id: item.id as string, name: item.name as string, aliases: (item.aliases as string[] | undefined) ?? [] })),
    groups: items(file, 'groups', specs.countryGroup, 'group of countries').map(({ item }) => item as unknown as Lexicons['places']['groups'][number]),
  };
}
