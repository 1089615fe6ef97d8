import type { Timestamp } from '../content/tables.js';

export interface MailMessagesTable {
  id: string;
  to_address: string;
  subject: string;
  body_text: string;
  purpose: string;
  status: 'pending' | 'sent' | 'failed';
  attempts: number;
  last_error: string | null;
  created_at: Timestamp;
  sent_at: Timestamp | null;
  next_attempt_at: Timestamp | null;
  /** The body once delivered: personal links removed. Null when the message carries none. */
  body_after_delivery: string | null;
}

export interface MailTables {
  mail_messages: MailMessagesTable;
}
