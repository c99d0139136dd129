/**
 * `billing doctor`: is the stack this configuration points at healthy? Checks PostgreSQL (reachable,
 * migrations current), SMTP (EHLO), Temporal (frontend, namespace, a worker polling the task
 * queue) and then runs the probe workflow end to end through the worker: its activity writes a row
 * that the doctor reads back and sends an email. Prints one line per part; exits 1 naming every
 * part that failed. No check throws: any error, expected or not, is its part's ✗ line.
 */
import { randomUUID } from 'node:crypto';
import { WorkflowFailedError, type Client } from '@temporalio/client';
import { createSmtpMailer } from '../../mail/mailer.js';
import { connectClient, workflowPollers } from '../../client/temporal-client.js';
import { runProbeWorkflow } from '../../client/probe.js';
import { createDb, describeDatabaseUrl } from '../../db/connection.js';
import { migrationStatus } from '../../db/migrate.js';
import { findProbe } from '../../db/repositories/probes.js';
import { type Config, ConfigError, loadConfig } from '../../config/config.js';
import { missingSearchAttributes } from '../../workers/search-attributes.js';

type Outcome = { ok: true; detail: string } | { ok: false; detail: string; skipped?: boolean };

const ok = (detail: string): Outcome => ({ ok: true, detail });
const failed = (detail: string): Outcome => ({ ok: false, detail });
const skipped = (detail: string): Outcome => ({ ok: false, detail, skipped: true });

function reason(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return reason(error.errors[0]);
  return error instanceof Error ? error.message || error.name : String(error);
}

/** Runs a check so that nothing escapes it: an error the check did not expect is its ✗ line. */
async function total(check: () => Promise<Outcome>): Promise<Outcome> {
  try {
    return await check();
  } catch (error) {
    return failed(`the check failed unexpectedly: ${reason(error)}`);
  }
}

async function checkPostgres(config: Config): Promise<Outcome> {
  const where = describeDatabaseUrl(config.postgres.url);
  const db = createDb(config.postgres.url, { maxConnections: 1, connectTimeoutMs: 3_000 });
  try {
    const status = await migrationStatus(db);
    if (status.pending.length > 0) {
      return failed(
        `${where} answers, but ${status.pending.length} migration(s) are pending ` +
          `(${status.pending.join(', ')}): run \`npm run migrate\` or start the worker, which migrates`,
      );
    }
    return ok(`${where} answers; migrations current (${status.applied.length} applied)`);
  } catch (error) {
    const hint = config.postgres.embedded
      ? 'is the dev stack running (`npm run dev`)? It starts the embedded server'
      : 'is DATABASE_URL right and the server up?';
    return failed(`cannot use ${where}: ${reason(error)}; ${hint}`);
  } finally {
    await db.destroy();
  }
}

async function checkSmtp(config: Config): Promise<Outcome> {
  const mailer = createSmtpMailer({
    url: config.smtp.url,
    from: config.smtp.from,
    timeoutMs: 3_000,
  });
  try {
    await mailer.verify();
    return ok(`${config.smtp.url} answered EHLO`);
  } catch (error) {
    return failed(`cannot talk to ${config.smtp.url} (SMTP_URL): ${reason(error)}`);
  } finally {
    mailer.close();
  }
}

async function checkTemporal(
  config: Config,
  client: Client | null,
  error: unknown,
): Promise<Outcome> {
  const { address, namespace, taskQueue } = config.temporal;
  if (client === null) {
    return failed(`${reason(error)}; is the dev stack running (\`npm run dev\`)?`);
  }
  try {
    await client.workflowService.describeNamespace({ namespace });
  } catch (describeError) {
    return failed(
      `${address} answers, but namespace '${namespace}' (TEMPORAL_NAMESPACE): ${reason(describeError)}`,
    );
  }
  let missing: string[] | null;
  try {
    missing = await missingSearchAttributes(client.connection, namespace);
  } catch (listError) {
    return failed(
      `${address} namespace '${namespace}' answers, but its search attributes cannot be listed: ` +
        reason(listError),
    );
  }
  if (missing !== null && missing.length > 0) {
    return failed(
      `${address} namespace '${namespace}' lacks the account workflow's search attributes ` +
        `${missing.join(', ')}: register them (docs/operations.md); the worker refuses to start without them`,
    );
  }
  let pollers: string[];
  try {
    pollers = await workflowPollers(client, taskQueue);
  } catch (pollersError) {
    return failed(
      `${address} namespace '${namespace}' answers, but the pollers of task queue '${taskQueue}' ` +
        `(TASK_QUEUE) cannot be listed: ${reason(pollersError)}`,
    );
  }
  if (pollers.length === 0) {
    return failed(
      `${address} namespace '${namespace}' answers, but no worker polls task queue '${taskQueue}' ` +
        '(TASK_QUEUE): start one with `npm run worker`, or the whole stack with `npm run dev`',
    );
  }
  const unchecked = missing === null ? ' (search attributes not checked: not permitted)' : '';
  return ok(
    `${address} namespace '${namespace}'; task queue '${taskQueue}' polled by ${pollers.join(', ')}` +
      unchecked,
  );
}

/** Why a probe that did not finish in time is stuck, read from its pending state. */
async function diagnoseStuckProbe(client: Client, workflowId: string): Promise<string> {
  const handle = client.workflow.getHandle(workflowId);
  try {
    const { raw } = await handle.describe();
    const activity = raw.pendingActivities?.[0];
    if (!activity) {
      return 'no worker took its workflow task: is a worker for this task queue running and connected?';
    }
    const failure = activity.lastFailure?.message;
    const attempts = activity.attempt ?? 1;
    return failure
      ? `its activity failed ${attempts} time(s), last: ${failure}`
      : `its activity (attempt ${attempts}) has not finished: is the worker stuck or gone?`;
  } catch (error) {
    return `cannot describe it: ${reason(error)}`;
  } finally {
    // Leave nothing behind retrying after the doctor has given up.
    await handle.terminate('billing doctor gave up waiting').catch(() => undefined);
  }
}

async function checkEndToEnd(config: Config, client: Client): Promise<Outcome> {
  const probeId = `doctor-${new Date().toISOString().replace(/[:.]/g, '-')}-${randomUUID().slice(0, 8)}`;
  const started = Date.now();
  const timeoutMs = config.doctor.timeoutMs;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  try {
    const run = runProbeWorkflow(client, config, {
      probeId,
      recipient: 'doctor@billing.local',
      // Temporal ends the run a little after the doctor stops waiting, whatever happens here.
      timeoutMs: timeoutMs + 5_000,
    });
    const result = await Promise.race([run, timedOut]);
    if (result === 'timeout') {
      void run.catch(() => undefined);
      const why = await diagnoseStuckProbe(client, `probe-${probeId}`);
      return failed(
        `probe workflow probe-${probeId} did not finish within ${timeoutMs / 1000}s (DOCTOR_TIMEOUT_MS): ${why}`,
      );
    }
    const db = createDb(config.postgres.url, { maxConnections: 1, connectTimeoutMs: 3_000 });
    try {
      const row = await findProbe(db, probeId);
      if (row === undefined) {
        return failed(
          `the worker ran probe ${probeId} but its row is not in ${describeDatabaseUrl(config.postgres.url)}: ` +
            'the worker uses another database than this DATABASE_URL',
        );
      }
    } finally {
      await db.destroy();
    }
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    return ok(
      `probe workflow ran on ${result.workerIdentity} in ${seconds}s: row ${result.rowId} in probes, ` +
        `email ${result.emailMessageId} sent`,
    );
  } catch (error) {
    const cause =
      error instanceof WorkflowFailedError ? reason(error.cause ?? error) : reason(error);
    return failed(`probe workflow probe-${probeId} failed: ${cause}`);
  } finally {
    clearTimeout(timer);
  }
}

const usage =
  'usage: billing doctor [--json]\n\nChecks PostgreSQL, SMTP, Temporal and a workflow run end to end.\n' +
  'With --json: {"ok", "checks": [{"part", "ok", "skipped", "detail"}]}. Exit 1 when a check fails.\n';

export async function run(args: string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(usage);
    return 0;
  }
  const json = args.includes('--json');
  const unexpected = args.find((arg) => arg !== '--json');
  if (unexpected !== undefined) {
    process.stderr.write(`billing doctor: unexpected argument '${unexpected}'\n\n${usage}`);
    return 2;
  }
  const checks: { part: string; ok: boolean; skipped: boolean; detail: string }[] = [];
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stdout.write(
      json
        ? `${JSON.stringify({ ok: false, checks: [{ part: 'configuration', ok: false, skipped: false, detail: error.message }] }, null, 2)}\n`
        : `  ✗ configuration  ${error.message}\ndoctor: FAILED: configuration\n`,
    );
    return 1;
  }

  const failures: string[] = [];
  const report = (part: string, outcome: Outcome) => {
    const skipped = 'skipped' in outcome && outcome.skipped === true;
    const mark = outcome.ok ? '✓' : skipped ? '-' : '✗';
    checks.push({ part, ok: outcome.ok, skipped, detail: outcome.detail });
    if (!json) process.stdout.write(`  ${mark} ${part.padEnd(10)}  ${outcome.detail}\n`);
    if (!outcome.ok && !skipped) failures.push(part);
  };

  const [postgres, smtp, connected] = await Promise.all([
    total(() => checkPostgres(config)),
    total(() => checkSmtp(config)),
    connectClient(config, 3_000).then(
      (client) => ({ client, error: null }),
      (error: unknown) => ({ client: null, error }),
    ),
  ]);
  report('PostgreSQL', postgres);
  report('SMTP', smtp);
  const temporal = await total(() => checkTemporal(config, connected.client, connected.error));
  report('Temporal', temporal);

  const blockers = [
    postgres.ok ? null : 'PostgreSQL',
    smtp.ok ? null : 'SMTP',
    temporal.ok ? null : 'Temporal',
  ].filter((part): part is string => part !== null);
  const client = connected.client;
  if (blockers.length > 0 || client === null) {
    report('end to end', skipped(`not run: needs ${blockers.join(', ')}`));
  } else {
    report('end to end', await total(() => checkEndToEnd(config, client)));
  }
  // Every part has been reported; a connection that fails to close changes none of that.
  await connected.client?.connection.close().catch(() => undefined);

  process.stdout.write(
    json
      ? `${JSON.stringify({ ok: failures.length === 0, checks }, null, 2)}\n`
      : failures.length === 0
        ? 'doctor: all checks passed\n'
        : `doctor: FAILED: ${failures.join(', ')}\n`,
  );
  return failures.length === 0 ? 0 : 1;
}
