/**
 * npm run eval — answers the bundled evaluation questionnaire and truth set with the shipped
 * content and prints: the scores of score.mjs (coverage, control precision@1/@3) for the whole set
 * and each half (even rows calibrate, odd rows are held out), the answer-level measure (of the
 * questions answered from a library answer, the share whose chosen answers' own controls include
 * a gold control; rows answered from a disclosure are counted apart), and the truth set's
 * violations (truth.mjs; exit 1 above 0). Runs on an in-memory database; touches nothing else.
 *
 * `npm run eval -- --misses` lists answered rows whose answer carries no gold control.
 * `npm run eval -- --fit` also fits the re-ranker's weights on the calibration half and prints them.
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
import { candidateFeatures } from '../server/modules/engine/decide.js';
import { buildEngine } from '../server/modules/engine/engine.js';
import { buildNamedThingFinder } from '../server/modules/engine/named-things.js';
import { loadKnowledge } from '../server/modules/engine/queries.js';
import { buildRetriever } from '../server/modules/engine/retrieve.js';
import { genericTermSet, subjectOf } from '../server/modules/engine/subject.js';
import type { EngineOutput, QuestionResult } from '../server/modules/engine/types.js';
import { parseQuestionnaire } from '../server/modules/questionnaires/import/parse.js';
import { answerImported, answerOptions } from '../server/modules/questionnaires/service.js';

const evalDir = path.join(projectRoot, 'test', 'fixtures', 'eval');
const config = loadConfig({ ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'silent' });
const clock = config.fixedNow ? fixedClock(config.fixedNow) : systemClock;
const database = await openDatabase({});
await migrateToLatest(database.db);
await syncContent(database.db, config.contentDir, clock);
const knowledge = await loadKnowledge(database.db);
await database.close();
const engine = buildEngine(knowledge);
const audience = (process.env.EVAL_AUDIENCE as 'public' | 'nda' | 'internal' | undefined) ?? 'nda';
// EVAL_THRESHOLDS='{"answer":0.45}' tries other thresholds (calibrate on the even half only).
const thresholds = process.env.EVAL_THRESHOLDS ? JSON.parse(process.env.EVAL_THRESHOLDS) : undefined;
const options = { ...answerOptions(config, clock, audience, null), thresholds };
const answer = (file: string): EngineOutput => answerImported(engine, parseQuestionnaire(readFileSync(file), path.basename(file)), options);

const work = mkdtempSync(path.join(os.tmpdir(), 'evident-eval-'));
const output = answer(path.join(evalDir, 'scf', 'questions.csv'));
const resultFile = path.join(work, 'result.json');
writeFileSync(resultFile, JSON.stringify(output, null, 2));
if (process.env.EVAL_OUT) writeFileSync(process.env.EVAL_OUT, JSON.stringify(output, null, 2));

function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') row.push(field), (field = '');
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field), rows.push(row), (row = []), (field = '');
    } else field += c;
  }
  if (field || row.length) row.push(field), rows.push(row);
  return rows.filter((r) => r.some((f) => f.trim()));
}

/** Gold refs as the engine names controls (ISO27001-2022:A.5.15 → iso27002:5.15). */
function canonical(ref: string): string {
  const [framework, id = ''] = ref.trim().split(':');
  if (framework.startsWith('ISO27001') || framework.startsWith('ISO27002')) return `iso27002:${id.replace(/^A\./, '')}`;
  if (framework.startsWith('ISO27017')) return `iso27017:${id}`;
  return ref.trim();
}

const goldText = readFileSync(path.join(evalDir, 'scf', 'gold.csv'), 'utf8');
const [goldHeader, ...goldRows] = parseCsv(goldText);
const gold = new Map(goldRows.map((r) => [r[0], r[2].split(';').filter(Boolean).map(canonical)]));
const libraryControls = new Map(knowledge.library.map((e) => [e.id, e.controls]));

function csvLine(fields: string[]): string {
  return fields.map((f) => (/[",\n]/.test(f) ? `"${f.replace(/"/g, '""')}"` : f)).join(',');
}

function score(goldFile: string, top: number): string {
  try {
    return execFileSync(process.execPath, [path.join(evalDir, 'score.mjs'), '--gold', goldFile, '--result', resultFile, '--top', String(top)], { encoding: 'utf8' });
  } catch (error) {
    return String((error as { stdout?: string }).stdout ?? error);
  }
}

/** Answer level: does the chosen library answer (per part) carry a gold control of its own? */
function answerLevel(questions: QuestionResult[]): string {
  const answered = questions.filter((q) => q.status === 'answered');
  const fromLibrary = answered.filter((q) => (q.parts ?? [q]).some((p) => p.why.answerId));
  const hits = fromLibrary.filter((q) => (q.parts ?? [q]).some((p) => p.why.answerId && (libraryControls.get(p.why.answerId) ?? []).some((c) => (gold.get(q.id) ?? []).includes(c))));
  const fromDisclosures = answered.length - fromLibrary.length;
  return `answer-level ${(hits.length / Math.max(1, fromLibrary.length)).toFixed(3)} (${hits.length}/${fromLibrary.length}) at coverage ${(answered.length / Math.max(1, questions.length)).toFixed(3)}; answered from disclosures or the profile: ${fromDisclosures}`;
}

/** `--misses` lists answered rows whose chosen answer carries no gold control, to read (not to tune to). */
function printMisses(questions: QuestionResult[]): void {
  const question = new Map(knowledge.library.map((e) => [e.id, e.question]));
  for (const q of questions.filter((r) => r.status === 'answered')) {
    const ids = (q.parts ?? [q]).map((p) => p.why.answerId).filter((id): id is string => Boolean(id));
    if (!ids.length || ids.some((id) => (libraryControls.get(id) ?? []).some((c) => (gold.get(q.id) ?? []).includes(c)))) continue;
    process.stdout.write(`miss ${q.id} (${q.confidence}): ${q.question.slice(0, 140)}\n    ← ${ids.map((id) => `${id}: ${question.get(id)}`).join(' + ')}\n`);
  }
}

process.stdout.write(`engine: ${output.summary.total} questions — ${output.summary.answered} answered, ${output.summary.review} review, ${output.summary.unanswered} unanswered\n`);
const halves: [string, (i: number) => boolean][] = [
  ['whole set', () => true],
  ['calibration half (even rows)', (i) => i % 2 === 0],
  ['held-out half (odd rows)', (i) => i % 2 === 1],
];
for (const [name, keep] of halves) {
  const f = path.join(work, `${name.split(' ')[0]}.csv`);
  writeFileSync(f, [csvLine(goldHeader), ...goldRows.filter((_, i) => keep(i)).map(csvLine)].join('\n') + '\n');
  for (const top of [1, 3]) {
    const lastLine = score(f, top).trim().split('\n').filter((l) => !l.startsWith('  ')).slice(-3).join(' | ');
    process.stdout.write(`${name.padEnd(30)} top ${top}: ${lastLine}\n`);
  }
  process.stdout.write(`${name.padEnd(30)} ${answerLevel(output.questions.filter((_, i) => keep(i)))}\n`);
}

const truthFile = path.join(work, 'truth.json');
writeFileSync(truthFile, JSON.stringify(answer(path.join(evalDir, 'truth', 'questions.csv')), null, 2));
let truthFailed = false;
try {
  process.stdout.write(execFileSync(process.execPath, [path.join(evalDir, 'truth.mjs'), '--expect', path.join(evalDir, 'truth', 'expect.csv'), '--result', truthFile], { encoding: 'utf8' }));
} catch (error) {
  truthFailed = true;
  process.stdout.write(String((error as { stdout?: string }).stdout ?? error));
}

if (process.argv.includes('--fit')) fitReranker();
if (process.argv.includes('--misses')) printMisses(output.questions);
if (truthFailed) process.exitCode = 1;

/** Logistic regression of "the candidate's controls include a gold control" on the calibration half. */
function fitReranker(): void {
  const retriever = buildRetriever(knowledge, buildNamedThingFinder([]));
  const generic = genericTermSet(knowledge.lexicons?.genericWords ?? []);
  const questions = parseQuestionnaire(readFileSync(path.join(evalDir, 'scf', 'questions.csv')), 'questions.csv').questions;
  const data = questions
    .filter((_, i) => i % 2 === 0)
    .flatMap((q) => {
      const found = retriever.candidates(q.question, audience);
      if (!found.length) return [];
      const subject = subjectOf(q.question, generic, retriever);
      return candidateFeatures({ text: q.question, withContext: q.question }, found, subject, retriever).map((f) => ({
        x: f.x,
        y: f.candidate.entry.controls.some((c) => (gold.get(q.id) ?? []).includes(c)) ? 1 : 0,
      }));
    });
  let w = new Array(data[0].x.length).fill(0);
  for (let iteration = 0; iteration < 3000; iteration++) {
    const gradient = new Array(w.length).fill(0);
    for (const d of data) {
      const p = 1 / (1 + Math.exp(-d.x.reduce((s, v, k) => s + v * w[k], 0)));
      d.x.forEach((v, k) => (gradient[k] += (p - d.y) * v));
    }
    w = w.map((v, k) => v - 0.1 * (gradient[k] / data.length + 0.001 * v));
  }
  process.stdout.write(`re-ranker weights fitted on the calibration half: [${w.map((v) => v.toFixed(2)).join(', ')}]\n`);
}
