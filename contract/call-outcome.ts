/**
 * What the engine answers for each call event of a `recordCalls` update (and the HTTP edge for
 * each event of a request): accepted, a duplicate of one accepted before, or rejected with a code.
 */
import type { RejectionCode } from '../billing/call-event.js';

/**
 * Why an event is not counted: a code of the billing rules (`REJECTION_CODES` in
 * billing/call-event.ts, their one list) or `unknown_account`, which the engine adds.
 */
export type IngestRejectionCode = RejectionCode | 'unknown_account';

export type CallOutcome =
  | { callId: string; outcome: 'accepted' | 'duplicate' }
  | { callId: string | null; outcome: 'rejected'; reason: IngestRejectionCode; detail: string };

/** The outcome of a refused event: what the sender is told and ops read in `rejected_events`. */
export type RejectedOutcome = Extract<CallOutcome, { outcome: 'rejected' }>;
