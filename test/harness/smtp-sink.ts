/**
 * A real SMTP server in the test process (the `smtp-server` package) that keeps every message it
 * accepted, duplicates included: tests count raw deliveries and distinct Message-IDs. It can go
 * down and come back on the same port (an outage: connections refused), answer the next messages
 * with a temporary failure, or hold its answer to DATA until released (a send in flight).
 */
import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface SinkMessage {
  /** Without angle brackets. */
  messageId: string;
  subject: string;
  to: string[];
  text: string;
  html: string;
  raw: string;
}

export interface SmtpSink {
  readonly url: string;
  /** Every message accepted, in order, duplicates included. */
  readonly messages: readonly SinkMessage[];
  to(address: string): SinkMessage[];
  /** Waits until `address` received at least `count` messages. */
  waitFor(address: string, count: number, timeoutMs?: number): Promise<SinkMessage[]>;
  /** Answers DATA of the next `count` messages with `451` (try again later). */
  failNext(count: number): void;
  /** Answers RCPT TO for `address` with `550` (no such mailbox) from now on. */
  refuse(address: string): void;
  /**
   * Holds every DATA answer until `release()`: `held` resolves once a message is being held,
   * `clientGone` once the client of a held message went away without its answer.
   */
  hold(): { held: Promise<void>; clientGone: Promise<void>; release(): void };
  /** Stops listening: new connections are refused until `up()`. */
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
}

export async function startSmtpSink(): Promise<SmtpSink> {
  const messages: SinkMessage[] = [];
  let failures = 0;
  const refused = new Set<string>();
  let holding: {
    gate: Promise<void>;
    onHeld: () => void;
    sessions: Set<string>;
    onGone: () => void;
  } | null = null;
  let port = 0;
  /** Sessions whose client went away: a message held for one of them was never accepted. */
  const closedSessions = new Set<string>();

  function createServer(): SMTPServer {
    return new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onRcptTo(address, _session, callback) {
        if (!refused.has(address.address)) {
          callback();
          return;
        }
        callback(Object.assign(new Error('no such mailbox'), { responseCode: 550 }));
      },
      onClose(session) {
        closedSessions.add(session.id);
        if (holding?.sessions.has(session.id)) holding.onGone();
      },
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          void (async () => {
            if (holding !== null) {
              holding.sessions.add(session.id);
              holding.onHeld();
              await holding.gate;
              // The client died while it waited for our answer: it never saw "250 accepted", and
              // this server drops what the client could not know was taken. Relays that commit
              // at the final dot deliver it instead (docs/notifications.md, the one window).
              if (closedSessions.has(session.id)) return;
            }
            if (failures > 0) {
              failures -= 1;
              const error = Object.assign(new Error('try again later'), { responseCode: 451 });
              callback(error);
              return;
            }
            const raw = Buffer.concat(chunks).toString('utf8');
            const parsed = await simpleParser(raw);
            const to = (Array.isArray(parsed.to) ? parsed.to : parsed.to ? [parsed.to] : [])
              .flatMap((a) => a.value.map((v) => v.address ?? ''))
              .filter((a) => a !== '');
            messages.push({
              messageId: (parsed.messageId ?? '').replace(/^<|>$/g, ''),
              subject: parsed.subject ?? '',
              to,
              text: (parsed.text ?? '').replace(/\r\n/g, '\n'),
              html: typeof parsed.html === 'string' ? parsed.html : '',
              raw,
            });
            callback();
          })();
        });
      },
    });
  }

  let server = createServer();
  async function listen(at: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(at, '127.0.0.1', () => resolve());
    });
    port = (server.server.address() as AddressInfo).port;
  }
  await listen(0);

  const sink: SmtpSink = {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    to: (address) => messages.filter((m) => m.to.includes(address)),
    async waitFor(address, count, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const received = sink.to(address);
        if (received.length >= count) return received;
        if (Date.now() > deadline) {
          throw new Error(`expected ${count} message(s) to ${address}, got ${received.length}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    failNext(count) {
      failures = count;
    },
    refuse(address) {
      refused.add(address);
    },
    hold() {
      let release!: () => void;
      let onHeld!: () => void;
      let onGone!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const held = new Promise<void>((resolve) => (onHeld = resolve));
      const clientGone = new Promise<void>((resolve) => (onGone = resolve));
      holding = { gate, onHeld, sessions: new Set(), onGone };
      return {
        held,
        clientGone,
        release() {
          holding = null;
          release();
        },
      };
    },
    async down() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
    async up() {
      server = createServer();
      await listen(port);
    },
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return sink;
}

/** How many raw deliveries, and how many distinct Message-IDs, a list of messages holds. */
export function deliveryCounts(messages: readonly SinkMessage[]): {
  deliveries: number;
  messageIds: number;
} {
  return {
    deliveries: messages.length,
    messageIds: new Set(messages.map((m) => m.messageId)).size,
  };
}
