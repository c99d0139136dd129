/**
 * The integration tests' fixture: what a test file (or a describe block) needs of the harness
 * servers, set up in `beforeAll` and torn down in `afterAll`, so no test file copies that setup.
 *
 * - `useTestDatabase(label)`: a fresh database, dropped at the end.
 * - `useStack(label, options)`: the account testbed (a database, a task queue of its own, a
 *   Temporal client, account provisioning and the account workflow client), and on request
 *   in-process workers, an SMTP server of the test's own, the scripted payment gateway and plans.
 *   Worker processes the tests start through it share its settings and are killed at the end.
 *
 * Both return their handle at once; its parts exist from `beforeAll` on, so tests and hooks read
 * them when they run (a file's own `beforeAll` runs after the fixture's, its `afterAll` before).
 */
import { afterAll, beforeAll } from 'vitest';
import type { ActivityDeps } from '../../activities/index.js';
import { runningProcesses } from '../../scripts/stack/managed-process.js';
import { parseConfig, type Config } from '../../config/config.js';
import { accountTestbed, type AccountTestbed } from './accounts.js';
import { createTestDatabase, type TestDatabase } from './database.js';
import { paymentFiles, type PaymentFiles } from './payments.js';
import { startSmtpSink, type SmtpSink } from './smtp-sink.js';
import {
  harnessEnv,
  inProcessWorkers,
  startWorkerProcess,
  type InProcessWorkers,
  type WorkerProcess,
} from './workers.js';

/**
 * A view of the object `current()` returns once the hooks have made it: a file's body runs before
 * its hooks, so it holds this view and its tests read through it.
 */
function setUpLater<T extends object>(what: string, current: () => T | undefined): T {
  return new Proxy({} as T, {
    get(_target, key) {
      const value = current();
      if (value === undefined) {
        throw new Error(`${what} is set up in beforeAll: use it in a test or a hook`);
      }
      const property: unknown = Reflect.get(value, key, value);
      return typeof property === 'function' ? (property as () => unknown).bind(value) : property;
    },
  });
}

/** A fresh, migrated (unless `migrate: false`) database for the file or describe block. */
export function useTestDatabase(label: string, options: { migrate?: boolean } = {}): TestDatabase {
  let database: TestDatabase | undefined;
  beforeAll(async () => {
    database = await createTestDatabase(label, options);
  });
  afterAll(async () => {
    await database?.drop();
  });
  return setUpLater(`the ${label} database`, () => database);
}

export interface StackOptions {
  /**
   * Workers in this process on the stack's task queue: with `running`, from `beforeAll` to
   * `afterAll`; otherwise while a test runs `workers.runUntil(...)`.
   */
  readonly workers?: {
    readonly running?: boolean;
    readonly identity?: string;
    readonly env?: Readonly<Record<string, string>>;
    readonly deps?: Partial<ActivityDeps>;
  };
  /** An SMTP server of the test's own (harness/smtp-sink.ts), where every worker sends. */
  readonly smtpSink?: boolean;
  /** The scripted payment gateway (harness/payments.ts), which every worker charges. */
  readonly payments?: boolean;
  /** Plans stored before the tests run. */
  readonly plans?: readonly unknown[];
}

export interface Stack extends Omit<AccountTestbed, 'close'> {
  /** What a worker or CLI process needs to reach this stack: the harness servers, sink, gateway. */
  readonly env: Readonly<Record<string, string>>;
  /** The configuration such a process reads from `env`. */
  readonly config: Config;
  /** With `workers`. */
  readonly workers: InProcessWorkers;
  /** With `smtpSink`. */
  readonly sink: SmtpSink;
  /** With `payments`. */
  readonly gateway: PaymentFiles;
  /** The production worker entrypoint on the stack's task queue, with `env` and these overrides. */
  startWorkerProcess(name: string, overrides?: Record<string, string>): Promise<WorkerProcess>;
}

function missing(label: string, part: string, option: string): never {
  throw new Error(`the ${label} stack has no ${part}: pass { ${option} } to useStack`);
}

async function startStack(
  label: string,
  options: StackOptions,
  teardown: (() => Promise<void>)[],
): Promise<Stack> {
  const bed = await accountTestbed(label);
  teardown.push(() => bed.close());
  // Worker processes a test started (and may have killed) leave nothing behind.
  teardown.push(async () => {
    await Promise.all(runningProcesses().map((p) => p.stop('SIGKILL', 1_000)));
  });
  const sink = options.smtpSink ? await startSmtpSink() : undefined;
  if (sink !== undefined) teardown.push(() => sink.close());
  const gateway = options.payments ? paymentFiles(label) : undefined;
  const shared: Record<string, string> = {
    ...(sink === undefined ? {} : { SMTP_URL: sink.url }),
    ...(gateway === undefined
      ? {}
      : {
          PAYMENT_ADAPTER: 'test',
          PAYMENT_TEST_LOG: gateway.logPath,
          PAYMENT_TEST_CONTROL: gateway.controlPath,
        }),
  };
  const env = { ...harnessEnv(bed.database, bed.taskQueue), ...shared };

  let workers: InProcessWorkers | undefined;
  if (options.workers !== undefined) {
    const { identity, running, deps } = options.workers;
    const started = await inProcessWorkers(bed.database, bed.taskQueue, identity, {
      env: { ...shared, ...options.workers.env },
      deps,
    });
    workers = started;
    teardown.push(() => started.close());
    if (running) {
      let stop!: () => void;
      const run = started.runUntil(new Promise<void>((resolve) => (stop = resolve)));
      teardown.push(async () => {
        stop();
        await run;
      });
    }
  }
  for (const plan of options.plans ?? []) await bed.provisioning.createPlan(plan);

  return {
    ...bed,
    env,
    config: parseConfig(env),
    get workers() {
      return workers ?? missing(label, 'workers', 'workers: {}');
    },
    get sink() {
      return sink ?? missing(label, 'SMTP sink', 'smtpSink: true');
    },
    get gateway() {
      return gateway ?? missing(label, 'payment gateway', 'payments: true');
    },
    startWorkerProcess: (name, overrides = {}) =>
      startWorkerProcess(bed.database, bed.taskQueue, name, { ...shared, ...overrides }),
  };
}

/** The stack for the file or describe block; see the module's comment and `StackOptions`. */
export function useStack(label: string, options: StackOptions = {}): Stack {
  let stack: Stack | undefined;
  const teardown: (() => Promise<void>)[] = [];
  beforeAll(async () => {
    stack = await startStack(label, options, teardown);
  });
  afterAll(async () => {
    // The reverse of the setup: workers stop before the database they write to is dropped.
    for (const step of teardown.splice(0).reverse()) await step();
  });
  return setUpLater(`the ${label} stack`, () => stack);
}
