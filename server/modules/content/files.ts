import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const mediaTypes: Record<string, string> = {
  '.pdf': 'application/pdf',
  '.csv': 'text/csv',
  '.txt': 'text/plain',
  '.md': 'text/markdown',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.xlsx': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

export function mediaTypeOf(fileName: string): string {
  return mediaTypes[path.extname(fileName).toLowerCase()] ?? 'application/octet-stream';
}

export function sha256Of(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

export interface FileFacts {
  size: number;
  sha256: string;
  mediaType: string;
}

/** Size, hash and media type of an evidence file under content/evidence/files, or null if absent. */
export function evidenceFileFacts(contentDir: string, relative: string): FileFacts | null {
  const absolute = evidenceFilePath(contentDir, relative);
  try {
    if (!statSync(absolute).isFile()) return null;
  } catch {
    return null;
  }
  const data = readFileSync(absolute);
  return { size: data.length, sha256: sha256Of(data), mediaType: mediaTypeOf(relative) };
}

export function evidenceFilePath(contentDir: string, relative: string): string {
  const base = path.join(contentDir, 'evidence', 'files');
  const absolute = path.resolve(base, relative);
  // A register entry must not point outside the evidence folder.
  if (!absolute.startsWith(base + path.sep)) throw new Error(`evidence file path escapes the evidence folder: ${relative}`);
  return absolute;
}
