/**
 * Drives real accounts through the account workflow's paths on the harness servers (an in-process
 * worker, the test payment gateway), checks that every run's history replays cleanly against the
 * current workflow bundle, and saves those histories under test/replay/histories when the run
 * records (`RECORD_HISTORIES=1`, see test/replay/README.md). replay.test.ts replays the committed
 * ones on every test run.
 *
 * The lifecycle account's first cycle ends seconds after the test starts, with 2 s of grace: run 1
 * takes calls (by signal and by `recordCalls`, with duplicates and bad events) and requests (a
 * one-time and a recurring purchase, a replayed purchase id, a cancel, plan changes), crosses the
 * boundary and continues as new; run 2 takes a late call for the cycle in grace, closes it
 * (invoice, declined payment) and retries the payment. An account that does not exist ends its
 * workflow as `unknown_account`.
 */
import { randomBytes } from 'node:crypto';
import { Worker } from '@temporalio/worker';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { workflowPollers } from '../../../client/temporal-client.js';
import { waitUntil } from '../../../scripts/stack/managed-process.js';
import type { UsageReply } from '../../../contract/usage-reply.js';
import { completedCall, cycleEndingIn, growthPlan } from '../../harness/accounts.js';
import {
  type NamedHistory,
  removeHistories,
  saveRunChain,
  waitUntilSettled,
} from '../../harness/histories.js';
import { useStack, type Stack } from '../../harness/stack.js';

const scalePlan = {
  ...growthPlan,
  id: 'scale',
  name: 'Scale',
  allowanceCredits: '30',
  overagePricePerCredit: '0.10',
};

/** Polls the usage query (which refuses while a run is loading) until `done` holds. */
async function usageUntil(
  testbed: Stack,
  accountId: string,
  what: string,
  done: (usage: UsageReply) => boolean,
  timeoutMs = 30_000,
): Promise<UsageReply> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const usage = await testbed.billing.usage(accountId);
      if (done(usage)) return usage;
      last = usage;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      const seen = last instanceof Error ? last.message : JSON.stringify(last);
      throw new Error(`${accountId}: ${what} not seen; last: ${seen}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('account workflow histories for the replay test', () => {
  const suffix = randomBytes(3).toString('hex');
  const accountId = `replay-${suffix}`;
  const ghostId = `ghost-${suffix}`;
  const testbed = useStack('record-histories', { workers: {}, payments: true });
  let lifecycle: NamedHistory[];
  let unknown: NamedHistory[];

  beforeAll(() => removeHistories('account-'));

  it('a lifecycle account: calls, requests, a boundary, continue-as-new, a close and a payment retry', async () => {
    const { billing, provisioning } = testbed;
    await testbed.workers.runUntil(
      (async () => {
        await provisioning.createPlan(growthPlan);
        await provisioning.createPlan(scalePlan);
        testbed.gateway.setBehaviour(accountId, 'decline');
        // The cycle's seconds are for the workflow, not for the worker's start-up.
        await waitUntil(
          async () =>
            (await workflowPollers(testbed.temporal, testbed.taskQueue)).includes(
              testbed.workers.identity,
            ),
          { what: `worker ${testbed.workers.identity} polling`, timeoutMs: 30_000 },
        );
        const cycle = cycleEndingIn(6000);
        await provisioning.createAccount({
          id: accountId,
          planId: growthPlan.id,
          timeZone: 'UTC',
          createdAt: cycle.createdAt,
          billingAnchor: cycle.billingAnchor,
          graceSeconds: 2,
        });

        // Calls by signal: one, the same again, and one the ledger must refuse.
        const first = completedCall(accountId, 90, { agoMs: 600_000 });
        await billing.sendCallEvent(accountId, first);
        await billing.sendCallEvent(accountId, first);
        await billing.sendCallEvent(accountId, {
          ...completedCall(accountId, 60),
          answeredAt: null,
        });

        // Calls by update: a long one (overage), duplicates, a conflicting id, bad events.
        const long = completedCall(accountId, 40 * 60, { agoMs: 3_000_000 });
        const recorded = await billing.recordCalls(accountId, [
          long,
          first,
          { ...first, direction: 'outbound' },
          { callId: 'not-a-call' },
          completedCall('someone-else', 30),
          long,
        ]);
        expect(recorded.outcomes.map((o) => [o.outcome, 'reason' in o ? o.reason : null])).toEqual([
          ['accepted', null],
          ['duplicate', null],
          ['rejected', 'conflicting_duplicate'],
          ['rejected', 'invalid_event'],
          ['rejected', 'account_mismatch'],
          ['duplicate', null],
        ]);

        // Requests: purchases, a replayed id, a cancel, plan changes (one to an unknown plan).
        const topUp = { purchaseId: 'topup-1', credits: '5' };
        expect((await billing.purchaseCredits(accountId, topUp)).replayed).toBe(false);
        const monthly = { purchaseId: 'monthly-1', credits: '3', recurring: true };
        expect((await billing.purchaseCredits(accountId, monthly)).recurring).toBe(true);
        expect((await billing.purchaseCredits(accountId, topUp)).replayed).toBe(true);
        const cancelled = await billing.cancelPurchase(accountId, {
          requestId: 'cancel-1',
          purchaseId: 'monthly-1',
        });
        expect(cancelled.cancelled).toBe(true);
        const changed = await billing.changePlan(accountId, {
          requestId: 'plan-1',
          planId: scalePlan.id,
          effective: 'now',
        });
        expect(changed.planId).toBe(scalePlan.id);
        await expect(
          billing.changePlan(accountId, { requestId: 'plan-2', planId: 'no-such-plan' }),
        ).rejects.toThrow();
        await expect(
          billing.purchaseCredits(accountId, { purchaseId: 'not valid!', credits: '1' }),
        ).rejects.toThrow();
        // Everything above belongs to the first cycle, so run 1 holds it all.
        expect(Date.now()).toBeLessThan(cycle.cycleEnd);

        // The boundary: run 2 shows the first cycle in grace; a late call for it lands there.
        await usageUntil(testbed, accountId, 'the first cycle in grace', (u) => u.inGrace !== null);
        const late = completedCall(accountId, 30, { answeredAt: cycle.cycleEnd - 45_000 });
        const lateOutcome = await billing.recordCalls(accountId, [late]);
        expect(lateOutcome.outcomes[0]?.outcome).toBe('accepted');

        // The close: an invoice whose payment is declined, then retried with success.
        const closed = await usageUntil(
          testbed,
          accountId,
          'the first cycle invoiced',
          (u) => u.closedCycles[0]?.invoice?.status === 'payment_failed',
        );
        expect(closed.closedCycles).toHaveLength(1);
        testbed.gateway.setBehaviour(accountId, 'succeed');
        const retried = await billing.retryPayment(accountId, { requestId: 'retry-1' });
        expect(retried.invoices.map((i) => i.status)).toEqual(['paid']);
        await waitUntilSettled(billing.handle(accountId));
      })(),
    );

    lifecycle = await saveRunChain(testbed.temporal, `billing-${accountId}`, 'account-lifecycle');
    expect(lifecycle.map((h) => h.name)).toEqual([
      'account-lifecycle-run1',
      'account-lifecycle-run2',
    ]);
  });

  it('an account that does not exist: its workflow ends as unknown_account', async () => {
    const { billing } = testbed;
    const result = await testbed.workers.runUntil(
      (async () => {
        await billing.sendCallEvent(ghostId, completedCall(ghostId, 60));
        return billing.handle(ghostId).result();
      })(),
    );
    expect(result).toEqual({ accountId: ghostId, outcome: 'unknown_account', rejectedEvents: 1 });
    unknown = await saveRunChain(testbed.temporal, `billing-${ghostId}`, 'account-unknown');
    expect(unknown).toHaveLength(1);
  });

  it('every run replays cleanly against the current workflow bundle', async () => {
    const histories = [...lifecycle, ...unknown];
    const results = [];
    for await (const result of Worker.runReplayHistories(
      { workflowBundle: { codePath: inject('workflowBundlePath') } },
      histories,
    )) {
      results.push({ workflowId: result.workflowId, error: result.error?.message ?? null });
    }
    expect(results).toEqual(histories.map((h) => ({ workflowId: h.workflowId, error: null })));
  });
});
