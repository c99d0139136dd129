/**
 * What one simulated call looks like (BILLING-RULES.md section 3): its direction and status, how
 * long it rang, its talk time (log-normal in whole seconds: mostly one to three minutes, now and
 * then half an hour), hold and system seconds, a hand-off to a person and the transfer's child leg.
 * Pure and seeded; the billing core alone decides what each call costs.
 */
import type { CallStatus, Direction } from '../../billing/call-event.js';
import { formatInstant, type EpochMs } from '../../billing/units.js';

export interface CallShape {
  readonly direction: Direction;
  readonly status: CallStatus;
  /** From the first ring to the answer (or to the end, unanswered). */
  readonly ringMs: number;
  /** Answered to ended; 0 when never answered. */
  readonly talkMs: number;
  readonly holdSeconds: number;
  readonly systemSeconds: number;
  /** When the AI handed the call to a person, after the answer; null when it did not. */
  readonly handoffAfterMs: number | null;
  /** Whether the hand-off was a transfer with a child leg of its own (billed as nothing). */
  readonly transferLeg: boolean;
}

/** Talk time: log-normal with this median, in whole seconds. */
const MEDIAN_TALK_SECONDS = 95;
const TALK_SIGMA = 0.85;
const MIN_TALK_SECONDS = 4;
const MAX_TALK_SECONDS = 2_700;

/** A standard normal sample (Box-Muller). */
export function normal(rand: () => number): number {
  const u = 1 - rand(); // (0, 1]: log(0) is not a number
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

/** An integer in [min, max]. */
export function intBetween(rand: () => number, min: number, max: number): number {
  return min + Math.floor(rand() * (max - min + 1));
}

function pick<T>(rand: () => number, weighted: readonly (readonly [T, number])[]): T {
  let u = rand() * weighted.reduce((sum, [, weight]) => sum + weight, 0);
  for (const [value, weight] of weighted) {
    u -= weight;
    if (u < 0) return value;
  }
  return weighted[weighted.length - 1]![0];
}

const INBOUND_STATUSES = [
  ['completed', 86],
  ['no-answer', 5],
  ['busy', 3],
  ['failed', 3],
  ['canceled', 3],
] as const;
const OUTBOUND_STATUSES = [
  ['completed', 70],
  ['no-answer', 20],
  ['busy', 5],
  ['failed', 5],
] as const;

export function sampleCallShape(rand: () => number): CallShape {
  const direction: Direction = rand() < 0.08 ? 'outbound' : 'inbound';
  const status = pick<CallStatus>(
    rand,
    direction === 'inbound' ? INBOUND_STATUSES : OUTBOUND_STATUSES,
  );
  const ringMs = intBetween(rand, 2_000, 25_000);
  if (status !== 'completed') {
    return {
      direction,
      status,
      ringMs,
      talkMs: 0,
      holdSeconds: 0,
      systemSeconds: 0,
      handoffAfterMs: null,
      transferLeg: false,
    };
  }
  const talkSeconds = Math.min(
    MAX_TALK_SECONDS,
    Math.max(
      MIN_TALK_SECONDS,
      Math.round(MEDIAN_TALK_SECONDS * Math.exp(TALK_SIGMA * normal(rand))),
    ),
  );
  // Telephony clocks have milliseconds: connected time is rounded up to whole seconds.
  const talkMs = talkSeconds * 1000 + intBetween(rand, 0, 999);
  const systemSeconds = rand() < 0.35 ? intBetween(rand, 1, 6) : 0;
  const holdSeconds =
    rand() < 0.1 ? Math.min(Math.floor(talkSeconds / 2), intBetween(rand, 15, 120)) : 0;
  const handsOff = direction === 'inbound' && talkSeconds > 60 && rand() < 0.06;
  return {
    direction,
    status,
    ringMs,
    talkMs,
    holdSeconds,
    systemSeconds,
    handoffAfterMs: handsOff ? Math.floor(talkMs * (0.3 + 0.5 * rand())) : null,
    transferLeg: handsOff && rand() < 0.6,
  };
}

/** The call event of a shape that started ringing at `startAt`, as a telephony webhook sends it. */
export function callEventOf(
  shape: CallShape,
  callId: string,
  accountId: string,
  startAt: EpochMs,
): Record<string, unknown> {
  const answeredAt = shape.status === 'completed' ? startAt + shape.ringMs : null;
  const endedAt = answeredAt === null ? startAt + shape.ringMs : answeredAt + shape.talkMs;
  return {
    callId,
    accountId,
    direction: shape.direction,
    status: shape.status,
    answeredAt: answeredAt === null ? null : formatInstant(answeredAt),
    endedAt: formatInstant(endedAt),
    ...(shape.handoffAfterMs !== null && answeredAt !== null
      ? { handoffAt: formatInstant(answeredAt + shape.handoffAfterMs) }
      : {}),
    ...(shape.holdSeconds > 0 ? { holdSeconds: shape.holdSeconds } : {}),
    ...(shape.systemSeconds > 0 ? { systemSeconds: shape.systemSeconds } : {}),
  };
}

/**
 * The transfer's child leg: the person's side, from the hand-off to the end of the call. Its
 * `parentCallId` makes it free (the parent bills the AI's part).
 */
export function transferLegOf(parent: Record<string, unknown>): Record<string, unknown> {
  return {
    callId: `${String(parent.callId)}.leg2`,
    accountId: parent.accountId,
    direction: 'outbound',
    status: 'completed',
    answeredAt: parent.handoffAt,
    endedAt: parent.endedAt,
    parentCallId: parent.callId,
  };
}

/** When a shape's call ends, from its first ring. */
export function durationMs(shape: CallShape): number {
  return shape.ringMs + shape.talkMs;
}
