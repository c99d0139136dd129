import { Client, Connection } from '@temporalio/client';
import type { Config } from '../config/config.js';

export class TemporalUnavailableError extends Error {
  override readonly name = 'TemporalUnavailableError';
}

/**
 * A Temporal client for the configured namespace; fails within `connectTimeoutMs` with the
 * address and the variable to change when the frontend does not answer.
 */
export async function connectClient(
  config: Pick<Config, 'temporal'>,
  connectTimeoutMs = 5_000,
): Promise<Client> {
  const { address, namespace } = config.temporal;
  let connection: Connection;
  try {
    connection = await Connection.connect({ address, connectTimeout: connectTimeoutMs });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new TemporalUnavailableError(
      `cannot reach Temporal at ${address} (TEMPORAL_ADDRESS): ${reason}`,
      { cause: error },
    );
  }
  return new Client({ connection, namespace });
}

/** Identities of the workers that polled `taskQueue` for workflow tasks in the last minute or so. */
export async function workflowPollers(client: Client, taskQueue: string): Promise<string[]> {
  const response = await client.workflowService.describeTaskQueue({
    namespace: client.options.namespace,
    taskQueue: { name: taskQueue },
    taskQueueType: 1, // TASK_QUEUE_TYPE_WORKFLOW
  });
  return (response.pollers ?? []).map((poller) => poller.identity ?? '(unnamed worker)');
}
