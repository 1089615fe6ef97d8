/**
 * BENCH_ONLY=proxy npm run bench — the public trust page through nginx with one and with two
 * instances on one PostgreSQL database (DATABASE_URL, or the local server). A figure, not a bar:
 * on a two-core machine a second instance shares the cores of the first, so it cannot show
 * scaling; it shows what the proxy and a second process cost or give here.
 */
import autocannon from 'autocannon';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { projectRoot } from '../server/config.js';
import { startServer, type RunningServer } from '../test/helpers/cli.js';
import { startNginx } from '../test/helpers/nginx.js';

const seconds = Math.min(8, Number(process.env.BENCH_SECONDS ?? 5));
const serverUrl = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const database = `evident_bench_${process.pid}`;
const work = mkdtempSync(path.join(os.tmpdir(), 'evident-bench-proxy-'));

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  await client.query(sql).finally(() => client.end());
}

await admin(`create database ${database}`);
const instances: RunningServer[] = [];
try {
  const env = {
    NODE_ENV: 'production',
    DATABASE_URL: serverUrl.replace(/\/[^/]*$/, `/${database}`),
    CONTENT_DIR: path.join(projectRoot, 'content'),
    SESSION_SECRET: 'bench-session-secret-0123456789abcdef012345',
    AUDIT_KEY: 'bench:bench-audit-key-0123456789abcdef012345',
    TOTP_KEY: 'be'.repeat(32),
    TRUST_PROXY: '127.0.0.1',
    LOG_LEVEL: 'warn',
  };
  instances.push(await startServer(env));
  instances.push(await startServer(env));
  const hosts = instances.map((i) => i.baseUrl.replace('http://', ''));
  const lines: string[] = [];
  for (const upstreams of [hosts.slice(0, 1), hosts]) {
    const proxy = await startNginx(work, upstreams);
    await autocannon({ url: `${proxy.url}/`, connections: 10, duration: 1 });
    const r = await autocannon({ url: `${proxy.url}/`, connections: 50, duration: seconds, pipelining: 1 });
    proxy.stop();
    lines.push(`GET / through nginx, ${upstreams.length} instance${upstreams.length === 1 ? ' ' : 's'}: ${String(Math.round(r.requests.average)).padStart(6)} rps  p50 ${r.latency.p50} ms  p99 ${r.latency.p99} ms  ${r.non2xx + r.errors} errors`);
  }
  process.stdout.write(`\n${lines.join('\n')}\n(${seconds} s each, 50 connections, ${os.availableParallelism()} cores shared by nginx, both instances and PostgreSQL)\n`);
} finally {
  await Promise.all(instances.map((i) => i.stop('SIGTERM')));
  await admin(`drop database if exists ${database} with (force)`);
  rmSync(work, { recursive: true, force: true });
}
