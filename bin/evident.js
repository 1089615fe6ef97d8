#!/usr/bin/env node
// The `evident` command and `npm start`. It runs the compiled JavaScript in dist/ (built by
// `npm install` through the `prepare` script), which starts in a fraction of the time the
// TypeScript sources take through tsx. Without a build, or (outside production) when a source
// file is newer than the build, it runs the sources through tsx instead, so an edit is never
// silently ignored.
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// The build's bundle (a few files) when esbuild was there to make it, else the compiler's output.
const bundle = path.join(root, 'dist', 'server', 'evident.js');
const compiled = existsSync(bundle) ? bundle : path.join(root, 'dist', 'server', 'cli', 'main.js');
const stamp = path.join(root, 'dist', '.built');

/** The newest modification time under the folders the build compiles (a few hundred files). */
function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(full));
    else if (/\.(ts|mjs)$/.test(entry.name)) newest = Math.max(newest, statSync(full).mtimeMs);
  }
  return newest;
}

function buildIsCurrent() {
  if (!existsSync(compiled) || !existsSync(stamp)) return false;
  if (process.env.NODE_ENV === 'production') return true;
  const built = statSync(stamp).mtimeMs;
  return ['server', 'migrations', path.join('web', 'helpers')].every((dir) => !existsSync(path.join(root, dir)) || newestSource(path.join(root, dir)) <= built);
}

if (process.env.EVIDENT_RUN_SOURCES !== '1' && buildIsCurrent()) {
  await import(pathToFileURL(compiled).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../server/cli/main.ts');
}
