import { join } from 'node:path';
import { type ManagedProcess, startProcess, waitUntil } from './managed-process.js';

export interface MailpitOptions {
  readonly toolsDir: string;
  readonly smtpPort: number;
  readonly uiPort: number;
  /** SQLite file that keeps messages across restarts; null keeps them only while it runs. */
  readonly dbFile: string | null;
  readonly logFile: string;
}

export interface Mailpit {
  readonly process: ManagedProcess;
  readonly smtpUrl: string;
  /** The web inbox, which also serves Mailpit's REST API under /api/v1. */
  readonly inboxUrl: string;
}

/** Starts Mailpit (SMTP server and web inbox) and waits until its readiness endpoint answers. */
export async function startMailpit(options: MailpitOptions): Promise<Mailpit> {
  const args = [
    '--smtp',
    `127.0.0.1:${options.smtpPort}`,
    '--listen',
    `127.0.0.1:${options.uiPort}`,
    // Local SMTP with no TLS: accept any (or no) credentials so every SMTP_URL form works.
    '--smtp-auth-accept-any',
    '--smtp-auth-allow-insecure',
    // It would call GitHub at start; this machine's network is closed.
    '--disable-version-check',
  ];
  if (options.dbFile !== null) args.push('--database', options.dbFile);
  const mailpit = startProcess({
    name: 'mailpit',
    command: join(options.toolsDir, 'mailpit'),
    args,
    logFile: options.logFile,
  });
  const inbox = `http://127.0.0.1:${options.uiPort}`;
  await waitUntil(async () => (await fetch(`${inbox}/readyz`)).ok, {
    what: `Mailpit on ${inbox}`,
    timeoutMs: 30_000,
    process: mailpit,
  });
  return {
    process: mailpit,
    smtpUrl: `smtp://127.0.0.1:${options.smtpPort}`,
    inboxUrl: `http://localhost:${options.uiPort}`,
  };
}
