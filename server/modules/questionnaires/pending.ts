import { randomBytes } from 'node:crypto';

interface Pending {
  input: { data: Uint8Array; fileName: string; name?: string; service?: string | null; audience?: string };
  owner: string;
  expires: number;
}

/**
 * Uploads waiting for a person to pick the question column. Held in memory for 15 minutes:
 * a file input cannot be refilled by the server, and re-uploading a large file is a chore.
 * (With several app instances, the column picker must be answered by the same instance.)
 */
export class PendingUploads {
  private readonly items = new Map<string, Pending>();

  put(input: Pending['input'], owner: string, now: number): string {
    this.sweep(now);
    const token = randomBytes(16).toString('base64url');
    this.items.set(token, { input, owner, expires: now + 15 * 60_000 });
    return token;
  }

  take(token: string, owner: string, now: number): Pending['input'] | null {
    this.sweep(now);
    const item = this.items.get(token);
    if (!item || item.owner !== owner) return null;
    this.items.delete(token);
    return item.input;
  }

  private sweep(now: number): void {
    for (const [token, item] of this.items) if (item.expires < now) this.items.delete(token);
  }
}
