/**
 * Call events in: the `callCompleted` signal (fire and forget) and the `recordCalls` update (a
 * batch, answered once it is durably recorded). Each event is the call-event JSON of
 * BILLING-RULES.md section 3, checked by the engine, so both take it as `unknown`.
 */
import { defineSignal, defineUpdate } from '@temporalio/workflow';
import { z } from 'zod';
import type { CallOutcome } from './call-outcome.js';

/** The most events one `recordCalls` update may carry. */
export const MAX_EVENTS_PER_UPDATE = 500;

/** One call event, fire and forget; duplicates are fine. */
export const callCompleted = defineSignal<[unknown]>('callCompleted');

export interface RecordCallsInput {
  events: unknown[];
}
export interface RecordCallsResult {
  outcomes: CallOutcome[];
}
/** Up to 500 events; replies once they are durably recorded, one outcome per event, in order. */
export const recordCalls = defineUpdate<RecordCallsResult, [RecordCallsInput]>('recordCalls');

export const recordCallsSchema = z.object({
  events: z
    .array(z.unknown())
    .max(MAX_EVENTS_PER_UPDATE, `at most ${MAX_EVENTS_PER_UPDATE} events per recordCalls`),
});
