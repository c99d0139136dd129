/**
 * Activities of the first demo: store an account's call-event deliveries in PostgreSQL, rate what
 * was stored with the billing core, and email the usage statement.
 */
import { ApplicationFailure } from '@temporalio/activity';
import type { Kysely } from 'kysely';
import { runPreview } from '../billing/preview.js';
import { MalformedScenarioError } from '../billing/scenario.js';
import { deliveriesOf, storeDeliveries } from '../db/repositories/demo-call-deliveries.js';
import type { Database } from '../db/schema.js';
import { type Mailer, messageIdFor } from './mailer.js';
import { creditsText, durationText, instantText, moneyText, percentText } from './usage-format.js';

export interface DemoDelivery {
  readonly seq: number;
  /** When the event reached us (RFC 3339). */
  readonly arrivedAt: string;
  /** The call event as sent (BILLING-RULES.md section 3); may be invalid on purpose. */
  readonly event: unknown;
}

export interface DemoAccount {
  readonly id: string;
  readonly timeZone: string;
  readonly createdAt: string;
}

/** A plan as BILLING-RULES.md section 2 writes it. */
export type DemoPlan = { readonly id: string; readonly currency: string } & Readonly<
  Record<string, unknown>
>;

/** A cycle statement from the core, with its bigint amounts as decimal strings (JSON-safe). */
export interface UsageCycle {
  readonly index: number;
  readonly start: string;
  readonly end: string;
  readonly closed: boolean;
  readonly planId: string;
  readonly allowanceMillicredits: string;
  readonly purchasedMillicredits: string;
  readonly usedMillicredits: string;
  readonly billableSeconds: number;
  readonly lateAdjustments: number;
  readonly overageMillicredits: string;
  readonly overageChargeMinor: string | null;
  readonly alerts: readonly { readonly thresholdPercent: number; readonly at: string }[];
}

export interface UsageStatement {
  readonly accountId: string;
  readonly currency: string;
  readonly deliveries: number;
  readonly cycles: readonly UsageCycle[];
  readonly rejected: readonly {
    readonly callId: string | null;
    readonly at: string;
    readonly reason: string;
  }[];
  readonly duplicates: number;
}

export interface DemoDeps {
  readonly db: Kysely<Database>;
  readonly mailer: Mailer;
}

export function createDemoActivities({ db, mailer }: DemoDeps) {
  return {
    async storeDemoDeliveries(input: {
      runId: string;
      accountId: string;
      deliveries: readonly DemoDelivery[];
    }): Promise<{ inserted: number }> {
      const inserted = await storeDeliveries(
        db,
        input.deliveries.map((d) => ({
          run_id: input.runId,
          account_id: input.accountId,
          delivery_seq: d.seq,
          arrived_at: new Date(d.arrivedAt),
          event: JSON.stringify(d.event),
        })),
      );
      return { inserted };
    },

    /** Rates what PostgreSQL holds for the account, so the statement is of the stored data. */
    async rateDemoAccount(input: {
      runId: string;
      account: DemoAccount;
      plan: DemoPlan;
      until: string;
    }): Promise<UsageStatement> {
      const stored = await deliveriesOf(db, input.runId, input.account.id);
      const scenario = {
        account: input.account,
        plan: input.plan,
        until: input.until,
        operations: stored.map((d) => ({
          at: d.arrived_at.toISOString(),
          type: 'call',
          event: d.event,
        })),
      };
      let output;
      try {
        output = runPreview(scenario);
      } catch (error) {
        // The demo built a scenario the rules call malformed: a bug that no retry fixes.
        if (error instanceof MalformedScenarioError) {
          throw ApplicationFailure.create({ message: error.message, nonRetryable: true });
        }
        throw error;
      }
      return {
        accountId: input.account.id,
        currency: input.plan.currency,
        deliveries: stored.length,
        cycles: output.cycles.map((c) => ({
          index: c.index,
          start: c.start,
          end: c.end,
          closed: c.closed,
          planId: c.planId,
          allowanceMillicredits: c.allowanceMillicredits.toString(),
          purchasedMillicredits: c.purchasedMillicredits.toString(),
          usedMillicredits: c.usedMillicredits.toString(),
          billableSeconds: c.billableSeconds,
          lateAdjustments: c.lateAdjustments,
          overageMillicredits: c.overageMillicredits.toString(),
          overageChargeMinor:
            c.overageChargeMinor === null ? null : c.overageChargeMinor.toString(),
          alerts: c.alerts,
        })),
        rejected: output.rejected,
        duplicates: output.duplicates,
      };
    },

    async emailDemoStatement(input: {
      runId: string;
      to: string;
      statement: UsageStatement;
    }): Promise<{ messageId: string }> {
      const { statement } = input;
      const messageId = messageIdFor('demo-statement', `${input.runId}.${statement.accountId}`);
      await mailer.send({
        to: input.to,
        subject: `Your voice-credit usage: ${statement.accountId}`,
        text: statementText(input.runId, statement),
        messageId,
      });
      return { messageId };
    },
  };
}

/** The statement email's plain text. */
export function statementText(runId: string, s: UsageStatement): string {
  const lines = [`Usage for ${s.accountId} (demo run ${runId})`, ''];
  for (const c of s.cycles) {
    const available = (
      BigInt(c.allowanceMillicredits) + BigInt(c.purchasedMillicredits)
    ).toString();
    lines.push(
      `Cycle ${c.index + 1}, ${instantText(c.start)} to ${instantText(c.end)} (${c.closed ? 'closed' : 'open'}), plan ${c.planId}`,
      `  billable time  ${durationText(c.billableSeconds)}`,
      `  credits used   ${creditsText(c.usedMillicredits)} of ${creditsText(available)} (${percentText(c.usedMillicredits, available)})`,
      `  overage        ${creditsText(c.overageMillicredits)} credits, ${moneyText(c.overageChargeMinor, s.currency)}`,
      `  alerts         ${c.alerts.map((a) => `${a.thresholdPercent}% on ${instantText(a.at)}`).join(', ') || 'none'}`,
      '',
    );
  }
  lines.push(
    `Call events received: ${s.deliveries} (${s.duplicates} duplicate deliveries counted once, ${s.rejected.length} rejected)`,
  );
  for (const r of s.rejected) lines.push(`  rejected ${r.callId ?? '(no call id)'}: ${r.reason}`);
  return `${lines.join('\n')}\n`;
}
