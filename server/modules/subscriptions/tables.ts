import type { Timestamp } from '../content/tables.js';

export interface SubscriptionsTable {
  id: string;
  email: string;
  token_hash: string;
  status: 'pending' | 'confirmed' | 'unsubscribed';
  created_at: Timestamp;
  confirmed_at: Timestamp | null;
  unsubscribed_at: Timestamp | null;
}

export interface AnnouncedChangesTable {
  change_id: string;
  announced_at: Timestamp;
  recipients: number;
}

export interface SubscriptionTables {
  subscriptions: SubscriptionsTable;
  announced_changes: AnnouncedChangesTable;
}
