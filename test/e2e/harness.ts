/// <reference lib="dom" />
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { projectRoot } from '../../server/config.js';

export const screenshotsDir = path.join(projectRoot, 'test', 'e2e', 'screenshots');

export interface Harness {
  baseUrl: string;
  dataDir: string;
  admin: { email: string; password: string };
  context: BrowserContext;
  page: Page;
  outbox(): string[];
  /** The first mail matching, waiting for it: mail goes out after the response that caused it. */
  waitForMail(matches: (mail: string) => boolean, timeoutMs?: number): Promise<string | undefined>;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Starts the real server on the embedded database with the demo content, and a headless Chromium. */
export async function startHarness(): Promise<Harness> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'evident-e2e-'));
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'development', PORT: String(port), DATA_DIR: dataDir, LOG_LEVEL: 'warn', BASE_URL: baseUrl };
  delete env.DATABASE_URL;
  for (const name of ['MODE', 'DEV', 'PROD', 'SSR', 'VITEST']) delete env[name];
  const server: ChildProcess = spawn(process.execPath, [path.join(projectRoot, 'bin', 'evident.js'), 'serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  server.stderr!.on('data', (d) => (stderr += d));
  server.stdout!.on('data', () => {});
  const deadline = Date.now() + 90_000;
  for (;;) {
    const match = /Demo admin created \(shown once\): (\S+) \/ (\S+)/.exec(stderr);
    if (match) {
      const ok = await fetch(`${baseUrl}/healthz`).then((r) => r.ok).catch(() => false);
      if (ok) {
        const admin = { email: match[1], password: match[2] };
        const context = await chromium.launchPersistentContext(mkdtempSync(path.join(os.tmpdir(), 'evident-chrome-')), {
          executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
          args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic'],
          bypassCSP: false,
          acceptDownloads: true,
          viewport: { width: 1280, height: 900 },
        });
        const page = context.pages()[0] ?? (await context.newPage());
        mkdirSync(screenshotsDir, { recursive: true });
        const outbox = (): string[] => {
          const dir = path.join(dataDir, 'outbox');
          try {
            return readdirSync(dir).sort().map((f) => readFileSync(path.join(dir, f), 'utf8').replace(/=\r?\n/g, ''));
          } catch {
            return [];
          }
        };
        return {
          baseUrl,
          dataDir,
          admin,
          context,
          page,
          outbox,
          async waitForMail(matches, timeoutMs = 10_000) {
            const until = Date.now() + timeoutMs;
            for (;;) {
              const mail = outbox().find(matches);
              if (mail || Date.now() > until) return mail;
              await new Promise((r) => setTimeout(r, 100));
            }
          },
          async stop() {
            await context.close();
            server.kill('SIGTERM');
            await new Promise((r) => server.once('exit', r));
            rmSync(dataDir, { recursive: true, force: true });
          },
        };
      }
    }
    if (server.exitCode !== null || Date.now() > deadline) throw new Error(`server did not start:\n${stderr}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

const axeSource = readFileSync(path.join(projectRoot, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');

/** Runs axe-core in the page (through the debugging protocol, so the page's strict CSP stays on). */
export async function axeViolations(page: Page): Promise<{ id: string; impact: string | null; help: string; nodes: string[] }[]> {
  await page.evaluate(axeSource);
  return page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run: (ctx: unknown, opts: unknown) => Promise<{ violations: { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }[] }> } }).axe;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ')) }));
  });
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.screenshot({ path: path.join(screenshotsDir, `${name}-desktop.png`), fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: path.join(screenshotsDir, `${name}-phone.png`), fullPage: true });
  await page.setViewportSize({ width: 1280, height: 900 });
}
