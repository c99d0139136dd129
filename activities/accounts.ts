/** Reading accounts and plans for the account workflow. */
import type { Kysely } from 'kysely';
import type { AccountSettings } from '../billing/ledger.js';
import { parsePlan, type Plan } from '../billing/plan.js';
import { parseLocalDateTime } from '../billing/units.js';
import { findAccount } from '../db/repositories/accounts.js';
import { findPlan } from '../db/repositories/plans.js';
import type { Database } from '../db/schema.js';
import type { Config } from '../config/config.js';
import { ACCOUNT_ID_RE } from '../contract/ids.js';

export interface AccountsDeps {
  readonly db: Kysely<Database>;
  readonly accountWorkflow: Config['accountWorkflow'];
  readonly activityStartToCloseMs: number;
}

/** How a run of the account workflow behaves, from the worker's configuration. */
export type RunSettings = Config['accountWorkflow'] & {
  /** How long one attempt of an activity may take before Temporal retries it. */
  readonly activityStartToCloseMs: number;
};

export type LoadedAccount =
  | { found: false; settings: RunSettings }
  | {
      found: true;
      settings: RunSettings;
      account: AccountSettings;
      plan: Plan;
      billingEmails: string[];
    };

export function createAccountsActivities(deps: AccountsDeps) {
  const settings: RunSettings = {
    ...deps.accountWorkflow,
    activityStartToCloseMs: deps.activityStartToCloseMs,
  };
  return {
    /** The account and its plan as stored, or `found: false` for an unknown account. */
    async loadAccount(input: { accountId: string }): Promise<LoadedAccount> {
      // An id no account can have (the client refuses it) is not looked up.
      if (!ACCOUNT_ID_RE.test(input.accountId)) return { found: false, settings };
      const row = await findAccount(deps.db, input.accountId);
      if (row === undefined) return { found: false, settings };
      const plan = await findPlan(deps.db, row.plan_id);
      if (plan === undefined)
        throw new Error(`account ${row.id} names unknown plan ${row.plan_id}`);
      const anchor = row.billing_anchor === null ? null : parseLocalDateTime(row.billing_anchor);
      if (anchor === undefined) throw new Error(`account ${row.id} has a bad billing anchor`);
      return {
        found: true,
        settings,
        account: {
          id: row.id,
          timeZone: row.time_zone,
          createdAt: row.created_at.getTime(),
          billingAnchor: anchor,
          graceSeconds: row.grace_seconds,
          maxLateSeconds: row.max_late_seconds,
        },
        plan: parsePlan(plan.definition, `plan ${plan.id}`),
        billingEmails: row.billing_emails,
      };
    },

    /** The run settings alone, for a run continued from an earlier one. */
    runSettings(): Promise<RunSettings> {
      return Promise.resolve(settings);
    },

    /** A stored plan, or null when no plan has this id. */
    async loadPlan(input: { planId: string }): Promise<Plan | null> {
      const row = await findPlan(deps.db, input.planId);
      return row === undefined ? null : parsePlan(row.definition, `plan ${row.id}`);
    },
  };
}
