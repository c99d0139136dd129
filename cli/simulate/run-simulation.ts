/**
 * The simulation, through the product's public contract: plans and accounts created with the
 * billing client, then a month of generated call traffic sent to the account workflows in the
 * order it happened (late events out of order), mostly in `recordCalls` batches (update-with-start)
 * and some by signal-with-start, paced so the simulated clock catches up with the real one a few
 * seconds before every first cycle ends. The cycles then close with their invoices, overage
 * charges and statement emails, and the summary reads each account's figures back from the
 * `usage` query and PostgreSQL.
 */
import { randomBytes } from 'node:crypto';
import type { Writable } from 'node:stream';
import type { Client } from '@temporalio/client';
import type { Kysely } from 'kysely';
import { localDateTimeOf } from '../../billing/calendar.js';
import { formatInstant, type EpochMs } from '../../billing/units.js';
import { AccountProvisioning } from '../../client/account-provisioning.js';
import { AccountWorkflowClient } from '../../client/account-workflow-client.js';
import { connectClient, workflowPollers } from '../../client/temporal-client.js';
import { createDb, describeDatabaseUrl } from '../../db/connection.js';
import { migrationStatus } from '../../db/migrate.js';
import { signBillingLink } from '../../links/signed-link.js';
import { countCalls, countOutcomes, countRejections } from '../../db/repositories/calls.js';
import { listInvoices } from '../../db/repositories/invoices.js';
import { listNotifications } from '../../db/repositories/notifications.js';
import type { Database, NotificationRow } from '../../db/schema.js';
import type { Config } from '../../config/config.js';
import { MAX_EVENTS_PER_UPDATE } from '../../contract/call-events.js';
import { accountWorkflowId } from '../../contract/ids.js';
import type { ClosedCycleView, UsageReply } from '../../contract/usage-reply.js';
import { speedText, type SimulateOptions } from './options.js';
import type { Progress } from './progress.js';
import type { AccountSummary, SimulationSummary } from './report.js';
import {
  callsPerMonth,
  simulationScenario,
  SIM_GRACE_SECONDS,
  type Scenario,
  type SimAccount,
} from './scenario.js';
import { generateTraffic, type Delivery, type Traffic } from './traffic.js';

export interface SimulationRunOptions extends SimulateOptions {
  /** The run's suffix on every id (default: 6 random hex digits). */
  readonly suffix?: string;
  /** How long to wait for a worker on the task queue before giving up (default 15 s). */
  readonly workerWaitMs?: number;
  /** How long after the grace ends to wait for every close and invoice (default 60 s). */
  readonly closeTimeoutMs?: number;
}

export interface SimulationOutput {
  /** Where lines of the run's story go (stdout for people; stderr when stdout carries JSON). */
  readonly log: Writable;
  readonly progress: Progress;
}

export interface SimulationRun {
  readonly scenario: Scenario;
  readonly traffic: Traffic;
  readonly cycleEnd: EpochMs;
  readonly summary: SimulationSummary;
  /** Each account's `usage` reply in which its first cycle was closed and invoiced. */
  readonly usages: ReadonlyMap<string, UsageReply>;
}

/** A simulation step that failed, with a message that says what to look at. */
export class SimulationError extends Error {
  override readonly name = 'SimulationError';
}

/** The simulated clock meets the real one this long before the cycles end. */
const END_MARGIN_MS = 3_000;
/** The events a second the stack is assumed to take at `--speed max` (to place the cycle end). */
const ASSUMED_MAX_RATE = 250;
const SIGNAL_CONCURRENCY = 8;
const TICK_MS = 200;
const POLL_MS = 500;
const DAY_MS = 86_400_000;
/** An average month. */
const MONTH_MS = 30.44 * DAY_MS;
const ALERT_KINDS = new Set(['threshold', 'exhausted', 'projection']);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function reason(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return reason(error.errors[0]);
  return error instanceof Error ? error.message || error.name : String(error);
}

/** `YYYY-MM-DD HH:MM` of an instant in a time zone. */
function localText(at: number, timeZone: string): string {
  const l = localDateTimeOf(at, timeZone);
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  return `${pad(l.year, 4)}-${pad(l.month)}-${pad(l.day)} ${pad(l.hour)}:${pad(l.minute)}`;
}

async function openDatabase(config: Config): Promise<Kysely<Database>> {
  const where = describeDatabaseUrl(config.postgres.url);
  const db = createDb(config.postgres.url, { maxConnections: 4, connectTimeoutMs: 3_000 });
  try {
    const status = await migrationStatus(db);
    if (status.pending.length > 0) {
      throw new SimulationError(
        `${where} has ${status.pending.length} pending migration(s): start the worker (it ` +
          'migrates) or run `npm run migrate`',
      );
    }
    return db;
  } catch (error) {
    await db.destroy();
    if (error instanceof SimulationError) throw error;
    const hint = config.postgres.embedded
      ? 'is the stack running (`npm run dev`)? It starts the embedded server'
      : 'is DATABASE_URL right and the server up?';
    throw new SimulationError(`cannot use PostgreSQL at ${where}: ${reason(error)}; ${hint}`, {
      cause: error,
    });
  }
}

async function waitForWorker(client: Client, taskQueue: string, waitMs: number): Promise<void> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    if ((await workflowPollers(client, taskQueue)).length > 0) return;
    if (Date.now() >= deadline) {
      throw new SimulationError(
        `no worker polls task queue '${taskQueue}' (waited ${waitMs / 1000} s): start the stack ` +
          '(`npm run dev`) or a worker (`npm run worker`)',
      );
    }
    await sleep(POLL_MS);
  }
}

/**
 * When the cycles end and the last call may end. Paced, the simulated month is sent over
 * `month / speed` and the clocks meet `END_MARGIN_MS` before the end; at `max`, the calls all
 * ended before the start and the end leaves time for an assumed rate.
 */
export function placeRun(
  options: SimulateOptions,
  now: EpochMs,
): { cycleEnd: EpochMs; trafficEnd: EpochMs } {
  const setupMs = 2_000 + 100 * options.accounts;
  const monthMs = options.days === null ? MONTH_MS : options.days * DAY_MS;
  // At max: the month's calls, with room for resends, transfer legs and the busier accounts.
  const events = options.accounts * callsPerMonth(options.callsPerDay) * (monthMs / MONTH_MS) * 1.4;
  const sendMs =
    options.speed.kind === 'paced'
      ? (monthMs * 1000) / options.speed.simMsPerSecond
      : (events * 1000) / ASSUMED_MAX_RATE;
  const cycleEnd = Math.ceil((now + setupMs + sendMs + END_MARGIN_MS) / 1000) * 1000;
  return { cycleEnd, trafficEnd: options.speed.kind === 'paced' ? cycleEnd - END_MARGIN_MS : now };
}

/**
 * The simulated instant due at real time `real`: the simulated clock runs `speed` times faster
 * than the real one and meets it at `trafficEnd`, so no call is sent before it ended.
 */
export function simulatedNow(options: SimulateOptions, trafficEnd: EpochMs, real: EpochMs): number {
  if (options.speed.kind === 'max') return Number.POSITIVE_INFINITY;
  return trafficEnd - ((trafficEnd - real) * options.speed.simMsPerSecond) / 1000;
}

/** Sends one account's share of a tick: batches in order, signals beside them. */
async function sendAccountTick(
  billing: AccountWorkflowClient,
  accountId: string,
  deliveries: readonly Delivery[],
): Promise<void> {
  const updates = deliveries.filter((d) => d.via === 'update').map((d) => d.event);
  const signals = deliveries.filter((d) => d.via === 'signal');
  const sendSignals = async () => {
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(SIGNAL_CONCURRENCY, signals.length) }, async () => {
        while (next < signals.length) {
          await billing.sendCallEvent(accountId, signals[next++]!.event);
        }
      }),
    );
  };
  const sendUpdates = async () => {
    for (let i = 0; i < updates.length; i += MAX_EVENTS_PER_UPDATE) {
      await billing.recordCalls(accountId, updates.slice(i, i + MAX_EVENTS_PER_UPDATE));
    }
  };
  await Promise.all([sendUpdates(), sendSignals()]);
}

/** Sends every delivery when the simulated clock reaches it, a tick at a time. */
async function sendTraffic(
  billing: AccountWorkflowClient,
  options: SimulateOptions,
  traffic: Traffic,
  simStart: EpochMs,
  trafficEnd: EpochMs,
  progress: Progress,
): Promise<void> {
  const { deliveries } = traffic;
  const days = Math.max(1, Math.round((trafficEnd - simStart) / DAY_MS));
  const show = (sent: number, simNow: number) =>
    progress.update({
      sent,
      total: deliveries.length,
      day: Math.max(0, (Math.min(simNow, trafficEnd) - simStart) / DAY_MS),
      days,
    });
  // At max speed a tick takes a slice, so the progress moves.
  const perTick =
    options.speed.kind === 'max' ? MAX_EVENTS_PER_UPDATE * options.accounts : Infinity;
  show(0, simStart);
  let i = 0;
  while (i < deliveries.length) {
    const simNow = simulatedNow(options, trafficEnd, Date.now());
    let j = i;
    while (j < deliveries.length && deliveries[j]!.at <= simNow && j - i < perTick) j++;
    if (j === i) {
      await sleep(TICK_MS);
      continue;
    }
    const byAccount = new Map<string, Delivery[]>();
    for (const d of deliveries.slice(i, j)) {
      const list = byAccount.get(d.accountId) ?? [];
      list.push(d);
      byAccount.set(d.accountId, list);
    }
    await Promise.all(
      [...byAccount].map(([accountId, list]) => sendAccountTick(billing, accountId, list)),
    );
    i = j;
    show(
      i,
      i === deliveries.length ? trafficEnd : simNow === Infinity ? deliveries[j - 1]!.at : simNow,
    );
  }
  progress.finish();
}

function firstClosedCycle(usage: UsageReply): ClosedCycleView | undefined {
  return usage.closedCycles.find((c) => c.index === 0);
}

async function waitForCloses(
  billing: AccountWorkflowClient,
  accounts: readonly SimAccount[],
  deadline: number,
  uiUrlOf: (accountId: string) => string,
): Promise<Map<string, UsageReply>> {
  const done = new Map<string, UsageReply>();
  const lastError = new Map<string, string>();
  for (;;) {
    for (const account of accounts) {
      if (done.has(account.id)) continue;
      try {
        const usage = await billing.usage(account.id);
        if (firstClosedCycle(usage)?.invoice) done.set(account.id, usage);
      } catch (error) {
        lastError.set(account.id, reason(error));
      }
    }
    if (done.size === accounts.length) return done;
    if (Date.now() > deadline) {
      const waiting = accounts.filter((a) => !done.has(a.id));
      const lines = waiting.map(
        (a) =>
          `  ${a.id}: ${lastError.get(a.id) ?? 'not closed and invoiced yet'}; see ${uiUrlOf(a.id)}`,
      );
      throw new SimulationError(
        `timed out waiting for the first cycle of ${waiting.length} account(s) to close with ` +
          `its invoice:\n${lines.join('\n')}`,
      );
    }
    await sleep(POLL_MS);
  }
}

/**
 * Waits until each account's statement email is decided and nothing is left waiting in its
 * outbox (the alerts were decided while the calls were booked, the statement at the close).
 */
async function waitForEmails(
  db: Kysely<Database>,
  accounts: readonly SimAccount[],
  deadline: number,
): Promise<{ rows: Map<string, NotificationRow[]>; settled: boolean }> {
  for (;;) {
    const rows = new Map<string, NotificationRow[]>();
    for (const a of accounts) rows.set(a.id, await listNotifications(db, a.id));
    const settled = [...rows.values()].every(
      (list) =>
        list.some((r) => r.kind === 'statement') && list.every((r) => r.status !== 'pending'),
    );
    if (settled || Date.now() > deadline) return { rows, settled };
    await sleep(POLL_MS);
  }
}

/** The summary of one account, from its closing `usage` reply and PostgreSQL. */
async function summarize(
  db: Kysely<Database>,
  account: SimAccount,
  usage: UsageReply,
  emails: readonly NotificationRow[],
  urls: Pick<AccountSummary, 'workflowUrl' | 'billingPageUrl'>,
): Promise<AccountSummary> {
  const cycle = firstClosedCycle(usage)!;
  const invoice = (await listInvoices(db, account.id)).find(
    (row) => row.cycle_start.getTime() === Date.parse(cycle.start),
  );
  if (invoice === undefined) {
    throw new SimulationError(`${account.id}: the usage query shows an invoice PostgreSQL lacks`);
  }
  const outcomes = await countOutcomes(db, account.id);
  const sent = emails.filter((e) => e.status === 'sent');
  return {
    accountId: account.id,
    timeZone: account.timeZone,
    planId: cycle.planId,
    cycleStart: cycle.start,
    cycleEnd: cycle.end,
    allowanceMillicredits: cycle.allowanceMillicredits,
    availableMillicredits: cycle.availableMillicredits,
    usedMillicredits: cycle.usedMillicredits,
    overageMillicredits: cycle.overageMillicredits,
    currency: invoice.currency,
    chargeMinor: String(invoice.amount_minor),
    invoiceStatus: invoice.status,
    alertsFired: cycle.alerts.map((a) => a.thresholdPercent),
    alertEmailsSent: sent.filter((e) => ALERT_KINDS.has(e.kind)).length,
    emailsSent: sent.length,
    calls: {
      accepted: await countCalls(db, account.id),
      duplicate: outcomes.duplicate,
      rejected: await countRejections(db, account.id),
    },
    billingEmail: account.billingEmail,
    ...urls,
  };
}

export async function runSimulation(
  config: Config,
  options: SimulationRunOptions,
  output: SimulationOutput,
): Promise<SimulationRun> {
  const say = (line: string) => output.log.write(`[simulate] ${line}\n`);
  const suffix = options.suffix ?? randomBytes(3).toString('hex');
  const { taskQueue, namespace, uiUrl } = config.temporal;
  const uiUrlOf = (accountId: string) =>
    `${uiUrl}/namespaces/${namespace}/workflows/${accountWorkflowId(accountId)}`;

  const client = await connectClient(config);
  let db: Kysely<Database> | undefined;
  try {
    db = await openDatabase(config);
    await waitForWorker(client, taskQueue, options.workerWaitMs ?? 15_000);
    const billing = new AccountWorkflowClient({ temporal: client, taskQueue });
    const provisioning = new AccountProvisioning({ db, workflows: billing });

    const { cycleEnd, trafficEnd } = placeRun(options, Date.now());
    const scenario = simulationScenario({ ...options, suffix, cycleEnd });
    const traffic = generateTraffic({
      seed: options.seed,
      accounts: scenario.accounts,
      trafficEnd,
    });
    const simStart = Math.min(...scenario.accounts.map((a) => a.createdAt));

    say(
      `run ${suffix} (seed ${options.seed}): ${scenario.accounts.length} account(s) on ` +
        `${scenario.plans.length} plans, one accountBilling workflow each on task queue ` +
        `'${taskQueue}'`,
    );
    for (const plan of scenario.plans) {
      await provisioning.createPlan(plan);
      say(
        `plan ${plan.id}: ${plan.allowanceCredits} credits a month, ${plan.creditsPerMinute} ` +
          `a minute, ${plan.overagePricePerCredit} ${plan.currency} per extra credit, alerts at ` +
          `${plan.alertThresholdsPercent.join(', ')}%`,
      );
    }
    for (const a of scenario.accounts) {
      await provisioning.createAccount({
        id: a.id,
        planId: a.planId,
        timeZone: a.timeZone,
        createdAt: formatInstant(a.createdAt),
        billingAnchor: a.billingAnchor,
        graceSeconds: a.graceSeconds,
        billingEmails: [a.billingEmail],
      });
      const counts = traffic.counts.get(a.id)!;
      say(
        `account ${a.id} (${a.timeZone}, ${a.planId}): cycle ${localText(a.createdAt, a.timeZone)}` +
          ` to ${localText(cycleEnd, a.timeZone)} local; ${counts.calls} calls, ` +
          `${counts.duplicates} resent, ${counts.late} late, ${counts.bad} bad`,
      );
    }
    const signals = [...traffic.counts.values()].reduce((n, c) => n + c.signals, 0);
    say(
      `sending ${traffic.deliveries.length} events (${signals} by signal-with-start, the rest in ` +
        `recordCalls batches) ${speedText(options.speed)}; the cycles end at ` +
        `${formatInstant(cycleEnd).slice(11, 19)} UTC and close ${SIM_GRACE_SECONDS} s later`,
    );
    const began = Date.now();
    await sendTraffic(billing, options, traffic, simStart, trafficEnd, output.progress);
    say(`sent in ${((Date.now() - began) / 1000).toFixed(1)} s`);
    if (Date.now() > cycleEnd + SIM_GRACE_SECONDS * 1000) {
      say(
        'sending took past the close of the cycles: the calls that arrived after it are booked ' +
          'as late adjustments of the next cycle',
      );
    }

    const closeAt = cycleEnd + SIM_GRACE_SECONDS * 1000;
    say(
      `waiting for the cycles to close (in ${Math.max(0, Math.round((closeAt - Date.now()) / 1000))} s)...`,
    );
    await sleep(Math.max(0, closeAt - Date.now()));
    const usages = await waitForCloses(
      billing,
      scenario.accounts,
      closeAt + (options.closeTimeoutMs ?? 60_000),
      uiUrlOf,
    );
    const emails = await waitForEmails(db, scenario.accounts, Date.now() + 30_000);
    if (!emails.settled) {
      say('some emails are still waiting to be sent: see `billing notifications <account>`');
    }
    const accounts: AccountSummary[] = [];
    for (const a of scenario.accounts) {
      accounts.push(
        await summarize(db, a, usages.get(a.id)!, emails.rows.get(a.id)!, {
          workflowUrl: uiUrlOf(a.id),
          billingPageUrl: signBillingLink({
            baseUrl: config.links.publicBaseUrl,
            accountId: a.id,
            expiresAt: Date.now() + config.links.ttlSeconds * 1000,
            secret: config.links.secret,
          }),
        }),
      );
    }
    const summary: SimulationSummary = {
      suffix,
      seed: options.seed,
      accounts,
      links: {
        temporalUi: uiUrl,
        mailpit: config.smtp.inboxUrl,
        inspect: 'npm run -s billing -- accounts show <account>',
      },
    };
    return { scenario, traffic, cycleEnd, summary, usages };
  } finally {
    await client.connection.close();
    await db?.destroy();
  }
}
