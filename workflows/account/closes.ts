/**
 * Closed cycles, invoiced and charged in the background, oldest first, so a slow payment gateway
 * never holds up ingestion. Each close ends with its statement email, and a payment-failed one
 * when the charge was declined.
 */
import { log } from '@temporalio/workflow';
import type { InvoiceOutcome } from '../../contract/invoice-outcome.js';
import { chargeOf, declinedInvoice } from '../../billing/invoice.js';
import type { CycleAddition, CycleStatement } from '../../billing/ledger.js';
import { closeNotices, type Notice } from '../../billing/notifications.js';
import { statementView } from '../../billing/usage.js';
import type { RunActivities } from './activity-proxies.js';
import { declineText, isPaymentDecline } from './invoices.js';
import type { ClosedCycleView } from '../../contract/usage-reply.js';

/** Closed cycles kept in the state for the `usage` query (the invoices table keeps them all). */
const CLOSED_CYCLES_KEPT = 12;

/** A closed cycle waiting for its invoice, with what its statement email shows. */
export interface PendingClose {
  statement: CycleStatement;
  /** The credits added to the cycle (purchases, auto top-ups, grants), in the order applied. */
  additions: CycleAddition[];
  daily: { date: string; millicredits: string }[];
}

export interface CloseDeps {
  accountId: string;
  acts: RunActivities;
  /** The carried state, whose closed cycles (newest first) the `usage` query shows. */
  state: { closedCycles: ClosedCycleView[] };
  recordInvoice(outcome: InvoiceOutcome): void;
  send(notice: Notice): void;
  /** The ledger's time: when a payment failure is noticed. */
  now(): number;
}

export class Closes {
  private readonly pending: PendingClose[] = [];
  private running = false;

  constructor(private readonly deps: CloseDeps) {}

  /** Queues a closed cycle; `start` invoices it. */
  add(close: PendingClose): void {
    this.pending.push(close);
  }

  /** True when no close is queued or being invoiced. */
  idle(): boolean {
    return !this.running && this.pending.length === 0;
  }

  start(): void {
    if (this.pending.length > 0 && !this.running) void this.run();
  }

  // One loop with the charge awaited in it: a close's steps interleave with the rest of the run
  // exactly as they did when the loop was written inline (the recorded histories pin that).
  private async run(): Promise<void> {
    this.running = true;
    try {
      while (this.pending.length > 0) {
        const close = this.pending[0]!;
        const { statement } = close;
        const { accountId, acts, state } = this.deps;
        state.closedCycles.unshift({ ...statementView(statement), invoice: null });
        state.closedCycles.splice(CLOSED_CYCLES_KEPT);
        let outcome: InvoiceOutcome;
        try {
          outcome = await acts.billing.closeCycle({ accountId, statement });
        } catch (error) {
          if (!isPaymentDecline(error)) throw error;
          outcome = declinedInvoice(chargeOf(statement), 1, declineText(error));
        }
        this.deps.recordInvoice(outcome);
        // The statement email, and a payment-failed one when the charge was declined.
        for (const notice of closeNotices(this.deps.now(), close, outcome)) this.deps.send(notice);
        log.info('cycle closed', {
          accountId,
          cycle: statement.index,
          invoice: outcome.status,
          amountMinor: outcome.amountMinor,
        });
        this.pending.shift();
      }
    } finally {
      this.running = false;
    }
  }
}
