/**
 * `billing accounts <create|list|show|set-emails>`: the accounts, their status and their usage.
 * `list --status` asks Temporal's visibility store (the search attributes each account workflow
 * upserts); everything else reads PostgreSQL and the account workflow's `usage` query.
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import type { UsageStatus } from '../../billing/usage.js';
import {
  type AccountSearchView,
  searchAccounts,
  USAGE_STATUSES,
} from '../../client/account-search.js';
import type { AccountWorkflowClient } from '../../client/account-workflow-client.js';
import { listAccounts } from '../../db/repositories/accounts.js';
import type { AccountRow } from '../../db/schema.js';
import type { UsageReply } from '../../contract/usage-reply.js';
import { formatMoney } from '../../format/numbers.js';
import { creditsText } from '../format.js';
import {
  choiceOption,
  type Context,
  intOption,
  requireAccount,
  runCommand,
  runGroup,
  table,
  usageError,
} from '../output.js';

function accountView(row: AccountRow) {
  return {
    id: row.id,
    planId: row.plan_id,
    timeZone: row.time_zone,
    createdAt: row.created_at.toISOString(),
    billingAnchor: row.billing_anchor,
    graceSeconds: row.grace_seconds,
    maxLateSeconds: row.max_late_seconds,
    billingEmails: row.billing_emails,
  };
}

const create = {
  name: 'accounts create',
  help: `usage: billing accounts create --id <id> --plan <planId> --time-zone <IANA zone>
         [--billing-email <email>]... [--anchor YYYY-MM-DDTHH:MM:SS] [--created-at <ISO instant>]
         [--json]

Stores the account and starts its workflow. Repeating the same request is harmless; different
settings for an existing id are refused (exit 2).`,
  options: {
    id: { type: 'string' },
    plan: { type: 'string' },
    'time-zone': { type: 'string' },
    'billing-email': { type: 'string', multiple: true },
    anchor: { type: 'string' },
    'created-at': { type: 'string' },
  },
  positionals: [0, 0],
} as const;

const list = {
  name: 'accounts list',
  help: `usage: billing accounts list [--status ok|low|overage|payment_failed] [--plan <planId>]
         [--limit n] [--json]

Accounts by id with their status and plan in effect (from Temporal's visibility store; null
until the account's workflow has published them). --status asks the visibility store, which
lags a change by a moment.`,
  options: {
    status: { type: 'string' },
    plan: { type: 'string' },
    limit: { type: 'string', default: '200' },
  },
  positionals: [0, 0],
} as const;

const show = {
  name: 'accounts show',
  help: `usage: billing accounts show <accountId> [--json]

The account's settings, its open cycle (usage, status), insights (projection, trend, peaks) and
its last statements with their invoices, from the account workflow's usage query.`,
  options: {},
  positionals: [1, 1],
} as const;

const setEmails = {
  name: 'accounts set-emails',
  help: `usage: billing accounts set-emails <accountId> <email>... [--json]

Replaces the account's billing contacts. Emails decided from now on go to them; an email already
in the outbox keeps its recipients (billing notifications resend sends to the new ones).`,
  options: {},
  positionals: [2, 51],
} as const;

/** The usage query, asked again for a few seconds while the workflow is still loading. */
async function usageOf(billing: AccountWorkflowClient, accountId: string): Promise<UsageReply> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      return await billing.usage(accountId);
    } catch (error) {
      if (error instanceof WorkflowNotFoundError || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

/** Status and plan in effect of these accounts, from visibility, in chunks the query can hold. */
async function searchViews(
  context: Context,
  accountIds: readonly string[],
): Promise<Map<string, AccountSearchView>> {
  const client = await context.temporal();
  const views = new Map<string, AccountSearchView>();
  for (let i = 0; i < accountIds.length; i += 100) {
    const chunk = accountIds.slice(i, i + 100);
    for (const view of await searchAccounts(client, { accountIds: chunk })) {
      views.set(view.accountId, view);
    }
  }
  return views;
}

function listed(row: AccountRow, view: AccountSearchView | undefined) {
  return {
    id: row.id,
    // The plan in effect: the workflow's, which a plan change moves on; else the one created with.
    planId: view?.planId ?? row.plan_id,
    status: view?.status ?? null,
    usagePercent: view?.usagePercent ?? null,
    cycleEnd: view?.cycleEnd ?? null,
    timeZone: row.time_zone,
    billingEmails: row.billing_emails,
  };
}

async function runList(args: string[]): Promise<number> {
  return runCommand(list, args, async ({ values }, context) => {
    const status =
      values.status === undefined
        ? undefined
        : choiceOption<UsageStatus>('status', values.status, USAGE_STATUSES);
    const planId = values.plan;
    const limit = intOption('limit', values.limit, 1, 10_000);
    let accounts: ReturnType<typeof listed>[];
    if (status !== undefined) {
      // Visibility decides which accounts; PostgreSQL keeps those of this database only.
      const client = await context.temporal();
      const views = await searchAccounts(client, { status, planId });
      const byId = new Map(views.map((v) => [v.accountId, v]));
      const rows = await listAccounts(context.db(), { ids: [...byId.keys()], limit });
      accounts = rows.map((row) => listed(row, byId.get(row.id)));
    } else {
      const rows = await listAccounts(context.db(), {
        limit: planId === undefined ? limit : 10_000,
      });
      const views = await searchViews(
        context,
        rows.map((r) => r.id),
      );
      accounts = rows
        .map((row) => listed(row, views.get(row.id)))
        .filter((a) => planId === undefined || a.planId === planId)
        .slice(0, limit);
    }
    return {
      json: { accounts },
      text:
        accounts.length === 0
          ? 'no accounts match'
          : table([
              ['ID', 'PLAN', 'STATUS', 'USED %', 'CYCLE END', 'TIME ZONE', 'BILLING EMAILS'],
              ...accounts.map((a) => [
                a.id,
                a.planId,
                a.status ?? '-',
                a.usagePercent === null ? '-' : String(a.usagePercent),
                a.cycleEnd ?? '-',
                a.timeZone,
                a.billingEmails.join(', ') || '-',
              ]),
            ]),
    };
  });
}

function usageText(row: AccountRow, usage: UsageReply): string {
  const c = usage.cycle;
  const i = usage.insights;
  const p = i.projection;
  const lines = [
    `account ${row.id} (${row.time_zone}), plan ${c.planId}, status ${usage.status}, as of ${usage.asOf}`,
    `billing emails: ${row.billing_emails.join(', ') || '-'}`,
    '',
    `open cycle ${c.index}: ${c.start} to ${c.end} (${c.daysUntilReset} day(s) to reset)`,
    `  used ${creditsText(c.usedMillicredits)} of ${creditsText(c.availableMillicredits)} credits` +
      ` (${c.percentUsed ?? '-'}%), remaining ${creditsText(c.remainingMillicredits)},` +
      ` overage ${creditsText(c.overageMillicredits)}, purchased ${creditsText(c.purchasedMillicredits)}`,
    `  alerts: ${c.alerts.map((a) => `${a.thresholdPercent}% at ${a.at}`).join(', ') || '-'}`,
    `  events waiting to be recorded: ${usage.pendingEvents}`,
    '',
    `insights: average ${creditsText(i.averageDailyMillicredits)}/day, trend ${i.trend.direction}` +
      (i.trend.changePercent === null ? '' : ` (${i.trend.changePercent}%)`),
    `  projection (${p.method}): ${creditsText(p.lowMillicredits)} to ${creditsText(p.highMillicredits)} credits by the cycle end`,
    `  peak days: ${i.peakDays.map((d) => `${d.date} ${creditsText(d.millicredits)}`).join(', ') || '-'}`,
  ];
  if (usage.unpaidInvoices.length > 0) {
    lines.push(
      '',
      `unpaid invoices: ${usage.unpaidInvoices
        .map(
          (inv) =>
            `cycle ${inv.cycleIndex} ${formatMoney(inv.amountMinor, inv.currency)} (${inv.error ?? inv.status})`,
        )
        .join(', ')}`,
    );
  }
  lines.push('', 'last statements:');
  if (usage.closedCycles.length === 0) lines.push('  none yet');
  else {
    lines.push(
      table([
        ['  CYCLE', 'FROM', 'TO', 'PLAN', 'USED', 'OVERAGE', 'CHARGE', 'INVOICE'],
        ...usage.closedCycles.map((s) => [
          `  ${s.index}`,
          s.start,
          s.end,
          s.planId,
          creditsText(s.usedMillicredits),
          creditsText(s.overageMillicredits),
          s.overageChargeMinor === null ? '-' : formatMoney(s.overageChargeMinor, s.currency),
          s.invoice === null ? '-' : s.invoice.status,
        ]),
      ]),
    );
  }
  return lines.join('\n');
}

export function run(args: string[]): Promise<number> {
  return runGroup('accounts', args, {
    create: {
      summary: 'store an account and start its workflow',
      run: (rest) =>
        runCommand(create, rest, async ({ values }, context) => {
          const missing = (['id', 'plan', 'time-zone'] as const).filter((k) => !values[k]);
          if (missing.length > 0) {
            throw usageError(`missing ${missing.map((k) => `--${k}`).join(', ')}`);
          }
          const provisioning = await context.provisioning();
          const row = await provisioning.createAccount({
            id: values.id!,
            planId: values.plan!,
            timeZone: values['time-zone']!,
            billingEmails: values['billing-email'] ?? [],
            ...(values.anchor === undefined ? {} : { billingAnchor: values.anchor }),
            ...(values['created-at'] === undefined ? {} : { createdAt: values['created-at'] }),
          });
          return {
            json: { account: accountView(row) },
            text: `account ${row.id} on plan ${row.plan_id} (${row.time_zone}): workflow started`,
          };
        }),
    },
    list: { summary: 'accounts with their status and plan (--status, --plan)', run: runList },
    show: {
      summary: "an account's usage, insights and last statements with their invoices",
      run: (rest) =>
        runCommand(show, rest, async ({ positionals }, context) => {
          const row = await requireAccount(context, positionals[0]!);
          const usage = await usageOf(await context.billing(), row.id);
          return { json: { account: accountView(row), usage }, text: usageText(row, usage) };
        }),
    },
    'set-emails': {
      summary: "replace an account's billing contacts",
      run: (rest) =>
        runCommand(setEmails, rest, async ({ positionals }, context) => {
          const [accountId, ...emails] = positionals;
          await requireAccount(context, accountId!);
          const row = await (await context.provisioning()).setBillingEmails(accountId!, emails);
          return {
            json: { account: accountView(row) },
            text: `account ${row.id} billing emails: ${row.billing_emails.join(', ')}`,
          };
        }),
    },
  });
}
