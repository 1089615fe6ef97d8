import { specs } from '../schema.js';
import type { RegionOverride } from '../tables.js';
import type { IsmsPracticeItem, ResponsibilityItem } from '../types.js';
import { validateItem, type YamlFile } from '../yaml-file.js';
import type { LoadContext } from './context.js';

type YamlPath = (string | number)[];

/**
 * responsibility/: the matrix, one entry per control with a block per service. The services must
 * be read first: an `all` block is expanded to every service that has no block of its own.
 */
export function readResponsibilities(ctx: LoadContext, serviceIds: string[]): { responsibilities: ResponsibilityItem[]; ismsPractices: IsmsPracticeItem[] } {
  const responsibilities: ResponsibilityItem[] = [];
  const ismsPractices: IsmsPracticeItem[] = [];
  for (const absolute of ctx.yamlFilesIn('responsibility')) {
    const file = ctx.read(absolute);
    for (const { value, path: p } of file.list(null, ctx.problems)) {
      const entry = validateItem(file, p, value, specs.responsibility, ctx.syncDay, ctx.problems, 'responsibility');
      if (!entry) continue;
      const controlId = entry.control as string;
      for (const [serviceId, block, inherited] of withDefaults(entry.services as Record<string, unknown>, serviceIds)) {
        const item = readBlock(ctx, file, [...p, 'services', inherited ? 'all' : serviceId], controlId, serviceId, block, inherited);
        if (item) responsibilities.push(item);
      }
      if (entry.isms !== undefined) {
        const practice = readIsms(ctx, file, [...p, 'isms'], controlId, entry.isms);
        if (practice) ismsPractices.push(practice);
      }
    }
  }
  return { responsibilities, ismsPractices };
}

/**
 * An entry's `isms` block: what the provider does under the control for its own organisation,
 * so "Do you …?" is answered for the provider even where a service leaves the control to the customer.
 */
function readIsms(ctx: LoadContext, file: YamlFile, blockPath: YamlPath, controlId: string, block: unknown): IsmsPracticeItem | null {
  const what = `responsibility ${controlId} / isms`;
  if (!block || typeof block !== 'object') {
    ctx.problems.push({ level: 'error', ...file.at(blockPath), message: `${what}: must be a map` });
    return null;
  }
  const checked = validateItem(file, blockPath, block as Record<string, unknown>, specs.ismsPractice, ctx.syncDay, ctx.problems, what);
  if (!checked) return null;
  return {
    id: `${controlId}|isms`,
    controlId,
    provider: checked.provider as string,
    owner: (checked.owner as string | undefined) ?? null,
    evidence: (checked.evidence as string[] | undefined) ?? [],
    at: file.at(blockPath),
  };
}

/** One control × service block of the matrix, or null (reported) when it is not a valid map. */
function readBlock(ctx: LoadContext, file: YamlFile, blockPath: YamlPath, controlId: string, serviceId: string, block: unknown, inherited: boolean): ResponsibilityItem | null {
  const what = `responsibility ${String(controlId)} / ${serviceId}`;
  if (!block || typeof block !== 'object') {
    ctx.problems.push({ level: 'error', ...file.at(blockPath), message: `${what}: must be a map` });
    return null;
  }
  const checked = validateItem(file, blockPath, block as Record<string, unknown>, specs.responsibilityBlock, ctx.syncDay, ctx.problems, what);
  if (!checked) return null;
  return {
    id: `${controlId}|${serviceId}`,
    controlId,
    serviceId,
    party: checked.party as never,
    provider: (checked.provider as string | undefined) ?? null,
    customer: (checked.customer as string | undefined) ?? null,
    reason: (checked.reason as string | undefined) ?? null,
    owner: (checked.owner as string | undefined) ?? null,
    evidence: (checked.evidence as string[] | undefined) ?? [],
    thirdParties: (checked.thirdParties as string[] | undefined) ?? [],
    regions: readRegions(ctx, file, blockPath, what, checked.regions),
    inherited,
    at: file.at(blockPath),
  };
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

/** A block's `regions`: region id → the fields that differ there (a region run by another colocation operator, say). */
function readRegions(ctx: LoadContext, file: YamlFile, blockPath: YamlPath, what: string, raw: unknown): Record<string, RegionOverride> {
  if (raw === undefined) return {};
  const at = [...blockPath, 'regions'];
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
    ctx.problems.push({ level: 'error', ...file.at(at), message: `${what}: "regions" must map region ids to the fields that differ there` });
    return {};
  }
  const regions: Record<string, RegionOverride> = {};
  for (const [regionId, value] of Object.entries(raw)) {
    const label = `${what}, region ${regionId}`;
    if (!value || typeof value !== 'object' || Array.isArray(value) || !Object.keys(value).length) {
      ctx.problems.push({ level: 'error', ...file.at([...at, regionId]), message: `${label}: name the fields that differ in this region (party, provider, customer, reason, thirdParties)` });
      continue;
    }
    const checked = validateItem(file, [...at, regionId], value as Record<string, unknown>, specs.regionOverride, ctx.syncDay, ctx.problems, label);
    if (checked) regions[regionId] = checked as RegionOverride;
  }
  return regions;
}
