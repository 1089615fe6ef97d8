import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { ConfigError, loadConfig, parseAuditKeys, projectRoot } from '../server/config.js';

const base = { NODE_ENV: 'test' };

describe('loadConfig', () => {
  it('defaults to PGlite in .data under the project root and port 3000', () => {
    const config = loadConfig(base);
    expect(config.databaseUrl).toBeNull();
    expect(config.dataDir).toBe(path.join(projectRoot, '.data'));
    expect(config.contentDir).toBe(path.join(projectRoot, 'content'));
    expect(config.port).toBe(3000);
    expect(config.baseUrl).toBe('http://127.0.0.1:3000');
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('resolves relative paths against the project root, not the current directory', () => {
    const config = loadConfig({ ...base, DATA_DIR: 'var/data', CONTENT_DIR: 'test/fixtures/content-min' });
    expect(config.dataDir).toBe(path.join(projectRoot, 'var/data'));
    expect(config.contentDir).toBe(path.join(projectRoot, 'test/fixtures/content-min'));
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ DATABASE_URL: 'not a url' }, 'DATABASE_URL'],
    [{ BASE_URL: 'ftp://x' }, 'BASE_URL'],
    [{ SMTP_URL: 'http://mail' }, 'SMTP_URL'],
    [{ NODE_ENV: 'staging' }, 'NODE_ENV'],
    [{ CONTENT_DIR: '/no/such/folder' }, 'CONTENT_DIR'],
    [{ SESSION_SECRET: 'short' }, 'SESSION_SECRET'],
    [{ AUDIT_KEY: 'k1:short' }, 'AUDIT_KEY'],
    [{ AUDIT_KEY: `legacy:${'x'.repeat(40)}` }, 'AUDIT_KEY'],
    [{ AUDIT_KEY: `k1:${'x'.repeat(40)},k1:${'y'.repeat(40)}` }, 'AUDIT_KEY'],
    [{ AUDIT_CHECKPOINT_MINUTES: '0' }, 'AUDIT_CHECKPOINT_MINUTES'],
    [{ TRUST_PROXY: 'true' }, 'TRUST_PROXY'],
    [{ TRUST_PROXY: '10.0.0.1,proxy.example' }, 'TRUST_PROXY'],
    [{ TRUST_PROXY: '10.0.0.0/33' }, 'TRUST_PROXY'],
  ])('names the variable of a bad value %j', (env, variable) => {
    expect(() => loadConfig({ ...base, ...env })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, ...env })).toThrow(new RegExp(`^${variable}:`));
  });

  it('requires a session secret, an audit key and a TOTP key in production and never invents them there', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/SESSION_SECRET: is required in production/);
    expect(() => loadConfig({ NODE_ENV: 'production', SESSION_SECRET: 'x'.repeat(40) })).toThrow(/AUDIT_KEY: is required in production/);
    const keys = { SESSION_SECRET: 'x'.repeat(40), AUDIT_KEY: `k2:${'n'.repeat(40)},k1:${'o'.repeat(40)}` };
    expect(() => loadConfig({ NODE_ENV: 'production', ...keys })).toThrow(/TOTP_KEY: is required in production/);
    const config = loadConfig({ NODE_ENV: 'production', ...keys, TOTP_KEY: 'cd'.repeat(32), BASE_URL: 'https://trust.example.com' });
    expect(config.secureCookies).toBe(true);
    expect(config.auditKeys.map((k) => k.id)).toEqual(['k2', 'k1']);
    // Production trusts no X-Forwarded-For unless told which proxies to believe.
    expect(config.trustProxy).toBe(false);
  });

  it('TRUST_PROXY takes a hop count or a list of proxy addresses and ranges', () => {
    expect(loadConfig(base).trustProxy).toBe(false);
    expect(loadConfig({ ...base, TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadConfig({ ...base, TRUST_PROXY: '127.0.0.1, 10.0.0.0/8,::1' }).trustProxy).toEqual(['127.0.0.1', '10.0.0.0/8', '::1']);
  });

  it('in development generates the audit key once in the data folder; a bare secret gets a stable derived id', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'evident-config-'));
    try {
      const first = loadConfig({ NODE_ENV: 'development', DATA_DIR: dir }).auditKeys;
      expect(first[0].id).toMatch(/^dev-[0-9a-f]{6}$/);
      expect(loadConfig({ NODE_ENV: 'development', DATA_DIR: dir }).auditKeys).toEqual(first);
      expect(readFileSync(path.join(dir, 'audit-key'), 'utf8').trim()).toBe(`${first[0].id}:${first[0].secret}`);
      const bare = 'b'.repeat(40);
      expect(parseAuditKeys(bare)[0].id).toBe(parseAuditKeys(bare)[0].id);
      expect(parseAuditKeys(bare)[0].id).toMatch(/^k-[0-9a-f]{10}$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('does not print the password of a bad database URL', () => {
    expect(() => loadConfig({ ...base, DATABASE_URL: 'mysql://user:hunter2@db/x' })).toThrow(/^DATABASE_URL: must start/);
    const bad = () => loadConfig({ ...base, DATABASE_URL: 'postgres://user:hunter2@db:notaport/x' });
    expect(bad).toThrow(/^DATABASE_URL: ".*\*\*\*@db:notaport\/x" is not a URL/);
    expect(bad).not.toThrow(/hunter2/);
  });
});
