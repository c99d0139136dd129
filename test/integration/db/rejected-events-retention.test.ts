import { describe, expect, it } from 'vitest';
import {
  RAW_KEPT_CHARACTERS,
  recordRejections,
  type BatchRejection,
} from '../../../db/repositories/calls.js';
import { applyRejectedRawRetention } from '../../../workers/rejected-raw-retention.js';
import { useTestDatabase } from '../../harness/stack.js';

const DAY_MS = 86_400_000;
const now = Date.parse('2026-12-08T12:00:00Z');

function invalid(position: number, event: unknown, arrivedAt: number): BatchRejection {
  return {
    callId: `CA-${position}`,
    reason: 'invalid_event',
    detail: 'endedAt: expected an ISO 8601 instant',
    position,
    arrivedAt,
    arrived: { event },
  };
}

describe('refused events: raw text kept short and for a while', () => {
  const database = useTestDatabase('rejected-retention');

  const rows = () =>
    database.db
      .selectFrom('rejected_events')
      .select(['call_id', 'reason', 'raw', 'raw_bytes', 'arrived_at'])
      .orderBy('position')
      .execute();

  it('keeps the first characters of a large invalid event and its full size', async () => {
    const blob = 'x'.repeat(200_000);
    const small = { callId: 'CA-0', endedAt: 'not a time' };
    await recordRejections(database.db, { accountId: 'acme', batchId: 'b-1' }, [
      invalid(0, small, now),
      invalid(1, { callId: 'CA-1', blob }, now),
      {
        callId: 'CA-2',
        reason: 'event_too_large',
        detail: 'event is 40000 bytes; the limit is 32768',
        position: 2,
        arrivedAt: now,
        arrived: { tooLargeBytes: 40_000 },
      },
    ]);
    const [first, second, third] = await rows();
    expect(first).toMatchObject({ raw: JSON.stringify(small), raw_bytes: 40 });
    expect(second!.raw).toHaveLength(RAW_KEPT_CHARACTERS + 1);
    expect(second!.raw!.startsWith('{"callId":"CA-1","blob":"xxx')).toBe(true);
    expect(second!.raw_bytes).toBe(JSON.stringify({ callId: 'CA-1', blob }).length);
    expect(third).toMatchObject({ raw: null, raw_bytes: 40_000, reason: 'event_too_large' });
  });

  it('clears the raw text past the retention and keeps the record', async () => {
    await recordRejections(database.db, { accountId: 'acme', batchId: 'b-2' }, [
      invalid(0, { callId: 'CA-old' }, now - 31 * DAY_MS),
      invalid(1, { callId: 'CA-edge' }, now - 30 * DAY_MS),
      invalid(2, { callId: 'CA-new' }, now - 29 * DAY_MS),
    ]);
    expect(await applyRejectedRawRetention(database.db, 30, now)).toBe(1);
    const kept = await database.db
      .selectFrom('rejected_events')
      .select(['call_id', 'raw', 'raw_bytes', 'reason'])
      .where('batch_id', '=', 'b-2')
      .orderBy('position')
      .execute();
    expect(kept).toEqual([
      { call_id: 'CA-0', raw: null, raw_bytes: 19, reason: 'invalid_event' },
      { call_id: 'CA-1', raw: '{"callId":"CA-edge"}', raw_bytes: 20, reason: 'invalid_event' },
      { call_id: 'CA-2', raw: '{"callId":"CA-new"}', raw_bytes: 19, reason: 'invalid_event' },
    ]);
    // Run again: nothing left to clear, the newer events untouched.
    expect(await applyRejectedRawRetention(database.db, 30, now)).toBe(0);
  });
});
