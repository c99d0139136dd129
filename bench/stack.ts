/**
 * The private stack the end-to-end benchmarks (`bench:ingest`, `bench:hot`) run on, so a figure
 * never depends on what else a developer has running: a Temporal dev server in memory on a free
 * port (from `.tools/bin`), a fresh PostgreSQL database (`bench_<random>` on DATABASE_URL's
 * server, dropped at the end; otherwise an embedded server in a temp folder), migrated, an
 * in-process billing worker on it, account provisioning and the account workflow client. Everything stops on exit and on Ctrl-C.
 *
 * The worker sends no mail during a benchmark; its deps still need a Mailer, so it gets an SMTP
 * mailer pointed at a port nobody listens on.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import type { Kysely } from 'kysely';
import pg from 'pg';
import { createActivities } from '../activities/index.js';
import { createSmtpMailer } from '../mail/mailer.js';
import { AccountProvisioning } from '../client/account-provisioning.js';
import { AccountWorkflowClient } from '../client/account-workflow-client.js';
import type { UsageReply } from '../contract/usage-reply.js';
import { createDb, describeDatabaseUrl } from '../db/connection.js';
import { migrateToLatest } from '../db/migrate.js';
import type { Database } from '../db/schema.js';
import { postgresAnswers, startEmbeddedPostgres } from '../scripts/stack/embedded-postgres.js';
import { runningProcesses, waitUntil } from '../scripts/stack/managed-process.js';
import { freePort } from '../scripts/stack/ports.js';
import { customSearchAttributes } from '../workers/registered-search-attributes.js';
import { startTemporalDevServer } from '../scripts/stack/temporal-server.js';
import { activityDeps } from '../workers/activity-deps.js';
import { childEnvironment, type Config, loadConfig, parseConfig } from '../config/config.js';
import { createLogger } from '../logging/logger.js';
import { createBillingWorker } from '../workers/worker.js';
import { bundleWorkflows } from '../workers/workflow-bundle.js';

/** Progress lines go to stderr; the figures go to stdout. */
export const say = (line: string): void => void process.stderr.write(`[bench] ${line}\n`);

export interface BenchStackOptions {
  /** Names the scratch folder and the database. */
  readonly label: string;
  /** Worker configuration on top of the environment, e.g. CONTINUE_AS_NEW_AFTER_EVENTS. */
  readonly workerEnv?: Readonly<Record<string, string>>;
}

/**
 * The code measured: the commit, plus the workflow and activity files changed since it (others may
 * be editing the checkout, and the benchmark runs whatever is there).
 */
export function codeVersion(root: string): string {
  const git = (...args: string[]) =>
    execFileSync('git', ['-C', root, ...args], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trimEnd();
  try {
    const commit = git('rev-parse', '--short', 'HEAD');
    const changed = git('status', '--porcelain', '--', 'workflows', 'activities', 'billing', 'db')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => line.slice(3));
    return changed.length === 0
      ? `commit ${commit}`
      : `commit ${commit} + uncommitted changes in ${changed.join(', ')}`;
  } catch {
    return 'version unknown (not a git checkout)';
  }
}

export interface BenchStack {
  /** The configuration the in-process worker runs with. */
  readonly config: Config;
  readonly temporal: Client;
  readonly billing: AccountWorkflowClient;
  readonly provisioning: AccountProvisioning;
  readonly db: Kysely<Database>;
  readonly temporalAddress: string;
  /** Where the database lives, for the report. */
  readonly postgres: string;
  /** What code runs (see codeVersion). */
  readonly code: string;
}

type Cleanup = () => Promise<void>;

async function adminQuery(url: string, sql: (client: pg.Client) => string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql(client));
  } finally {
    await client.end();
  }
}

async function startBenchStack(
  options: BenchStackOptions,
  cleanups: Cleanup[],
  aborted: AbortSignal,
): Promise<BenchStack> {
  const base = loadConfig();
  const temporalBin = join(base.paths.toolsDir, 'temporal');
  if (!existsSync(temporalBin)) {
    throw new Error(`temporal is not in ${base.paths.toolsDir}: run \`npm run setup\` first`);
  }
  const scratch = mkdtempSync(join(tmpdir(), `bench-${options.label}-`));
  cleanups.push(() => Promise.resolve(rmSync(scratch, { recursive: true, force: true })));
  // Runs after every later cleanup (LIFO), before the scratch folder with their data goes.
  cleanups.push(async () => {
    await Promise.all(
      runningProcesses().map((p) => p.stop(p.name === 'postgres' ? 'SIGINT' : 'SIGTERM', 10_000)),
    );
  });
  const checkAborted = () => {
    if (aborted.aborted) throw new Error('interrupted while starting');
  };

  const [temporalPort, postgresPort, unusedSmtpPort] = await Promise.all([
    freePort(),
    freePort(),
    freePort(),
  ]);
  const began = Date.now();
  const temporalStart = startTemporalDevServer({
    toolsDir: base.paths.toolsDir,
    port: temporalPort,
    uiPort: null,
    dbFile: null,
    namespace: 'default',
    searchAttributes: customSearchAttributes,
    logFile: join(scratch, 'temporal.log'),
  });
  const postgresStart = base.postgres.embedded
    ? startEmbeddedPostgres({
        dataDir: join(scratch, 'postgres'),
        port: postgresPort,
        database: 'postgres',
        logFile: join(scratch, 'postgres.log'),
        ephemeral: true,
      }).then((server) => ({ adminUrl: server.adminUrl, where: 'embedded PostgreSQL' }))
    : waitUntil(() => postgresAnswers(base.postgres.url), {
        what: `PostgreSQL at ${describeDatabaseUrl(base.postgres.url)} (DATABASE_URL)`,
        timeoutMs: 10_000,
      }).then(() => ({ adminUrl: base.postgres.url, where: 'DATABASE_URL server' }));
  const bundling = bundleWorkflows();
  // allSettled: when one part fails, let the others finish starting so that all of them stop.
  const settled = await Promise.allSettled([temporalStart, postgresStart, bundling]);
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  const [temporalServer, postgres, bundle] = await Promise.all([
    temporalStart,
    postgresStart,
    bundling,
  ]);
  checkAborted();

  const databaseName = `bench_${randomBytes(4).toString('hex')}`;
  await adminQuery(postgres.adminUrl, (c) => `CREATE DATABASE ${c.escapeIdentifier(databaseName)}`);
  cleanups.push(() =>
    adminQuery(
      postgres.adminUrl,
      (c) => `DROP DATABASE IF EXISTS ${c.escapeIdentifier(databaseName)} WITH (FORCE)`,
    ),
  );
  const url = new URL(postgres.adminUrl);
  url.pathname = `/${databaseName}`;
  const databaseUrl = url.toString();

  const config = parseConfig(
    childEnvironment({
      TEMPORAL_ADDRESS: temporalServer.address,
      TEMPORAL_NAMESPACE: 'default',
      TASK_QUEUE: 'billing',
      DATABASE_URL: databaseUrl,
      SMTP_URL: `smtp://127.0.0.1:${unusedSmtpPort}`,
      WORKER_IDENTITY: `bench-${options.label}-${process.pid}`,
      WORKFLOW_BUNDLE_PATH: undefined,
      ...options.workerEnv,
    }),
  );
  const db = createDb(databaseUrl, { maxConnections: 10 });
  cleanups.push(() => db.destroy());
  await migrateToLatest(db);
  checkAborted();

  // Warnings only, unless --verbose: then the workflows' and activities' INFO lines too.
  const logLevel = process.argv.includes('--verbose') ? 'INFO' : 'WARN';
  Runtime.install({ logger: createLogger(logLevel), shutdownSignals: [] });
  const workerConnection = await NativeConnection.connect({ address: temporalServer.address });
  cleanups.push(() => workerConnection.close());
  const mailer = createSmtpMailer({ url: config.smtp.url, from: config.smtp.from });
  cleanups.push(() => Promise.resolve(mailer.close()));
  const worker: Worker = await createBillingWorker({
    connection: workerConnection,
    config,
    activities: createActivities(activityDeps(config, db, mailer)),
    workflowBundle: bundle,
  });
  const running = worker.run();
  // A worker that fails mid-run is reported here; the benchmark then times out waiting for usage.
  running.catch((error: unknown) => say(`the worker stopped: ${describeError(error)}`));
  cleanups.push(async () => {
    if (worker.getState() === 'RUNNING') worker.shutdown();
    await running.catch(() => undefined);
  });

  const connection = await Connection.connect({ address: temporalServer.address });
  cleanups.push(() => connection.close());
  const temporal = new Client({ connection, namespace: 'default' });
  const billing = new AccountWorkflowClient({ temporal, taskQueue: config.temporal.taskQueue });
  const provisioning = new AccountProvisioning({ db, workflows: billing });
  say(
    `stack up in ${((Date.now() - began) / 1000).toFixed(1)}s: Temporal dev server ${temporalServer.address} ` +
      `(in memory), database ${databaseName} on the ${postgres.where}, worker in this process`,
  );
  return {
    config,
    temporal,
    billing,
    provisioning,
    db,
    temporalAddress: temporalServer.address,
    postgres: postgres.where,
    code: codeVersion(base.paths.root),
  };
}

/**
 * Starts the stack, runs `body` on it and stops everything, also on SIGINT/SIGTERM (`aborted`
 * fires so the body's loops can end early). Exits the process with the body's code (0 when it
 * returns nothing), 1 when it throws, 130 on a signal.
 */
export async function runBench(
  options: BenchStackOptions,
  body: (stack: BenchStack, aborted: AbortSignal) => Promise<number | void>,
): Promise<never> {
  const cleanups: Cleanup[] = [];
  const abort = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (abort.signal.aborted) return;
    say(`${signal}: stopping`);
    abort.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const interrupted = new Promise<'signal'>((resolve) =>
    abort.signal.addEventListener('abort', () => resolve('signal'), { once: true }),
  );
  let code: number;
  const work = (async () => {
    const stack = await startBenchStack(options, cleanups, abort.signal);
    return (await body(stack, abort.signal)) ?? 0;
  })();
  try {
    const outcome = await Promise.race([work, interrupted]);
    code = outcome === 'signal' ? 130 : outcome;
  } catch (error) {
    if (abort.signal.aborted) code = 130;
    else {
      say(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      code = 1;
    }
  }
  work.catch(() => undefined); // after a signal, its failure as things stop is expected
  for (const cleanup of cleanups.reverse()) {
    await cleanup().catch((error: unknown) => say(`cleanup: ${describeError(error)}`));
  }
  // Anything started while a signal interrupted the start (its cleanup was not registered yet).
  await Promise.all(runningProcesses().map((p) => p.stop('SIGKILL', 1_000)));
  process.exit(code);
}

function usageError(message: string): never {
  process.stderr.write(`[bench] ${message}\n`);
  process.exit(2);
}

/**
 * The integer flags `names` from `argv` (`--name value` or `--name=value`), `fallbacks` for those
 * not given; `--verbose` is also allowed. Exits with a message on an unknown flag or a bad value.
 */
export function intFlags<K extends string>(
  argv: readonly string[],
  fallbacks: Readonly<Record<K, number>>,
): Record<K, number> {
  const values: Record<string, number> = { ...fallbacks };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--verbose') continue;
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    const name = match?.[1];
    if (name === undefined || !(name in fallbacks)) {
      usageError(
        `unknown argument ${JSON.stringify(arg)}; flags: ` +
          `${[...Object.keys(fallbacks), 'verbose'].map((n) => `--${n}`).join(' ')}`,
      );
    }
    const text = match?.[2] ?? argv[++i];
    const value = Number(text);
    if (text === undefined || !Number.isInteger(value) || value < 1) {
      usageError(`--${name} expects a positive whole number (got ${JSON.stringify(text ?? null)})`);
    }
    values[name] = value;
  }
  return values;
}

/** An error's message with its causes' ("Failed to signalWithStart Workflow: <why>"). */
export function describeError(error: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = error; e !== undefined && e !== null && parts.length < 5;) {
    if (!(e instanceof Error)) {
      parts.push(typeof e === 'string' ? e : JSON.stringify(e));
      break;
    }
    parts.push(e.message);
    e = e.cause;
  }
  return parts.join(': ');
}

/** The p-th percentile (0..100) of `values` (nearest rank). */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

/**
 * Runs `send(i)` for i in [0, count) with at most `concurrency` in flight; returns each call's
 * latency in ms. Stops early (throwing) once `aborted` fires.
 */
export async function sendAll(
  count: number,
  concurrency: number,
  send: (i: number) => Promise<void>,
  aborted: AbortSignal,
): Promise<number[]> {
  const latencies = new Array<number>(count);
  let next = 0;
  const lane = async () => {
    for (;;) {
      if (aborted.aborted) throw new Error('interrupted');
      const i = next++;
      if (i >= count) return;
      const start = performance.now();
      await send(i);
      latencies[i] = performance.now() - start;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
  return latencies;
}

/** Sleeps `ms`, or less when `aborted` fires. */
export async function pause(ms: number, aborted: AbortSignal): Promise<void> {
  await sleep(ms, undefined, { signal: aborted }).catch(() => undefined);
}

/** The plan of the benchmarks: 1 credit a minute, per-second rounding, a huge allowance. */
export const benchPlan = {
  id: 'bench',
  name: 'Bench',
  allowanceCredits: '100000000',
  creditsPerMinute: '1',
  overagePricePerCredit: '0.10',
  currency: 'USD',
};

/** A completed inbound call of `seconds`, answered at `answeredAt` (epoch ms). */
export function benchCall(
  accountId: string,
  callId: string,
  answeredAt: number,
  seconds: number,
): Record<string, unknown> {
  return {
    callId,
    accountId,
    direction: 'inbound',
    status: 'completed',
    answeredAt: new Date(answeredAt).toISOString(),
    endedAt: new Date(answeredAt + seconds * 1000).toISOString(),
  };
}

/** Usage queries the workflow refused (e.g. "not loaded" while a continued run starts). */
export interface QueryRefusals {
  count: number;
  last: string;
}

/**
 * The `usage` query, asked again every 50 ms while the workflow refuses it (for up to 30 s), each
 * refusal counted in `refusals`: the figures then say how often a caller would have seen an error.
 */
export async function usageOf(
  stack: BenchStack,
  accountId: string,
  refusals: QueryRefusals,
  aborted: AbortSignal,
): Promise<UsageReply> {
  const deadline = performance.now() + 30_000;
  for (;;) {
    try {
      return await stack.billing.usage(accountId);
    } catch (error) {
      refusals.count++;
      refusals.last = describeError(error);
      if (aborted.aborted || performance.now() > deadline) throw error;
      await pause(50, aborted);
    }
  }
}

/** One line about refused queries, or null when there were none. */
export function describeRefusals(refusals: QueryRefusals): string | null {
  return refusals.count === 0
    ? null
    : `usage query REFUSED ${refusals.count} time${refusals.count === 1 ? '' : 's'} ` +
        `(asked again 50 ms later), last: ${refusals.last}`;
}

/** Waits until the account's workflow answers the usage query (its account is loaded). */
export async function waitLoaded(stack: BenchStack, accountId: string): Promise<void> {
  await waitUntil(
    async () => {
      await stack.billing.usage(accountId);
      return true;
    },
    { what: `account ${accountId} loaded`, timeoutMs: 60_000, intervalMs: 100 },
  );
}

export interface RunCost {
  readonly runId: string;
  /** When the run started (epoch ms). */
  readonly startedAt: number;
  /** History events of the run, its workflow tasks, activities scheduled and signals received. */
  readonly events: number;
  readonly workflowTasks: number;
  /** Workflow tasks that failed (e.g. a continue-as-new refused because a signal came meanwhile). */
  readonly failedWorkflowTasks: number;
  /** Distinct `<cause>: <message>` of those failures. */
  readonly failureCauses: string[];
  readonly activities: number;
  readonly signals: number;
  /** How the run ended: 'running', 'continued-as-new', 'terminated: <reason>', ... */
  readonly closed: string;
}

type History = Awaited<ReturnType<WorkflowHandle['fetchHistory']>>;

/** Names of the workflow task failure causes a benchmark is likely to meet (temporal.api.enums.v1). */
const FAILURE_CAUSES: Record<number, string> = {
  1: 'UNHANDLED_COMMAND (a message arrived while the task closed the run)',
  13: 'RESET_STICKY_TASK_QUEUE',
  14: 'WORKFLOW_WORKER_UNHANDLED_FAILURE',
  17: 'FORCE_CLOSE_COMMAND',
  24: 'NON_DETERMINISTIC_ERROR',
  31: 'UNHANDLED_UPDATE',
};

function failureCause(cause: number | null | undefined): string {
  return cause == null ? 'cause unknown' : (FAILURE_CAUSES[cause] ?? `cause ${cause}`);
}
type HistoryEvent = NonNullable<History['events']>[number];

function closedAs(last: HistoryEvent | undefined): string {
  if (last?.workflowExecutionContinuedAsNewEventAttributes != null) return 'continued-as-new';
  if (last?.workflowExecutionCompletedEventAttributes != null) return 'completed';
  if (last?.workflowExecutionFailedEventAttributes != null) return 'failed';
  if (last?.workflowExecutionTimedOutEventAttributes != null) return 'timed out';
  const terminated = last?.workflowExecutionTerminatedEventAttributes;
  if (terminated != null) return `terminated: ${terminated.reason ?? ''}`;
  return 'running';
}

/**
 * Every run of the workflow id, oldest first, counted from the histories themselves. Runs are
 * found both ways: backwards from the current run through each first event's "continued from"
 * (exact, immediate) and through visibility (which also finds a run that was terminated and then
 * replaced by a fresh start, which no continue-as-new links).
 */
export async function runCosts(client: Client, workflowId: string): Promise<RunCost[]> {
  const histories = new Map<string, History>();
  let runId = (await client.workflow.getHandle(workflowId).describe()).runId;
  for (;;) {
    const history: History = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    histories.set(runId, history);
    const previous =
      history.events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId;
    if (!previous || histories.has(previous)) break;
    runId = previous;
  }
  for await (const info of client.workflow.list({ query: `WorkflowId = "${workflowId}"` })) {
    if (!histories.has(info.runId)) {
      histories.set(
        info.runId,
        await client.workflow.getHandle(workflowId, info.runId).fetchHistory(),
      );
    }
  }
  const runs = [...histories].map(([id, history]): RunCost => {
    const events = history.events ?? [];
    const count = (has: (e: HistoryEvent) => unknown) =>
      events.filter((e) => has(e) != null).length;
    const time = events[0]?.eventTime;
    return {
      runId: id,
      startedAt: time ? Number(time.seconds ?? 0) * 1000 + Math.floor((time.nanos ?? 0) / 1e6) : 0,
      events: events.length,
      workflowTasks: count((e) => e.workflowTaskCompletedEventAttributes),
      failedWorkflowTasks: count((e) => e.workflowTaskFailedEventAttributes),
      failureCauses: [
        ...new Set(
          events.flatMap((e) => {
            const failed = e.workflowTaskFailedEventAttributes;
            return failed == null
              ? []
              : [
                  `${failureCause(failed.cause)}${failed.failure?.message ? `: ${failed.failure.message}` : ''}`,
                ];
          }),
        ),
      ],
      activities: count((e) => e.activityTaskScheduledEventAttributes),
      signals: count((e) => e.workflowExecutionSignaledEventAttributes),
      closed: closedAs(events.at(-1)),
    };
  });
  return runs.sort((x, y) => x.startedAt - y.startedAt);
}

export interface CpuUse {
  readonly seconds: number;
  /** Cores busy on the whole machine (other people's processes included), and its core count. */
  readonly machine: number;
  readonly cores: number;
  /** Cores used by this process (client and worker), the Temporal server and PostgreSQL. */
  readonly node: number;
  readonly temporal: number;
  /** Null when PostgreSQL is DATABASE_URL's server (not ours to measure: it counts as other). */
  readonly postgres: number | null;
}

const TICKS_PER_SECOND = 100;

function machineTicks(): { busy: number; total: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1);
  const ticks = fields.map(Number);
  const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0);
  const total = ticks.reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

/**
 * CPU ticks (user + system) of the process `pid`, its process group and its direct children
 * (PostgreSQL's backends each start a session of their own, so the group alone misses them).
 */
function treeTicks(pid: number | undefined): number {
  if (pid === undefined) return 0;
  let ticks = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // After "pid (comm) ": state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const mine = Number(entry) === pid || Number(fields[1]) === pid || Number(fields[2]) === pid;
      if (mine) ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // The process ended meanwhile.
    }
  }
  return ticks;
}

/**
 * Starts measuring CPU; the returned function gives the use since then. Null where /proc is
 * missing (not Linux). PostgreSQL is counted only when embedded (a DATABASE_URL server is not ours).
 */
export function cpuMeter(): (() => CpuUse) | null {
  if (!existsSync('/proc/stat')) return null;
  const pid = (name: string) => runningProcesses().find((p) => p.name === name)?.pid;
  const temporalPid = pid('temporal');
  const postgresPid = pid('postgres');
  const began = { at: performance.now(), machine: machineTicks(), node: process.cpuUsage() };
  const temporal0 = treeTicks(temporalPid);
  const postgres0 = treeTicks(postgresPid);
  return () => {
    const seconds = (performance.now() - began.at) / 1000;
    const machine = machineTicks();
    const cores = cpus().length;
    const busyShare =
      (machine.busy - began.machine.busy) / Math.max(1, machine.total - began.machine.total);
    const node = process.cpuUsage(began.node);
    // A backend that exits takes its ticks along: never report less than nothing.
    const perSecond = (ticks: number) => Math.max(0, ticks / TICKS_PER_SECOND / seconds);
    return {
      seconds,
      machine: busyShare * cores,
      cores,
      node: (node.user + node.system) / 1e6 / seconds,
      temporal: perSecond(treeTicks(temporalPid) - temporal0),
      postgres: postgresPid === undefined ? null : perSecond(treeTicks(postgresPid) - postgres0),
    };
  };
}

/** One line: where the CPU went. */
export function describeCpu(use: CpuUse | null): string {
  if (use === null) return 'CPU: not measured (no /proc)';
  const c = (n: number) => n.toFixed(2);
  const others = Math.max(0, use.machine - use.node - use.temporal - (use.postgres ?? 0));
  const postgres = use.postgres === null ? 'n/a (DATABASE_URL)' : c(use.postgres);
  return (
    `CPU (cores busy of ${use.cores}): machine ${c(use.machine)} = Temporal server ${c(use.temporal)}` +
    ` + node (client + worker) ${c(use.node)} + PostgreSQL ${postgres} + other ${c(others)}`
  );
}
