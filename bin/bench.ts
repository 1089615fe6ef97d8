/**
 * npm run bench — load and speed figures, each as a ratio to a baseline measured in the same
 * run (these machines are noisy): routes under autocannon against a bare Fastify route in the
 * same process, the questionnaire engine against the bare lunr queries it issues, cold start.
 * Only 127.0.0.1 is ever loaded; every phase is bounded in time.
 */
import autocannon from 'autocannon';
import Fastify from 'fastify';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { buildApp } from '../server/app.js';
import { fixedClock } from '../server/clock.js';
import { loadConfig, projectRoot } from '../server/config.js';
import { openDatabase } from '../server/db/connect.js';
import { migrateToLatest } from '../server/db/migrate.js';
import { syncContent } from '../server/modules/content/service.js';
import { buildEngine } from '../server/modules/engine/engine.js';
import { loadKnowledge } from '../server/modules/engine/queries.js';
import { answerOptions } from '../server/modules/questionnaires/service.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);
const log = (s: string) => process.stderr.write(`${s}\n`);

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function load(url: string) {
  const result = await autocannon({ url, connections, duration: seconds, pipelining: 1 });
  if (result.non2xx > 0) log(`  note: ${result.non2xx} non-2xx responses from ${url}`);
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99 };
}

async function coldStart(): Promise<{ fresh: number; restart: number }> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'evident-bench-start-'));
  const time = async () => {
    const port = await freePort();
    const started = performance.now();
    const child = spawn(process.execPath, [path.join(projectRoot, 'bin', 'evident.js'), 'serve'], { env: { ...process.env, PORT: String(port), DATA_DIR: dataDir, LOG_LEVEL: 'silent' }, stdio: 'ignore' });
    for (;;) {
      if (await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok).catch(() => false)) break;
      if (performance.now() - started > 120_000) throw new Error('server did not start within 120 s');
      await new Promise((r) => setTimeout(r, 50));
    }
    const ms = performance.now() - started;
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    return ms;
  };
  const fresh = await time();
  const restart = await time();
  rmSync(dataDir, { recursive: true, force: true });
  return { fresh, restart };
}

const config = loadConfig({ ...process.env, NODE_ENV: 'production', SESSION_SECRET: 'bench-secret-bench-secret-bench-secret-0000', LOG_LEVEL: 'silent', DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'evident-bench-')) });
const clock = fixedClock(new Date());
const database = await openDatabase({});
await migrateToLatest(database.db);
await syncContent(database.db, config.contentDir, clock);
const app = await buildApp(config, { db: database.db, databaseKind: database.kind, clock });
const port = await freePort();
await app.listen({ host: '127.0.0.1', port });
const bare = Fastify();
bare.get('/bare', async () => ({ ok: true }));
const barePort = await freePort();
await bare.listen({ host: '127.0.0.1', port: barePort });
const firstService = (await database.db.selectFrom('services').select('id').orderBy('position').executeTakeFirst())?.id ?? '';

log(`load: ${seconds} s per route, ${connections} connections, 127.0.0.1 only`);
const baseline = await load(`http://127.0.0.1:${barePort}/bare`);
const rows: string[] = [];
const line = (label: string, r: { rps: number; p50: number; p99: number }) =>
  `${label.padEnd(42)} ${String(Math.round(r.rps)).padStart(6)} rps  p50 ${String(r.p50).padStart(3)} ms  p99 ${String(r.p99).padStart(4)} ms  ${(r.rps / baseline.rps).toFixed(2)}x`;
rows.push(line('GET /bare (baseline, plain Fastify)', baseline));
for (const route of ['/', '/data-locations', `/responsibility?service=${firstService}`, '/search?q=encryption', '/api/v1/trust']) {
  rows.push(line(`GET ${route}`, await load(`http://127.0.0.1:${port}${route}`)));
  log(rows[rows.length - 1]);
}
const rss = process.memoryUsage().rss;

// The engine on a 1,000-question file, against the bare lunr queries it issues.
const knowledge = await loadKnowledge(database.db);
const engine = buildEngine(knowledge);
const phrasings = knowledge.library.flatMap((a) => [a.question, ...a.phrasings]);
const questions = Array.from({ length: 1000 }, (_, i) => ({ id: `Q${i + 1}`, sheet: 'Bench', row: i + 2, question: phrasings[(i * 7) % phrasings.length] ?? 'Do you encrypt data at rest?' }));
const options = answerOptions(config, clock, 'nda', null);
engine.answerAll(questions.slice(0, 50), options);
let started = performance.now();
engine.answerAll(questions, options);
const engineMs = performance.now() - started;
started = performance.now();
for (const q of questions) engine.retrieve(q.question);
const lunrMs = performance.now() - started;

await app.close();
await bare.close();
await database.close();
const start = await coldStart();

process.stdout.write(`\n${rows.join('\n')}\n\n`);
process.stdout.write(`engine: ${Math.round((questions.length / engineMs) * 1000)} questions/s on a 1,000-question file; ${(engineMs / lunrMs).toFixed(2)}x the time of its bare lunr queries (${Math.round(lunrMs)} ms)\n`);
process.stdout.write(`cold start to /healthz: ${Math.round(start.fresh)} ms on a new data folder, ${Math.round(start.restart)} ms on restart\n`);
process.stdout.write(`resident memory after the load: ${Math.round(rss / 1024 / 1024)} MiB\n`);
rmSync(config.dataDir, { recursive: true, force: true });
