import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { projectRoot } from '../../server/config.js';

export const minimalContentDir = path.join(projectRoot, 'test', 'fixtures', 'content-min');

/** A writable copy of a content folder, so a test can break or change files. */
export function copyContent(source = minimalContentDir): { dir: string; edit(file: string, change: (text: string) => string): void; remove(): void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'evident-content-'));
  cpSync(source, dir, { recursive: true });
  return {
    dir,
    edit(file, change) {
      const absolute = path.join(dir, file);
      writeFileSync(absolute, change(readFileSync(absolute, 'utf8')));
    },
    remove() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
