import { Option, type Command } from 'commander';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import type { AuditCheckpoint } from '../modules/audit/checkpoint.js';
import { AppError } from '../errors.js';
import { readFileSync, writeFileSync } from 'node:fs';
import type { TokenScope } from '../modules/staff/tables.js';
import { cliActor, say, withDatabase } from './context.js';


async function readAllStdin(): Promise<string> {
  let data = '';
  for await (const chunk of process.stdin) data += chunk;
  return data.replace(/\r?\n$/, '');
}

function askHidden(question: string): Promise<string> {
  let muted = false;
  const output = new Writable({
    write(chunk, _enc, done) {
      if (!muted) process.stderr.write(chunk);
      done();
    },
  });
  const rl = createInterface({ input: process.stdin, output, terminal: true });
  return new Promise((resolve) => {
    rl.question(question, (answer) => {
      rl.close();
      process.stderr.write('\n');
      resolve(answer);
    });
    muted = true;
  });
}

/** The staff and audit modules, loaded when a command runs (building the program and --help need none). */
const services = async () => {
  const [staff, queries, tokens, audit, checkpoint, keys] = await Promise.all([
    import('../modules/staff/service.js'),
    import('../modules/staff/queries.js'),
    import('../modules/staff/tokens.js'),
    import('../modules/audit/service.js'),
    import('../modules/audit/checkpoint.js'),
    import('../modules/audit/keys.js'),
  ]);
  return { staff, ...queries, ...tokens, ...audit, ...checkpoint, ...keys };
};

/** The token scopes (as in staff/tokens.ts, which validates them again; kept here so --help loads nothing heavy). */
const TOKEN_SCOPES = ['read', 'write'] as const satisfies readonly TokenScope[];

/** The password from stdin (--password-stdin) or asked twice on the terminal; never from argv. */
async function obtainPassword(fromStdin: boolean | undefined): Promise<string> {
  if (fromStdin) return readAllStdin();
  if (!process.stdin.isTTY) throw new Error('no terminal to ask for the password: pipe it in with --password-stdin');
  const first = await askHidden('Password (12+ characters): ');
  const second = await askHidden('Repeat password: ');
  if (first !== second) throw new Error('the two passwords differ');
  return first;
}

export function registerStaffCommands(program: Command): void {
  const user = program.command('user').description('manage staff accounts');

  user
    .command('add')
    .requiredOption('--email <email>')
    .addOption(new Option('--role <role>', 'what the account may do').choices(['admin', 'editor', 'viewer']).default('viewer'))
    .option('--name <name>')
    .option('--password-stdin', 'read the password from standard input')
    .description('create a staff account (asks for the password)')
    .action(async (o: { email: string; role: string; name?: string; passwordStdin?: boolean }) => {
      const { staff } = await services();
      const password = await obtainPassword(o.passwordStdin);
      await withDatabase({}, async ({ database, clock }) => {
        const created = await staff.createUser(database.db, clock, { email: o.email, role: o.role, name: o.name, password }, cliActor);
        say(`created ${created.email} (${created.role})`);
        process.stdout.write(JSON.stringify({ id: created.id, email: created.email, role: created.role }) + '\n');
      });
    });

  user
    .command('list')
    .description('list staff accounts (JSON on stdout)')
    .action(async () => {
      const { staff, listUsers } = await services();
      await withDatabase({}, async ({ database }) => {
        const users = (await listUsers(database.db)).map(staff.toStaffUser);
        process.stdout.write(JSON.stringify(users, null, 2) + '\n');
      });
    });

  user
    .command('set-role')
    .requiredOption('--email <email>')
    .addOption(new Option('--role <role>', 'what the account may do').choices(['admin', 'editor', 'viewer']).makeOptionMandatory())
    .action(async (o: { email: string; role: string }) => {
      const { staff } = await services();
      await withDatabase({}, async ({ database, clock }) => staff.setRole(database.db, clock, o.email, o.role, cliActor));
      say(`${o.email} is now ${o.role}`);
    });

  for (const [name, disabled] of [
    ['disable', true],
    ['enable', false],
  ] as const) {
    user
      .command(name)
      .requiredOption('--email <email>')
      .action(async (o: { email: string }) => {
      const { staff } = await services();
        await withDatabase({}, async ({ database, clock }) => staff.setDisabled(database.db, clock, o.email, disabled, cliActor));
        say(`${o.email} ${disabled ? 'disabled; its sessions are ended' : 'enabled'}`);
      });
  }

  user
    .command('break-glass')
    .requiredOption('--email <email>')
    .option('--password-stdin', 'read the password from standard input')
    .description('create the break-glass admin (or turn an account into it): it keeps a local password when staff sign in with the company account only')
    .action(async (o: { email: string; passwordStdin?: boolean }) => {
      const { staff } = await services();
      const password = await obtainPassword(o.passwordStdin);
      await withDatabase({}, async ({ database, clock }) => staff.makeBreakGlassAdmin(database.db, clock, o.email, password, cliActor));
      say(`${o.email} is the break-glass admin: it signs in with this password even when local passwords are off`);
    });

  user
    .command('reset-password')
    .requiredOption('--email <email>')
    .option('--password-stdin', 'read the new password from standard input')
    .action(async (o: { email: string; passwordStdin?: boolean }) => {
      const { staff } = await services();
      const password = await obtainPassword(o.passwordStdin);
      await withDatabase({}, async ({ database, clock }) => staff.setPassword(database.db, clock, o.email, password, cliActor));
      say(`password of ${o.email} changed; its sessions are ended`);
    });

  user
    .command('unlock')
    .requiredOption('--email <email>')
    .description('lift a lockout after repeated failed sign-ins')
    .action(async (o: { email: string }) => {
      const { staff } = await services();
      await withDatabase({}, async ({ database, clock }) => staff.unlockAccount(database.db, clock, o.email, cliActor));
      say(`${o.email} unlocked`);
    });

  const token = program.command('token').description('manage API tokens');
  token
    .command('create')
    .requiredOption('--email <email>')
    .requiredOption('--name <name>', 'what the token is for')
    .addOption(new Option('--scope <scope>', 'read: GET only; write: what the role allows (default: write, read for viewers)').choices([...TOKEN_SCOPES]))
    .option('--expires-days <days>', 'the token stops working after this many days', (v) => Number(v))
    .description('create a token; it is printed once, alone on stdout')
    .action(async (o: { email: string; name: string; scope?: TokenScope; expiresDays?: number }) => {
      const { createToken } = await services();
      await withDatabase({}, async ({ database, clock }) => {
        const created = await createToken(database.db, clock, o.email, o.name, cliActor, { scope: o.scope, expiresInDays: o.expiresDays });
        say(`token ${created.id} created for ${o.email}; it is shown once`);
        process.stdout.write(created.token + '\n');
      });
    });
  token
    .command('list')
    .option('--email <email>')
    .action(async (o: { email?: string }) => {
      const { staff, listTokens } = await services();
      await withDatabase({}, async ({ database }) => {
        const user = o.email ? await staff.requireUserByEmail(database.db, o.email) : null;
        process.stdout.write(JSON.stringify(await listTokens(database.db, user?.id), null, 2) + '\n');
      });
    });
  token
    .command('revoke')
    .argument('<id>', 'the token id (see token list)')
    .action(async (id: string) => {
      const { revokeToken } = await services();
      await withDatabase({}, async ({ database, clock }) => revokeToken(database.db, clock, id, cliActor));
      say(`token ${id} revoked`);
    });

  const audit = program.command('audit').description('audit log tools');
  audit
    .command('verify')
    .description('recompute the audit log hash chain with the configured keys; exit 1 if broken')
    .option('--checkpoint <file>', 'also hold the log against a checkpoint file (one JSON checkpoint, or JSON lines): detects removed or rewritten entries')
    .action(async (o: { checkpoint?: string }) => {
      const { verifyAuditChain, parseCheckpoints } = await services();
      // Read the checkpoint before opening the database: a wrong path fails at once.
      const checkpoints = o.checkpoint ? readCheckpoints(o.checkpoint, parseCheckpoints) : [];
      await withDatabase({}, async ({ database }) => {
        const report = await verifyAuditChain(database.db, { checkpoints });
        process.stdout.write(JSON.stringify(report) + '\n');
        say(report.message);
        if (!report.ok) process.exitCode = 1;
      });
    });
  audit
    .command('checkpoint')
    .description('write the audit log head (entries, hash, time, HMAC) to stdout or a file; keep it outside the database')
    .option('--out <file>', 'write it to this file instead of stdout')
    .action(async (o: { out?: string }) => {
      const { verifyAuditChain, currentCheckpoint, auditKeysOf } = await services();
      await withDatabase({}, async ({ database, clock }) => {
        const report = await verifyAuditChain(database.db);
        if (!report.ok) throw new AppError(500, 'audit_broken', `no checkpoint written: ${report.message}`);
        const checkpoint = await currentCheckpoint(database.db, auditKeysOf(database.db), clock);
        const text = JSON.stringify(checkpoint) + '\n';
        if (o.out) {
          writeFileSync(o.out, text, { mode: 0o600 });
          say(`checkpoint of ${checkpoint.entries} entries written to ${o.out}`);
        } else process.stdout.write(text);
      });
    });
}

function readCheckpoints(file: string, parseCheckpoints: (text: string) => AuditCheckpoint[]): AuditCheckpoint[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new AppError(400, 'bad_checkpoint', `cannot read ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
  }
  try {
    return parseCheckpoints(text);
  } catch (error) {
    throw new AppError(400, 'bad_checkpoint', `${file}: ${(error as Error).message}`);
  }
}
