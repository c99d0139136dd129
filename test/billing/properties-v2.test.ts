/**
 * Properties of the rules' version 2 (BILLING-RULES.md sections 9 to 12), checked with
 * fast-check on random plans and operation sequences driven through the ledger:
 * - conservation at every close: used = allowance consumed + purchases consumed + grants
 *   consumed + overage + writtenOff, consuming the allowance first, then the additions in the
 *   order applied (purchases, top-ups and grants together), the rest being overage;
 * - nothing is ever written off without a limit, and with one a booking never takes the billed
 *   usage of its cycle past `available + L`;
 * - `maxSeconds` is the exact inverse of rating: credits are monotone in the raw seconds, and
 *   one second more than `maxSeconds` costs more than the headroom;
 * - calls that were all admitted first, last at most min(maxSeconds, admissionReserveSeconds),
 *   are booked in the cycle of their admission before their reservation expires, with no plan or
 *   limit change in between: nothing is written off.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  creditsOfRawSeconds,
  maxSecondsWithin,
  MAX_ADMISSION_SECONDS,
} from '../../billing/admission.js';
import type { CallEvent } from '../../billing/call-event.js';
import {
  applyOperation,
  availableOf,
  billedUsedOf,
  createLedger,
  limitInEffect,
  openCycle,
  type CycleState,
  type CycleStatement,
  type LedgerEffect,
  type LedgerOperation,
} from '../../billing/ledger.js';
import { parsePlan, type Plan } from '../../billing/plan.js';
import { account, DAY, HOUR } from './builders.js';

const CREATED = Date.UTC(2026, 0, 1);
const credits = (n: number) => String(n * 1000);

function planArb(options: { limit: boolean }) {
  return fc
    .record({
      id: fc.constantFrom('a', 'b', 'c'),
      allowanceCredits: fc.integer({ min: 0, max: 20 }).map(String),
      creditsPerMinute: fc.constantFrom('0', '0.333', '1', '2.5'),
      rounding: fc.oneof(
        fc.constant({ mode: 'second' }),
        fc.constant({ mode: 'minute' }),
        fc.record({
          mode: fc.constant('block'),
          firstBlockSeconds: fc.integer({ min: 0, max: 60 }),
          blockSeconds: fc.integer({ min: 1, max: 30 }),
        }),
      ),
      minimumSeconds: fc.integer({ min: 0, max: 90 }),
      freeSeconds: fc.integer({ min: 0, max: 15 }),
      currency: fc.constantFrom('USD', 'JPY'),
      alertThresholdsPercent: fc.subarray([50, 80, 100, 150]),
      purchasePricePerCredit: fc.option(fc.constantFrom('0.05', '1.5'), { nil: null }),
      overageLimitCredits: options.limit
        ? fc.option(fc.constantFrom('0', '1', '5'), { nil: null })
        : fc.constant(null),
      admissionMinimumSeconds: fc.integer({ min: 0, max: 120 }),
      admissionReserveSeconds: fc.integer({ min: 0, max: 600 }),
    })
    .map((p) => parsePlan({ ...p, overagePricePerCredit: '0.12' }));
}

/** One step of a random history, `gapMs` after the previous one. */
const stepArb = (plans: fc.Arbitrary<Plan>, options: { limit: boolean }) =>
  fc.record({
    gapMs: fc.integer({ min: 0, max: 3 * DAY }),
    op: fc.oneof(
      {
        weight: 6,
        arbitrary: fc.record({
          kind: fc.constant('call' as const),
          answeredBeforeMs: fc.integer({ min: 0, max: 2 * DAY }),
          seconds: fc.integer({ min: 0, max: 1_200 }),
          outbound: fc.boolean(),
        }),
      },
      {
        weight: 2,
        arbitrary: fc.record({
          kind: fc.constant('purchase' as const),
          id: fc.constantFrom('p1', 'p2', 'p3', 'p4'),
          credits: fc.integer({ min: 0, max: 10 }),
          recurring: fc.boolean(),
          priceMicros: fc.option(fc.constantFrom('20000', '1000000'), { nil: null }),
        }),
      },
      {
        weight: 1,
        arbitrary: fc.record({
          kind: fc.constant('cancel' as const),
          id: fc.constantFrom('p1', 'p2'),
        }),
      },
      {
        weight: 2,
        arbitrary: fc.record({
          kind: fc.constant('grant' as const),
          id: fc.constantFrom('g1', 'g2', 'g3'),
          credits: fc.integer({ min: 1, max: 10 }),
        }),
      },
      {
        weight: options.limit ? 2 : 0,
        arbitrary: fc.record({
          kind: fc.constant('limit' as const),
          credits: fc.option(fc.integer({ min: 0, max: 10 }), { nil: null }),
        }),
      },
      {
        weight: 3,
        arbitrary: fc.record({
          kind: fc.constant('admit' as const),
          id: fc.integer({ min: 0, max: 30 }),
        }),
      },
      {
        weight: 2,
        arbitrary: fc.record({
          kind: fc.constant('topUp' as const),
          rule: fc.option(
            fc.record({
              belowMillicredits: fc.integer({ min: 0, max: 10 }).map(credits),
              millicredits: fc.integer({ min: 1, max: 5 }).map(credits),
              maxPerCycle: fc.integer({ min: 1, max: 3 }),
            }),
            { nil: null },
          ),
        }),
      },
      {
        weight: 1,
        arbitrary: fc.record({
          kind: fc.constant('changePlan' as const),
          plan: plans,
          effective: fc.constantFrom('now' as const, 'next-cycle' as const, null),
        }),
      },
      {
        weight: 1,
        arbitrary: fc.record({
          kind: fc.constant('notBooked' as const),
          id: fc.integer({ min: 0, max: 30 }),
          outcome: fc.constantFrom(
            'duplicate' as const,
            'invalid_event' as const,
            'too_old' as const,
          ),
        }),
      },
    ),
  });

type Step = StepOf<ReturnType<typeof stepArb>>;
type StepOf<A> = A extends fc.Arbitrary<infer T> ? T : never;

function callEvent(
  callId: string,
  answeredAt: number,
  seconds: number,
  outbound = false,
): CallEvent {
  return {
    callId,
    accountId: 'acme',
    direction: outbound ? 'outbound' : 'inbound',
    status: 'completed',
    answeredAt,
    endedAt: answeredAt + seconds * 1000,
    handoffAt: null,
    holdSeconds: 0,
    systemSeconds: 0,
    parentCallId: null,
  };
}

/** The operation, or an `advance` when its id was seen (the caller's store turns it away). */
function once(seen: Set<string>, id: string, op: LedgerOperation): LedgerOperation {
  if (seen.has(id)) return { type: 'advance', at: op.at };
  seen.add(id);
  return op;
}

/** Turns random steps into ledger operations, keeping the caller's stores (ids seen) as preview does. */
function* operations(steps: readonly Step[]): Generator<LedgerOperation> {
  let at = CREATED;
  let calls = 0;
  const booked = new Set<string>();
  const purchases = new Set<string>();
  const grants = new Set<string>();
  for (const { gapMs, op } of steps) {
    at += gapMs;
    const o = op;
    switch (o.kind) {
      case 'call': {
        const callId = `C${calls++}`;
        const answeredAt = Math.max(CREATED, at - o.answeredBeforeMs - o.seconds * 1000);
        booked.add(callId);
        yield { type: 'bookCall', at, call: callEvent(callId, answeredAt, o.seconds, o.outbound) };
        break;
      }
      case 'purchase':
        yield once(purchases, o.id, {
          type: 'purchase',
          at,
          purchaseId: o.id,
          millicredits: credits(o.credits),
          recurring: o.recurring,
          priceMicros: o.priceMicros,
        });
        break;
      case 'cancel':
        yield { type: 'cancelPurchase', at, purchaseId: o.id };
        break;
      case 'grant': {
        const op: LedgerOperation = {
          type: 'grant',
          at,
          grantId: o.id,
          millicredits: credits(o.credits),
          reason: 'test',
        };
        yield once(grants, o.id, op);
        break;
      }
      case 'limit':
        yield {
          type: 'setOverageLimit',
          at,
          millicredits: o.credits === null ? null : credits(o.credits),
        };
        break;
      case 'admit': {
        const callId = `C${o.id}`;
        yield { type: 'admit', at, callId, alreadyRecorded: booked.has(callId) };
        break;
      }
      case 'topUp':
        yield { type: 'setAutoTopUp', at, rule: o.rule };
        break;
      case 'changePlan':
        yield { type: 'changePlan', at, plan: o.plan, effective: o.effective };
        break;
      case 'notBooked':
        yield { type: 'callNotBooked', at, callId: `C${o.id}`, outcome: o.outcome };
        break;
    }
  }
  yield { type: 'advance', at: at + 40 * DAY };
}

/**
 * Consumption by the rules' order (sections 5 and 10): the billed usage takes the allowance first,
 * then each addition in the order applied; what is left is overage.
 */
function consumed(cycle: CycleState) {
  let rest = billedUsedOf(cycle);
  const take = (amount: bigint) => {
    const part = rest < amount ? rest : amount;
    rest -= part;
    return part;
  };
  const allowance = take(BigInt(cycle.allowanceMillicredits));
  let purchases = 0n;
  let grants = 0n;
  for (const a of cycle.additions) {
    const part = take(BigInt(a.millicredits));
    if (a.source === 'grant') grants += part;
    else purchases += part;
  }
  return { allowance, purchases, grants, overage: rest };
}

function checkClose(statement: CycleStatement, cycle: CycleState): void {
  const used = BigInt(cycle.usedMillicredits);
  const writtenOff = BigInt(cycle.writtenOffMillicredits);
  expect(writtenOff >= 0n && writtenOff <= used).toBe(true);
  const c = consumed(cycle);
  expect(c.allowance + c.purchases + c.grants + c.overage + writtenOff).toBe(used);
  expect(BigInt(statement.overageMillicredits)).toBe(c.overage);
  const purchased = cycle.additions
    .filter((a) => a.source !== 'grant')
    .reduce((sum, a) => sum + BigInt(a.millicredits), 0n);
  expect(BigInt(statement.purchasedMillicredits)).toBe(purchased);
  expect(BigInt(statement.availableMillicredits)).toBe(availableOf(cycle));
}

/** Runs the steps; checks every close and every booking against the limit. */
function run(plan: Plan, steps: readonly Step[]): LedgerEffect[] {
  let { state } = createLedger(account(), plan);
  const all: LedgerEffect[] = [];
  for (const op of operations(steps)) {
    // Boundaries and closes first, so the figures before the operation are at its instant.
    if (op.type === 'bookCall')
      all.push(...applyOperation(state, { type: 'advance', at: op.at }).effects);
    const before = new Map(state.cycles.map((c) => [c.index, [billedUsedOf(c), availableOf(c)]]));
    const limit = limitInEffect(state);
    let effects;
    ({ state, effects } = applyOperation(state, op));
    all.push(...effects);
    for (const e of effects) {
      if (e.type === 'cycleClosed') checkClose(e.statement, e.cycle);
      if (e.type !== 'callBooked') continue;
      const cycle = state.cycles.find((c) => c.index === e.cycleIndex)!;
      const [billedBefore, availableBefore] = before.get(e.cycleIndex)!;
      if (limit === null) expect(e.writtenOffMillicredits).toBe('0');
      else {
        // A booking never takes the billed usage past available + L (it may already be past).
        const cap = availableBefore! + limit;
        const after = billedUsedOf(cycle);
        expect(after <= (billedBefore! > cap ? billedBefore! : cap)).toBe(true);
      }
    }
  }
  return all;
}

const writtenOff = (effects: LedgerEffect[]) =>
  effects.reduce(
    (sum, e) => (e.type === 'callBooked' ? sum + BigInt(e.writtenOffMillicredits) : sum),
    0n,
  );

/** A plan and the steps of a history on it (plan changes drawn from the same plans). */
function histories(options: { limit: boolean }) {
  const plans = planArb(options);
  return fc.tuple(plans, fc.array(stepArb(plans, options), { maxLength: 60 }));
}

describe('rules version 2: properties', () => {
  it('conservation at every close; a booking never goes past available + L', () => {
    const seen = { writtenOff: 0, overage: 0, topUps: 0, grants: 0 };
    fc.assert(
      fc.property(histories({ limit: true }), ([plan, steps]) => {
        for (const e of run(plan, steps)) {
          if (e.type === 'cycleClosed') {
            if (e.cycle.writtenOffMillicredits !== '0') seen.writtenOff++;
            if (e.statement.overageMillicredits !== '0') seen.overage++;
          }
          if (e.type === 'creditsAdded' && e.addition.source === 'autoTopUp') seen.topUps++;
          if (e.type === 'creditsAdded' && e.addition.source === 'grant') seen.grants++;
        }
      }),
      { seed: 20_261_208, numRuns: 600 },
    );
    // The histories exercised what the property is about.
    for (const count of Object.values(seen)) expect(count).toBeGreaterThan(20);
  });

  it('nothing is written off without a limit (no plan limit, no account limit)', () => {
    fc.assert(
      fc.property(histories({ limit: false }), ([plan, steps]) => {
        const effects = run(plan, steps);
        expect(writtenOff(effects)).toBe(0n);
        for (const e of effects) {
          if (e.type === 'cycleClosed') expect(e.cycle.writtenOffMillicredits).toBe('0');
        }
      }),
      { seed: 20_261_209, numRuns: 200 },
    );
  });

  it('maxSeconds is maximal: credits(maxSeconds) <= headroom < credits(maxSeconds + 1) below 86,400; 0 for a negative headroom', () => {
    fc.assert(
      fc.property(
        planArb({ limit: false }),
        fc.oneof(
          fc.bigInt({ min: -10_000n, max: 200_000n }),
          fc.bigInt({ min: 0n, max: 10n ** 12n }),
        ),
        (plan, headroom) => {
          const s = maxSecondsWithin(headroom, plan);
          expect(s >= 0 && s <= MAX_ADMISSION_SECONDS && Number.isInteger(s)).toBe(true);
          if (headroom < 0n) {
            expect(s).toBe(0);
            return;
          }
          expect(creditsOfRawSeconds(s, plan) <= headroom).toBe(true);
          if (s < MAX_ADMISSION_SECONDS)
            expect(creditsOfRawSeconds(s + 1, plan) > headroom).toBe(true);
        },
      ),
      { seed: 20_261_210, numRuns: 1_000 },
    );
  });

  it('the credits of s raw seconds are monotone in s (what makes the search exact)', () => {
    fc.assert(
      fc.property(
        planArb({ limit: false }),
        fc.integer({ min: 0, max: MAX_ADMISSION_SECONDS }),
        fc.integer({ min: 0, max: 600 }),
        (plan, s, more) => {
          const t = Math.min(MAX_ADMISSION_SECONDS, s + more);
          expect(creditsOfRawSeconds(s, plan) <= creditsOfRawSeconds(t, plan)).toBe(true);
        },
      ),
      { seed: 20_261_211, numRuns: 2_000 },
    );
  });

  it('calls admitted first, lasting at most min(maxSeconds, admissionReserveSeconds), booked in the cycle of their admission before the reservation expires, with no plan or limit change: nothing is written off', () => {
    const plans = planArb({ limit: true });
    const admittedStep = fc.record({
      gapMs: fc.integer({ min: 0, max: 6 * HOUR }),
      kind: fc.constantFrom('admit', 'admit', 'admit', 'purchase', 'grant', 'topUp', 'cancel'),
      answerDelaySeconds: fc.integer({ min: 0, max: 300 }),
      permille: fc.integer({ min: 0, max: 1_000 }),
      arrivalDelaySeconds: fc.integer({ min: 0, max: 299 }),
      amount: fc.integer({ min: 1, max: 5 }),
    });
    const seen = { billedCalls: 0, refused: 0 };
    fc.assert(
      fc.property(
        plans,
        fc.integer({ min: 0, max: 5 }),
        fc.array(admittedStep, { maxLength: 80 }),
        (plan, accountLimit, steps) => {
          let { state } = createLedger(account(), plan);
          const effects: LedgerEffect[] = [];
          const apply = (op: LedgerOperation) => {
            const r = applyOperation(state, op);
            state = r.state;
            effects.push(...r.effects);
            return r.effects;
          };
          apply({ type: 'setOverageLimit', at: CREATED, millicredits: credits(accountLimit) });
          const pending: { at: number; call: CallEvent }[] = [];
          const flush = (until: number) => {
            pending.sort((x, y) => x.at - y.at);
            while (pending.length > 0 && pending[0]!.at <= until) {
              const next = pending.shift()!;
              apply({ type: 'bookCall', at: next.at, call: next.call });
            }
          };
          let at = CREATED;
          let n = 0;
          for (const step of steps) {
            at += step.gapMs;
            flush(at);
            const id = `X${n++}`;
            if (step.kind === 'purchase') {
              apply({
                type: 'purchase',
                at,
                purchaseId: id,
                millicredits: credits(step.amount),
                recurring: step.amount > 3,
              });
            } else if (step.kind === 'grant') {
              apply({
                type: 'grant',
                at,
                grantId: id,
                millicredits: credits(step.amount),
                reason: 'test',
              });
            } else if (step.kind === 'topUp') {
              apply({
                type: 'setAutoTopUp',
                at,
                rule: {
                  belowMillicredits: credits(step.amount),
                  millicredits: credits(2),
                  maxPerCycle: 2,
                },
              });
            } else if (step.kind === 'cancel') {
              apply({ type: 'cancelPurchase', at, purchaseId: `X${n - 2}` });
            } else {
              const decision = apply({
                type: 'admit',
                at,
                callId: id,
                alreadyRecorded: false,
              }).flatMap((e) => (e.type === 'admission' ? [e.decision] : []))[0]!;
              if (!decision.allowed || decision.maxSeconds === null) continue;
              const cycleEnd = openCycle(state).end;
              const seconds = Math.floor(
                (Math.min(decision.maxSeconds, plan.admissionReserveSeconds) * step.permille) /
                  1_000,
              );
              const answeredAt = at + step.answerDelaySeconds * 1000;
              const arrival = answeredAt + seconds * 1000 + step.arrivalDelaySeconds * 1000;
              const expiresAt = at + decision.maxSeconds * 1000 + 600_000;
              // Only calls booked in the cycle of their admission before the reservation expires.
              if (answeredAt >= cycleEnd) continue;
              if (arrival >= cycleEnd + state.account.graceSeconds * 1000 || arrival >= expiresAt)
                continue;
              pending.push({ at: arrival, call: callEvent(id, answeredAt, seconds) });
            }
          }
          flush(Number.POSITIVE_INFINITY);
          expect(writtenOff(effects)).toBe(0n);
          for (const e of effects) {
            if (e.type === 'callBooked' && e.millicredits !== '0') seen.billedCalls++;
            if (e.type === 'admission' && e.decision.reason === 'limit_reached') seen.refused++;
          }
        },
      ),
      { seed: 20_261_212, numRuns: 300 },
    );
    // Admitted calls were billed, and the limit bound: admissions were refused for it.
    expect(seen.billedCalls).toBeGreaterThan(100);
    expect(seen.refused).toBeGreaterThan(20);
  });
});
