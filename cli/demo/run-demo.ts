/**
 * The demo, through the real product: plans and accounts created with the billing client, each
 * account's `accountBilling` workflow fed call events by signal-with-start (a few twice, a bad one
 * each) and one credit purchase; every first cycle ends seconds after the start, closes after a
 * short grace and is invoiced. Prints each account's closed cycle as the `usage` query reports it,
 * with its calls and rejections from PostgreSQL, and where to look.
 */
import { randomBytes } from 'node:crypto';
import type { Writable } from 'node:stream';
import type { Client } from '@temporalio/client';
import type { Kysely } from 'kysely';
import { localDateTimeOf } from '../../billing/calendar.js';
import { CURRENCY_EXPONENTS, formatCredits } from '../../billing/units.js';
import { BillingClient } from '../../client/billing-client.js';
import { connectClient, workflowPollers } from '../../client/temporal-client.js';
import { createDb, describeDatabaseUrl } from '../../db/connection.js';
import { migrationStatus } from '../../db/migrate.js';
import { countCalls, listRejections } from '../../db/repositories/calls.js';
import { listNotifications } from '../../db/repositories/notifications.js';
import type { Database, NotificationRow, RejectedEventRow } from '../../db/schema.js';
import type { Config } from '../../workers/config.js';
import {
  accountWorkflowId,
  type ClosedCycleView,
  type UsageReply,
} from '../../workflows/account/messages.js';
import { demoSetup, type DemoAccountSpec, type DemoStep } from './accounts.js';

export interface DemoOptions {
  /** How long after the start every first cycle ends (default 15 s). */
  readonly cycleEndsInMs?: number;
  /** The run's suffix on every id (default: 6 random hex digits). */
  readonly suffix?: string;
  /** How long to wait for a worker on the task queue before giving up (default 15 s). */
  readonly workerWaitMs?: number;
  /** How long after the grace ends to wait for every close and invoice (default 60 s). */
  readonly closeTimeoutMs?: number;
}

export interface DemoAccountReport {
  readonly spec: DemoAccountSpec;
  readonly sent: { calls: number; redeliveries: number; bad: number; purchases: number };
  /** The `usage` reply in which the first cycle was closed and invoiced. */
  readonly usage: UsageReply;
  readonly cycle: ClosedCycleView;
  /** Rows in PostgreSQL once the cycle closed. */
  readonly callsRecorded: number;
  readonly rejections: readonly RejectedEventRow[];
  /** The account's emails as the outbox recorded them, oldest first. */
  readonly emails: readonly NotificationRow[];
}

export interface DemoRun {
  readonly suffix: string;
  readonly cycleEnd: number;
  readonly accounts: readonly DemoAccountReport[];
}

/** A demo step that failed, with a message that says what to look at. */
export class DemoError extends Error {
  override readonly name = 'DemoError';
}

const CALL_CONCURRENCY = 4;
const POLL_MS = 500;

function reason(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return reason(error.errors[0]);
  return error instanceof Error ? error.message || error.name : String(error);
}

/** Minor units as an amount in `currency`: `("1932", "USD")` -> `USD 19.32`. */
export function moneyText(minor: string, currency: string): string {
  const exponent = (CURRENCY_EXPONENTS as Readonly<Record<string, number>>)[currency] ?? 2;
  const digits = BigInt(minor)
    .toString()
    .padStart(exponent + 1, '0');
  const whole = digits.slice(0, digits.length - exponent);
  return `${currency} ${whole}${exponent === 0 ? '' : `.${digits.slice(-exponent)}`}`;
}

export function creditsText(millicredits: string): string {
  return formatCredits(BigInt(millicredits));
}

/** `YYYY-MM-DD HH:MM:SS` of an instant in a time zone. */
function localText(at: number, timeZone: string): string {
  const l = localDateTimeOf(at, timeZone);
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  return `${pad(l.year, 4)}-${pad(l.month)}-${pad(l.day)} ${pad(l.hour)}:${pad(l.minute)}:${pad(l.second)}`;
}

function table(rows: readonly (readonly string[])[], rightAligned: ReadonlySet<number>): string {
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((r) => r[col]!.length)));
  return rows
    .map((row) =>
      row
        .map((cell, col) =>
          rightAligned.has(col) ? cell.padStart(widths[col]!) : cell.padEnd(widths[col]!),
        )
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function openDatabase(config: Config): Promise<Kysely<Database>> {
  const where = describeDatabaseUrl(config.postgres.url);
  const db = createDb(config.postgres.url, { maxConnections: 4, connectTimeoutMs: 3_000 });
  try {
    const status = await migrationStatus(db);
    if (status.pending.length > 0) {
      throw new DemoError(
        `${where} has ${status.pending.length} pending migration(s): start the worker (it ` +
          'migrates) or run `npm run migrate`',
      );
    }
    return db;
  } catch (error) {
    await db.destroy();
    if (error instanceof DemoError) throw error;
    const hint = config.postgres.embedded
      ? 'is the stack running (`npm run dev`)? It starts the embedded server'
      : 'is DATABASE_URL right and the server up?';
    throw new DemoError(`cannot use PostgreSQL at ${where}: ${reason(error)}; ${hint}`, {
      cause: error,
    });
  }
}

async function waitForWorker(client: Client, taskQueue: string, waitMs: number): Promise<void> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    if ((await workflowPollers(client, taskQueue)).length > 0) return;
    if (Date.now() >= deadline) {
      throw new DemoError(
        `no worker polls task queue '${taskQueue}' (waited ${waitMs / 1000} s): start the stack ` +
          '(`npm run dev`) or a worker (`npm run worker`)',
      );
    }
    await sleep(POLL_MS);
  }
}

/** Sends an account's steps in order: events with a few in flight, a purchase once they landed. */
async function sendSteps(
  billing: BillingClient,
  spec: DemoAccountSpec,
  say: (line: string) => void,
): Promise<void> {
  let pending: DemoStep[] = [];
  const flush = async () => {
    const events = pending;
    pending = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(CALL_CONCURRENCY, events.length) }, async () => {
        while (next < events.length) {
          const step = events[next++]!;
          if (step.kind !== 'purchase') await billing.sendCallEvent(spec.id, step.event);
        }
      }),
    );
  };
  for (const step of spec.steps) {
    if (step.kind !== 'purchase') {
      pending.push(step);
      continue;
    }
    await flush();
    const result = await billing.purchaseCredits(spec.id, {
      purchaseId: step.purchaseId,
      credits: step.credits,
    });
    say(
      `${spec.id} bought ${step.credits} credits (purchaseCredits): ` +
        `${creditsText(result.cycle.usedMillicredits)} of ` +
        `${creditsText(result.cycle.availableMillicredits)} credits used so far`,
    );
  }
  await flush();
}

/**
 * Waits until each account's statement email is out and nothing is left in its outbox: the alerts
 * were decided while the calls were booked, the statement once the invoice was settled.
 */
async function waitForEmails(
  db: Kysely<Database>,
  specs: readonly DemoAccountSpec[],
  deadline: number,
  say: (line: string) => void,
): Promise<Map<string, NotificationRow[]>> {
  for (;;) {
    const rows = new Map<string, NotificationRow[]>();
    for (const spec of specs) rows.set(spec.id, (await listNotifications(db, spec.id)).reverse());
    const settled = [...rows.values()].every(
      (list) =>
        list.some((r) => r.kind === 'statement') && list.every((r) => r.status !== 'pending'),
    );
    if (settled || Date.now() > deadline) {
      for (const spec of specs) {
        const list = rows.get(spec.id)!;
        const sent = list.filter((r) => r.status === 'sent').length;
        say(`${spec.id}: ${sent} email${sent === 1 ? '' : 's'} sent to ${spec.billingEmail}`);
      }
      if (!settled) say('some emails are still waiting to be sent: see the outbox (notifications)');
      return rows;
    }
    await sleep(POLL_MS);
  }
}

function firstClosedCycle(usage: UsageReply): ClosedCycleView | undefined {
  return usage.closedCycles.find((c) => c.index === 0);
}

async function waitForCloses(
  billing: BillingClient,
  specs: readonly DemoAccountSpec[],
  deadline: number,
  say: (line: string) => void,
  uiUrlOf: (accountId: string) => string,
): Promise<Map<string, UsageReply>> {
  const done = new Map<string, UsageReply>();
  const lastError = new Map<string, string>();
  for (;;) {
    for (const spec of specs) {
      if (done.has(spec.id)) continue;
      try {
        const usage = await billing.usage(spec.id);
        const closed = firstClosedCycle(usage);
        if (closed?.invoice) {
          done.set(spec.id, usage);
          say(
            `${spec.id}: first cycle closed, invoice ${closed.invoice.status} ` +
              `(${moneyText(closed.invoice.amountMinor, closed.invoice.currency)})`,
          );
        }
      } catch (error) {
        lastError.set(spec.id, reason(error));
      }
    }
    if (done.size === specs.length) return done;
    if (Date.now() > deadline) {
      const waiting = specs.filter((s) => !done.has(s.id));
      const lines = waiting.map(
        (s) =>
          `  ${s.id}: ${lastError.get(s.id) ?? 'not closed and invoiced yet'}; see ${uiUrlOf(s.id)}`,
      );
      throw new DemoError(
        `timed out waiting for the first cycle of ${waiting.length} account(s) to close with ` +
          `its invoice:\n${lines.join('\n')}`,
      );
    }
    await sleep(POLL_MS);
  }
}

export async function runDemo(
  config: Config,
  out: Writable,
  options: DemoOptions = {},
): Promise<DemoRun> {
  const say = (line: string) => out.write(`[demo] ${line}\n`);
  const suffix = options.suffix ?? randomBytes(3).toString('hex');
  const { taskQueue, namespace, uiUrl } = config.temporal;
  const uiUrlOf = (accountId: string) =>
    `${uiUrl}/namespaces/${namespace}/workflows/${accountWorkflowId(accountId)}`;

  const client = await connectClient(config);
  let db: Kysely<Database> | undefined;
  try {
    db = await openDatabase(config);
    await waitForWorker(client, taskQueue, options.workerWaitMs ?? 15_000);
    const billing = new BillingClient({ temporal: client, db, taskQueue });

    const setup = demoSetup(suffix, Date.now(), options.cycleEndsInMs ?? 15_000);
    const { cycleEnd, graceSeconds } = setup;
    out.write(
      `\n[demo] run ${suffix}: ${setup.plans.length} plans, ${setup.accounts.length} accounts, ` +
        `one accountBilling workflow each on task queue '${taskQueue}'\n`,
    );
    for (const plan of setup.plans) {
      await billing.createPlan(plan);
      say(
        `plan ${plan.id}: ${plan.allowanceCredits} credits a month, ${plan.creditsPerMinute} ` +
          `a minute, ${plan.overagePricePerCredit} ${plan.currency} per extra credit`,
      );
    }
    for (const spec of setup.accounts) {
      await billing.createAccount({
        id: spec.id,
        planId: spec.planId,
        timeZone: spec.timeZone,
        createdAt: spec.createdAt,
        billingAnchor: spec.billingAnchor,
        graceSeconds: spec.graceSeconds,
        billingEmails: [spec.billingEmail],
      });
      say(
        `account ${spec.id} (${spec.timeZone}, ${spec.planId}): first cycle ` +
          `${localText(Date.parse(spec.createdAt), spec.timeZone)} to ` +
          `${localText(cycleEnd, spec.timeZone)} local time`,
      );
    }

    const sent = new Map(
      setup.accounts.map((spec) => {
        const count = (kind: DemoStep['kind']) => spec.steps.filter((s) => s.kind === kind).length;
        return [
          spec.id,
          {
            calls: count('call'),
            redeliveries: count('redelivery'),
            bad: count('bad'),
            purchases: count('purchase'),
          },
        ];
      }),
    );
    const events = [...sent.values()].reduce((n, s) => n + s.calls + s.redeliveries + s.bad, 0);
    say(
      `sending ${events} call events by signal-with-start (calls answered over the past month, ` +
        '20 s to 15 min; some delivered twice; one bad event per account)...',
    );
    const began = Date.now();
    await Promise.all(setup.accounts.map((spec) => sendSteps(billing, spec, say)));
    for (const spec of setup.accounts) {
      const s = sent.get(spec.id)!;
      say(
        `${spec.id}: ${s.calls} calls, ${s.redeliveries} sent twice, ` +
          `${s.bad} bad event${s.bad === 1 ? '' : 's'}`,
      );
    }
    say(`sent in ${((Date.now() - began) / 1000).toFixed(1)} s`);
    if (Date.now() >= cycleEnd) {
      say(
        'sending took past the end of the cycles: the calls that arrived after it are booked in ' +
          'the grace window or, after the close, as late adjustments of the next cycle',
      );
    }

    const closeAt = cycleEnd + graceSeconds * 1000;
    say(
      `waiting for the first cycles to end (${new Date(cycleEnd).toISOString().slice(11, 19)} ` +
        `UTC, in ${Math.max(0, Math.round((cycleEnd - Date.now()) / 1000))} s) and close after ` +
        `${graceSeconds} s of grace...`,
    );
    await sleep(Math.max(0, closeAt - Date.now()));
    const usages = await waitForCloses(
      billing,
      setup.accounts,
      closeAt + (options.closeTimeoutMs ?? 60_000),
      say,
      uiUrlOf,
    );

    const emails = await waitForEmails(db, setup.accounts, Date.now() + 30_000, say);
    const accounts: DemoAccountReport[] = [];
    for (const spec of setup.accounts) {
      const usage = usages.get(spec.id)!;
      accounts.push({
        spec,
        sent: sent.get(spec.id)!,
        usage,
        cycle: firstClosedCycle(usage)!,
        callsRecorded: await countCalls(db, spec.id),
        rejections: await listRejections(db, spec.id),
        emails: emails.get(spec.id)!,
      });
    }
    printReport(out, config, accounts, uiUrlOf);
    return { suffix, cycleEnd, accounts };
  } finally {
    await client.connection.close();
    await db?.destroy();
  }
}

function printReport(
  out: Writable,
  config: Config,
  accounts: readonly DemoAccountReport[],
  uiUrlOf: (accountId: string) => string,
): void {
  const rows: string[][] = [
    [
      'account',
      'time zone',
      'plan',
      'calls',
      'used / available',
      'overage',
      'charged',
      'invoice',
      'alerts',
      'emails',
      'rejected',
    ],
  ];
  for (const a of accounts) {
    const c = a.cycle;
    rows.push([
      a.spec.id,
      a.spec.timeZone,
      c.planId,
      String(a.callsRecorded),
      `${creditsText(c.usedMillicredits)} / ${creditsText(c.availableMillicredits)}`,
      creditsText(c.overageMillicredits),
      moneyText(c.overageChargeMinor ?? '0', c.currency),
      c.invoice?.status ?? '-',
      c.alerts.map((alert) => `${alert.thresholdPercent}%`).join(' ') || '-',
      String(a.emails.filter((e) => e.status === 'sent').length),
      String(a.rejections.length),
    ]);
  }
  out.write(
    '\nFirst cycle of each account, closed and invoiced (credits; figures from the usage query, ' +
      'calls and rejections from PostgreSQL):\n\n',
  );
  out.write(`${table(rows, new Set([3, 4, 5, 6, 9, 10]))}\n\n`);

  const purchases = accounts.filter((a) => a.cycle.purchasedMillicredits !== '0');
  for (const a of purchases) {
    out.write(
      `  ${a.spec.id}: available = ${creditsText(a.cycle.allowanceMillicredits)} allowance + ` +
        `${creditsText(a.cycle.purchasedMillicredits)} bought\n`,
    );
  }
  out.write('  Rejected events (table rejected_events):\n');
  for (const a of accounts) {
    for (const r of a.rejections) {
      out.write(`    ${r.call_id ?? '(no call id)'}: ${r.reason} (${r.detail})\n`);
    }
  }

  const width = Math.max(...accounts.map((a) => a.spec.id.length));
  out.write(
    "\nWhere to look:\n  Temporal Web UI, each account's workflow (its signals, the purchase, the " +
      'cycle close; query `usage`):\n',
  );
  for (const a of accounts) out.write(`    ${a.spec.id.padEnd(width)}  ${uiUrlOf(a.spec.id)}\n`);
  out.write(
    `  PostgreSQL ${describeDatabaseUrl(config.postgres.url)}: tables accounts, calls, ` +
      'rejected_events, invoices, payment_collections, notifications (the email outbox)\n' +
      `  Mailpit ${config.smtp.inboxUrl}: each account's emails (alerts, receipt, statement):\n`,
  );
  for (const a of accounts) {
    const kinds = a.emails.map((e) => (e.kind === 'threshold' ? `${e.key}%` : e.kind));
    out.write(`    ${a.spec.billingEmail}  ${kinds.join(', ')}\n`);
  }
}
