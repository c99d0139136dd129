import { describe, expect, it } from 'vitest';
import {
  boundaryOf,
  firstCycleSpan,
  instantOfLocal,
  isIanaTimeZone,
  localDateOf,
  localDateTimeOf,
  makeCalendar,
  monthIndexOf,
  nextCycleSpan,
  zoneNameAt,
  type CycleSpan,
} from '../../billing/calendar.js';
import { parseLocalDateTime } from '../../billing/units.js';
import { iso, ms } from './builders.js';

/** The first `count` cycles of an account, as [start, end) in the output format. */
function cycles(timeZone: string, createdAt: string, anchor: string | null, count: number) {
  const calendar = makeCalendar(
    timeZone,
    ms(createdAt),
    anchor === null ? null : parseLocalDateTime(anchor)!,
  );
  const spans: CycleSpan[] = [firstCycleSpan(calendar, ms(createdAt))];
  while (spans.length < count) spans.push(nextCycleSpan(calendar, spans[spans.length - 1]!));
  return spans.map((s) => ({ start: iso(s.start), end: iso(s.end), fullStart: iso(s.fullStart) }));
}

const ends = (list: { end: string }[]) => list.map((c) => c.end);

describe('time zones', () => {
  it.each([
    'Europe/Berlin',
    'America/New_York',
    'Australia/Sydney',
    'UTC',
    'Etc/UTC',
    'Asia/Kolkata',
  ])('%s is an IANA name', (name) => {
    expect(isIanaTimeZone(name)).toBe(true);
  });

  it.each(['US/Eastern', 'Asia/Calcutta', 'Europe/Kiev'])('the link %s is allowed', (name) => {
    expect(isIanaTimeZone(name)).toBe(true);
  });

  it.each(['europe/berlin', 'EUROPE/BERLIN', 'Mars/Olympus', '+01:00', '-05:00', 'Z', '', ' UTC'])(
    '%j is refused (not spelled as in the tz database)',
    (name) => {
      expect(isIanaTimeZone(name)).toBe(false);
    },
  );

  it('a non-string is refused', () => {
    expect(isIanaTimeZone(1)).toBe(false);
    expect(isIanaTimeZone(null)).toBe(false);
  });
});

describe('local date-times and instants', () => {
  it('2026-01-31T08:00:00Z is 09:00 on 31 Jan in Berlin (CET, +01:00)', () => {
    expect(localDateTimeOf(ms('2026-01-31T08:00:00Z'), 'Europe/Berlin')).toEqual({
      year: 2026,
      month: 1,
      day: 31,
      hour: 9,
      minute: 0,
      second: 0,
      millisecond: 0,
    });
  });

  it('keeps milliseconds: 08:00:00.123Z is 09:00:00.123 in Berlin', () => {
    expect(localDateTimeOf(ms('2026-01-31T08:00:00.123Z'), 'Europe/Berlin').millisecond).toBe(123);
  });

  it('a local time in the Berlin spring gap (29 Mar 2026 02:30) moves forward 1 h to 03:30 CEST = 01:30Z', () => {
    const local = { ...parseLocalDateTime('2026-03-29T02:30:00')! };
    expect(iso(instantOfLocal(local, 'Europe/Berlin'))).toBe('2026-03-29T01:30:00.000Z');
  });

  it('a repeated Berlin time (25 Oct 2026 02:30) takes the earlier instant, CEST = 00:30Z (not 01:30Z)', () => {
    const local = { ...parseLocalDateTime('2026-10-25T02:30:00')! };
    expect(iso(instantOfLocal(local, 'Europe/Berlin'))).toBe('2026-10-25T00:30:00.000Z');
  });

  it('month index: January 2026 = 2026 * 12 + 0 = 24,312', () => {
    expect(monthIndexOf({ year: 2026, month: 1 })).toBe(24_312);
  });
});

describe('local dates and zone names', () => {
  it('the local date of an instant: 1 Dec 07:59:59.999Z is still 30 Nov in Los Angeles (UTC-8)', () => {
    expect(localDateOf(ms('2026-12-01T07:59:59.999Z'), 'America/Los_Angeles')).toBe('2026-11-30');
    expect(localDateOf(ms('2026-12-01T08:00:00Z'), 'America/Los_Angeles')).toBe('2026-12-01');
    expect(localDateOf(ms('2026-11-30T15:00:00Z'), 'Asia/Tokyo')).toBe('2026-12-01');
  });

  it('years are written with four digits: 0999-01-01 in UTC', () => {
    expect(localDateOf(ms('0999-01-01T00:00:00Z'), 'UTC')).toBe('0999-01-01');
  });

  it("the zone's short name follows its offset at the instant: PST in January, PDT in July", () => {
    expect(zoneNameAt(ms('2026-01-15T12:00:00Z'), 'America/Los_Angeles')).toBe('PST');
    expect(zoneNameAt(ms('2026-07-15T12:00:00Z'), 'America/Los_Angeles')).toBe('PDT');
    expect(zoneNameAt(ms('2026-01-15T12:00:00Z'), 'Europe/Berlin')).toBe('GMT+1');
    expect(zoneNameAt(ms('2026-01-15T12:00:00Z'), 'UTC')).toBe('UTC');
  });
});

describe('boundaries on the anchor day, clamped to the month', () => {
  it('anchor 31 Jan 2028 -> 29 Feb 2028 -> 31 Mar -> 30 Apr -> 31 May (no drift to the 29th or 30th)', () => {
    expect(ends(cycles('UTC', '2028-01-31T00:00:00Z', '2028-01-31T00:00:00', 4))).toEqual([
      '2028-02-29T00:00:00.000Z',
      '2028-03-31T00:00:00.000Z',
      '2028-04-30T00:00:00.000Z',
      '2028-05-31T00:00:00.000Z',
    ]);
  });

  it('anchor 31 Jan 2027 -> 28 Feb 2027 (not a leap year) -> 31 Mar', () => {
    expect(ends(cycles('UTC', '2027-01-31T00:00:00Z', '2027-01-31T00:00:00', 2))).toEqual([
      '2027-02-28T00:00:00.000Z',
      '2027-03-31T00:00:00.000Z',
    ]);
  });

  it('anchor on the 30th: 30 Jan -> 28 Feb -> 30 Mar', () => {
    expect(ends(cycles('UTC', '2026-01-30T12:00:00Z', '2026-01-30T12:00:00', 2))).toEqual([
      '2026-02-28T12:00:00.000Z',
      '2026-03-30T12:00:00.000Z',
    ]);
  });

  it('only the anchor day and time are used, not its year and month: anchor 1999-07-15T06:00:00', () => {
    const list = cycles('UTC', '2026-01-20T00:00:00Z', '1999-07-15T06:00:00', 2);
    expect(list[0]).toEqual({
      start: '2026-01-20T00:00:00.000Z',
      end: '2026-02-15T06:00:00.000Z',
      fullStart: '2026-01-15T06:00:00.000Z',
    });
    expect(list[1]!.end).toBe('2026-03-15T06:00:00.000Z');
  });

  it('the spec example: Berlin, anchor 09:00 on the 31st: 28 Feb 08:00Z (CET), 31 Mar 07:00Z and 30 Apr 07:00Z (CEST)', () => {
    const list = cycles('Europe/Berlin', '2026-01-31T08:00:00Z', '2026-01-31T09:00:00', 4);
    expect(list[0]).toEqual({
      start: '2026-01-31T08:00:00.000Z',
      end: '2026-02-28T08:00:00.000Z',
      fullStart: '2026-01-31T08:00:00.000Z',
    });
    expect(ends(list)).toEqual([
      '2026-02-28T08:00:00.000Z',
      '2026-03-31T07:00:00.000Z',
      '2026-04-30T07:00:00.000Z',
      '2026-05-31T07:00:00.000Z',
    ]);
  });

  it('boundaryOf gives the instant of a given month: anchor 31st, Feb 2028 -> 29 Feb 2028', () => {
    const calendar = makeCalendar(
      'UTC',
      ms('2028-01-31T00:00:00Z'),
      parseLocalDateTime('2028-01-31T00:00:00')!,
    );
    expect(iso(boundaryOf(calendar, monthIndexOf({ year: 2028, month: 2 })))).toBe(
      '2028-02-29T00:00:00.000Z',
    );
  });
});

describe('anchors in DST gaps move forward by the gap; ambiguous ones take the earlier instant', () => {
  it('Europe/Berlin gap: anchor 29th 02:30; 29 Mar 2026 02:30 does not exist -> 03:30 CEST = 01:30Z; then 29 Apr 02:30 CEST = 00:30Z', () => {
    expect(ends(cycles('Europe/Berlin', '2026-02-28T12:00:00Z', '2026-01-29T02:30:00', 2))).toEqual(
      ['2026-03-29T01:30:00.000Z', '2026-04-29T00:30:00.000Z'],
    );
  });

  it('Europe/Berlin overlap: anchor 25th 02:30; 25 Oct 2026 02:30 happens twice -> the CEST one, 00:30Z', () => {
    expect(ends(cycles('Europe/Berlin', '2026-09-30T00:00:00Z', '2026-01-25T02:30:00', 2))).toEqual(
      ['2026-10-25T00:30:00.000Z', '2026-11-25T01:30:00.000Z'],
    );
  });

  it('America/New_York gap: anchor 8th 02:30; 8 Mar 2026 02:30 -> 03:30 EDT = 07:30Z; 8 Apr 02:30 EDT = 06:30Z', () => {
    expect(
      ends(cycles('America/New_York', '2026-02-20T00:00:00Z', '2026-01-08T02:30:00', 2)),
    ).toEqual(['2026-03-08T07:30:00.000Z', '2026-04-08T06:30:00.000Z']);
  });

  it('America/New_York overlap: anchor 1st 01:30; 1 Nov 2026 01:30 happens twice -> EDT 05:30Z (not EST 06:30Z); 1 Dec -> 06:30Z', () => {
    expect(
      ends(cycles('America/New_York', '2026-10-15T00:00:00Z', '2026-01-01T01:30:00', 2)),
    ).toEqual(['2026-11-01T05:30:00.000Z', '2026-12-01T06:30:00.000Z']);
  });

  it('Australia/Sydney gap: anchor 4th 02:30; 4 Oct 2026 02:30 -> 03:30 AEDT (+11) = 3 Oct 16:30Z; 4 Nov 02:30 AEDT = 3 Nov 15:30Z', () => {
    expect(
      ends(cycles('Australia/Sydney', '2026-09-10T00:00:00Z', '2026-01-04T02:30:00', 2)),
    ).toEqual(['2026-10-03T16:30:00.000Z', '2026-11-03T15:30:00.000Z']);
  });

  it('Australia/Sydney overlap: anchor 5th 02:30; 5 Apr 2026 02:30 happens twice -> AEDT 4 Apr 15:30Z (not AEST 16:30Z)', () => {
    expect(
      ends(cycles('Australia/Sydney', '2026-03-10T00:00:00Z', '2026-01-05T02:30:00', 2)),
    ).toEqual(['2026-04-04T15:30:00.000Z', '2026-05-04T16:30:00.000Z']);
  });

  it('Pacific/Chatham 1 h gap at 02:45: anchor 27th 02:50 -> 27 Sep 2026 03:50 (+13:45) = 26 Sep 14:05Z', () => {
    expect(
      ends(cycles('Pacific/Chatham', '2026-09-01T00:00:00Z', '2026-01-27T02:50:00', 1)),
    ).toEqual(['2026-09-26T14:05:00.000Z']);
  });

  it('Australia/Lord_Howe 30 min gap: anchor 4th 02:15 -> 4 Oct 2026 02:45 (+11) = 3 Oct 15:45Z', () => {
    expect(
      ends(cycles('Australia/Lord_Howe', '2026-09-10T00:00:00Z', '2026-01-04T02:15:00', 1)),
    ).toEqual(['2026-10-03T15:45:00.000Z']);
  });
});

describe('accounts without a billing anchor', () => {
  it('createdAt is the first boundary and its local date-time (ms included) the anchor: 31 Jan 08:00:00.123Z -> 28 Feb, 31 Mar', () => {
    const list = cycles('UTC', '2026-01-31T08:00:00.123Z', null, 3);
    expect(list[0]).toEqual({
      start: '2026-01-31T08:00:00.123Z',
      end: '2026-02-28T08:00:00.123Z',
      fullStart: '2026-01-31T08:00:00.123Z',
    });
    expect(ends(list)).toEqual([
      '2026-02-28T08:00:00.123Z',
      '2026-03-31T08:00:00.123Z',
      '2026-04-30T08:00:00.123Z',
    ]);
  });

  it('created in the second occurrence of 02:30 in Berlin (25 Oct 2026 01:30Z, CET): createdAt is still the first boundary, a full cycle', () => {
    const list = cycles('Europe/Berlin', '2026-10-25T01:30:00Z', null, 2);
    expect(list[0]).toEqual({
      start: '2026-10-25T01:30:00.000Z',
      end: '2026-11-25T01:30:00.000Z',
      fullStart: '2026-10-25T01:30:00.000Z',
    });
    expect(list[1]!.end).toBe('2026-12-25T01:30:00.000Z');
  });

  it('created in the first occurrence (00:30Z, CEST) is a full cycle too', () => {
    const list = cycles('Europe/Berlin', '2026-10-25T00:30:00Z', null, 1);
    expect(list[0]).toEqual({
      start: '2026-10-25T00:30:00.000Z',
      end: '2026-11-25T01:30:00.000Z',
      fullStart: '2026-10-25T00:30:00.000Z',
    });
  });

  it('created in the second 01:30 in New York (1 Nov 2026 06:30Z, EST): a full first cycle to 1 Dec 06:30Z', () => {
    expect(cycles('America/New_York', '2026-11-01T06:30:00Z', null, 1)[0]).toEqual({
      start: '2026-11-01T06:30:00.000Z',
      end: '2026-12-01T06:30:00.000Z',
      fullStart: '2026-11-01T06:30:00.000Z',
    });
  });
});

describe('the partial first cycle', () => {
  it('created 15 Jan 12:00Z with boundaries on the 1st: [15 Jan 12:00, 1 Feb), its full cycle starts 1 Jan', () => {
    expect(cycles('UTC', '2026-01-15T12:00:00Z', '2026-01-01T00:00:00', 2)).toEqual([
      {
        start: '2026-01-15T12:00:00.000Z',
        end: '2026-02-01T00:00:00.000Z',
        fullStart: '2026-01-01T00:00:00.000Z',
      },
      {
        start: '2026-02-01T00:00:00.000Z',
        end: '2026-03-01T00:00:00.000Z',
        fullStart: '2026-02-01T00:00:00.000Z',
      },
    ]);
  });

  it('created exactly on a boundary: a full first cycle', () => {
    expect(cycles('UTC', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00', 1)[0]!.fullStart).toBe(
      '2026-01-01T00:00:00.000Z',
    );
  });

  it('created 1 ms before a boundary: a 1 ms first cycle', () => {
    expect(cycles('UTC', '2026-01-31T23:59:59.999Z', '2026-01-01T00:00:00', 1)[0]).toEqual({
      start: '2026-01-31T23:59:59.999Z',
      end: '2026-02-01T00:00:00.000Z',
      fullStart: '2026-01-01T00:00:00.000Z',
    });
  });

  it('created 1 ms after a boundary: the first cycle runs to the next month', () => {
    expect(cycles('UTC', '2026-01-01T00:00:00.001Z', '2026-01-01T00:00:00', 1)[0]).toEqual({
      start: '2026-01-01T00:00:00.001Z',
      end: '2026-02-01T00:00:00.000Z',
      fullStart: '2026-01-01T00:00:00.000Z',
    });
  });

  it("anchor 31st, created 28 Feb 2026 12:00Z (after that month's clamped boundary 28 Feb 00:00Z): ends 31 Mar", () => {
    expect(cycles('UTC', '2026-02-28T12:00:00Z', '2026-01-31T00:00:00', 1)[0]).toEqual({
      start: '2026-02-28T12:00:00.000Z',
      end: '2026-03-31T00:00:00.000Z',
      fullStart: '2026-02-28T00:00:00.000Z',
    });
  });

  it('the creation month is local: Berlin, created 31 Jan 23:30Z = 1 Feb 00:30 local, anchor 1st 00:00 -> [.., 1 Mar 00:00 CET)', () => {
    expect(cycles('Europe/Berlin', '2026-01-31T23:30:00Z', '2026-01-01T00:00:00', 1)[0]).toEqual({
      start: '2026-01-31T23:30:00.000Z',
      end: '2026-02-28T23:00:00.000Z',
      fullStart: '2026-01-31T23:00:00.000Z',
    });
  });
});
