import { sql } from 'kysely';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAuditKeys } from '../../../server/config.js';
import { CHECKPOINT_FILE, currentCheckpoint, parseCheckpoints } from '../../../server/modules/audit/checkpoint.js';
import { hashAuditRow } from '../../../server/modules/audit/hash.js';
import { AuditKeyring, auditKeysOf, LEGACY_KEY_ID, withAuditKeys } from '../../../server/modules/audit/keys.js';
import { streamAuditRows, type AuditRow } from '../../../server/modules/audit/queries.js';
import { appendAudit, GENESIS_HASH, sealLegacyAudit, verifyAuditChain } from '../../../server/modules/audit/service.js';
import type { DbOrTx } from '../../../server/db/database.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { createTestDatabase } from '../../helpers/database.js';
import { adjustableClock } from '../../helpers/clock.js';
import { makeStaff, makeToken, signIn } from '../../helpers/staff.js';

const clock = adjustableClock('2026-11-28T12:00:00Z');
const K1 = 'k1:first-audit-key-first-audit-key-first-0001';
const K2 = 'k2:second-audit-key-second-audit-key-second-02';

/** A fresh database with a few entries of its own, signed with the given AUDIT_KEY value. */
async function logWith(auditKey = K1, entries = 5) {
  const database = await createTestDatabase();
  const db = withAuditKeys(database.db, parseAuditKeys(auditKey));
  for (let i = 0; i < entries; i++) await appendAudit(db, clock, { actor: 'tester', actorKind: 'system', action: 'test.entry', subject: `s${i}`, details: { i } });
  return { db, close: () => database.close() };
}

/** What whoever owns the table can do: switch the append-only triggers off and change rows. */
async function behindTheTriggers(db: DbOrTx, change: () => Promise<unknown>): Promise<void> {
  await sql`alter table audit_log disable trigger audit_log_no_update_delete`.execute(db);
  try {
    await change();
  } finally {
    await sql`alter table audit_log enable trigger audit_log_no_update_delete`.execute(db);
  }
}

/** Rewrites every entry's actor and recomputes the chain with the given keyring and key id. */
async function rewriteChain(db: DbOrTx, keys: AuditKeyring, keyId: string): Promise<void> {
  const rows: AuditRow[] = [];
  for await (const row of streamAuditRows(db)) rows.push(row);
  await behindTheTriggers(db, async () => {
    let prev = GENESIS_HASH;
    for (const row of rows) {
      const forged = { ...row, actor: 'mallory' };
      const hash = hashAuditRow(keys, keyId, prev, forged)!;
      await sql`update audit_log set actor = 'mallory', key_id = ${keyId}, prev_hash = ${prev}, hash = ${hash} where id = ${row.id}::bigint`.execute(db);
      prev = hash;
    }
  });
}

describe('the audit chain is keyed', () => {
  it('signs each entry with the newest key and verifies', async () => {
    const log = await logWith(`${K2},${K1}`);
    try {
      const report = await verifyAuditChain(log.db);
      expect(report).toMatchObject({ ok: true, entries: 5, legacyEntries: 0 });
      const ids = await log.db.selectFrom('audit_log').select('key_id').execute();
      expect(new Set(ids.map((r) => r.key_id))).toEqual(new Set(['k2']));
    } finally {
      await log.close();
    }
  });

  it('the database itself refuses update, delete and truncate', async () => {
    const log = await logWith();
    try {
      for (const statement of [sql`update audit_log set actor = 'mallory'`, sql`delete from audit_log`, sql`truncate audit_log`]) {
        await expect(statement.execute(log.db)).rejects.toThrow(/append-only/);
      }
      expect(await verifyAuditChain(log.db)).toMatchObject({ ok: true, entries: 5 });
    } finally {
      await log.close();
    }
  });

  it('detects an entry changed behind the triggers', async () => {
    const log = await logWith();
    try {
      const target = await appendAudit(log.db, clock, { actor: 'tester', actorKind: 'system', action: 'test.tamper-target' });
      await appendAudit(log.db, clock, { actor: 'tester', actorKind: 'system', action: 'test.after' });
      await behindTheTriggers(log.db, () => sql`update audit_log set actor = 'mallory' where id = ${target}::bigint`.execute(log.db));
      expect(await verifyAuditChain(log.db)).toMatchObject({ ok: false, firstBrokenId: target });
    } finally {
      await log.close();
    }
  });

  it('a chain recomputed without the key does not verify: not with the old unkeyed function, not with a key of one\'s own', async () => {
    const log = await logWith();
    try {
      // The project's own pre-key function, as anyone can run it: every entry relabelled "legacy".
      await rewriteChain(log.db, new AuditKeyring(parseAuditKeys(K2)), LEGACY_KEY_ID);
      const asLegacy = await verifyAuditChain(log.db);
      expect(asLegacy.ok).toBe(false);
      expect(asLegacy.message).toMatch(/all 5 audit entries are unkeyed/);
      // A key the attacker made up, under the configured key's id or an id of their own.
      await rewriteChain(log.db, new AuditKeyring(parseAuditKeys(`k1:${'x'.repeat(40)}`)), 'k1');
      expect(await verifyAuditChain(log.db)).toMatchObject({ ok: false, firstBrokenId: expect.any(String), message: expect.stringMatching(/broken at entry/) });
      await rewriteChain(log.db, new AuditKeyring(parseAuditKeys(`mine:${'x'.repeat(40)}`)), 'mine');
      expect((await verifyAuditChain(log.db)).message).toMatch(/signed with key "mine", which is not configured/);
    } finally {
      await log.close();
    }
  });

  it('keys rotate: entries of the old key verify while it stays listed, and not once it is dropped', async () => {
    const log = await logWith(K1, 2);
    try {
      const rotated = withAuditKeys(log.db, parseAuditKeys(`${K2},${K1}`));
      await appendAudit(rotated, clock, { actor: 'tester', actorKind: 'system', action: 'test.after-rotation' });
      const keyIds = (await rotated.selectFrom('audit_log').select('key_id').orderBy('id').execute()).map((r) => r.key_id);
      expect(keyIds).toEqual(['k1', 'k1', 'k2']);
      expect(await verifyAuditChain(rotated)).toMatchObject({ ok: true, entries: 3 });
      const dropped = await verifyAuditChain(withAuditKeys(log.db, parseAuditKeys(K2)));
      expect(dropped.ok).toBe(false);
      expect(dropped.message).toMatch(/signed with key "k1", which is not configured: add it to AUDIT_KEY/);
    } finally {
      await log.close();
    }
  });

  it('entries from before the upgrade verify as "legacy", sealed by the first keyed entry; one after keyed entries does not', async () => {
    const database = await createTestDatabase();
    const db = withAuditKeys(database.db, parseAuditKeys(K1));
    try {
      // What the previous version wrote: an unkeyed SHA-256 chain (the column default is "legacy").
      let prev = GENESIS_HASH;
      for (let i = 0; i < 3; i++) {
        const row = { at: clock.now(), actor: 'old', actor_kind: 'system' as const, action: 'test.old', subject: null, details: { i }, ip: null };
        const hash = hashAuditRow(auditKeysOf(db), LEGACY_KEY_ID, prev, row)!;
        await db.insertInto('audit_log').values({ ...row, details: JSON.stringify(row.details), prev_hash: prev, hash }).execute();
        prev = hash;
      }
      expect((await verifyAuditChain(db)).ok).toBe(false); // not sealed yet
      expect(await sealLegacyAudit(db, clock)).toBe(true);
      expect(await sealLegacyAudit(db, clock)).toBe(false); // once
      expect(await verifyAuditChain(db)).toMatchObject({ ok: true, entries: 4, legacyEntries: 3 });
      // Rewriting a sealed legacy entry breaks the keyed entry after it.
      await behindTheTriggers(db, () => sql`update audit_log set actor = 'mallory' where action = 'test.old' and details->>'i' = '1'`.execute(db));
      expect((await verifyAuditChain(db)).ok).toBe(false);
      await behindTheTriggers(db, () => sql`update audit_log set actor = 'old' where action = 'test.old'`.execute(db));
      const last = await db.selectFrom('audit_log').select('hash').orderBy('id', 'desc').limit(1).executeTakeFirstOrThrow();
      const late = { at: clock.now(), actor: 'late', actor_kind: 'system' as const, action: 'test.late', subject: null, details: {}, ip: null };
      await db.insertInto('audit_log').values({ ...late, details: '{}', prev_hash: last.hash, hash: hashAuditRow(auditKeysOf(db), LEGACY_KEY_ID, last.hash, late)! }).execute();
      expect((await verifyAuditChain(db)).message).toMatch(/an unkeyed entry after keyed ones/);
    } finally {
      await database.close();
    }
  });
});

describe('checkpoints', () => {
  it('detect the newest entries deleted, which the chain alone cannot', async () => {
    const log = await logWith();
    try {
      const checkpoint = await currentCheckpoint(log.db, auditKeysOf(log.db), clock);
      expect(checkpoint).toMatchObject({ entries: 5, keyId: 'k1', hmac: expect.stringMatching(/^[0-9a-f]{64}$/) });
      expect(await verifyAuditChain(log.db, { checkpoints: [checkpoint] })).toMatchObject({ ok: true, checkpoints: 1 });
      await behindTheTriggers(log.db, () => sql`delete from audit_log where id in (select id from audit_log order by id desc limit 2)`.execute(log.db));
      expect((await verifyAuditChain(log.db)).ok).toBe(true);
      const held = await verifyAuditChain(log.db, { checkpoints: [checkpoint] });
      expect(held.ok).toBe(false);
      expect(held.message).toMatch(/has 3 entries, but the checkpoint of .* recorded 5: entries were removed/);
    } finally {
      await log.close();
    }
  });

  it('detect a log rewritten by someone holding the key', async () => {
    const log = await logWith();
    try {
      const checkpoint = await currentCheckpoint(log.db, auditKeysOf(log.db), clock);
      await rewriteChain(log.db, auditKeysOf(log.db), 'k1');
      expect((await verifyAuditChain(log.db)).ok).toBe(true);
      const held = await verifyAuditChain(log.db, { checkpoints: [checkpoint] });
      expect(held).toMatchObject({ ok: false, message: expect.stringMatching(/differs from the checkpoint .*: the log was rewritten/) });
    } finally {
      await log.close();
    }
  });

  it('refuse a checkpoint that was edited or signed with an unknown key', async () => {
    const log = await logWith();
    try {
      const checkpoint = await currentCheckpoint(log.db, auditKeysOf(log.db), clock);
      expect((await verifyAuditChain(log.db, { checkpoints: [{ ...checkpoint, entries: 2 }] })).message).toMatch(/bad signature/);
      const foreign = await currentCheckpoint(log.db, new AuditKeyring(parseAuditKeys(K2)), clock).catch((e: Error) => e);
      expect(foreign).toBeInstanceOf(Error); // the head itself does not verify under that key
      expect((await verifyAuditChain(log.db, { checkpoints: [{ ...checkpoint, keyId: 'k9' }] })).message).toMatch(/key "k9", which is not configured/);
    } finally {
      await log.close();
    }
  });

  it('the server writes one to AUDIT_CHECKPOINT_DIR when it starts, and again at shutdown once the log moved', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'evident-checkpoints-'));
    const t = await createTestApp({ contentDir: null, env: { AUDIT_CHECKPOINT_DIR: dir } });
    try {
      const file = path.join(dir, CHECKPOINT_FILE);
      const atStart = parseCheckpoints(readFileSync(file, 'utf8'));
      expect(atStart).toHaveLength(1);
      await appendAudit(t.database.db, t.clock, { actor: 'tester', actorKind: 'system', action: 'test.entry' });
      await t.close();
      const all = parseCheckpoints(readFileSync(file, 'utf8'));
      expect(all).toHaveLength(2);
      expect(all[1].entries).toBe(atStart[0].entries + 1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('audit log pages and API', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ contentDir: null, env: { LOGIN_RATE_LIMIT: '1000' } });
  });
  afterAll(async () => t.close());

  it('admins list and filter it as JSON and CSV; others may not', async () => {
    for (let i = 0; i < 3; i++) await appendAudit(t.database.db, t.clock, { actor: 'tester', actorKind: 'system', action: 'test.listed', subject: `s${i}`, details: { i } });
    const admin = await makeStaff(t.database.db, t.clock, 'admin');
    const viewer = await makeStaff(t.database.db, t.clock, 'viewer');
    const { agent } = await signIn(t.app, admin.email);
    const json = await agent.get('/api/v1/audit?action=test.listed').expect(200);
    expect(json.body.entries.map((e: { subject: string }) => e.subject)).toEqual(['s2', 's1', 's0']);
    const logins = await agent.get(`/api/v1/audit?action=staff.login&actor=${encodeURIComponent(admin.email)}`).expect(200);
    expect(logins.body.entries).toHaveLength(1);
    const csv = await agent.get('/admin/audit.csv?action=test.listed').expect(200);
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    expect(csv.text.split('\r\n')[0]).toBe('id,at,actor,actor_kind,action,subject,details,ip,key_id,hash');
    expect(csv.text).toContain('"{""i"":2}"');
    const page = await agent.get('/admin/audit?action=test.').expect(200);
    expect(page.text).toContain('test.listed');
    const v = await signIn(t.app, viewer.email);
    await v.agent.get('/api/v1/audit').expect(403);
  });

  it('neutralises formulas in the CSV export', async () => {
    await appendAudit(t.database.db, t.clock, { actor: '=HYPERLINK("http://evil")', actorKind: 'public', action: 'test.formula' });
    const admin = await makeStaff(t.database.db, t.clock, 'admin');
    const { agent } = await signIn(t.app, admin.email);
    const csv = await agent.get('/admin/audit.csv?action=test.formula').expect(200);
    expect(csv.text).toContain(`"'=HYPERLINK(""http://evil"")"`);
  });

  it('verify through the API reports the chain', async () => {
    const admin = await makeStaff(t.database.db, t.clock, 'admin');
    const res = await request(t.app.server).get('/api/v1/audit/verify').set('authorization', `Bearer ${await makeToken(t.database.db, t.clock, admin.email)}`).expect(200);
    expect(res.body).toMatchObject({ ok: true, legacyEntries: 0 });
    expect(res.body.entries).toBeGreaterThan(0);
  });
});
