import { Option, type Command } from 'commander';
import { writeFileSync } from 'node:fs';
import { cliActor, say, withDatabase } from './context.js';

/** Writes to --out, or to stdout when no file is named (so it pipes). */
function emit(body: Buffer | string, out: string | undefined, what: string): void {
  if (out) {
    writeFileSync(out, body);
    say(`${what} written to ${out}`);
  } else process.stdout.write(body);
}

export function registerExportCommands(program: Command): void {
  const exporter = program.command('export').description('export the operating model');
  exporter
    .command('soa')
    .description('the Statement of Applicability')
    .addOption(new Option('--format <format>', 'file format').choices(['xlsx', 'csv']).default('xlsx'))
    .option('--out <file>', 'file to write (default: stdout)')
    .action(async (options: { format: string; out?: string }) => {
      const { exportSoa } = await import('../modules/reports/service.js');
      await withDatabase({ syncContent: true }, async ({ config, clock, database }) => {
        const file = await exportSoa({ db: database.db, clock, config }, options.format, cliActor);
        emit(file.body, options.out, 'Statement of Applicability');
      });
    });
  exporter
    .command('oscal')
    .description('an OSCAL 1.0.6 component-definition (public evidence only unless --include-restricted)')
    .option('--out <file>', 'file to write (default: stdout)')
    .option('--include-restricted', 'also reference NDA and internal evidence (for internal tooling)')
    .action(async (options: { out?: string; includeRestricted?: boolean }) => {
      const { exportOscal } = await import('../modules/reports/service.js');
      await withDatabase({ syncContent: true }, async ({ config, clock, database }) => {
        const doc = await exportOscal({ db: database.db, clock, config }, options.includeRestricted ? 'internal' : 'public');
        emit(JSON.stringify(doc, null, 2) + '\n', options.out, 'OSCAL component definition');
      });
    });
}
