/**
 * A deliberate change to the workflows, for replay.test.ts: bundled with the real workflows/ as a
 * workflow interceptor module, it waits a second (a durable timer) before scheduling each activity,
 * as code that added a pause before every step would. The committed histories have no such timers
 * where their activities were scheduled, so replaying them on this bundle must fail with a
 * DeterminismViolationError: the change would need patching (`patched`) or a new workflow type.
 */
import { sleep, type WorkflowInterceptorsFactory } from '@temporalio/workflow';

export const interceptors: WorkflowInterceptorsFactory = () => ({
  outbound: [
    {
      async scheduleActivity(input, next) {
        await sleep('1 second');
        return next(input);
      },
    },
  ],
});
