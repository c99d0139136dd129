import { type NativeConnection, Worker, type WorkflowBundleOption } from '@temporalio/worker';
import type { Activities } from '../activities/index.js';
import type { Config } from '../config/config.js';

export interface BillingWorkerOptions {
  readonly connection: NativeConnection;
  readonly config: Pick<Config, 'temporal' | 'worker'>;
  readonly activities: Activities;
  readonly workflowBundle: WorkflowBundleOption;
}

/**
 * The worker for the billing task queue, shared by the entrypoint and the tests so both run the
 * same options. The sticky-queue timeout decides how soon another worker takes over a workflow
 * whose worker died: Temporal's 10 s default in production, a second in tests.
 */
export function createBillingWorker(options: BillingWorkerOptions): Promise<Worker> {
  const { connection, config, activities, workflowBundle } = options;
  return Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    identity: config.worker.identity,
    workflowBundle,
    activities,
    stickyQueueScheduleToStartTimeout: config.worker.stickyQueueTimeoutMs,
    shutdownGraceTime: config.worker.shutdownGraceMs,
  });
}
