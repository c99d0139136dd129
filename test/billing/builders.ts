/**
 * Small builders shared by the billing tests: plans, call events, accounts, ledgers and preview
 * scenarios written the way people write them (decimal strings, RFC 3339 instants), so every
 * expectation in the tests reads as the hand-worked numbers it checks.
 */
import { callEventSchema, type CallEvent } from '../../billing/call-event.js';
import {
  applyOperation,
  createLedger,
  DEFAULT_GRACE_SECONDS,
  DEFAULT_MAX_LATE_SECONDS,
  type AccountSettings,
  type LedgerEffect,
  type LedgerOperation,
  type LedgerState,
} from '../../billing/ledger.js';
import { parsePlan, type Plan } from '../../billing/plan.js';
import { runPreview } from '../../billing/preview.js';
import {
  formatInstant,
  parseCredits,
  parseInstant,
  parseLocalDateTime,
} from '../../billing/units.js';

export type Json = Record<string, unknown>;

/** Epoch milliseconds of an RFC 3339 instant; throws on a typo in a test. */
export function ms(text: string): number {
  const value = parseInstant(text);
  if (value === undefined) throw new Error(`test bug: not an instant: ${text}`);
  return value;
}

/** The output format of instants: UTC with milliseconds. */
export const iso = formatInstant;

export const HOUR = 3_600_000;
export const DAY = 86_400_000;

/** A plan as people write it: 1,000 credits, 1 credit/min, per-second rounding, $0.12/credit. */
export function planJson(overrides: Json = {}): Json {
  return {
    id: 'growth',
    allowanceCredits: '1000',
    creditsPerMinute: '1',
    overagePricePerCredit: '0.12',
    currency: 'USD',
    ...overrides,
  };
}

export function plan(overrides: Json = {}): Plan {
  return parsePlan(planJson(overrides));
}

/** A small plan so percentages are easy: "ten", 10 credits = 10,000 mc, else as {@link planJson}. */
export function tenCreditsJson(overrides: Json = {}): Json {
  return planJson({ id: 'ten', allowanceCredits: '10', ...overrides });
}

/** A completed inbound call answered at 10:00:00Z on 2 Feb 2026 lasting 60 s, as JSON. */
export function eventJson(overrides: Json = {}): Json {
  return {
    callId: 'CA1',
    accountId: 'acme',
    direction: 'inbound',
    status: 'completed',
    answeredAt: '2026-02-02T10:00:00Z',
    endedAt: '2026-02-02T10:01:00Z',
    ...overrides,
  };
}

/** A validated call event (defaults filled, times in ms). */
export function call(overrides: Json = {}): CallEvent {
  return callEventSchema.parse(eventJson(overrides));
}

/**
 * A call that was answered at `answeredAt` and lasted `seconds` whole seconds, as JSON.
 * `endedAt` is written in UTC with milliseconds.
 */
export function callLasting(
  callId: string,
  answeredAt: string,
  seconds: number,
  extra: Json = {},
): Json {
  return eventJson({
    callId,
    answeredAt,
    endedAt: iso(ms(answeredAt) + seconds * 1000),
    ...extra,
  });
}

/**
 * An account in UTC created at 2026-01-01T00:00:00Z with boundaries on the 1st at midnight,
 * default grace (3,600 s) and default maxLateSeconds (35 days).
 */
export function account(
  overrides: Partial<Omit<AccountSettings, 'billingAnchor'>> & {
    billingAnchor?: string | null;
  } = {},
): AccountSettings {
  const { billingAnchor = '2026-01-01T00:00:00', ...rest } = overrides;
  const anchor = billingAnchor === null ? null : parseLocalDateTime(billingAnchor);
  if (anchor === undefined) throw new Error(`test bug: not a local date-time: ${billingAnchor}`);
  return {
    id: 'acme',
    timeZone: 'UTC',
    createdAt: ms('2026-01-01T00:00:00Z'),
    billingAnchor: anchor,
    graceSeconds: DEFAULT_GRACE_SECONDS,
    maxLateSeconds: DEFAULT_MAX_LATE_SECONDS,
    ...rest,
  };
}

/** A ledger driven one operation at a time, collecting every effect it reports. */
export class LedgerDriver {
  state: LedgerState;
  readonly effects: LedgerEffect[] = [];

  constructor(settings: AccountSettings = account(), initial: Plan = plan()) {
    const created = createLedger(settings, initial);
    this.state = created.state;
    this.effects.push(...created.effects);
  }

  apply(op: LedgerOperation): LedgerEffect[] {
    const { state, effects } = applyOperation(this.state, op);
    this.state = state;
    this.effects.push(...effects);
    return effects;
  }

  advance(at: string): LedgerEffect[] {
    return this.apply({ type: 'advance', at: ms(at) });
  }

  /** Books an already-accepted call arriving at `arrival`. */
  book(arrival: string, event: Json): LedgerEffect[] {
    return this.apply({ type: 'bookCall', at: ms(arrival), call: callEventSchema.parse(event) });
  }

  purchase(at: string, purchaseId: string, credits: string, recurring = false): LedgerEffect[] {
    const millicredits = parseCredits(credits)?.toString();
    if (millicredits === undefined) throw new Error(`test bug: not a credit amount: ${credits}`);
    return this.apply({ type: 'purchase', at: ms(at), purchaseId, millicredits, recurring });
  }

  cancel(at: string, purchaseId: string): LedgerEffect[] {
    return this.apply({ type: 'cancelPurchase', at: ms(at), purchaseId });
  }

  changePlan(
    at: string,
    next: Plan,
    effective: 'now' | 'next-cycle' | null = null,
  ): LedgerEffect[] {
    return this.apply({ type: 'changePlan', at: ms(at), plan: next, effective });
  }

  /** The not-yet-closed cycle with this index. */
  cycle(index: number) {
    const found = this.state.cycles.find((c) => c.index === index);
    if (found === undefined) throw new Error(`cycle ${index} is not open or in grace`);
    return found;
  }

  /** The statements of every cycle closed so far, in the order closed. */
  closed() {
    return this.effects.flatMap((e) => (e.type === 'cycleClosed' ? [e.statement] : []));
  }

  alerts() {
    return this.effects.flatMap((e) =>
      e.type === 'alert'
        ? [{ cycleIndex: e.cycleIndex, thresholdPercent: e.thresholdPercent, at: iso(e.at) }]
        : [],
    );
  }
}

/** A ledger of the default account on `plan(overrides)`. */
export function ledgerOn(overrides: Json): LedgerDriver {
  return new LedgerDriver(account(), plan(overrides));
}

/** A preview scenario in UTC, created 2026-01-01T00:00:00Z, anchored on the 1st at midnight. */
export function scenario(overrides: Json = {}, accountOverrides: Json = {}): Json {
  return {
    account: {
      id: 'acme',
      timeZone: 'UTC',
      createdAt: '2026-01-01T00:00:00Z',
      billingAnchor: '2026-01-01T00:00:00',
      ...accountOverrides,
    },
    plan: planJson(),
    until: '2026-03-01T00:00:00Z',
    operations: [],
    ...overrides,
  };
}

/**
 * The preview of a scenario (account as in {@link scenario}) on a plan given as JSON, until 15 Feb
 * 2026 unless said otherwise: January closed, February open.
 */
export function previewOf(planJsonValue: Json, operations: Json[], until = '2026-02-15T00:00:00Z') {
  return runPreview(scenario({ plan: planJsonValue, operations, until }));
}

/** A call operation of a preview scenario. */
export function callOp(at: string, event: unknown): Json {
  return { at, type: 'call', event };
}

/** A purchase operation of a preview scenario; `extra` adds `recurring` or `pricePerCredit`. */
export function purchaseOp(
  at: string,
  purchaseId: string,
  credits: string,
  extra: Json = {},
): Json {
  return { at, type: 'purchase', purchaseId, credits, ...extra };
}

/** A grant operation of a preview scenario. */
export function grantOp(at: string, grantId: string, credits: string, reason = 'goodwill'): Json {
  return { at, type: 'grant', grantId, credits, reason };
}

/** A `setOverageLimit` operation: a credit string, or null to remove the account's own limit. */
export function limitOp(at: string, credits: string | null): Json {
  return { at, type: 'setOverageLimit', credits };
}

/** An `admit` operation of a preview scenario. */
export function admitOp(at: string, callId: string): Json {
  return { at, type: 'admit', callId };
}

/** A `setAutoTopUp` operation: below `belowCredits`, buy `credits`, at most `maxPerCycle` times. */
export function topUpOp(
  at: string,
  rule: { belowCredits: string; credits: string; maxPerCycle: number } | null,
): Json {
  return { at, type: 'setAutoTopUp', autoTopUp: rule };
}
