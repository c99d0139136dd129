import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  bookingInstant,
  callIdOf,
  classifyCall,
  eventSize,
  InMemoryCallDedup,
  MAX_CALL_MS,
  MAX_CLOCK_SKEW_MS,
  MAX_EVENT_BYTES,
  oversizedEvent,
  parseCallEvent,
  REJECTION_CODES,
  sameCallContent,
  tooLargeRejection,
  utf8Length,
  wellFormedCallId,
  type AccountFacts,
  type CallClassification,
} from '../../billing/call-event.js';
import { parseConfig } from '../../config/config.js';
import { call, eventJson, iso, ms } from './builders.js';

/** acme, created 2026-01-01T00:00:00Z, default maxLateSeconds 35 days = 3,024,000 s. */
const facts: AccountFacts = {
  accountId: 'acme',
  createdAt: ms('2026-01-01T00:00:00Z'),
  maxLateSeconds: 3_024_000,
};

/** The default event was answered 10:00:00Z and ended 10:01:00Z on 2 Feb 2026. */
const ARRIVAL = '2026-02-02T10:05:00Z';

function classify(
  event: unknown,
  arrival = ARRIVAL,
  dedup = new InMemoryCallDedup(),
  account: AccountFacts = facts,
): CallClassification {
  return classifyCall(event, account, ms(arrival), dedup);
}

function reason(result: CallClassification): string {
  return result.outcome === 'rejected' ? result.reason : result.outcome;
}

/** An event whose compact JSON is exactly `bytes` bytes, padded in an unknown field with `filler`. */
function eventOfSize(bytes: number, filler: string, extra: Record<string, unknown> = {}) {
  const base = Buffer.byteLength(JSON.stringify({ ...eventJson(extra), note: '' }));
  const unit = Buffer.byteLength(JSON.stringify(filler)) - 2; // a quote costs 2 bytes once escaped
  const room = bytes - base;
  const note = filler.repeat(Math.floor(room / unit)) + 'a'.repeat(room % unit);
  const event = { ...eventJson(extra), note };
  expect(Buffer.byteLength(JSON.stringify(event))).toBe(bytes);
  return event;
}

describe('the rejection codes, in the order the checks run', () => {
  it("are docs/api.md's `reason` codes in its order, less the engine's unknown_account", () => {
    const api = readFileSync(join(parseConfig({}).paths.root, 'docs', 'api.md'), 'utf8');
    const table = api.slice(api.indexOf('| `reason` ')).split('\n');
    const rows = table.slice(2, table.indexOf(''));
    const documented = rows.flatMap((row) => /^\| `([a-z_]+)` /.exec(row)?.[1] ?? []);
    expect(documented).toContain('unknown_account');
    expect(documented.filter((code) => code !== 'unknown_account')).toEqual(REJECTION_CODES);
  });

  it('a well-formed 60 s call arriving 4 min after it ended is accepted with defaults filled', () => {
    const result = classify(eventJson());
    expect(result).toEqual({
      outcome: 'accepted',
      call: {
        callId: 'CA1',
        accountId: 'acme',
        direction: 'inbound',
        status: 'completed',
        answeredAt: ms('2026-02-02T10:00:00Z'),
        endedAt: ms('2026-02-02T10:01:00Z'),
        handoffAt: null,
        holdSeconds: 0,
        systemSeconds: 0,
        parentCallId: null,
      },
    });
  });
});

describe('event_too_large: compact JSON over 32,768 bytes of UTF-8', () => {
  it('the limit is 32,768 bytes', () => {
    expect(MAX_EVENT_BYTES).toBe(32_768);
  });

  it.each([
    ['ASCII', 'a'],
    ['2-byte é', 'é'],
    ['3-byte €', '€'],
    ['4-byte 😀 (a surrogate pair)', '😀'],
    ['escaped quotes (2 bytes each in JSON)', '"'],
    ['control characters (6 bytes each: \\u0001)', '\u0001'],
    ['lone surrogates (6 bytes each: \\ud800)', '\ud800'],
  ])('with %s padding: 32,768 bytes accepted, 32,769 bytes rejected', (_label, filler) => {
    expect(reason(classify(eventOfSize(32_768, filler)))).toBe('accepted');
    const big = classify(eventOfSize(32_769, filler));
    expect(big).toMatchObject({ outcome: 'rejected', reason: 'event_too_large', callId: 'CA1' });
  });

  it('nested unknown fields count too: 32,768 bytes accepted, 32,769 rejected', () => {
    const base = Buffer.byteLength(JSON.stringify({ ...eventJson(), extra: { list: [''] } }));
    const at = (bytes: number) => {
      const room = bytes - base;
      const text = '€'.repeat(Math.floor(room / 3)) + 'a'.repeat(room % 3);
      return { ...eventJson(), extra: { list: [text] } };
    };
    expect(Buffer.byteLength(JSON.stringify(at(32_768)))).toBe(32_768);
    expect(reason(classify(at(32_768)))).toBe('accepted');
    expect(reason(classify(at(32_769)))).toBe('event_too_large');
  });

  it('counts bytes, not UTF-16 units: 11,000 "€" are 33,000 bytes but only 11,000 units', () => {
    const event = { ...eventJson(), note: '€'.repeat(11_000) };
    expect(JSON.stringify(event).length).toBeLessThan(32_768);
    expect(reason(classify(event))).toBe('event_too_large');
  });

  it('wins over every later check: an oversized event that is also invalid and for another account', () => {
    const event = {
      ...eventJson({ status: 'bogus', accountId: 'other' }),
      note: 'x'.repeat(40_000),
    };
    expect(classify(event)).toMatchObject({ reason: 'event_too_large', callId: 'CA1' });
  });

  it('reports callId null when the oversized event has no string callId', () => {
    expect(classify({ callId: 5, note: 'x'.repeat(40_000) })).toMatchObject({
      reason: 'event_too_large',
      callId: null,
    });
    expect(classify('x'.repeat(40_000))).toMatchObject({ reason: 'event_too_large', callId: null });
  });

  it('UTF-8 length: a = 1, é = 2, € = 3, 😀 = 4, a lone surrogate = 3 (as U+FFFD)', () => {
    expect(utf8Length('a')).toBe(1);
    expect(utf8Length('é')).toBe(2);
    expect(utf8Length('€')).toBe(3);
    expect(utf8Length('😀')).toBe(4);
    expect(utf8Length('\ud800')).toBe(3);
    expect(utf8Length('\udc00x')).toBe(4);
    expect(utf8Length('a€😀é')).toBe(Buffer.byteLength('a€😀é'));
  });

  it('the size is of the compact encoding: {"a":"é"} is 10 bytes; an absent event is 0', () => {
    expect(eventSize({ a: 'é' })).toBe(10);
    expect(eventSize(undefined)).toBe(0);
  });

  it('the rejection carries the size and the limit as numbers: 32,769 bytes over 32,768', () => {
    expect(parseCallEvent(eventOfSize(32_769, 'a'), 'acme')).toEqual({
      outcome: 'rejected',
      reason: 'event_too_large',
      callId: 'CA1',
      detail: 'event is 32769 bytes; the limit is 32768',
      bytes: 32_769,
      limitBytes: 32_768,
    });
  });
});

describe('what is kept of an oversized event where it enters', () => {
  it('nothing for an event of 32,768 bytes: it is kept whole', () => {
    expect(oversizedEvent(eventOfSize(32_768, '€'))).toBeNull();
  });

  it('its size and call id for one of 32,769 bytes', () => {
    expect(oversizedEvent(eventOfSize(32_769, '€'))).toEqual({ callId: 'CA1', bytes: 32_769 });
  });

  it('the size measured already, when given: 40,000 bytes said, 40,000 kept', () => {
    expect(oversizedEvent({ callId: 'CA1' }, 40_000)).toEqual({ callId: 'CA1', bytes: 40_000 });
    expect(oversizedEvent(eventOfSize(40_000, 'a'), 32_768)).toBeNull();
  });

  it('no call id unless well formed: a 129-character id, a space or a number is dropped', () => {
    const kept = (callId: unknown) => oversizedEvent({ callId, note: 'x'.repeat(40_000) })?.callId;
    expect(kept('c'.repeat(128))).toBe('c'.repeat(128));
    expect(kept('c'.repeat(129))).toBeNull();
    expect(kept('not valid!')).toBeNull();
    expect(kept(5)).toBeNull();
  });

  it('the rejection of what was kept reads as the core writes it', () => {
    expect(tooLargeRejection(null, 40_000)).toEqual({
      outcome: 'rejected',
      reason: 'event_too_large',
      callId: null,
      detail: 'event is 40000 bytes; the limit is 32768',
      bytes: 40_000,
      limitBytes: 32_768,
    });
  });
});

describe('call ids', () => {
  it("callIdOf: an event's string callId, of any form; null for anything else", () => {
    expect(callIdOf({ callId: 'CA1' })).toBe('CA1');
    expect(callIdOf({ callId: 'not valid!' })).toBe('not valid!');
    expect(callIdOf({ callId: 5 })).toBeNull();
    expect(callIdOf({})).toBeNull();
    expect(callIdOf(null)).toBeNull();
    expect(callIdOf('CA1')).toBeNull();
  });

  it('wellFormedCallId: 1 to 128 characters of [A-Za-z0-9._:-], else null', () => {
    expect(wellFormedCallId('CA-1.2:3_4')).toBe('CA-1.2:3_4');
    expect(wellFormedCallId('')).toBeNull();
    expect(wellFormedCallId('é')).toBeNull();
    expect(wellFormedCallId(null)).toBeNull();
  });
});

describe('invalid_event', () => {
  const omit = (field: string) => {
    const json = eventJson();
    delete json[field];
    return json;
  };

  it.each(['callId', 'accountId', 'direction', 'status', 'endedAt'])(
    'required field %s missing',
    (field) => {
      expect(reason(classify(omit(field)))).toBe('invalid_event');
    },
  );

  it.each([
    [{ callId: '' }, 'an empty callId'],
    [{ callId: 'x'.repeat(129) }, 'a 129-character callId'],
    [{ callId: 'CA 1' }, 'a space in callId'],
    [{ callId: 'CA/1' }, 'a slash in callId'],
    [{ callId: 'CAé' }, 'a non-ASCII callId'],
    [{ callId: 123 }, 'a numeric callId'],
    [{ accountId: 5 }, 'a numeric accountId'],
    [{ accountId: null }, 'a null accountId'],
    [{ direction: 'sideways' }, 'an unknown direction'],
    [{ direction: 'Inbound' }, 'a capitalised direction'],
    [{ status: 'ringing' }, 'an unknown status'],
    [{ status: 'no_answer' }, 'no_answer instead of no-answer'],
    [{ holdSeconds: -1 }, 'negative hold'],
    [{ holdSeconds: 1.5 }, 'fractional hold'],
    [{ holdSeconds: '5' }, 'hold as a string'],
    [{ holdSeconds: null }, 'null hold'],
    [{ holdSeconds: 86_401 }, 'hold over 86,400'],
    [{ systemSeconds: -1 }, 'negative system time'],
    [{ systemSeconds: null }, 'null system time'],
    [{ systemSeconds: 86_401 }, 'system time over 86,400'],
    [{ systemSeconds: true }, 'system time as a boolean'],
    [{ answeredAt: '2026-02-02 10:00:00Z' }, 'an unparsable answeredAt'],
    [{ answeredAt: 1_770_026_400_000 }, 'answeredAt as epoch ms'],
    [{ endedAt: '2026-02-02T10:01:00' }, 'endedAt without offset'],
    [{ endedAt: null }, 'a null endedAt'],
    [{ endedAt: '2026-02-30T10:01:00Z' }, 'endedAt on 30 February'],
    [{ handoffAt: '2026-02-02T24:00:00Z' }, 'handoffAt at 24:00'],
    [{ answeredAt: '2026-02-02T10:00:00.1234Z' }, 'four fraction digits'],
    [{ parentCallId: 7 }, 'a numeric parentCallId'],
  ])('%j (%s)', (overrides, _reason: string) => {
    expect(reason(classify(eventJson(overrides)))).toBe('invalid_event');
  });

  it.each([null, [], 'CA1', 42, true])(
    'an event that is not an object (%j) has callId null',
    (event) => {
      expect(classify(event)).toMatchObject({ reason: 'invalid_event', callId: null });
    },
  );

  it('an absent event is invalid with callId null', () => {
    expect(classify(undefined)).toMatchObject({ reason: 'invalid_event', callId: null });
  });

  it('a string callId is reported even when it is itself the problem', () => {
    expect(classify(eventJson({ callId: 'bad id' }))).toMatchObject({
      reason: 'invalid_event',
      callId: 'bad id',
    });
    expect(classify(eventJson({ callId: 12 }))).toMatchObject({
      reason: 'invalid_event',
      callId: null,
    });
  });

  it('accepts a 128-character callId of every allowed character class [A-Za-z0-9._:-]', () => {
    const id = 'aZ09._:-'.repeat(16);
    expect(id).toHaveLength(128);
    expect(reason(classify(eventJson({ callId: id })))).toBe('accepted');
  });

  it('accepts bounds: hold 86,400 and system 86,400 (the call then has 0 raw seconds)', () => {
    expect(reason(classify(eventJson({ holdSeconds: 86_400, systemSeconds: 86_400 })))).toBe(
      'accepted',
    );
  });

  it('accepts hold written as 5.0 and ignores unknown fields', () => {
    const result = classify(
      JSON.parse(
        JSON.stringify(eventJson({ extra: { deep: [1] } })).replace(
          '"CA1"',
          '"CA1","holdSeconds":5.0',
        ),
      ),
    );
    expect(result).toMatchObject({ outcome: 'accepted', call: { holdSeconds: 5 } });
    expect(result.outcome === 'accepted' && 'extra' in result.call).toBe(false);
  });

  it('optional fields: answeredAt, handoffAt and parentCallId may be null or absent', () => {
    const unanswered = eventJson({
      status: 'no-answer',
      answeredAt: null,
      handoffAt: null,
      parentCallId: null,
    });
    expect(classify(unanswered)).toMatchObject({ outcome: 'accepted', call: { answeredAt: null } });
    const json = eventJson({ status: 'busy' });
    delete json.answeredAt;
    expect(classify(json)).toMatchObject({
      outcome: 'accepted',
      call: { answeredAt: null, parentCallId: null },
    });
  });

  it('wins over account_mismatch: an invalid event for another account is invalid_event', () => {
    expect(reason(classify(eventJson({ accountId: 'other', direction: 'up' })))).toBe(
      'invalid_event',
    );
  });
});

describe('account_mismatch', () => {
  it('an event for account "other" sent to "acme" is rejected', () => {
    expect(classify(eventJson({ accountId: 'other' }))).toMatchObject({
      reason: 'account_mismatch',
      callId: 'CA1',
    });
  });

  it('account ids compare exactly: "ACME" is not "acme"', () => {
    expect(reason(classify(eventJson({ accountId: 'ACME' })))).toBe('account_mismatch');
  });

  it('wins over conflicting_duplicate: a known callId sent for another account', () => {
    const dedup = new InMemoryCallDedup();
    expect(reason(classify(eventJson(), ARRIVAL, dedup))).toBe('accepted');
    expect(reason(classify(eventJson({ accountId: 'other' }), ARRIVAL, dedup))).toBe(
      'account_mismatch',
    );
  });

  it('parseCallEvent stops at the account check', () => {
    expect(parseCallEvent(eventJson(), 'acme')).toMatchObject({ ok: true });
    expect(parseCallEvent(eventJson(), 'other')).toMatchObject({ reason: 'account_mismatch' });
  });
});

describe('exactly once: duplicates and conflicting duplicates', () => {
  it('the same content again is a duplicate (not a rejection), and the store keeps the first version', () => {
    const dedup = new InMemoryCallDedup();
    expect(reason(classify(eventJson(), ARRIVAL, dedup))).toBe('accepted');
    expect(reason(classify(eventJson(), '2026-02-02T10:06:00Z', dedup))).toBe('duplicate');
    expect(reason(classify(eventJson(), '2026-02-03T00:00:00Z', dedup))).toBe('duplicate');
  });

  it('content is compared after normalising times: 10:00:00Z = 11:00:00.000+01:00 = 10:00:00.0Z', () => {
    const dedup = new InMemoryCallDedup();
    classify(eventJson(), ARRIVAL, dedup);
    const same = eventJson({
      answeredAt: '2026-02-02T11:00:00.000+01:00',
      endedAt: '2026-02-02T10:01:00.0Z',
    });
    expect(reason(classify(same, ARRIVAL, dedup))).toBe('duplicate');
  });

  it('defaults are filled before comparing: absent hold = 0, absent handoffAt = null; unknown fields do not count', () => {
    const dedup = new InMemoryCallDedup();
    classify(eventJson(), ARRIVAL, dedup);
    const explicit = eventJson({
      holdSeconds: 0,
      systemSeconds: 0,
      handoffAt: null,
      parentCallId: null,
      trace: 'x',
    });
    expect(reason(classify(explicit, ARRIVAL, dedup))).toBe('duplicate');
  });

  it('a duplicate is a duplicate whenever it arrives: 400 days later, far past maxLateSeconds', () => {
    const dedup = new InMemoryCallDedup();
    classify(eventJson(), ARRIVAL, dedup);
    expect(reason(classify(eventJson(), '2027-03-09T10:05:00Z', dedup))).toBe('duplicate');
  });

  it.each([
    [{ endedAt: '2026-02-02T10:01:00.001Z' }, 'endedAt 1 ms later'],
    [{ holdSeconds: 1 }, 'hold 1 s'],
    [{ systemSeconds: 1 }, 'system 1 s'],
    [{ direction: 'outbound' }, 'another direction'],
    [{ status: 'failed' }, 'another status'],
    [{ handoffAt: '2026-02-02T10:00:30Z' }, 'a handoff'],
    [{ parentCallId: 'CA0' }, 'a parent'],
  ])('different content (%j, %s) is conflicting_duplicate', (overrides, _reason: string) => {
    const dedup = new InMemoryCallDedup();
    classify(eventJson(), ARRIVAL, dedup);
    expect(classify(eventJson(overrides), ARRIVAL, dedup)).toMatchObject({
      reason: 'conflicting_duplicate',
      callId: 'CA1',
    });
  });

  it('the first accepted version stands: after a conflicting resend, the original content is still a duplicate', () => {
    const dedup = new InMemoryCallDedup();
    classify(eventJson(), ARRIVAL, dedup);
    classify(eventJson({ holdSeconds: 9 }), ARRIVAL, dedup);
    expect(reason(classify(eventJson(), ARRIVAL, dedup))).toBe('duplicate');
    expect(reason(classify(eventJson({ holdSeconds: 9 }), ARRIVAL, dedup))).toBe(
      'conflicting_duplicate',
    );
  });

  it('conflicting_duplicate wins over answer_required (the resend lacks answeredAt)', () => {
    const dedup = new InMemoryCallDedup();
    classify(eventJson(), ARRIVAL, dedup);
    expect(reason(classify(eventJson({ answeredAt: null }), ARRIVAL, dedup))).toBe(
      'conflicting_duplicate',
    );
  });

  it('a rejected event does not take its callId: the corrected resend is accepted, then duplicates', () => {
    const dedup = new InMemoryCallDedup();
    expect(reason(classify(eventJson({ answeredAt: null }), ARRIVAL, dedup))).toBe(
      'answer_required',
    );
    expect(reason(classify(eventJson(), ARRIVAL, dedup))).toBe('accepted');
    expect(reason(classify(eventJson(), ARRIVAL, dedup))).toBe('duplicate');
  });

  it('an invalid event does not take its callId either', () => {
    const dedup = new InMemoryCallDedup();
    expect(reason(classify(eventJson({ holdSeconds: -1 }), ARRIVAL, dedup))).toBe('invalid_event');
    expect(reason(classify(eventJson({ holdSeconds: 1 }), ARRIVAL, dedup))).toBe('accepted');
  });

  it('same content ignores the offset a time was written with, not the instant', () => {
    expect(sameCallContent(call({ endedAt: '2026-02-02T05:01:00-05:00' }), call())).toBe(true);
    expect(sameCallContent(call({ holdSeconds: 1 }), call())).toBe(false);
    expect(sameCallContent(call({ endedAt: '2026-02-02T05:01:00-04:00' }), call())).toBe(false);
  });
});

describe('answer_required', () => {
  it('a completed call without answeredAt (null or absent) is rejected', () => {
    expect(reason(classify(eventJson({ answeredAt: null })))).toBe('answer_required');
    const json = eventJson();
    delete json.answeredAt;
    expect(reason(classify(json))).toBe('answer_required');
  });

  it.each(['no-answer', 'busy', 'failed', 'canceled'])(
    'a %s call needs no answeredAt',
    (status) => {
      expect(reason(classify(eventJson({ status, answeredAt: null })))).toBe('accepted');
    },
  );

  it('wins over handoff_out_of_range, future_timestamp and before_account_start', () => {
    const event = eventJson({
      answeredAt: null,
      endedAt: '2026-02-02T11:00:00Z',
      handoffAt: '2026-02-02T12:00:00Z',
    });
    expect(reason(classify(event))).toBe('answer_required');
  });
});

describe('ended_before_answered', () => {
  it('endedAt 1 ms before answeredAt is rejected; equal times (a 0 s call) are accepted', () => {
    const oneMsEarly = eventJson({ endedAt: '2026-02-02T09:59:59.999Z' });
    expect(reason(classify(oneMsEarly))).toBe('ended_before_answered');
    expect(reason(classify(eventJson({ endedAt: '2026-02-02T10:00:00Z' })))).toBe('accepted');
  });

  it('applies to any status that has answeredAt', () => {
    expect(reason(classify(eventJson({ status: 'failed', endedAt: '2026-02-02T09:00:00Z' })))).toBe(
      'ended_before_answered',
    );
  });

  it('wins over handoff_out_of_range and future_timestamp', () => {
    const event = eventJson({
      answeredAt: '2026-02-02T10:30:00Z',
      endedAt: '2026-02-02T10:20:00Z',
      handoffAt: '2026-02-02T10:10:00Z',
    });
    expect(reason(classify(event))).toBe('ended_before_answered');
  });
});

describe('handoff_out_of_range', () => {
  it('handoffAt 1 ms before answeredAt or 1 ms after endedAt is rejected', () => {
    expect(reason(classify(eventJson({ handoffAt: '2026-02-02T09:59:59.999Z' })))).toBe(
      'handoff_out_of_range',
    );
    expect(reason(classify(eventJson({ handoffAt: '2026-02-02T10:01:00.001Z' })))).toBe(
      'handoff_out_of_range',
    );
  });

  it('handoffAt equal to answeredAt or to endedAt is accepted', () => {
    expect(reason(classify(eventJson({ handoffAt: '2026-02-02T10:00:00Z' })))).toBe('accepted');
    expect(reason(classify(eventJson({ handoffAt: '2026-02-02T10:01:00Z' })))).toBe('accepted');
  });

  it('an unanswered call is only checked against endedAt', () => {
    const base = { status: 'no-answer', answeredAt: null };
    expect(reason(classify(eventJson({ ...base, handoffAt: '2026-02-01T00:00:00Z' })))).toBe(
      'accepted',
    );
    expect(reason(classify(eventJson({ ...base, handoffAt: '2026-02-02T10:01:00.001Z' })))).toBe(
      'handoff_out_of_range',
    );
  });

  it('wins over duration_too_long and future_timestamp', () => {
    const event = eventJson({
      answeredAt: '2026-02-01T10:00:00Z',
      endedAt: '2026-02-02T12:00:00Z',
      handoffAt: '2026-02-02T13:00:00Z',
    });
    expect(reason(classify(event))).toBe('handoff_out_of_range');
  });
});

describe('duration_too_long', () => {
  it('the limit is 24 h = 86,400,000 ms', () => {
    expect(MAX_CALL_MS).toBe(86_400_000);
  });

  it('exactly 24 h is accepted; 24 h + 1 ms is rejected', () => {
    const answeredAt = '2026-02-01T10:00:00Z';
    expect(reason(classify(eventJson({ answeredAt, endedAt: '2026-02-02T10:00:00Z' })))).toBe(
      'accepted',
    );
    expect(reason(classify(eventJson({ answeredAt, endedAt: '2026-02-02T10:00:00.001Z' })))).toBe(
      'duration_too_long',
    );
  });

  it('wins over future_timestamp and too_old', () => {
    const event = eventJson({
      answeredAt: '2026-02-01T10:00:00Z',
      endedAt: '2026-02-02T10:30:00Z',
    });
    expect(reason(classify(event))).toBe('duration_too_long');
    expect(reason(classify(event, '2026-06-01T00:00:00Z'))).toBe('duration_too_long');
  });
});

describe('future_timestamp', () => {
  it('the skew allowed is 300 s', () => {
    expect(MAX_CLOCK_SKEW_MS).toBe(300_000);
  });

  it('endedAt exactly 300 s after the arrival is accepted; 300.001 s is rejected', () => {
    const arrival = '2026-02-02T09:56:00Z'; // endedAt 10:01:00 is 300 s later
    expect(reason(classify(eventJson(), arrival))).toBe('accepted');
    expect(reason(classify(eventJson(), '2026-02-02T09:55:59.999Z'))).toBe('future_timestamp');
  });

  it('answeredAt more than 300 s after the arrival is rejected (an unanswered call checks endedAt)', () => {
    expect(reason(classify(eventJson(), '2026-02-02T09:54:00Z'))).toBe('future_timestamp');
    const unanswered = eventJson({ status: 'no-answer', answeredAt: null });
    expect(reason(classify(unanswered, '2026-02-02T09:56:00Z'))).toBe('accepted');
    expect(reason(classify(unanswered, '2026-02-02T09:55:59.999Z'))).toBe('future_timestamp');
  });

  it('wins over before_account_start: answered before creation, ended 600 s after the arrival', () => {
    const event = eventJson({
      answeredAt: '2025-12-31T23:59:00Z',
      endedAt: '2026-01-01T00:10:00Z',
    });
    expect(reason(classify(event, '2026-01-01T00:00:00Z'))).toBe('future_timestamp');
  });
});

describe('before_account_start', () => {
  it('answeredAt 1 ms before the account was created is rejected; exactly at creation is accepted', () => {
    const before = eventJson({
      answeredAt: '2025-12-31T23:59:59.999Z',
      endedAt: '2026-01-01T00:01:00Z',
    });
    expect(reason(classify(before, '2026-01-01T00:02:00Z'))).toBe('before_account_start');
    const at = eventJson({ answeredAt: '2026-01-01T00:00:00Z', endedAt: '2026-01-01T00:01:00Z' });
    expect(reason(classify(at, '2026-01-01T00:02:00Z'))).toBe('accepted');
  });

  it('an unanswered call is judged by its endedAt', () => {
    const event = eventJson({
      status: 'busy',
      answeredAt: null,
      endedAt: '2025-12-31T23:59:59.999Z',
    });
    expect(reason(classify(event, '2026-01-01T00:00:00Z'))).toBe('before_account_start');
  });

  it('wins over too_old', () => {
    const event = eventJson({
      answeredAt: '2025-12-31T23:00:00Z',
      endedAt: '2026-01-01T00:30:00Z',
    });
    expect(reason(classify(event, '2026-06-01T00:00:00Z'))).toBe('before_account_start');
  });
});

describe('too_old', () => {
  it('default 35 days: arriving exactly 3,024,000 s after endedAt is accepted, 1 ms more is rejected', () => {
    const endedAt = ms('2026-02-02T10:01:00Z');
    const limit = endedAt + 3_024_000_000;
    expect(iso(limit)).toBe('2026-03-09T10:01:00.000Z');
    expect(reason(classify(eventJson(), iso(limit)))).toBe('accepted');
    expect(reason(classify(eventJson(), iso(limit + 1)))).toBe('too_old');
  });

  it('maxLateSeconds 0: arriving exactly at endedAt is accepted, 1 ms later is rejected', () => {
    const strict = { ...facts, maxLateSeconds: 0 };
    const dedup = new InMemoryCallDedup();
    expect(reason(classify(eventJson(), '2026-02-02T10:01:00Z', dedup, strict))).toBe('accepted');
    expect(
      reason(classify(eventJson({ callId: 'CA2' }), '2026-02-02T10:01:00.001Z', dedup, strict)),
    ).toBe('too_old');
  });
});

describe('booking instant', () => {
  it('is answeredAt for an answered call arriving later', () => {
    expect(bookingInstant(call(), ms(ARRIVAL))).toBe(ms('2026-02-02T10:00:00Z'));
  });

  it('is endedAt for a call never answered', () => {
    expect(bookingInstant(call({ status: 'no-answer', answeredAt: null }), ms(ARRIVAL))).toBe(
      ms('2026-02-02T10:01:00Z'),
    );
  });

  it('is the arrival when the sender clock runs ahead: answered 10:00:00, arrived 09:58:00', () => {
    expect(bookingInstant(call(), ms('2026-02-02T09:58:00Z'))).toBe(ms('2026-02-02T09:58:00Z'));
  });
});
