/**
 * GET /healthz: whether the edge can do its work, i.e. reach Temporal and PostgreSQL and find the
 * ledger's tables migrated (the worker migrates them at start, possibly after the edge started);
 * 200 when all hold, 503 otherwise, with each one's state. A load balancer takes the edge out of
 * service on 503, and the sender's retries go to an edge that can record them. The answer is
 * public: it says only true or false; why a check failed (driver messages name hosts and users)
 * goes to the edge's log.
 */
import type { FastifyPluginCallback } from 'fastify';
import { sql } from 'kysely';
import { migrationStatus } from '../../db/migrate.js';
import type { EdgeContext } from '../context.js';

/** How long each dependency may take to answer a health check. */
const CHECK_TIMEOUT_MS = 2_000;
/**
 * A last resort after the checks' own deadlines. Temporal's check ends by its gRPC deadline (so no
 * retry of it is left pending when the connection closes); PostgreSQL's by its connect timeout.
 */
const GUARD_MS = CHECK_TIMEOUT_MS + 3_000;

/** Settles with the probe's value, or rejects once it failed or took longer than GUARD_MS. */
async function guarded<T>(probe: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      probe(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${GUARD_MS} ms`)), GUARD_MS);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

const describe = (error: unknown) =>
  error instanceof Error ? `${error.name}: ${error.message}` : String(error);

export function healthRoutes(ctx: EdgeContext): FastifyPluginCallback {
  // Migrations only ever move forward: once current, only reachability is checked again.
  let migrationsCurrent = false;

  const temporalReachable = async (): Promise<boolean> => {
    const temporal = ctx.billing.temporal;
    try {
      await guarded(() =>
        temporal.withDeadline(Date.now() + CHECK_TIMEOUT_MS, () =>
          temporal.workflowService.getSystemInfo({}),
        ),
      );
      return true;
    } catch (error) {
      ctx.logger.warn('health check: Temporal unreachable', { error: describe(error) });
      return false;
    }
  };

  const postgresState = async (): Promise<{ reachable: boolean; migrationsCurrent: boolean }> => {
    try {
      if (migrationsCurrent) {
        await guarded(() => sql`select 1`.execute(ctx.db));
      } else {
        const { pending } = await guarded(() => migrationStatus(ctx.db));
        migrationsCurrent = pending.length === 0;
        if (!migrationsCurrent) {
          ctx.logger.warn('health check: database migrations pending (the worker applies them)', {
            pending: pending.join(', '),
          });
        }
      }
      return { reachable: true, migrationsCurrent };
    } catch (error) {
      ctx.logger.warn('health check: PostgreSQL unreachable', { error: describe(error) });
      return { reachable: false, migrationsCurrent };
    }
  };

  return (app, _options, done) => {
    app.get('/healthz', async (_request, reply) => {
      const [temporal, postgres] = await Promise.all([temporalReachable(), postgresState()]);
      const ok = temporal && postgres.reachable && postgres.migrationsCurrent;
      return reply.code(ok ? 200 : 503).send({
        status: ok ? 'ok' : 'unavailable',
        temporal: { reachable: temporal },
        postgres,
      });
    });
    done();
  };
}
