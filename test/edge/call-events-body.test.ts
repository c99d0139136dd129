import { describe, expect, it } from 'vitest';
import {
  edgeBatchId,
  eventsOfBody,
  mergeOutcomes,
  refusalStatus,
  screenEvents,
} from '../../edge/call-events-body.js';

const event = (callId: string, accountId = 'acme') => ({
  callId,
  accountId,
  direction: 'inbound',
  status: 'completed',
  answeredAt: '2026-03-02T15:04:05.120Z',
  endedAt: '2026-03-02T15:07:44.000Z',
});

describe('the body of POST /v1/call-events', () => {
  it('is one event or {"events": [...]} of 1 to 500', () => {
    expect(eventsOfBody(event('CA1'))).toEqual({ ok: true, events: [event('CA1')] });
    const events = Array.from({ length: 500 }, (_, i) => event(`CA${i}`));
    expect(eventsOfBody({ events })).toEqual({ ok: true, events });
    const refused = (body: unknown) => {
      const read = eventsOfBody(body);
      return read.ok ? 'read' : read.message;
    };
    expect(refused({ events: [...events, event('CA500')] })).toBe(
      '"events" holds 501 events; send at most 500 per request',
    );
    expect(refused({ events: [] })).toMatch(/empty/);
    expect(refused({ events: { callId: 'x' } })).toBe(
      '"events" is an array of call events, not object',
    );
    expect(refused([event('CA1')])).toMatch(/not a JSON array$/);
    expect(refused(null)).toMatch(/not a JSON null$/);
    expect(refused('CA1')).toMatch(/not a JSON string$/);
  });
});

describe('screening events', () => {
  it('rejects what fails size, shape or account, and sends the rest in order', () => {
    const tooLarge = { ...event('CA3'), note: 'x'.repeat(40_000) };
    const badIdTooLarge = { ...tooLarge, callId: 'not valid!' };
    const events = [
      event('CA1'),
      { ...event('CA2'), endedAt: 'yesterday' },
      tooLarge,
      event('CA4', 'globex'),
      event('CA5'),
      badIdTooLarge,
      { ...event('CA6'), answeredAt: '2026-03-02T16:00:00Z' }, // the workflow judges the times
    ];
    const screened = screenEvents(events, 'acme');
    expect(screened.valid).toEqual([0, 4, 6]);
    expect(
      screened.rejected.map((r) => [r.position, r.callId, r.reason, r.tooLargeBytes !== null]),
    ).toEqual([
      [1, 'CA2', 'invalid_event', false],
      [2, 'CA3', 'event_too_large', true],
      [3, 'CA4', 'account_mismatch', false],
      [5, null, 'event_too_large', true],
    ]);
    const mismatch = screened.rejected.find((r) => r.reason === 'account_mismatch')!;
    expect(mismatch.detail).toContain('globex'); // for ops
    expect(mismatch.publicDetail).not.toContain('globex'); // for the sender
    expect(screened.rejected[1]!.tooLargeBytes).toBe(JSON.stringify(tooLarge).length);
    expect(refusalStatus(screened)).toBeUndefined();

    const outcomes = mergeOutcomes(events.length, screened, [
      { callId: 'CA1', outcome: 'accepted' },
      { callId: 'CA5', outcome: 'duplicate' },
      { callId: 'CA6', outcome: 'rejected', reason: 'ended_before_answered', detail: 'd' },
    ]);
    expect(
      outcomes.map((o) => [o.callId, o.outcome === 'rejected' ? o.reason : o.outcome]),
    ).toEqual([
      ['CA1', 'accepted'],
      ['CA2', 'invalid_event'],
      ['CA3', 'event_too_large'],
      ['CA4', 'account_mismatch'],
      ['CA5', 'duplicate'],
      [null, 'event_too_large'],
      ['CA6', 'ended_before_answered'],
    ]);
    expect(() => mergeOutcomes(events.length, screened, [])).toThrow(/0 outcomes for 3 events/);
  });

  it('refuses a request without a valid event: 403 when one is for another account, else 400', () => {
    expect(refusalStatus(screenEvents([{ callId: 'CA1' }, 42], 'acme'))).toBe(400);
    expect(refusalStatus(screenEvents([{ callId: 'CA1' }, event('CA2', 'globex')], 'acme'))).toBe(
      403,
    );
    expect(refusalStatus(screenEvents([event('CA2')], 'acme'))).toBeUndefined();
  });

  it("forwards only the contract's fields, and judges size by the sizes given", () => {
    const events = [{ ...event('CA1'), phone: '+1555', nested: { a: [1] } }, event('CA2')];
    const screened = screenEvents(events, 'acme', [100, 40_000]);
    expect(screened.forwarded).toEqual([event('CA1')]);
    expect(screened.rejected.map((r) => [r.position, r.reason, r.tooLargeBytes])).toEqual([
      [1, 'event_too_large', 40_000],
    ]);
  });

  it('records the same request under the same batch id, another under another', () => {
    const events = [event('CA1'), event('CA2')];
    const id = edgeBatchId('acme', events);
    expect(id).toMatch(/^edge:[0-9a-f]{32}$/);
    expect(edgeBatchId('acme', structuredClone(events))).toBe(id);
    expect(edgeBatchId('globex', events)).not.toBe(id);
    expect(edgeBatchId('acme', [...events].reverse())).not.toBe(id);
  });
});
