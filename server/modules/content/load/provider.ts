import { LAYERS, specs } from '../schema.js';
import type { ProviderProfile, ServiceItem, ServiceLayer } from '../types.js';
import { validateItem, type YamlFile } from '../yaml-file.js';
import type { LoadContext } from './context.js';

/** provider.yaml: the one `provider` map (extra fields allowed, so a provider can say more about itself). */
export function readProvider(ctx: LoadContext): ProviderProfile | null {
  const file = ctx.optionalFile('provider.yaml');
  if (file?.data === undefined) return null;
  const raw = (file.data as Record<string, unknown> | null)?.provider;
  if (!raw || typeof raw !== 'object') {
    ctx.problems.push({ level: 'error', ...file.at([]), message: 'missing map "provider"' });
    return null;
  }
  const checked = validateItem(file, ['provider'], raw as Record<string, unknown>, specs.provider, ctx.syncDay, ctx.problems, 'provider', false);
  return checked ? (checked as ProviderProfile) : null;
}

/** services.yaml: the services the provider offers, each with its stack of layers. */
export function readServices(ctx: LoadContext): ServiceItem[] {
  const file = ctx.optionalFile('services.yaml');
  if (!file) return [];
  return ctx.items(file, 'services', specs.service, 'service').map(({ item, path: p }) => {
    const layers = readLayers(ctx, file, p, item);
    return { ...(item as unknown as Omit<ServiceItem, 'at' | 'layers'>), layers, at: file.at(p) };
  });
}

/** A service's `layers`, each checked with its own line; a layer out of the bottom-up order or named twice is an error. */
function readLayers(ctx: LoadContext, file: YamlFile, servicePath: (string | number)[], service: Record<string, unknown>): ServiceItem['layers'] {
  const raw = service.layers as Record<string, unknown>[] | undefined;
  const layers: ServiceItem['layers'] = [];
  (raw ?? []).forEach((value, i) => {
    const at = [...servicePath, 'layers', i];
    const what = `service "${String(service.id)}", layer ${i + 1}`;
    const item = validateItem(file, at, value, specs.layer, ctx.syncDay, ctx.problems, what);
    if (!item) return;
    const layer = item as unknown as ServiceLayer;
    const previous = layers[layers.length - 1];
    if (layers.some((l) => l.layer === layer.layer)) ctx.problems.push({ level: 'error', ...file.at([...at, 'layer']), message: `${what}: "${layer.layer}" is listed twice` });
    else if (previous && LAYERS.indexOf(layer.layer) < LAYERS.indexOf(previous.layer)) {
      ctx.problems.push({ level: 'error', ...file.at([...at, 'layer']), message: `${what}: "${layer.layer}" comes after "${previous.layer}"; list the layers bottom-up: ${LAYERS.join(', ')}` });
    } else layers.push({ layer: layer.layer, party: layer.party, note: layer.note, subprocessors: layer.subprocessors ?? [], at: file.at(at) });
  });
  return layers;
}
