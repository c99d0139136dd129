/**
 * The worker process: migrate the database, bundle the workflows, poll the billing task queue
 * until SIGINT or SIGTERM, then finish in-flight tasks (up to WORKER_SHUTDOWN_GRACE_MS) and close
 * the database pool and the SMTP transport.
 */
import { Runtime } from '@temporalio/worker';
import { createActivities } from '../activities/index.js';
import { createSmtpMailer } from '../mail/mailer.js';
import { createDb, describeDatabaseUrl } from '../db/connection.js';
import { startRejectedRawRetention } from './rejected-raw-retention.js';
import { migrateToLatest } from '../db/migrate.js';
import { loadConfig } from '../config/config.js';
import { activityDeps } from './activity-deps.js';
import { createLogger } from '../logging/logger.js';
import { assertSearchAttributesRegistered } from './search-attributes.js';
import { connectWorker } from './temporal-connection.js';
import { createBillingWorker } from './worker.js';
import { loadWorkflowBundle } from './workflow-bundle.js';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  // The Runtime turns SIGINT/SIGTERM into a graceful worker shutdown: run() then resolves. Its
  // Prometheus exporter serves the SDK's metrics (polls, task latencies, failures) on /metrics.
  const { metricsBindAddress } = config.worker;
  try {
    Runtime.install({
      logger,
      shutdownSignals: ['SIGINT', 'SIGTERM'],
      ...(metricsBindAddress === null
        ? {}
        : { telemetryOptions: { metrics: { prometheus: { bindAddress: metricsBindAddress } } } }),
    });
  } catch (error) {
    // The exporter's port taken is the usual cause: name the variables that move it.
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(
      `${reason} (metrics on ${String(metricsBindAddress)}: set WORKER_METRICS_PORT to another ` +
        'port, or 0 to turn metrics off)',
      { cause: error },
    );
  }

  if (config.links.secretIsDevDefault) {
    logger.warn(
      'BILLING_LINK_SECRET is not set: emails carry billing-page links signed with the public ' +
        'local-development key; set it (32+ characters) outside a developer machine',
    );
  }
  const db = createDb(config.postgres.url);
  const mailer = createSmtpMailer({ url: config.smtp.url, from: config.smtp.from });
  try {
    const applied = await migrateToLatest(db);
    logger.info('database ready', {
      database: describeDatabaseUrl(config.postgres.url),
      migrationsApplied: applied,
    });
    const [connection, workflowBundle] = await Promise.all([
      connectWorker(config),
      loadWorkflowBundle(config.worker.workflowBundlePath),
    ]);
    await assertSearchAttributesRegistered(connection, config.temporal.namespace, () => {
      logger.warn(
        "this identity may not list the namespace's search attributes: make sure the account " +
          "workflow's are registered (docs/operations.md), or every account's workflow tasks fail",
        { namespace: config.temporal.namespace },
      );
    });
    const worker = await createBillingWorker({
      connection,
      config,
      activities: createActivities(activityDeps(config, db, mailer)),
      workflowBundle,
    });
    logger.info('worker polling', {
      taskQueue: config.temporal.taskQueue,
      namespace: config.temporal.namespace,
      temporal: config.temporal.address,
      identity: config.worker.identity,
      metrics: metricsBindAddress === null ? 'off' : `http://${metricsBindAddress}/metrics`,
    });
    const stopRetention = startRejectedRawRetention(
      db,
      config.worker.rejectedRawRetentionDays,
      logger,
    );
    try {
      await worker.run();
    } finally {
      stopRetention();
      await connection.close();
    }
    logger.info('worker stopped');
  } finally {
    mailer.close();
    await db.destroy();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`worker: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
