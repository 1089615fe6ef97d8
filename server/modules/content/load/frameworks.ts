import { specs } from '../schema.js';
import type { ControlItem, FrameworkItem, MappingItem } from '../types.js';
import { validateItem, type YamlFile } from '../yaml-file.js';
import type { CheckedItem, LoadContext } from './context.js';

export interface FrameworkCatalogue {
  frameworks: FrameworkItem[];
  controls: ControlItem[];
  mappings: MappingItem[];
}

/**
 * frameworks/: one file per framework with its controls, plus mapping files (a file with a
 * `mappings` list) that relate one edition's references to another's.
 */
export function readFrameworks(ctx: LoadContext): FrameworkCatalogue {
  const catalogue: FrameworkCatalogue = { frameworks: [], controls: [], mappings: [] };
  for (const absolute of ctx.yamlFilesIn('frameworks')) {
    const file = ctx.read(absolute);
    if (file.data === undefined) continue;
    const data = file.data as Record<string, unknown> | null;
    if (data && 'mappings' in data) {
      catalogue.mappings.push(...ctx.items(file, 'mappings', specs.mapping, 'mapping').map((checked) => toMapping(file, checked)));
      continue;
    }
    const framework = validateItem(file, ['framework'], (data?.framework ?? {}) as Record<string, unknown>, specs.framework, ctx.syncDay, ctx.problems, 'framework');
    if (!framework) continue;
    catalogue.frameworks.push({ id: framework.id as string, name: framework.name as string, edition: framework.edition as string, at: file.at(['framework']) });
    for (const checked of ctx.items(file, 'controls', specs.control, 'control')) catalogue.controls.push(toControl(ctx, file, framework.id as string, checked));
  }
  return catalogue;
}

function toMapping(file: YamlFile, { item, path: p }: CheckedItem): MappingItem {
  return {
    from: item.from as string,
    title2013: (item.title2013 as string | undefined) ?? '',
    to: item.to as string[],
    relationship: item.relationship as string,
    at: file.at(p),
  };
}

/** A control's id is qualified by its framework, so two frameworks may use the same reference. */
function toControl(ctx: LoadContext, file: YamlFile, frameworkId: string, { item, path: p }: CheckedItem): ControlItem {
  const guidance = item.cloudGuidance as Record<string, unknown> | undefined;
  const complete = guidance && typeof guidance.provider === 'string' && typeof guidance.customer === 'string';
  if (guidance && !complete) {
    ctx.problems.push({ level: 'error', ...file.at([...p, 'cloudGuidance']), message: `control "${String(item.id)}": cloudGuidance needs provider and customer text` });
  }
  return {
    id: `${frameworkId}:${item.id as string}`,
    frameworkId,
    ref: item.id as string,
    title: item.title as string,
    theme: item.theme as ControlItem['theme'],
    description: item.description as string,
    keywords: (item.keywords as string[] | undefined) ?? [],
    focus: (item.focus as string[] | undefined) ?? [],
    guidance: complete ? { clause: String(guidance.clause2013 ?? ''), provider: (guidance.provider as string).trim(), customer: (guidance.customer as string).trim() } : null,
    at: file.at(p),
  };
}
