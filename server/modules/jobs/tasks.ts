/**
 * What runs on the worker threads: the CPU-heavy steps, as plain functions from data to data.
 * Each task answers { ok, result } or { ok: false, error }, because an Error crossing threads
 * loses its status code. Nothing here touches the database.
 */
import type { MessagePort } from 'node:worker_threads';
import type { Recipient } from '../access/watermark.js';
import type { Engine } from '../engine/engine.js';
import type { AnswerOptions, EngineKnowledge, EngineOutput } from '../engine/types.js';
import type { ExportItem } from '../questionnaires/export/export.js';
import type { QuestionLimits } from '../questionnaires/import/limits.js';
import type { ImportedQuestionnaire, LayoutOptions } from '../questionnaires/import/layout.js';
import type { SheetPreview } from '../questionnaires/import/parse.js';

// Loaded when a task first needs them: a thread that only parses never pays for the PDF library
// or the engine (about a second of start-up each).
const importer = () => Promise.all([import('../questionnaires/import/parse.js'), import('../questionnaires/import/limits.js')]);
const exporter = () => Promise.all([import('../questionnaires/export/export.js'), import('../questionnaires/import/zip.js')]);

/** What one file may unpack to and ask of the engine. */
export interface FileLimits extends QuestionLimits {
  unpackedBytes: number;
}

export interface ParseTask {
  data: Uint8Array;
  fileName: string;
  layout: LayoutOptions;
  limits: FileLimits;
}

export interface AnswerTask extends ParseTask {
  knowledge: EngineKnowledge;
  /** The knowledge version: a thread keeps the engine it built until the version changes. */
  version: string;
  options: AnswerOptions;
  /** Receives { done, total } while the engine works. */
  progress?: MessagePort;
}

export interface TaskTypes {
  parse: { input: ParseTask; output: ImportedQuestionnaire };
  preview: { input: Omit<ParseTask, 'layout'>; output: SheetPreview[] };
  answer: { input: AnswerTask; output: { imported: ImportedQuestionnaire; output: EngineOutput } };
  exportXlsx: { input: { original: Uint8Array; items: ExportItem[]; unpackedBytes: number }; output: Uint8Array };
  exportCsv: { input: { items: ExportItem[] }; output: string };
  watermark: { input: { original: Uint8Array; recipient: Recipient }; output: Uint8Array };
}

export type TaskName = keyof TaskTypes;

export type TaskReply<T> = { ok: true; result: T } | { ok: false; error: { message: string; statusCode: number; code: string | null } };

async function parse(task: ParseTask): Promise<ImportedQuestionnaire> {
  const [{ parseQuestionnaire }, { applyQuestionLimits }] = await importer();
  const imported = parseQuestionnaire(task.data, task.fileName, task.layout, readLimits(task.limits));
  return applyQuestionLimits(imported, task.limits);
}

/**
 * Reading stops early on a workbook far beyond the question limit (headings, sections and notes
 * leave room: four rows per allowed question, never fewer than the per-sheet limit).
 */
function readLimits(limits: FileLimits) {
  return { maxUnpackedBytes: limits.unpackedBytes, maxRowsTotal: Math.max(20_000, Math.min(Number.MAX_SAFE_INTEGER, limits.questionsPerFile * 4)) };
}

let cached: { version: string; engine: Engine } | null = null;

async function engineFor(task: AnswerTask): Promise<Engine> {
  const { buildEngine } = await import('../engine/engine.js');
  if (cached?.version !== task.version) cached = { version: task.version, engine: buildEngine(task.knowledge) };
  return cached.engine;
}

const tasks: { [K in TaskName]: (input: TaskTypes[K]['input']) => TaskTypes[K]['output'] | Promise<TaskTypes[K]['output']> } = {
  parse,
  async preview(task) {
    const [{ previewWorkbook }] = await importer();
    return previewWorkbook(task.data, task.fileName, 12, readLimits(task.limits));
  },
  async answer(task) {
    const { answerImported } = await import('../questionnaires/service.js');
    const imported = await parse(task);
    const engine = await engineFor(task);
    const total = imported.questions.length;
    // About a hundred progress messages per file, whatever its size.
    const step = Math.max(1, Math.floor(total / 100));
    const output = answerImported(engine, imported, task.options, (done) => {
      if (done % step === 0 || done === total) task.progress?.postMessage({ done, total });
    });
    return { imported, output };
  },
  async exportXlsx(task) {
    const [{ exportXlsx }, { DEFAULT_ZIP_LIMITS }] = await exporter();
    return exportXlsx(task.original, task.items, { ...DEFAULT_ZIP_LIMITS, maxTotalBytes: task.unpackedBytes });
  },
  async exportCsv(task) {
    const [{ exportCsv }] = await exporter();
    return exportCsv(task.items);
  },
  async watermark(task) {
    const { watermarkPdf } = await import('../access/watermark.js');
    return watermarkPdf(task.original, task.recipient);
  },
};

export async function runTask<K extends TaskName>(name: K, input: TaskTypes[K]['input']): Promise<TaskReply<TaskTypes[K]['output']>> {
  try {
    return { ok: true, result: await tasks[name](input) };
  } catch (error) {
    const e = error as { message?: string; statusCode?: number; code?: string };
    return { ok: false, error: { message: e?.message ?? String(error), statusCode: e?.statusCode ?? 500, code: e?.code ?? null } };
  }
}
