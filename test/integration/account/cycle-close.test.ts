/**
 * A cycle boundary through the real workflow: a full first cycle ending seconds after the test
 * starts, a grace of seconds, purchases, plan changes, late events inside and after grace,
 * duplicates and bad events. The statements must be exactly what `preview` gives for the same
 * operations at the arrivals the workflow recorded.
 */
import { describe, expect, it } from 'vitest';
import type { PreviewCycle } from '../../../billing/preview.js';
import type { StatementView } from '../../../billing/usage.js';
import { listInvoices } from '../../../db/repositories/invoices.js';
import { listCollections } from '../../../db/repositories/payment-collections.js';
import {
  uniqueAccountId,
  completedCall,
  cycleEndingIn,
  growthPlan,
  previewOfRecorded,
  waitForUsage,
} from '../../harness/accounts.js';
import { useStack } from '../../harness/stack.js';

const acme = uniqueAccountId('acme');

const bed = useStack('cycle', { workers: {} });

const until = (at: number) => new Promise((r) => setTimeout(r, Math.max(0, at - Date.now())));

/** The fields a statement and a preview cycle share, in the preview's terms. */
function comparable(s: Omit<StatementView, 'currency' | 'availableMillicredits'>) {
  return {
    index: s.index,
    start: s.start,
    end: s.end,
    closed: s.closed,
    planId: s.planId,
    allowanceMillicredits: s.allowanceMillicredits,
    purchasedMillicredits: s.purchasedMillicredits,
    usedMillicredits: s.usedMillicredits,
    billableSeconds: s.billableSeconds,
    lateAdjustments: s.lateAdjustments,
    overageMillicredits: s.overageMillicredits,
    overageChargeMinor: s.overageChargeMinor,
    alerts: s.alerts,
  };
}

function fromPreview(c: PreviewCycle) {
  return comparable({
    ...c,
    allowanceMillicredits: String(c.allowanceMillicredits),
    purchasedMillicredits: String(c.purchasedMillicredits),
    usedMillicredits: String(c.usedMillicredits),
    overageMillicredits: String(c.overageMillicredits),
    overageChargeMinor: c.overageChargeMinor === null ? null : String(c.overageChargeMinor),
  });
}

describe('a cycle boundary through the workflow', () => {
  it('closes after grace with the statements preview gives, and charges the overage once', async () => {
    await bed.workers.runUntil(
      (async () => {
        const { billing, provisioning } = bed;
        await provisioning.createPlan(growthPlan);
        await provisioning.createPlan({ ...growthPlan, id: 'pro', allowanceCredits: '30' });
        await provisioning.createPlan({ ...growthPlan, id: 'starter', allowanceCredits: '5' });
        const cycle = cycleEndingIn(10_000, 'America/New_York');
        const end = cycle.cycleEnd;
        const grace = 4;
        await provisioning.createAccount({
          id: acme,
          planId: 'growth',
          timeZone: 'America/New_York',
          createdAt: cycle.createdAt,
          billingAnchor: cycle.billingAnchor,
          graceSeconds: grace,
        });

        // Before the end: calls, a duplicate, a bad event, purchases, plan changes.
        const a1 = completedCall(acme, 300, { callId: 'a1', agoMs: 86_400_000 });
        await billing.sendCallEvent(acme, a1);
        await billing.sendCallEvent(acme, a1);
        await billing.sendCallEvent(acme, { ...a1, callId: 'a1 bad' });
        await billing.purchaseCredits(acme, { purchaseId: 'p1', credits: '2' });
        await billing.purchaseCredits(acme, { purchaseId: 'r1', credits: '3', recurring: true });
        const a2 = await billing.recordCalls(acme, [completedCall(acme, 600, { callId: 'a2' })]);
        expect(a2.outcomes).toEqual([{ callId: 'a2', outcome: 'accepted' }]);
        const up = await billing.changePlan(acme, {
          requestId: 'up',
          planId: 'pro',
          effective: 'now',
        });
        expect(up.effective).toBe('now');
        const a3 = await billing.recordCalls(acme, [completedCall(acme, 1500, { callId: 'a3' })]);
        expect(a3.outcomes).toEqual([{ callId: 'a3', outcome: 'accepted' }]);
        const down = await billing.changePlan(acme, { requestId: 'down', planId: 'starter' });
        expect(down).toMatchObject({
          effective: 'next-cycle',
          effectiveFrom: new Date(end).toISOString(),
        });

        // In grace: a late call booked to the old cycle, a call in the new one, a duplicate.
        await until(end + 300);
        const b1 = completedCall(acme, 120, { callId: 'b1', answeredAt: end - 200_000 });
        await billing.sendCallEvent(acme, b1);
        await billing.sendCallEvent(acme, completedCall(acme, 240, { callId: 'b2', agoMs: 0 }));
        await billing.sendCallEvent(acme, b1);
        const inGrace = await waitForUsage(
          billing,
          acme,
          (u) => u.pendingEvents === 0,
          'grace calls',
        );
        expect(inGrace.inGrace?.index).toBe(0);
        expect(inGrace.cycle.index).toBe(1);

        // After grace: a late adjustment into the open cycle, a cancel, another purchase.
        await until(end + grace * 1000 + 300);
        await billing.sendCallEvent(
          acme,
          completedCall(acme, 90, { callId: 'c1', answeredAt: end - 100_000 }),
        );
        await billing.cancelPurchase(acme, { requestId: 'stop-r1', purchaseId: 'r1' });
        await billing.purchaseCredits(acme, { purchaseId: 'p2', credits: '1' });

        const usage = await waitForUsage(
          billing,
          acme,
          (u) => u.pendingEvents === 0 && u.closedCycles[0]?.invoice?.status === 'paid',
          'the first cycle closed and paid',
        );
        const preview = await previewOfRecorded(bed.database, acme, Date.parse(usage.asOf));
        expect(preview.cycles).toHaveLength(2);
        expect(preview.rejected.map((r) => r.reason)).toEqual(['invalid_event']);

        const closed = usage.closedCycles[0]!;
        expect(comparable(closed)).toEqual(fromPreview(preview.cycles[0]!));
        expect(comparable({ ...usage.cycle, closed: false, overageChargeMinor: null })).toEqual(
          fromPreview(preview.cycles[1]!),
        );
        // The scenario really exercised what it claims to.
        expect(closed.planId).toBe('pro');
        expect(BigInt(closed.overageMillicredits)).toBeGreaterThan(0n);
        expect(usage.cycle.planId).toBe('starter');
        expect(usage.cycle.lateAdjustments).toBe(1);
        expect(usage.cycle.purchasedMillicredits).toBe('4000');
        expect(usage.inGrace).toBeNull();

        // One invoice, one collection, for exactly the preview's charge.
        const invoices = await listInvoices(bed.database.db, acme);
        expect(invoices).toHaveLength(1);
        expect(invoices[0]!.amount_minor).toBe(preview.cycles[0]!.overageChargeMinor);
        const collections = await listCollections(bed.database.db, acme);
        expect(collections.map((c) => c.amount_minor)).toEqual([invoices[0]!.amount_minor]);
        expect(usage.status).not.toBe('payment_failed');
      })(),
    );
  }, 60_000);
});
