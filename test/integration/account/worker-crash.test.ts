/**
 * The worker process is SIGKILLed while events pour in and a new one takes over: every call is
 * counted exactly once.
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
  shuffled,
  waitForUsage,
} from '../../harness/accounts.js';
import { useStack } from '../../harness/stack.js';

const acme = uniqueAccountId('acme');

const bed = useStack('crash');

describe('a worker killed during ingestion', () => {
  it('loses nothing and counts nothing twice', async () => {
    const env = { ACTIVITY_START_TO_CLOSE_TIMEOUT_MS: '3000', INGEST_BATCH_MAX_EVENTS: '50' };
    const first = await bed.startWorkerProcess('crash-1', env);
    await bed.provisioning.createPlan(growthPlan);
    await bed.provisioning.createAccount({
      id: acme,
      planId: 'growth',
      timeZone: 'UTC',
      createdAt: formatInstant(Date.now() - 10 * 86_400_000),
    });
    const calls = distinctCalls(acme, 800);
    const deliveries = shuffled([...calls, ...calls.filter((_, i) => i % 5 === 0)], 2026);
    let sent = 0;
    let killed = false;
    const replacement: Promise<unknown>[] = [];
    await inParallel(deliveries, 8, async (event) => {
      await bed.billing.sendCallEvent(acme, event);
      sent += 1;
      if (sent === 300 && !killed) {
        killed = true;
        first.child.kill('SIGKILL');
      }
      // Signals keep arriving while no worker runs; a new worker starts a little later.
      if (sent === 600) {
        replacement.push(bed.startWorkerProcess('crash-2', env));
      }
    });
    expect(killed).toBe(true);
    expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });
    expect(replacement).toHaveLength(1);
    await Promise.all(replacement);
    // Batches through recordCalls after the crash answer from what PostgreSQL holds.
    const reply = await bed.billing.recordCalls(acme, calls.slice(0, 100));
    expect(reply.outcomes.filter((o) => o.outcome !== 'duplicate')).toEqual([]);

    const expected = expectedMillicredits(acme, calls).toString();
    const usage = await waitForUsage(
      bed.billing,
      acme,
      (u) => u.pendingEvents === 0 && u.cycle.usedMillicredits === expected,
      'every call counted once after the crash',
      60_000,
    );
    expect(usage.cycle.usedMillicredits).toBe(expected);
    expect(await countCalls(bed.database.db, acme)).toBe(800);
  }, 120_000);
});
