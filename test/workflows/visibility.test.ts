import { TypedSearchAttributes, type SearchAttributeUpdatePair } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import {
  accountStatus,
  accountVisibility,
  changedPairs,
  currentDetails,
  searchAttributePairs,
} from '../../workflows/account/visibility.js';
import { cycleEndKey, statusKey, usagePercentKey } from '../../contract/search-attributes.js';
import { account, call, callLasting, LedgerDriver, ms, plan } from '../billing/builders.js';

/** 10 credits included, at 1 credit a minute. */
function ledgerUsing(minutes: number, allowanceCredits = '10'): LedgerDriver {
  const ledger = new LedgerDriver(account(), plan({ allowanceCredits }));
  if (minutes > 0) {
    ledger.apply({
      type: 'bookCall',
      at: ms('2026-01-10T12:00:00Z'),
      call: call(callLasting('c1', '2026-01-10T11:00:00Z', minutes * 60)),
    });
  }
  return ledger;
}

/** Reads attributes as a workflow does after upserting `pairs`. */
function attributesAfter(pairs: SearchAttributeUpdatePair[]) {
  const typed = new TypedSearchAttributes().updateCopy(pairs);
  return (key: SearchAttributeUpdatePair['key']) => typed.get(key);
}

describe('account visibility', () => {
  it('gives the status, plan, whole percent and cycle end of the open cycle', () => {
    expect(accountVisibility(ledgerUsing(8.5).state, 0)).toEqual({
      status: 'low',
      planId: 'growth',
      usagePercent: 85,
      cycleEnd: '2026-02-01T00:00:00.000Z',
    });
    expect(accountVisibility(ledgerUsing(12).state, 0)).toMatchObject({
      status: 'overage',
      usagePercent: 120,
    });
  });

  it('says payment_failed while an invoice is unpaid, whatever the usage', () => {
    expect(accountStatus(ledgerUsing(0).state, 1)).toBe('payment_failed');
    expect(accountStatus(ledgerUsing(0).state, 0)).toBe('ok');
  });

  it('unsets the percent when the cycle has nothing available', () => {
    const v = accountVisibility(ledgerUsing(1, '0').state, 0);
    expect(v).toMatchObject({ status: 'overage', usagePercent: null });
    const percent = searchAttributePairs('acme', v).find((p) => p.key === usagePercentKey);
    expect(percent?.value).toBeNull();
  });

  it('upserts every attribute first, then only the ones that change', () => {
    const first = accountVisibility(ledgerUsing(1).state, 0);
    const all = changedPairs('acme', () => undefined, first);
    expect(all.map((p) => p.key.name)).toEqual([
      'BillingAccountId',
      'BillingPlan',
      'BillingStatus',
      'BillingUsagePercent',
      'BillingCycleEnd',
    ]);
    const current = attributesAfter(all);
    // Same figures (the cycle end compared as an instant, not as a Date object): nothing.
    expect(changedPairs('acme', current, first)).toEqual([]);
    const later = accountVisibility(ledgerUsing(9).state, 0);
    expect(changedPairs('acme', current, later)).toEqual([
      { key: statusKey, value: 'low' },
      { key: usagePercentKey, value: 90 },
    ]);
    const nextCycle = { ...later, cycleEnd: '2026-03-01T00:00:00.000Z' };
    expect(changedPairs('acme', attributesAfter(all), nextCycle).map((p) => p.key)).toContain(
      cycleEndKey,
    );
  });

  it('describes the open cycle for the Web UI in credits, not millicredits', () => {
    const ledger = ledgerUsing(12);
    const details = currentDetails(ledger.state, { unpaidInvoices: 0, pendingEvents: 3 });
    expect(details).toContain('**Status:** overage');
    expect(details).toContain('**Cycle 0:** 2026-01-01T00:00:00.000Z to 2026-02-01T00:00:00.000Z');
    expect(details).toContain('**Used:** 12 of 10 credits (120%); remaining 0, overage 2');
    expect(details).toContain('**events not yet recorded:** 3');
    expect(details).toContain('billing accounts show acme');
  });
});
