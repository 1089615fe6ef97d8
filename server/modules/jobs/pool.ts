import { MessageChannel } from 'node:worker_threads';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Piscina } from 'piscina';
import { codeRoot } from '../../config.js';
import { AppError } from '../../errors.js';
import { ImportError } from '../questionnaires/import/errors.js';
import type { TaskName, TaskReply, TaskTypes } from './tasks.js';

export interface PoolOptions {
  threads: number;
  memoryMb: number;
  /** Tasks waiting for a thread; beyond, the pool is busy and says so (429). */
  maxQueue?: number;
}

export interface RunOptions {
  /** Stops the task (and its thread) after this long. */
  timeoutMs?: number;
  /** What the task does, for the message when it runs out of time ("Reading the file"). */
  label?: string;
  /** Called on the main thread as the task reports { done, total }. */
  onProgress?: (done: number, total: number) => void;
  /** Buffers handed over to the thread instead of copied. */
  transfer?: ArrayBuffer[];
}

export class BusyError extends AppError {
  constructor(message: string) {
    super(429, 'busy', message);
  }
}

/**
 * A bounded pool of worker threads for the CPU-heavy steps (parse, answer, export, watermark):
 * the web thread only waits, so pages and /healthz keep answering. Each thread has a heap
 * limit; a task that runs out of memory or time is stopped with its thread, and the pool starts
 * a fresh one.
 */
export class WorkerPool {
  private readonly piscina: Piscina;

  constructor(readonly options: PoolOptions) {
    this.piscina = new Piscina({
      // From the code root, not this file: in the build's bundle this code lives in another file.
      filename: pathToFileURL(path.join(codeRoot, 'server', 'modules', 'jobs', 'worker.mjs')).href,
      minThreads: 0,
      maxThreads: options.threads,
      idleTimeout: 60_000,
      maxQueue: options.maxQueue ?? options.threads * 8,
      resourceLimits: { maxOldGenerationSizeMb: options.memoryMb, maxYoungGenerationSizeMb: Math.min(64, Math.max(16, options.memoryMb / 8)) },
    });
    // A thread that dies between tasks is replaced; there is no one to tell.
    this.piscina.on('error', () => {});
  }

  get threads(): number {
    return this.options.threads;
  }

  /** Threads alive right now (never more than `threads`). */
  get liveThreads(): number {
    return this.piscina.threads.length;
  }

  async run<K extends TaskName>(name: K, input: TaskTypes[K]['input'], options: RunOptions = {}): Promise<TaskTypes[K]['output']> {
    const channel = options.onProgress ? new MessageChannel() : null;
    if (channel) {
      channel.port1.on('message', (m: { done: number; total: number }) => options.onProgress!(m.done, m.total));
      (input as { progress?: unknown }).progress = channel.port2;
    }
    const signal = options.timeoutMs ? AbortSignal.timeout(options.timeoutMs) : undefined;
    let reply: TaskReply<TaskTypes[K]['output']>;
    try {
      reply = await this.piscina.run({ name, input }, { signal, transferList: [...(options.transfer ?? []), ...(channel ? [channel.port2] : [])] as never });
    } catch (error) {
      throw translate(error, options);
    } finally {
      channel?.port1.close();
    }
    if (reply.ok) return reply.result;
    if (reply.error.code === 'unreadable_questionnaire') throw new ImportError(reply.error.message, reply.error.statusCode);
    throw new Error(reply.error.message);
  }

  async close(): Promise<void> {
    await this.piscina.destroy();
  }
}

function translate(error: unknown, options: RunOptions): Error {
  const e = error as { name?: string; code?: string; message?: string };
  if (e?.name === 'AbortError') {
    return new ImportError(`${options.label ?? 'The work'} took longer than ${Math.round((options.timeoutMs ?? 0) / 1000)} s and was stopped.`, 422);
  }
  if (e?.code === 'ERR_WORKER_OUT_OF_MEMORY') return new ImportError('The file needed more memory than allowed and was stopped.', 413);
  if (e?.message === 'Task queue is at limit') return new BusyError('The server is busy with other files. Try again in a minute.');
  return error instanceof Error ? error : new Error(String(error));
}
