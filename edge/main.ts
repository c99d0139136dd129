/**
 * The HTTP edge process: the call-event webhook and /healthz (edge/server.ts) and the customer
 * billing page (web/billing-page/), on HTTP_HOST:HTTP_PORT, and /metrics on EDGE_METRICS_HOST:
 * EDGE_METRICS_PORT (loopback by default), until SIGINT or SIGTERM; then
 * it stops taking requests, answers those in flight (each within EDGE_UPDATE_TIMEOUT_MS) and
 * closes its Temporal connection, database pool and SMTP transport. It starts even when Temporal or PostgreSQL is down (its /healthz
 * says so) and does not migrate the database: the worker does.
 */
import { Client, Connection } from '@temporalio/client';
import { createSmtpMailer } from '../mail/mailer.js';
import { AccountWorkflowClient } from '../client/account-workflow-client.js';
import { createDb } from '../db/connection.js';
import { loadConfig } from '../config/config.js';
import { assertEdgeLinkSecret } from '../config/link-secret-guard.js';
import { billingPagePlugin } from '../web/billing-page/plugin.js';
import { createLogger } from '../logging/logger.js';
import { edgeGrpcRetryInterceptor } from './grpc-retry.js';
import { createEdgeMetrics } from './metrics.js';
import { buildEdgeMetricsServer } from './metrics-server.js';
import { buildEdgeServer } from './server.js';

async function main(): Promise<void> {
  const config = loadConfig();
  assertEdgeLinkSecret(config);
  const logger = createLogger(config.logLevel);
  const db = createDb(config.postgres.url);
  // Lazy: the first request connects, so a Temporal outage at start is a 503, not a crash loop.
  const connection = Connection.lazy({
    address: config.temporal.address,
    interceptors: [edgeGrpcRetryInterceptor()],
  });
  const temporal = new Client({ connection, namespace: config.temporal.namespace });
  const billing = new AccountWorkflowClient({ temporal, taskQueue: config.temporal.taskQueue });
  const mailer = createSmtpMailer({ url: config.smtp.url, from: config.smtp.from });
  const metrics = createEdgeMetrics();
  const app = await buildEdgeServer({
    billing,
    db,
    config: config.edge,
    logger,
    metrics,
    httpLog: { level: config.logLevel },
  });
  const metricsApp = await buildEdgeMetricsServer(metrics);
  await app.register(billingPagePlugin, {
    billing,
    db,
    links: config.links,
    previousLinkSecrets: config.billingPage.previousLinkSecrets,
    mailer,
    messageIdDomain: config.smtp.messageIdDomain,
  });

  const stopped = new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  const address = await app.listen({ host: config.edge.host, port: config.edge.port });
  // Port 0 turns /metrics off (as WORKER_METRICS_PORT does for the worker).
  const metricsAddress =
    config.edge.metrics.port === 0
      ? null
      : await metricsApp.listen({ host: config.edge.metrics.host, port: config.edge.metrics.port });
  logger.info('edge listening', {
    url: address,
    metrics: metricsAddress === null ? 'off' : `${metricsAddress}/metrics`,
    temporal: config.temporal.address,
    taskQueue: config.temporal.taskQueue,
  });
  const signal = await stopped;
  logger.info('edge stopping', { signal });
  try {
    await app.close();
    await metricsApp.close();
  } finally {
    mailer.close();
    await connection.close();
    await db.destroy();
  }
  logger.info('edge stopped');
}

main().catch((error: unknown) => {
  process.stderr.write(`edge: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
