import type { FastifyPluginCallback } from 'fastify';
import type { EdgeContext } from '../context.js';

/** GET /metrics: the edge's own registry in Prometheus's text format. */
export function metricsRoutes(ctx: EdgeContext): FastifyPluginCallback {
  return (app, _options, done) => {
    app.get('/metrics', async (_request, reply) => {
      const { registry } = ctx.metrics;
      return reply.header('content-type', registry.contentType).send(await registry.metrics());
    });
    done();
  };
}
