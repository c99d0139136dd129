/**
 * The compiled processes refuse the public development link key where others can reach them: the
 * edge when HTTP_HOST is not loopback, the worker when PUBLIC_BASE_URL is not local. Both exit
 * before they connect to anything, so no servers are needed.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { childEnvironment, parseConfig } from '../../../config/config.js';
import { freePort } from '../../../scripts/stack/ports.js';

const root = parseConfig({}).paths.root;

function run(entry: string, env: Record<string, string | undefined>) {
  return spawnSync(process.execPath, [join(root, 'dist', entry)], {
    env: childEnvironment({
      BILLING_LINK_SECRET: undefined,
      BILLING_LINK_SECRET_FILE: undefined,
      DATABASE_URL: 'postgres://billing@127.0.0.1:1/billing',
      TEMPORAL_ADDRESS: '127.0.0.1:1',
      ...env,
    }),
    encoding: 'utf8',
    timeout: 20_000,
  });
}

describe('the public development link key at process start', () => {
  it('makes the edge listening on 0.0.0.0 exit non-zero, naming BILLING_LINK_SECRET', async () => {
    const edge = run(join('edge', 'main.js'), {
      HTTP_HOST: '0.0.0.0',
      HTTP_PORT: String(await freePort()),
    });
    expect(edge.status).toBe(1);
    expect(edge.stderr).toMatch(/BILLING_LINK_SECRET: required when HTTP_HOST is not a loopback/);
  });

  it('makes the worker exit non-zero when PUBLIC_BASE_URL is not local', () => {
    const worker = run(join('workers', 'main.js'), {
      PUBLIC_BASE_URL: 'https://billing.example.com',
      WORKER_METRICS_PORT: '0',
    });
    expect(worker.status).toBe(1);
    expect(worker.stderr).toMatch(/BILLING_LINK_SECRET: required when PUBLIC_BASE_URL/);
  });
});
