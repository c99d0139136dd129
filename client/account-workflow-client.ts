/**
 * The client of the account workflows (Temporal only): starts an account's workflow, sends it call
 * events (signal-with-start or update-with-start), asks the usage query and sends the request
 * updates. Used by the CLI, the HTTP edge, the billing page, the tests and any TypeScript
 * telephony service; account provisioning (client/account-provisioning.ts) starts workflows
 * through it.
 */
import {
  type Client,
  type UpdateDefinition,
  WithStartWorkflowOperation,
  type WorkflowHandle,
} from '@temporalio/client';
import type { accountBilling } from '../workflows/account/account-billing.js';
import { accountIdKey } from '../contract/search-attributes.js';
import { ACCOUNT_WORKFLOW_TYPE, DEFAULT_TASK_QUEUE } from '../contract/account-workflow.js';
import { callCompleted, recordCalls, type RecordCallsResult } from '../contract/call-events.js';
import { accountWorkflowId } from '../contract/ids.js';
import {
  cancelPurchase,
  changePlan,
  purchaseCredits,
  retryPayment,
  type CancelPurchaseInput,
  type CancelPurchaseResult,
  type ChangePlanInput,
  type ChangePlanResult,
  type PurchaseCreditsInput,
  type PurchaseCreditsResult,
  type RetryPaymentInput,
  type RetryPaymentResult,
} from '../contract/requests.js';
import { usage } from '../contract/usage-query.js';
import type { UsageReply } from '../contract/usage-reply.js';
import { retryWhileUnavailable, unwrapUpdate } from './update-retry.js';

/**
 * What every start of an account's workflow carries, whoever starts it: its id, queue and
 * argument, the account id as a search attribute (findable before its first task runs), and the
 * summary and details the Temporal Web UI shows for the run.
 */
function accountStartOptions(accountId: string, taskQueue: string) {
  return {
    workflowId: accountWorkflowId(accountId),
    taskQueue,
    args: [{ accountId }] as [{ accountId: string }],
    typedSearchAttributes: [{ key: accountIdKey, value: accountId }],
    staticSummary: `Billing of account ${accountId}`,
    staticDetails:
      `Call events: signal \`callCompleted\`, update \`recordCalls\`. Figures: query \`usage\` ` +
      `(or \`billing accounts show ${accountId}\`). Current details below show the open cycle.`,
  };
}

export interface AccountWorkflowClientOptions {
  readonly temporal: Client;
  readonly taskQueue?: string;
}

export class AccountWorkflowClient {
  readonly temporal: Client;
  readonly taskQueue: string;

  constructor(options: AccountWorkflowClientOptions) {
    this.temporal = options.temporal;
    this.taskQueue = options.taskQueue ?? DEFAULT_TASK_QUEUE;
  }

  /**
   * Starts the account's workflow unless it runs. USE_EXISTING may attach to a run that an early
   * event started for the then-unknown account; that run bills the account once it sees the row,
   * unless it was already ending: then it is started again.
   */
  async startAccount(accountId: string): Promise<void> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const handle = await this.temporal.workflow.start<typeof accountBilling>(
        ACCOUNT_WORKFLOW_TYPE,
        {
          ...accountStartOptions(accountId, this.taskQueue),
          workflowIdConflictPolicy: 'USE_EXISTING',
        },
      );
      const { status } = await handle.describe();
      if (status.name === 'RUNNING' || status.name === 'CONTINUED_AS_NEW') return;
    }
  }

  /** The account's workflow handle (for queries, updates, history). */
  handle(accountId: string): WorkflowHandle<typeof accountBilling> {
    return this.temporal.workflow.getHandle(accountWorkflowId(accountId));
  }

  /** Sends one call event: signal-with-start, so it reaches the account whatever its state. */
  async sendCallEvent(accountId: string, event: unknown): Promise<void> {
    await this.temporal.workflow.signalWithStart<typeof accountBilling, [unknown]>(
      ACCOUNT_WORKFLOW_TYPE,
      {
        ...accountStartOptions(accountId, this.taskQueue),
        signal: callCompleted,
        signalArgs: [event],
      },
    );
  }

  /** Records up to 500 events and returns one outcome per event once they are stored. */
  async recordCalls(accountId: string, events: unknown[]): Promise<RecordCallsResult> {
    return retryWhileUnavailable(() => this.recordCallsOnce(accountId, events));
  }

  private async recordCallsOnce(accountId: string, events: unknown[]): Promise<RecordCallsResult> {
    const start = new WithStartWorkflowOperation<typeof accountBilling>(ACCOUNT_WORKFLOW_TYPE, {
      ...accountStartOptions(accountId, this.taskQueue),
      workflowIdConflictPolicy: 'USE_EXISTING',
    });
    return unwrapUpdate(() =>
      this.temporal.workflow.executeUpdateWithStart(recordCalls, {
        args: [{ events }],
        startWorkflowOperation: start,
      }),
    );
  }

  async usage(accountId: string): Promise<UsageReply> {
    return this.handle(accountId).query(usage);
  }

  purchaseCredits(accountId: string, input: PurchaseCreditsInput): Promise<PurchaseCreditsResult> {
    return this.request(accountId, purchaseCredits, input);
  }

  cancelPurchase(accountId: string, input: CancelPurchaseInput): Promise<CancelPurchaseResult> {
    return this.request(accountId, cancelPurchase, input);
  }

  changePlan(accountId: string, input: ChangePlanInput): Promise<ChangePlanResult> {
    return this.request(accountId, changePlan, input);
  }

  retryPayment(accountId: string, input: RetryPaymentInput): Promise<RetryPaymentResult> {
    return this.request(accountId, retryPayment, input);
  }

  /** One of the account's request updates, sent again while it is refused only for now. */
  private request<I, R>(accountId: string, update: UpdateDefinition<R, [I]>, input: I): Promise<R> {
    return retryWhileUnavailable(() =>
      unwrapUpdate(() => this.handle(accountId).executeUpdate(update, { args: [input] })),
    );
  }
}
