import type { Selectable } from 'kysely';
import type { DbOrTx } from '../../db/database.js';
import type { ControlsTable, ServicesTable } from '../content/tables.js';
import type { Control, Service } from './types.js';

export type { Control, Service };



export function toControl(c: Selectable<ControlsTable>): Control {
  return {
    id: c.id,
    frameworkId: c.framework_id,
    ref: c.ref,
    title: c.title,
    theme: c.theme,
    description: c.description,
    keywords: c.keywords,
    focus: c.focus,
    guidance: c.guidance_provider ? { clause: c.guidance_clause, provider: c.guidance_provider, customer: c.guidance_customer ?? '' } : null,
  };
}

export function toService(s: Selectable<ServicesTable>): Service {
  return { id: s.id, name: s.name, model: s.model, summary: s.summary, description: s.description, layers: s.layers };
}

/** Every control, 5.9 before 5.10 and the cloud controls last. */
export async function listControls(db: DbOrTx): Promise<Control[]> {
  const rows = await db.selectFrom('controls').selectAll().execute();
  return rows.map(toControl).sort((a, b) => compareControlIds(a.id, b.id));
}

export async function findControl(db: DbOrTx, id: string): Promise<Control | undefined> {
  const row = await db.selectFrom('controls').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toControl(row);
}

/** The services in the order the provider lists them. */
export async function listServices(db: DbOrTx): Promise<Service[]> {
  const rows = await db.selectFrom('services').selectAll().orderBy('position').execute();
  return rows.map(toService);
}

/** iso27002:5.9 before iso27002:5.10; CLD after the 2022 controls. */
export function compareControlIds(a: string, b: string): number {
  const key = (id: string) => {
    const [framework, ref] = id.split(':');
    return [framework === 'iso27017' ? 1 : 0, ...ref.replace(/^CLD\./, '').split('.').map(Number)];
  };
  const x = key(a);
  const y = key(b);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    if ((x[i] ?? -1) !== (y[i] ?? -1)) return (x[i] ?? -1) - (y[i] ?? -1);
  }
  return 0;
}
