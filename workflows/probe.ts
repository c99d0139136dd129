import { proxyActivities } from '@temporalio/workflow';
import type { Activities, ProbeActivityResult } from '../activities/index.js';

export interface ProbeWorkflowInput {
  readonly probeId: string;
  readonly recipient: string;
  readonly holdMs: number;
  /**
   * Activity timeouts come from the starter's configuration, not from constants here: workflow
   * code cannot read the environment, and tests need seconds where production wants a minute.
   */
  readonly activityTimeouts: { readonly startToCloseMs: number; readonly heartbeatMs: number };
}

/**
 * The smallest workflow that proves the stack end to end: a worker polls the task queue, runs an
 * activity that writes to PostgreSQL and sends an email. Used by `billing doctor` and the tests.
 */
export async function probeWorkflow(input: ProbeWorkflowInput): Promise<ProbeActivityResult> {
  const { runProbe } = proxyActivities<Activities>({
    startToCloseTimeout: input.activityTimeouts.startToCloseMs,
    heartbeatTimeout: input.activityTimeouts.heartbeatMs,
    retry: { initialInterval: '200ms', backoffCoefficient: 2, maximumInterval: '5s' },
  });
  return runProbe({ probeId: input.probeId, recipient: input.recipient, holdMs: input.holdMs });
}
