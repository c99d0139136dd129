/**
 * An account created while the workflow its first events started is draining them as
 * `unknown_account`: the creation attaches to that run, which must become the account's billing
 * workflow instead of ending.
 */
import { describe, expect, it } from 'vitest';
import { listRejections } from '../../../db/repositories/calls.js';
import {
  completedCall,
  growthPlan,
  uniqueAccountId,
  waitForUsage,
} from '../../harness/accounts.js';
import { useStack } from '../../harness/stack.js';

const late = uniqueAccountId('late');
let firstAttempt: () => void = () => undefined;
const failedOnce = new Promise<void>((resolve) => {
  firstAttempt = resolve;
});
let failed = false;
const bed = useStack('late-account', {
  workers: {
    identity: 'late-account',
    deps: {
      // Hold the drain open: its first batch commits, then its answer is lost and retried.
      afterIngestCommit: (input) => {
        if (input.account !== null || failed) return;
        failed = true;
        firstAttempt();
        throw new Error('injected: the answer of the unknown-account batch is lost');
      },
    },
  },
});

describe('an account created while its unknown-account run drains', () => {
  it('gets its billing workflow, and counts the calls sent after its creation', async () => {
    await bed.workers.runUntil(
      (async () => {
        await bed.provisioning.createPlan(growthPlan);
        await bed.billing.sendCallEvent(late, completedCall(late, 60, { callId: 'too-early' }));
        await failedOnce;
        // The run is still draining (its batch is being retried): create the account now.
        await bed.provisioning.createAccount({
          id: late,
          planId: 'growth',
          timeZone: 'UTC',
          createdAt: new Date(Date.now() - 86_400_000).toISOString(),
        });
        const rejected = await listRejections(bed.database.db, late);
        expect(rejected.map((r) => [r.call_id, r.reason])).toEqual([
          ['too-early', 'unknown_account'],
        ]);
        const usage = await waitForUsage(bed.billing, late, () => true, 'the account billing');
        expect(usage.cycle.usedMillicredits).toBe('0');
        const runs = await bed.billing.handle(late).describe();
        expect(runs.status.name).toBe('RUNNING');
        await bed.billing.sendCallEvent(late, completedCall(late, 120, { callId: 'counted' }));
        await waitForUsage(
          bed.billing,
          late,
          (u) => u.cycle.usedMillicredits === '2000',
          'the call after the creation counted',
        );
      })(),
    );
  });
});
