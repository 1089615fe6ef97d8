import type { Kysely } from 'kysely';
import { randomBytes } from 'node:crypto';
import type { Database } from '../../db/database.js';
import type { PendingInput } from './tables.js';

export type { PendingInput };


/**
 * Uploads waiting for a person to pick the question column, for 15 minutes: a file input cannot
 * be refilled by the server, and re-uploading a large file is a chore.
 */
export interface PendingUploads {
  put(input: PendingInput, owner: string, now: Date): Promise<string>;
  /** The upload, once: a second take (or another person's) finds nothing. */
  take(token: string, owner: string, now: Date): Promise<PendingInput | null>;
}

const WAIT_MS = 15 * 60_000;
const newToken = () => randomBytes(16).toString('base64url');

/** The embedded database's single process keeps them in memory. */
export class MemoryPendingUploads implements PendingUploads {
  private readonly items = new Map<string, { input: PendingInput; owner: string; expires: number }>();

  async put(input: PendingInput, owner: string, now: Date): Promise<string> {
    this.sweep(now.getTime());
    const token = newToken();
    this.items.set(token, { input, owner, expires: now.getTime() + WAIT_MS });
    return token;
  }

  async take(token: string, owner: string, now: Date): Promise<PendingInput | null> {
    this.sweep(now.getTime());
    const item = this.items.get(token);
    if (!item || item.owner !== owner) return null;
    this.items.delete(token);
    return item.input;
  }

  private sweep(now: number): void {
    for (const [token, item] of this.items) if (item.expires < now) this.items.delete(token);
  }
}


/** Several instances behind a proxy: the column choice may reach another instance, so the upload waits in a row. */
export class DatabasePendingUploads implements PendingUploads {
  constructor(private readonly db: Kysely<Database>) {}

  async put(input: PendingInput, owner: string, now: Date): Promise<string> {
    await this.db.deleteFrom('pending_uploads').where('expires_at', '<', now).execute();
    const token = newToken();
    const { data, ...rest } = input;
    await this.db
      .insertInto('pending_uploads')
      .values({ token, owner, input: JSON.stringify(rest), data: Buffer.from(data), expires_at: new Date(now.getTime() + WAIT_MS) })
      .execute();
    return token;
  }

  async take(token: string, owner: string, now: Date): Promise<PendingInput | null> {
    const row = await this.db
      .deleteFrom('pending_uploads')
      .where('token', '=', token)
      .where('owner', '=', owner)
      .where('expires_at', '>=', now)
      .returning(['input', 'data'])
      .executeTakeFirst();
    return row ? { ...(row.input as Omit<PendingInput, 'data'>), data: new Uint8Array(row.data) } : null;
  }
}
