/**
 * The HTTP edge: telephony platforms that cannot run a Temporal SDK post their call events here as
 * webhooks (POST /v1/call-events), authenticated by a per-account API key; the edge sends them to
 * the account's workflow and answers one outcome per event once they are recorded. Also /healthz;
 * /metrics has a listener of its own (metrics-server.ts). Each route group is a Fastify plugin;
 * the customer billing page joins them later.
 */
import type { Logger } from '@temporalio/common';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { AccountWorkflowClient } from '../client/account-workflow-client.js';
import type { Database } from '../db/schema.js';
import type { Config } from '../config/config.js';
import { AccountLimiter } from './account-limiter.js';
import type { EdgeContext } from './context.js';
import { JSON_TOO_DEEP, useScannedJsonParser } from './json-body-parser.js';
import { MAX_JSON_DEPTH } from './json-body-scan.js';
import { httpLogOptions, type HttpLogOptions } from './http-log.js';
import { createEdgeMetrics, type EdgeMetrics } from './metrics.js';
import { callEventsRoutes } from './routes/call-events.js';
import { healthRoutes } from './routes/health.js';
import { registerIpRateLimit } from './rate-limits.js';
import { UnknownKeyPrefixes } from './unknown-key-prefixes.js';

export interface EdgeDeps {
  readonly billing: AccountWorkflowClient;
  readonly db: Kysely<Database>;
  readonly config: Config['edge'];
  readonly logger: Logger;
  /** The time of arrival written with rejections and key use (tests may pin it). */
  readonly clock?: () => number;
  /** The request log (edge/http-log.ts); off when absent. */
  readonly httpLog?: HttpLogOptions;
  /** The registry the edge counts in; served by the metrics listener (metrics-server.ts). */
  readonly metrics?: EdgeMetrics;
}

/** Errors Fastify raises before a handler runs, as the edge answers them. */
const FRAMEWORK_ERRORS: Record<
  string,
  { error: string; message: (config: Config['edge']) => string }
> = {
  FST_ERR_CTP_BODY_TOO_LARGE: {
    error: 'body_too_large',
    message: (c) =>
      `the body is over ${c.bodyLimitBytes} bytes: send fewer events per request (at most 500)`,
  },
  FST_ERR_CTP_INVALID_JSON_BODY: {
    error: 'malformed_json',
    message: () => 'the body is not valid JSON',
  },
  [JSON_TOO_DEEP]: {
    error: 'malformed_json',
    message: () =>
      `the body nests JSON deeper than ${MAX_JSON_DEPTH} levels (arrays and objects): a call event needs 1, a batch 3`,
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: {
    error: 'malformed_json',
    message: () => 'the body is empty: send a call event or {"events": [...]}',
  },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    error: 'unsupported_media_type',
    message: () => 'send the body as JSON with "Content-Type: application/json"',
  },
};

/** Builds the edge (not listening yet): `await app.listen({ port, host })` starts it. */
export async function buildEdgeServer(deps: EdgeDeps): Promise<FastifyInstance> {
  const metrics = deps.metrics ?? createEdgeMetrics();
  const ctx: EdgeContext = {
    billing: deps.billing,
    db: deps.db,
    config: deps.config,
    logger: deps.logger,
    clock: deps.clock ?? Date.now,
    metrics,
    unknownKeyPrefixes: new UnknownKeyPrefixes(deps.config.unknownKeyPrefixes),
    limiter: new AccountLimiter(
      deps.config.updatesInFlightPerAccount,
      deps.config.queuedPerAccount,
      deps.config.queuedTotal,
      ({ inFlight, queued }) => {
        metrics.updatesInFlight.set(inFlight);
        metrics.updatesQueued.set(queued);
      },
    ),
  };
  const app = Fastify({
    ...(deps.httpLog === undefined ? { logger: false } : httpLogOptions(deps.httpLog)),
    bodyLimit: deps.config.bodyLimitBytes,
    // A request never waits longer than the update timeout plus its own reading and writing.
    requestTimeout: deps.config.updateTimeoutMs + 30_000,
  });

  // Fastify reads text/plain bodies as strings by default; the edge takes JSON only (415 otherwise).
  app.removeContentTypeParser('text/plain');
  useScannedJsonParser(app);

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const known = error.code === undefined ? undefined : FRAMEWORK_ERRORS[error.code];
    if (known !== undefined) {
      return reply
        .code(error.statusCode ?? 400)
        .send({ error: known.error, message: known.message(deps.config) });
    }
    if (error.statusCode === 429) {
      return reply.code(429).send({ error: 'too_many_requests', message: error.message });
    }
    if (error.statusCode !== undefined && error.statusCode < 500) {
      return reply.code(error.statusCode).send({ error: 'bad_request', message: error.message });
    }
    // A dependency failing (PostgreSQL down while a key is checked): nothing was recorded, or
    // what was is recorded once; the sender's retry is safe.
    deps.logger.warn('request failed', {
      requestId: request.id,
      url: request.url,
      error: `${error.name}: ${error.message}`,
    });
    return reply
      .code(503)
      .header('retry-after', '5')
      .send({
        error: 'unavailable',
        message: isUndefinedTable(error)
          ? 'the database is not migrated yet (the worker migrates it at start): send it again'
          : 'a dependency of the edge failed: send it again',
      });
  });
  app.setNotFoundHandler((request, reply) =>
    reply
      .code(404)
      .send({ error: 'not_found', message: `no route ${request.method} ${request.url}` }),
  );
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.requests.inc({ route, method: request.method, status: String(reply.statusCode) });
    metrics.duration.observe({ route }, reply.elapsedTime / 1000);
  });

  // First of the hooks: a client over its limit costs nothing else.
  await registerIpRateLimit(app, deps.config);
  await app.register(healthRoutes(ctx));
  await app.register(callEventsRoutes(ctx));
  return app;
}

/** PostgreSQL's undefined_table: the edge started before the worker created the ledger's tables. */
function isUndefinedTable(error: unknown): boolean {
  return (error as { code?: unknown }).code === '42P01';
}
