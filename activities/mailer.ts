import nodemailer from 'nodemailer';

export interface OutgoingEmail {
  readonly to: string | readonly string[];
  readonly subject: string;
  readonly text: string;
  readonly html?: string;
  /**
   * A stable Message-ID, `<kind.key@domain>`, derived from what the email is about rather than
   * from the attempt that sends it: a retried send repeats it, and receivers can drop the copy.
   */
  readonly messageId: string;
}

export interface Mailer {
  /** Resolves with the server's answer once it accepted the message for delivery. */
  send(email: OutgoingEmail): Promise<{ response: string }>;
  /** Connects and greets the server (EHLO); throws with the server's answer when it cannot. */
  verify(): Promise<void>;
  close(): void;
}

export interface SmtpMailerOptions {
  readonly url: string;
  readonly from: string;
  /** Connect and greeting timeout: an unreachable server fails an activity attempt quickly. */
  readonly timeoutMs?: number;
}

/** A Mailer over SMTP (Mailpit locally, any relay in production), one pooled transport. */
export function createSmtpMailer(options: SmtpMailerOptions): Mailer {
  const timeout = options.timeoutMs ?? 10_000;
  const transport = nodemailer.createTransport(
    {
      url: options.url,
      connectionTimeout: timeout,
      greetingTimeout: timeout,
      socketTimeout: timeout * 3,
    },
    { from: options.from },
  );
  return {
    async send(email) {
      const info = await transport.sendMail({
        to: typeof email.to === 'string' ? email.to : [...email.to],
        subject: email.subject,
        text: email.text,
        ...(email.html === undefined ? {} : { html: email.html }),
        messageId: email.messageId,
      });
      return { response: String(info.response) };
    },
    async verify() {
      await transport.verify();
    },
    close() {
      transport.close();
    },
  };
}

/** `<kind.key@billing.local>` with characters a Message-ID may not hold replaced. */
export function messageIdFor(kind: string, key: string): string {
  const safe = (part: string) => part.replace(/[^A-Za-z0-9._-]/g, '_');
  return `<${safe(kind)}.${safe(key)}@billing.local>`;
}

/**
 * A Message-ID from the parts of a key, one-to-one: each part keeps letters, digits and `-`, writes
 * any other character as `=` and its UTF-8 bytes in hex, and parts are joined by `.`. Two keys
 * that differ anywhere give two ids; the same key always gives the same id.
 */
export function messageIdOf(parts: readonly string[], domain: string): string {
  const encode = (part: string) =>
    Array.from(part, (ch) =>
      /[A-Za-z0-9-]/.test(ch)
        ? ch
        : Array.from(Buffer.from(ch, 'utf8'), (b) => `=${b.toString(16).padStart(2, '0')}`).join(
            '',
          ),
    ).join('');
  return `<${parts.map(encode).join('.')}@${domain}>`;
}

/**
 * True when the SMTP server refused the message for good (a 5xx reply: unknown mailbox, policy):
 * sending it again would be refused again. Connection failures and 4xx replies are temporary.
 */
export function isPermanentSmtpFailure(error: unknown): boolean {
  const code = (error as { responseCode?: unknown } | null)?.responseCode;
  return typeof code === 'number' && code >= 500 && code < 600;
}
