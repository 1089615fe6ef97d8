import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { codeRoot } from '../../config.js';

/**
 * Everything a sync's outcome depends on: every file of the content folder, the day (content
 * uses relative dates, and freshness changes at midnight), the settings that shape the rows, and
 * the code that reads content and derives from it (an upgrade must sync again, even with the
 * same files). Equal fingerprints mean a sync would change nothing.
 */
export function contentFingerprint(contentDir: string, day: string, settings: Record<string, unknown>): string {
  const hash = createHash('sha256');
  hash.update(`day ${day}\nsettings ${JSON.stringify(settings)}\n`);
  for (const file of filesUnder(contentDir)) hash.update(`content ${path.relative(contentDir, file)}\n`).update(readFileSync(file));
  for (const dir of ['content', 'engine', 'library']) {
    for (const file of filesUnder(path.join(codeRoot, 'server', 'modules', dir))) hash.update(`code ${path.relative(codeRoot, file)}\n`).update(readFileSync(file));
  }
  return hash.digest('hex');
}

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name))
    .sort();
}
