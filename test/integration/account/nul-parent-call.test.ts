/**
 * `\u0000` is a valid string under the rules (section 3): an accepted event whose `parentCallId`
 * holds one is counted, and every ops command and query of its account still works afterwards
 * (the batch's stored outcomes carry the call, NUL included, and jsonb refuses `\u0000`).
 */
import { expect, it } from 'vitest';
import { countOutcomes, listCalls } from '../../../db/repositories/calls.js';
import { completedCall, growthPlan, uniqueAccountId } from '../../harness/accounts.js';
import { runBilling } from '../../harness/cli.js';
import { useStack } from '../../harness/stack.js';

const bed = useStack('nul-parent', { workers: { running: true }, plans: [growthPlan] });

it('keeps every query and ops command of an account working after a NUL parentCallId', async () => {
  const id = uniqueAccountId('nulparent');
  await bed.provisioning.createAccount({
    id,
    planId: 'growth',
    timeZone: 'UTC',
    createdAt: new Date(Date.now() - 86_400_000).toISOString(),
  });
  const child = { ...completedCall(id, 60, { callId: 'child-leg' }), parentCallId: 'p\u0000q' };
  const reply = await bed.billing.recordCalls(id, [child, { bogus: true }]);
  expect(reply.outcomes.map((o) => o.outcome)).toEqual(['accepted', 'rejected']);

  expect(await countOutcomes(bed.database.db, id)).toEqual({
    accepted: 1,
    duplicate: 0,
    rejected: 1,
  });
  const [call] = await listCalls(bed.database.db, id);
  expect((JSON.parse(call!.event) as { parentCallId: string }).parentCallId).toBe('p\u0000q');

  for (const args of [
    ['calls', id, '--json'],
    ['calls', id, '--rejected', '--json'],
    ['accounts', 'show', id, '--json'],
  ]) {
    const result = await runBilling(args, bed.env);
    expect({ args, code: result.code, stderr: result.stderr }).toEqual({
      args,
      code: 0,
      stderr: '',
    });
  }
  // A second delivery is a duplicate, compared with the stored version (NUL and all).
  const again = await bed.billing.recordCalls(id, [child]);
  expect(again.outcomes.map((o) => o.outcome)).toEqual(['duplicate']);
});
