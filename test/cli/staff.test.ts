import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliAsync } from '../helpers/cli.js';
import { cliDatabase } from '../helpers/cli-database.js';
import { minimalContentDir } from '../helpers/content-fixture.js';

let db: Awaited<ReturnType<typeof cliDatabase>>;
let env: Record<string, string>;
beforeAll(async () => {
  db = await cliDatabase();
  env = { ...db.env, CONTENT_DIR: minimalContentDir };
});
afterAll(async () => db.cleanup());

describe('evident user / token / audit', () => {
  it('manages users on a fresh database, from the command line', async () => {
    const add = await runCliAsync(['user', 'add', '--email', 'Ops@Provider.example', '--role', 'admin', '--password-stdin'], env, 'a long enough password\n');
    expect(add.status, add.stderr).toBe(0);
    expect(JSON.parse(add.stdout)).toMatchObject({ email: 'Ops@Provider.example', role: 'admin' });

    const duplicate = await runCliAsync(['user', 'add', '--email', 'ops@provider.example', '--password-stdin'], env, 'another long password\n');
    expect(duplicate.status).toBe(1);
    expect(duplicate.stderr).toContain('already exists');

    const short = await runCliAsync(['user', 'add', '--email', 'x@provider.example', '--password-stdin'], env, 'short\n');
    expect(short.status).toBe(1);
    expect(short.stderr).toContain('at least 12 characters');

    // The only admin can be neither demoted nor disabled: nobody could manage users after.
    const demote = await runCliAsync(['user', 'set-role', '--email', 'ops@provider.example', '--role', 'editor'], env);
    expect(demote.status).toBe(1);
    expect(demote.stderr).toContain('last enabled admin');
    const disable = await runCliAsync(['user', 'disable', '--email', 'ops@provider.example'], env);
    expect(disable.status).toBe(1);
    expect(disable.stderr).toContain('last enabled admin');
    const list = await runCliAsync(['user', 'list'], env);
    expect(JSON.parse(list.stdout)).toEqual([expect.objectContaining({ email: 'Ops@Provider.example', role: 'admin', disabled: false })]);
    expect((await runCliAsync(['user', 'reset-password', '--email', 'ops@provider.example', '--password-stdin'], env, 'a fresh long password\n')).status).toBe(0);
    expect((await runCliAsync(['user', 'unlock', '--email', 'ops@provider.example'], env)).status).toBe(0);
    expect((await runCliAsync(['user', 'set-role', '--email', 'nobody@provider.example', '--role', 'admin'], env)).stderr).toContain('No user with the email');
  }, 600_000);

  it('prints a new token alone on stdout, and the audit chain verifies', async () => {
    await runCliAsync(['user', 'add', '--email', 'robot@provider.example', '--role', 'viewer', '--password-stdin'], env, 'robot password 123\n');
    const token = await runCliAsync(['token', 'create', '--email', 'robot@provider.example', '--name', 'ci'], env);
    expect(token.status, token.stderr).toBe(0);
    expect(token.stdout).toMatch(/^evt_[A-Za-z0-9_-]{43}\n$/);
    const list = await runCliAsync(['token', 'list'], env);
    expect(JSON.parse(list.stdout)).toEqual([expect.objectContaining({ name: 'ci', email: 'robot@provider.example', revoked_at: null })]);
    const verify = await runCliAsync(['audit', 'verify'], env);
    expect(verify.status).toBe(0);
    expect(JSON.parse(verify.stdout)).toMatchObject({ ok: true });
    expect(JSON.parse(verify.stdout).entries).toBeGreaterThanOrEqual(2);
  }, 600_000);

  it('writes a checkpoint and verifies the log against it; a missing checkpoint file fails before the database opens', async () => {
    const file = path.join(env.DATA_DIR, 'checkpoint.json');
    const written = await runCliAsync(['audit', 'checkpoint', '--out', file], env);
    expect(written.status, written.stderr).toBe(0);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ format: 'evident-audit-checkpoint', keyId: 'test' });
    const held = await runCliAsync(['audit', 'verify', '--checkpoint', file], env);
    expect(held.status, held.stderr).toBe(0);
    expect(JSON.parse(held.stdout)).toMatchObject({ ok: true, checkpoints: 1 });
    const missing = await runCliAsync(['audit', 'verify', '--checkpoint', path.join(env.DATA_DIR, 'nope.json')], env);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('no such file');
  }, 600_000);
});
