import { NativeConnection } from '@temporalio/worker';
import type { Config } from '../config/config.js';

export class TemporalUnreachableError extends Error {
  override readonly name = 'TemporalUnreachableError';
}

/** The worker's connection to the Temporal frontend, failing with the address when it is down. */
export async function connectWorker(config: Pick<Config, 'temporal'>): Promise<NativeConnection> {
  try {
    return await NativeConnection.connect({ address: config.temporal.address });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new TemporalUnreachableError(
      `cannot reach Temporal at ${config.temporal.address} (TEMPORAL_ADDRESS): ${reason}`,
      { cause: error },
    );
  }
}
