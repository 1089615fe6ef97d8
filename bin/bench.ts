/**
 * npm run bench — load and speed figures, each as a ratio to a baseline measured in the same
 * run (these machines are noisy): routes under autocannon against a bare Fastify route in the
 * same process, the questionnaire engine against the bare lunr queries it issues, cold start.
 * Only 127.0.0.1 is ever loaded; every phase is bounded in time.
 */
import autocannon from 'autocannon';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { buildApp } from '../server/app.js';
import { fixedClock } from '../server/clock.js';
import { loadConfig, projectRoot } from '../server/config.js';
import { openDatabase } from '../server/db/connect.js';
import { keyedDatabase } from '../server/modules/audit/keys.js';
import { migrateToLatest } from '../server/db/migrate.js';
import { syncContent } from '../server/modules/content/service.js';
import { buildEngine } from '../server/modules/engine/engine.js';
import { loadKnowledge } from '../server/modules/engine/queries.js';
import { answerOptions } from '../server/modules/questionnaires/service.js';
import { createUser } from '../server/modules/staff/service.js';
import { createToken } from '../server/modules/staff/tokens.js';
import { buildLargestQuestionnaire } from '../test/helpers/workbooks.js';

// BENCH_ONLY=proxy: only the trust page through nginx with one and two instances (bench-proxy.ts).
if (process.env.BENCH_ONLY === 'proxy') {
  await import('./bench-proxy.js');
  process.exit(0);
}
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
/**
 * BENCH_ONLY=heavy measures only the pages under heavy work (the slow phases are skipped);
 * BENCH_ONLY=trust only the public routes against bare Fastify serving their bytes, and memory.
 * BENCH_ROUTES=/faq,/api narrows the route table to routes containing one of the strings.
 */
const heavyOnly = process.env.BENCH_ONLY === 'heavy';
const trustOnly = process.env.BENCH_ONLY === 'trust';
/** BENCH_ONLY=start: only the start-up figures (cold start to /healthz, `evident --help`). */
const startOnly = process.env.BENCH_ONLY === 'start';
const routeFilter = (process.env.BENCH_ROUTES ?? '').split(',').filter(Boolean);
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

async function load(url: string, duration = seconds) {
  const result = await autocannon({ url, connections, duration, pipelining: 1 });
  if (result.non2xx > 0) log(`  note: ${result.non2xx} non-2xx responses from ${url}`);
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99 };
}

type Load = Awaited<ReturnType<typeof load>>;

/**
 * A route and its yardstick in turns (yardstick, route, yardstick, route, …), each for a share of
 * the time: a burst of load from elsewhere on the machine then weighs on both, not on one.
 */
async function alternating(yardstick: string, route: string, rounds = Number(process.env.BENCH_ROUNDS ?? 3)): Promise<[Load, Load]> {
  const share = Math.max(1, Math.round(seconds / rounds));
  const a: Load[] = [];
  const b: Load[] = [];
  for (let r = 0; r < rounds; r++) {
    a.push(await load(yardstick, share));
    b.push(await load(route, share));
  }
  const mean = (xs: Load[]): Load => ({ rps: xs.reduce((t, x) => t + x.rps, 0) / xs.length, p50: Math.max(...xs.map((x) => x.p50)), p99: Math.max(...xs.map((x) => x.p99)) });
  return [mean(a), mean(b)];
}

/** `evident --help`, the quickest thing the command does: the cost of starting it at all (best of three). */
function helpTime(): number {
  let best = Infinity;
  for (let i = 0; i < 3; i++) {
    const started = performance.now();
    spawnSync(process.execPath, [path.join(projectRoot, 'bin', 'evident.js'), '--help'], { stdio: 'ignore' });
    best = Math.min(best, performance.now() - started);
  }
  return best;
}

/**
 * The portal as an operator runs it (`evident serve`, production mode, the embedded database in
 * a data folder of its own), in a process of its own: its memory is read from outside, and the
 * load generator does not share its event loop.
 */
async function startServer(dataDir: string): Promise<{ port: number; pid: number; stop(): Promise<void> }> {
  const port = await freePort();
  const env = { ...process.env, NODE_ENV: 'production', SESSION_SECRET: 'bench-secret-bench-secret-bench-secret-0000', AUDIT_KEY: 'bench:bench-audit-key-bench-audit-key-bench-0000', TOTP_KEY: 'be'.repeat(32), LOG_LEVEL: 'silent', DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1' };
  const child = spawn(process.execPath, [path.join(projectRoot, 'bin', 'evident.js'), 'serve'], { env, stdio: 'ignore' });
  const started = performance.now();
  while (!(await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok).catch(() => false))) {
    if (child.exitCode !== null) throw new Error(`evident serve exited with ${child.exitCode}`);
    if (performance.now() - started > 180_000) throw new Error('evident serve did not start within 180 s');
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    port,
    pid: child.pid!,
    async stop() {
      child.kill('SIGTERM');
      if (child.exitCode === null) await new Promise((r) => child.once('exit', r));
    },
  };
}

async function coldStart(): Promise<{ fresh: number; restart: number }> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'evident-bench-start-'));
  const time = async () => {
    const started = performance.now();
    const server = await startServer(dataDir);
    const ms = performance.now() - started;
    await server.stop();
    return ms;
  };
  const fresh = await time();
  const restart = await time();
  rmSync(dataDir, { recursive: true, force: true });
  return { fresh, restart };
}

if (startOnly) {
  const start = await coldStart();
  process.stdout.write(`cold start to /healthz: ${Math.round(start.fresh)} ms on a new data folder, ${Math.round(start.restart)} ms on restart\n`);
  process.stdout.write(`evident --help: ${Math.round(helpTime())} ms (node -e '' alone: ${Math.round(nodeAlone())} ms)\n`);
  process.exit(0);
}

/** A bare Node start on this machine, the floor under both figures above. */
function nodeAlone(): number {
  const started = performance.now();
  spawnSync(process.execPath, ['-e', ''], { stdio: 'ignore' });
  return performance.now() - started;
}

const config = loadConfig({ ...process.env, NODE_ENV: 'production', SESSION_SECRET: 'bench-secret-bench-secret-bench-secret-0000', AUDIT_KEY: 'bench:bench-audit-key-bench-audit-key-bench-0000', TOTP_KEY: 'be'.repeat(32), LOG_LEVEL: 'silent', DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'evident-bench-')) });
const clock = fixedClock(new Date());
// Audit entries are signed: the handle carries the configured keys, as the server's does.
const database = keyedDatabase(await openDatabase({}), config.auditKeys);
await migrateToLatest(database.db);
await syncContent(database.db, config.contentDir, clock);
const app = await buildApp(config, { db: database.db, databaseKind: database.kind, clock });
const port = await freePort();
await app.listen({ host: '127.0.0.1', port });
const firstService = (await database.db.selectFrom('services').select('id').orderBy('position').executeTakeFirst())?.id ?? '';
const firstControl = (await database.db.selectFrom('controls').select('id').orderBy('id').executeTakeFirst())?.id ?? '';

/** The public routes the trust page serves from memory (not /ask, which is rate-limited). */
const trustRoutes = [
  '/', '/certifications', '/data-locations', '/subprocessors', `/responsibility?service=${firstService}`, `/controls/${encodeURIComponent(firstControl)}`,
  '/documents', '/faq', '/changes', '/search?q=encryption', '/api/v1/trust', '/api/v1/controls',
].filter((route) => !routeFilter.length || routeFilter.some((f) => (f === '/' ? route === '/' : route.includes(f))));


/** Resident memory of another process, as the kernel counts it (Linux). */
function residentMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
}

const bareSource = `
import Fastify from 'fastify';
import { readFileSync } from 'node:fs';
const routes = JSON.parse(readFileSync(process.argv[1], 'utf8'));
const app = Fastify();
app.get('/bare', async () => ({ ok: true }));
routes.forEach((r, i) => { const body = Buffer.from(r.body, 'base64'); app.get('/bare/' + i, (_q, reply) => reply.header('content-type', r.type).send(body)); });
await app.listen({ host: '127.0.0.1', port: Number(process.argv[2]) });
process.stdout.write('ready\\n');
`;

/**
 * Each route's yardstick: a bare Fastify route serving the same bytes with the same type,
 * uncompressed (autocannon asks for no encoding, so neither side compresses), in a process of
 * its own like the server.
 */
async function startBare(bodies: { type: string; body: string }[]): Promise<{ port: number; stop(): void }> {
  const file = path.join(config.dataDir, 'bare-routes.json');
  writeFileSync(file, JSON.stringify(bodies));
  const port = await freePort();
  const child = spawn(process.execPath, ['--input-type=module', '-e', bareSource, file, String(port)], { cwd: projectRoot, stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d) => String(d).includes('ready') && resolve());
    child.once('exit', (code) => reject(new Error(`bare server exited with ${code}`)));
  });
  return { port, stop: () => void child.kill() };
}

// Measured as it runs day to day: started once on a new data folder (which syncs the content
// into it), stopped, and started again.
const serverDir = mkdtempSync(path.join(os.tmpdir(), 'evident-bench-server-'));
let firstStartRss = 0;
if (!heavyOnly) {
  const first = await startServer(serverDir);
  firstStartRss = residentMiB(first.pid);
  await first.stop();
}
const server = heavyOnly ? null : await startServer(serverDir);
const sizes = new Map<string, number>();
const bodies: { type: string; body: string }[] = [];
for (const route of heavyOnly ? [] : trustRoutes) {
  const res = await fetch(`http://127.0.0.1:${server!.port}${route}`, { headers: { 'accept-encoding': 'identity' } });
  if (res.status !== 200) throw new Error(`${route} answered ${res.status}`);
  const body = Buffer.from(await res.arrayBuffer());
  sizes.set(route, body.length);
  bodies.push({ type: res.headers.get('content-type') ?? 'text/plain', body: body.toString('base64') });
}
const bare = await startBare(bodies);

log(`load: ${seconds} s per route and ${seconds} s for its bare twin, ${connections} connections, 127.0.0.1 only`);
const baseline = await load(`http://127.0.0.1:${bare.port}/bare`);
const rows: string[] = [];
const line = (label: string, r: { rps: number; p50: number; p99: number }, against = baseline) =>
  `${label.padEnd(42)} ${String(Math.round(r.rps)).padStart(6)} rps  p50 ${String(r.p50).padStart(3)} ms  p99 ${String(r.p99).padStart(4)} ms  ${(r.rps / against.rps).toFixed(2)}x`;
rows.push(line('GET /bare (baseline, plain Fastify)', baseline));
for (const [i, route] of (heavyOnly ? [] : trustRoutes).entries()) {
  const [twin, measured] = await alternating(`http://127.0.0.1:${bare.port}/bare/${i}`, `http://127.0.0.1:${server!.port}${route}`);
  rows.push(`${line(`GET ${route}`, measured, twin)}  (bare ${Math.round(twin.rps)} rps, ${Math.round(sizes.get(route)! / 1024)} KiB)`);
  log(rows[rows.length - 1]!);
}
const rss = server ? residentMiB(server.pid) : 0;
bare.stop();
await server?.stop();
rmSync(serverDir, { recursive: true, force: true });
const memoryLine = heavyOnly ? "" : `resident memory of the server (evident serve, embedded database, read from /proc): ${rss} MiB after the load; ${firstStartRss} MiB idle after its first start on a new data folder\n`;

/**
 * Under the heaviest work one file may ask for: the largest allowed questionnaire answered and
 * then exported, over and over, while /healthz and a public page are loaded (10 connections each,
 * to measure how long a visitor waits rather than how many requests fit).
 */
async function underHeavyWork() {
  const actor = { actor: 'bench', actorKind: 'system' as const };
  const email = 'bench-editor@provider.example';
  await createUser(database.db, clock, { email, role: 'editor', password: 'bench password bench password' }, actor);
  const { token } = await createToken(database.db, clock, email, 'bench', actor);
  const auth = { authorization: `Bearer ${token}` };
  const base = `http://127.0.0.1:${port}`;
  const file = buildLargestQuestionnaire(config.limits.questionsPerFile);
  let stop = false;
  const cycles = { answered: 0, exported: 0 };
  let begin!: () => void;
  const started = new Promise<void>((resolve) => (begin = resolve));
  const work = (async () => {
    await started;
    while (!stop) {
      const form = new FormData();
      form.append('file', new Blob([new Uint8Array(file)]), 'largest.xlsx');
      const upload = (await (await fetch(`${base}/api/v1/questionnaires`, { method: 'POST', headers: auth, body: form })).json()) as { id: string; jobId: string };
      for (;;) {
        const job = (await (await fetch(`${base}/api/v1/jobs/${upload.jobId}`, { headers: auth })).json()) as { state: string; error?: string };
        if (job.state === 'failed') throw new Error(`answering failed: ${job.error}`);
        if (job.state === 'succeeded') break;
        await new Promise((r) => setTimeout(r, 250));
      }
      cycles.answered++;
      if (stop) break;
      const exported = await fetch(`${base}/api/v1/questionnaires/${upload.id}/export?format=xlsx`, { headers: auth });
      await exported.arrayBuffer();
      if (exported.ok) cycles.exported++;
    }
  })();
  const duration = Number(process.env.BENCH_HEAVY_SECONDS ?? Math.max(20, seconds));
  const measure = (route: string, time = duration) => autocannon({ url: `${base}${route}`, connections: 10, duration: time, pipelining: 1 });
  // The same two loads on an idle server first, as this run's own yardstick.
  const [idleHealth, idlePage] = await Promise.all([measure('/healthz', seconds), measure('/', seconds)]);
  begin();
  const [health, page] = await Promise.all([measure('/healthz'), measure('/')]);
  stop = true;
  await work;
  const summary = (r: autocannon.Result) => ({ rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.non2xx + r.errors });
  return { questions: config.limits.questionsPerFile, duration, cycles, health: summary(health), page: summary(page), idleHealth: summary(idleHealth), idlePage: summary(idlePage) };
}
if (trustOnly) {
  await app.close();
  await database.close();
  process.stdout.write(`\n${rows.join('\n')}\n\n${memoryLine}`);
  rmSync(config.dataDir, { recursive: true, force: true });
  process.exit(0);
}
log(`under heavy work: the largest allowed questionnaire answered and exported in a loop`);
const heavy = await underHeavyWork();
const heavyLine = (label: string, r: { rps: number; p50: number; p99: number; errors: number }) =>
  `${label.padEnd(42)} ${String(Math.round(r.rps)).padStart(6)} rps  p50 ${String(r.p50).padStart(3)} ms  p99 ${String(r.p99).padStart(4)} ms  ${r.errors} errors`;

// The engine on a 1,000-question file, against the bare lunr queries it issues.
const knowledge = await loadKnowledge(database.db);
const engine = buildEngine(knowledge);
const phrasings = knowledge.library.flatMap((a) => [a.question, ...a.phrasings]);
const questions = Array.from({ length: 1000 }, (_, i) => ({ id: `Q${i + 1}`, sheet: 'Bench', row: i + 2, question: phrasings[(i * 7) % phrasings.length] ?? 'Do you encrypt data at rest?' }));
const options = answerOptions(config, clock, 'nda', null);
engine.answerAll(questions.slice(0, 50), options);
let started = performance.now();
engine.answerAll(heavyOnly ? [] : questions, options);
const engineMs = performance.now() - started;
started = performance.now();
for (const q of heavyOnly ? [] : questions) engine.retrieve(q.question);
const lunrMs = performance.now() - started;

await app.close();
await database.close();
const start = heavyOnly ? { fresh: 0, restart: 0 } : await coldStart();

process.stdout.write(`\n${rows.join('\n')}\n\n`);
process.stdout.write(
  `while a ${heavy.questions.toLocaleString('en')}-question questionnaire is answered and exported in a loop (${heavy.duration} s, 10 connections each; ${heavy.cycles.answered} answered, ${heavy.cycles.exported} exported):\n`,
);
process.stdout.write(`${heavyLine('GET /healthz', heavy.health)}\n${heavyLine('GET /', heavy.page)}\n`);
process.stdout.write(`the same, idle: ${heavyLine('GET /healthz', heavy.idleHealth).trim()}; GET / p99 ${heavy.idlePage.p99} ms\n\n`);
if (!heavyOnly) process.stdout.write(`engine: ${Math.round((questions.length / engineMs) * 1000)} questions/s on a 1,000-question file; ${(engineMs / lunrMs).toFixed(2)}x the time of its bare lunr queries (${Math.round(lunrMs)} ms)\n`);
if (!heavyOnly) process.stdout.write(`cold start to /healthz: ${Math.round(start.fresh)} ms on a new data folder, ${Math.round(start.restart)} ms on restart\n`);
if (!heavyOnly) process.stdout.write(`evident --help: ${Math.round(helpTime())} ms\n`);
process.stdout.write(memoryLine);
rmSync(config.dataDir, { recursive: true, force: true });
