import { describe, expect, it } from 'vitest';
import { chargeOf, declinedInvoice } from '../../billing/invoice.js';
import {
  alertNotices,
  closeNotices,
  newAlertingState,
  paymentFailedNotice,
  projectionDue,
  projectionNotice,
  receiptNotice,
  type AlertingState,
  type Notice,
  type ProjectionInsight,
} from '../../billing/notifications.js';
import { account, callLasting, LedgerDriver, ms, plan } from './builders.js';

/** A driver whose every change is passed to `alertNotices`, as the workflow does. */
class Alerting {
  readonly ledger: LedgerDriver;
  readonly alerting: AlertingState;
  readonly notices: Notice[] = [];

  constructor(overrides: Record<string, unknown> = {}) {
    // 100 credits, thresholds 50, 80, 100 and 120%.
    this.ledger = new LedgerDriver(
      account(),
      plan({ allowanceCredits: '100', alertThresholdsPercent: [50, 80, 100, 120], ...overrides }),
    );
    this.alerting = newAlertingState(0);
  }

  private take(effects: Parameters<typeof alertNotices>[2]): string[] {
    const notices = alertNotices(this.alerting, this.ledger.state, effects);
    this.notices.push(...notices);
    return notices.map((n) => `${n.content.kind}:${n.key}#${n.firing}`);
  }

  /** A call answered at `at`, arriving then (or at `arrival`, for a late one). */
  call(id: string, at: string, minutes: number, arrival = at): string[] {
    return this.take(this.ledger.book(arrival, callLasting(id, at, minutes * 60)));
  }

  purchase(at: string, id: string, credits: string): string[] {
    return this.take(this.ledger.purchase(at, id, credits));
  }

  advance(at: string): string[] {
    return this.take(this.ledger.advance(at));
  }
}

describe('alert notices', () => {
  it('one notice per firing, thresholds ascending, 100% told as credits exhausted', () => {
    const a = new Alerting();
    expect(a.call('c1', '2026-01-02T10:00:00Z', 49)).toEqual([]);
    expect(a.call('c2', '2026-01-02T11:00:00Z', 1)).toEqual(['threshold:50#1']);
    // One call crossing 80% and reaching exactly 100%: both, in that order, and 100 only once.
    expect(a.call('c3', '2026-01-02T12:00:00Z', 50)).toEqual([
      'threshold:80#1',
      'exhausted:credits#1',
    ]);
    expect(a.call('c4', '2026-01-02T13:00:00Z', 20)).toEqual(['threshold:120#1']);
    expect(a.call('c5', '2026-01-02T14:00:00Z', 5)).toEqual([]);
  });

  it('tells the exhaustion in the order of the percents when one call crosses them all', () => {
    const a = new Alerting();
    expect(a.call('c1', '2026-01-02T10:00:00Z', 130)).toEqual([
      'threshold:50#1',
      'threshold:80#1',
      'exhausted:credits#1',
      'threshold:120#1',
    ]);
  });

  it('carries the core numbers at the firing', () => {
    const a = new Alerting();
    a.call('c1', '2026-01-02T10:00:00Z', 80);
    const [fifty, eighty] = a.notices;
    expect(fifty!.cycleStart).toBe(ms('2026-01-01T00:00:00Z'));
    expect(fifty!.content).toMatchObject({
      kind: 'threshold',
      thresholdPercent: 50,
      at: '2026-01-02T10:00:00.000Z',
      usage: {
        usedMillicredits: '80000',
        availableMillicredits: '100000',
        remainingMillicredits: '20000',
        percentUsed: 80,
        resetOn: '2026-02-01',
        planId: 'growth',
        currency: 'USD',
        overagePriceMicros: '120000',
      },
    });
    expect(eighty!.content).toMatchObject({ kind: 'threshold', thresholdPercent: 80 });
  });

  it('re-arms after a purchase: the same threshold fires again as a new firing', () => {
    const a = new Alerting();
    expect(a.call('c1', '2026-01-02T10:00:00Z', 100)).toEqual([
      'threshold:50#1',
      'threshold:80#1',
      'exhausted:credits#1',
    ]);
    // 100 of 150: 80% and exhausted re-arm, 50% stays reached.
    expect(a.purchase('2026-01-03T10:00:00Z', 'p1', '50')).toEqual([]);
    expect(a.call('c2', '2026-01-03T11:00:00Z', 20)).toEqual(['threshold:80#2']);
    expect(a.call('c3', '2026-01-03T12:00:00Z', 30)).toEqual(['exhausted:credits#2']);
  });

  it('starts every cycle armed, with firings counted from 1', () => {
    const a = new Alerting();
    a.call('c1', '2026-01-02T10:00:00Z', 60);
    expect(a.advance('2026-02-01T00:00:00Z')).toEqual([]);
    expect(a.alerting.cycleIndex).toBe(1);
    expect(a.call('c2', '2026-02-02T10:00:00Z', 50)).toEqual(['threshold:50#1']);
    expect(a.notices.at(-1)!.cycleStart).toBe(ms('2026-02-01T00:00:00Z'));
  });

  it('sends nothing for a booking into a cycle in grace', () => {
    const a = new Alerting();
    a.call('c1', '2026-01-31T10:00:00Z', 40);
    a.advance('2026-02-01T00:10:00Z');
    // Arriving 10 minutes into February, inside the hour of grace: January goes 40 -> 95 credits.
    expect(a.call('c2', '2026-01-31T20:00:00Z', 55, '2026-02-01T00:10:00Z')).toEqual([]);
    expect(a.ledger.cycle(0).usedMillicredits).toBe('95000');
  });

  it('tells an account with nothing available that overage started at its first use', () => {
    const a = new Alerting({ allowanceCredits: '0' });
    expect(a.advance('2026-01-02T00:00:00Z')).toEqual([]);
    expect(a.call('c1', '2026-01-02T10:00:00Z', 1)).toEqual(['exhausted:credits#1']);
  });
});

describe('projection, receipt and payment notices', () => {
  const insight = (over: Partial<ProjectionInsight['projection']> = {}): ProjectionInsight => ({
    averageDailyMillicredits: '9000',
    projection: {
      lowMillicredits: '200000',
      expectedMillicredits: '270000',
      highMillicredits: '320000',
      observedDays: 5,
      runsOutOn: '2026-01-12',
      ...over,
    },
  });

  it('warns once per cycle, only on enough days and before the credits ran out', () => {
    const a = new Alerting();
    a.call('c1', '2026-01-06T10:00:00Z', 45);
    expect(projectionDue(a.alerting, a.ledger.state)).toBe(true);
    expect(projectionNotice(a.alerting, a.ledger.state, insight({ observedDays: 2 }))).toBeNull();
    // Checked a moment ago: not again within the hour.
    expect(projectionDue(a.alerting, a.ledger.state)).toBe(false);
    a.call('c1b', '2026-01-06T11:00:00Z', 1);
    expect(projectionDue(a.alerting, a.ledger.state)).toBe(true);
    expect(projectionNotice(a.alerting, a.ledger.state, insight({ runsOutOn: null }))).toBeNull();
    const notice = projectionNotice(a.alerting, a.ledger.state, insight());
    expect(notice).toMatchObject({
      key: 'expected',
      firing: 1,
      content: { kind: 'projection', projection: { runsOutOn: '2026-01-12' } },
    });
    expect(projectionNotice(a.alerting, a.ledger.state, insight())).toBeNull();
    expect(projectionDue(a.alerting, a.ledger.state)).toBe(false);
    a.advance('2026-02-01T00:00:00Z');
    expect(projectionDue(a.alerting, a.ledger.state)).toBe(true);
    a.call('c2', '2026-02-02T10:00:00Z', 100);
    // Already out of credits: the exhausted email said it.
    expect(projectionNotice(a.alerting, a.ledger.state, insight())).toBeNull();
  });

  it('a receipt per purchase and a payment-failed notice per attempt', () => {
    const a = new Alerting();
    a.purchase('2026-01-03T10:00:00Z', 'p-1', '25');
    const receipt = receiptNotice(a.ledger.state, {
      purchaseId: 'p-1',
      millicredits: '25000',
      recurring: false,
    });
    expect(receipt).toMatchObject({ key: 'p-1', firing: 1 });
    expect(receipt.content).toMatchObject({ usage: { availableMillicredits: '125000' } });
    const failed = (attempt: number) =>
      paymentFailedNotice(
        ms('2026-02-01T01:00:00Z'),
        declinedInvoice(
          {
            cycleIndex: 0,
            cycleStart: '2026-01-01T00:00:00.000Z',
            amountMinor: '576',
            currency: 'USD',
          },
          attempt,
          'card declined',
        ),
        ms('2026-02-01T00:00:00Z'),
      );
    expect([failed(1), failed(2)].map((n) => `${n.key}#${n.firing}`)).toEqual([
      'attempt#1',
      'attempt#2',
    ]);
    expect(failed(2)).toEqual({
      cycleStart: ms('2026-01-01T00:00:00Z'),
      key: 'attempt',
      firing: 2,
      content: {
        kind: 'payment-failed',
        at: '2026-02-01T01:00:00.000Z',
        cycleStart: '2026-01-01T00:00:00.000Z',
        cycleEnd: '2026-02-01T00:00:00.000Z',
        amountMinor: '576',
        currency: 'USD',
        attempt: 2,
        reason: 'card declined',
      },
    });
  });
});

describe('the emails of a close', () => {
  /** January closed with 1,048 minutes used: 48 credits over at $0.12 = 576 cents; p1 bought 10. */
  function januaryClose() {
    const driver = new LedgerDriver();
    driver.purchase('2026-01-05T00:00:00Z', 'p1', '10');
    driver.book('2026-01-11T10:00:00Z', callLasting('CA1', '2026-01-10T10:00:00Z', 1_058 * 60));
    const effects = driver.advance('2026-02-01T01:00:00Z');
    const closed = effects.find((e) => e.type === 'cycleClosed')!;
    if (closed.type !== 'cycleClosed') throw new Error('test bug: January did not close');
    return {
      statement: closed.statement,
      additions: closed.cycle.additions,
      daily: [{ date: '2026-01-10', millicredits: '1058000' }],
    };
  }

  it('a paid charge: the statement only, listing p1 and the invoice of 576 cents', () => {
    const close = januaryClose();
    const paid = {
      ...chargeOf(close.statement),
      status: 'paid' as const,
      attempt: 1,
      reference: 'ch_1',
      error: null,
    };
    const notices = closeNotices(ms('2026-02-01T01:00:00Z'), close, paid);
    expect(notices.map((n) => `${n.content.kind}:${n.key}#${n.firing}`)).toEqual([
      'statement:statement#1',
    ]);
    expect(notices[0]!.content).toMatchObject({
      statement: { index: 0, overageMillicredits: '48000', overageChargeMinor: '576' },
      purchases: [{ purchaseId: 'p1', millicredits: '10000' }],
      invoice: { status: 'paid', amountMinor: '576', currency: 'USD', reference: 'ch_1' },
    });
  });

  it('a declined charge: the statement, then the payment-failed email of attempt 1 for January', () => {
    const close = januaryClose();
    const declined = declinedInvoice(chargeOf(close.statement), 1, 'card declined');
    const notices = closeNotices(ms('2026-02-01T01:00:00Z'), close, declined);
    expect(notices.map((n) => `${n.content.kind}:${n.key}#${n.firing}`)).toEqual([
      'statement:statement#1',
      'payment-failed:attempt#1',
    ]);
    expect(notices[1]).toEqual(
      paymentFailedNotice(ms('2026-02-01T01:00:00Z'), declined, ms('2026-02-01T00:00:00Z')),
    );
    expect(notices[1]!.content).toMatchObject({ amountMinor: '576', attempt: 1 });
  });
});
