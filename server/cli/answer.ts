import { Option, type Command } from 'commander';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { AccessLevel } from '../modules/content/tables.js';
import type { ExportItem } from '../modules/questionnaires/export/export.js';
import { ImportError } from '../modules/questionnaires/import/errors.js';
import { say, withDatabase } from './context.js';

interface AnswerFlags {
  out?: string;
  format: string;
  service?: string;
  audience: string;
  questionColumn?: string;
  includeHidden?: boolean;
  includeSheet: string[];
}

/** A progress bar on stderr (only on a terminal), so stdout stays machine-readable. */
function progress(label: string) {
  const tty = process.stderr.isTTY;
  let last = -1;
  return (done: number, total: number) => {
    const pct = Math.floor((done / total) * 100);
    if (pct === last) return;
    last = pct;
    if (tty) {
      const width = 30;
      const filled = Math.round((pct / 100) * width);
      process.stderr.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}`);
      if (done === total) process.stderr.write('\n');
    } else if (pct % 25 === 0) say(`${label}: ${done}/${total}`);
  };
}

export function registerAnswerCommand(program: Command): void {
  program
    .command('answer')
    .argument('<file>', 'questionnaire: .xlsx, .xlsm, .csv or .json')
    .description('answer a questionnaire from the answer library (no server needed)')
    .option('--out <path>', 'write the result here instead of stdout')
    .addOption(new Option('--format <format>', 'output format').choices(['json', 'xlsx', 'csv']).default('json'))
    .option('--service <id>', 'answer for this service (responsibility-aware)')
    .addOption(new Option('--audience <level>', 'the reader the answers are for').choices(['public', 'nda', 'internal']).default('nda'))
    .option('--question-column <col>', 'column letter or header text of the questions')
    .option('--include-hidden', 'also read hidden sheets')
    .option('--include-sheet <name>', "read this sheet even if it looks like the requester's own (repeatable)", (value: string, all: string[]) => [...all, value], [] as string[])
    .action(async (file: string, flags: AnswerFlags) => {
      const [{ loadKnowledge }, { buildEngine }, { exportCsv, exportXlsx, layoutCells }, { parseInWorker }, { answerImported, answerOptions }] = await Promise.all([
        import('../modules/engine/queries.js'),
        import('../modules/engine/engine.js'),
        import('../modules/questionnaires/export/export.js'),
        import('../modules/questionnaires/import/run.js'),
        import('../modules/questionnaires/service.js'),
      ]);
      if (flags.format === 'xlsx' && !flags.out) throw new ImportError('--format xlsx writes a workbook: give --out FILE.');
      let data: Buffer;
      try {
        data = readFileSync(file);
      } catch (error) {
        throw new ImportError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
      }
      const imported = await parseInWorker(data, path.basename(file), { questionColumn: flags.questionColumn, includeHidden: flags.includeHidden, includeSheets: flags.includeSheet });
      for (const warning of imported.warnings) say(`note: ${warning}`);
      await withDatabase({ syncContent: true }, async ({ config, clock, database }) => {
        if (flags.service && !(await database.db.selectFrom('services').select('id').where('id', '=', flags.service).executeTakeFirst())) {
          throw new ImportError(`unknown service "${flags.service}"`);
        }
        const engine = buildEngine(await loadKnowledge(database.db));
        const output = answerImported(engine, imported, answerOptions(config, clock, flags.audience as AccessLevel, flags.service ?? null), progress('answering'));
        say(`answered ${output.summary.answered}, review ${output.summary.review}, unanswered ${output.summary.unanswered} of ${output.summary.total}`);
        // The same cells as the web export: ownership in the workbook's words, the customer's duties.
        const items: ExportItem[] = imported.questions.map((q, i) => ({
          ...layoutCells(imported.layouts.find((l) => l.sheet === q.sheet), q.row),
          ownership: output.questions[i].ownership,
          customerDuty: output.questions[i].customerDuty,
          id: q.id,
          sheet: q.sheet,
          sheetPart: q.sheetPart,
          row: q.row,
          question: q.question,
          answerCell: q.answerCell,
          commentCell: q.commentCell,
          vocabulary: q.vocabulary,
          kind: output.questions[i].kind,
          answer: output.questions[i].status === 'answered' ? output.questions[i].answer : null,
          text: output.questions[i].status === 'answered' ? output.questions[i].text : null,
          citations: output.questions[i].citations,
          status: output.questions[i].status,
        }));
        let body: string | Uint8Array;
        if (flags.format === 'json') body = JSON.stringify(output, null, 2) + '\n';
        else if (flags.format === 'csv') body = exportCsv(items);
        else {
          if (imported.format !== 'xlsx') throw new ImportError('--format xlsx needs an .xlsx questionnaire; use csv or json.');
          body = exportXlsx(data, items);
        }
        if (flags.out) {
          writeFileSync(flags.out, body);
          say(`wrote ${flags.out}`);
        } else process.stdout.write(body);
      });
    });
}
