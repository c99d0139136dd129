import nodemailer from 'nodemailer';

export interface OutgoingEmail {
  readonly to: string;
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
  send(email: OutgoingEmail): Promise<void>;
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
      await transport.sendMail({
        to: email.to,
        subject: email.subject,
        text: email.text,
        ...(email.html === undefined ? {} : { html: email.html }),
        messageId: email.messageId,
      });
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
