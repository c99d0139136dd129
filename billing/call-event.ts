import { z } from 'zod';
import { instantString, secondsField } from './schema-helpers.js';
import type { EpochMs } from './units.js';

/** The largest event accepted: its compact JSON encoding, in UTF-8 bytes. */
export const MAX_EVENT_BYTES = 32_768;
/** How far ahead of its arrival a call's timestamps may be (a sender's clock running ahead). */
export const MAX_CLOCK_SKEW_MS = 300_000;
/** The longest call: `endedAt - answeredAt`. */
export const MAX_CALL_MS = 86_400_000;

export type Direction = 'inbound' | 'outbound';
export type CallStatus = 'completed' | 'no-answer' | 'busy' | 'failed' | 'canceled';

/** A call event after validation: times as epoch milliseconds, defaults filled. */
export interface CallEvent {
  callId: string;
  accountId: string;
  direction: Direction;
  status: CallStatus;
  answeredAt: EpochMs | null;
  endedAt: EpochMs;
  handoffAt: EpochMs | null;
  holdSeconds: number;
  systemSeconds: number;
  parentCallId: string | null;
}

/** Rejection codes of BILLING-RULES.md section 3, in the order the checks run. */
export const REJECTION_CODES = [
  'event_too_large',
  'invalid_event',
  'account_mismatch',
  'conflicting_duplicate',
  'answer_required',
  'ended_before_answered',
  'handoff_out_of_range',
  'duration_too_long',
  'future_timestamp',
  'before_account_start',
  'too_old',
] as const;

export type RejectionCode = (typeof REJECTION_CODES)[number];

const CALL_ID_RE = /^[A-Za-z0-9._:-]{1,128}$/;

const nullableInstant = instantString.nullable().default(null);

/** The call-event JSON of BILLING-RULES.md section 3. Unknown fields are ignored. */
export const callEventSchema = z.object({
  callId: z.string().regex(CALL_ID_RE, 'callId is 1 to 128 characters of [A-Za-z0-9._:-]'),
  accountId: z.string(),
  direction: z.enum(['inbound', 'outbound']),
  status: z.enum(['completed', 'no-answer', 'busy', 'failed', 'canceled']),
  answeredAt: nullableInstant,
  endedAt: instantString,
  handoffAt: nullableInstant,
  holdSeconds: secondsField.default(0),
  systemSeconds: secondsField.default(0),
  parentCallId: z.string().nullable().default(null),
}) satisfies z.ZodType<CallEvent, unknown>;

/** UTF-8 length of a string, counting a lone surrogate as the 3 bytes of U+FFFD. */
export function utf8Length(text: string): number {
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) bytes += 1;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 2; // a surrogate pair: 2 UTF-16 units, 4 bytes
        i++;
      } else bytes += 2;
    } else bytes += 2;
  }
  return bytes;
}

/** Byte size of the event's compact JSON encoding (what `event_too_large` measures). */
export function eventSize(raw: unknown): number {
  const json = JSON.stringify(raw) as string | undefined;
  return json === undefined ? 0 : utf8Length(json);
}

/**
 * The content that identifies an accepted call (the fields of section 3, times normalised to
 * UTC milliseconds, defaults filled). Two arrivals with equal fingerprints are the same call.
 */
export function fingerprint(call: CallEvent): string {
  return JSON.stringify([
    call.accountId,
    call.direction,
    call.status,
    call.answeredAt,
    call.endedAt,
    call.handoffAt,
    call.holdSeconds,
    call.systemSeconds,
    call.parentCallId,
  ]);
}

/**
 * Deduplication is a port: PostgreSQL in the workflow (a unique (account, call id) key), a map in
 * `preview` and in tests. Only accepted events are recorded: a rejected event never takes its id.
 */
export interface CallDedupStore {
  /** The fingerprint of the event accepted earlier under this call id, if any. */
  acceptedFingerprint(callId: string): string | undefined;
  /** Records the first accepted version of a call. */
  recordAccepted(callId: string, fingerprint: string): void;
}

export class InMemoryCallDedup implements CallDedupStore {
  private readonly accepted = new Map<string, string>();
  acceptedFingerprint(callId: string): string | undefined {
    return this.accepted.get(callId);
  }
  recordAccepted(callId: string, fp: string): void {
    this.accepted.set(callId, fp);
  }
}

/** Facts about the account an event is checked against. */
export interface AccountFacts {
  accountId: string;
  createdAt: EpochMs;
  maxLateSeconds: number;
}

export type CallClassification =
  | { outcome: 'accepted'; call: CallEvent }
  | { outcome: 'duplicate'; call: CallEvent }
  | { outcome: 'rejected'; reason: RejectionCode; callId: string | null; detail: string };

function callIdOf(raw: unknown): string | null {
  if (typeof raw === 'object' && raw !== null && 'callId' in raw) {
    const { callId } = raw as { callId: unknown };
    if (typeof callId === 'string') return callId;
  }
  return null;
}

function reject(
  reason: RejectionCode,
  callId: string | null,
  detail: string,
): CallClassification & { outcome: 'rejected' } {
  return { outcome: 'rejected', reason, callId, detail };
}

/** Checks that need no dedup store: size, shape, account. First failing check wins. */
export function parseCallEvent(
  raw: unknown,
  accountId: string,
): { ok: true; call: CallEvent } | (CallClassification & { outcome: 'rejected' }) {
  const size = eventSize(raw);
  if (size > MAX_EVENT_BYTES) {
    return reject('event_too_large', callIdOf(raw), `event is ${size} bytes; the limit is ${MAX_EVENT_BYTES}`);
  }
  const parsed = callEventSchema.safeParse(raw);
  if (!parsed.success) {
    const detail = parsed.error.issues
      .map((i) => `${i.path.join('.') || 'event'}: ${i.message}`)
      .join('; ');
    return reject('invalid_event', callIdOf(raw), detail);
  }
  const call = parsed.data;
  if (call.accountId !== accountId) {
    return reject('account_mismatch', call.callId, `event is for account ${JSON.stringify(call.accountId)}`);
  }
  return { ok: true, call };
}

/** The checks after deduplication, on an event of a new call id. `undefined` when it passes. */
export function semanticRejection(
  call: CallEvent,
  account: AccountFacts,
  arrival: EpochMs,
): { reason: RejectionCode; detail: string } | undefined {
  const { answeredAt, endedAt, handoffAt } = call;
  if (call.status === 'completed' && answeredAt === null) {
    return { reason: 'answer_required', detail: 'a completed call needs answeredAt' };
  }
  if (answeredAt !== null && endedAt < answeredAt) {
    return { reason: 'ended_before_answered', detail: 'endedAt is before answeredAt' };
  }
  if (handoffAt !== null && ((answeredAt !== null && handoffAt < answeredAt) || handoffAt > endedAt)) {
    return { reason: 'handoff_out_of_range', detail: 'handoffAt is outside [answeredAt, endedAt]' };
  }
  if (answeredAt !== null && endedAt - answeredAt > MAX_CALL_MS) {
    return { reason: 'duration_too_long', detail: 'the call lasted more than 24 hours' };
  }
  if ((answeredAt !== null && answeredAt - arrival > MAX_CLOCK_SKEW_MS) || endedAt - arrival > MAX_CLOCK_SKEW_MS) {
    return { reason: 'future_timestamp', detail: 'a timestamp is more than 300 s after the arrival' };
  }
  if ((answeredAt ?? endedAt) < account.createdAt) {
    return { reason: 'before_account_start', detail: 'the call started before the account was created' };
  }
  if (arrival - endedAt > account.maxLateSeconds * 1000) {
    return { reason: 'too_old', detail: `arrived more than ${account.maxLateSeconds} s after it ended` };
  }
  return undefined;
}

/**
 * Runs every check of BILLING-RULES.md section 3 in order and, for an accepted event, records it
 * in the dedup store. `arrival` is when the event reached the account.
 */
export function classifyCall(
  raw: unknown,
  account: AccountFacts,
  arrival: EpochMs,
  dedup: CallDedupStore,
): CallClassification {
  const parsed = parseCallEvent(raw, account.accountId);
  if (!('ok' in parsed)) return parsed;
  const { call } = parsed;
  const fp = fingerprint(call);
  const earlier = dedup.acceptedFingerprint(call.callId);
  if (earlier !== undefined) {
    return earlier === fp
      ? { outcome: 'duplicate', call }
      : reject('conflicting_duplicate', call.callId, 'this callId was accepted earlier with different content');
  }
  const problem = semanticRejection(call, account, arrival);
  if (problem) return reject(problem.reason, call.callId, problem.detail);
  dedup.recordAccepted(call.callId, fp);
  return { outcome: 'accepted', call };
}

/** When a call is booked: its answer (or end) time, or its arrival when that is earlier. */
export function bookingInstant(call: CallEvent, arrival: EpochMs): EpochMs {
  return Math.min(call.answeredAt ?? call.endedAt, arrival);
}
