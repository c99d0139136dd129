/**
 * fast-check arbitraries of random `preview` scenarios (BILLING-RULES.md section 8) that stress the
 * rules: DST zones and links, anchors on short months and in DST gaps/overlaps, partial first
 * cycles, grace and lateness limits, every rejection code, duplicates re-encoded, purchases and
 * cancels with repeated ids, plan changes at the same instant, and malformed scenarios.
 *
 * A scenario is generated as an abstract "intent" (times given relative to cycle boundaries) and
 * rendered deterministically to JSON with the reference model's calendar, so shrinking works on
 * the intent and the rendered times stay on the interesting edges.
 *
 * Three arbitraries:
 * - `scenarioArbV1`: version 1 of the rules only. What it generates for a given seed never changes
 *   (test/golden/preview-v1.jsonl.gz holds 2,000 of its scenarios; generate.test.ts checks them).
 *   Everything added for version 2 is built beside the version 1 arbitraries, never into them.
 * - `scenarioArbV2`: plans with version 2's fields, and the new operations: grants (repeated ids),
 *   account limits ("0", null, positive, against plan limits and plan changes), admissions (before
 *   the call with the same callId, of recorded calls, repeated while reserved, over 1,000, at a
 *   reservation's exact expiry found by running the model), auto top-up rules (off, small
 *   thresholds, small caps), purchases at an agreed price, version 2 stories inside one cycle, and
 *   malformed variants of every new operation and plan field.
 * - `scenarioArb`: both mixed, mostly version 2 (the differential test's, once it judges version 2).
 */
import fc from 'fast-check';
import {
  calendarOf,
  formatInstant,
  localToInstant,
  parseInstant,
  referencePreview,
  type CycleSpan,
} from './reference.js';

// ---------------------------------------------------------------------------------------------
// Small building blocks
// ---------------------------------------------------------------------------------------------

const ZONES = [
  'Europe/Berlin',
  'America/New_York',
  'Australia/Sydney',
  'Asia/Kolkata',
  'UTC',
  'US/Eastern',
  'Asia/Calcutta',
  'Etc/GMT-14',
];

/** Local date-times near DST transitions (2025/2026) in the zones above, to land in gaps/overlaps. */
const DST_LOCALS: Record<string, string[]> = {
  'Europe/Berlin': [
    '2025-10-26T02:30:00',
    '2026-03-29T02:30:00',
    '2026-10-25T02:30:00',
    '2025-10-26T02:00:00',
    '2026-03-29T02:00:00',
    '2024-03-31T02:30:00', // gap on the 31st
    '2024-10-27T02:59:59',
  ],
  'America/New_York': [
    '2027-03-14T02:15:00',
    '2028-11-05T01:59:59',
    '2025-11-02T01:30:00',
    '2026-03-08T02:30:00',
    '2026-11-01T01:30:00',
    '2025-11-02T01:00:00',
    '2026-03-08T02:00:00',
  ],
  'US/Eastern': ['2025-11-02T01:30:00', '2026-03-08T02:30:00', '2026-11-01T01:30:00'],
  'Australia/Sydney': [
    '2028-10-01T02:30:00', // gap on the 1st
    '2027-04-04T02:00:00',
    '2026-04-05T02:30:00',
    '2025-10-05T02:30:00',
    '2026-10-04T02:30:00',
    '2025-04-06T02:30:00',
  ],
  'Asia/Kolkata': ['2026-01-31T05:30:00'],
  'Asia/Calcutta': ['2026-03-31T23:30:00'],
  'Etc/GMT-14': ['2026-02-28T00:00:00'],
  UTC: ['2026-01-31T23:59:59'],
};

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** How to write an instant: the zone offset to render in and the fraction style. */
interface Enc {
  offsetMinutes: number; // rendered offset (the instant is unchanged)
  frac: 'min' | 'full' | 'one'; // ".5" vs ".500"; 'one' keeps at least one digit
  minusZero?: boolean; // "-00:00" instead of "Z" when offset is 0
}

const encArb: fc.Arbitrary<Enc> = fc.record({
  offsetMinutes: fc.oneof(
    { weight: 6, arbitrary: fc.constant(0) },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        60,
        120,
        -300,
        -240,
        330,
        600,
        660,
        -30,
        23 * 60 + 59,
        -(23 * 60 + 59),
      ),
    },
  ),
  frac: fc.constantFrom('min', 'full', 'one'),
  minusZero: fc.boolean(),
});

const UTC_ENC: Enc = { offsetMinutes: 0, frac: 'full' };

/** Renders epoch ms as a section-1 instant with the given encoding. */
export function renderInstant(ms: number, enc: Enc = UTC_ENC): string {
  const d = new Date(ms + enc.offsetMinutes * 60_000);
  const base = `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  const msPart = pad(d.getUTCMilliseconds(), 3);
  let frac = '';
  if (enc.frac === 'full') frac = '.' + msPart;
  else if (enc.frac === 'one') frac = '.' + (msPart.replace(/0+$/, '') || '0');
  else if (d.getUTCMilliseconds() !== 0) frac = '.' + msPart.replace(/0+$/, '');
  let off: string;
  if (enc.offsetMinutes === 0) off = enc.minusZero ? '-00:00' : 'Z';
  else {
    const a = Math.abs(enc.offsetMinutes);
    off = `${enc.offsetMinutes < 0 ? '-' : '+'}${pad(Math.floor(a / 60))}:${pad(a % 60)}`;
  }
  return base + frac + off;
}

// --- decimal strings ---

const creditsArb: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      '0',
      '1',
      '2',
      '5',
      '10',
      '12.5',
      '30',
      '100',
      '0.001',
      '0.5',
      '3.333',
    ),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(
        fc.integer({ min: 0, max: 200 }),
        fc.integer({ min: 0, max: 999 }),
        fc.integer({ min: 0, max: 3 }),
      )
      .map(([i, f, w]) => (w === 0 ? `${i}` : `${i}.${pad(f, 3).slice(0, w)}`)),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '999999999999.999',
      '123456789012',
      '100000000000.5',
      '0007',
      '1.0',
      '1.10',
    ),
  },
);

const perMinuteArb: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.constantFrom('1', '0.333', '2.5', '0.001', '0', '1.5', '0.7', '3', '10'),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 999 }))
      .map(([i, f]) => `${i}.${pad(f, 3)}`),
  },
  { weight: 1, arbitrary: fc.constantFrom('999999999999.999', '5000000') },
);

const priceArb: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      '0.12',
      '0.1',
      '1',
      '0',
      '0.000001',
      '0.005',
      '0.125',
      '2.5',
      '0.333333',
    ),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(
        fc.integer({ min: 0, max: 50 }),
        fc.integer({ min: 0, max: 999_999 }),
        fc.integer({ min: 1, max: 6 }),
      )
      .map(([i, f, w]) => `${i}.${pad(f, 6).slice(0, w)}`),
  },
  { weight: 1, arbitrary: fc.constantFrom('999999999999.999999', '123456789012.5') },
);

const CURRENCIES = ['USD', 'EUR', 'JPY', 'KRW', 'GBP', 'INR', 'CHF'];

// ---------------------------------------------------------------------------------------------
// Plans
// ---------------------------------------------------------------------------------------------

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const roundingArb: fc.Arbitrary<Json | undefined> = fc.oneof(
  fc.constant(undefined),
  fc.constant({ mode: 'second' }),
  fc.constant({ mode: 'minute' }),
  fc.record({
    mode: fc.constant('block'),
    firstBlockSeconds: fc.oneof(fc.constantFrom(0, 30, 60, 1), fc.integer({ min: 0, max: 300 })),
    blockSeconds: fc.oneof(fc.constantFrom(1, 6, 30, 60), fc.integer({ min: 1, max: 120 })),
  }),
);

const secondsOptArb: fc.Arbitrary<number | undefined> = fc.oneof(
  { weight: 3, arbitrary: fc.constant(undefined) },
  { weight: 2, arbitrary: fc.constantFrom(0, 1, 30, 59, 60, 61, 120) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 600 }) },
);

const thresholdsArb: fc.Arbitrary<number[] | undefined> = fc.oneof(
  { weight: 1, arbitrary: fc.constant(undefined) },
  {
    weight: 5,
    arbitrary: fc
      .uniqueArray(
        fc.oneof(
          fc.constantFrom(1, 50, 80, 90, 100, 101, 120, 150, 200, 1000),
          fc.integer({ min: 1, max: 1000 }),
        ),
        { maxLength: 5 },
      )
      .chain((a) => fc.shuffledSubarray(a, { minLength: a.length, maxLength: a.length })),
  },
);

const PLAN_IDS = ['basic', 'growth', 'pro', 'scale'];

/** Round-number plans: calls of whole minutes land exactly on thresholds (used*100 == p*available). */
const simplePlanArb: fc.Arbitrary<Record<string, Json>> = fc
  .record({
    id: fc.constantFrom(...PLAN_IDS),
    allowanceCredits: fc.constantFrom('0', '1', '2', '3', '4', '5', '10', '20'),
    creditsPerMinute: fc.constantFrom('1', '1', '2', '0.5'),
    rounding: fc.constantFrom<Json>(
      { mode: 'minute' },
      { mode: 'block', firstBlockSeconds: 60, blockSeconds: 60 },
      { mode: 'second' },
    ),
    freeSeconds: fc.constantFrom(0, 30, 60),
    minimumSeconds: fc.constantFrom(0, 60),
    overagePricePerCredit: fc.constantFrom('0.5', '0.125', '1', '0.005'),
    currency: fc.constantFrom('USD', 'JPY', 'KRW', 'EUR'),
    alertThresholdsPercent: fc
      .uniqueArray(fc.constantFrom(25, 50, 75, 100, 150, 200, 300, 20, 40, 60, 80, 120), {
        maxLength: 5,
      })
      .chain((a) => fc.shuffledSubarray(a, { minLength: a.length, maxLength: a.length })),
    billOutbound: fc.boolean(),
  })
  .map((p) => p as Record<string, Json>);

const fullPlanArb: fc.Arbitrary<Record<string, Json>> = fc
  .record({
    id: fc.constantFrom(...PLAN_IDS),
    name: fc.option(fc.constantFrom('Basic', 'Growth'), { nil: undefined }),
    allowanceCredits: creditsArb,
    creditsPerMinute: perMinuteArb,
    rounding: roundingArb,
    minimumSeconds: secondsOptArb,
    freeSeconds: secondsOptArb,
    billOutbound: fc.option(fc.boolean(), { nil: undefined }),
    overagePricePerCredit: priceArb,
    currency: fc.constantFrom(...CURRENCIES),
    alertThresholdsPercent: thresholdsArb,
  })
  .map((p) => {
    const out: Record<string, Json> = {};
    for (const [k, v] of Object.entries(p)) if (v !== undefined) out[k] = v;
    return out;
  });

export const planArb: fc.Arbitrary<Record<string, Json>> = fc.oneof(fullPlanArb, simplePlanArb);

// ---------------------------------------------------------------------------------------------
// Intent: times relative to the calendar
// ---------------------------------------------------------------------------------------------

/** A time: a reference point (cycle k's start/end/grace end, creation, until) plus an offset. */
interface TimeRef {
  cycle: number; // taken modulo the number of cycles
  point: 'start' | 'end' | 'graceEnd' | 'mid' | 'created' | 'until';
  offsetMs: number;
}

const offsetArb: fc.Arbitrary<number> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.constantFrom(0, 1, -1, 1000, -1000, 999, -999, 500, -500, 3_600_000, -3_600_000),
  },
  { weight: 3, arbitrary: fc.integer({ min: -3 * 86_400_000, max: 3 * 86_400_000 }) },
  { weight: 1, arbitrary: fc.integer({ min: -20 * 86_400_000, max: 20 * 86_400_000 }) },
);

const timeRefArb: fc.Arbitrary<TimeRef> = fc.record({
  cycle: fc.nat({ max: 5 }),
  point: fc.constantFrom('start', 'end', 'graceEnd', 'mid', 'mid', 'created', 'until'),
  offsetMs: offsetArb,
});

/** Call intent: an arrival, and the call's times relative to it. */
interface CallIntent {
  kind: 'call';
  arrival: TimeRef;
  /** endedAt = arrival - lateness (negative: sender's clock ahead). */
  lateness:
    number | 'graceEdge' | 'graceEdge+1' | 'maxLate' | 'maxLate+1' | 'future300' | 'future301';
  durationMs: number | null; // answeredAt = endedAt - duration; null: never answered
  status: string;
  direction: string;
  handoff: 'none' | 'nullField' | 'mid' | 'atAnswer' | 'atEnd' | 'beforeAnswer' | 'afterEnd';
  hold: Json | undefined;
  system: Json | undefined;
  parent: 'none' | 'null' | 'set' | 'empty';
  callIdPick: number; // index into a small id pool, to cause duplicates/conflicts
  encA: Enc;
  encE: Enc;
  mutation: EventMutation;
}

type EventMutation =
  | 'none'
  | 'tooLarge'
  | 'tooLargeExact'
  | 'tooLargeMultibyte'
  | 'bigButOk'
  | 'callIdNumber'
  | 'callIdBadChar'
  | 'callIdTooLong'
  | 'callId128'
  | 'callIdEmpty'
  | 'accountIdNumber'
  | 'accountMismatch'
  | 'badDirection'
  | 'badStatus'
  | 'noEndedAt'
  | 'badEndedAt'
  | 'leapSecond'
  | 'hour24'
  | 'lowercaseT'
  | 'badAnsweredAt'
  | 'answeredNumber'
  | 'parentNumber'
  | 'notObject'
  | 'nullEvent'
  | 'unknownField'
  | 'frac4'
  | 'fracEmpty'
  | 'lowerZ'
  | 'offsetNoColon'
  | 'offset24'
  | 'offsetShort'
  | 'leadingSpace'
  | 'callIdUnicode'
  | 'holdBig'
  | 'year0';

const eventMutationArb: fc.Arbitrary<EventMutation> = fc.oneof(
  { weight: 30, arbitrary: fc.constant('none' as const) },
  {
    weight: 8,
    arbitrary: fc.constantFrom<EventMutation>(
      'tooLarge',
      'tooLargeExact',
      'tooLargeMultibyte',
      'bigButOk',
      'callIdNumber',
      'callIdBadChar',
      'callIdTooLong',
      'callId128',
      'callIdEmpty',
      'accountIdNumber',
      'accountMismatch',
      'badDirection',
      'badStatus',
      'noEndedAt',
      'badEndedAt',
      'leapSecond',
      'hour24',
      'lowercaseT',
      'badAnsweredAt',
      'answeredNumber',
      'parentNumber',
      'notObject',
      'nullEvent',
      'unknownField',
      'frac4',
      'fracEmpty',
      'lowerZ',
      'offsetNoColon',
      'offset24',
      'offsetShort',
      'leadingSpace',
      'callIdUnicode',
      'holdBig',
      'year0',
    ),
  },
);

const secondsFieldArb: fc.Arbitrary<Json | undefined> = fc.oneof(
  { weight: 8, arbitrary: fc.constant(undefined) },
  { weight: 6, arbitrary: fc.constantFrom(0, 1, 5, 10, 30, 59, 60, 61, 300) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 3600 }) },
  { weight: 1, arbitrary: fc.constantFrom<Json>(86_400, 86_401, -1, 1.5, null, '5', true) },
);

const callIntentArb: fc.Arbitrary<CallIntent> = fc.record({
  kind: fc.constant('call' as const),
  arrival: timeRefArb,
  lateness: fc.oneof(
    {
      weight: 5,
      arbitrary: fc.constantFrom(0, 1, 1000, 5000, 60_000, -1, -1000, -300_000, -300_001, -299_999),
    },
    { weight: 3, arbitrary: fc.integer({ min: 0, max: 3 * 86_400_000 }) },
    {
      weight: 3,
      arbitrary: fc.constantFrom(
        'graceEdge' as const,
        'graceEdge+1' as const,
        'maxLate' as const,
        'maxLate+1' as const,
        'future300' as const,
        'future301' as const,
      ),
    },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 40 * 86_400_000 }) },
  ),
  durationMs: fc.oneof(
    { weight: 1, arbitrary: fc.constant(null) },
    {
      weight: 3,
      arbitrary: fc.constantFrom(
        0,
        1,
        999,
        1000,
        1001,
        29_999,
        30_000,
        59_999,
        60_000,
        60_001,
        61_000,
        86_400_000,
        86_400_001,
        -1,
        -1000,
      ),
    },
    { weight: 5, arbitrary: fc.integer({ min: 0, max: 30 * 60_000 }) },
    { weight: 4, arbitrary: fc.integer({ min: 0, max: 10 }).map((m) => m * 60_000) },
    { weight: 2, arbitrary: fc.integer({ min: 0, max: 200 }).map((x) => x * 1000) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 3 * 3_600_000 }) },
  ),
  status: fc.oneof(
    { weight: 8, arbitrary: fc.constant('completed') },
    { weight: 2, arbitrary: fc.constantFrom('no-answer', 'busy', 'failed', 'canceled') },
  ),
  direction: fc.oneof(
    { weight: 3, arbitrary: fc.constant('inbound') },
    { weight: 1, arbitrary: fc.constant('outbound') },
  ),
  handoff: fc.oneof(
    { weight: 6, arbitrary: fc.constant('none' as const) },
    {
      weight: 3,
      arbitrary: fc.constantFrom(
        'nullField' as const,
        'mid' as const,
        'atAnswer' as const,
        'atEnd' as const,
        'beforeAnswer' as const,
        'afterEnd' as const,
      ),
    },
  ),
  hold: secondsFieldArb,
  system: secondsFieldArb,
  parent: fc.oneof(
    { weight: 6, arbitrary: fc.constant('none' as const) },
    { weight: 1, arbitrary: fc.constantFrom('null' as const, 'set' as const, 'empty' as const) },
  ),
  callIdPick: fc.nat({ max: 11 }),
  encA: encArb,
  encE: encArb,
  mutation: eventMutationArb,
});

/** Resend of an earlier call op (by index modulo the calls so far). */
interface ResendIntent {
  kind: 'resend';
  of: number;
  arrival: TimeRef | 'sameAt' | 'after';
  afterMs: number;
  change:
    | 'same'
    | 'reencode'
    | 'defaultsExplicit'
    | 'holdPlusOne'
    | 'endedPlus1ms'
    | 'direction'
    | 'accountMismatch'
    | 'fix'
    | 'padded';
  enc: Enc;
}

const resendIntentArb: fc.Arbitrary<ResendIntent> = fc.record({
  kind: fc.constant('resend' as const),
  of: fc.nat({ max: 20 }),
  arrival: fc.oneof(fc.constant('sameAt' as const), fc.constant('after' as const), timeRefArb),
  afterMs: fc.oneof(
    fc.constantFrom(0, 1, 1000, 3_600_000),
    fc.integer({ min: 0, max: 40 * 86_400_000 }),
  ),
  change: fc.constantFrom(
    'same',
    'reencode',
    'reencode',
    'defaultsExplicit',
    'holdPlusOne',
    'endedPlus1ms',
    'direction',
    'accountMismatch',
    'fix',
    'padded',
  ),
  enc: encArb,
});

interface PurchaseIntent {
  kind: 'purchase';
  at: TimeRef;
  id: number;
  credits: string;
  recurring: boolean | undefined;
  price?: string; // version 2: the agreed `pricePerCredit`
}

const purchaseIntentArb: fc.Arbitrary<PurchaseIntent> = fc.record({
  kind: fc.constant('purchase' as const),
  at: timeRefArb,
  id: fc.nat({ max: 4 }),
  credits: creditsArb,
  recurring: fc.option(fc.boolean(), { nil: undefined }),
});

interface CancelIntent {
  kind: 'cancel';
  at: TimeRef;
  id: number; // 5 = an id never purchased
}

const cancelIntentArb: fc.Arbitrary<CancelIntent> = fc.record({
  kind: fc.constant('cancel' as const),
  at: timeRefArb,
  id: fc.nat({ max: 5 }),
});

interface ChangeIntent {
  kind: 'change';
  at: TimeRef;
  plan: Record<string, Json>;
  effective: 'now' | 'next-cycle' | undefined;
}

const changeIntentArb: fc.Arbitrary<ChangeIntent> = fc.record({
  kind: fc.constant('change' as const),
  at: timeRefArb,
  plan: planArb,
  effective: fc.constantFrom('now' as const, 'next-cycle' as const, undefined),
});

/** Same-instant burst: several ops sharing one `at`. */
interface BurstIntent {
  kind: 'burst';
  at: TimeRef;
  ops: (
    | CallIntent
    | PurchaseIntent
    | CancelIntent
    | ChangeIntent
    | GrantIntent
    | LimitIntent
    | AdmitIntent
    | TopUpIntent
  )[];
}

const burstIntentArb: fc.Arbitrary<BurstIntent> = fc.record({
  kind: fc.constant('burst' as const),
  at: timeRefArb,
  ops: fc.array(fc.oneof(callIntentArb, purchaseIntentArb, cancelIntentArb, changeIntentArb), {
    minLength: 2,
    maxLength: 4,
  }),
});

/** A clean story inside one cycle: valid calls, purchases and plan changes an hour apart. */
interface StoryIntent {
  kind: 'story';
  cycle: number;
  startOffsetMs: number;
  steps: (
    | { t: 'call'; minutes: number; outbound: boolean }
    | { t: 'purchase'; credits: string; recurring: boolean }
    | { t: 'change'; plan: Record<string, Json>; effective: 'now' | 'next-cycle' | undefined }
  )[];
}

const storyIntentArb: fc.Arbitrary<StoryIntent> = fc.record({
  kind: fc.constant('story' as const),
  cycle: fc.nat({ max: 4 }),
  startOffsetMs: fc.constantFrom(0, 1000, 3_600_000, 10 * 86_400_000),
  steps: fc.array(
    fc.oneof(
      {
        weight: 5,
        arbitrary: fc.record({
          t: fc.constant('call' as const),
          minutes: fc.integer({ min: 0, max: 4 }),
          outbound: fc.boolean(),
        }),
      },
      {
        weight: 2,
        arbitrary: fc.record({
          t: fc.constant('purchase' as const),
          credits: fc.constantFrom('1', '2', '5', '0.5'),
          recurring: fc.boolean(),
        }),
      },
      {
        weight: 1,
        arbitrary: fc.record({
          t: fc.constant('change' as const),
          plan: planArb,
          effective: fc.constantFrom('now' as const, 'next-cycle' as const, undefined),
        }),
      },
    ),
    { minLength: 2, maxLength: 12 },
  ),
});

// ---------------------------------------------------------------------------------------------
// Version 2 (sections 9 to 12): plan fields and operation intents
// ---------------------------------------------------------------------------------------------

/** Small prices, so that charges land on round-half-up edges in both 2- and 0-decimal currencies. */
const purchasePriceArb: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      '0.12',
      '0.1',
      '1',
      '0',
      '0.000001',
      '0.005',
      '0.0005',
      '0.125',
      '2.5',
      '0.333333',
      '100',
    ),
  },
  { weight: 1, arbitrary: priceArb },
);

/** Limits around the credits small scenarios use ("0" blocks at zero). */
const limitCreditsArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constant('0') },
  { weight: 4, arbitrary: fc.constantFrom('0.001', '0.5', '1', '2', '5', '10', '30', '100') },
  { weight: 1, arbitrary: creditsArb },
);

const V2_PLAN_DEFAULT = Symbol('absent');

/** The four optional plan fields of version 2, each sometimes absent. */
const planFieldsV2Arb: fc.Arbitrary<Record<string, Json>> = fc
  .record({
    purchasePricePerCredit: fc.oneof(
      { weight: 3, arbitrary: fc.constant<typeof V2_PLAN_DEFAULT>(V2_PLAN_DEFAULT) },
      { weight: 1, arbitrary: fc.constant(null) },
      { weight: 5, arbitrary: purchasePriceArb },
    ),
    overageLimitCredits: fc.oneof(
      { weight: 4, arbitrary: fc.constant<typeof V2_PLAN_DEFAULT>(V2_PLAN_DEFAULT) },
      { weight: 1, arbitrary: fc.constant(null) },
      { weight: 4, arbitrary: limitCreditsArb },
    ),
    admissionMinimumSeconds: fc.oneof(
      { weight: 3, arbitrary: fc.constant<typeof V2_PLAN_DEFAULT>(V2_PLAN_DEFAULT) },
      { weight: 3, arbitrary: fc.constantFrom(0, 1, 30, 59, 60, 61, 120, 300, 86_400) },
      { weight: 1, arbitrary: fc.integer({ min: 0, max: 600 }) },
    ),
    admissionReserveSeconds: fc.oneof(
      { weight: 3, arbitrary: fc.constant<typeof V2_PLAN_DEFAULT>(V2_PLAN_DEFAULT) },
      { weight: 3, arbitrary: fc.constantFrom(0, 1, 60, 300, 600, 3600, 86_400) },
      { weight: 1, arbitrary: fc.integer({ min: 0, max: 1200 }) },
    ),
  })
  .map((r) => {
    const out: Record<string, Json> = {};
    for (const [k, v] of Object.entries(r)) if (v !== V2_PLAN_DEFAULT) out[k] = v;
    return out;
  });

/** Version 1 plans with version 2's fields sometimes added. */
export const planArbV2: fc.Arbitrary<Record<string, Json>> = fc
  .tuple(planArb, planFieldsV2Arb, fc.integer({ min: 0, max: 9 }))
  .map(([p, extra, pick]) => (pick < 2 ? p : { ...p, ...extra }));

/** A purchase intent that may carry an agreed price (section 9). */
const purchaseIntentV2Arb: fc.Arbitrary<PurchaseIntent> = fc
  .tuple(purchaseIntentArb, fc.option(purchasePriceArb, { nil: undefined, freq: 2 }))
  .map(([p, price]) => (price === undefined ? p : { ...p, price }));

const changeIntentV2Arb: fc.Arbitrary<ChangeIntent> = fc.record({
  kind: fc.constant('change' as const),
  at: timeRefArb,
  plan: planArbV2,
  effective: fc.constantFrom('now' as const, 'next-cycle' as const, undefined),
});

const grantCreditsArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('0.001', '0.5', '1', '2', '5', '10', '20') },
  { weight: 1, arbitrary: creditsArb.filter((c) => /[1-9]/.test(c)) },
);

const grantReasonArb: fc.Arbitrary<string> = fc.constantFrom(
  'goodwill',
  'disputed call CA7',
  'x',
  'r'.repeat(200),
  '€'.repeat(200), // 200 code points, 600 bytes
  '😀'.repeat(200), // 200 code points, 400 UTF-16 units
  'note: ünïcode',
);

interface GrantIntent {
  kind: 'grant';
  at: TimeRef;
  id: number; // small pool: repeated ids are ignored
  credits: string;
  reason: string;
}

const grantIntentArb: fc.Arbitrary<GrantIntent> = fc.record({
  kind: fc.constant('grant' as const),
  at: timeRefArb,
  id: fc.nat({ max: 3 }),
  credits: grantCreditsArb,
  reason: grantReasonArb,
});

interface LimitIntent {
  kind: 'limit';
  at: TimeRef;
  credits: string | null;
}

const limitIntentArb: fc.Arbitrary<LimitIntent> = fc.record({
  kind: fc.constant('limit' as const),
  at: timeRefArb,
  credits: fc.oneof(
    { weight: 1, arbitrary: fc.constant(null) },
    { weight: 3, arbitrary: limitCreditsArb },
  ),
});

interface AdmitIntent {
  kind: 'admit';
  at: TimeRef;
  callIdPick: number; // the call id pool: admissions of recorded calls, repeated admissions
  enc: Enc;
}

const admitIntentArb: fc.Arbitrary<AdmitIntent> = fc.record({
  kind: fc.constant('admit' as const),
  at: timeRefArb,
  callIdPick: fc.nat({ max: 11 }),
  enc: encArb,
});

type TopUpRule = { belowCredits: string; credits: string; maxPerCycle: number; [k: string]: Json };

const topUpRuleArb: fc.Arbitrary<TopUpRule | null> = fc.oneof(
  { weight: 1, arbitrary: fc.constant(null) },
  {
    weight: 5,
    arbitrary: fc
      .record({
        belowCredits: fc.oneof(
          { weight: 4, arbitrary: fc.constantFrom('0', '0.5', '1', '2', '5', '10', '50') },
          { weight: 1, arbitrary: creditsArb },
        ),
        credits: fc.oneof(
          { weight: 4, arbitrary: fc.constantFrom('0.001', '0.5', '1', '2', '5', '10', '200') },
          { weight: 1, arbitrary: creditsArb.filter((c) => /[1-9]/.test(c)) },
        ),
        maxPerCycle: fc.oneof(
          { weight: 4, arbitrary: fc.constantFrom(1, 2, 3, 5) },
          { weight: 1, arbitrary: fc.constantFrom(100, 99, 10) },
        ),
        extra: fc.boolean(),
      })
      .map(({ extra, ...r }) => (extra ? { ...r, note: 'ignored' } : r)),
  },
);

interface TopUpIntent {
  kind: 'topUp';
  at: TimeRef;
  rule: TopUpRule | null;
}

const topUpIntentArb: fc.Arbitrary<TopUpIntent> = fc.record({
  kind: fc.constant('topUp' as const),
  at: timeRefArb,
  rule: topUpRuleArb,
});

/** An admission, maybe repeated, then the call it admitted (or an event that does not release). */
interface AdmitCallIntent {
  kind: 'admitCall';
  at: TimeRef; // the admission
  callIdPick: number;
  repeatsMs: number[]; // more admissions of the same callId, this long after the first
  waitMs: number; // admission to answer
  durationMs: number;
  lagMs: number; // end to arrival
  event: 'ok' | 'tooLarge' | 'invalid' | 'mismatch' | 'answerRequired' | 'none';
}

const admitCallIntentArb: fc.Arbitrary<AdmitCallIntent> = fc.record({
  kind: fc.constant('admitCall' as const),
  at: timeRefArb,
  callIdPick: fc.nat({ max: 11 }),
  repeatsMs: fc.array(
    fc.oneof(
      fc.constantFrom(0, 1, 1000, 60_000, 600_000, 900_000, 3_600_000),
      fc.integer({ min: 0, max: 2 * 86_400_000 }),
    ),
    { maxLength: 3 },
  ),
  waitMs: fc.oneof(fc.constantFrom(0, 1, 1000, 5000), fc.integer({ min: 0, max: 1_200_000 })),
  durationMs: fc.oneof(
    fc.constantFrom(0, 1000, 30_000, 59_000, 60_000, 61_000, 300_000, 301_000, 1_200_000),
    fc.integer({ min: 0, max: 3_600_000 }),
  ),
  lagMs: fc.oneof(fc.constantFrom(0, 1, 1000, 60_000), fc.integer({ min: 0, max: 86_400_000 })),
  event: fc.constantFrom(
    'ok' as const,
    'ok' as const,
    'ok' as const,
    'tooLarge' as const,
    'invalid' as const,
    'mismatch' as const,
    'answerRequired' as const,
    'none' as const,
  ),
});

type StoryV2Step =
  | { t: 'call'; seconds: number; outbound: boolean; admit: 'none' | 'before' | 'twice' | 'after' }
  | { t: 'purchase'; credits: string; recurring: boolean; price: string | undefined }
  | { t: 'change'; plan: Record<string, Json>; effective: 'now' | 'next-cycle' | undefined }
  | { t: 'grant'; id: number; credits: string }
  | { t: 'limit'; credits: string | null }
  | { t: 'topUp'; rule: TopUpRule | null }
  | { t: 'admit'; callIdPick: number }
  | { t: 'wait'; ms: number };

/** A clean story of version 2 inside one cycle: admitted calls, grants, limits and top-ups. */
interface StoryV2Intent {
  kind: 'storyV2';
  cycle: number;
  startOffsetMs: number;
  stepMs: number;
  steps: StoryV2Step[];
}

const storyV2StepArb: fc.Arbitrary<StoryV2Step> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({
      t: fc.constant('call' as const),
      seconds: fc.oneof(
        fc.constantFrom(0, 1, 30, 59, 60, 61, 90, 120, 180, 300, 301, 600),
        fc.integer({ min: 0, max: 1800 }),
      ),
      outbound: fc.boolean(),
      admit: fc.constantFrom(
        'none' as const,
        'before' as const,
        'before' as const,
        'twice' as const,
        'after' as const,
      ),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      t: fc.constant('purchase' as const),
      credits: fc.constantFrom('1', '2', '5', '0.5', '10'),
      recurring: fc.boolean(),
      price: fc.option(purchasePriceArb, { nil: undefined }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      t: fc.constant('change' as const),
      plan: planArbV2,
      effective: fc.constantFrom('now' as const, 'next-cycle' as const, undefined),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      t: fc.constant('grant' as const),
      id: fc.nat({ max: 3 }),
      credits: grantCreditsArb,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      t: fc.constant('limit' as const),
      credits: fc.oneof(fc.constant(null), limitCreditsArb),
    }),
  },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('topUp' as const), rule: topUpRuleArb }) },
  {
    weight: 1,
    arbitrary: fc.record({ t: fc.constant('admit' as const), callIdPick: fc.nat({ max: 11 }) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      t: fc.constant('wait' as const),
      ms: fc.constantFrom(600_000, 900_000, 86_400_000, 5 * 86_400_000),
    }),
  },
);

const storyV2IntentArb: fc.Arbitrary<StoryV2Intent> = fc.record({
  kind: fc.constant('storyV2' as const),
  cycle: fc.nat({ max: 4 }),
  startOffsetMs: fc.constantFrom(0, 1000, 3_600_000, 10 * 86_400_000),
  stepMs: fc.constantFrom(60_000, 600_000, 3_600_000),
  steps: fc.array(storyV2StepArb, { minLength: 2, maxLength: 14 }),
});

/** Several operations sharing one `at`, version 2 operations included. */
const burstIntentV2Arb: fc.Arbitrary<BurstIntent> = fc.record({
  kind: fc.constant('burst' as const),
  at: timeRefArb,
  ops: fc.array(
    fc.oneof(
      callIntentArb,
      purchaseIntentV2Arb,
      cancelIntentArb,
      changeIntentV2Arb,
      grantIntentArb,
      limitIntentArb,
      admitIntentArb,
      topUpIntentArb,
    ),
    { minLength: 2, maxLength: 5 },
  ),
});

type OpIntent =
  | CallIntent
  | ResendIntent
  | PurchaseIntent
  | CancelIntent
  | ChangeIntent
  | BurstIntent
  | StoryIntent
  // version 2
  | GrantIntent
  | LimitIntent
  | AdmitIntent
  | TopUpIntent
  | AdmitCallIntent
  | StoryV2Intent;

const opIntentArb: fc.Arbitrary<OpIntent> = fc.oneof(
  { weight: 10, arbitrary: callIntentArb },
  { weight: 3, arbitrary: resendIntentArb },
  { weight: 3, arbitrary: purchaseIntentArb },
  { weight: 2, arbitrary: cancelIntentArb },
  { weight: 3, arbitrary: changeIntentArb },
  { weight: 1, arbitrary: burstIntentArb },
  { weight: 2, arbitrary: storyIntentArb },
);

const opIntentV2Arb: fc.Arbitrary<OpIntent> = fc.oneof(
  { weight: 8, arbitrary: callIntentArb },
  { weight: 2, arbitrary: resendIntentArb },
  { weight: 3, arbitrary: purchaseIntentV2Arb },
  { weight: 1, arbitrary: cancelIntentArb },
  { weight: 2, arbitrary: changeIntentV2Arb },
  { weight: 1, arbitrary: burstIntentV2Arb },
  { weight: 1, arbitrary: storyIntentArb },
  { weight: 3, arbitrary: storyV2IntentArb },
  { weight: 2, arbitrary: grantIntentArb },
  { weight: 2, arbitrary: limitIntentArb },
  { weight: 3, arbitrary: admitIntentArb },
  { weight: 3, arbitrary: admitCallIntentArb },
  { weight: 2, arbitrary: topUpIntentArb },
);

type ScenarioMutation =
  | 'none'
  | 'noAccount'
  | 'accountIdNumber'
  | 'tzUnknown'
  | 'tzLowercase'
  | 'tzOffset'
  | 'tzMissing'
  | 'createdAtBad'
  | 'createdAtNoSeconds'
  | 'anchorWithOffset'
  | 'anchorWithFraction'
  | 'anchorFeb30'
  | 'grace604801'
  | 'graceNegative'
  | 'graceFraction'
  | 'graceString'
  | 'maxLateTooBig'
  | 'planMissing'
  | 'planIdEmpty'
  | 'allowanceNumber'
  | 'allowance4Decimals'
  | 'allowance13Digits'
  | 'allowanceNegative'
  | 'allowanceExponent'
  | 'cpmMissing'
  | 'price7Decimals'
  | 'price13Digits'
  | 'currencyLower'
  | 'currencyUnknown'
  | 'roundingBad'
  | 'blockZero'
  | 'firstBlockNegative'
  | 'minimumTooBig'
  | 'freeFraction'
  | 'thresholdZero'
  | 'threshold1001'
  | 'thresholdRepeat'
  | 'thresholdString'
  | 'billOutboundString'
  | 'untilBad'
  | 'untilBeforeCreated'
  | 'operationsMissing'
  | 'opTypeUnknown'
  | 'opAtBeforeCreated'
  | 'opAtAfterUntil'
  | 'opAtBad'
  | 'purchaseCreditsNumber'
  | 'purchaseCreditsBad'
  | 'recurringString'
  | 'purchaseIdNumber'
  | 'effectiveBad'
  | 'changePlanBad';

const scenarioMutationArb: fc.Arbitrary<ScenarioMutation> = fc.oneof(
  { weight: 92, arbitrary: fc.constant('none' as const) },
  {
    weight: 8,
    arbitrary: fc.constantFrom<ScenarioMutation>(
      'noAccount',
      'accountIdNumber',
      'tzUnknown',
      'tzLowercase',
      'tzOffset',
      'tzMissing',
      'createdAtBad',
      'createdAtNoSeconds',
      'anchorWithOffset',
      'anchorWithFraction',
      'anchorFeb30',
      'grace604801',
      'graceNegative',
      'graceFraction',
      'graceString',
      'maxLateTooBig',
      'planMissing',
      'planIdEmpty',
      'allowanceNumber',
      'allowance4Decimals',
      'allowance13Digits',
      'allowanceNegative',
      'allowanceExponent',
      'cpmMissing',
      'price7Decimals',
      'price13Digits',
      'currencyLower',
      'currencyUnknown',
      'roundingBad',
      'blockZero',
      'firstBlockNegative',
      'minimumTooBig',
      'freeFraction',
      'thresholdZero',
      'threshold1001',
      'thresholdRepeat',
      'thresholdString',
      'billOutboundString',
      'untilBad',
      'untilBeforeCreated',
      'operationsMissing',
      'opTypeUnknown',
      'opAtBeforeCreated',
      'opAtAfterUntil',
      'opAtBad',
      'purchaseCreditsNumber',
      'purchaseCreditsBad',
      'recurringString',
      'purchaseIdNumber',
      'effectiveBad',
      'changePlanBad',
    ),
  },
);

export interface ScenarioIntent {
  zone: string;
  created:
    | {
        kind: 'random';
        year: number;
        month: number;
        day: number;
        hour: number;
        minute: number;
        second: number;
        ms: number;
      }
    | { kind: 'dst'; pick: number; later: boolean; ms: number };
  createdEnc: Enc;
  anchor:
    | null
    | { kind: 'day'; day: number; hour: number; minute: number; second: number }
    | { kind: 'dst'; pick: number } // the local time of a DST transition, as the anchor
    | { kind: 'sameAsCreated' } // createdAt (to the second) is a boundary
    | { kind: 'justAfterCreated'; seconds: number }; // a very short partial first cycle
  grace: number | undefined;
  maxLate: number | undefined;
  months: number; // 1..4
  untilAt:
    | 'boundary'
    | 'boundary+grace'
    | 'boundary+grace-1'
    | 'boundary-1'
    | 'boundary+1'
    | 'mid'
    | 'graceEnd+1';
  plan: Record<string, Json>;
  ops: OpIntent[];
  scenarioMutation: ScenarioMutation;
  mutationPick: number;
  /** Version 2 scenarios only. */
  v2?: ScenarioV2Extras;
}

/** The account, calendar and `until` of a scenario (shared by version 1 and 2 intents). */
const scenarioBaseFields = {
  zone: fc.constantFrom(...ZONES),
  created: fc.oneof(
    {
      weight: 3,
      arbitrary: fc.record({
        kind: fc.constant('random' as const),
        year: fc.constantFrom(2024, 2025, 2026, 2027, 2028),
        month: fc.integer({ min: 1, max: 12 }),
        day: fc.oneof(fc.constantFrom(1, 15, 28, 29, 30, 31), fc.integer({ min: 1, max: 31 })),
        hour: fc.oneof(fc.constantFrom(0, 1, 2, 3, 23), fc.integer({ min: 0, max: 23 })),
        minute: fc.constantFrom(0, 30, 59, 17),
        second: fc.constantFrom(0, 59, 7),
        ms: fc.constantFrom(0, 0, 1, 500, 999, 123),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('dst' as const),
        pick: fc.nat({ max: 10 }),
        later: fc.boolean(),
        ms: fc.constantFrom(0, 250),
      }),
    },
  ),
  createdEnc: encArb,
  anchor: fc.oneof(
    { weight: 3, arbitrary: fc.constant(null) },
    {
      weight: 4,
      arbitrary: fc.record({
        kind: fc.constant('day' as const),
        day: fc.oneof(fc.constantFrom(1, 15, 28, 29, 30, 31), fc.integer({ min: 1, max: 31 })),
        hour: fc.oneof(fc.constantFrom(0, 2, 3, 9, 23), fc.integer({ min: 0, max: 23 })),
        minute: fc.constantFrom(0, 30, 59),
        second: fc.constantFrom(0, 0, 59),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({ kind: fc.constant('dst' as const), pick: fc.nat({ max: 10 }) }),
    },
    { weight: 1, arbitrary: fc.constant({ kind: 'sameAsCreated' as const }) },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('justAfterCreated' as const),
        seconds: fc.constantFrom(1, 60, 3600, 86_400, 3 * 86_400),
      }),
    },
  ),
  grace: fc.oneof(
    fc.constant(undefined),
    fc.constantFrom(0, 1, 60, 3600, 86_400, 604_800),
    fc.integer({ min: 0, max: 604_800 }),
  ),
  maxLate: fc.oneof(
    { weight: 3, arbitrary: fc.constant(undefined) },
    { weight: 2, arbitrary: fc.constantFrom(0, 1, 60, 300, 3600, 86_400, 31_622_400) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 40 * 86_400 }) },
  ),
  months: fc.integer({ min: 1, max: 4 }),
  untilAt: fc.constantFrom(
    'boundary',
    'boundary+grace',
    'boundary+grace-1',
    'boundary-1',
    'boundary+1',
    'mid',
    'graceEnd+1',
  ),
};

export const scenarioIntentArb: fc.Arbitrary<ScenarioIntent> = fc.record({
  ...scenarioBaseFields,
  plan: planArb,
  ops: fc.array(opIntentArb, { maxLength: 25 }),
  scenarioMutation: scenarioMutationArb,
  mutationPick: fc.nat({ max: 100 }),
});

/** Malformed variants of version 2's operations and plan fields, and well-formed edge cases. */
const V2_MALFORMED = [
  'grantIdEmpty',
  'grantIdNumber',
  'grantIdMissing',
  'grantCreditsZero',
  'grantCreditsZeroDecimals',
  'grantCreditsNumber',
  'grantCreditsBad',
  'grantCreditsMissing',
  'grantReasonMissing',
  'grantReasonEmpty',
  'grantReason201',
  'grantReasonAstral201',
  'grantReasonNumber',
  'grantReasonNull',
  'limitMissing',
  'limitNumber',
  'limitNegative',
  'limitBad',
  'admitCallIdBad',
  'admitCallIdTooLong',
  'admitCallIdMissing',
  'admitCallIdNumber',
  'admitCallIdEmpty',
  'topUpMissing',
  'topUpString',
  'topUpArray',
  'topUpBelowMissing',
  'topUpBelowNumber',
  'topUpBelowNull',
  'topUpCreditsZero',
  'topUpCreditsMissing',
  'topUpMaxZero',
  'topUpMax101',
  'topUpMaxFraction',
  'topUpMaxString',
  'topUpMaxMissing',
  'purchasePriceNull',
  'purchasePriceBad',
  'purchasePriceNumber',
  'purchasePrice13Digits',
  'planPurchasePriceBad',
  'planPurchasePriceNumber',
  'planLimitNumber',
  'planLimitBad',
  'planAdmissionMinTooBig',
  'planAdmissionMinNegative',
  'planAdmissionMinNull',
  'planAdmissionReserveFraction',
  'planAdmissionReserveString',
  'changePlanV2Bad',
] as const;

const V2_EDGES = [
  'opUnknownKeys',
  'planPriceNull',
  'planLimitNull',
  'admissionSecondsMax',
  'admitCallId128',
  'grantReasonAstral200',
  'limitZeroDecimals',
  'topUpBelowZeroDecimals',
  'topUpMax100',
] as const;

type V2Mutation = 'none' | (typeof V2_MALFORMED)[number] | (typeof V2_EDGES)[number];

interface ScenarioV2Extras {
  /** Operations at createdAt, before any other: an account limit and an auto top-up rule. */
  setupLimit: string | null | undefined;
  setupTopUp: TopUpRule | null | undefined;
  /** Over 1,000 admissions (section 11 case 4), rare. */
  manyAdmits: null | { at: TimeRef; count: number; spacingMs: number; limit: string };
  /** Admissions placed at reservations' exact expiry (and 1 ms before), found by the model. */
  probeExpiry: number[];
  mutation: V2Mutation;
  mutationPick: number;
}

const scenarioV2ExtrasArb: fc.Arbitrary<ScenarioV2Extras> = fc.record({
  setupLimit: fc.oneof(
    { weight: 3, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: fc.constant(null) },
    { weight: 3, arbitrary: limitCreditsArb },
  ),
  setupTopUp: fc.oneof(
    { weight: 3, arbitrary: fc.constant(undefined) },
    { weight: 2, arbitrary: topUpRuleArb },
  ),
  manyAdmits: fc.oneof(
    { weight: 150, arbitrary: fc.constant(null) },
    {
      weight: 1,
      arbitrary: fc.record({
        at: timeRefArb,
        count: fc.integer({ min: 998, max: 1002 }),
        spacingMs: fc.constantFrom(0, 1, 1000, 60_000),
        limit: fc.constantFrom('0', '5', '1000', '100000000'),
      }),
    },
  ),
  probeExpiry: fc.oneof(
    { weight: 2, arbitrary: fc.constant<number[]>([]) },
    { weight: 1, arbitrary: fc.array(fc.nat({ max: 50 }), { minLength: 1, maxLength: 3 }) },
  ),
  mutation: fc.oneof(
    { weight: 85, arbitrary: fc.constant('none' as const) },
    { weight: 10, arbitrary: fc.constantFrom<V2Mutation>(...V2_MALFORMED) },
    { weight: 5, arbitrary: fc.constantFrom<V2Mutation>(...V2_EDGES) },
  ),
  mutationPick: fc.nat({ max: 100 }),
});

/** Version 2 scenario intents: every new operation and plan field, mixed with version 1's. */
export const scenarioIntentV2Arb: fc.Arbitrary<ScenarioIntent> = fc.record({
  ...scenarioBaseFields,
  plan: planArbV2,
  ops: fc.array(opIntentV2Arb, { maxLength: 30 }),
  scenarioMutation: fc.oneof(
    { weight: 3, arbitrary: fc.constant('none' as const) },
    { weight: 1, arbitrary: scenarioMutationArb },
  ),
  mutationPick: fc.nat({ max: 100 }),
  v2: scenarioV2ExtrasArb,
});

// ---------------------------------------------------------------------------------------------
// Rendering
// ---------------------------------------------------------------------------------------------

const ACCOUNT = 'acme';
const CALL_IDS = [
  'CA1',
  'CA2',
  'CA3',
  'CA4',
  'CA5',
  'CA6',
  'ca.7',
  'CA:8',
  'CA-9_x',
  'CA10',
  'CA11',
  'CA12',
];

function toLocalString(y: number, mo: number, d: number, h: number, mi: number, s: number): string {
  return `${pad(y, 4)}-${pad(mo)}-${pad(d)}T${pad(h)}:${pad(mi)}:${pad(s)}`;
}

function daysIn(y: number, m: number): number {
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

interface Ctx {
  spans: CycleSpan[];
  created: number;
  until: number;
  graceMs: number;
  maxLateMs: number;
}

function resolve(t: TimeRef, ctx: Ctx): number {
  const c = ctx.spans[t.cycle % ctx.spans.length]!;
  let base: number;
  switch (t.point) {
    case 'start':
      base = c.start;
      break;
    case 'end':
      base = c.end;
      break;
    case 'graceEnd':
      base = c.end + ctx.graceMs;
      break;
    case 'mid':
      base = c.start + Math.floor((c.end - c.start) / 2);
      break;
    case 'created':
      base = ctx.created;
      break;
    case 'until':
      base = ctx.until;
      break;
  }
  return clamp(base + t.offsetMs, ctx);
}

function clamp(ms: number, ctx: Ctx): number {
  return Math.max(ctx.created, Math.min(ctx.until, ms));
}

function homeSpan(ms: number, ctx: Ctx): CycleSpan {
  return ctx.spans.find((s) => s.start <= ms && ms < s.end) ?? ctx.spans[ctx.spans.length - 1]!;
}

interface Rendered {
  at: number;
  op: Record<string, Json>;
  /** For resends: the call's pristine event and its times. */
  call?: {
    event: Record<string, Json>;
    endedAt: number;
    answeredAt: number | null;
    intent: CallIntent;
  };
}

function renderCall(ci: CallIntent, arrival: number, ctx: Ctx): Rendered {
  let endedAt: number;
  const l = ci.lateness;
  if (typeof l === 'number') endedAt = arrival - l;
  else if (l === 'future300') endedAt = arrival + 300_000;
  else if (l === 'future301') endedAt = arrival + 300_001;
  else if (l === 'maxLate') endedAt = arrival - ctx.maxLateMs;
  else if (l === 'maxLate+1') endedAt = arrival - ctx.maxLateMs - 1;
  else {
    // a call ending 1 ms before a boundary, arriving 1 ms before its cycle closes ('graceEdge')
    // or exactly when it closes ('graceEdge+1', late)
    const h = homeSpan(arrival, ctx);
    endedAt = h.start - 1;
    arrival = clamp(h.start + ctx.graceMs - (l === 'graceEdge' ? 1 : 0), ctx);
  }
  const answeredAt = ci.durationMs === null ? null : endedAt - ci.durationMs;
  const ev: Record<string, Json> = {
    callId: CALL_IDS[ci.callIdPick % CALL_IDS.length]!,
    accountId: ACCOUNT,
    direction: ci.direction,
    status: ci.status,
  };
  if (answeredAt !== null) ev.answeredAt = renderInstant(answeredAt, ci.encA);
  else if (ci.callIdPick % 2 === 0) ev.answeredAt = null;
  ev.endedAt = renderInstant(endedAt, ci.encE);
  const a = answeredAt ?? endedAt;
  switch (ci.handoff) {
    case 'none':
      break;
    case 'nullField':
      ev.handoffAt = null;
      break;
    case 'mid':
      ev.handoffAt = renderInstant(a + Math.floor((endedAt - a) / 2), ci.encA);
      break;
    case 'atAnswer':
      ev.handoffAt = renderInstant(a, ci.encE);
      break;
    case 'atEnd':
      ev.handoffAt = renderInstant(endedAt, ci.encA);
      break;
    case 'beforeAnswer':
      ev.handoffAt = renderInstant(a - 1, UTC_ENC);
      break;
    case 'afterEnd':
      ev.handoffAt = renderInstant(endedAt + 1, UTC_ENC);
      break;
  }
  if (ci.hold !== undefined) ev.holdSeconds = ci.hold;
  if (ci.system !== undefined) ev.systemSeconds = ci.system;
  if (ci.parent === 'null') ev.parentCallId = null;
  else if (ci.parent === 'set') ev.parentCallId = 'CA-parent';
  else if (ci.parent === 'empty') ev.parentCallId = '';
  const pristine = structuredClone(ev);
  const event = mutateEvent(ev, ci.mutation, endedAt);
  return {
    at: arrival,
    op: { at: renderInstant(arrival, ci.encE), type: 'call', event },
    call: { event: pristine, endedAt, answeredAt, intent: ci },
  };
}

function byteLen(v: unknown): number {
  return Buffer.byteLength(JSON.stringify(v), 'utf8');
}

/** Adds a `padding` field so that the event's compact JSON is exactly `target` bytes. */
function padTo(ev: Record<string, Json>, target: number, multibyte: boolean): Record<string, Json> {
  const out: Record<string, Json> = { ...ev, padding: '' };
  const baseLen = byteLen(out);
  let need = target - baseLen;
  if (need < 0) return out;
  let s = '';
  if (multibyte) {
    const n = Math.floor(need / 3) - 1;
    s = '€'.repeat(Math.max(0, n)); // 3 bytes each in UTF-8, 1 UTF-16 unit
    need -= Buffer.byteLength(s, 'utf8');
  }
  s += 'x'.repeat(Math.max(0, need));
  out.padding = s;
  return out;
}

function mutateEvent(ev: Record<string, Json>, m: EventMutation, endedAt: number): Json {
  switch (m) {
    case 'none':
      return ev;
    case 'tooLarge':
      return padTo(ev, 40_000, false);
    case 'tooLargeExact':
      return padTo(ev, 32_769, false);
    case 'tooLargeMultibyte':
      return padTo(ev, 32_769, true); // 32,769 bytes but only ~11,000 UTF-16 units
    case 'bigButOk':
      return padTo(ev, 32_768, true);
    case 'callIdNumber':
      return { ...ev, callId: 42 };
    case 'callIdBadChar':
      return { ...ev, callId: 'CA 1' };
    case 'callIdTooLong':
      return { ...ev, callId: 'C'.repeat(129) };
    case 'callId128':
      return { ...ev, callId: 'C'.repeat(128) };
    case 'callIdEmpty':
      return { ...ev, callId: '' };
    case 'accountIdNumber':
      return { ...ev, accountId: 7 };
    case 'accountMismatch':
      return { ...ev, accountId: 'other' };
    case 'badDirection':
      return { ...ev, direction: 'Inbound' };
    case 'badStatus':
      return { ...ev, status: 'complete' };
    case 'noEndedAt': {
      const { endedAt: _e, ...rest } = ev;
      return rest;
    }
    case 'badEndedAt':
      return { ...ev, endedAt: renderInstant(endedAt).replace('T', ' ') };
    case 'leapSecond':
      return { ...ev, endedAt: renderInstant(endedAt).slice(0, 17) + '60Z' };
    case 'hour24':
      return { ...ev, endedAt: renderInstant(endedAt).slice(0, 11) + '24:00:00Z' };
    case 'lowercaseT':
      return { ...ev, endedAt: renderInstant(endedAt).replace('T', 't') };
    case 'badAnsweredAt':
      return { ...ev, answeredAt: '2026-02-30T10:00:00Z' };
    case 'answeredNumber':
      return { ...ev, answeredAt: endedAt };
    case 'parentNumber':
      return { ...ev, parentCallId: 5 };
    case 'notObject':
      return ['CA1'];
    case 'nullEvent':
      return null;
    case 'unknownField':
      return { ...ev, foo: { bar: [1, 2] }, note: 'ünïcode' };
    case 'frac4':
      return { ...ev, endedAt: renderInstant(endedAt).replace(/\.(\d{3})Z$/, '.$10Z') };
    case 'fracEmpty':
      return { ...ev, endedAt: renderInstant(endedAt).replace(/\.(\d{3})Z$/, '.Z') };
    case 'lowerZ':
      return { ...ev, endedAt: renderInstant(endedAt).replace(/Z$/, 'z') };
    case 'offsetNoColon':
      return {
        ...ev,
        endedAt: renderInstant(endedAt, { offsetMinutes: 60, frac: 'full' }).replace(
          /:(\d\d)$/,
          '$1',
        ),
      };
    case 'offset24':
      return { ...ev, endedAt: renderInstant(endedAt).replace(/Z$/, '+24:00') };
    case 'offsetShort':
      return { ...ev, endedAt: renderInstant(endedAt).replace(/Z$/, '+01') };
    case 'leadingSpace':
      return { ...ev, endedAt: ' ' + renderInstant(endedAt) };
    case 'callIdUnicode':
      return { ...ev, callId: 'CAé1' };
    case 'holdBig':
      return { ...ev, holdSeconds: 1e21 };
    case 'year0':
      return { ...ev, endedAt: '0000-01-01T00:00:00Z' };
  }
}

function renderResend(ri: ResendIntent, calls: Rendered[], ctx: Ctx): Rendered | null {
  if (calls.length === 0) return null;
  const orig = calls[ri.of % calls.length]!;
  const c = orig.call!;
  let at: number;
  if (ri.arrival === 'sameAt') at = orig.at;
  else if (ri.arrival === 'after') at = clamp(orig.at + ri.afterMs, ctx);
  else at = resolve(ri.arrival, ctx);
  let ev: Record<string, Json> = structuredClone(c.event);
  switch (ri.change) {
    case 'same':
      break;
    case 'reencode':
      ev.endedAt = renderInstant(c.endedAt, ri.enc);
      if (c.answeredAt !== null)
        ev.answeredAt = renderInstant(c.answeredAt, {
          ...ri.enc,
          frac: ri.enc.frac === 'full' ? 'min' : 'full',
        });
      if (typeof ev.handoffAt === 'string')
        ev.handoffAt = renderInstant(parseInstant(ev.handoffAt)!, ri.enc);
      break;
    case 'defaultsExplicit':
      if (!('holdSeconds' in ev)) ev.holdSeconds = 0;
      else if (ev.holdSeconds === 0) delete ev.holdSeconds;
      if (!('systemSeconds' in ev)) ev.systemSeconds = 0;
      if (!('parentCallId' in ev)) ev.parentCallId = null;
      else if (ev.parentCallId === null) delete ev.parentCallId;
      if (!('handoffAt' in ev)) ev.handoffAt = null;
      else if (ev.handoffAt === null) delete ev.handoffAt;
      if (!('answeredAt' in ev)) ev.answeredAt = null;
      else if (ev.answeredAt === null) delete ev.answeredAt;
      ev = { extra: 'ignored', ...ev };
      break;
    case 'holdPlusOne':
      ev.holdSeconds = typeof ev.holdSeconds === 'number' ? ev.holdSeconds + 1 : 1;
      break;
    case 'endedPlus1ms':
      ev.endedAt = renderInstant(c.endedAt + 1);
      break;
    case 'direction':
      ev.direction = ev.direction === 'inbound' ? 'outbound' : 'inbound';
      break;
    case 'accountMismatch':
      ev.accountId = 'acme2';
      break;
    case 'fix':
      // the original may have been rejected: resend a corrected, valid-looking version
      ev.holdSeconds = 0;
      ev.systemSeconds = 0;
      if (ev.status === 'completed' && ev.answeredAt === undefined)
        ev.answeredAt = renderInstant(c.endedAt - 1000);
      break;
    case 'padded':
      ev = padTo(ev, 32_768 + (ri.afterMs % 3) - 1, ri.afterMs % 2 === 0);
      break;
  }
  return {
    at,
    op: { at: renderInstant(at, ri.enc), type: 'call', event: ev },
    call: { ...c, event: ev },
  };
}

/** Renders an intent to the scenario JSON (as a parsed-JSON value). */
export function renderScenario(si: ScenarioIntent): Json {
  const zone = si.zone;
  // --- createdAt ---
  let created: number;
  if (si.created.kind === 'random') {
    const r = si.created;
    const d = Math.min(r.day, daysIn(r.year, r.month));
    created =
      localToInstant(zone, toLocalString(r.year, r.month, d, r.hour, r.minute, r.second)) + r.ms;
  } else {
    const list = DST_LOCALS[zone]!;
    created =
      localToInstant(
        zone,
        list[si.created.pick % list.length]!,
        si.created.later ? 'later' : 'compatible',
      ) + si.created.ms;
    if (si.anchor?.kind === 'dst') {
      // start ~40 days before the anchor's own transition, so a later boundary falls on it
      created =
        localToInstant(zone, list[si.anchor.pick % list.length]!) -
        (40 * 86_400_000 + (si.created.later ? 0 : 17 * 3_600_000)) +
        si.created.ms;
    }
  }
  const createdAt = renderInstant(created, si.createdEnc);
  // --- anchor ---
  let billingAnchor: string | null = null;
  if (si.anchor?.kind === 'day') {
    const a = si.anchor;
    billingAnchor = toLocalString(2024, 1, a.day, a.hour, a.minute, a.second);
  } else if (si.anchor?.kind === 'dst') {
    const list = DST_LOCALS[zone]!;
    billingAnchor = list[si.anchor.pick % list.length]!;
  } else if (si.anchor?.kind === 'sameAsCreated') {
    // the local date-time of createdAt (whole seconds)
    billingAnchor = localOf(zone, Math.floor(created / 1000) * 1000);
  } else if (si.anchor?.kind === 'justAfterCreated') {
    billingAnchor = localOf(zone, Math.floor(created / 1000) * 1000 + si.anchor.seconds * 1000);
  }
  const graceMs = (si.grace ?? 3600) * 1000;
  const maxLateMs = (si.maxLate ?? 35 * 86_400) * 1000;
  // --- until ---
  const far = created + 200 * 86_400_000;
  const all = calendarOf(zone, createdAt, billingAnchor, far);
  const k = Math.min(si.months, all.length - 1);
  const b = all[k]!.start;
  let until: number;
  switch (si.untilAt) {
    case 'boundary':
      until = b;
      break;
    case 'boundary+grace':
      until = b + graceMs;
      break;
    case 'boundary+grace-1':
      until = b + graceMs - 1;
      break;
    case 'boundary-1':
      until = b - 1;
      break;
    case 'boundary+1':
      until = b + 1;
      break;
    case 'mid':
      until = b + Math.floor((all[k]!.end - b) / 2);
      break;
    case 'graceEnd+1':
      until = b + graceMs + 1;
      break;
  }
  until = Math.max(until, created);
  const spans = calendarOf(zone, createdAt, billingAnchor, until);
  const ctx: Ctx = { spans, created, until, graceMs, maxLateMs };

  // --- operations ---
  const rendered: Rendered[] = [];
  const calls: Rendered[] = [];
  const renderOne = (
    o: Exclude<
      OpIntent,
      BurstIntent | ResendIntent | StoryIntent | StoryV2Intent | AdmitCallIntent
    >,
    atOverride: number | null,
  ): Rendered => {
    switch (o.kind) {
      case 'call': {
        const r = renderCall(o, atOverride ?? resolve(o.arrival, ctx), ctx);
        calls.push(r);
        return r;
      }
      case 'purchase': {
        const at = atOverride ?? resolve(o.at, ctx);
        const op: Record<string, Json> = {
          at: renderInstant(at),
          type: 'purchase',
          purchaseId: `p${o.id}`,
          credits: o.credits,
        };
        if (o.recurring !== undefined) op.recurring = o.recurring;
        if (o.price !== undefined) op.pricePerCredit = o.price;
        return { at, op };
      }
      case 'cancel': {
        const at = atOverride ?? resolve(o.at, ctx);
        return {
          at,
          op: {
            at: renderInstant(at),
            type: 'cancelPurchase',
            purchaseId: o.id === 5 ? 'unknown' : `p${o.id}`,
          },
        };
      }
      case 'change': {
        const at = atOverride ?? resolve(o.at, ctx);
        const op: Record<string, Json> = {
          at: renderInstant(at),
          type: 'changePlan',
          plan: o.plan,
        };
        if (o.effective !== undefined) op.effective = o.effective;
        return { at, op };
      }
      case 'grant': {
        const at = atOverride ?? resolve(o.at, ctx);
        return { at, op: grantOp(at, `g${o.id}`, o.credits, o.reason) };
      }
      case 'limit': {
        const at = atOverride ?? resolve(o.at, ctx);
        return { at, op: { at: renderInstant(at), type: 'setOverageLimit', credits: o.credits } };
      }
      case 'admit': {
        const at = atOverride ?? resolve(o.at, ctx);
        const callId = CALL_IDS[o.callIdPick % CALL_IDS.length]!;
        return { at, op: { at: renderInstant(at, o.enc), type: 'admit', callId } };
      }
      case 'topUp': {
        const at = atOverride ?? resolve(o.at, ctx);
        return { at, op: topUpOp(at, o.rule) };
      }
    }
  };
  let storyCall = 0;
  for (const o of si.ops) {
    if (o.kind === 'story') {
      const span = ctx.spans[o.cycle % ctx.spans.length]!;
      let at = clamp(span.start + o.startOffsetMs, ctx);
      for (const st of o.steps) {
        at = clamp(at + 3_600_000, ctx);
        if (st.t === 'call') {
          const ev: Record<string, Json> = {
            callId: `S${storyCall++}`,
            accountId: ACCOUNT,
            direction: st.outbound ? 'outbound' : 'inbound',
            status: 'completed',
            answeredAt: renderInstant(at - st.minutes * 60_000),
            endedAt: renderInstant(at),
          };
          rendered.push({ at, op: { at: renderInstant(at), type: 'call', event: ev } });
        } else if (st.t === 'purchase') {
          rendered.push({
            at,
            op: {
              at: renderInstant(at),
              type: 'purchase',
              purchaseId: `s${storyCall++}`,
              credits: st.credits,
              recurring: st.recurring,
            },
          });
        } else {
          const op: Record<string, Json> = {
            at: renderInstant(at),
            type: 'changePlan',
            plan: st.plan,
          };
          if (st.effective !== undefined) op.effective = st.effective;
          rendered.push({ at, op });
        }
      }
    } else if (o.kind === 'burst') {
      const at = resolve(o.at, ctx);
      for (const x of o.ops) rendered.push(renderOne(x, at));
    } else if (o.kind === 'resend') {
      const r = renderResend(o, calls, ctx);
      if (r) rendered.push(r);
    } else if (o.kind === 'storyV2') {
      storyCall = renderStoryV2(o, ctx, rendered, storyCall);
    } else if (o.kind === 'admitCall') {
      rendered.push(...renderAdmitCall(o, ctx));
    } else rendered.push(renderOne(o, null));
  }
  if (si.v2 !== undefined) renderV2Extras(si.v2, ctx, rendered);

  const account: Record<string, Json> = { id: ACCOUNT, timeZone: zone, createdAt };
  if (billingAnchor !== null) account.billingAnchor = billingAnchor;
  if (si.grace !== undefined) account.graceSeconds = si.grace;
  if (si.maxLate !== undefined) account.maxLateSeconds = si.maxLate;
  const scenario: Record<string, Json> = {
    account,
    plan: si.plan,
    until: renderInstant(until, si.createdEnc),
    operations: rendered.map((r) => r.op),
  };
  const out = mutateScenario(scenario, si, ctx);
  if (si.v2 === undefined) return out;
  mutateScenarioV2(out as Record<string, Json>, si.v2, ctx);
  probeExpiry(out as Record<string, Json>, si.v2.probeExpiry, ctx);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Rendering of version 2 intents
// ---------------------------------------------------------------------------------------------

function grantOp(
  at: number,
  grantId: string,
  credits: string,
  reason: string,
): Record<string, Json> {
  return { at: renderInstant(at), type: 'grant', grantId, credits, reason };
}

function topUpOp(at: number, rule: TopUpRule | null): Record<string, Json> {
  return { at: renderInstant(at), type: 'setAutoTopUp', autoTopUp: rule };
}

function admitOp(at: number, callId: string): Rendered {
  return { at, op: { at: renderInstant(at), type: 'admit', callId } };
}

function renderAdmitCall(o: AdmitCallIntent, ctx: Ctx): Rendered[] {
  const a = resolve(o.at, ctx);
  const callId = CALL_IDS[o.callIdPick % CALL_IDS.length]!;
  const out: Rendered[] = [admitOp(a, callId)];
  for (const r of o.repeatsMs) out.push(admitOp(clamp(a + r, ctx), callId));
  if (o.event === 'none') return out;
  const answered = a + o.waitMs;
  const ended = answered + o.durationMs;
  const arrival = clamp(ended + o.lagMs, ctx); // clamped to `until`: maybe future_timestamp
  let ev: Record<string, Json> = {
    callId,
    accountId: ACCOUNT,
    direction: 'inbound',
    status: 'completed',
    answeredAt: renderInstant(answered),
    endedAt: renderInstant(ended),
  };
  switch (o.event) {
    case 'tooLarge':
      ev = padTo(ev, 32_769, false);
      break;
    case 'invalid':
      ev = { ...ev, direction: 'sideways' };
      break;
    case 'mismatch':
      ev = { ...ev, accountId: 'other' };
      break;
    case 'answerRequired':
      delete ev.answeredAt;
      break;
    default:
      break;
  }
  out.push({ at: arrival, op: { at: renderInstant(arrival), type: 'call', event: ev } });
  return out;
}

/** Renders a version 2 story; returns the story counter after it (ids stay unique). */
function renderStoryV2(o: StoryV2Intent, ctx: Ctx, rendered: Rendered[], counter: number): number {
  let n = counter;
  const span = ctx.spans[o.cycle % ctx.spans.length]!;
  let at = clamp(span.start + o.startOffsetMs, ctx);
  for (const st of o.steps) {
    at = clamp(at + o.stepMs, ctx);
    switch (st.t) {
      case 'call': {
        const callId = `V${n++}`;
        const answered = at - st.seconds * 1000;
        if (st.admit === 'before' || st.admit === 'twice')
          rendered.push(admitOp(clamp(answered - 2000, ctx), callId));
        if (st.admit === 'twice') rendered.push(admitOp(clamp(answered, ctx), callId));
        const ev: Record<string, Json> = {
          callId,
          accountId: ACCOUNT,
          direction: st.outbound ? 'outbound' : 'inbound',
          status: 'completed',
          answeredAt: renderInstant(answered),
          endedAt: renderInstant(at),
        };
        rendered.push({ at, op: { at: renderInstant(at), type: 'call', event: ev } });
        if (st.admit === 'after') rendered.push(admitOp(at, callId));
        break;
      }
      case 'purchase': {
        const op: Record<string, Json> = {
          at: renderInstant(at),
          type: 'purchase',
          purchaseId: `v${n++}`,
          credits: st.credits,
          recurring: st.recurring,
        };
        if (st.price !== undefined) op.pricePerCredit = st.price;
        rendered.push({ at, op });
        break;
      }
      case 'change': {
        const op: Record<string, Json> = {
          at: renderInstant(at),
          type: 'changePlan',
          plan: st.plan,
        };
        if (st.effective !== undefined) op.effective = st.effective;
        rendered.push({ at, op });
        break;
      }
      case 'grant':
        rendered.push({ at, op: grantOp(at, `g${st.id}`, st.credits, 'goodwill') });
        break;
      case 'limit':
        rendered.push({
          at,
          op: { at: renderInstant(at), type: 'setOverageLimit', credits: st.credits },
        });
        break;
      case 'topUp':
        rendered.push({ at, op: topUpOp(at, st.rule) });
        break;
      case 'admit':
        rendered.push(admitOp(at, CALL_IDS[st.callIdPick % CALL_IDS.length]!));
        break;
      case 'wait':
        at = clamp(at + st.ms, ctx);
        break;
    }
  }
  return n;
}

/** Setup operations first (at createdAt, in the order given), over 1,000 admissions last. */
function renderV2Extras(x: ScenarioV2Extras, ctx: Ctx, rendered: Rendered[]): void {
  const setup: Rendered[] = [];
  if (x.setupLimit !== undefined)
    setup.push({
      at: ctx.created,
      op: { at: renderInstant(ctx.created), type: 'setOverageLimit', credits: x.setupLimit },
    });
  if (x.setupTopUp !== undefined)
    setup.push({ at: ctx.created, op: topUpOp(ctx.created, x.setupTopUp) });
  rendered.unshift(...setup);
  const m = x.manyAdmits;
  if (m !== null) {
    const a = resolve(m.at, ctx);
    rendered.push({
      at: a,
      op: { at: renderInstant(a), type: 'setOverageLimit', credits: m.limit },
    });
    for (let i = 0; i < m.count; i++)
      rendered.push(admitOp(clamp(a + i * m.spacingMs, ctx), `M${i}`));
    const after = clamp(a + m.count * m.spacingMs, ctx);
    rendered.push(admitOp(after, 'M0'), admitOp(after, 'MX'));
  }
}

/**
 * Adds admissions at the exact expiry instant of some reservations (and 1 ms before): of the
 * same callId (replayed before, decided afresh at the instant) and of a fresh one (whose headroom
 * counts the reservation before, not at the instant). The model finds the instants; a scenario it
 * calls malformed is left as it is.
 */
function probeExpiry(sc: Record<string, Json>, picks: number[], ctx: Ctx): void {
  if (picks.length === 0) return;
  const found: { callId: string; expiresAt: number }[] = [];
  try {
    referencePreview(sc, {
      trace: (what, d) => {
        if (what === 'admission.allowed' && d.callId !== undefined && d.expiresAt !== undefined)
          found.push({ callId: d.callId, expiresAt: d.expiresAt });
      },
    });
  } catch {
    return; // malformed (or a model failure, which the differential test reports by itself)
  }
  if (found.length === 0 || !Array.isArray(sc.operations)) return;
  const ops = sc.operations;
  picks.forEach((pick, k) => {
    const r = found[pick % found.length]!;
    for (const t of [r.expiresAt - 1, r.expiresAt]) {
      if (t < ctx.created || t > ctx.until) continue;
      ops.push({ at: renderInstant(t), type: 'admit', callId: r.callId });
      ops.push({ at: renderInstant(t), type: 'admit', callId: `PX${k}` });
    }
  });
}

function mutateScenarioV2(sc: Record<string, Json>, x: ScenarioV2Extras, ctx: Ctx): void {
  if (x.mutation === 'none') return;
  const plan = isJsonObject(sc.plan) ? sc.plan : null;
  const ops = Array.isArray(sc.operations) ? sc.operations : null;
  const last = renderInstant(ctx.until);
  /** An operation of this type to break (picked), or a new well-formed one added at `until`. */
  const opOf = (type: string): Record<string, Json> => {
    const c = (ops ?? []).filter(
      (o): o is Record<string, Json> => isJsonObject(o) && o.type === type,
    );
    if (c.length > 0) return c[x.mutationPick % c.length]!;
    const fresh: Record<string, Json> = { at: last, type };
    if (type === 'grant') Object.assign(fresh, { grantId: 'gz', credits: '1', reason: 'goodwill' });
    if (type === 'setOverageLimit') fresh.credits = '1';
    if (type === 'admit') fresh.callId = 'CAZ';
    if (type === 'setAutoTopUp')
      fresh.autoTopUp = { belowCredits: '1', credits: '1', maxPerCycle: 1 };
    if (type === 'purchase') Object.assign(fresh, { purchaseId: 'pz', credits: '1' });
    ops?.push(fresh);
    return fresh;
  };
  const rule = (): Record<string, Json> => {
    const o = opOf('setAutoTopUp');
    if (!isJsonObject(o.autoTopUp))
      o.autoTopUp = { belowCredits: '1', credits: '1', maxPerCycle: 1 };
    return o.autoTopUp;
  };
  switch (x.mutation) {
    case 'grantIdEmpty':
      opOf('grant').grantId = '';
      break;
    case 'grantIdNumber':
      opOf('grant').grantId = 7;
      break;
    case 'grantIdMissing':
      delete opOf('grant').grantId;
      break;
    case 'grantCreditsZero':
      opOf('grant').credits = '0';
      break;
    case 'grantCreditsZeroDecimals':
      opOf('grant').credits = '0.000';
      break;
    case 'grantCreditsNumber':
      opOf('grant').credits = 5;
      break;
    case 'grantCreditsBad':
      opOf('grant').credits = '1.0001';
      break;
    case 'grantCreditsMissing':
      delete opOf('grant').credits;
      break;
    case 'grantReasonMissing':
      delete opOf('grant').reason;
      break;
    case 'grantReasonEmpty':
      opOf('grant').reason = '';
      break;
    case 'grantReason201':
      opOf('grant').reason = 'r'.repeat(201);
      break;
    case 'grantReasonAstral201':
      opOf('grant').reason = '😀'.repeat(201);
      break;
    case 'grantReasonNumber':
      opOf('grant').reason = 42;
      break;
    case 'grantReasonNull':
      opOf('grant').reason = null;
      break;
    case 'limitMissing':
      delete opOf('setOverageLimit').credits;
      break;
    case 'limitNumber':
      opOf('setOverageLimit').credits = 5;
      break;
    case 'limitNegative':
      opOf('setOverageLimit').credits = '-1';
      break;
    case 'limitBad':
      opOf('setOverageLimit').credits = '1.0001';
      break;
    case 'admitCallIdBad':
      opOf('admit').callId = 'CA 1';
      break;
    case 'admitCallIdTooLong':
      opOf('admit').callId = 'C'.repeat(129);
      break;
    case 'admitCallIdMissing':
      delete opOf('admit').callId;
      break;
    case 'admitCallIdNumber':
      opOf('admit').callId = 42;
      break;
    case 'admitCallIdEmpty':
      opOf('admit').callId = '';
      break;
    case 'topUpMissing':
      delete opOf('setAutoTopUp').autoTopUp;
      break;
    case 'topUpString':
      opOf('setAutoTopUp').autoTopUp = 'off';
      break;
    case 'topUpArray':
      opOf('setAutoTopUp').autoTopUp = [];
      break;
    case 'topUpBelowMissing':
      delete rule().belowCredits;
      break;
    case 'topUpBelowNumber':
      rule().belowCredits = 5;
      break;
    case 'topUpBelowNull':
      rule().belowCredits = null;
      break;
    case 'topUpCreditsZero':
      rule().credits = '0';
      break;
    case 'topUpCreditsMissing':
      delete rule().credits;
      break;
    case 'topUpMaxZero':
      rule().maxPerCycle = 0;
      break;
    case 'topUpMax101':
      rule().maxPerCycle = 101;
      break;
    case 'topUpMaxFraction':
      rule().maxPerCycle = 1.5;
      break;
    case 'topUpMaxString':
      rule().maxPerCycle = '3';
      break;
    case 'topUpMaxMissing':
      delete rule().maxPerCycle;
      break;
    case 'purchasePriceNull':
      opOf('purchase').pricePerCredit = null;
      break;
    case 'purchasePriceBad':
      opOf('purchase').pricePerCredit = '0.1234567';
      break;
    case 'purchasePriceNumber':
      opOf('purchase').pricePerCredit = 0.12;
      break;
    case 'purchasePrice13Digits':
      opOf('purchase').pricePerCredit = '1000000000000';
      break;
    case 'planPurchasePriceBad':
      if (plan) plan.purchasePricePerCredit = '-0.1';
      break;
    case 'planPurchasePriceNumber':
      if (plan) plan.purchasePricePerCredit = 1;
      break;
    case 'planLimitNumber':
      if (plan) plan.overageLimitCredits = 0;
      break;
    case 'planLimitBad':
      if (plan) plan.overageLimitCredits = '1e3';
      break;
    case 'planAdmissionMinTooBig':
      if (plan) plan.admissionMinimumSeconds = 86_401;
      break;
    case 'planAdmissionMinNegative':
      if (plan) plan.admissionMinimumSeconds = -1;
      break;
    case 'planAdmissionMinNull':
      if (plan) plan.admissionMinimumSeconds = null;
      break;
    case 'planAdmissionReserveFraction':
      if (plan) plan.admissionReserveSeconds = 30.5;
      break;
    case 'planAdmissionReserveString':
      if (plan) plan.admissionReserveSeconds = '300';
      break;
    case 'changePlanV2Bad': {
      const o = opOf('changePlan');
      o.plan = { ...(isJsonObject(o.plan) ? o.plan : (plan ?? {})), overageLimitCredits: '-5' };
      break;
    }
    // well-formed edge cases
    case 'opUnknownKeys':
      for (const o of ops ?? [])
        if (isJsonObject(o) && o.type !== 'call') o.comment = { by: 'ops', n: [1, 2] };
      break;
    case 'planPriceNull':
      if (plan) plan.purchasePricePerCredit = null;
      break;
    case 'planLimitNull':
      if (plan) plan.overageLimitCredits = null;
      break;
    case 'admissionSecondsMax':
      if (plan) {
        plan.admissionMinimumSeconds = 86_400;
        plan.admissionReserveSeconds = 86_400;
      }
      break;
    case 'admitCallId128':
      opOf('admit').callId = 'C'.repeat(128);
      break;
    case 'grantReasonAstral200':
      opOf('grant').reason = '😀'.repeat(200);
      break;
    case 'limitZeroDecimals':
      opOf('setOverageLimit').credits = '0.000';
      break;
    case 'topUpBelowZeroDecimals':
      rule().belowCredits = '0.000';
      break;
    case 'topUpMax100':
      rule().maxPerCycle = 100;
      break;
  }
}

function isJsonObject(v: unknown): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function localOf(zone: string, ms: number): string {
  // local wall time of an instant, via Intl (independent of Temporal)
  const f = new Intl.DateTimeFormat('en-CA', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
  const parts = Object.fromEntries(f.formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}`;
}

function mutateScenario(sc: Record<string, Json>, si: ScenarioIntent, ctx: Ctx): Json {
  const account = sc.account as Record<string, Json>;
  const plan = { ...(sc.plan as Record<string, Json>) };
  sc.plan = plan;
  const ops = sc.operations as Record<string, Json>[];
  const pickOp = (type?: string): Record<string, Json> | undefined => {
    const c = type ? ops.filter((o) => o.type === type) : ops;
    return c.length ? c[si.mutationPick % c.length] : undefined;
  };
  switch (si.scenarioMutation) {
    case 'none':
      break;
    case 'noAccount':
      delete sc.account;
      break;
    case 'accountIdNumber':
      account.id = 1;
      break;
    case 'tzUnknown':
      account.timeZone = 'Mars/Olympus_Mons';
      break;
    case 'tzLowercase':
      account.timeZone = (account.timeZone as string).toLowerCase();
      break;
    case 'tzOffset':
      account.timeZone = '+01:00';
      break;
    case 'tzMissing':
      delete account.timeZone;
      break;
    case 'createdAtBad':
      account.createdAt = '2026-13-01T00:00:00Z';
      break;
    case 'createdAtNoSeconds':
      account.createdAt = (account.createdAt as string).slice(0, 16) + 'Z';
      break;
    case 'anchorWithOffset':
      account.billingAnchor = '2026-01-31T09:00:00Z';
      break;
    case 'anchorWithFraction':
      account.billingAnchor = '2026-01-31T09:00:00.000';
      break;
    case 'anchorFeb30':
      account.billingAnchor = '2026-02-30T09:00:00';
      break;
    case 'grace604801':
      account.graceSeconds = 604_801;
      break;
    case 'graceNegative':
      account.graceSeconds = -1;
      break;
    case 'graceFraction':
      account.graceSeconds = 3600.5;
      break;
    case 'graceString':
      account.graceSeconds = '3600';
      break;
    case 'maxLateTooBig':
      account.maxLateSeconds = 31_622_401;
      break;
    case 'planMissing':
      delete sc.plan;
      break;
    case 'planIdEmpty':
      plan.id = '';
      break;
    case 'allowanceNumber':
      plan.allowanceCredits = 1000;
      break;
    case 'allowance4Decimals':
      plan.allowanceCredits = '1.2345';
      break;
    case 'allowance13Digits':
      plan.allowanceCredits = '1234567890123';
      break;
    case 'allowanceNegative':
      plan.allowanceCredits = '-1';
      break;
    case 'allowanceExponent':
      plan.allowanceCredits = '1e3';
      break;
    case 'cpmMissing':
      delete plan.creditsPerMinute;
      break;
    case 'price7Decimals':
      plan.overagePricePerCredit = '0.1234567';
      break;
    case 'price13Digits':
      plan.overagePricePerCredit = '1000000000000';
      break;
    case 'currencyLower':
      plan.currency = 'usd';
      break;
    case 'currencyUnknown':
      plan.currency = 'XAU';
      break;
    case 'roundingBad':
      plan.rounding = { mode: 'hour' };
      break;
    case 'blockZero':
      plan.rounding = { mode: 'block', firstBlockSeconds: 30, blockSeconds: 0 };
      break;
    case 'firstBlockNegative':
      plan.rounding = { mode: 'block', firstBlockSeconds: -1, blockSeconds: 6 };
      break;
    case 'minimumTooBig':
      plan.minimumSeconds = 86_401;
      break;
    case 'freeFraction':
      plan.freeSeconds = 2.5;
      break;
    case 'thresholdZero':
      plan.alertThresholdsPercent = [50, 0];
      break;
    case 'threshold1001':
      plan.alertThresholdsPercent = [1001];
      break;
    case 'thresholdRepeat':
      plan.alertThresholdsPercent = [80, 50, 80];
      break;
    case 'thresholdString':
      plan.alertThresholdsPercent = ['80'];
      break;
    case 'billOutboundString':
      plan.billOutbound = 'true';
      break;
    case 'untilBad':
      sc.until = (sc.until as string).replace(/Z$|[+-]\d\d:\d\d$/, '');
      break;
    case 'untilBeforeCreated':
      sc.until = renderInstant(ctx.created - 1);
      sc.operations = [];
      break;
    case 'operationsMissing':
      delete sc.operations;
      break;
    case 'opTypeUnknown':
      ops.push({ at: renderInstant(ctx.created), type: 'refund' });
      break;
    case 'opAtBeforeCreated':
      ops.push({ at: renderInstant(ctx.created - 1), type: 'cancelPurchase', purchaseId: 'p1' });
      break;
    case 'opAtAfterUntil':
      ops.push({ at: renderInstant(ctx.until + 1), type: 'cancelPurchase', purchaseId: 'p1' });
      break;
    case 'opAtBad':
      ops.push({ at: '2026-02-29T00:00:00Z', type: 'cancelPurchase', purchaseId: 'p1' });
      break;
    case 'purchaseCreditsNumber':
      ops.push({
        at: renderInstant(ctx.created),
        type: 'purchase',
        purchaseId: 'pz',
        credits: 100,
      });
      break;
    case 'purchaseCreditsBad': {
      const o = pickOp('purchase');
      if (o) o.credits = '1.0001';
      else
        ops.push({
          at: renderInstant(ctx.until),
          type: 'purchase',
          purchaseId: 'pz',
          credits: ' 1',
        });
      break;
    }
    case 'recurringString':
      ops.push({
        at: renderInstant(ctx.until),
        type: 'purchase',
        purchaseId: 'pz',
        credits: '1',
        recurring: 'yes',
      });
      break;
    case 'purchaseIdNumber':
      ops.push({ at: renderInstant(ctx.until), type: 'cancelPurchase', purchaseId: 3 });
      break;
    case 'effectiveBad': {
      const o = pickOp('changePlan');
      if (o) o.effective = 'later';
      else
        ops.push({
          at: renderInstant(ctx.until),
          type: 'changePlan',
          plan: { ...plan },
          effective: 'immediately',
        });
      break;
    }
    case 'changePlanBad': {
      const o = pickOp('changePlan');
      const bad = { ...plan, currency: 'ABC' };
      if (o) o.plan = bad;
      else ops.push({ at: renderInstant(ctx.until), type: 'changePlan', plan: bad });
      break;
    }
  }
  return sc;
}

/**
 * Version 1 scenarios (rules version 1's operations and plan fields only), with the intent kept
 * for reports. What it generates for a given seed must never change: golden files depend on it.
 */
export const scenarioArbV1: fc.Arbitrary<{ intent: ScenarioIntent; scenario: Json }> =
  scenarioIntentArb.map((intent) => ({
    intent,
    scenario: renderScenario(intent),
  }));

/** Version 2 scenarios: every new operation and plan field, malformed variants included. */
export const scenarioArbV2: fc.Arbitrary<{ intent: ScenarioIntent; scenario: Json }> =
  scenarioIntentV2Arb.map((intent) => ({
    intent,
    scenario: renderScenario(intent),
  }));

/** The differential test's scenarios: version 1 and version 2 mixed, mostly version 2. */
export const scenarioArb: fc.Arbitrary<{ intent: ScenarioIntent; scenario: Json }> = fc.oneof(
  { weight: 1, arbitrary: scenarioArbV1 },
  { weight: 4, arbitrary: scenarioArbV2 },
);

/** JSON text of a scenario with some integral numbers written as `5.0` (same value once parsed). */
export function toScenarioText(scenario: Json): string {
  return JSON.stringify(scenario, null, 1).replace(
    /("(?:holdSeconds|systemSeconds|graceSeconds|minimumSeconds|maxPerCycle|admissionMinimumSeconds|admissionReserveSeconds)": )(\d+)(,?)$/gm,
    '$1$2.0$3',
  );
}

export { formatInstant };
