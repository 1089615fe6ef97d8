import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

describe('evident --help', () => {
  it('lists every command, from the compiled build or the sources alike, and opens no database', () => {
    const dataDir = path.join(mkdtempSync(path.join(os.tmpdir(), 'evident-help-')), 'data');
    try {
      for (const sources of ['1', undefined]) {
        const result = runCli(['--help'], { DATA_DIR: dataDir, EVIDENT_RUN_SOURCES: sources });
        expect(result.status).toBe(0);
        for (const command of ['serve', 'migrate', 'content', 'user', 'audit', 'answer', 'backup', 'restore', 'export']) expect(result.stdout).toMatch(new RegExp(`^\\s+${command}\\b`, 'm'));
        // Help needs no data folder: nothing heavy was loaded, nothing was opened.
        expect(existsSync(dataDir)).toBe(false);
      }
    } finally {
      rmSync(path.dirname(dataDir), { recursive: true, force: true });
    }
  });

  it('a subcommand explains itself without running', () => {
    const result = runCli(['user', 'add', '--help']);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('--password-stdin');
  });
});
