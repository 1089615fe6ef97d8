import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OpenDatabase } from '../../server/db/connect.js';
import { migrateToLatest } from '../../server/db/migrate.js';
import { createDatabaseBefore } from '../helpers/database.js';

const MIGRATION = '2026-12-02T0700_responsibility_scope_regions';
let database: OpenDatabase;

beforeAll(async () => {
  database = await createDatabaseBefore(MIGRATION);
});
afterAll(async () => database.close());

describe('responsibility scope on an existing database', () => {
  it('keeps every matrix row as a row about a service, and allows no service only for the provider\'s own ISMS', async () => {
    const base = { control_id: 'iso27002:8.23', party: 'customer', customer_duty: 'Filter.', evidence_ids: '[]', third_parties: '[]', position: 0, content_hash: 'h' };
    await database.db.insertInto('responsibilities' as never).values([{ ...base, id: 'iso27002:8.23|vm', service_id: 'vm' }] as never).execute();

    await migrateToLatest(database.db);
    const rows = await database.db.selectFrom('responsibilities').select(['id', 'service_id', 'scope', 'party']).execute();
    expect(rows).toEqual([{ id: 'iso27002:8.23|vm', service_id: 'vm', scope: 'service', party: 'customer' }]);
    const isms = { ...base, party: 'provider', provider_duty: 'Ours.', customer_duty: null, evidence_ids: JSON.stringify([]), third_parties: JSON.stringify([]), position: 1 };
    await database.db.insertInto('responsibilities').values({ ...isms, id: 'iso27002:8.23|isms', service_id: null, scope: 'isms' } as never).execute();
    // A matrix row needs its service; an ISMS row has none.
    await expect(database.db.insertInto('responsibilities').values({ ...isms, id: 'x|1', service_id: null, scope: 'service' } as never).execute()).rejects.toThrow();
    await expect(database.db.insertInto('responsibilities').values({ ...isms, id: 'x|2', service_id: 'vm', scope: 'isms' } as never).execute()).rejects.toThrow();
  });
});
