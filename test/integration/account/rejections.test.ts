/**
 * Bad input is recorded with its reason and never blocks good input: every rejection code of the
 * rules plus `unknown_account`, a 1 MB event, per-event answers of `recordCalls` against what was
 * stored, and request ids replayed.
 */
import { describe, expect, it } from 'vitest';
import { REJECTION_CODES } from '../../../billing/call-event.js';
import { formatInstant } from '../../../billing/units.js';
import { AccountProvisioning } from '../../../client/account-provisioning.js';
import type { IngestRejectionCode } from '../../../contract/call-outcome.js';
import { listCalls, listRejections } from '../../../db/repositories/calls.js';
import {
  uniqueAccountId,
  completedCall,
  growthPlan,
  waitForUsage,
} from '../../harness/accounts.js';
import { useStack } from '../../harness/stack.js';

const acme = uniqueAccountId('acme');
const ghost = uniqueAccountId('ghost');
const buyer = uniqueAccountId('buyer');
const nul = uniqueAccountId('nul');
const early = uniqueAccountId('early');

const DAY = 86_400_000;
const iso = (ms: number) => formatInstant(ms);

const bed = useStack('rejections', { workers: {} });

/** Bad events, each with the rejection code it must get, between two good calls. */
function badEvents(accountId: string, createdAt: number, now: number) {
  const base = completedCall(accountId, 60, { callId: 'taken', agoMs: DAY });
  const good = (n: number) => completedCall(accountId, 60, { callId: `good-${n}`, agoMs: DAY });
  const bad: [IngestRejectionCode, unknown][] = [
    [
      'event_too_large',
      { ...completedCall(accountId, 60, { callId: 'huge' }), transcript: 'x'.repeat(1_000_000) },
    ],
    [
      'invalid_event',
      { callId: 'bad id with spaces', accountId, direction: 'inbound', status: 'completed' },
    ],
    ['account_mismatch', { ...completedCall('someone-else', 60), callId: 'mismatch' }],
    ['conflicting_duplicate', { ...base, endedAt: iso(Date.parse(String(base.endedAt)) + 1000) }],
    [
      'answer_required',
      {
        callId: 'no-answer',
        accountId,
        direction: 'inbound',
        status: 'completed',
        endedAt: iso(now),
      },
    ],
    [
      'ended_before_answered',
      { ...completedCall(accountId, 60, { callId: 'backwards' }), endedAt: iso(now - 3_600_000) },
    ],
    [
      'handoff_out_of_range',
      { ...completedCall(accountId, 60, { callId: 'handoff' }), handoffAt: iso(now - 7 * DAY) },
    ],
    ['duration_too_long', completedCall(accountId, 86_401, { callId: 'too-long', agoMs: 2 * DAY })],
    [
      'future_timestamp',
      completedCall(accountId, 60, { callId: 'future', answeredAt: now + 600_000 }),
    ],
    [
      'before_account_start',
      completedCall(accountId, 60, { callId: 'early', answeredAt: createdAt - 60_000 }),
    ],
    ['too_old', completedCall(accountId, 60, { callId: 'old', answeredAt: now - 36 * DAY })],
  ];
  return {
    base,
    events: [good(1), ...bad.map(([, event]) => event), good(2)],
    expected: ['accepted', ...bad.map(([code]) => code), 'accepted'],
  };
}

describe('rejected events', () => {
  it('records every rejection code with its reason while the good events count', async () => {
    await bed.workers.runUntil(
      (async () => {
        await bed.provisioning.createPlan(growthPlan);
        const createdAt = Date.now() - 40 * DAY;
        await bed.provisioning.createAccount({
          id: acme,
          planId: 'growth',
          timeZone: 'UTC',
          createdAt: iso(createdAt),
        });
        const { base, events, expected } = badEvents(acme, createdAt, Date.now());
        expect((await bed.billing.recordCalls(acme, [base])).outcomes[0]!.outcome).toBe('accepted');
        const reply = await bed.billing.recordCalls(acme, events);
        const answered = reply.outcomes.map((o) =>
          o.outcome === 'rejected' ? o.reason : o.outcome,
        );
        expect(answered).toEqual(expected);
        // Every code of the rules appears, and each answer matches what PostgreSQL stored.
        expect(new Set(answered)).toEqual(new Set([...REJECTION_CODES, 'accepted']));
        const stored = await listRejections(bed.database.db, acme);
        expect(stored.map((r) => r.reason)).toEqual(expected.filter((e) => e !== 'accepted'));
        for (const row of stored) expect(row.detail.length).toBeGreaterThan(5);
        const huge = stored.find((r) => r.reason === 'event_too_large')!;
        expect(huge.raw).toBeNull();
        expect(huge.raw_bytes).toBeGreaterThan(1_000_000);
        expect(huge.call_id).toBe('huge');
        expect(stored.find((r) => r.reason === 'invalid_event')!.raw).toContain(
          'bad id with spaces',
        );
        const calls = await listCalls(bed.database.db, acme);
        expect(calls.map((c) => c.call_id).sort()).toEqual(['good-1', 'good-2', 'taken']);

        // A 1 MB signal too: rejected, and the workflow keeps counting.
        await bed.billing.sendCallEvent(acme, events[1]);
        await bed.billing.sendCallEvent(acme, completedCall(acme, 120, { callId: 'after' }));
        const usage = await waitForUsage(
          bed.billing,
          acme,
          (u) => u.cycle.usedMillicredits === '5000',
          'the call after the 1 MB event counted',
        );
        expect(usage.cycle.billableSeconds).toBe(300);
        expect((await bed.handleDescription(acme)).status.name).toBe('RUNNING');
        const all = await listRejections(bed.database.db, acme);
        expect(all.filter((r) => r.reason === 'event_too_large')).toHaveLength(2);
      })(),
    );
  });

  it('records events for an unknown account as unknown_account and leaves no workflow running', async () => {
    await bed.workers.runUntil(
      (async () => {
        await bed.billing.sendCallEvent(ghost, completedCall(ghost, 60, { callId: 'g1' }));
        await bed.billing.sendCallEvent(ghost, completedCall(ghost, 60, { callId: 'g2' }));
        const result = await bed.billing.handle(ghost).result();
        expect(result.outcome).toBe('unknown_account');
        const rows = await listRejections(bed.database.db, ghost);
        expect(rows.map((r) => [r.call_id, r.reason])).toEqual([
          ['g1', 'unknown_account'],
          ['g2', 'unknown_account'],
        ]);
        expect((await bed.handleDescription(ghost)).status.name).toBe('COMPLETED');
        // recordCalls through update-with-start gets the same answer.
        const reply = await bed.billing.recordCalls(ghost, [
          completedCall(ghost, 60, { callId: 'g3' }),
        ]);
        expect(reply.outcomes[0]).toMatchObject({ outcome: 'rejected', reason: 'unknown_account' });
        await bed.billing.handle(ghost).result();
        expect((await bed.handleDescription(ghost)).status.name).toBe('COMPLETED');
      })(),
    );
  });

  it('returns the first result for a replayed request id and refuses invalid input clearly', async () => {
    await bed.workers.runUntil(
      (async () => {
        await bed.provisioning.createPlan(growthPlan);
        await bed.provisioning.createAccount({ id: buyer, planId: 'growth', timeZone: 'UTC' });
        const first = await bed.billing.purchaseCredits(buyer, {
          purchaseId: 'order-1',
          credits: '2.5',
        });
        expect(first).toMatchObject({ replayed: false, purchasedMillicredits: '2500' });
        const again = await bed.billing.purchaseCredits(buyer, {
          purchaseId: 'order-1',
          credits: '2.5',
        });
        expect(again).toEqual({ ...first, replayed: true });
        expect((await bed.billing.usage(buyer)).cycle.purchasedMillicredits).toBe('2500');
        await expect(
          bed.billing.purchaseCredits(buyer, { purchaseId: 'order-2', credits: '-1' }),
        ).rejects.toThrow(/credits: a credit amount is a decimal string/);
        await expect(
          bed.billing.changePlan(buyer, { requestId: 'c1', planId: 'nope' }),
        ).rejects.toThrow(/no plan has id nope/);
        await expect(bed.billing.recordCalls(buyer, Array(501).fill({}))).rejects.toThrow(
          /at most 500 events/,
        );
        const cancel = await bed.billing.cancelPurchase(buyer, {
          requestId: 'x1',
          purchaseId: 'never-bought',
        });
        expect(cancel).toMatchObject({ cancelled: false, replayed: false });
      })(),
    );
  });

  it('keeps text PostgreSQL refuses out of its columns, and counts a large valid event by its size', async () => {
    await bed.workers.runUntil(
      (async () => {
        await bed.provisioning.createPlan(growthPlan);
        await bed.provisioning.createAccount({
          id: nul,
          planId: 'growth',
          timeZone: 'UTC',
          createdAt: iso(Date.now() - DAY),
        });
        const padded = {
          ...completedCall(nul, 60, { callId: 'padded' }),
          notes: 'n'.repeat(20_000),
        };
        const reply = await bed.billing.recordCalls(nul, [
          { ...completedCall(nul, 60), callId: 'x\u0000y' },
          { ...completedCall(nul, 60, { callId: 'nul-field' }), notes: 'a\u0000b' },
          { ...completedCall('ghost\u0000', 60), callId: 'other' },
          padded,
          { ...padded, callId: 'padded-2' },
        ]);
        expect(
          reply.outcomes.map((o) => (o.outcome === 'rejected' ? o.reason : o.outcome)),
        ).toEqual(['invalid_event', 'accepted', 'account_mismatch', 'accepted', 'accepted']);
        const stored = await listRejections(bed.database.db, nul);
        expect(stored.map((r) => r.call_id)).toEqual(['x\uFFFDy', 'other']);
        expect(JSON.parse(stored[0]!.raw!)).toMatchObject({ callId: 'x\u0000y' });
        expect((await listCalls(bed.database.db, nul)).map((c) => c.call_id).sort()).toEqual([
          'nul-field',
          'padded',
          'padded-2',
        ]);
        await expect(
          bed.billing.changePlan(nul, { requestId: 'c1', planId: 'pro\u0000' }),
        ).rejects.toThrow(/planId: a plan id is 1 to 64 characters/);
        const usage = await bed.billing.usage(nul);
        expect(usage.cycle.usedMillicredits).toBe('3000');
      })(),
    );
  });

  it('keeps counting when the client that created the account runs seconds ahead of the server', async () => {
    const ahead = new AccountProvisioning({
      db: bed.database.db,
      workflows: bed.billing,
      now: () => Date.now() + 5_000,
    });
    await bed.workers.runUntil(
      (async () => {
        await ahead.createPlan(growthPlan);
        await ahead.createAccount({ id: early, planId: 'growth', timeZone: 'UTC' });
        // Answered "before" the account's creation by the server's clock, after it by the client's.
        const bought = await bed.billing.purchaseCredits(early, { purchaseId: 'p1', credits: '1' });
        expect(bought.cycle.purchasedMillicredits).toBe('1000');
        const reply = await bed.billing.recordCalls(early, [
          completedCall(early, 60, { agoMs: 60_000 }),
        ]);
        expect(reply.outcomes[0]).toMatchObject({
          outcome: 'rejected',
          reason: 'before_account_start',
        });
        const usage = await bed.billing.usage(early);
        expect(usage.cycle.purchasedMillicredits).toBe('1000');
        expect(usage.pendingEvents).toBe(0);
      })(),
    );
  });

  it('records the events of a run started with a wrong argument, and ends it', async () => {
    await bed.workers.runUntil(
      (async () => {
        const id = uniqueAccountId('typo');
        // A sender that wrote `account_id`: the argument has no accountId at all.
        const handle = await bed.temporal.workflow.signalWithStart('accountBilling', {
          workflowId: `billing-${id}`,
          taskQueue: bed.taskQueue,
          args: [{ account_id: id }],
          signal: 'callCompleted',
          signalArgs: [completedCall(id, 60, { callId: 'lost-arg' })],
        });
        const result = (await handle.result()) as { accountId: string; outcome: string };
        expect(result).toMatchObject({
          accountId: `invalid:billing-${id}`,
          outcome: 'unknown_account',
        });
        const rows = await listRejections(bed.database.db, `invalid:billing-${id}`);
        expect(rows.map((r) => [r.call_id, r.reason])).toEqual([['lost-arg', 'unknown_account']]);
      })(),
    );
  });
});
