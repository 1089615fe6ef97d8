import { Zip, ZipPassThrough } from 'fflate';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { PassThrough, type Readable } from 'node:stream';
import { today } from '../../clock.js';
import type { Config } from '../../config.js';
import type { DbOrTx } from '../../db/database.js';
import { ForbiddenError, NotFoundError } from '../../errors.js';
import { downloadName } from '../../lib/download-name.js';
import { appendAudit } from '../audit/service.js';
import { evidenceFilePath } from '../content/files.js';
import { findContentDocument } from '../content/queries.js';
import type { ProviderProfile } from '../content/types.js';
import { readUploadedEvidence } from '../evidence/files.js';
import type { WorkerPool } from '../jobs/pool.js';
import * as q from './queries.js';
import { hasAcceptedCurrentNda, RateLimitedError, resolveGrant, type AccessContext } from './service.js';

const HOUR_MS = 60 * 60_000;
const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

type DownloadContext = AccessContext & { pool: WorkerPool };
type Granted = Awaited<ReturnType<typeof resolveGrant>>;
type GrantedFile = Awaited<ReturnType<typeof q.findGrantedFiles>>[number];
interface Visitor {
  ip: string | null;
  userAgent: string | null;
}

/**
 * A link may take `DOWNLOAD_RATE_LIMIT` copies per hour, counted from the downloads it made, so
 * one ZIP of five documents uses five of them, as five single downloads would.
 */
async function checkAllowance(ctx: AccessContext, grantId: string, wanted: number): Promise<void> {
  const max = ctx.config.limits.downloadsPerHour;
  const times = await q.listDownloadTimesSince(ctx.db, grantId, new Date(ctx.clock.now().getTime() - HOUR_MS));
  if (times.length + wanted <= max) return;
  // The allowance frees up as the oldest downloads of the hour age out.
  const freeAt = times[Math.min(times.length - 1, Math.max(0, times.length + wanted - max - 1))]!;
  const minutes = Math.max(1, Math.ceil((freeAt.getTime() + HOUR_MS - ctx.clock.now().getTime()) / 60_000));
  const asked = wanted > 1 ? ` (this download holds ${wanted} documents)` : '';
  throw new RateLimitedError(`This link has been used for ${max} downloads in the last hour, the most allowed${asked}. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`);
}

/** The grant behind a link, with its NDA signed, and the chosen documents it covers (all of them when none are named). */
async function grantedFiles(ctx: AccessContext, token: string, ids: string[] | null): Promise<{ granted: Granted; files: GrantedFile[] }> {
  const granted = await resolveGrant(ctx, token);
  const wanted = ids ?? granted.grant.document_ids;
  if (wanted.some((id) => !granted.grant.document_ids.includes(id))) throw new NotFoundError('There is nothing at this address.');
  if (!(await hasAcceptedCurrentNda(ctx, granted.grant.id))) throw new ForbiddenError('Accept the current NDA first.');
  const files = await q.findGrantedFiles(ctx.db, wanted);
  if (ids && files.length !== ids.length) throw new NotFoundError('There is nothing at this address.');
  if (!files.length) throw new NotFoundError('None of the documents of this link can be downloaded any more.');
  return { granted, files };
}

async function readOriginal(db: DbOrTx, config: Config, file: GrantedFile): Promise<Buffer> {
  if (!file.fileName) throw new NotFoundError('This document has no file.');
  if (file.storage === 'upload') return readUploadedEvidence(db, config.dataDir, String(file.sha256));
  return readFile(evidenceFilePath(config.contentDir, file.fileName));
}

/** One copy marked for its recipient (on the worker pool), recorded as a download and on the audit log. */
async function servedCopy(ctx: DownloadContext, { grant, request }: Granted, file: GrantedFile, visitor: Visitor, via: 'single' | 'zip'): Promise<Uint8Array> {
  const original = await readOriginal(ctx.db, ctx.config, file);
  const originalSha = sha256(original);
  const served = await ctx.pool.run('watermark', { original, recipient: { name: request.name, email: request.email, company: request.company, date: today(ctx.clock), grantId: grant.id } }, { timeoutMs: 60_000, label: 'Preparing the document' });
  await ctx.db.transaction().execute(async (tx) => {
    await tx
      .insertInto('document_downloads')
      .values({ grant_id: grant.id, evidence_id: file.id, original_sha256: originalSha, served_sha256: sha256(served), ip: visitor.ip, user_agent: visitor.userAgent?.slice(0, 500) ?? null, downloaded_at: ctx.clock.now() })
      .execute();
    await appendAudit(tx, ctx.clock, { actor: request.email, actorKind: 'public', action: 'access.downloaded', subject: request.id, ip: visitor.ip, details: { grantId: grant.id, document: file.id, originalSha256: originalSha, ...(via === 'zip' ? { via } : {}) } });
  });
  return served;
}

async function providerName(db: DbOrTx): Promise<string> {
  return (await findContentDocument<ProviderProfile>(db, 'provider'))?.name ?? 'Documents';
}

/** `<Provider> – <Title> – <Company>.pdf`: the copy carries the recipient's mark, so its name says whose it is. */
function copyName(provider: string, title: string, company: string): string {
  return downloadName([provider, title, company], 'pdf');
}

/** Serves one granted document, watermarked for its recipient, and records the download. */
export async function downloadDocument(ctx: DownloadContext, token: string, evidenceId: string, visitor: Visitor) {
  const { granted, files } = await grantedFiles(ctx, token, [evidenceId]);
  await checkAllowance(ctx, granted.grant.id, 1);
  const body = await servedCopy(ctx, granted, files[0]!, visitor, 'single');
  return { body: Buffer.from(body), fileName: copyName(await providerName(ctx.db), files[0]!.title, granted.request.company) };
}

/**
 * Every document of a grant as one ZIP, streamed: each copy is marked, recorded and added in
 * turn, so memory holds one document at a time. Everything that can refuse the download (link,
 * NDA, allowance) is checked before the first byte, so a refusal keeps its status code.
 */
export async function downloadAll(ctx: DownloadContext, token: string, visitor: Visitor, onError: (error: unknown) => void): Promise<{ stream: Readable; fileName: string }> {
  const { granted, files } = await grantedFiles(ctx, token, null);
  await checkAllowance(ctx, granted.grant.id, files.length);
  const provider = await providerName(ctx.db);
  const out = new PassThrough();
  const zip = new Zip((error, chunk, final) => {
    if (error) return void out.destroy(error);
    if (out.destroyed) return;
    out.write(chunk);
    if (final) out.end();
  });
  void (async () => {
    const used = new Set<string>();
    for (const file of files) {
      // The reader went away: the copies not yet made are neither made nor recorded.
      if (out.destroyed) return zip.terminate();
      const body = await servedCopy(ctx, granted, file, visitor, 'zip');
      const entry = new ZipPassThrough(uniqueName(copyName(provider, file.title, granted.request.company), used));
      entry.mtime = ctx.clock.now();
      zip.add(entry);
      entry.push(body, true);
    }
    zip.end();
  })().catch((error: unknown) => {
    onError(error);
    zip.terminate();
    out.destroy(error instanceof Error ? error : new Error(String(error)));
  });
  return { stream: out, fileName: downloadName([provider, 'Documents', granted.request.company], 'zip') };
}

/** Two documents with one title still get two entries: the second is "… (2).pdf". */
function uniqueName(name: string, used: Set<string>): string {
  let candidate = name;
  for (let n = 2; used.has(candidate.toLowerCase()); n++) candidate = name.replace(/\.pdf$/, ` (${n}).pdf`);
  used.add(candidate.toLowerCase());
  return candidate;
}
