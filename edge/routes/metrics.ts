import type { FastifyPluginCallback } from 'fastify';
import type { EdgeMetrics } from '../metrics.js';

/** GET /metrics: the edge's own registry in Prometheus's text format. */
export function metricsRoutes(metrics: EdgeMetrics): FastifyPluginCallback {
  return (app, _options, done) => {
    app.get('/metrics', async (_request, reply) => {
      const { registry } = metrics;
      return reply.header('content-type', registry.contentType).send(await registry.metrics());
    });
    done();
  };
}
