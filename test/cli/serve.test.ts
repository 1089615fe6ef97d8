import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startServer } from '../helpers/cli.js';
import { minimalContentDir } from '../helpers/content-fixture.js';

describe('evident serve', () => {
  it('starts, answers /healthz, /livez and /readyz, and on SIGTERM shuts down cleanly releasing the data folder', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'evident-serve-'));
    const server = await startServer({ DATA_DIR: dataDir, CONTENT_DIR: minimalContentDir });
    try {
      const health = await fetch(`${server.baseUrl}/healthz`);
      expect(health.status).toBe(200);
      expect((await health.json()) as object).toMatchObject({ status: 'ok' });
      expect((await fetch(`${server.baseUrl}/livez`)).status).toBe(200);
      expect((await fetch(`${server.baseUrl}/readyz`)).status).toBe(200);
      if (!process.env.DATABASE_URL) expect(existsSync(path.join(dataDir, 'evident.lock'))).toBe(true);
      expect(await server.stop('SIGTERM')).toBe(0);
      expect(existsSync(path.join(dataDir, 'evident.lock'))).toBe(false);
    } finally {
      server.child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 180_000);
});
