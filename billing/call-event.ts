import { z } from 'zod';
import { LIMITS, instantString, secondsField } from './schema-helpers.js';
import { parseInstant, type EpochMs } from './units.js';

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

export const CALL_ID_RE = /^[A-Za-z0-9._:-]{1,128}$/;

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

const isSeconds = (v: unknown): v is number =>
  typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= LIMITS.maxSecondsField;

/** An optional, nullable instant: `null` for absent or null, `undefined` when invalid. */
function optionalInstant(v: unknown): EpochMs | null | undefined {
  if (v === undefined || v === null) return null;
  return typeof v === 'string' ? parseInstant(v) : undefined;
}

/**
 * The common case without zod: a well-formed event is built directly. Anything else returns
 * `undefined` and goes through {@link callEventSchema}, which stays the authority on what is
 * invalid and why (a test checks the two agree on every event the fast path accepts).
 */
export function parseCallEventFast(raw: unknown): CallEvent | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined;
  const e = raw as Record<string, unknown>;
  const {
    callId,
    accountId,
    direction,
    status,
    endedAt,
    holdSeconds,
    systemSeconds,
    parentCallId,
  } = e;
  if (typeof callId !== 'string' || !CALL_ID_RE.test(callId) || typeof accountId !== 'string') {
    return undefined;
  }
  if (direction !== 'inbound' && direction !== 'outbound') return undefined;
  if (
    status !== 'completed' &&
    status !== 'no-answer' &&
    status !== 'busy' &&
    status !== 'failed' &&
    status !== 'canceled'
  ) {
    return undefined;
  }
  const ended = typeof endedAt === 'string' ? parseInstant(endedAt) : undefined;
  const answered = optionalInstant(e.answeredAt);
  const handoff = optionalInstant(e.handoffAt);
  if (ended === undefined || answered === undefined || handoff === undefined) return undefined;
  if (holdSeconds !== undefined && !isSeconds(holdSeconds)) return undefined;
  if (systemSeconds !== undefined && !isSeconds(systemSeconds)) return undefined;
  if (parentCallId !== undefined && parentCallId !== null && typeof parentCallId !== 'string') {
    return undefined;
  }
  return {
    callId,
    accountId,
    direction,
    status,
    answeredAt: answered,
    endedAt: ended,
    handoffAt: handoff,
    holdSeconds: holdSeconds ?? 0,
    systemSeconds: systemSeconds ?? 0,
    parentCallId: parentCallId ?? null,
  };
}

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
  let json: string | undefined;
  try {
    json = JSON.stringify(raw); // undefined for a function or symbol, despite its type
  } catch {
    return 0; // not JSON at all (a cycle, a bigint): the schema check rejects it as invalid
  }
  return json === undefined ? 0 : utf8Length(json);
}

/**
 * A cheap upper bound of {@link eventSize} for a flat object, or `Infinity` when the event has
 * nested values. Every UTF-16 unit of a string costs at most 6 bytes in JSON (`\u0000`), so an
 * event whose bound is within the limit needs no encoding to prove it is not too large.
 */
function eventSizeBound(raw: unknown): number {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    return Number.POSITIVE_INFINITY;
  let bound = 2;
  for (const key in raw) {
    const value = (raw as Record<string, unknown>)[key];
    bound += 6 * key.length + 4; // quotes, colon, comma
    if (typeof value === 'string') bound += 6 * value.length + 2;
    else if (typeof value === 'number' || typeof value === 'boolean' || value === null) bound += 24;
    else if (value !== undefined) return Number.POSITIVE_INFINITY;
  }
  return bound;
}

/** The event's `callId` when it is a string, whatever its form; null otherwise. */
export function callIdOf(event: unknown): string | null {
  if (
    typeof event === 'object' &&
    event !== null &&
    'callId' in event &&
    typeof event.callId === 'string'
  ) {
    return event.callId;
  }
  return null;
}

/** A call id that can be stored and looked up (it matches {@link CALL_ID_RE}), else null. */
export function wellFormedCallId(callId: string | null): string | null {
  return callId !== null && CALL_ID_RE.test(callId) ? callId : null;
}

/**
 * What is kept of an event too large to keep whole, where it enters (the workflow's inbox, the
 * edge): its size, and its call id when well formed (the id may be anything up to that size).
 */
export interface OversizedEvent {
  callId: string | null;
  bytes: number;
}

/**
 * The size rule of section 3: the event as an {@link OversizedEvent} when its compact JSON
 * encoding is over {@link MAX_EVENT_BYTES}, else null. `bytes` is the event's {@link eventSize}
 * when the caller has measured it already.
 */
export function oversizedEvent(raw: unknown, bytes = eventSize(raw)): OversizedEvent | null {
  return bytes > MAX_EVENT_BYTES ? { callId: wellFormedCallId(callIdOf(raw)), bytes } : null;
}

/**
 * Whether two accepted versions of a call id have the same content: the fields of section 3,
 * compared after normalising times to UTC milliseconds and filling defaults.
 */
export function sameCallContent(a: CallEvent, b: CallEvent): boolean {
  return (
    a.callId === b.callId &&
    a.accountId === b.accountId &&
    a.direction === b.direction &&
    a.status === b.status &&
    a.answeredAt === b.answeredAt &&
    a.endedAt === b.endedAt &&
    a.handoffAt === b.handoffAt &&
    a.holdSeconds === b.holdSeconds &&
    a.systemSeconds === b.systemSeconds &&
    a.parentCallId === b.parentCallId
  );
}

/**
 * Deduplication is a port: the core asks it whether a call id was accepted before, and with what
 * content. It is synchronous so the checks stay pure and in spec order: `preview` and the tests
 * back it with a map; the ingest activity backs it with the accepted versions of a batch's call
 * ids, read from PostgreSQL in one query (unique (account, call id) key) and then inserted.
 * Only accepted events are recorded: a rejected event never takes its id.
 */
export interface CallDedupStore {
  /** The version of this call id accepted earlier, if any. */
  acceptedVersion(callId: string): CallEvent | undefined;
  /** Records the first accepted version of a call. */
  recordAccepted(call: CallEvent): void;
}

export class InMemoryCallDedup implements CallDedupStore {
  private readonly accepted = new Map<string, CallEvent>();
  acceptedVersion(callId: string): CallEvent | undefined {
    return this.accepted.get(callId);
  }
  recordAccepted(call: CallEvent): void {
    this.accepted.set(call.callId, call);
  }
}

/** Facts about the account an event is checked against. */
export interface AccountFacts {
  accountId: string;
  createdAt: EpochMs;
  maxLateSeconds: number;
}

/** An `event_too_large` rejection: the event's size and the limit, as numbers and in words. */
export interface TooLargeRejection {
  outcome: 'rejected';
  reason: 'event_too_large';
  callId: string | null;
  detail: string;
  bytes: number;
  limitBytes: number;
}

export type CallRejection =
  | {
      outcome: 'rejected';
      reason: Exclude<RejectionCode, 'event_too_large'>;
      callId: string | null;
      detail: string;
    }
  | TooLargeRejection;

export type CallClassification =
  | { outcome: 'accepted'; call: CallEvent }
  | { outcome: 'duplicate'; call: CallEvent }
  | CallRejection;

function reject(
  reason: Exclude<RejectionCode, 'event_too_large'>,
  callId: string | null,
  detail: string,
): CallRejection {
  return { outcome: 'rejected', reason, callId, detail };
}

/** The rejection of an event of `bytes` bytes, over {@link MAX_EVENT_BYTES}. */
export function tooLargeRejection(callId: string | null, bytes: number): TooLargeRejection {
  return {
    outcome: 'rejected',
    reason: 'event_too_large',
    callId,
    detail: `event is ${bytes} bytes; the limit is ${MAX_EVENT_BYTES}`,
    bytes,
    limitBytes: MAX_EVENT_BYTES,
  };
}

/** Checks that need no dedup store: size, shape, account. First failing check wins. */
export function parseCallEvent(
  raw: unknown,
  accountId: string,
): { ok: true; call: CallEvent } | CallRejection {
  // Most events are small and flat: a cheap bound then spares encoding them.
  const oversized = eventSizeBound(raw) <= MAX_EVENT_BYTES ? null : oversizedEvent(raw);
  if (oversized !== null) return tooLargeRejection(callIdOf(raw), oversized.bytes);
  let call = parseCallEventFast(raw);
  if (call === undefined) {
    const parsed = callEventSchema.safeParse(raw);
    if (!parsed.success) {
      const detail = parsed.error.issues
        .map((i) => `${i.path.join('.') || 'event'}: ${i.message}`)
        .join('; ');
      return reject('invalid_event', callIdOf(raw), detail);
    }
    call = parsed.data;
  }
  if (call.accountId !== accountId) {
    return reject(
      'account_mismatch',
      call.callId,
      `event is for account ${JSON.stringify(call.accountId)}`,
    );
  }
  return { ok: true, call };
}

/** The checks after deduplication, on an event of a new call id. `undefined` when it passes. */
export function semanticRejection(
  call: CallEvent,
  account: AccountFacts,
  arrival: EpochMs,
): { reason: Exclude<RejectionCode, 'event_too_large'>; detail: string } | undefined {
  const { answeredAt, endedAt, handoffAt } = call;
  if (call.status === 'completed' && answeredAt === null) {
    return { reason: 'answer_required', detail: 'a completed call needs answeredAt' };
  }
  if (answeredAt !== null && endedAt < answeredAt) {
    return { reason: 'ended_before_answered', detail: 'endedAt is before answeredAt' };
  }
  if (
    handoffAt !== null &&
    ((answeredAt !== null && handoffAt < answeredAt) || handoffAt > endedAt)
  ) {
    return { reason: 'handoff_out_of_range', detail: 'handoffAt is outside [answeredAt, endedAt]' };
  }
  if (answeredAt !== null && endedAt - answeredAt > MAX_CALL_MS) {
    return { reason: 'duration_too_long', detail: 'the call lasted more than 24 hours' };
  }
  if (
    (answeredAt !== null && answeredAt - arrival > MAX_CLOCK_SKEW_MS) ||
    endedAt - arrival > MAX_CLOCK_SKEW_MS
  ) {
    return {
      reason: 'future_timestamp',
      detail: 'a timestamp is more than 300 s after the arrival',
    };
  }
  if ((answeredAt ?? endedAt) < account.createdAt) {
    return {
      reason: 'before_account_start',
      detail: 'the call started before the account was created',
    };
  }
  if (arrival - endedAt > account.maxLateSeconds * 1000) {
    return {
      reason: 'too_old',
      detail: `arrived more than ${account.maxLateSeconds} s after it ended`,
    };
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
  const earlier = dedup.acceptedVersion(call.callId);
  if (earlier !== undefined) {
    return sameCallContent(earlier, call)
      ? { outcome: 'duplicate', call }
      : reject(
          'conflicting_duplicate',
          call.callId,
          'this callId was accepted earlier with different content',
        );
  }
  const problem = semanticRejection(call, account, arrival);
  if (problem) return reject(problem.reason, call.callId, problem.detail);
  dedup.recordAccepted(call);
  return { outcome: 'accepted', call };
}

/** When a call is booked: its answer (or end) time, or its arrival when that is earlier. */
export function bookingInstant(call: CallEvent, arrival: EpochMs): EpochMs {
  return Math.min(call.answeredAt ?? call.endedAt, arrival);
}
