import { ImportError } from './errors.js';
import type { ImportedQuestionnaire } from './layout.js';

/** What one file may ask of the server: questions across all sheets, characters per question. */
export interface QuestionLimits {
  questionsPerFile: number;
  questionMaxChars: number;
}

/**
 * Refuses a file with more questions than allowed (counted across all sheets, so five sheets
 * just under a per-sheet limit are still one file), and cuts an overlong question with a note
 * naming its cell: a multi-megabyte cell is pasted text, not a question, and matching it would
 * cost seconds of work for nothing.
 */
export function applyQuestionLimits(imported: ImportedQuestionnaire, limits: QuestionLimits): ImportedQuestionnaire {
  const count = imported.questions.length;
  if (count > limits.questionsPerFile) {
    throw new ImportError(
      `This file holds ${count.toLocaleString('en')} questions across its sheets; Evident answers at most ${limits.questionsPerFile.toLocaleString('en')} in one file. Split it into smaller files and upload them one by one.`,
      413,
    );
  }
  const warnings = [...imported.warnings];
  const questions = imported.questions.map((q) => {
    if (q.question.length <= limits.questionMaxChars) return q;
    warnings.push(
      `the question in sheet "${q.sheet}" row ${q.row} (cell ${q.questionCell}) is ${q.question.length.toLocaleString('en')} characters long; only its first ${limits.questionMaxChars.toLocaleString('en')} characters were read`,
    );
    return { ...q, question: q.question.slice(0, limits.questionMaxChars) };
  });
  return { ...imported, questions, warnings };
}
