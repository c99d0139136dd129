/**
 * The edge's /metrics on a listener of its own (EDGE_METRICS_HOST:EDGE_METRICS_PORT, loopback by
 * default), off the public port: process and traffic figures are for the monitoring network, and
 * a scrape is not a request the public rate limits should count.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { EdgeMetrics } from './metrics.js';
import { metricsRoutes } from './routes/metrics.js';

export async function buildEdgeMetricsServer(metrics: EdgeMetrics): Promise<FastifyInstance> {
  const app = Fastify({ logger: false });
  await app.register(metricsRoutes(metrics));
  return app;
}
