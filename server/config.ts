import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_THRESHOLDS } from './modules/engine/thresholds.js';

/**
 * Where the running code's tree starts: the repository when run from the TypeScript sources,
 * dist/ when run compiled (npm start). Code-like folders (migrations) are read from here.
 */
export const codeRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The project root: paths in configuration resolve against it, not the current directory. */
export const projectRoot = path.basename(codeRoot) === 'dist' && existsSync(path.join(codeRoot, '..', 'package.json')) ? path.dirname(codeRoot) : codeRoot;

export type NodeEnv = 'development' | 'production' | 'test';

export interface Config {
  readonly env: NodeEnv;
  readonly host: string;
  readonly port: number;
  readonly databaseUrl: string | null;
  readonly dataDir: string;
  readonly contentDir: string;
  readonly baseUrl: string;
  readonly secureCookies: boolean;
  readonly sessionSecret: string;
  readonly smtpUrl: string | null;
  /** Sender of the portal's e-mail. */
  readonly mailFrom: string;
  /** Where visitors' questions go; null: the security contact in content/provider.yaml. */
  readonly securityTeamEmail: string | null;
  readonly expiringWithinDays: number;
  readonly uploadLimitBytes: number;
  readonly logLevel: string;
  /**
   * Which proxies may name the client in X-Forwarded-For: false (none, the socket's address is the
   * client), a hop count, or the proxies' addresses and CIDR ranges. Fastify's trustProxy.
   */
  readonly trustProxy: false | number | readonly string[];
  /** AES-256 key that encrypts TOTP secrets at rest (32 bytes). */
  readonly totpKey: Buffer;
  /** scrypt's cost for new password hashes and how many are computed at once. */
  readonly passwordHashing: { readonly scryptN: number; readonly concurrency: number };
  /** Sign-in attempts allowed per client address per minute. */
  readonly loginRateLimit: number;
  /** Public form submissions (document requests, questions) allowed per client address per minute. */
  readonly publicFormRateLimit: number;
  /** Test-only: freeze at this named point (see lib/fault.ts). Ignored outside NODE_ENV=test. */
  readonly faultPause: string | null;
  /** Set by tests and evaluations to fix "today" (ISO date or instant). */
  readonly fixedNow: string | null;
  /** HMAC keys of the audit log, newest (the one that signs) first; older ones still verify. */
  readonly auditKeys: readonly AuditKeyConfig[];
  /** Where the server appends audit checkpoints; null writes none. */
  readonly auditCheckpointDir: string | null;
  readonly auditCheckpointMinutes: number;
  /** Heavy work: the worker pool, jobs and what one file or one person may ask of them. */
  readonly limits: Limits;
  /** Review grid bands: confidence at or above `high` reads "high", at or above `check` "check", else "low". */
  readonly confidenceBands: { readonly high: number; readonly check: number };
  /** Staff sign-in with the company's OpenID provider; null: local accounts only. */
  readonly oidc: OidcConfig | null;
}

export interface OidcConfig {
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** The ID-token claim that lists the person's groups. */
  readonly roleClaim: string;
  /** Group → role; a person in several mapped groups gets the highest role, in none no access. */
  readonly roleMap: Readonly<Record<string, 'admin' | 'editor' | 'viewer'>>;
  /** `amr` or `acr` values that show the provider checked a second factor. */
  readonly mfaValues: readonly string[];
}

export interface Limits {
  /** Names this instance on the jobs it runs, so a restart can tell which it left unfinished. */
  readonly instanceId: string;
  /** How long a job's claim holds without renewal: how soon another instance fails a killed instance's job. */
  readonly jobLeaseMs: number;
  /** Threads of the worker pool that parses, answers, exports and watermarks. */
  readonly workerThreads: number;
  /** Heap of each worker thread; a file that needs more is refused, the server carries on. */
  readonly workerMemoryMb: number;
  /** Questionnaires queued or being answered at once on this instance, and per staff user. */
  readonly jobsPerInstance: number;
  readonly jobsPerUser: number;
  /** Questions in one file, counted across all its sheets. */
  readonly questionsPerFile: number;
  /** Characters of one question; longer ones are cut, with a note naming the cell. */
  readonly questionMaxChars: number;
  /** Bytes a workbook may unpack to (the parts that are read, not the ones carried over). */
  readonly unpackedBytes: number;
  /** Questionnaire exports per staff user per minute. */
  readonly exportsPerMinute: number;
  /** Downloads of restricted documents per NDA grant per hour. */
  readonly downloadsPerHour: number;
}

export interface AuditKeyConfig {
  readonly id: string;
  readonly secret: string;
}

function readEmail(env: Record<string, string | undefined>, name: string): string | null {
  const value = env[name]?.trim();
  if (!value) return null;
  if (!/^[^\s@<>()",;:]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/.test(value)) throw new ConfigError(name, `"${value}" is not an email address`);
  return value;
}

export class ConfigError extends Error {
  constructor(readonly variable: string, message: string) {
    super(`${variable}: ${message}`);
  }
}

type Env = Record<string, string | undefined>;

function readPort(env: Env): number {
  const raw = env.PORT ?? '3000';
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError('PORT', `"${raw}" is not a port number (0-65535)`);
  return port;
}

function readUrl(env: Env, name: string, protocols: string[]): string | null {
  const raw = env[name];
  if (raw === undefined || raw === '') return null;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(name, `"${redact(raw)}" is not a URL`);
  }
  if (!protocols.includes(url.protocol)) throw new ConfigError(name, `must start with ${protocols.map((p) => `${p}//`).join(' or ')}`);
  return raw;
}

function redact(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}

function readEnvName(env: Env): NodeEnv {
  const raw = env.NODE_ENV ?? 'development';
  if (raw !== 'development' && raw !== 'production' && raw !== 'test') throw new ConfigError('NODE_ENV', `"${raw}" must be development, production or test`);
  return raw;
}

/** Defaults: the engine's own calibrated thresholds for answering and for asking a person to review. */
function readConfidenceBands(env: Env): { high: number; check: number } {
  const read = (name: string, fallback: number) => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < 0 || n > 1) throw new ConfigError(name, `"${raw}" must be a number from 0 to 1`);
    return n;
  };
  const bands = { high: read('CONFIDENCE_HIGH', DEFAULT_THRESHOLDS.answer), check: read('CONFIDENCE_CHECK', DEFAULT_THRESHOLDS.review) };
  if (bands.check > bands.high) throw new ConfigError('CONFIDENCE_CHECK', `must not be above CONFIDENCE_HIGH (${bands.high})`);
  return Object.freeze(bands);
}

function readPositiveInt(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new ConfigError(name, `"${raw}" must be a positive whole number`);
  return n;
}

/** One address or a CIDR range (IPv4 or IPv6). */
function isAddressOrRange(value: string): boolean {
  const [address, bits, extra] = value.split('/');
  if (extra !== undefined || !address) return false;
  const kind = net.isIP(address);
  if (!kind) return false;
  if (bits === undefined) return true;
  const n = Number(bits);
  return /^\d+$/.test(bits) && n <= (kind === 4 ? 32 : 128);
}

/**
 * TRUST_PROXY: unset (trust no proxy), a hop count, or a comma list of proxy addresses and ranges.
 * "true" is refused: trusting every hop lets any client write its own address.
 */
export function parseTrustProxy(raw: string | undefined): false | number | string[] {
  const value = raw?.trim();
  if (!value || value === 'false' || value === '0') return false;
  if (/^\d+$/.test(value)) return Number(value);
  if (value === 'true') throw new ConfigError('TRUST_PROXY', 'must be a hop count or the proxies\' addresses ("true" would let any client forge its address)');
  const entries = value.split(',').map((part) => part.trim()).filter(Boolean);
  const bad = entries.find((entry) => !isAddressOrRange(entry));
  if (bad !== undefined) throw new ConfigError('TRUST_PROXY', `"${bad}" is not an IP address or CIDR range (give a hop count or a comma list of proxy addresses)`);
  return entries;
}

/** PASSWORD_SCRYPT_N: a power of two from 2^14 to 2^20 (default 2^17, OWASP's recommendation). */
function readScryptN(env: Env): number {
  const raw = env.PASSWORD_SCRYPT_N;
  if (raw === undefined || raw === '') return 2 ** 17;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 2 ** 14 || n > 2 ** 20 || (n & (n - 1)) !== 0) {
    throw new ConfigError('PASSWORD_SCRYPT_N', `"${raw}" must be a power of two from 16384 (2^14) to 1048576 (2^20)`);
  }
  return n;
}

function readLimits(env: Env): Limits {
  const cores = os.availableParallelism();
  return Object.freeze({
    instanceId: env.INSTANCE_ID || os.hostname(),
    workerThreads: readPositiveInt(env, 'WORKER_THREADS', Math.max(2, Math.min(4, cores))),
    workerMemoryMb: readPositiveInt(env, 'WORKER_MEMORY_MB', 512),
    jobsPerInstance: readPositiveInt(env, 'JOBS_PER_INSTANCE', 4),
    jobsPerUser: readPositiveInt(env, 'JOBS_PER_USER', 2),
    questionsPerFile: readPositiveInt(env, 'QUESTIONS_PER_FILE', 5_000),
    questionMaxChars: readPositiveInt(env, 'QUESTION_MAX_CHARS', 4_000),
    unpackedBytes: readPositiveInt(env, 'UNPACKED_LIMIT_BYTES', 100 * 1024 * 1024),
    jobLeaseMs: readPositiveInt(env, 'JOB_LEASE_SECONDS', 60) * 1000,
    exportsPerMinute: readPositiveInt(env, 'EXPORT_RATE_LIMIT', 10),
    downloadsPerHour: readPositiveInt(env, 'DOWNLOAD_RATE_LIMIT', 30),
  });
}

/** In development a generated secret is kept in the data folder, so sessions survive restarts. */
function developmentSecret(dataDir: string): string {
  return generatedSecret(dataDir, 'session-secret', () => randomBytes(32).toString('base64url'));
}

/** A file in the data folder holding a secret generated on first use (development only). */
function generatedSecret(dataDir: string, name: string, make: () => string): string {
  const file = path.join(dataDir, name);
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = make();
  writeFileSync(file, secret + '\n', { mode: 0o600 });
  return secret;
}

const AUDIT_KEY_ID = /^[A-Za-z0-9_.-]{1,40}$/;

/**
 * AUDIT_KEY: one or more keys separated by commas, each "id:secret" (or a bare secret, whose id is
 * derived from it). The first signs new entries; the others only verify, so a key can rotate.
 */
export function parseAuditKeys(raw: string): AuditKeyConfig[] {
  const keys = raw
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part): AuditKeyConfig => {
      const colon = part.indexOf(':');
      const named = colon > 0 && AUDIT_KEY_ID.test(part.slice(0, colon));
      const secret = named ? part.slice(colon + 1) : part;
      const id = named ? part.slice(0, colon) : `k-${createHash('sha256').update(`evident-audit-key-id:${secret}`).digest('hex').slice(0, 10)}`;
      if (secret.length < 32) throw new ConfigError('AUDIT_KEY', `the key "${id}" must be at least 32 characters long`);
      if (id === 'legacy') throw new ConfigError('AUDIT_KEY', 'the key id "legacy" is reserved for entries written before keys');
      return { id, secret };
    });
  if (!keys.length) throw new ConfigError('AUDIT_KEY', 'names no key');
  const ids = keys.map((k) => k.id);
  const twice = ids.find((id, i) => ids.indexOf(id) !== i);
  if (twice) throw new ConfigError('AUDIT_KEY', `the key id "${twice}" appears twice`);
  return keys;
}

function readAuditKeys(env: Env, nodeEnv: NodeEnv, dataDir: string): AuditKeyConfig[] {
  const raw = env.AUDIT_KEY;
  if (raw) return parseAuditKeys(raw);
  if (nodeEnv === 'production') throw new ConfigError('AUDIT_KEY', 'is required in production ("id:secret", 32 or more random characters; the same on every instance)');
  if (nodeEnv === 'test') return [{ id: 'test', secret: 'test-audit-key-test-audit-key-test-00' }];
  const stored = generatedSecret(dataDir, 'audit-key', () => `dev-${randomBytes(3).toString('hex')}:${randomBytes(32).toString('base64url')}`);
  return parseAuditKeys(stored);
}

/** TOTP_KEY: 32 random bytes as 64 hex characters or base64(url). */
export function parseTotpKey(raw: string): Buffer {
  const value = raw.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(value) ? Buffer.from(value, 'hex') : Buffer.from(value, 'base64');
  if (key.length !== 32) throw new ConfigError('TOTP_KEY', 'must be 32 random bytes, as 64 hex characters or base64 (e.g. `openssl rand -base64 32`)');
  return key;
}

function readTotpKey(env: Env, nodeEnv: NodeEnv, dataDir: string): Buffer {
  const raw = env.TOTP_KEY;
  if (raw) return parseTotpKey(raw);
  if (nodeEnv === 'production') throw new ConfigError('TOTP_KEY', 'is required in production (32 random bytes, hex or base64; the same on every instance)');
  if (nodeEnv === 'test') return Buffer.alloc(32, 7);
  return parseTotpKey(generatedSecret(dataDir, 'totp-key', () => randomBytes(32).toString('base64url')));
}

function readSessionSecret(env: Env, nodeEnv: NodeEnv, dataDir: string): string {
  const raw = env.SESSION_SECRET;
  if (raw) {
    if (raw.length < 32) throw new ConfigError('SESSION_SECRET', 'must be at least 32 characters long');
    return raw;
  }
  if (nodeEnv === 'production') throw new ConfigError('SESSION_SECRET', 'is required in production (32 or more random characters)');
  if (nodeEnv === 'test') return 'test-secret-test-secret-test-secret-00';
  return developmentSecret(dataDir);
}

/** The only reader of process.env: parses once, validates, freezes. */
export function loadConfig(env: Env = process.env): Config {
  const nodeEnv = readEnvName(env);
  const host = env.HOST || '127.0.0.1';
  const port = readPort(env);
  const databaseUrl = readUrl(env, 'DATABASE_URL', ['postgres:', 'postgresql:']);
  const dataDir = path.resolve(projectRoot, env.DATA_DIR || '.data');
  const contentDir = path.resolve(projectRoot, env.CONTENT_DIR || 'content');
  if (!existsSync(contentDir)) throw new ConfigError('CONTENT_DIR', `folder ${contentDir} does not exist`);
  const baseUrl = (readUrl(env, 'BASE_URL', ['http:', 'https:']) ?? `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`).replace(/\/+$/, '');
  const smtpUrl = readUrl(env, 'SMTP_URL', ['smtp:', 'smtps:']);
  const fixedNow = env.EVIDENT_NOW || null;
  if (fixedNow && Number.isNaN(Date.parse(fixedNow))) throw new ConfigError('EVIDENT_NOW', `"${fixedNow}" is not a date`);
  return Object.freeze({
    env: nodeEnv,
    host,
    port,
    databaseUrl,
    dataDir,
    contentDir,
    baseUrl,
    secureCookies: baseUrl.startsWith('https:'),
    sessionSecret: readSessionSecret(env, nodeEnv, dataDir),
    smtpUrl,
    // Unset: the provider's own name is the sender (see mail/plugin.ts), never the product's.
    mailFrom: env.MAIL_FROM || '',
    securityTeamEmail: readEmail(env, 'SECURITY_TEAM_EMAIL'),
    expiringWithinDays: readPositiveInt(env, 'EXPIRING_WITHIN_DAYS', 30),
    uploadLimitBytes: readPositiveInt(env, 'UPLOAD_LIMIT_BYTES', 10 * 1024 * 1024),
    logLevel: env.LOG_LEVEL || (nodeEnv === 'test' ? 'silent' : 'info'),
    trustProxy: Object.freeze(parseTrustProxy(env.TRUST_PROXY)),
    passwordHashing: Object.freeze({ scryptN: readScryptN(env), concurrency: readPositiveInt(env, 'PASSWORD_HASH_CONCURRENCY', 2) }),
    loginRateLimit: readPositiveInt(env, 'LOGIN_RATE_LIMIT', 10),
    publicFormRateLimit: readPositiveInt(env, 'PUBLIC_FORM_RATE_LIMIT', 10),
    fixedNow,
    auditKeys: Object.freeze(readAuditKeys(env, nodeEnv, dataDir).map((k) => Object.freeze(k))),
    totpKey: readTotpKey(env, nodeEnv, dataDir),
    // On the embedded database the data folder is the natural place; with a server, the operator says where.
    auditCheckpointDir: env.AUDIT_CHECKPOINT_DIR ? path.resolve(projectRoot, env.AUDIT_CHECKPOINT_DIR) : databaseUrl || nodeEnv === 'test' ? null : dataDir,
    auditCheckpointMinutes: readPositiveInt(env, 'AUDIT_CHECKPOINT_MINUTES', 60),
    faultPause: nodeEnv === 'test' ? env.EVIDENT_FAULT_PAUSE || null : null,
    limits: readLimits(env),
    confidenceBands: readConfidenceBands(env),
    oidc: readOidc(env),
  });
}

function readOidc(env: Env): OidcConfig | null {
  const issuer = readUrl(env, 'OIDC_ISSUER', ['https:', 'http:']);
  if (!issuer) return null;
  const clientId = env.OIDC_CLIENT_ID;
  if (!clientId) throw new ConfigError('OIDC_CLIENT_ID', 'is required when OIDC_ISSUER is set');
  const clientSecret = env.OIDC_CLIENT_SECRET;
  if (!clientSecret) throw new ConfigError('OIDC_CLIENT_SECRET', 'is required when OIDC_ISSUER is set (the same on every instance)');
  // Plain http only for a provider on this machine (development, tests).
  const host = new URL(issuer).hostname;
  if (issuer.startsWith('http:') && host !== '127.0.0.1' && host !== 'localhost') throw new ConfigError('OIDC_ISSUER', 'must use https:// (http:// only for 127.0.0.1 or localhost)');
  const roleMap: Record<string, 'admin' | 'editor' | 'viewer'> = {};
  for (const pair of (env.OIDC_ROLE_MAP ?? '').split(',').map((p) => p.trim()).filter(Boolean)) {
    const eq = pair.lastIndexOf('=');
    const group = pair.slice(0, eq).trim();
    const role = pair.slice(eq + 1).trim();
    if (eq <= 0 || !group || (role !== 'admin' && role !== 'editor' && role !== 'viewer')) {
      throw new ConfigError('OIDC_ROLE_MAP', `"${pair}" must be group=admin, group=editor or group=viewer`);
    }
    roleMap[group] = role;
  }
  if (!Object.keys(roleMap).length) throw new ConfigError('OIDC_ROLE_MAP', 'is required when OIDC_ISSUER is set (for example "evident-admins=admin,evident-editors=editor")');
  const mfaValues = (env.OIDC_MFA_VALUES ?? 'mfa').split(',').map((v) => v.trim()).filter(Boolean);
  return Object.freeze({ issuer, clientId, clientSecret, roleClaim: env.OIDC_ROLE_CLAIM || 'groups', roleMap: Object.freeze(roleMap), mfaValues: Object.freeze(mfaValues) });
}
