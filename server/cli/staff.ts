import type { Command } from 'commander';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import type { Actor } from '../modules/audit/service.js';
import { verifyAuditChain } from '../modules/audit/service.js';
import { listTokens, listUsers } from '../modules/staff/queries.js';
import * as staff from '../modules/staff/service.js';
import { say, withDatabase } from './context.js';

const cliActor: Actor = { actor: `cli:${process.env.USER ?? 'operator'}`, actorKind: 'system' };

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
    .option('--role <role>', 'admin | editor | viewer', 'viewer')
    .option('--name <name>')
    .option('--password-stdin', 'read the password from standard input')
    .description('create a staff account (asks for the password)')
    .action(async (o: { email: string; role: string; name?: string; passwordStdin?: boolean }) => {
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
      await withDatabase({}, async ({ database }) => {
        const users = (await listUsers(database.db)).map(staff.toStaffUser);
        process.stdout.write(JSON.stringify(users, null, 2) + '\n');
      });
    });

  user
    .command('set-role')
    .requiredOption('--email <email>')
    .requiredOption('--role <role>')
    .action(async (o: { email: string; role: string }) => {
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
        await withDatabase({}, async ({ database, clock }) => staff.setDisabled(database.db, clock, o.email, disabled, cliActor));
        say(`${o.email} ${disabled ? 'disabled; its sessions are ended' : 'enabled'}`);
      });
  }

  user
    .command('reset-password')
    .requiredOption('--email <email>')
    .option('--password-stdin', 'read the new password from standard input')
    .action(async (o: { email: string; passwordStdin?: boolean }) => {
      const password = await obtainPassword(o.passwordStdin);
      await withDatabase({}, async ({ database, clock }) => staff.setPassword(database.db, clock, o.email, password, cliActor));
      say(`password of ${o.email} changed; its sessions are ended`);
    });

  user
    .command('unlock')
    .requiredOption('--email <email>')
    .description('lift a lockout after repeated failed sign-ins')
    .action(async (o: { email: string }) => {
      await withDatabase({}, async ({ database, clock }) => staff.unlockAccount(database.db, clock, o.email, cliActor));
      say(`${o.email} unlocked`);
    });

  const token = program.command('token').description('manage API tokens');
  token
    .command('create')
    .requiredOption('--email <email>')
    .requiredOption('--name <name>', 'what the token is for')
    .description('create a token; it is printed once, alone on stdout')
    .action(async (o: { email: string; name: string }) => {
      await withDatabase({}, async ({ database, clock }) => {
        const created = await staff.createToken(database.db, clock, o.email, o.name, cliActor);
        say(`token ${created.id} created for ${o.email}; it is shown once`);
        process.stdout.write(created.token + '\n');
      });
    });
  token
    .command('list')
    .option('--email <email>')
    .action(async (o: { email?: string }) => {
      await withDatabase({}, async ({ database }) => {
        const user = o.email ? await staff.requireUserByEmail(database.db, o.email) : null;
        process.stdout.write(JSON.stringify(await listTokens(database.db, user?.id), null, 2) + '\n');
      });
    });
  token
    .command('revoke')
    .argument('<id>', 'the token id (see token list)')
    .action(async (id: string) => {
      await withDatabase({}, async ({ database, clock }) => staff.revokeToken(database.db, clock, id, cliActor));
      say(`token ${id} revoked`);
    });

  program
    .command('audit')
    .description('audit log tools')
    .command('verify')
    .description('recompute the audit log hash chain; exit 1 if broken')
    .action(async () => {
      await withDatabase({}, async ({ database }) => {
        const report = await verifyAuditChain(database.db);
        process.stdout.write(JSON.stringify(report) + '\n');
        say(report.message);
        if (!report.ok) process.exitCode = 1;
      });
    });
}
