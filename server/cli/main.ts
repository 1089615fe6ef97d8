import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config.js';
import { AppError } from '../errors.js';
import { DataFolderBusyError } from '../db/lock.js';
import { registerContentCommands } from './content.js';
import { registerStaffCommands } from './staff.js';
import { registerAnswerCommand } from './answer.js';
import { registerBackupCommands } from './backup.js';
import { registerExportCommands } from './export.js';
import { say, withDatabase } from './context.js';

function buildProgram(): Command {
  const program = new Command('evident')
    .description('Evident: trust portal and security-questionnaire engine')
    .showHelpAfterError()
    .exitOverride();

  program
    .command('serve')
    .description('start the web server (migrates and syncs content first)')
    .action(async () => {
      const { serve } = await import('../main.js');
      await serve();
    });

  program
    .command('migrate')
    .description('apply pending database migrations')
    .action(async () => {
      await withDatabase({}, async () => say('migrations: up to date'));
    });

  registerContentCommands(program);
  registerStaffCommands(program);
  registerAnswerCommand(program);
  registerBackupCommands(program);
  registerExportCommands(program);
  return program;
}

export async function run(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode;
    } else if (error instanceof DataFolderBusyError || error instanceof ConfigError) {
      say(`evident: ${error.message}`);
      process.exitCode = 2;
    } else if (error instanceof AppError) {
      say(`evident: ${error.message}`);
      process.exitCode = 1;
    } else if (error instanceof (await import('../modules/content/service.js')).ContentInvalidError) {
      // Loaded only now: the content module is heavy, and --help must not wait for it.
      const { formatProblem } = await import('../modules/content/service.js');
      for (const p of (error as import('../modules/content/service.js').ContentInvalidError).problems.filter((x) => x.level === 'error')) say(formatProblem(p));
      say('evident: content has errors; fix them (see `evident content check`) and run again');
      process.exitCode = 1;
    } else {
      say(`evident: ${error instanceof Error ? error.message : String(error)}`);
      process.exitCode = 1;
    }
  }
}

await run(process.argv);
