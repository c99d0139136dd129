import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { callEventSchema, parseCallEventFast } from '../../billing/call-event.js';

/** Each field absent, valid, or wrong in one of the ways senders get it wrong. */
const field = <T>(valid: fc.Arbitrary<T>, invalid: unknown[]) =>
  fc.oneof(
    { weight: 6, arbitrary: valid },
    { weight: 1, arbitrary: fc.constantFrom(undefined, null, ...invalid) },
  );

const instant = fc.constantFrom(
  '2026-03-02T15:04:05Z',
  '2026-03-02T15:04:05.5Z',
  '2026-03-02T17:04:05.123+02:00',
  '2026-03-02T15:04:05-00:00',
);
const badInstant = ['2026-03-02T24:00:00Z', '2026-03-02 15:04:05Z', 'yesterday', 1_772_000_000, ''];

const eventArb = fc.record(
  {
    callId: field(fc.stringMatching(/^[A-Za-z0-9._:-]{1,12}$/), [
      '',
      'has space',
      'x'.repeat(129),
      7,
    ]),
    accountId: field(fc.constantFrom('acme', 'other', ''), [42, {}]),
    direction: field(fc.constantFrom('inbound', 'outbound'), ['INBOUND', 'sideways']),
    status: field(fc.constantFrom('completed', 'no-answer', 'busy', 'failed', 'canceled'), [
      'done',
    ]),
    answeredAt: field(instant, badInstant),
    endedAt: field(instant, badInstant),
    handoffAt: field(instant, badInstant),
    holdSeconds: field(fc.integer({ min: 0, max: 86_400 }), [-1, 1.5, 86_401, '5', true]),
    systemSeconds: field(fc.integer({ min: 0, max: 86_400 }), [-1, 0.25, 100_000, '0']),
    parentCallId: field(fc.constantFrom('CA1', ''), [5, false]),
    extra: fc.anything(),
  },
  { requiredKeys: [] },
);

describe('call event fast path', () => {
  it('accepts exactly what the zod schema accepts, with the same result', () => {
    fc.assert(
      fc.property(fc.oneof(eventArb, fc.anything()), (raw) => {
        const fast = parseCallEventFast(raw);
        const slow = callEventSchema.safeParse(raw);
        expect(fast !== undefined).toBe(slow.success);
        if (fast !== undefined && slow.success) expect(fast).toEqual(slow.data);
      }),
      { numRuns: 20_000, seed: 20261125 },
    );
  });
});
