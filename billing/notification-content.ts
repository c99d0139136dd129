/**
 * What each customer email says, as data: the billing rules decide it from the core's figures
 * (billing/notifications.ts, never recomputed), the notification outbox stores it as JSON, and the
 * templates in emails/ render it.
 * Amounts are decimal strings of exact integers (millicredits, minor units); instants are ISO UTC
 * strings; local dates are `YYYY-MM-DD` in the account's time zone.
 */
import type { OpenCycleUsage, StatementView } from './usage.js';

/**
 * The open cycle's figures at the moment a notification fired: the usage reply's credits, plan and
 * overage price (usage.ts), with the cycle's bounds named as every email stored so far has
 * them.
 */
export type UsageFigures = Omit<
  OpenCycleUsage,
  | 'index'
  | 'start'
  | 'end'
  | 'billableSeconds'
  | 'lateAdjustments'
  | 'alerts'
  | 'overageChargeMinor'
> & {
  cycleStart: string;
  cycleEnd: string;
  /** The local date the credits reset (the cycle end's date in the account's time zone). */
  resetOn: string;
};

export interface DailyAmount {
  /** Local date `YYYY-MM-DD`. */
  date: string;
  millicredits: string;
}

export type NotificationContent =
  | {
      kind: 'threshold';
      /** The threshold that fired (section 7), below 100 or above it (100 is `exhausted`). */
      thresholdPercent: number;
      /** When the operation that fired it happened (ISO UTC). */
      at: string;
      usage: UsageFigures;
    }
  | {
      /** Credits exhausted: used reached the available credits; usage from here is overage. */
      kind: 'exhausted';
      at: string;
      usage: UsageFigures;
    }
  | {
      /** The expected projection runs out before the reset (once per cycle). */
      kind: 'projection';
      at: string;
      usage: UsageFigures;
      projection: {
        lowMillicredits: string;
        expectedMillicredits: string;
        highMillicredits: string;
        /** The local date the expected usage reaches the available credits. */
        runsOutOn: string;
        averageDailyMillicredits: string;
      };
    }
  | {
      /** A closed cycle's statement, with its invoice. */
      kind: 'statement';
      /** The cycle's statement (usage.ts), with its overage price and the amount invoiced. */
      statement: Omit<StatementView, 'closed' | 'alerts' | 'overageChargeMinor'> & {
        overagePriceMicros: string;
        overageChargeMinor: string;
      };
      /** Purchases granted to the cycle, in the order bought. */
      purchases: { purchaseId: string; millicredits: string }[];
      invoice: {
        status: 'no_charge' | 'due' | 'paid' | 'payment_failed';
        amountMinor: string;
        currency: string;
        reference: string | null;
      };
      /** Every local day of the cycle, oldest first, zeros included. */
      daily: DailyAmount[];
    }
  | {
      kind: 'receipt';
      at: string;
      purchaseId: string;
      millicredits: string;
      recurring: boolean;
      usage: UsageFigures;
    }
  | {
      kind: 'payment-failed';
      at: string;
      cycleStart: string;
      cycleEnd: string;
      amountMinor: string;
      currency: string;
      attempt: number;
      /** The gateway's reason, as it gave it. */
      reason: string;
    };

export type NotificationKind = NotificationContent['kind'];
