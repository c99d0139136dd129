/**
 * What a run of the account workflow holds and hands on: the account it bills, and the small,
 * JSON-safe state continue-as-new carries to the next run.
 */
import type { IngestItem } from '../../activities/ingest.js';
import type { InvoiceOutcome } from '../../contract/invoice-outcome.js';
import type { NotifyInput } from '../../activities/notify.js';
import type { AccountSettings, LedgerState } from '../../billing/ledger.js';
import { createLedger, openCycle } from '../../billing/ledger.js';
import { emptyDailyUsage, type DailyUsage } from '../../billing/insights.js';
import { newAlertingState, type AlertingState } from '../../billing/notifications.js';
import type { Plan } from '../../billing/plan.js';
import type { AccountBillingInput } from '../../contract/account-workflow.js';
import { ACCOUNT_ID_RE, accountWorkflowId } from '../../contract/ids.js';
import type { ClosedCycleView } from '../../contract/usage-reply.js';

/** What a run hands to the next one through continue-as-new: small and JSON-safe. */
export interface CarriedState {
  ledger: LedgerState;
  /** Sequences of batch ids and request claim tokens, unique across the chain of runs. */
  seq: { batch: number; op: number };
  closedCycles: ClosedCycleView[];
  unpaidInvoices: InvoiceOutcome[];
  /** Credits per local day of the open cycle and the one before (insights, statements). */
  daily: DailyUsage;
  /** Threshold firings and the armed `exhausted` and projection alerts of the open cycle. */
  alerting: AlertingState;
  /** Emails decided and not yet recorded in the outbox table, oldest first. */
  outbox: NotifyInput[];
  /** Outbox rows (ids) recorded and not yet sent, oldest first. */
  unsent: string[];
}

export interface AccountBillingRunInput extends AccountBillingInput {
  /** Set by continue-as-new; a new account's workflow starts without it. */
  carried?: CarriedState;
  /** Call events from signals not yet recorded when the previous run continued as new. */
  inbox?: IngestItem[];
}

export interface AccountBillingResult {
  accountId: string;
  /** The workflow only ends on its own for an account that does not exist. */
  outcome: 'unknown_account';
  rejectedEvents: number;
}

/** The first state of a new account's chain of runs: its first cycle open, nothing yet used. */
export function newCarriedState(account: AccountSettings, plan: Plan): CarriedState {
  const { state: ledger } = createLedger(account, plan);
  return {
    ledger,
    seq: { batch: 0, op: 0 },
    closedCycles: [],
    unpaidInvoices: [],
    daily: emptyDailyUsage(ledger.account.createdAt),
    alerting: newAlertingState(openCycle(ledger).index),
    outbox: [],
    unsent: [],
  };
}

/**
 * The account this run is for: the start argument's `accountId` when it is a well-formed id and
 * the workflow id is `billing-<that id>`. Anything else (a sender's typo in the argument) can only
 * be an unknown account; its events are recorded under a key derived from the workflow id, in
 * characters every column and lock accepts.
 */
export function accountIdOf(
  input: AccountBillingInput,
  workflowId: string,
): { accountId: string; valid: boolean } {
  const id: unknown = (input as Partial<AccountBillingInput> | null)?.accountId;
  if (typeof id === 'string' && ACCOUNT_ID_RE.test(id) && workflowId === accountWorkflowId(id)) {
    return { accountId: id, valid: true };
  }
  return { accountId: `invalid:${workflowId.replace(/[^A-Za-z0-9._:-]/g, '_')}`, valid: false };
}
