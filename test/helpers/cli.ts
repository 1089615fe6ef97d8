import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { projectRoot } from '../../server/config.js';

export const evidentBin = path.join(projectRoot, 'bin', 'evident.js');

/** The child's environment: ours minus what vitest itself sets (it exports BASE_URL=/). */
export function cliEnv(extra: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'silent', PASSWORD_SCRYPT_N: '16384' };
  for (const name of ['BASE_URL', 'MODE', 'DEV', 'PROD', 'SSR', 'VITEST', 'TEST']) delete env[name];
  for (const [name, value] of Object.entries(extra)) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return env;
}

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real `evident` command in a child process, as an operator would. */
export function runCli(args: string[], env: Record<string, string | undefined> = {}, input?: string): CliResult {
  const result = spawnSync(process.execPath, [evidentBin, ...args], {
    cwd: path.join(projectRoot, 'test'),
    env: cliEnv(env),
    input,
    encoding: 'utf8',
    // A guard against a hang, not a speed limit: a spawn through tsx is slow on a busy machine.
    timeout: 180_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Same, without blocking the event loop (for tests that serve HTTP meanwhile). */
export function runCliAsync(args: string[], env: Record<string, string | undefined> = {}, input?: string): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [evidentBin, ...args], {
      cwd: path.join(projectRoot, 'test'),
      env: cliEnv(env),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
    if (input !== undefined) child.stdin.end(input);
    else child.stdin.end();
  });
}

export interface RunningServer {
  child: ChildProcess;
  baseUrl: string;
  /** Sends SIGTERM and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Starts `evident serve` on a port the server binds itself (PORT=0), and resolves once it says
 * which: no port is found free first and then raced for.
 */
export function startServer(env: Record<string, string | undefined>, timeoutMs = 120_000): Promise<RunningServer> {
  const child = spawn(process.execPath, [evidentBin, 'serve'], { cwd: path.join(projectRoot, 'test'), env: cliEnv({ ...env, PORT: '0' }), stdio: ['ignore', 'ignore', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let stderr = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the server did not start within ${timeoutMs} ms: ${stderr}`));
    }, timeoutMs);
    child.stderr!.on('data', (d) => {
      stderr += d;
      const port = /Evident is listening on port (\d+)/.exec(stderr)?.[1];
      if (!port) return;
      clearTimeout(timer);
      resolve({
        child,
        baseUrl: `http://127.0.0.1:${port}`,
        stop: (signal = 'SIGTERM') => {
          child.kill(signal);
          return exited;
        },
      });
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited (${code}) before listening: ${stderr}`));
    });
  });
}
