import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliEnv, evidentBin } from '../helpers/cli.js';
import { minimalContentDir } from '../helpers/content-fixture.js';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function waitForHealth(url: string, deadline: number): Promise<Response> {
  for (;;) {
    try {
      return await fetch(url);
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

describe('evident serve', () => {
  it('starts, answers /healthz, and on SIGTERM shuts down cleanly releasing the data folder', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'evident-serve-'));
    const port = await freePort();
    const child = spawn(process.execPath, [evidentBin, 'serve'], {
      env: cliEnv({ PORT: String(port), DATA_DIR: dataDir, CONTENT_DIR: minimalContentDir }),
      stdio: 'ignore',
    });
    try {
      const health = await waitForHealth(`http://127.0.0.1:${port}/healthz`, Date.now() + 45_000);
      expect(health.status).toBe(200);
      expect((await health.json()) as object).toMatchObject({ status: 'ok' });
      if (!process.env.DATABASE_URL) expect(existsSync(path.join(dataDir, 'evident.lock'))).toBe(true);
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(existsSync(path.join(dataDir, 'evident.lock'))).toBe(false);
    } finally {
      child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});
