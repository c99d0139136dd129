/**
 * A month of call traffic, as telephony webhooks deliver it: calls arrive with peaks in working
 * hours of the account's own time zone and dips at weekends; each is sent when it ends (a few
 * seconds later), about 2% are sent again with the same content (a retried webhook), about 1.5%
 * arrive late (after 5 to 40 later calls), a few transfers bring a child leg, and the accounts
 * between them send one bad event for each rejection code a real sender can provoke. Pure and
 * seeded: the same input gives the same deliveries, in the order they are sent.
 */
import { instantOfLocal, localDateTimeOf } from '../../billing/calendar.js';
import type { RejectionCode } from '../../billing/call-event.js';
import {
  daysFromCivil,
  formatInstant,
  type EpochMs,
  type LocalDateTime,
} from '../../billing/units.js';
import {
  callEventOf,
  durationMs,
  intBetween,
  normal,
  sampleCallShape,
  transferLegOf,
} from './call-shapes.js';
import { DAY_WEIGHTS, seedOf, type SimAccount } from './scenario.js';
import { seededRandom } from './seeded-random.js';

export type DeliveryKind = 'call' | 'duplicate' | 'late' | 'bad';

/** One event sent to one account's workflow. */
export interface Delivery {
  /** The simulated instant it is sent at. */
  readonly at: EpochMs;
  readonly accountId: string;
  /** `update`: in a `recordCalls` batch (update-with-start); `signal`: `callCompleted` alone. */
  readonly via: 'update' | 'signal';
  readonly kind: DeliveryKind;
  readonly event: Record<string, unknown>;
  /** A bad event's rejection code under BILLING-RULES.md section 3. */
  readonly rejection?: RejectionCode;
}

/** What an account's traffic holds, by kind. */
export interface TrafficCounts {
  /** Distinct good call events (transfer legs included): each is stored once. */
  readonly calls: number;
  readonly duplicates: number;
  readonly late: number;
  readonly bad: number;
  readonly signals: number;
}

export interface Traffic {
  /** Every account's deliveries, in the order they are sent. */
  readonly deliveries: readonly Delivery[];
  readonly counts: ReadonlyMap<string, TrafficCounts>;
}

export interface TrafficInput {
  readonly seed: number;
  readonly accounts: readonly SimAccount[];
  /** No call ends, and nothing is sent, after this instant. */
  readonly trafficEnd: EpochMs;
}

const DUPLICATE_SHARE = 0.02;
const LATE_SHARE = 0.015;
const SIGNAL_SHARE = 0.15;

/**
 * The bad events, one story each. `too_old` is left out: it needs a call older than the account's
 * `maxLateSeconds` (35 days), which a call after the account's creation cannot be in a month.
 */
export const BAD_EVENT_CODES = [
  'invalid_event',
  'account_mismatch',
  'answer_required',
  'ended_before_answered',
  'conflicting_duplicate',
  'handoff_out_of_range',
  'duration_too_long',
  'future_timestamp',
  'before_account_start',
  'event_too_large',
] as const satisfies readonly RejectionCode[];

/** The bad codes account `index` of `count` sends: together the accounts send every one. */
export function badCodesOf(index: number, count: number): RejectionCode[] {
  const groups = Math.min(count, BAD_EVENT_CODES.length);
  return BAD_EVENT_CODES.filter((_, j) => j % groups === index % groups);
}

function poisson(rand: () => number, mean: number): number {
  if (mean <= 0) return 0;
  if (mean > 50) return Math.max(0, Math.round(mean + Math.sqrt(mean) * normal(rand)));
  const limit = Math.exp(-mean);
  let k = 0;
  for (let p = rand(); p > limit; p *= rand()) k++;
  return k;
}

/**
 * A local time of day, in seconds: a morning peak around 10:30, an afternoon one around 14:45
 * (a dip over lunch between), and a tail of evening and night calls.
 */
function secondOfDay(rand: () => number): number {
  const u = rand();
  const hours = u < 0.45 ? 10.5 + 1.3 * normal(rand) : u < 0.88 ? 14.75 + 1.6 * normal(rand) : -1;
  const h = hours >= 0 && hours < 24 ? hours : 24 * rand();
  return Math.min(86_399, Math.floor(h * 3600));
}

/** Local weekday (0 = Sunday) of a day number since 1970-01-01, a Thursday. */
function weekdayOf(dayNumber: number): number {
  return (((dayNumber + 4) % 7) + 7) % 7;
}

/**
 * The instant of a local time of day (ms after midnight) on a day in `timeZone`. Converting each
 * call's local time is slow, so a day without an offset change uses its one offset.
 */
function localDayClock(dayNumber: number, timeZone: string): (msOfDay: number) => EpochMs {
  const date = new Date(dayNumber * 86_400_000);
  const local = (ms: number): LocalDateTime => ({
    year: date.getUTCFullYear(),
    month: date.getUTCMonth() + 1,
    day: date.getUTCDate(),
    hour: Math.floor(ms / 3_600_000),
    minute: Math.floor(ms / 60_000) % 60,
    second: Math.floor(ms / 1000) % 60,
    millisecond: ms % 1000,
  });
  const midnight = dayNumber * 86_400_000;
  const first = instantOfLocal(local(0), timeZone) - midnight;
  const last = instantOfLocal(local(86_399_000), timeZone) - (midnight + 86_399_000);
  if (first === last) return (ms) => midnight + ms + first;
  return (ms) => instantOfLocal(local(ms), timeZone);
}

interface PlacedCall {
  readonly startAt: EpochMs;
  readonly event: Record<string, unknown>;
  readonly leg: Record<string, unknown> | null;
}

/** The account's calls over its month, in the order they started. */
function callsOf(account: SimAccount, rand: () => number, trafficEnd: EpochMs): PlacedCall[] {
  const first = localDateTimeOf(account.createdAt, account.timeZone);
  const last = localDateTimeOf(trafficEnd, account.timeZone);
  const placed: { startAt: EpochMs; shape: ReturnType<typeof sampleCallShape> }[] = [];
  for (
    let day = daysFromCivil(first.year, first.month, first.day);
    day <= daysFromCivil(last.year, last.month, last.day);
    day++
  ) {
    const count = poisson(rand, account.weekdayCalls * DAY_WEIGHTS[weekdayOf(day)]!);
    const instantOf = localDayClock(day, account.timeZone);
    for (let k = 0; k < count; k++) {
      const startAt = instantOf(secondOfDay(rand) * 1000 + intBetween(rand, 0, 999));
      const shape = sampleCallShape(rand);
      // Only calls wholly inside the simulated month (sent a few seconds after they end).
      if (startAt < account.createdAt + 60_000) continue;
      if (startAt + durationMs(shape) + 5_000 > trafficEnd) continue;
      placed.push({ startAt, shape });
    }
  }
  placed.sort((a, b) => a.startAt - b.startAt);
  return placed.map(({ startAt, shape }, i) => {
    const event = callEventOf(
      shape,
      `${account.id}-c${String(i + 1).padStart(5, '0')}`,
      account.id,
      startAt,
    );
    return { startAt, event, leg: shape.transferLeg ? transferLegOf(event) : null };
  });
}

/** A completed inbound call of a bad event's story, ended at `endedAt`. */
function plainCall(callId: string, accountId: string, endedAt: EpochMs): Record<string, unknown> {
  return {
    callId,
    accountId,
    direction: 'inbound',
    status: 'completed',
    answeredAt: formatInstant(endedAt - 150_000),
    endedAt: formatInstant(endedAt),
  };
}

/** A bad event of `code` sent at `at`, or undefined when the account's traffic cannot tell it. */
function badEvent(
  code: RejectionCode,
  account: SimAccount,
  other: string,
  at: EpochMs,
  trafficEnd: EpochMs,
  sent: readonly Delivery[],
): Delivery | undefined {
  const id = `${account.id}-bad-${code.replaceAll('_', '-')}`;
  const base = plainCall(id, account.id, at - 60_000);
  const bad = (event: Record<string, unknown>, when = at, via: Delivery['via'] = 'update') => ({
    at: when,
    accountId: account.id,
    via,
    kind: 'bad' as const,
    event,
    rejection: code,
  });
  switch (code) {
    case 'invalid_event':
      return bad({ ...base, direction: 'sideways' });
    case 'account_mismatch':
      // A webhook routed to the wrong account.
      return bad({ ...base, accountId: other });
    case 'answer_required':
      return bad({ ...base, answeredAt: null });
    case 'ended_before_answered':
      // The two times swapped by the sender.
      return bad({ ...base, answeredAt: base.endedAt, endedAt: base.answeredAt });
    case 'conflicting_duplicate': {
      // A resend of an accepted call with another end: the first version stands.
      const original = sent.find(
        (d) => d.kind === 'call' && d.via === 'update' && d.at < at - 86_400_000,
      );
      if (original === undefined) return undefined;
      const endedAt = Date.parse(String(original.event.endedAt)) + 7_000;
      return bad({ ...original.event, endedAt: formatInstant(endedAt) }, at);
    }
    case 'handoff_out_of_range':
      return bad({ ...base, handoffAt: formatInstant(at - 30_000) });
    case 'duration_too_long':
      // A call left hanging for a day and an hour.
      return bad({ ...base, answeredAt: formatInstant(at - 60_000 - 25 * 3_600_000) });
    case 'future_timestamp':
      // A sender whose clock runs a day ahead: after anything this run sends or receives.
      return bad(plainCall(id, account.id, trafficEnd + 86_400_000));
    case 'before_account_start':
      // A call from before the account was opened, forwarded with the account's history.
      return bad(plainCall(id, account.id, account.createdAt - 3 * 3_600_000));
    case 'event_too_large':
      // A webhook carrying the whole transcript, past the 32,768-byte limit.
      return bad(
        { ...base, transcript: 'hello, I would like to book '.repeat(1_300) },
        at,
        'signal',
      );
    default:
      return undefined;
  }
}

/** The simulated month's deliveries for every account, in sending order. */
export function generateTraffic(input: TrafficInput): Traffic {
  const { trafficEnd, accounts } = input;
  const all: Delivery[] = [];
  const counts = new Map<string, TrafficCounts>();
  accounts.forEach((account, index) => {
    const rand = seededRandom(seedOf(`traffic:${input.seed}:${account.name}`));
    const deliveries: Delivery[] = [];
    let calls = 0;
    const placed = callsOf(account, rand, trafficEnd);
    // Webhooks leave a few seconds after the call ends.
    const webhookAt = placed.map((call) =>
      Math.min(trafficEnd, Date.parse(String(call.event.endedAt)) + intBetween(rand, 500, 4_000)),
    );
    placed.forEach((call, i) => {
      // A late one is held back until 5 to 40 later calls were sent (a sender's retry queue).
      const heldUntil = i + intBetween(rand, 5, 40);
      const late = rand() < LATE_SHARE && heldUntil < placed.length;
      const at = late ? webhookAt[heldUntil]! + intBetween(rand, 1, 60_000) : webhookAt[i]!;
      const via = () => (rand() < SIGNAL_SHARE ? 'signal' : 'update');
      for (const event of call.leg === null ? [call.event] : [call.event, call.leg]) {
        calls++;
        deliveries.push({
          at: Math.min(trafficEnd, at),
          accountId: account.id,
          via: via(),
          kind: late ? 'late' : 'call',
          event,
        });
      }
      if (rand() < DUPLICATE_SHARE) {
        const again = Math.min(trafficEnd, at + intBetween(rand, 20, 1_200) * 1_000);
        deliveries.push({
          at: again,
          accountId: account.id,
          via: via(),
          kind: 'duplicate',
          event: call.event,
        });
      }
    });
    deliveries.sort((a, b) => a.at - b.at);

    const span = trafficEnd - account.createdAt;
    const other = accounts[(index + 1) % accounts.length]!.id;
    for (const code of badCodesOf(index, accounts.length)) {
      // Mid-month, so the story has calls before it.
      const at = account.createdAt + Math.floor(span * (0.3 + 0.6 * rand()));
      const bad = badEvent(
        code,
        account,
        other === account.id ? `${account.id}-closed` : other,
        at,
        trafficEnd,
        deliveries,
      );
      if (bad !== undefined) deliveries.push(bad);
    }
    deliveries.sort((a, b) => a.at - b.at);
    counts.set(account.id, {
      calls,
      duplicates: deliveries.filter((d) => d.kind === 'duplicate').length,
      late: deliveries.filter((d) => d.kind === 'late').length,
      bad: deliveries.filter((d) => d.kind === 'bad').length,
      signals: deliveries.filter((d) => d.via === 'signal').length,
    });
    all.push(...deliveries);
  });
  // Stable: each account keeps its own order at equal instants.
  all.sort((a, b) => a.at - b.at);
  return { deliveries: all, counts };
}
