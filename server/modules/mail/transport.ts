import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface OutgoingMail {
  id: string;
  from: string;
  to: string;
  subject: string;
  text: string;
  date: Date;
}

/** Where mail goes: an SMTP server, or .eml files in the outbox folder when none is configured. */
type Transporter = ReturnType<typeof import('nodemailer').createTransport>;

/** Loaded with the first mail: most starts send none, and the library costs a third of a second. */
async function nodemailer(): Promise<typeof import('nodemailer').default> {
  return (await import('nodemailer')).default;
}

export interface MailTransport {
  readonly kind: 'smtp' | 'outbox';
  send(mail: OutgoingMail): Promise<void>;
}

function messageOptions(mail: OutgoingMail) {
  return { from: mail.from, to: mail.to, subject: mail.subject, text: mail.text, date: mail.date, messageId: `<${mail.id}@evident>` };
}

export function outboxTransport(dataDir: string): MailTransport {
  const outbox = path.join(dataDir, 'outbox');
  return {
    kind: 'outbox',
    async send(mail) {
      // nodemailer composes the message (headers, encoding) without sending it anywhere.
      const composer = (await nodemailer()).createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
      const info = await composer.sendMail(messageOptions(mail));
      mkdirSync(outbox, { recursive: true });
      const stamp = mail.date.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
      writeFileSync(path.join(outbox, `${stamp}-${mail.id}.eml`), info.message as Buffer);
    },
  };
}

export function smtpTransport(url: string): MailTransport {
  let transporter: Promise<Transporter> | null = null;
  return {
    kind: 'smtp',
    async send(mail) {
      transporter ??= nodemailer().then((m) => m.createTransport(url));
      await (await transporter).sendMail(messageOptions(mail));
    },
  };
}
