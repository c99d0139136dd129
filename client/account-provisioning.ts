/**
 * Account provisioning: plans and accounts stored in PostgreSQL (through db/), each account's
 * workflow started once its row stands, and its billing contacts changed. Used by the CLI, the
 * simulation, the benchmarks and the tests; everything after provisioning goes through the
 * account workflow client.
 */
import type { Kysely } from 'kysely';
import { parsePlan, type Plan } from '../billing/plan.js';
import { insertAccountOnce, updateBillingEmails } from '../db/repositories/accounts.js';
import { findPlan, insertPlanOnce } from '../db/repositories/plans.js';
import type { AccountRow, Database } from '../db/schema.js';
import { PLAN_ID_MESSAGE, PLAN_ID_RE } from '../contract/ids.js';
import { createAccountSchema, parseInput, type CreateAccountInput } from './account-input.js';
import type { AccountWorkflowClient } from './account-workflow-client.js';
import { BillingInputError } from './billing-errors.js';
import { billingEmailsSchema } from './contacts.js';

export interface AccountProvisioningOptions {
  readonly db: Kysely<Database>;
  /** Starts each created account's workflow. */
  readonly workflows: AccountWorkflowClient;
  /** The clock used for "created now" and "not in the future" (tests pin it). */
  readonly now?: () => number;
}

export class AccountProvisioning {
  private readonly db: Kysely<Database>;
  private readonly workflows: AccountWorkflowClient;
  private readonly now: () => number;

  constructor(options: AccountProvisioningOptions) {
    this.db = options.db;
    this.workflows = options.workflows;
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
    await this.workflows.startAccount(a.id);
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
}
