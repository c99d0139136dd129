/**
 * The typed client of the billing engine, used by the CLI, the HTTP edge, the tests and any
 * TypeScript telephony service: plans and accounts (PostgreSQL, then the account's workflow), call
 * events (signal-with-start or update-with-start), the usage query and the request updates.
 */
import {
  type Client,
  WithStartWorkflowOperation,
  type WorkflowHandle,
  WorkflowUpdateFailedError,
} from '@temporalio/client';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { isIanaTimeZone } from '../billing/calendar.js';
import { DEFAULT_GRACE_SECONDS, DEFAULT_MAX_LATE_SECONDS } from '../billing/ledger.js';
import { parsePlan, type Plan } from '../billing/plan.js';
import { LIMITS, describeIssues, instantString, intIn } from '../billing/schema-helpers.js';
import { parseLocalDateTime } from '../billing/units.js';
import { insertAccountOnce, updateBillingEmails } from '../db/repositories/accounts.js';
import { findPlan, insertPlanOnce } from '../db/repositories/plans.js';
import type { AccountRow, Database } from '../db/schema.js';
import { billingEmailsSchema } from './contacts.js';
import type { accountBilling } from '../workflows/account/account-billing.js';
import { accountIdKey } from '../contract/search-attributes.js';
import { ACCOUNT_WORKFLOW_TYPE, DEFAULT_TASK_QUEUE } from '../contract/account-workflow.js';
import { callCompleted, recordCalls, type RecordCallsResult } from '../contract/call-events.js';
import { CONTINUING_AS_NEW_ERROR, isFailure } from '../contract/failures.js';
import {
  accountIdSchema,
  accountWorkflowId,
  PLAN_ID_MESSAGE,
  PLAN_ID_RE,
} from '../contract/ids.js';
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

/** A request the billing engine refuses, with a message that says what to change. */
export class BillingInputError extends Error {
  override readonly name = 'BillingInputError';
}

/**
 * A request the account's workflow refused or failed, with the workflow's own message: the
 * validator's, or a named failure's (`isFailure(error, UNKNOWN_PLAN_ERROR)` tells which, through
 * the update's failure kept as the cause).
 */
export class BillingRequestError extends Error {
  override readonly name = 'BillingRequestError';
}

/** Unwraps Temporal's generic "Workflow Update failed" into the workflow's own message. */
async function unwrapUpdate<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof WorkflowUpdateFailedError) {
      throw new BillingRequestError(error.cause?.message ?? error.message, { cause: error });
    }
    throw error;
  }
}

/**
 * Whether an update was refused only for now: the run is about to continue as new (it takes no
 * new batch; the next run will), or its last workflow task failed or timed out (a worker died
 * holding it) and the server takes no update until another worker has run it.
 */
function isTransientRefusal(error: unknown): boolean {
  if (error instanceof BillingRequestError) return isFailure(error, CONTINUING_AS_NEW_ERROR);
  return error instanceof Error && /Workflow Task in failed state/.test(error.message);
}

/** Sends an update again, with backoff, while it is refused only for now (up to 2 minutes). */
async function retryWhileUnavailable<T>(send: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 120_000;
  for (let attempt = 1; ; attempt++) {
    try {
      return await send();
    } catch (error) {
      if (!isTransientRefusal(error) || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 50 * attempt)));
    }
  }
}

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

export const createAccountSchema = z.object({
  id: accountIdSchema,
  planId: z.string().min(1, 'planId is required'),
  timeZone: z.string().refine(isIanaTimeZone, {
    error: (issue) =>
      `unknown time zone ${JSON.stringify(issue.input)}: use an IANA name such as "Europe/Berlin"`,
  }),
  /** When the account's billing began; in the past for an account migrated mid-cycle. */
  createdAt: instantString.optional(),
  billingAnchor: z
    .string()
    .refine((text) => parseLocalDateTime(text) !== undefined, {
      error: 'a billing anchor is a local date-time YYYY-MM-DDTHH:MM:SS',
    })
    .optional(),
  graceSeconds: intIn(0, LIMITS.maxGraceSeconds).default(DEFAULT_GRACE_SECONDS),
  maxLateSeconds: intIn(0, LIMITS.maxLateSeconds).default(DEFAULT_MAX_LATE_SECONDS),
  billingEmails: billingEmailsSchema.default([]),
});
export type CreateAccountInput = z.input<typeof createAccountSchema>;

export interface BillingClientOptions {
  readonly temporal: Client;
  readonly db: Kysely<Database>;
  readonly taskQueue?: string;
  /** The clock used for "created now" and "not in the future" (tests pin it). */
  readonly now?: () => number;
}

function parseInput<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw new BillingInputError(describeIssues(parsed.error, what));
  return parsed.data;
}

export class BillingClient {
  readonly temporal: Client;
  readonly db: Kysely<Database>;
  readonly taskQueue: string;
  private readonly now: () => number;

  constructor(options: BillingClientOptions) {
    this.temporal = options.temporal;
    this.db = options.db;
    this.taskQueue = options.taskQueue ?? DEFAULT_TASK_QUEUE;
    this.now = options.now ?? Date.now;
  }

  /** Stores a plan. Plans are immutable: the same id again must carry the same definition. */
  async createPlan(definition: unknown): Promise<Plan> {
    const plan = parsePlan(definition);
    if (!PLAN_ID_RE.test(plan.id)) {
      throw new BillingInputError(`plan.id: ${PLAN_ID_MESSAGE}`);
    }
    const row = await insertPlanOnce(this.db, { id: plan.id, name: plan.name, definition });
    const stored = parsePlan(row.definition);
    if (JSON.stringify(stored) !== JSON.stringify(plan)) {
      throw new BillingInputError(`plan ${plan.id} exists with a different definition`);
    }
    return stored;
  }

  /**
   * Stores an account and starts its workflow. Repeating the same request is harmless (the first
   * row stands and the running workflow is kept); a different one for the same id is refused.
   */
  async createAccount(input: CreateAccountInput): Promise<AccountRow> {
    const a = parseInput(createAccountSchema, input, 'account');
    const now = this.now();
    const createdAt = a.createdAt ?? now;
    if (createdAt > now) {
      throw new BillingInputError('account.createdAt: an account cannot be created in the future');
    }
    if ((await findPlan(this.db, a.planId)) === undefined) {
      throw new BillingInputError(`account.planId: no plan has id ${a.planId}`);
    }
    const wanted = {
      id: a.id,
      plan_id: a.planId,
      time_zone: a.timeZone,
      created_at: new Date(createdAt),
      billing_anchor: a.billingAnchor ?? null,
      grace_seconds: a.graceSeconds,
      max_late_seconds: a.maxLateSeconds,
      billing_emails: a.billingEmails,
    };
    const row = await insertAccountOnce(this.db, wanted);
    const same =
      row.plan_id === wanted.plan_id &&
      row.time_zone === wanted.time_zone &&
      (a.createdAt === undefined || row.created_at.getTime() === createdAt) &&
      row.billing_anchor === wanted.billing_anchor &&
      row.grace_seconds === wanted.grace_seconds &&
      row.max_late_seconds === wanted.max_late_seconds;
    if (!same) throw new BillingInputError(`account ${a.id} exists with different settings`);
    // USE_EXISTING may attach to a run that an early event started for the then-unknown account;
    // that run bills the account once it sees the row, unless it was already ending: start again.
    for (let attempt = 0; attempt < 3; attempt++) {
      const handle = await this.temporal.workflow.start<typeof accountBilling>(
        ACCOUNT_WORKFLOW_TYPE,
        { ...accountStartOptions(a.id, this.taskQueue), workflowIdConflictPolicy: 'USE_EXISTING' },
      );
      const { status } = await handle.describe();
      if (status.name === 'RUNNING' || status.name === 'CONTINUED_AS_NEW') break;
    }
    return row;
  }

  /**
   * Replaces an account's billing contacts; emails decided from now on go to them (an email
   * already in the outbox keeps the recipients it was decided with).
   */
  async setBillingEmails(accountId: string, emails: readonly string[]): Promise<AccountRow> {
    const valid = parseInput(billingEmailsSchema, emails, 'billingEmails');
    const row = await updateBillingEmails(this.db, accountId, valid);
    if (row === undefined) throw new BillingInputError(`no account has id ${accountId}`);
    return row;
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

  async purchaseCredits(
    accountId: string,
    input: PurchaseCreditsInput,
  ): Promise<PurchaseCreditsResult> {
    return retryWhileUnavailable(() =>
      unwrapUpdate(() => this.handle(accountId).executeUpdate(purchaseCredits, { args: [input] })),
    );
  }

  async cancelPurchase(
    accountId: string,
    input: CancelPurchaseInput,
  ): Promise<CancelPurchaseResult> {
    return retryWhileUnavailable(() =>
      unwrapUpdate(() => this.handle(accountId).executeUpdate(cancelPurchase, { args: [input] })),
    );
  }

  async changePlan(accountId: string, input: ChangePlanInput): Promise<ChangePlanResult> {
    return retryWhileUnavailable(() =>
      unwrapUpdate(() => this.handle(accountId).executeUpdate(changePlan, { args: [input] })),
    );
  }

  async retryPayment(accountId: string, input: RetryPaymentInput): Promise<RetryPaymentResult> {
    return retryWhileUnavailable(() =>
      unwrapUpdate(() => this.handle(accountId).executeUpdate(retryPayment, { args: [input] })),
    );
  }
}
