import nodemailer from 'nodemailer';

export interface OutgoingEmail {
  readonly to: string | readonly string[];
  readonly subject: string;
  readonly text: string;
  readonly html?: string;
  /**
   * A stable Message-ID (see `messageIdOf`), derived from what the email is about rather than
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

/** A Mailer over SMTP (Mailpit locally, any relay in production): one connection per message. */
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
      // A message some recipients refused still went to the others: say who, for ops.
      const refused = info.rejected.map(String);
      const response = String(info.response);
      return {
        response: refused.length > 0 ? `${response}; refused: ${refused.join(', ')}` : response,
      };
    },
    async verify() {
      await transport.verify();
    },
    close() {
      transport.close();
    },
  };
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
 * True when the SMTP server refused this message for good: a 5xx answer to its recipients or its
 * content (unknown mailbox, policy). Sending it again would be refused again. A 5xx before that
 * (authentication, MAIL FROM, a relay that does not know us) is the sender's configuration, which
 * ops fix, so it is retried like connection failures and 4xx answers.
 */
export function isPermanentSmtpFailure(error: unknown): boolean {
  const { responseCode, command, code } = (error ?? {}) as {
    responseCode?: unknown;
    command?: unknown;
    code?: unknown;
  };
  if (typeof responseCode !== 'number' || responseCode < 500 || responseCode >= 600) return false;
  // Policy refusals (5.7.x: relay access denied, authentication required) are about the sender.
  const enhanced = (error as { response?: unknown }).response;
  if (typeof enhanced === 'string' && /^\d{3}[ -]5\.7\./.test(enhanced)) return false;
  // A message too large for the server is refused whatever the recipients.
  if (code === 'EMESSAGE') return true;
  return command === 'RCPT TO' || command === 'DATA';
}
