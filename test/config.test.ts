import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, projectRoot } from '../server/config.js';

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
  ])('names the variable of a bad value %j', (env, variable) => {
    expect(() => loadConfig({ ...base, ...env })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, ...env })).toThrow(new RegExp(`^${variable}:`));
  });

  it('requires a session secret in production and never invents one there', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/SESSION_SECRET: is required in production/);
    const config = loadConfig({ NODE_ENV: 'production', SESSION_SECRET: 'x'.repeat(40), BASE_URL: 'https://trust.example.com' });
    expect(config.secureCookies).toBe(true);
  });

  it('does not print the password of a bad database URL', () => {
    expect(() => loadConfig({ ...base, DATABASE_URL: 'mysql://user:hunter2@db/x' })).toThrow(/^DATABASE_URL: must start/);
    try {
      loadConfig({ ...base, DATABASE_URL: 'postgres://user:hunter2@db:notaport/x' });
    } catch (error) {
      expect((error as Error).message).not.toContain('hunter2');
    }
  });
});
