import { Option, type Command } from 'commander';
import type { Prefer } from '../modules/content/service.js';
import { loadCliConfig, say, withDatabase } from './context.js';

export function registerContentCommands(program: Command): void {
  const content = program.command('content').description('validate and load the trust content in content/');

  content
    .command('check')
    .description('validate content/ and print every problem with file and line')
    .option('--strict', 'treat warnings (such as stale evidence) as errors')
    .option('--json', 'print the problems as JSON on stdout')
    .action(async (options: { strict?: boolean; json?: boolean }) => {
      const { checkContent, formatProblem } = await import('../modules/content/service.js');
      const { config, clock } = loadCliConfig();
      const { problems, bundle } = checkContent(config.contentDir, clock, config.expiringWithinDays);
      if (options.json) process.stdout.write(JSON.stringify({ problems }, null, 2) + '\n');
      else for (const problem of problems) say(formatProblem(problem));
      const errors = problems.filter((p) => p.level === 'error').length;
      const warnings = problems.length - errors;
      say(
        `content check: ${errors} error(s), ${warnings} warning(s) — ${bundle.controls.length} controls, ${bundle.services.length} services, ` +
          `${bundle.responsibilities.length} responsibilities, ${bundle.evidence.length} evidence, ${bundle.library.length} answers, ${bundle.faq.length} FAQ entries`,
      );
      if (errors > 0 || (options.strict && warnings > 0)) process.exitCode = 1;
    });

  content
    .command('sync')
    .description('upsert content/ into the database by stable id (one transaction)')
    .addOption(new Option('--prefer <side>', 'settle conflicts with staff edits').choices(['content', 'database']))
    .action(async (options: { prefer?: string }) => {
      const { syncContent } = await import('../modules/content/service.js');
      await withDatabase({}, async ({ config, clock, database }) => {
        const report = await syncContent(database.db, config.contentDir, clock, {
          prefer: options.prefer as Prefer | undefined,
          expiringWithinDays: config.expiringWithinDays,
        });
        for (const conflict of report.conflicts) say(`conflict: ${conflict}`);
        for (const notice of report.notices) say(`notice: ${notice}`);
        const { inserted, updated, deleted, unchanged } = report.changes;
        say(`content sync: ${inserted} inserted, ${updated} updated, ${deleted} deleted, ${unchanged} unchanged, ${report.conflicts.length} conflict(s)`);
        process.stdout.write(JSON.stringify({ revision: report.revision, hash: report.hash, changes: report.changes, conflicts: report.conflicts, notices: report.notices }) + '\n');
      });
    });

  content
    .command('export-library')
    .description('write the library answers staff created or edited in the admin as a content YAML file')
    .option('--out <file>', 'write to this file instead of stdout (e.g. content/library/staff.yaml)')
    .action(async (options: { out?: string }) => {
      const { exportStaffAnswers } = await import('../modules/library/export.js');
      const { writeFileSync } = await import('node:fs');
      await withDatabase({}, async ({ database }) => {
        const { count, yaml } = await exportStaffAnswers(database.db);
        if (options.out) writeFileSync(options.out, yaml);
        else process.stdout.write(yaml);
        say(`content export-library: ${count} answer(s)${options.out ? ` written to ${options.out}` : ''}`);
      });
    });
}
