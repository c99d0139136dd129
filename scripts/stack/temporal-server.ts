import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { type ManagedProcess, startProcess, waitUntil } from './managed-process.js';
import type { SearchAttributeDefinition } from '../../workers/registered-search-attributes.js';

export interface TemporalDevServerOptions {
  readonly toolsDir: string;
  readonly port: number;
  /** Null runs headless (the test harness has no use for the Web UI). */
  readonly uiPort: number | null;
  /** SQLite file that keeps workflows across restarts; null keeps them in memory. */
  readonly dbFile: string | null;
  readonly namespace: string;
  readonly searchAttributes: readonly SearchAttributeDefinition[];
  readonly logFile: string;
  readonly startTimeoutMs?: number;
}

export interface TemporalDevServer {
  readonly process: ManagedProcess;
  readonly address: string;
  readonly uiUrl: string | null;
}

/** Starts `temporal server start-dev` from the built CLI and waits until its namespace answers. */
export async function startTemporalDevServer(
  options: TemporalDevServerOptions,
): Promise<TemporalDevServer> {
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(options.port)];
  args.push('--log-level', 'warn', '--log-format', 'json');
  if (options.uiPort === null) args.push('--headless');
  else args.push('--ui-port', String(options.uiPort));
  if (options.dbFile !== null) args.push('--db-filename', options.dbFile);
  if (options.namespace !== 'default') args.push('--namespace', options.namespace);
  for (const { name, type } of options.searchAttributes) {
    args.push('--search-attribute', `${name}=${type}`);
  }
  const server = startProcess({
    name: 'temporal',
    command: join(options.toolsDir, 'temporal'),
    args,
    logFile: options.logFile,
  });
  const address = `127.0.0.1:${options.port}`;
  await waitUntil(() => namespaceAnswers(address, options.namespace), {
    what: `Temporal dev server on ${address}`,
    timeoutMs: options.startTimeoutMs ?? 60_000,
    process: server,
  });
  const uiUrl = options.uiPort === null ? null : `http://localhost:${options.uiPort}`;
  if (options.uiPort !== null) {
    const ui = `http://127.0.0.1:${options.uiPort}/`;
    await waitUntil(async () => (await fetch(ui)).ok, {
      what: `Temporal Web UI on ${ui}`,
      timeoutMs: 30_000,
      process: server,
    });
  }
  return { process: server, address, uiUrl };
}

/** True once the frontend accepts a connection and knows the namespace. */
export async function namespaceAnswers(address: string, namespace: string): Promise<boolean> {
  const connection = await Connection.connect({ address, connectTimeout: 1_000 });
  try {
    await connection.workflowService.describeNamespace({ namespace });
    return true;
  } finally {
    await connection.close();
  }
}
