/**
 * The worker process (the production entrypoint) serves the Temporal SDK's Prometheus metrics on
 * WORKER_METRICS_PORT, labelled with its task queue, for scraping.
 */
import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../scripts/stack/ports.js';
import { childEnvironment, parseConfig } from '../../../config/config.js';
import { useStack } from '../../harness/stack.js';
import type { WorkerProcess } from '../../harness/workers.js';

describe('worker metrics', () => {
  const bed = useStack('metrics');
  let worker: WorkerProcess | undefined;

  afterAll(async () => {
    await worker?.stop('SIGTERM', 10_000);
  });

  it("serves the SDK's temporal_ metrics for its task queue on /metrics", async () => {
    const port = await freePort();
    worker = await bed.startWorkerProcess('metrics-worker', {
      WORKER_METRICS_PORT: String(port),
    });
    const response = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const body = await response.text();
    const series = body.split('\n').filter((line) => line.startsWith('temporal_'));
    // The worker is polling (startWorkerProcess waited for it), so its pollers are counted.
    expect(series.some((line) => /^temporal_num_pollers\{/.test(line))).toBe(true);
    expect(series.some((line) => line.includes(`task_queue="${bed.taskQueue}"`))).toBe(true);
  });

  it('refuses to start when its metrics port is taken, naming the variable', async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const address = holder.address();
    const taken = typeof address === 'object' && address !== null ? address.port : 0;
    try {
      const main = join(parseConfig({}).paths.root, 'dist', 'workers', 'main.js');
      const run = promisify(execFile)(process.execPath, [main], {
        env: childEnvironment({
          ...bed.env,
          WORKER_METRICS_PORT: String(taken),
        }),
        timeout: 30_000,
      });
      await expect(run).rejects.toMatchObject({
        code: 1,
        stderr: expect.stringMatching(
          new RegExp(`127\\.0\\.0\\.1:${taken}: set WORKER_METRICS_PORT to another port`),
        ) as unknown,
      });
    } finally {
      holder.close();
    }
  });
});
