/**
 * Workers for integration tests, both kinds on the run's prebuilt workflow bundle:
 * - in this process (`startInProcessWorker`), for tests that only need one;
 * - as a child process running the real entrypoint (`startWorkerProcess`), which a test may
 *   SIGKILL. Its sticky-queue and activity timeouts are short, so a replacement takes over in
 *   seconds rather than Temporal's production minutes.
 * And, for workflow code of a test's own (never in workflows/), `bundleTestWorkflows` plus
 * `testWorkflowWorkers`: a worker in this process on that bundle, without activities.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import {
  bundleWorkflowCode,
  NativeConnection,
  Runtime,
  Worker,
  type WorkerOptions,
} from '@temporalio/worker';
import { inject } from 'vitest';
import { createActivities, type ActivityDeps } from '../../activities/index.js';
import { createSmtpMailer } from '../../mail/mailer.js';
import { workflowPollers } from '../../client/temporal-client.js';
import {
  type ManagedProcess,
  startProcess,
  waitUntil,
} from '../../scripts/stack/managed-process.js';
import { childEnvironment, type Config, parseConfig } from '../../config/config.js';
import { activityDeps } from '../../workers/activity-deps.js';
import { createLogger } from '../../logging/logger.js';
import { createBillingWorker } from '../../workers/worker.js';
import type { TestDatabase } from './database.js';

/** Test timings: a dead worker's sticky queue is abandoned after 1 s, a silent activity after 2 s. */
export const testTimings = {
  STICKY_QUEUE_TIMEOUT_MS: '1000',
  ACTIVITY_HEARTBEAT_TIMEOUT_MS: '2000',
  ACTIVITY_START_TO_CLOSE_TIMEOUT_MS: '20000',
  WORKER_SHUTDOWN_GRACE_MS: '2000',
} as const;

/** A task queue of its own, so workers of other tests never take this test's tasks. */
export function uniqueTaskQueue(label: string): string {
  return `test-${label}-${randomBytes(4).toString('hex')}`;
}

/** The environment a worker or CLI child process needs to reach the harness servers. */
export function harnessEnv(
  database: Pick<TestDatabase, 'url'>,
  taskQueue: string,
): Record<string, string> {
  return {
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TEMPORAL_NAMESPACE: 'default',
    TASK_QUEUE: taskQueue,
    DATABASE_URL: database.url,
    SMTP_URL: inject('smtpUrl'),
    WORKFLOW_BUNDLE_PATH: inject('workflowBundlePath'),
    LOG_LEVEL: 'INFO',
    // Many workers run at once: none serves metrics unless its test gives it a port.
    WORKER_METRICS_PORT: '0',
    ...testTimings,
  };
}

/** The configuration a process started with `harnessEnv` sees, for this test's own client. */
export function harnessConfig(database: Pick<TestDatabase, 'url'>, taskQueue: string): Config {
  return parseConfig(harnessEnv(database, taskQueue));
}

/** A client of the harness's Temporal server, or of the one at `address`. */
export async function connectTestClient(address = inject('temporalAddress')): Promise<Client> {
  const connection = await Connection.connect({ address });
  return new Client({ connection, namespace: 'default' });
}

let runtimeInstalled = false;

/** Temporal's runtime for this process, once: warnings and errors only (INFO buries vitest's). */
export function installTestRuntime(): void {
  if (runtimeInstalled) return;
  Runtime.install({ logger: createLogger('WARN'), shutdownSignals: [] });
  runtimeInstalled = true;
}

export interface InProcessWorkers {
  readonly identity: string;
  /**
   * Runs a worker until `work` settles, then shuts it down; returns `work`'s result. A Temporal
   * Worker runs once, so each call creates one (cheap: the bundle is prebuilt).
   */
  runUntil<T>(work: Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** Workers in this process for `taskQueue`, sharing one connection and one SMTP transport. */
export async function inProcessWorkers(
  database: TestDatabase,
  taskQueue: string,
  identity = `in-process-${process.pid}`,
  options: { env?: Record<string, string>; deps?: Partial<ActivityDeps> } = {},
): Promise<InProcessWorkers> {
  installTestRuntime();
  const config = parseConfig({
    ...harnessEnv(database, taskQueue),
    WORKER_IDENTITY: identity,
    ...options.env,
  });
  const connection = await NativeConnection.connect({ address: config.temporal.address });
  const mailer = createSmtpMailer({ url: config.smtp.url, from: config.smtp.from });
  const activities = createActivities(activityDeps(config, database.db, mailer, options.deps));
  return {
    identity,
    async runUntil(work) {
      const worker = await createBillingWorker({
        connection,
        config,
        activities,
        workflowBundle: { codePath: inject('workflowBundlePath') },
      });
      return worker.runUntil(work);
    },
    async close() {
      mailer.close();
      await connection.close();
    },
  };
}

/**
 * Bundles a test's own workflow module (the `.ts` file; the bundler resolves its `.js` imports
 * to their sources), as the global setup bundles workflows/ for the production workers.
 */
export async function bundleTestWorkflows(workflowsPath: string): Promise<{ code: string }> {
  const { code } = await bundleWorkflowCode({ workflowsPath, logger: createLogger('WARN') });
  return { code };
}

/**
 * Workers in this process for `taskQueue` on workflow code of the test's own (no activities),
 * with the test's sinks if any; the harness's Temporal server, namespace `default`.
 */
export async function testWorkflowWorkers(
  taskQueue: string,
  options: Pick<WorkerOptions, 'workflowBundle' | 'sinks'>,
  identity = `test-workflows-${process.pid}`,
): Promise<InProcessWorkers> {
  installTestRuntime();
  const connection = await NativeConnection.connect({ address: inject('temporalAddress') });
  return {
    identity,
    async runUntil(work) {
      const worker = await Worker.create({
        connection,
        namespace: 'default',
        taskQueue,
        identity,
        ...options,
      });
      return worker.runUntil(work);
    },
    close: () => connection.close(),
  };
}

export interface WorkerProcess extends ManagedProcess {
  readonly identity: string;
}

/**
 * Starts `dist/workers/main.js` (the production entrypoint, compiled by the global setup) and
 * waits until Temporal sees it polling `taskQueue`.
 */
export async function startWorkerProcess(
  database: Pick<TestDatabase, 'url'>,
  taskQueue: string,
  name: string,
  overrides: Readonly<Record<string, string>> = {},
): Promise<WorkerProcess> {
  const identity = `${name}-${randomBytes(3).toString('hex')}`;
  const root = parseConfig({}).paths.root;
  const child = startProcess({
    name,
    command: process.execPath,
    args: [join(root, 'dist', 'workers', 'main.js')],
    logFile: join(inject('runDir'), 'logs', `${taskQueue}-${identity}.log`),
    env: childEnvironment({
      ...harnessEnv(database, taskQueue),
      WORKER_IDENTITY: identity,
      ...overrides,
    }),
  });
  const client = await connectTestClient(overrides.TEMPORAL_ADDRESS);
  try {
    await waitUntil(async () => (await workflowPollers(client, taskQueue)).includes(identity), {
      what: `worker ${identity} polling ${taskQueue}`,
      timeoutMs: 30_000,
      process: child,
    });
  } finally {
    await client.connection.close();
  }
  return Object.assign(child, { identity });
}
