/**
 * The ingest activity: records a batch of call events in PostgreSQL, the deduplication authority,
 * and answers one outcome per event. The batch id is deterministic in the workflow; the outcomes
 * are stored under it in the same transaction, so a retry after a COMMIT whose answer was lost
 * returns them unchanged ("accepted" stays "accepted", never turns into "duplicate").
 */
import type { Kysely } from 'kysely';
import {
  callIdOf,
  classifyCall,
  tooLargeRejection,
  wellFormedCallId,
  type AccountFacts,
  type CallDedupStore,
  type CallEvent,
  type OversizedEvent,
} from '../billing/call-event.js';
import type { IngestRejectionCode } from '../contract/call-outcome.js';
import {
  acceptedEvents,
  findBatchOutcomes,
  insertBatchOutcomes,
  insertCalls,
  lockAccountIngest,
  rawEventText,
  recordRejections,
  type BatchRejection,
} from '../db/repositories/calls.js';
import type { Database, NewCallRow } from '../db/schema.js';

/** One event of a batch, with its arrival (the workflow's time when it handled the message). */
export type IngestItem =
  | { at: number; event: unknown }
  /** Rejected where it entered (`event_too_large`): only its call id and size travel on. */
  | { at: number; tooLarge: OversizedEvent };

export interface IngestBatchInput {
  readonly accountId: string;
  /** Deterministic across retries and continue-as-new: `<first run id>:<sequence>`. */
  readonly batchId: string;
  /** Null for an account that does not exist: every event is rejected as `unknown_account`. */
  readonly account: AccountFacts | null;
  readonly items: readonly IngestItem[];
}

export type IngestOutcome =
  | { outcome: 'accepted'; call: CallEvent }
  | { outcome: 'duplicate'; callId: string }
  | { outcome: 'rejected'; callId: string | null; reason: IngestRejectionCode; detail: string };

export interface IngestBatchResult {
  readonly outcomes: IngestOutcome[];
  /** True when the outcomes come from an earlier attempt that committed. */
  readonly replayed: boolean;
}

export interface IngestDeps {
  readonly db: Kysely<Database>;
  /** Test hook: runs after the COMMIT, before the answer; a throw simulates a lost answer. */
  readonly afterIngestCommit?: (input: IngestBatchInput) => void;
}

/** Dedup backed by the accepted versions read from PostgreSQL, plus the batch's own. */
class BatchDedup implements CallDedupStore {
  private readonly accepted = new Map<string, CallEvent>();
  constructor(private readonly stored: Map<string, string>) {}
  acceptedVersion(callId: string): CallEvent | undefined {
    const mine = this.accepted.get(callId);
    if (mine !== undefined) return mine;
    const json = this.stored.get(callId);
    return json === undefined ? undefined : (JSON.parse(json) as CallEvent);
  }
  recordAccepted(call: CallEvent): void {
    this.accepted.set(call.callId, call);
  }
}

export function createIngestActivities(deps: IngestDeps) {
  return {
    async recordCallBatch(input: IngestBatchInput): Promise<IngestBatchResult> {
      const result = await deps.db.transaction().execute(async (trx) => {
        await lockAccountIngest(trx, input.accountId);
        const stored = await findBatchOutcomes(trx, input.accountId, input.batchId);
        if (stored !== undefined) {
          const outcomes = stored as IngestOutcome[];
          if (outcomes.length !== input.items.length) {
            // Only a workflow reset that re-formed a batch id with other events gets here.
            throw new Error(
              `batch ${input.batchId} was recorded with ${outcomes.length} events, not ${input.items.length}`,
            );
          }
          return { outcomes, replayed: true };
        }

        // Only well-formed ids can have been accepted (and others may hold what SQL refuses).
        const ids = input.items.flatMap((item) => {
          const id = 'event' in item ? wellFormedCallId(callIdOf(item.event)) : null;
          return id === null ? [] : [id];
        });
        const dedup = new BatchDedup(
          input.account === null
            ? new Map<string, string>()
            : await acceptedEvents(trx, input.accountId, ids),
        );
        const calls: NewCallRow[] = [];
        const rejections: BatchRejection[] = [];
        const outcomes = input.items.map((item, position): IngestOutcome => {
          const reject = (
            callId: string | null,
            reason: IngestRejectionCode,
            detail: string,
          ): IngestOutcome => {
            rejections.push({
              position,
              callId,
              reason,
              detail,
              arrivedAt: item.at,
              arrived:
                'event' in item ? { event: item.event } : { tooLargeBytes: item.tooLarge.bytes },
            });
            return { outcome: 'rejected', callId, reason, detail };
          };
          if ('tooLarge' in item) {
            const { callId, reason, detail } = tooLargeRejection(
              item.tooLarge.callId,
              item.tooLarge.bytes,
            );
            return reject(callId, reason, detail);
          }
          if (input.account === null) {
            return reject(callIdOf(item.event), 'unknown_account', 'no account has this id');
          }
          const c = classifyCall(item.event, input.account, item.at, dedup);
          if (c.outcome === 'rejected') return reject(c.callId, c.reason, c.detail);
          if (c.outcome === 'duplicate') return { outcome: 'duplicate', callId: c.call.callId };
          calls.push({
            account_id: input.accountId,
            call_id: c.call.callId,
            event: JSON.stringify(c.call),
            raw: rawEventText(item.event),
            answered_at: c.call.answeredAt === null ? null : new Date(c.call.answeredAt),
            ended_at: new Date(c.call.endedAt),
            arrived_at: new Date(item.at),
            batch_id: input.batchId,
            position,
          });
          return { outcome: 'accepted', call: c.call };
        });
        const inserted = await insertCalls(trx, calls);
        if (inserted !== calls.length) {
          // Under the account lock this cannot happen; if it does, nothing is committed.
          throw new Error(
            `batch ${input.batchId}: ${calls.length - inserted} calls already stored`,
          );
        }
        await recordRejections(trx, input, rejections);
        await insertBatchOutcomes(trx, input.accountId, input.batchId, outcomes);
        return { outcomes, replayed: false };
      });
      deps.afterIngestCommit?.(input);
      return result;
    },
  };
}
