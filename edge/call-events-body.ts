/**
 * What the edge decides about a POST /v1/call-events body before anything reaches Temporal: which
 * events it holds, which of them fail the billing core's own first checks (size, shape, account),
 * and the status of a request in which no event is valid. Pure: no I/O.
 */
import { createHash } from 'node:crypto';
import {
  MAX_EVENT_BYTES,
  callEventSchema,
  callIdOf,
  eventSize,
  parseCallEvent,
  tooLargeRejection,
  wellFormedCallId,
  type RejectionCode,
} from '../billing/call-event.js';
import { MAX_EVENTS_PER_UPDATE } from '../contract/call-events.js';
import type { CallOutcome } from '../contract/call-outcome.js';

export type BodyEvents = { ok: true; events: unknown[] } | { ok: false; message: string };

/**
 * The events of a body: a single event object, or `{ "events": [...] }` with 1 to 500 events. An
 * object with an `events` field is always read as a batch (a call event has no such field).
 */
export function eventsOfBody(body: unknown): BodyEvents {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return {
      ok: false,
      message: 'the body is a call event object or {"events": [...]}, not a JSON ' + kind(body),
    };
  }
  if (!('events' in body)) return { ok: true, events: [body] };
  const { events } = body;
  if (!Array.isArray(events)) {
    return { ok: false, message: `"events" is an array of call events, not ${kind(events)}` };
  }
  if (events.length === 0) return { ok: false, message: '"events" is empty: send 1 to 500 events' };
  if (events.length > MAX_EVENTS_PER_UPDATE) {
    return {
      ok: false,
      message: `"events" holds ${events.length} events; send at most ${MAX_EVENTS_PER_UPDATE} per request`,
    };
  }
  return { ok: true, events: events as unknown[] };
}

function kind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** An event the edge rejects itself, with what ops need to see it in `rejected_events`. */
export interface EdgeRejection {
  readonly position: number;
  readonly callId: string | null;
  readonly reason: RejectionCode;
  /** For ops (stored); may name the account the event was for. */
  readonly detail: string;
  /** For the sender: never names another account. */
  readonly publicDetail: string;
  /** The event's size when it is too large to keep (then it is not stored whole). */
  readonly tooLargeBytes: number | null;
}

export interface ScreenedEvents {
  /** Positions (in the request) of the events that go to the account's workflow, in order. */
  readonly valid: number[];
  /** What goes to the workflow of each valid event: its contract fields only. */
  readonly forwarded: Record<string, unknown>[];
  readonly rejected: EdgeRejection[];
}

/** The fields of the call-event contract (BILLING-RULES.md section 3); others are ignored. */
const CONTRACT_FIELDS = Object.keys(callEventSchema.shape);

/**
 * An event object cut to the contract's fields: unknown ones (a caller's phone number, a nested
 * blob) are ignored by the rules, so they never reach a workflow history or `calls.raw`.
 */
export function contractFieldsOf(event: object): Record<string, unknown> {
  const picked: Record<string, unknown> = {};
  for (const field of CONTRACT_FIELDS) {
    if (Object.hasOwn(event, field)) picked[field] = (event as Record<string, unknown>)[field];
  }
  return picked;
}

const isObject = (v: unknown): v is object =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Splits the events into those the account's workflow judges and those the billing core rejects
 * without it: `event_too_large`, `invalid_event`, and `account_mismatch` (an event of an account
 * other than the API key's). `sizes` are the events' compact sizes as received (the body's bytes,
 * edge/json-body-scan.ts); without them each event is measured by encoding it again.
 */
export function screenEvents(
  events: readonly unknown[],
  accountId: string,
  sizes: readonly number[] = events.map(eventSize),
): ScreenedEvents {
  const valid: number[] = [];
  const forwarded: Record<string, unknown>[] = [];
  const rejected: EdgeRejection[] = [];
  events.forEach((event, position) => {
    const bytes = sizes[position] ?? eventSize(event);
    if (bytes > MAX_EVENT_BYTES) {
      // As the workflow does: of an oversized event only its size and a well-formed call id are kept.
      const callId = wellFormedCallId(callIdOf(event));
      const { detail } = tooLargeRejection(callId, bytes);
      rejected.push({
        position,
        callId,
        reason: 'event_too_large',
        detail,
        publicDetail: detail,
        tooLargeBytes: bytes,
      });
      return;
    }
    const contract = isObject(event) ? contractFieldsOf(event) : event;
    const parsed = parseCallEvent(contract, accountId);
    if ('ok' in parsed) {
      valid.push(position);
      forwarded.push(contract as Record<string, unknown>);
      return;
    }
    const mismatch = parsed.reason === 'account_mismatch';
    rejected.push({
      position,
      callId: parsed.callId,
      reason: parsed.reason,
      detail: parsed.detail,
      publicDetail: mismatch
        ? "the event's accountId is not the account of this API key"
        : parsed.detail,
      tooLargeBytes: null,
    });
  });
  return { valid, forwarded, rejected };
}

/**
 * The status of a request none of whose events is valid: 403 when one of them is for another
 * account, 400 otherwise. Undefined when at least one event is valid: the request is then answered
 * 200 with one outcome per event, the edge's rejections among them.
 */
export function refusalStatus(screened: ScreenedEvents): 400 | 403 | undefined {
  if (screened.valid.length > 0) return undefined;
  return screened.rejected.some((r) => r.reason === 'account_mismatch') ? 403 : 400;
}

/** One outcome per event, in request order: the edge's rejections and the workflow's outcomes. */
export function mergeOutcomes(
  total: number,
  screened: ScreenedEvents,
  workflowOutcomes: readonly CallOutcome[],
): CallOutcome[] {
  if (workflowOutcomes.length !== screened.valid.length) {
    throw new Error(
      `the workflow answered ${workflowOutcomes.length} outcomes for ${screened.valid.length} events`,
    );
  }
  const outcomes = new Array<CallOutcome | undefined>(total);
  screened.valid.forEach((position, i) => (outcomes[position] = workflowOutcomes[i]));
  for (const r of screened.rejected) {
    outcomes[r.position] = {
      callId: r.callId,
      outcome: 'rejected',
      reason: r.reason,
      detail: r.publicDetail,
    };
  }
  return outcomes.map((o, position) => {
    if (o === undefined) throw new Error(`no outcome for event ${position}`);
    return o;
  });
}

/**
 * The batch id under which the edge records its rejections of a request: the same events from the
 * same account give the same id, so a request sent again records nothing twice.
 */
export function edgeBatchId(accountId: string, events: readonly unknown[]): string {
  const digest = createHash('sha256')
    .update(accountId)
    .update('\n')
    .update(JSON.stringify(events))
    .digest('hex');
  return `edge:${digest.slice(0, 32)}`;
}
