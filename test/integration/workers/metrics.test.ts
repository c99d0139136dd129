/**
 * The worker process (the production entrypoint) serves the Temporal SDK's Prometheus metrics on
 * WORKER_METRICS_PORT, labelled with its task queue, for scraping.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../scripts/stack/ports.js';
import { createTestDatabase, type TestDatabase } from '../../harness/database.js';
import { startWorkerProcess, uniqueTaskQueue, type WorkerProcess } from '../../harness/workers.js';

describe('worker metrics', () => {
  let database: TestDatabase;
  let worker: WorkerProcess | undefined;
  const taskQueue = uniqueTaskQueue('metrics');

  beforeAll(async () => {
    database = await createTestDatabase('metrics');
  });
  afterAll(async () => {
    await worker?.stop('SIGTERM', 10_000);
    await database.drop();
  });

  it("serves the SDK's temporal_ metrics for its task queue on /metrics", async () => {
    const port = await freePort();
    worker = await startWorkerProcess(database, taskQueue, 'metrics-worker', {
      WORKER_METRICS_PORT: String(port),
    });
    const response = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const body = await response.text();
    const series = body.split('\n').filter((line) => line.startsWith('temporal_'));
    // The worker is polling (startWorkerProcess waited for it), so its pollers are counted.
    expect(series.some((line) => /^temporal_num_pollers\{/.test(line))).toBe(true);
    expect(series.some((line) => line.includes(`task_queue="${taskQueue}"`))).toBe(true);
  });
});
