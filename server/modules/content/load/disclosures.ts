import { specs } from '../schema.js';
import type { ChangeItem, DataCategoryItem, DataItem } from '../types.js';
import type { YamlFile } from '../yaml-file.js';
import type { CheckedItem, LoadContext } from './context.js';

export interface Disclosures {
  dataCategories: DataCategoryItem[];
  regions: DataItem[];
  subprocessors: DataItem[];
  certifications: DataItem[];
  changes: ChangeItem[];
}

/**
 * disclosures/: where data is kept, who processes it, which certifications hold and what changed.
 * Regions, subprocessors, certifications and changes keep their whole entry as data (not strict),
 * so a provider can publish fields the portal does not know yet.
 */
export function readDisclosures(ctx: LoadContext): Disclosures {
  const disclosures: Disclosures = { dataCategories: [], regions: [], subprocessors: [], certifications: [], changes: [] };
  const locations = ctx.optionalFile('disclosures/locations.yaml');
  if (locations) {
    disclosures.dataCategories = ctx.items(locations, 'dataCategories', specs.dataCategory, 'data category').map(({ item, path: p }) => ({
      id: item.id as string,
      name: item.name as string,
      description: item.description as string,
      at: locations.at(p),
    }));
    disclosures.regions = ctx.items(locations, 'regions', specs.region, 'region', false).map((checked) => toData(locations, checked));
  }
  const subprocessors = ctx.optionalFile('disclosures/subprocessors.yaml');
  if (subprocessors) disclosures.subprocessors = ctx.items(subprocessors, 'subprocessors', specs.subprocessor, 'subprocessor', false).map((checked) => toData(subprocessors, checked));
  const certifications = ctx.optionalFile('disclosures/certifications.yaml');
  if (certifications) disclosures.certifications = ctx.items(certifications, 'certifications', specs.certification, 'certification', false).map((checked) => toData(certifications, checked));
  const changes = ctx.optionalFile('disclosures/changes.yaml');
  if (changes) disclosures.changes = ctx.items(changes, 'changes', specs.change, 'change', false).map((checked) => toChange(changes, checked));
  return disclosures;
}

function toData(file: YamlFile, { item, path: p }: CheckedItem): DataItem {
  return { id: item.id as string, data: item, at: file.at(p) };
}

function toChange(file: YamlFile, { item, path: p }: CheckedItem): ChangeItem {
  return {
    id: item.id as string,
    published: item.published as string,
    effective: item.effective as string,
    kind: item.kind as ChangeItem['kind'],
    data: item,
    at: file.at(p),
  };
}
