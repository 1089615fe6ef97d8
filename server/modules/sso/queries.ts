import type { DbOrTx } from '../../db/database.js';
import type { Role } from '../staff/tables.js';

export { findUserByEmail } from '../staff/queries.js';

export async function findUserBySubject(db: DbOrTx, subject: string) {
  return db.selectFrom('staff_users').selectAll().where('oidc_subject', '=', subject).executeTakeFirst();
}

export async function linkSubject(db: DbOrTx, userId: string, subject: string): Promise<void> {
  await db.updateTable('staff_users').set({ oidc_subject: subject }).where('id', '=', userId).execute();
}

export async function insertProviderUser(db: DbOrTx, user: { id: string; email: string; name: string; role: Role; subject: string; passwordHash: string; at: Date }): Promise<void> {
  await db
    .insertInto('staff_users')
    .values({ id: user.id, email: user.email, name: user.name, role: user.role, password_hash: user.passwordHash, password_changed_at: user.at, created_at: user.at, oidc_subject: user.subject })
    .execute();
}

export async function setRole(db: DbOrTx, userId: string, role: Role): Promise<void> {
  await db.updateTable('staff_users').set({ role }).where('id', '=', userId).execute();
}

export async function revokeSessions(db: DbOrTx, userId: string, at: Date): Promise<void> {
  await db.updateTable('staff_sessions').set({ revoked_at: at }).where('user_id', '=', userId).where('revoked_at', 'is', null).execute();
}
