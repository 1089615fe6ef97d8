import { Worker } from 'node:worker_threads';
import { ImportError } from './errors.js';
import type { ImportedQuestionnaire, LayoutOptions } from './layout.js';
import type { SheetPreview } from './parse.js';

export interface WorkerLimits {
  timeoutMs: number;
  maxMemoryMb: number;
}

export const DEFAULT_WORKER_LIMITS: WorkerLimits = { timeoutMs: 30_000, maxMemoryMb: 512 };

type Reply = { ok: true; result: unknown } | { ok: false; error: { message: string; statusCode: number; expected: boolean } };

/** Parses in a worker with a time and memory limit; a file that exceeds them is refused. */
export function parseInWorker(data: Uint8Array, fileName: string, options: LayoutOptions = {}, limits: WorkerLimits = DEFAULT_WORKER_LIMITS): Promise<ImportedQuestionnaire> {
  return runWorker<ImportedQuestionnaire>({ mode: 'parse', data, fileName, options }, limits);
}

/** The first rows of each sheet, read under the same limits. */
export function previewInWorker(data: Uint8Array, fileName: string, limits: WorkerLimits = DEFAULT_WORKER_LIMITS): Promise<SheetPreview[]> {
  return runWorker<SheetPreview[]>({ mode: 'preview', data, fileName, options: {} }, limits);
}

function runWorker<T>(job: { mode: 'parse' | 'preview'; data: Uint8Array; fileName: string; options: LayoutOptions }, limits: WorkerLimits): Promise<T> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./worker.mjs', import.meta.url), {
      workerData: job,
      resourceLimits: { maxOldGenerationSizeMb: limits.maxMemoryMb, maxYoungGenerationSizeMb: 64 },
    });
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void worker.terminate();
      fn();
    };
    const timer = setTimeout(
      () => finish(() => reject(new ImportError(`Reading the file took longer than ${Math.round(limits.timeoutMs / 1000)} s and was stopped. Is it really a questionnaire?`, 422))),
      limits.timeoutMs,
    );
    worker.once('message', (reply: Reply) =>
      finish(() => {
        if (reply.ok) resolve(reply.result as T);
        else if (reply.error.expected) reject(new ImportError(reply.error.message, reply.error.statusCode));
        else reject(new ImportError(`The file could not be read: ${reply.error.message}`));
      }),
    );
    worker.once('error', (error) =>
      finish(() =>
        reject(
          (error as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY'
            ? new ImportError('Reading the file needed more memory than allowed and was stopped.', 413)
            : new ImportError(`The file could not be read: ${error.message}`),
        ),
      ),
    );
    worker.once('exit', (code) => finish(() => reject(new ImportError(`The file could not be read (reader stopped with code ${code}).`))));
  });
}
