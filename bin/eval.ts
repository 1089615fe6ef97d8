/**
 * npm run eval — answers the bundled evaluation questionnaire with the shipped content and
 * prints the scores of score.mjs for the whole set and for each half (even rows calibrate,
 * odd rows are held out). Runs on an in-memory database; touches nothing else.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fixedClock, systemClock } from '../server/clock.js';
import { loadConfig, projectRoot } from '../server/config.js';
import { openDatabase } from '../server/db/connect.js';
import { migrateToLatest } from '../server/db/migrate.js';
import { syncContent } from '../server/modules/content/service.js';
import { buildEngine } from '../server/modules/engine/engine.js';
import { loadKnowledge } from '../server/modules/engine/queries.js';
import { parseQuestionnaire } from '../server/modules/questionnaires/import/parse.js';
import { answerImported, answerOptions } from '../server/modules/questionnaires/service.js';

const evalDir = path.join(projectRoot, 'test', 'fixtures', 'eval');
const config = loadConfig({ ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'silent' });
const clock = config.fixedNow ? fixedClock(config.fixedNow) : systemClock;
const database = await openDatabase({});
await migrateToLatest(database.db);
await syncContent(database.db, config.contentDir, clock);
const engine = buildEngine(await loadKnowledge(database.db));
const file = path.join(evalDir, 'scf', 'questions.csv');
const imported = parseQuestionnaire(readFileSync(file), 'questions.csv');
const audience = (process.env.EVAL_AUDIENCE as 'public' | 'nda' | 'internal' | undefined) ?? 'nda';
// EVAL_THRESHOLDS='{"answer":0.45}' tries other thresholds (calibrate on the even half only).
const thresholds = process.env.EVAL_THRESHOLDS ? JSON.parse(process.env.EVAL_THRESHOLDS) : undefined;
const output = answerImported(engine, imported, { ...answerOptions(config, clock, audience, null), thresholds });
await database.close();

const work = mkdtempSync(path.join(os.tmpdir(), 'evident-eval-'));
const resultFile = path.join(work, 'result.json');
writeFileSync(resultFile, JSON.stringify(output, null, 2));
if (process.env.EVAL_OUT) writeFileSync(process.env.EVAL_OUT, JSON.stringify(output, null, 2));

const gold = readFileSync(path.join(evalDir, 'scf', 'gold.csv'), 'utf8');
const [header, ...lines] = splitCsvRecords(gold);
const halves = {
  'calibration half (even rows)': lines.filter((_, i) => i % 2 === 0),
  'held-out half (odd rows)': lines.filter((_, i) => i % 2 === 1),
};

function splitCsvRecords(text: string): string[] {
  const records: string[] = [];
  let current = '';
  let quoted = false;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    if ((ch === '\n') && !quoted) {
      if (current.trim()) records.push(current.replace(/\r$/, ''));
      current = '';
    } else current += ch;
  }
  if (current.trim()) records.push(current);
  return records;
}

function score(goldFile: string, top: number): string {
  try {
    return execFileSync(process.execPath, [path.join(evalDir, 'score.mjs'), '--gold', goldFile, '--result', resultFile, '--top', String(top)], { encoding: 'utf8' });
  } catch (error) {
    return String((error as { stdout?: string }).stdout ?? error);
  }
}

process.stdout.write(`engine: ${output.summary.total} questions — ${output.summary.answered} answered, ${output.summary.review} review, ${output.summary.unanswered} unanswered\n`);
const sets: [string, string][] = [['whole set', path.join(evalDir, 'scf', 'gold.csv')]];
for (const [name, rows] of Object.entries(halves)) {
  const f = path.join(work, `${name.split(' ')[0]}.csv`);
  writeFileSync(f, [header, ...rows].join('\n') + '\n');
  sets.push([name, f]);
}
for (const [name, f] of sets) {
  for (const top of [1, 3]) {
    const lastLine = score(f, top).trim().split('\n').filter((l) => !l.startsWith('  ')).slice(-3).join(' | ');
    process.stdout.write(`${name.padEnd(30)} top ${top}: ${lastLine}\n`);
  }
}
void systemClock;
