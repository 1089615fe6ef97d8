import type { Kysely } from 'kysely';
import type { Clock } from '../../clock.js';
import type { Config } from '../../config.js';
import type { Database } from '../../db/database.js';
import { faultPoint } from '../../lib/fault.js';
import { currentKnowledgeVersion, loadKnowledge } from '../engine/queries.js';
import type { WorkerPool } from '../jobs/pool.js';
import type { JobHandler } from '../jobs/types.js';
import type { LayoutOptions } from './import/layout.js';
import { fileLimits } from './import/run.js';
import * as q from './queries.js';
import { answerOptions } from './service.js';

/** Answering the largest allowed file takes well under this; past it the thread is stopped. */
const ANSWER_TIMEOUT_MS = 10 * 60_000;

export interface AnswerJobInput {
  questionnaireId: string;
  layout: LayoutOptions;
}

/**
 * The job behind an upload: reads the stored file again on a pool thread, answers it there with
 * the engine built from the current knowledge, and stores the results. The items and the
 * "ready" state commit together, so a crash in between leaves no half questionnaire (start-up
 * marks it failed).
 */
export function answerQuestionnaireJob(deps: { db: Kysely<Database>; clock: Clock; config: Config; pool: WorkerPool }): JobHandler {
  const { db, clock, config, pool } = deps;
  return async (raw, context) => {
    const input = raw as unknown as AnswerJobInput;
    const id = input.questionnaireId;
    try {
      const questionnaire = await q.findQuestionnaire(db, id);
      const original = await q.findOriginal(db, id);
      if (!questionnaire || !original) throw new Error('The questionnaire or its file is gone.');
      context.progress(0, questionnaire.summary.total);
      // The knowledge is read here and sent with its version; the thread rebuilds its engine only when that changes.
      const [knowledge, version] = await Promise.all([loadKnowledge(db), currentKnowledgeVersion(db)]);
      const { imported, output } = await pool.run(
        'answer',
        {
          data: original,
          fileName: questionnaire.file_name,
          layout: input.layout ?? {},
          limits: fileLimits(config),
          knowledge,
          version,
          options: answerOptions(config, clock, questionnaire.audience, questionnaire.service_id),
        },
        { timeoutMs: ANSWER_TIMEOUT_MS, label: 'Answering the questionnaire', onProgress: context.progress, transfer: [original.buffer as ArrayBuffer] },
      );
      await db.transaction().execute(async (tx) => {
        await q.insertItems(
          tx,
          id,
          imported.questions.map((item, i) => ({
            position: i,
            extId: item.id,
            sheet: item.sheet,
            sheetPart: item.sheetPart,
            row: item.row,
            section: item.section,
            question: item.question,
            answerCell: item.answerCell,
            commentCell: item.commentCell,
            vocabulary: item.vocabulary,
            result: output.questions[i],
          })),
        );
        await faultPoint('questionnaire-items');
        await q.updateQuestionnaire(tx, id, { status: 'ready', summary: JSON.stringify(output.summary), updated_at: clock.now() });
      });
    } catch (error) {
      await q.updateQuestionnaire(db, id, { status: 'failed', error: error instanceof Error ? error.message : String(error), updated_at: clock.now() });
      throw error;
    }
  };
}
