import { existsSync } from 'node:fs';
import path from 'node:path';
import { specs } from '../schema.js';
import type { Lexicons } from '../types.js';
import type { YamlFile } from '../yaml-file.js';
import type { LoadContext } from './context.js';

/** thesaurus.yaml: groups of terms that mean the same to the question matcher. */
export function readThesaurus(ctx: LoadContext): string[][] {
  const file = ctx.optionalFile('thesaurus.yaml');
  if (!file) return [];
  const groups = (file.data as { groups?: unknown } | null)?.groups;
  if (Array.isArray(groups) && groups.every((g) => Array.isArray(g) && g.every((t) => typeof t === 'string'))) return groups as string[][];
  if (file.data !== undefined) ctx.problems.push({ level: 'error', ...file.at(['groups']), message: '"groups" must be a list of lists of terms' });
  return [];
}

/**
 * lexicons.yaml and places.yaml: the frameworks, data types, capabilities and places questions are parsed for.
 * Both are optional: a missing one leaves its lists empty and is not reported.
 */
export function readLexicons(ctx: LoadContext): Lexicons {
  const lexiconsPath = path.join(ctx.root, 'lexicons.yaml');
  const lexicons = existsSync(lexiconsPath) ? readWords(ctx, ctx.read(lexiconsPath)) : emptyLexicons();
  const placesPath = path.join(ctx.root, 'places.yaml');
  if (existsSync(placesPath)) lexicons.places = readPlaces(ctx, ctx.read(placesPath));
  return lexicons;
}

function emptyLexicons(): Lexicons {
  return { frameworks: [], dataTypes: [], capabilities: [], genericWords: [], places: { countries: [], groups: [] } };
}

function readWords(ctx: LoadContext, file: YamlFile): Lexicons {
  const lexicons = emptyLexicons();
  if (file.data === undefined || file.data === null) return lexicons;
  for (const { item } of ctx.items(file, 'frameworks', specs.lexiconFramework, 'framework')) lexicons.frameworks.push(item as unknown as Lexicons['frameworks'][number]);
  for (const { item } of ctx.items(file, 'dataTypes', specs.lexiconDataType, 'data type')) lexicons.dataTypes.push(item as unknown as Lexicons['dataTypes'][number]);
  for (const { item } of ctx.items(file, 'capabilities', specs.lexiconDataType, 'capability')) lexicons.capabilities.push(item as unknown as Lexicons['capabilities'][number]);
  const generic = (file.data as { genericWords?: unknown }).genericWords;
  if (Array.isArray(generic) && generic.every((w) => typeof w === 'string')) lexicons.genericWords = generic as string[];
  else if (generic !== undefined) ctx.problems.push({ level: 'error', ...file.at(['genericWords']), message: '"genericWords" must be a list of words' });
  return lexicons;
}

function readPlaces(ctx: LoadContext, file: YamlFile): Lexicons['places'] {
  if (file.data === undefined || file.data === null) return { countries: [], groups: [] };
  return {
    countries: ctx.items(file, 'countries', specs.country, 'country').map(({ item }) => ({ id: item.id as string, name: item.name as string, aliases: (item.aliases as string[] | undefined) ?? [] })),
    groups: ctx.items(file, 'groups', specs.countryGroup, 'group of countries').map(({ item }) => item as unknown as Lexicons['places']['groups'][number]),
  };
}
