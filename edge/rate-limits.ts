/**
 * The edge's rate limits (@fastify/rate-limit, counted in this process): per client IP on every
 * route, before anything else runs (a flood of random keys, /healthz calls or link requests is cut
 * off before it reaches PostgreSQL), and per live API key on the call-event route, once the key is
 * known (a key's prefix is not secret: counting claimed prefixes would let anyone use up another
 * account's allowance).
 */
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config/config.js';

const MINUTE_MS = 60_000;

/** The error the limits throw; the edge's error handler answers it 429 with Retry-After. */
function tooManyRequests(_request: FastifyRequest, context: { after: string; max: number }) {
  return {
    statusCode: 429,
    code: 'EDGE_RATE_LIMITED',
    message: `more than ${context.max} requests a minute: send it again in ${context.after}`,
  };
}

export async function registerIpRateLimit(
  app: FastifyInstance,
  config: Config['edge'],
): Promise<void> {
  await app.register(rateLimit, { global: false });
  // A hook of the root instance, not the plugin's per-route one (`global: true`): route hooks run
  // after the hooks of the routes' plugins, and a flood refused 401 there would never be counted.
  app.addHook(
    'onRequest',
    app.rateLimit({
      max: config.rateLimitPerIpPerMinute,
      timeWindow: MINUTE_MS,
      keyGenerator: (request) => `ip:${request.ip}`,
      errorResponseBuilder: tooManyRequests,
    }),
  );
}

/**
 * A hook limiting the requests of the key `keyOf` names (run it after authentication). Built on
 * `createRateLimit`, not `rateLimit`: the plugin's hooks run once per request, and the per-IP one
 * has run already.
 */
export function keyRateLimit(
  app: FastifyInstance,
  config: Config['edge'],
  keyOf: (request: FastifyRequest) => string,
) {
  const limit = app.createRateLimit({
    max: config.rateLimitPerKeyPerMinute,
    timeWindow: MINUTE_MS,
    keyGenerator: keyOf,
  });
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const state = await limit(request);
    if (state.isAllowed || !state.isExceeded) return undefined;
    return reply
      .code(429)
      .header('retry-after', String(state.ttlInSeconds))
      .send({
        error: 'too_many_requests',
        message: `this API key sent more than ${state.max} requests a minute: send it again in ${state.ttlInSeconds} s`,
      });
  };
}
