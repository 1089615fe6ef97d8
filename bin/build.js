#!/usr/bin/env node
// `npm run build`, and `prepare` (run by npm install / npm ci): compiles the TypeScript sources to
// dist/ so `npm start` and the `evident` command run plain JavaScript. Type errors are reported
// but do not stop the build (`npm run typecheck` is where they fail); an install without the
// compiler (`npm ci --omit=dev`) skips the build, and bin/evident.js then runs the sources.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
const require = createRequire(import.meta.url);

let tsc;
try {
  tsc = path.join(path.dirname(require.resolve('typescript/package.json')), 'bin', 'tsc');
} catch {
  process.stderr.write('evident build: TypeScript is not installed (a production install?); dist/ is left as it is.\n');
  process.exit(0);
}

const started = performance.now();
rmSync(dist, { recursive: true, force: true });
const result = spawnSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.build.json')], { stdio: 'inherit', cwd: root });
if (!existsSync(path.join(dist, 'server', 'cli', 'main.js'))) {
  process.stderr.write(`evident build: the compiler produced nothing (exit ${result.status}); bin/evident.js will run the sources.\n`);
  process.exit(0);
}
if (result.status !== 0) process.stderr.write('evident build: type errors above (the JavaScript was written all the same; run npm run typecheck).\n');
// The worker thread's entry is plain JavaScript, which the compiler does not copy.
const worker = path.join('server', 'modules', 'jobs', 'worker.mjs');
mkdirSync(path.dirname(path.join(dist, worker)), { recursive: true });
copyFileSync(path.join(root, worker), path.join(dist, worker));
// The stamp bin/evident.js compares with the sources' times, to notice a stale build.
writeFileSync(path.join(dist, '.built'), `${new Date().toISOString()}\n`);
process.stderr.write(`evident build: dist/ written in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
