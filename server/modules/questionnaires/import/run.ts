import type { Config } from '../../../config.js';
import { WorkerPool } from '../../jobs/pool.js';
import type { FileLimits } from '../../jobs/tasks.js';
import type { ImportedQuestionnaire, LayoutOptions } from './layout.js';
import type { SheetPreview } from './parse.js';

export interface WorkerLimits {
  timeoutMs: number;
  maxMemoryMb: number;
}

export const DEFAULT_WORKER_LIMITS: WorkerLimits = { timeoutMs: 30_000, maxMemoryMb: 512 };

/** What the configuration allows one file. */
export function fileLimits(config: Config): FileLimits {
  return { unpackedBytes: config.limits.unpackedBytes, questionsPerFile: config.limits.questionsPerFile, questionMaxChars: config.limits.questionMaxChars };
}

const UNLIMITED: FileLimits = { unpackedBytes: 200 * 1024 * 1024, questionsPerFile: Number.MAX_SAFE_INTEGER, questionMaxChars: Number.MAX_SAFE_INTEGER };

/** Parses on a pool thread within the file limits; a file over a limit is refused with the reason. */
export function parseInPool(pool: WorkerPool, data: Uint8Array, fileName: string, layout: LayoutOptions, limits: FileLimits, timeoutMs = DEFAULT_WORKER_LIMITS.timeoutMs): Promise<ImportedQuestionnaire> {
  return pool.run('parse', { data, fileName, layout, limits }, { timeoutMs, label: 'Reading the file' });
}

/** The first rows of each sheet, read under the same limits. */
export function previewInPool(pool: WorkerPool, data: Uint8Array, fileName: string, limits: FileLimits): Promise<SheetPreview[]> {
  return pool.run('preview', { data, fileName, limits }, { timeoutMs: DEFAULT_WORKER_LIMITS.timeoutMs, label: 'Reading the file' });
}

/** One file on a pool of its own (the command line, which has no server pool). */
async function once<T>(limits: WorkerLimits, work: (pool: WorkerPool) => Promise<T>): Promise<T> {
  const pool = new WorkerPool({ threads: 1, memoryMb: limits.maxMemoryMb });
  try {
    return await work(pool);
  } finally {
    await pool.close();
  }
}

export function parseInWorker(data: Uint8Array, fileName: string, options: LayoutOptions = {}, limits: WorkerLimits = DEFAULT_WORKER_LIMITS, fileLimits: FileLimits = UNLIMITED): Promise<ImportedQuestionnaire> {
  return once(limits, (pool) => parseInPool(pool, data, fileName, options, fileLimits, limits.timeoutMs));
}

export function previewInWorker(data: Uint8Array, fileName: string, limits: WorkerLimits = DEFAULT_WORKER_LIMITS): Promise<SheetPreview[]> {
  return once(limits, (pool) => previewInPool(pool, data, fileName, UNLIMITED));
}
