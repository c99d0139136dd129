import { describe, expect, it } from 'vitest';
import { MalformedScenarioError, parseScenario } from '../../billing/scenario.js';
import { ms, planJson, scenario } from './builders.js';

type Json = Record<string, unknown>;

function malformed(input: unknown): string {
  try {
    parseScenario(input);
  } catch (error) {
    expect(error).toBeInstanceOf(MalformedScenarioError);
    return (error as Error).message;
  }
  throw new Error('scenario was accepted');
}

const withAccount = (overrides: Json) => scenario({}, overrides);
const withOp = (op: Json) => scenario({ operations: [op] });
const purchase = (overrides: Json = {}) => ({
  at: '2026-01-10T00:00:00Z',
  type: 'purchase',
  purchaseId: 'p1',
  credits: '100',
  ...overrides,
});
const change = (overrides: Json = {}) => ({
  at: '2026-01-10T00:00:00Z',
  type: 'changePlan',
  plan: planJson({ id: 'pro', allowanceCredits: '3000' }),
  ...overrides,
});

describe('a valid scenario', () => {
  it('fills account defaults: grace 3,600 s, maxLateSeconds 3,024,000 s', () => {
    const parsed = parseScenario(scenario());
    expect(parsed.account).toEqual({
      id: 'acme',
      timeZone: 'UTC',
      createdAt: ms('2026-01-01T00:00:00Z'),
      billingAnchor: {
        year: 2026,
        month: 1,
        day: 1,
        hour: 0,
        minute: 0,
        second: 0,
        millisecond: 0,
      },
      graceSeconds: 3_600,
      maxLateSeconds: 3_024_000,
    });
    expect(parsed.until).toBe(ms('2026-03-01T00:00:00Z'));
    expect(parsed.operations).toEqual([]);
  });

  it('without billingAnchor the account anchor is null (createdAt is used)', () => {
    const input = scenario();
    delete (input.account as Json).billingAnchor;
    expect(parseScenario(input).account.billingAnchor).toBeNull();
  });

  it('bounds are inclusive: grace 0 and 604,800; maxLateSeconds 0 and 31,622,400', () => {
    for (const graceSeconds of [0, 604_800]) {
      expect(parseScenario(withAccount({ graceSeconds })).account.graceSeconds).toBe(graceSeconds);
    }
    for (const maxLateSeconds of [0, 31_622_400]) {
      expect(parseScenario(withAccount({ maxLateSeconds })).account.maxLateSeconds).toBe(
        maxLateSeconds,
      );
    }
  });

  it('operations at exactly createdAt and exactly until are in range', () => {
    const input = scenario({
      operations: [
        purchase({ at: '2026-01-01T00:00:00Z' }),
        purchase({ at: '2026-03-01T00:00:00Z', purchaseId: 'p2' }),
      ],
    });
    expect(parseScenario(input).operations).toHaveLength(2);
  });

  it('until may equal createdAt', () => {
    expect(parseScenario(scenario({ until: '2026-01-01T00:00:00Z' })).until).toBe(
      ms('2026-01-01T00:00:00Z'),
    );
  });

  it('a purchase: "12.5" credits = 12,500 mc, recurring defaults to false, any string is a purchase id (even "")', () => {
    const [op] = parseScenario(withOp(purchase({ credits: '12.5', purchaseId: '' }))).operations;
    expect(op).toEqual({
      at: ms('2026-01-10T00:00:00Z'),
      type: 'purchase',
      purchaseId: '',
      credits: '12500',
      recurring: false,
    });
  });

  it('a plan change without `effective` keeps it absent (resolved against the allowances when applied)', () => {
    const [op] = parseScenario(withOp(change())).operations;
    expect(op).toMatchObject({
      type: 'changePlan',
      plan: { id: 'pro', allowanceMillicredits: '3000000' },
    });
    expect(op && 'effective' in op ? op.effective : undefined).toBeUndefined();
  });

  it('a call operation with a bad event is still a valid scenario (the event is rejected later)', () => {
    const input = scenario({
      operations: [
        { at: '2026-01-10T00:00:00Z', type: 'call', event: { callId: 5 } },
        { at: '2026-01-10T00:00:00Z', type: 'call', event: null },
        { at: '2026-01-10T00:00:00Z', type: 'call', event: 'CA1' },
      ],
    });
    expect(parseScenario(input).operations).toHaveLength(3);
  });

  it('a call operation without an event is a valid scenario too (its missing event is rejected as invalid_event)', () => {
    const input = scenario({ operations: [{ at: '2026-01-10T00:00:00Z', type: 'call' }] });
    expect(parseScenario(input).operations).toHaveLength(1);
  });

  it('a time-zone link (US/Eastern) is accepted', () => {
    expect(parseScenario(withAccount({ timeZone: 'US/Eastern' })).account.timeZone).toBe(
      'US/Eastern',
    );
  });
});

describe('a malformed scenario', () => {
  it.each([
    ['not an object', 'scenario'],
    ['an array', []],
    ['null', null],
  ])('%s', (_label, input) => {
    malformed(input);
  });

  it.each(['account', 'plan', 'until', 'operations'])('without %s', (field) => {
    const input = scenario();
    delete input[field];
    malformed(input);
  });

  it.each([
    [{ id: '' }, 'an empty account id'],
    [{ id: 5 }, 'a numeric account id'],
    [{ timeZone: 'Mars/Olympus' }, 'an unknown time zone'],
    [{ timeZone: 'europe/berlin' }, 'a time zone not spelled as in the tz database'],
    [{ timeZone: '+01:00' }, 'an offset instead of a zone'],
    [{ createdAt: '2026-01-01T00:00:00' }, 'createdAt without an offset'],
    [{ createdAt: '2026-02-29T00:00:00Z' }, 'createdAt on 29 Feb of a common year'],
    [{ billingAnchor: '2026-01-01T00:00:00Z' }, 'an anchor with an offset'],
    [{ billingAnchor: '2026-01-01T00:00:00.000' }, 'an anchor with a fraction'],
    [{ billingAnchor: '2026-01-01T24:00:00' }, 'an anchor at 24:00'],
    [{ billingAnchor: null }, 'a null anchor'],
    [{ billingAnchor: '2026-02-30T09:00:00' }, 'an anchor on a day its own month lacks'],
    [{ billingAnchor: '2027-02-29T09:00:00' }, 'an anchor on 29 Feb of a common year'],
    [{ graceSeconds: 604_801 }, 'grace over 7 days'],
    [{ graceSeconds: -1 }, 'negative grace'],
    [{ graceSeconds: '3600' }, 'grace as a string'],
    [{ graceSeconds: null }, 'null grace'],
    [{ graceSeconds: 1.5 }, 'fractional grace'],
    [{ maxLateSeconds: 31_622_401 }, 'maxLateSeconds over 366 days'],
    [{ maxLateSeconds: null }, 'null maxLateSeconds'],
  ])('account %j (%s)', (overrides, _reason: string) => {
    expect(malformed(withAccount(overrides))).toMatch(/account\./);
  });

  it('a bad plan: unknown currency, JSON number for credits, bad rounding', () => {
    expect(malformed(scenario({ plan: planJson({ currency: 'EURO' }) }))).toMatch(
      /^plan\.currency: /m,
    );
    malformed(scenario({ plan: planJson({ allowanceCredits: 1000 }) }));
    malformed(
      scenario({
        plan: planJson({ rounding: { mode: 'block', firstBlockSeconds: 30, blockSeconds: 0 } }),
      }),
    );
  });

  it.each([
    ['2026-03-01', 'a date only'],
    ['2026-03-01T00:00:00', 'no offset'],
    [1_772_323_200_000, 'a number'],
  ])('until %j (%s)', (until, _reason: string) => {
    expect(malformed(scenario({ until }))).toMatch(/^until: /m);
  });

  it('until before createdAt', () => {
    expect(malformed(scenario({ until: '2025-12-31T23:59:59.999Z' }))).toMatch(/^until: /m);
  });

  it('operations that are not a list', () => {
    malformed(scenario({ operations: {} }));
  });

  it.each([
    [{ at: '2026-01-10T00:00:00Z', type: 'refund' }, 'an unknown operation type'],
    [{ at: '2026-01-10T00:00:00Z' }, 'no operation type'],
    [{ type: 'cancelPurchase', purchaseId: 'p1' }, 'no `at`'],
    [{ at: '2026-01-10', type: 'cancelPurchase', purchaseId: 'p1' }, 'a bad `at`'],
    [purchase({ at: '2025-12-31T23:59:59.999Z' }), '`at` 1 ms before createdAt'],
    [purchase({ at: '2026-03-01T00:00:00.001Z' }), '`at` 1 ms after until'],
    [purchase({ purchaseId: undefined }), 'a purchase without an id'],
    [purchase({ purchaseId: 7 }), 'a numeric purchase id'],
    [purchase({ credits: 100 }), 'purchase credits as a JSON number'],
    [purchase({ credits: '-5' }), 'negative purchase credits'],
    [purchase({ credits: '1.0005' }), 'purchase credits with 4 decimals'],
    [purchase({ credits: undefined }), 'a purchase without credits'],
    [purchase({ recurring: 'yes' }), 'a string recurring flag'],
    [purchase({ recurring: 1 }), 'a numeric recurring flag'],
    [purchase({ recurring: null }), 'a null recurring flag'],
    [{ at: '2026-01-10T00:00:00Z', type: 'cancelPurchase' }, 'a cancel without an id'],
    [change({ effective: 'later' }), 'an unknown `effective`'],
    [change({ effective: 'NOW' }), 'an uppercase `effective`'],
    [change({ effective: null }), 'a null `effective`'],
    [change({ plan: planJson({ id: '' }) }), 'a new plan with an empty id'],
    [change({ plan: undefined }), 'a plan change without a plan'],
  ])('operation %j (%s)', (op, _reason: string) => {
    expect(malformed(withOp(op))).toMatch(/^operations\.0/m);
  });

  it('reports every problem, one per line, naming where it is', () => {
    const input = scenario(
      { until: 'soon', plan: planJson({ currency: 'XXX' }) },
      { timeZone: 'Nowhere' },
    );
    const lines = malformed(input).split('\n');
    expect(lines.some((l) => l.startsWith('account.timeZone: '))).toBe(true);
    expect(lines.some((l) => l.startsWith('plan.currency: '))).toBe(true);
    expect(lines.some((l) => l.startsWith('until: '))).toBe(true);
  });
});

describe('version 2 operations (section 8)', () => {
  const at = '2026-01-10T00:00:00Z';
  const grant = (overrides: Json = {}) => ({
    at,
    type: 'grant',
    grantId: 'g1',
    credits: '20',
    reason: 'disputed call CA7',
    ...overrides,
  });
  const limit = (overrides: Json = {}) => ({
    at,
    type: 'setOverageLimit',
    credits: '0',
    ...overrides,
  });
  const admit = (overrides: Json = {}) => ({ at, type: 'admit', callId: 'CA124', ...overrides });
  const rule = { belowCredits: '50', credits: '200', maxPerCycle: 3 };
  const topUp = (autoTopUp: unknown = rule) => ({ at, type: 'setAutoTopUp', autoTopUp });
  const parsedOp = (op: Json) => parseScenario(withOp(op)).operations[0];

  it('parses each new operation, credit amounts as millicredits, ignoring unknown keys', () => {
    expect(parsedOp(grant({ note: 'ignored' }))).toEqual({
      at: ms(at),
      type: 'grant',
      grantId: 'g1',
      credits: '20000',
      reason: 'disputed call CA7',
    });
    expect(parsedOp(limit({ credits: '12.5' }))).toMatchObject({ credits: '12500' });
    expect(parsedOp(limit({ credits: null }))).toMatchObject({ credits: null });
    expect(parsedOp(admit())).toEqual({ at: ms(at), type: 'admit', callId: 'CA124' });
    expect(parsedOp(topUp({ ...rule, belowCredits: '0', extra: true }))).toMatchObject({
      autoTopUp: { belowCredits: '0', credits: '200000', maxPerCycle: 3 },
    });
    expect(parsedOp(topUp(null))).toMatchObject({ autoTopUp: null });
    expect(parsedOp(purchase({ pricePerCredit: '0.015' }))).toMatchObject({
      pricePerCredit: '15000',
    });
  });

  it('a grant reason of 200 code points (emoji count once) is accepted', () => {
    expect(parsedOp(grant({ reason: '😀'.repeat(200) }))).toMatchObject({ type: 'grant' });
  });

  it.each([
    [grant({ grantId: '' }), 'an empty grant id'],
    [grant({ grantId: 5 }), 'a numeric grant id'],
    [grant({ grantId: undefined }), 'a grant without an id'],
    [grant({ credits: '0' }), 'a grant of 0 credits'],
    [grant({ credits: 20 }), 'grant credits as a JSON number'],
    [grant({ reason: '' }), 'an empty reason'],
    [grant({ reason: 'x'.repeat(201) }), 'a reason of 201 characters'],
    [grant({ reason: '😀'.repeat(201) }), 'a reason of 201 code points'],
    [grant({ reason: undefined }), 'a grant without a reason'],
    [grant({ reason: 7 }), 'a numeric reason'],
    [limit({ credits: undefined }), 'setOverageLimit without credits'],
    [limit({ credits: 0 }), 'a limit as a JSON number'],
    [limit({ credits: '-1' }), 'a negative limit'],
    [admit({ callId: 'bad id' }), 'an admit call id with a space'],
    [admit({ callId: 'x'.repeat(129) }), 'an admit call id of 129 characters'],
    [admit({ callId: undefined }), 'an admit without a call id'],
    [{ at, type: 'setAutoTopUp' }, 'setAutoTopUp without autoTopUp'],
    [topUp('on'), 'a string rule'],
    [topUp({ ...rule, credits: '0' }), 'a top-up of 0 credits'],
    [topUp({ ...rule, belowCredits: undefined }), 'a rule without belowCredits'],
    [topUp({ ...rule, belowCredits: 50 }), 'belowCredits as a JSON number'],
    [topUp({ ...rule, maxPerCycle: 0 }), 'maxPerCycle 0'],
    [topUp({ ...rule, maxPerCycle: 101 }), 'maxPerCycle 101'],
    [topUp({ ...rule, maxPerCycle: 1.5 }), 'a fractional maxPerCycle'],
    [topUp({ ...rule, maxPerCycle: undefined }), 'a rule without maxPerCycle'],
    [purchase({ pricePerCredit: null }), 'a null agreed price'],
    [purchase({ pricePerCredit: 0.05 }), 'an agreed price as a JSON number'],
    [purchase({ pricePerCredit: '0.0000001' }), 'an agreed price with 7 decimals'],
  ])('operation %j (%s)', (op, _reason: string) => {
    expect(malformed(withOp(op))).toMatch(/^operations\.0/m);
  });

  it.each([
    [{ purchasePricePerCredit: 0.05 }, 'a purchase price as a JSON number'],
    [{ overageLimitCredits: 5 }, 'a limit as a JSON number'],
    [{ admissionMinimumSeconds: 86_401 }, 'an admission minimum over 86,400 s'],
    [{ admissionReserveSeconds: -1 }, 'a negative reserve'],
    [{ admissionReserveSeconds: null }, 'a null reserve'],
  ])('plan %j (%s)', (overrides, _reason: string) => {
    expect(malformed(scenario({ plan: planJson(overrides) }))).toMatch(/^plan\./m);
  });
});
