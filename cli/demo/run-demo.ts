/**
 * Runs the first demo through the real stack: one `demoAccountWorkflow` per account, started on
 * the billing task queue; each stores its call events in PostgreSQL, rates them with the billing
 * core and emails the statement to Mailpit. Prints the usage the workflows return as a table.
 */
import type { Writable } from 'node:stream';
import {
  creditsText,
  durationText,
  instantText,
  moneyText,
  percentText,
} from '../../activities/usage-format.js';
import { connectClient } from '../../client/temporal-client.js';
import type { Config } from '../../workers/config.js';
import { type DemoAccountResult, demoAccountWorkflow } from '../../workflows/index.js';
import { demoAccounts } from './accounts.js';

export interface DemoRun {
  readonly runId: string;
  readonly results: readonly DemoAccountResult[];
}

function table(rows: readonly (readonly string[])[], rightAligned: ReadonlySet<number>): string {
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((r) => r[col]!.length)));
  return rows
    .map((row) =>
      row
        .map((cell, col) =>
          rightAligned.has(col) ? cell.padStart(widths[col]!) : cell.padEnd(widths[col]!),
        )
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export async function runDemo(config: Config, out: Writable, until = new Date()): Promise<DemoRun> {
  const asOf = new Date(Math.floor(until.getTime() / 1000) * 1000);
  const runId = asOf.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  const specs = demoAccounts(asOf);
  const calls = specs.reduce((n, s) => n + s.deliveries.length, 0);
  out.write(
    `\n[demo] run ${runId}: ${specs.length} accounts, ${calls} call events, each account a workflow on ` +
      `task queue '${config.temporal.taskQueue}'...\n`,
  );

  const client = await connectClient(config);
  let results: DemoAccountResult[];
  try {
    results = await Promise.all(
      specs.map((spec) =>
        client.workflow.execute(demoAccountWorkflow, {
          taskQueue: config.temporal.taskQueue,
          workflowId: `demo-${runId}-${spec.account.id}`,
          workflowExecutionTimeout: '2 minutes',
          args: [
            {
              runId,
              account: spec.account,
              plan: spec.plan,
              until: asOf.toISOString(),
              deliveries: spec.deliveries,
              owner: spec.owner,
              activityTimeouts: { startToCloseMs: config.activities.startToCloseTimeoutMs },
            },
          ],
        }),
      ),
    );
  } finally {
    await client.connection.close();
  }

  const header = [
    'account',
    'plan',
    'cycle',
    'state',
    'billable',
    'used',
    'available',
    'used %',
    'overage',
    'charge',
    'alerts',
  ];
  const rows: string[][] = [header];
  for (const { statement } of results) {
    for (const c of statement.cycles) {
      const available = (
        BigInt(c.allowanceMillicredits) + BigInt(c.purchasedMillicredits)
      ).toString();
      rows.push([
        statement.accountId,
        c.planId,
        `${instantText(c.start).slice(0, 10)} to ${instantText(c.end).slice(0, 10)}`,
        c.closed ? 'closed' : 'open',
        durationText(c.billableSeconds),
        creditsText(c.usedMillicredits),
        creditsText(available),
        percentText(c.usedMillicredits, available),
        creditsText(c.overageMillicredits),
        moneyText(c.overageChargeMinor, statement.currency),
        c.alerts.map((a) => `${a.thresholdPercent}%`).join(' ') || '-',
      ]);
    }
  }
  out.write(
    `\nUsage as of ${instantText(asOf.toISOString())} (credits; computed by the billing core from the rows in PostgreSQL):\n\n`,
  );
  out.write(`${table(rows, new Set([4, 5, 6, 7, 8]))}\n\n`);
  for (const { statement, storedDeliveries } of results) {
    const reasons = statement.rejected.map((r) => `${r.callId}: ${r.reason}`).join(', ');
    out.write(
      `  ${statement.accountId}: ${storedDeliveries} deliveries stored, ${statement.duplicates} duplicates ` +
        `counted once, ${statement.rejected.length} rejected${reasons ? ` (${reasons})` : ''}\n`,
    );
  }
  out.write(
    `\n[demo] statements emailed to ${specs.map((s) => s.owner).join(', ')}: ${config.smtp.inboxUrl}\n` +
      `[demo] the workflows: ${config.temporal.uiUrl}/namespaces/${config.temporal.namespace}/workflows?query=${encodeURIComponent(`WorkflowId STARTS_WITH "demo-${runId}"`)}\n`,
  );
  return { runId, results };
}
