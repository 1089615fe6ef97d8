#!/usr/bin/env node
// `npm run build`, and `prepare` (run by npm install / npm ci): compiles the TypeScript sources to
// dist/ so `npm start` and the `evident` command run plain JavaScript, then bundles the command
// into a few files (dist/server/evident.js and its chunks), which load several times faster than
// the hundreds of compiled modules (the compiled tree stays: migrations, the worker threads'
// tasks and the content fingerprint read it). Type errors are reported
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
await bundle();
// The stamp bin/evident.js compares with the sources' times, to notice a stale build.
writeFileSync(path.join(dist, '.built'), `${new Date().toISOString()}\n`);
process.stderr.write(`evident build: dist/ written in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);

/**
 * The command and the server as one entry and its lazily loaded chunks (code splitting keeps
 * `--help` from loading the server), with the plain-JavaScript packages inside: resolving and
 * reading a thousand small module files was most of a restart. Packages that carry WebAssembly,
 * native code, worker files or data files beside their JavaScript, or that read their own folder,
 * stay outside and load from node_modules. The chunks sit in dist/server/ itself, where
 * config.ts's code root (the folder above) is still dist/.
 */

async function bundle() {
  const external = [
    '@electric-sql/pglite', 'pg', 'pg-native', 'pg-boss', 'exceljs', 'nodemailer', 'piscina', 'pino', 'thread-stream', 'pino-pretty',
    '@fastify/static', '@fastify/swagger', '@fastify/swagger-ui', '@fastify/view', 'sanitize-html', 'marked', 'world-atlas', 'pdf-lib', 'tsx', 'esbuild',
  ];
  let esbuild;
  try {
    esbuild = await import('esbuild');
  } catch {
    process.stderr.write('evident build: esbuild is not installed; the command runs the compiled files unbundled.\n');
    return;
  }
  await esbuild.build({
    absWorkingDir: root,
    entryPoints: { evident: path.join('server', 'cli', 'main.ts') },
    outdir: path.join(dist, 'server'),
    chunkNames: 'evident-[hash]',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external: external.flatMap((name) => [name, `${name}/*`]),
    // The packages written as CommonJS call require(); an ES module has none of its own.
    banner: { js: "import { createRequire as evidentCreateRequire } from 'node:module'; const require = evidentCreateRequire(import.meta.url);" },
    logLevel: 'warning',
  });
}
