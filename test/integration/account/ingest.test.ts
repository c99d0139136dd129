/**
 * Exactly-once metering through the real workflow, on the real dev server and PostgreSQL:
 * duplicates and shuffling, an ingest activity that fails after its COMMIT, continue-as-new.
 */
import { describe, expect, it } from 'vitest';
import { formatInstant } from '../../../billing/units.js';
import { countCalls } from '../../../db/repositories/calls.js';
import {
  uniqueAccountId,
  distinctCalls,
  expectedMillicredits,
  growthPlan,
  inParallel,
  previewOfRecorded,
  shuffled,
  waitForUsage,
} from '../../harness/accounts.js';
import { runChain } from '../../harness/histories.js';
import { useStack, type Stack } from '../../harness/stack.js';
import { inProcessWorkers } from '../../harness/workers.js';

const dup = uniqueAccountId('dup');
const fault = uniqueAccountId('fault');
const can = uniqueAccountId('can');

const DAY = 86_400_000;

async function createAccount(bed: Stack, id: string): Promise<void> {
  await bed.provisioning.createPlan(growthPlan);
  await bed.provisioning.createAccount({
    id,
    planId: growthPlan.id,
    timeZone: 'Europe/Berlin',
    createdAt: formatInstant(Date.now() - 10 * DAY),
  });
}

describe('exactly-once metering', () => {
  const bed = useStack('ingest');

  it('counts 1,000 calls once when 20% are delivered twice and all are shuffled, as preview does', async () => {
    const workers = await inProcessWorkers(bed.database, bed.taskQueue);
    try {
      await workers.runUntil(
        (async () => {
          await createAccount(bed, dup);
          const calls = distinctCalls(dup, 1000);
          const deliveries = shuffled([...calls, ...calls.filter((_, i) => i % 5 === 0)], 42);
          expect(deliveries).toHaveLength(1200);
          // Half as signals, half through recordCalls in batches of 100, all at once.
          const signals = deliveries.slice(0, 600);
          const batches = Array.from({ length: 6 }, (_, b) =>
            deliveries.slice(600 + b * 100, 700 + b * 100),
          );
          const replies: string[] = [];
          await Promise.all([
            inParallel(signals, 16, (event) => bed.billing.sendCallEvent(dup, event)),
            inParallel(batches, 3, async (batch) => {
              const r = await bed.billing.recordCalls(dup, batch);
              replies.push(...r.outcomes.map((o) => o.outcome));
            }),
          ]);
          expect(replies).toHaveLength(600);
          expect(replies.every((o) => o === 'accepted' || o === 'duplicate')).toBe(true);

          const expected = expectedMillicredits(dup, calls).toString();
          const usage = await waitForUsage(
            bed.billing,
            dup,
            (u) => u.pendingEvents === 0 && u.cycle.usedMillicredits === expected,
            `${expected} millicredits counted`,
            60_000,
          );
          expect(await countCalls(bed.database.db, dup)).toBe(1000);
          const preview = await previewOfRecorded(bed.database, dup, Date.parse(usage.asOf));
          expect(preview.cycles).toHaveLength(1);
          expect(String(preview.cycles[0]!.usedMillicredits)).toBe(usage.cycle.usedMillicredits);
          expect(preview.cycles[0]!.billableSeconds).toBe(usage.cycle.billableSeconds);
          expect(usage.cycle.alerts).toEqual(preview.cycles[0]!.alerts.map((a) => ({ ...a })));
        })(),
      );
    } finally {
      await workers.close();
    }
  }, 120_000);

  it('answers "accepted", not "duplicate", when the ingest activity fails after its COMMIT', async () => {
    const failed = new Set<string>();
    const workers = await inProcessWorkers(bed.database, bed.taskQueue, 'fault-after-commit', {
      deps: {
        // Every batch's first attempt commits and then loses its answer.
        afterIngestCommit: (input) => {
          if (failed.has(input.batchId)) return;
          failed.add(input.batchId);
          throw new Error(`injected fault after COMMIT of batch ${input.batchId}`);
        },
      },
    });
    try {
      await workers.runUntil(
        (async () => {
          await createAccount(bed, fault);
          const calls = distinctCalls(fault, 60);
          const first = await bed.billing.recordCalls(fault, calls.slice(0, 30));
          expect(first.outcomes.map((o) => o.outcome)).toEqual(Array(30).fill('accepted'));
          const again = await bed.billing.recordCalls(fault, calls.slice(0, 40));
          expect(again.outcomes.map((o) => o.outcome)).toEqual([
            ...Array<string>(30).fill('duplicate'),
            ...Array<string>(10).fill('accepted'),
          ]);
          await inParallel(calls.slice(40), 4, (e) => bed.billing.sendCallEvent(fault, e));
          const expected = expectedMillicredits(fault, calls).toString();
          const usage = await waitForUsage(
            bed.billing,
            fault,
            (u) => u.pendingEvents === 0 && u.cycle.usedMillicredits === expected,
            'every call counted once',
          );
          expect(usage.cycle.usedMillicredits).toBe(expected);
          expect(failed.size).toBeGreaterThanOrEqual(3);
          expect(await countCalls(bed.database.db, fault)).toBe(60);
        })(),
      );
    } finally {
      await workers.close();
    }
  }, 120_000);

  it('continues as new mid-cycle with nothing lost or counted twice', async () => {
    const workers = await inProcessWorkers(bed.database, bed.taskQueue, 'short-history', {
      env: { CONTINUE_AS_NEW_AFTER_EVENTS: '100', INGEST_BATCH_MAX_EVENTS: '20' },
    });
    try {
      await workers.runUntil(
        (async () => {
          await createAccount(bed, can);
          const firstRun = (await bed.billing.handle(can).describe()).runId;
          await bed.billing.purchaseCredits(can, { purchaseId: 'p-before', credits: '5' });
          const calls = distinctCalls(can, 400);
          const deliveries = shuffled([...calls, ...calls.slice(0, 50)], 7);
          await inParallel(deliveries, 8, (e) => bed.billing.sendCallEvent(can, e));
          for (let i = 0; i < 4; i++) {
            const r = await bed.billing.recordCalls(can, calls.slice(i * 25, i * 25 + 25));
            expect(r.outcomes.every((o) => o.outcome === 'duplicate')).toBe(true);
          }
          const expected = expectedMillicredits(can, calls).toString();
          const usage = await waitForUsage(
            bed.billing,
            can,
            (u) => u.pendingEvents === 0 && u.cycle.usedMillicredits === expected,
            'every call counted once across runs',
            60_000,
          );
          expect(usage.cycle.purchasedMillicredits).toBe('5000');
          // 450 signals and 20-event batches against a 100-event history limit: several runs.
          const runs = await runChain(bed.temporal, `billing-${can}`);
          expect(runs[0]).toBe(firstRun);
          expect(runs.length).toBeGreaterThanOrEqual(4);
          expect((await bed.billing.handle(can).describe()).runId).not.toBe(firstRun);
          // The purchase id is still known to the new run (PostgreSQL, not workflow state).
          const replay = await bed.billing.purchaseCredits(can, {
            purchaseId: 'p-before',
            credits: '5',
          });
          expect(replay.replayed).toBe(true);
          expect((await bed.billing.usage(can)).cycle.purchasedMillicredits).toBe('5000');
        })(),
      );
    } finally {
      await workers.close();
    }
  }, 120_000);
});
