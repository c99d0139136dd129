/**
 * The overage is charged once, counted in the scripted gateway's own call log, when the worker
 * process is SIGKILLed right after the charge call and when the close activity times out and is
 * retried; a decline shows `payment_failed` until ops retry the payment.
 */
import { describe, expect, it } from 'vitest';
import { listNotifications } from '../../../db/repositories/notifications.js';
import type { NotificationContent } from '../../../billing/notification-content.js';
import { listInvoices } from '../../../db/repositories/invoices.js';
import { waitUntil } from '../../../scripts/stack/managed-process.js';
import {
  uniqueAccountId,
  completedCall,
  cycleEndingIn,
  growthPlan,
  waitForUsage,
} from '../../harness/accounts.js';
import { useStack } from '../../harness/stack.js';
import type { WorkerProcess } from '../../harness/workers.js';

const killed = uniqueAccountId('killed');
const slow = uniqueAccountId('slow');
const declined = uniqueAccountId('declined');

const bed = useStack('payments', { payments: true });

function startWorker(name: string): Promise<WorkerProcess> {
  // A close stuck in the gateway is retried after 3 s.
  return bed.startWorkerProcess(name, { ACTIVITY_START_TO_CLOSE_TIMEOUT_MS: '3000' });
}

/** 1 credit included, 10 minutes used: 9 credits over at $0.12 = 108 cents. */
const tinyPlan = { ...growthPlan, id: 'tiny', allowanceCredits: '1' };

describe('overage charged once', () => {
  it('survives a worker killed after the charge, a timed-out gateway and a decline', async () => {
    bed.gateway.setBehaviour(killed, 'hang-after-charge-once');
    bed.gateway.setBehaviour(slow, 'timeout-once');
    bed.gateway.setBehaviour(declined, 'decline');
    const first = await startWorker('payments-1');

    await bed.provisioning.createPlan(tinyPlan);
    const cycle = cycleEndingIn(6_000);
    const accounts = [killed, slow, declined];
    for (const id of accounts) {
      await bed.provisioning.createAccount({
        id,
        planId: 'tiny',
        timeZone: 'UTC',
        createdAt: cycle.createdAt,
        billingAnchor: cycle.billingAnchor,
        graceSeconds: 1,
      });
      const reply = await bed.billing.recordCalls(id, [completedCall(id, 600)]);
      expect(reply.outcomes[0]!.outcome).toBe('accepted');
    }

    // The gateway charged killed and hangs: kill the worker right there.
    await waitUntil(
      () =>
        Promise.resolve(
          bed.gateway
            .log()
            .some((l) => l.accountId === killed && l.outcome === 'hung_after_charge'),
        ),
      { what: 'the charge of "killed" to hang after charging', timeoutMs: 30_000 },
    );
    first.child.kill('SIGKILL');
    expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });
    await startWorker('payments-2');

    for (const id of [killed, slow]) {
      const usage = await waitForUsage(
        bed.billing,
        id,
        (u) => u.closedCycles[0]?.invoice?.status === 'paid',
        `${id}'s invoice paid`,
        45_000,
      );
      expect(usage.closedCycles[0]!.overageChargeMinor).toBe('108');
      expect(usage.status).not.toBe('payment_failed');
      const charges = bed.gateway.successfulCharges(id);
      expect(charges.map((c) => [c.amountMinor, c.idempotencyKey])).toEqual([
        ['108', `${id}:${usage.closedCycles[0]!.start}:1`],
      ]);
    }
    const killedCalls = bed.gateway.log().filter((l) => l.accountId === killed);
    expect(killedCalls.map((l) => l.outcome)).toContain('replayed');
    const slowCalls = bed.gateway.log().filter((l) => l.accountId === slow);
    expect(slowCalls.map((l) => l.outcome)).toEqual(['timed_out', 'charged']);

    // The decline: payment_failed until ops retry, then paid with attempt 2's key.
    const failedUsage = await waitForUsage(
      bed.billing,
      declined,
      (u) => u.status === 'payment_failed',
      'declined shows payment_failed',
    );
    expect(failedUsage.unpaidInvoices).toMatchObject([{ status: 'payment_failed', attempt: 1 }]);
    expect(bed.gateway.successfulCharges(declined)).toEqual([]);
    // A retry the gateway declines again is attempt 2, still unpaid.
    const declinedAgain = await bed.billing.retryPayment(declined, { requestId: 'ops-retry-0' });
    expect(declinedAgain.invoices).toMatchObject([{ status: 'payment_failed', attempt: 2 }]);
    bed.gateway.setBehaviour(declined, 'succeed');
    const retried = await bed.billing.retryPayment(declined, { requestId: 'ops-retry-1' });
    expect(retried.invoices).toMatchObject([{ status: 'paid', attempt: 3, amountMinor: '108' }]);
    const after = await bed.billing.usage(declined);
    // The new cycle is fresh: nothing used yet.
    expect(after.status).toBe('ok');
    expect(after.unpaidInvoices).toEqual([]);
    expect(after.closedCycles[0]!.invoice?.status).toBe('paid');
    const again = await bed.billing.retryPayment(declined, { requestId: 'ops-retry-1' });
    expect(again).toEqual({ ...retried, replayed: true });
    const nothingLeft = await bed.billing.retryPayment(declined, { requestId: 'ops-retry-2' });
    expect(nothingLeft.invoices).toEqual([]);
    expect(bed.gateway.successfulCharges(declined).map((c) => c.idempotencyKey)).toEqual([
      `${declined}:${after.closedCycles[0]!.start}:3`,
    ]);
    // Its emails after the close: the statement (declined), then one payment-failed email per
    // declined attempt. The account has no billing contacts: the outbox records no recipients.
    const closeEmails = async () =>
      (await listNotifications(bed.database.db, declined))
        .filter((n) => n.kind === 'statement' || n.kind === 'payment-failed')
        .reverse();
    await waitUntil(
      async () => (await closeEmails()).filter((n) => n.status !== 'pending').length === 3,
      { what: "the declined account's close emails settled", timeoutMs: 30_000 },
    );
    const emails = await closeEmails();
    expect(emails.map((n) => `${n.kind}:${n.key}#${n.firing}:${n.status}`)).toEqual([
      'statement:statement#1:no_recipients',
      'payment-failed:attempt#1:no_recipients',
      'payment-failed:attempt#2:no_recipients',
    ]);
    const statement = emails[0]!.content as NotificationContent;
    expect(statement).toMatchObject({
      kind: 'statement',
      invoice: { status: 'payment_failed', amountMinor: '108' },
    });

    const invoices = await Promise.all(accounts.map((id) => listInvoices(bed.database.db, id)));
    expect(invoices.map((rows) => rows.map((r) => [r.status, r.amount_minor]))).toEqual([
      [['paid', 108n]],
      [['paid', 108n]],
      [['paid', 108n]],
    ]);
  }, 120_000);
});
