/**
 * The edge's Prometheus metrics, in a registry of its own (not prom-client's global one), so two
 * servers in one process (the tests) never share or clash over counters.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface EdgeMetrics {
  readonly registry: Registry;
  readonly requests: Counter<'route' | 'method' | 'status'>;
  readonly duration: Histogram<'route'>;
  /** One per event answered: outcome accepted/duplicate/rejected, reason the rejection code. */
  readonly outcomes: Counter<'outcome' | 'reason'>;
  readonly updatesInFlight: Gauge;
  readonly updatesQueued: Gauge;
}

export function createEdgeMetrics(): EdgeMetrics {
  const registry = new Registry();
  // The Node.js process: CPU, memory, event loop lag, GC (what tells a starved edge from a slow
  // Temporal). Collected when scraped, into this registry only.
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    requests: new Counter({
      name: 'edge_http_requests_total',
      help: 'HTTP requests answered, by route, method and status code',
      labelNames: ['route', 'method', 'status'],
      registers: [registry],
    }),
    duration: new Histogram({
      name: 'edge_http_request_duration_seconds',
      help: 'Time from a request to its answer, by route',
      labelNames: ['route'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    outcomes: new Counter({
      name: 'edge_call_event_outcomes_total',
      help: 'Call events answered, by outcome and rejection code (empty unless rejected)',
      labelNames: ['outcome', 'reason'],
      registers: [registry],
    }),
    updatesInFlight: new Gauge({
      name: 'edge_record_calls_in_flight',
      help: 'recordCalls updates sent and not answered yet, all accounts',
      registers: [registry],
    }),
    updatesQueued: new Gauge({
      name: 'edge_record_calls_queued',
      help: 'Requests waiting in the edge for a free update slot of their account',
      registers: [registry],
    }),
  };
}
