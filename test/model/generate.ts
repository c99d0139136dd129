/**
 * fast-check arbitraries of random `preview` scenarios (BILLING-RULES.md section 8) that stress the
 * rules: DST zones and links, anchors on short months and in DST gaps/overlaps, partial first
 * cycles, grace and lateness limits, every rejection code, duplicates re-encoded, purchases and
 * cancels with repeated ids, plan changes at the same instant, and malformed scenarios.
 *
 * A scenario is generated as an abstract "intent" (times given relative to cycle boundaries) and
 * rendered deterministically to JSON with the reference model's calendar, so shrinking works on
 * the intent and the rendered times stay on the interesting edges.
 */
import fc from 'fast-check';
import {
  calendarOf,
  formatInstant,
  localToInstant,
  parseInstant,
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
  ops: (CallIntent | PurchaseIntent | CancelIntent | ChangeIntent)[];
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

type OpIntent =
  | CallIntent
  | ResendIntent
  | PurchaseIntent
  | CancelIntent
  | ChangeIntent
  | BurstIntent
  | StoryIntent;

const opIntentArb: fc.Arbitrary<OpIntent> = fc.oneof(
  { weight: 10, arbitrary: callIntentArb },
  { weight: 3, arbitrary: resendIntentArb },
  { weight: 3, arbitrary: purchaseIntentArb },
  { weight: 2, arbitrary: cancelIntentArb },
  { weight: 3, arbitrary: changeIntentArb },
  { weight: 1, arbitrary: burstIntentArb },
  { weight: 2, arbitrary: storyIntentArb },
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
}

export const scenarioIntentArb: fc.Arbitrary<ScenarioIntent> = fc.record({
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
  plan: planArb,
  ops: fc.array(opIntentArb, { maxLength: 25 }),
  scenarioMutation: scenarioMutationArb,
  mutationPick: fc.nat({ max: 100 }),
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
    o: Exclude<OpIntent, BurstIntent | ResendIntent | StoryIntent>,
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
    } else rendered.push(renderOne(o, null));
  }

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
  return mutateScenario(scenario, si, ctx);
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

export const scenarioArb = scenarioArbV1;

/** JSON text of a scenario with some integral numbers written as `5.0` (same value once parsed). */
export function toScenarioText(scenario: Json): string {
  return JSON.stringify(scenario, null, 1).replace(
    /("(?:holdSeconds|systemSeconds|graceSeconds|minimumSeconds)": )(\d+)(,?)$/gm,
    '$1$2.0$3',
  );
}

export { formatInstant };
