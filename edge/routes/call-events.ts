/**
 * POST /v1/call-events: call events from telephony platforms' webhooks, one event or a batch of up
 * to 500, for the account of the request's API key. The answer comes only once the events are
 * durably recorded (recordCalls, update-with-start), with one outcome per event; when that takes
 * longer than the configured timeout, or Temporal cannot be reached, 503 says "send it again",
 * which is safe: the account's workflow records each call id once.
 */
import type { FastifyPluginCallback, FastifyReply, FastifyRequest } from 'fastify';
import { BillingRequestError } from '../../client/billing-errors.js';
import { touchApiKey } from '../../db/repositories/api-keys.js';
import type { ApiKeyRow } from '../../db/schema.js';
import { recordRejections } from '../../db/repositories/calls.js';
import type { CallOutcome } from '../../contract/call-outcome.js';
import { CONTINUING_AS_NEW_ERROR, isFailure } from '../../contract/failures.js';
import { QueueFullError } from '../account-limiter.js';
import {
  edgeBatchId,
  eventsOfBody,
  mergeOutcomes,
  refusalStatus,
  screenEvents,
  type ScreenedEvents,
} from '../call-events-body.js';
import { authenticate } from '../authenticate.js';
import { keyRateLimit } from '../rate-limits.js';
import type { EdgeContext } from '../context.js';
import { isWorkflowBusy } from '../workflow-busy.js';

/** last_used_at is written at most this often per key. */
const TOUCH_INTERVAL_MS = 60_000;
/** What Retry-After says after a timeout (seconds): the worker or Temporal may be back by then. */
const RETRY_AFTER_UNAVAILABLE = '5';
const RETRY_AFTER_QUEUE_FULL = '1';
/** After Temporal refused an update for the workflow's updates in flight: they finish in ~1 s. */
const RETRY_AFTER_WORKFLOW_BUSY = '2';

class UpdateTimeoutError extends Error {
  override readonly name = 'UpdateTimeoutError';
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The account of the request's API key (set by the onRequest hook). */
    accountId: string | null;
    /** The id of the request's live API key (set with accountId). */
    apiKeyId: ApiKeyRow['id'] | null;
  }
}

export function callEventsRoutes(ctx: EdgeContext): FastifyPluginCallback {
  return (app, _options, done) => {
    app.decorateRequest('accountId', null);
    app.decorateRequest('apiKeyId', null);

    // Before the body is read: a wrong key is told so even when its body is too large or malformed.
    app.addHook('onRequest', async (request, reply) => {
      const key = await authenticate(ctx.db, request.headers.authorization, ctx.unknownKeyPrefixes);
      if (!key.ok) {
        return reply
          .code(401)
          .header('www-authenticate', 'Bearer')
          .send({ error: 'unauthorized', message: key.message });
      }
      request.accountId = key.row.account_id;
      request.apiKeyId = key.row.id;
      await touchApiKey(ctx.db, key.row.id, new Date(ctx.clock()), TOUCH_INTERVAL_MS);
      return undefined;
    });
    // After the key is known to be live: a claimed key never uses up another's allowance.
    app.addHook(
      'onRequest',
      keyRateLimit(app, ctx.config, (request) => `key:${String(request.apiKeyId)}`),
    );

    app.post('/v1/call-events', async (request, reply) => handle(ctx, request, reply));
    done();
  };
}

async function handle(ctx: EdgeContext, request: FastifyRequest, reply: FastifyReply) {
  const accountId = request.accountId;
  if (accountId === null) throw new Error('call-events route reached without an account');
  // No body at all (no Content-Type either, so no parser ran): as an empty JSON body.
  if (request.body === undefined) {
    return reply.code(400).send({
      error: 'malformed_json',
      message: 'the body is empty: send a call event or {"events": [...]}',
    });
  }
  const body = eventsOfBody(request.body);
  if (!body.ok) return reply.code(400).send({ error: 'invalid_body', message: body.message });
  const { events } = body;
  const screened = screenEvents(events, accountId, sizesAsReceived(request, events));
  await recordEdgeRejections(ctx, accountId, events, screened);

  const refused = refusalStatus(screened);
  if (refused !== undefined) {
    const outcomes = mergeOutcomes(events.length, screened, []);
    countOutcomes(ctx, outcomes);
    return reply.code(refused).send(
      refused === 403
        ? {
            error: 'account_mismatch',
            message:
              "an event is for another account than this API key's and none is valid: none was counted",
            outcomes,
          }
        : {
            error: 'invalid_events',
            message: 'no event in the request is valid: none was counted',
            outcomes,
          },
    );
  }

  const valid = screened.forwarded;
  const timeoutMs = ctx.config.updateTimeoutMs;
  const deadline = new AbortController();
  const timer = setTimeout(
    () => deadline.abort(new UpdateTimeoutError(`not recorded within ${timeoutMs} ms`)),
    timeoutMs,
  );
  let recorded: CallOutcome[];
  try {
    recorded = await ctx.limiter
      .run(accountId, deadline.signal, () =>
        untilAborted(
          deadline.signal,
          ctx.billing.temporal.withAbortSignal(deadline.signal, () =>
            ctx.billing.recordCalls(accountId, valid),
          ),
        ),
      )
      .then((result) => result.outcomes);
  } catch (error) {
    return answerFailure(ctx, request, reply, error, accountId, timeoutMs);
  } finally {
    clearTimeout(timer);
  }
  const outcomes = mergeOutcomes(events.length, screened, recorded);
  countOutcomes(ctx, outcomes);
  return reply.code(200).send({ outcomes });
}

/**
 * Each event's size as the body's bytes held it (edge/json-body-parser.ts), when the scan found
 * them; otherwise (an `events` key written with escapes) each is measured by encoding it.
 */
function sizesAsReceived(
  request: FastifyRequest,
  events: readonly unknown[],
): number[] | undefined {
  const scan = request.jsonBodyScan;
  if (scan === null) return undefined;
  const sizes = 'events' in (request.body as object) ? scan.eventBytes : [scan.bodyBytes];
  return sizes !== null && sizes.length === events.length ? [...sizes] : undefined;
}

/**
 * The edge's own rejections, where ops read every rejection (`rejected_events`), under a batch id
 * derived from the request: the same request again records nothing twice.
 */
async function recordEdgeRejections(
  ctx: EdgeContext,
  accountId: string,
  events: readonly unknown[],
  screened: ScreenedEvents,
): Promise<void> {
  if (screened.rejected.length === 0) return;
  const arrivedAt = ctx.clock();
  await recordRejections(
    ctx.db,
    { accountId, batchId: edgeBatchId(accountId, events) },
    screened.rejected.map((r) => ({
      position: r.position,
      callId: r.callId,
      reason: r.reason,
      detail: r.detail,
      arrivedAt,
      arrived:
        r.tooLargeBytes === null
          ? { event: events[r.position] }
          : { tooLargeBytes: r.tooLargeBytes },
    })),
  );
}

/** Settles with `work`, or rejects with the signal's reason as soon as it aborts. */
function untilAborted<T>(signal: AbortSignal, work: Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () =>
      reject(signal.reason instanceof Error ? signal.reason : new Error(String(signal.reason)));
    if (signal.aborted) onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function answerFailure(
  ctx: EdgeContext,
  request: FastifyRequest,
  reply: FastifyReply,
  error: unknown,
  accountId: string,
  timeoutMs: number,
) {
  if (error instanceof QueueFullError) {
    return reply
      .code(429)
      .header('retry-after', RETRY_AFTER_QUEUE_FULL)
      .send({
        error: 'too_many_requests',
        message: `too many requests are waiting (${error.message}): send it again`,
      });
  }
  if (isWorkflowBusy(error)) {
    // Other edge processes fill the account's updates in flight too: see docs/operations.md.
    ctx.logger.warn('account workflow has too many updates in flight', {
      accountId,
      requestId: request.id,
      error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    });
    return reply.code(429).header('retry-after', RETRY_AFTER_WORKFLOW_BUSY).send({
      error: 'too_many_requests',
      message:
        'the account has too many requests in flight; none of these events was recorded: send it again',
    });
  }
  const transient =
    !(error instanceof BillingRequestError) || isFailure(error, CONTINUING_AS_NEW_ERROR);
  ctx.logger.warn('call events not confirmed', {
    accountId,
    requestId: request.id,
    error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
  });
  if (!transient) {
    return reply.code(500).send({
      error: 'internal',
      message: 'the account workflow refused the request; it was not recorded',
    });
  }
  const why =
    error instanceof UpdateTimeoutError
      ? `the events were not confirmed within ${timeoutMs} ms`
      : 'the billing engine cannot be reached';
  return reply
    .code(503)
    .header('retry-after', RETRY_AFTER_UNAVAILABLE)
    .send({
      error: 'unavailable',
      message: `${why}; each event is recorded once or not at all: send the request again`,
    });
}

function countOutcomes(ctx: EdgeContext, outcomes: readonly CallOutcome[]): void {
  for (const o of outcomes) {
    ctx.metrics.outcomes.inc({
      outcome: o.outcome,
      reason: o.outcome === 'rejected' ? o.reason : '',
    });
  }
}
