/**
 * A ledger state carried by the workflow before version 2 of the rules loads as version 2.
 * test/fixtures/ledger-state-v1.json is the ledger the recorded run `account-lifecycle-run1`
 * carried into run 2 (test/replay/histories): two plans, one cycle in grace with two purchases
 * of version 1 (their JSON field `grants`), and the open cycle.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  applyOperation,
  createLedger,
  LedgerError,
  upgradeLedgerState,
  type LedgerState,
} from '../../billing/ledger.js';
import { account, plan } from './builders.js';

const readV1 = (): unknown =>
  JSON.parse(readFileSync(new URL('../fixtures/ledger-state-v1.json', import.meta.url), 'utf8'));

describe('upgradeLedgerState', () => {
  it('version 1 becomes version 2: purchases as additions dated at their cycle start and charged 0, nothing written off, no limit, no rule, no reservation', () => {
    const state = upgradeLedgerState(readV1());
    expect(state.version).toBe(2);
    const cycleStart = 1_793_972_406_000;
    expect(state.cycles[0]).toMatchObject({
      index: 0,
      additions: [
        {
          source: 'purchase',
          id: 'topup-1',
          at: cycleStart,
          millicredits: '5000',
          chargeMinor: '0',
          currency: 'USD',
        },
        {
          source: 'purchase',
          id: 'monthly-1',
          at: cycleStart,
          millicredits: '3000',
          chargeMinor: '0',
          currency: 'USD',
        },
      ],
      writtenOffMillicredits: '0',
    });
    expect(state.cycles[0]).not.toHaveProperty('grants');
    expect(state.cycles[1]!.additions).toEqual([]);
    expect(state).toMatchObject({
      overageLimitMillicredits: null,
      autoTopUp: null,
      reservations: [],
    });
    expect(state.plans.map((p) => p.plan)).toMatchObject([
      { id: 'growth', purchasePriceMicros: null, overageLimitMillicredits: null },
      { id: 'scale', admissionMinimumSeconds: 60, admissionReserveSeconds: 300 },
    ]);
  });

  it('the upgraded state is JSON-safe and keeps working: cycle 0 closes at its end + 2 s grace with 41,500 used of 10,000 + 8,000, overage 23,500 mc at the "scale" plan`s $0.10 = 235 cents', () => {
    const state = upgradeLedgerState(readV1());
    expect(JSON.parse(JSON.stringify(state))).toEqual(state);
    // 23,500 * 100,000 * 100 / 10^9 = 235.
    const { effects } = applyOperation(state, { type: 'advance', at: 1_796_564_408_000 });
    expect(effects).toMatchObject([
      {
        type: 'cycleClosed',
        statement: {
          index: 0,
          planId: 'scale',
          purchasedMillicredits: '8000',
          availableMillicredits: '18000',
          usedMillicredits: '41500',
          overageMillicredits: '23500',
          overageChargeMinor: '235',
        },
      },
    ]);
  });

  it('a version 2 state is returned as it is', () => {
    const { state } = createLedger(account(), plan());
    expect(upgradeLedgerState(state)).toBe(state);
  });

  it('an unknown version is refused', () => {
    const state = { ...(readV1() as object), version: 3 } as unknown as LedgerState;
    expect(() => upgradeLedgerState(state)).toThrow(LedgerError);
  });
});
