/**
 * Recording call events: the run of events at the head of the inbox goes to the ingest activity
 * as one batch (PostgreSQL decides accepted, duplicate or rejected), and every waiter gets its
 * event's outcome.
 */
import type { IngestBatchInput, IngestOutcome } from '../../activities/ingest.js';
import type { CallEvent } from '../../billing/call-event.js';
import type { RunActivities } from './activity-proxies.js';
import type { BatchLimits, Inbox } from './inbox.js';
import type { CallOutcome } from '../../contract/call-outcome.js';

export interface BatchRecorder {
  accountId: string;
  acts: RunActivities;
  inbox: Inbox;
  limits: BatchLimits;
}

export interface BatchSpec {
  /** Unique in the chain of runs and the same on replay: the ingest activity's idempotency key. */
  id: string;
  /** The account's facts, or null for an account that does not exist (all rejected). */
  account: IngestBatchInput['account'];
  /** The ledger's time: no event is dated before it. */
  notBefore: number;
}

/**
 * Records the next batch and answers its waiters; `onAccepted` books each accepted call at its
 * arrival. Returns how many events the batch held.
 */
export async function recordBatch(
  { accountId, acts, inbox, limits }: BatchRecorder,
  spec: BatchSpec,
  onAccepted: (call: CallEvent, at: number) => void,
): Promise<number> {
  const batch = inbox.takeBatch(limits, spec.notBefore);
  try {
    const { outcomes } = await acts.billing.recordCallBatch({
      accountId,
      batchId: spec.id,
      account: spec.account,
      items: batch.map((b) => b.item),
    });
    outcomes.forEach((outcome, i) => {
      const { at, waiter } = batch[i]!;
      if (outcome.outcome === 'accepted') onAccepted(outcome.call, at);
      inbox.answerCall(waiter, toCallOutcome(outcome));
    });
    return batch.length;
  } finally {
    inbox.batchDone();
  }
}

function toCallOutcome(o: IngestOutcome): CallOutcome {
  switch (o.outcome) {
    case 'accepted':
      return { callId: o.call.callId, outcome: 'accepted' };
    case 'duplicate':
      return { callId: o.callId, outcome: 'duplicate' };
    case 'rejected':
      return { callId: o.callId, outcome: 'rejected', reason: o.reason, detail: o.detail };
  }
}
