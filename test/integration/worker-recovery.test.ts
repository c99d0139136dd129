import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { runProbeWorkflow } from '../../client/probe.js';
import { findProbe } from '../../db/repositories/probes.js';
import { waitUntil } from '../../scripts/stack/managed-process.js';
import { uniqueRecipient, waitForMessagesTo } from '../harness/mailbox.js';
import { useStack } from '../harness/stack.js';

describe('a worker process killed mid-activity', () => {
  const bed = useStack('recovery');

  it('is replaced by another worker and the workflow completes within seconds', async () => {
    const probeId = randomUUID();
    const recipient = uniqueRecipient('recovery');

    const first = await bed.startWorkerProcess('first');
    const run = runProbeWorkflow(bed.temporal, bed.config, {
      probeId,
      recipient,
      holdMs: 1_500, // every attempt waits this long (heartbeating) before its writes
      timeoutMs: 60_000,
    });
    run.catch(() => undefined); // awaited below; keep an early failure from going unhandled

    // Wait until the first worker is inside the activity, then kill it without warning.
    const handle = bed.temporal.workflow.getHandle(`probe-${probeId}`);
    await waitUntil(
      async () => {
        const { raw } = await handle.describe();
        const activity = raw.pendingActivities?.[0];
        return activity?.lastWorkerIdentity === first.identity && activity.attempt === 1;
      },
      { what: 'the probe activity running on the first worker', timeoutMs: 20_000 },
    );
    first.child.kill('SIGKILL');
    expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });
    const killedAt = Date.now();

    const second = await bed.startWorkerProcess('second');
    const result = await run;
    const recoverySeconds = (Date.now() - killedAt) / 1000;

    // The first attempt died before writing; the retry on the second worker wrote the row.
    expect(result).toMatchObject({ probeId, workerIdentity: second.identity, activityAttempt: 2 });
    expect(await findProbe(bed.database.db, probeId)).toMatchObject({
      worker_identity: second.identity,
      activity_attempt: 2,
    });
    const messages = await waitForMessagesTo(recipient);
    expect(messages.map((m) => m.messageId)).toEqual([`probe.${probeId}@billing.local`]);
    // Heartbeat timeout (2 s) + retry + sticky-queue timeout (1 s) + worker start: seconds, not minutes.
    expect(recoverySeconds).toBeLessThan(20);

    await second.stop('SIGTERM');
    expect(second.exitStatus()).toEqual({ code: 0, signal: null });
  });
});
