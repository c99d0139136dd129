import type { Client } from '@temporalio/client';
import type { ProbeActivityResult } from '../activities/index.js';
import type { Config } from '../config/config.js';
import type { probeWorkflow } from '../workflows/index.js';

export interface ProbeRequest {
  readonly probeId: string;
  readonly recipient: string;
  /** See ProbeActivityInput.holdMs. */
  readonly holdMs?: number;
  /** The whole run's limit: Temporal ends the workflow after it, so nothing lingers. */
  readonly timeoutMs: number;
}

/** Runs the probe workflow on the billing task queue and waits for its result. */
export function runProbeWorkflow(
  client: Client,
  config: Pick<Config, 'temporal' | 'activities'>,
  request: ProbeRequest,
): Promise<ProbeActivityResult> {
  // By its type name, as the account workflow is started: the client loads no workflow code.
  return client.workflow.execute<typeof probeWorkflow>('probeWorkflow', {
    taskQueue: config.temporal.taskQueue,
    workflowId: `probe-${request.probeId}`,
    workflowExecutionTimeout: request.timeoutMs,
    args: [
      {
        probeId: request.probeId,
        recipient: request.recipient,
        holdMs: request.holdMs ?? 0,
        activityTimeouts: {
          startToCloseMs: config.activities.startToCloseTimeoutMs,
          heartbeatMs: config.activities.heartbeatTimeoutMs,
        },
      },
    ],
  });
}
