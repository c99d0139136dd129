import { proxyActivities } from '@temporalio/workflow';
import type {
  Activities,
  DemoAccount,
  DemoDelivery,
  DemoPlan,
  UsageStatement,
} from '../activities/index.js';

export interface DemoAccountInput {
  readonly runId: string;
  readonly account: DemoAccount;
  readonly plan: DemoPlan;
  /** The instant the statement is "as of" (BILLING-RULES.md section 8's `until`). */
  readonly until: string;
  readonly deliveries: readonly DemoDelivery[];
  /** Where the statement email goes. */
  readonly owner: string;
  readonly activityTimeouts: { readonly startToCloseMs: number };
}

export interface DemoAccountResult {
  readonly statement: UsageStatement;
  readonly storedDeliveries: number;
  readonly emailMessageId: string;
}

/**
 * The first demo, one run per account: store the account's call events in PostgreSQL, rate what
 * was stored with the billing core, email the statement. The account workflow (a later issue)
 * replaces this with a long-running ledger fed by signals.
 */
export async function demoAccountWorkflow(input: DemoAccountInput): Promise<DemoAccountResult> {
  const { storeDemoDeliveries, rateDemoAccount, emailDemoStatement } = proxyActivities<Activities>({
    startToCloseTimeout: input.activityTimeouts.startToCloseMs,
    retry: { initialInterval: '200ms', backoffCoefficient: 2, maximumInterval: '5s' },
  });
  const { inserted } = await storeDemoDeliveries({
    runId: input.runId,
    accountId: input.account.id,
    deliveries: input.deliveries,
  });
  const statement = await rateDemoAccount({
    runId: input.runId,
    account: input.account,
    plan: input.plan,
    until: input.until,
  });
  const { messageId } = await emailDemoStatement({
    runId: input.runId,
    to: input.owner,
    statement,
  });
  return { statement, storedDeliveries: inserted, emailMessageId: messageId };
}
