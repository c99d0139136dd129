/**
 * GET /healthz: whether the edge can do its work, i.e. reach Temporal and PostgreSQL; 200 when
 * both answer, 503 otherwise, with each one's state. A load balancer takes the edge out of service
 * on 503, and the sender's retries go to an edge that can record them.
 */
import type { FastifyPluginCallback } from 'fastify';
import { sql } from 'kysely';
import type { EdgeContext } from '../context.js';

/** How long each dependency may take to answer a health check. */
const CHECK_TIMEOUT_MS = 2_000;
/**
 * A last resort after the checks' own deadlines. Temporal's check ends by its gRPC deadline (so no
 * retry of it is left pending when the connection closes); PostgreSQL's by its connect timeout.
 */
const GUARD_MS = CHECK_TIMEOUT_MS + 3_000;

type DependencyState = { reachable: true } | { reachable: false; error: string };

async function check(probe: () => Promise<unknown>): Promise<DependencyState> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      probe(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${GUARD_MS} ms`)), GUARD_MS);
      }),
    ]);
    return { reachable: true };
  } catch (error) {
    return { reachable: false, error: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(timer);
  }
}

export function healthRoutes(ctx: EdgeContext): FastifyPluginCallback {
  return (app, _options, done) => {
    app.get('/healthz', async (_request, reply) => {
      const temporal = ctx.billing.temporal;
      const [temporalState, postgresState] = await Promise.all([
        check(() =>
          temporal.withDeadline(Date.now() + CHECK_TIMEOUT_MS, () =>
            temporal.workflowService.getSystemInfo({}),
          ),
        ),
        check(() => sql`select 1`.execute(ctx.db)),
      ]);
      const ok = temporalState.reachable && postgresState.reachable;
      return reply.code(ok ? 200 : 503).send({
        status: ok ? 'ok' : 'unavailable',
        temporal: temporalState,
        postgres: postgresState,
      });
    });
    done();
  };
}
