/**
 * The simulation's summary: one row per account with its closed first cycle as the `usage` query
 * reports it, the overage charge from its invoice, the alert emails from the outbox and the call
 * outcomes from PostgreSQL; then where to look. As a table for people, or as JSON.
 */
import { formatMoney } from '../../format/numbers.js';
import { creditsText } from '../format.js';

/** An account's figures, each read from the workflow or the database (none recomputed). */
export interface AccountSummary {
  readonly accountId: string;
  readonly timeZone: string;
  readonly planId: string;
  readonly cycleStart: string;
  readonly cycleEnd: string;
  readonly allowanceMillicredits: string;
  readonly availableMillicredits: string;
  readonly usedMillicredits: string;
  readonly overageMillicredits: string;
  readonly currency: string;
  /** The invoice's amount, in minor units of `currency`. */
  readonly chargeMinor: string;
  readonly invoiceStatus: string;
  /** Thresholds that fired in the cycle (its statement), ascending by time. */
  readonly alertsFired: readonly number[];
  /** Alert emails (threshold, credits exhausted, projection) the outbox sent. */
  readonly alertEmailsSent: number;
  /** Every email the outbox sent for the account (alerts and the statement). */
  readonly emailsSent: number;
  readonly calls: {
    readonly accepted: number;
    readonly duplicate: number;
    readonly rejected: number;
  };
  readonly billingEmail: string;
  readonly workflowUrl: string;
  /** A signed link to the account's billing page (the one its emails carry). */
  readonly billingPageUrl: string;
}

export interface SimulationSummary {
  readonly suffix: string;
  readonly seed: number;
  readonly accounts: readonly AccountSummary[];
  readonly links: {
    readonly temporalUi: string;
    readonly mailpit: string;
    /** The command that shows one account (`<account>` stands for its id). */
    readonly inspect: string;
  };
}

/** What is left of the available credits: `available - used`, or 0 in overage. */
export function remainingMillicredits(a: AccountSummary): string {
  const left = BigInt(a.availableMillicredits) - BigInt(a.usedMillicredits);
  return String(left > 0n ? left : 0n);
}

export const SUMMARY_HEADER = [
  'account',
  'plan',
  'used / allowance',
  'remaining',
  'overage',
  'charge',
  'alerts',
  'alert emails',
  'calls ok / dup / rejected',
] as const;

/** The table's cells for one account, in {@link SUMMARY_HEADER}'s order. */
export function summaryRow(a: AccountSummary): string[] {
  return [
    a.accountId,
    a.planId,
    `${creditsText(a.usedMillicredits)} / ${creditsText(a.allowanceMillicredits)}`,
    creditsText(remainingMillicredits(a)),
    creditsText(a.overageMillicredits),
    formatMoney(a.chargeMinor, a.currency),
    a.alertsFired.map((p) => `${p}%`).join(' ') || '-',
    String(a.alertEmailsSent),
    `${a.calls.accepted} / ${a.calls.duplicate} / ${a.calls.rejected}`,
  ];
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

export function summaryText(summary: SimulationSummary): string {
  const rows = [[...SUMMARY_HEADER], ...summary.accounts.map(summaryRow)];
  const lines = [
    '',
    'First cycle of each account, closed and invoiced (credits; from the usage query, the ' +
      'invoices, the email outbox and the calls in PostgreSQL):',
    '',
    table(rows, new Set([2, 3, 4, 5, 7, 8])),
    '',
    'Where to look:',
    `  Temporal Web UI  ${summary.links.temporalUi}  (each account's workflow: its updates, ` +
      'signals and cycle close; query `usage`)',
  ];
  const width = Math.max(...summary.accounts.map((a) => a.accountId.length));
  for (const a of summary.accounts)
    lines.push(`    ${a.accountId.padEnd(width)}  ${a.workflowUrl}`);
  lines.push('  Billing pages    (what each customer sees; signed links, as the emails carry)');
  for (const a of summary.accounts)
    lines.push(`    ${a.accountId.padEnd(width)}  ${a.billingPageUrl}`);
  lines.push(
    `  Mailpit          ${summary.links.mailpit}  (alerts and statements, to ` +
      `billing+${summary.suffix}@<account>.example)`,
    `  An account       ${summary.links.inspect}`,
    '',
  );
  return lines.join('\n');
}

export function summaryJson(summary: SimulationSummary): string {
  return `${JSON.stringify(summary, null, 2)}\n`;
}
