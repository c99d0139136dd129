/**
 * The demo's plans, accounts and call traffic. Every id carries the run's suffix, so the demo runs
 * again against the same stack. Each account's first cycle is a full month that ends seconds after
 * the demo starts (created on the boundary a month earlier, anchored on the end), so the demo shows
 * a cycle closing. The traffic is what telephony webhooks deliver: calls answered over the past
 * days of the cycle, sent once they ended, a few of them twice, and a bad event per account.
 * Durations come from a generator seeded by account, so the credits are the same on every run.
 */
import { boundaryOf, localDateTimeOf, makeCalendar, monthIndexOf } from '../../billing/calendar.js';
import type { PlanInput } from '../../billing/plan.js';
import { formatInstant } from '../../billing/units.js';
import { seededRandom } from './seeded-random.js';

/** One thing the demo sends an account, in order. */
export type DemoStep =
  | { readonly kind: 'call'; readonly event: Record<string, unknown> }
  /** The same event again, as a webhook retry delivers it: counted once. */
  | { readonly kind: 'redelivery'; readonly event: Record<string, unknown> }
  /** An event the engine rejects (and records as rejected). */
  | { readonly kind: 'bad'; readonly event: Record<string, unknown>; readonly why: string }
  | { readonly kind: 'purchase'; readonly purchaseId: string; readonly credits: string };

export interface DemoAccountSpec {
  readonly id: string;
  readonly name: string;
  readonly timeZone: string;
  readonly planId: string;
  readonly createdAt: string;
  readonly billingAnchor: string;
  readonly graceSeconds: number;
  /** Where the account's emails go (Mailpit keeps them on the local stack). */
  readonly billingEmail: string;
  readonly steps: readonly DemoStep[];
}

export interface DemoSetup {
  readonly suffix: string;
  /** When every account's first cycle ends (epoch ms, a whole second). */
  readonly cycleEnd: number;
  readonly graceSeconds: number;
  readonly plans: readonly DemoPlan[];
  readonly accounts: readonly DemoAccountSpec[];
}

export const DEMO_GRACE_SECONDS = 5;

const HOUR_MS = 3_600_000;

function plansOf(suffix: string) {
  return {
    starter: {
      id: `starter-${suffix}`,
      name: 'Starter',
      allowanceCredits: '300',
      creditsPerMinute: '1',
      rounding: { mode: 'minute' },
      overagePricePerCredit: '0.12',
      currency: 'USD',
      alertThresholdsPercent: [50, 80, 100],
    },
    clinic: {
      id: `clinic-${suffix}`,
      name: 'Clinic',
      allowanceCredits: '800',
      creditsPerMinute: '1.5',
      rounding: { mode: 'block', firstBlockSeconds: 30, blockSeconds: 6 },
      minimumSeconds: 30,
      overagePricePerCredit: '0.08',
      currency: 'EUR',
      alertThresholdsPercent: [50, 75, 90, 100],
    },
  } satisfies Record<string, PlanInput>;
}

type PlanKey = keyof ReturnType<typeof plansOf>;
/** A plan as the demo writes it (BILLING-RULES.md section 2). */
export type DemoPlan = ReturnType<typeof plansOf>[PlanKey];

/**
 * The accounts: acme-dental talks well past its allowance (overage), bistro-42 buys credits when
 * it runs low, city-clinic stays within its plan.
 */
const accounts: readonly {
  readonly name: string;
  readonly timeZone: string;
  readonly plan: PlanKey;
  readonly calls: number;
  readonly purchase?: { readonly credits: string; readonly afterShare: number };
  readonly bad: (accountId: string, at: number) => { event: Record<string, unknown>; why: string };
}[] = [
  {
    name: 'acme-dental',
    timeZone: 'Europe/Berlin',
    plan: 'starter',
    calls: 150,
    bad: (accountId, at) => ({
      why: 'ended before it was answered',
      event: {
        callId: `${accountId}-bad-1`,
        accountId,
        direction: 'inbound',
        status: 'completed',
        answeredAt: formatInstant(at),
        endedAt: formatInstant(at - 60_000),
      },
    }),
  },
  {
    name: 'bistro-42',
    timeZone: 'America/New_York',
    plan: 'starter',
    calls: 110,
    purchase: { credits: '250', afterShare: 0.75 },
    bad: (accountId, at) => ({
      why: 'completed without answeredAt',
      event: {
        callId: `${accountId}-bad-1`,
        accountId,
        direction: 'inbound',
        status: 'completed',
        answeredAt: null,
        endedAt: formatInstant(at),
      },
    }),
  },
  {
    name: 'city-clinic',
    timeZone: 'Asia/Tokyo',
    plan: 'clinic',
    calls: 120,
    bad: (accountId, at) => ({
      why: 'unknown direction',
      event: {
        callId: `${accountId}-bad-1`,
        accountId,
        direction: 'sideways',
        status: 'completed',
        answeredAt: formatInstant(at - 90_000),
        endedAt: formatInstant(at),
      },
    }),
  },
];

function seedOf(text: string): number {
  let hash = 2_166_136_261;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 16_777_619);
  return hash >>> 0;
}

/**
 * `createdAt` and `billingAnchor` of an account whose first cycle is a full one ending at `end`
 * (a whole second): created on the boundary a month earlier, anchored on `end`'s local time.
 */
export function cycleEndingAt(
  end: number,
  timeZone: string,
): { createdAt: string; billingAnchor: string } {
  const local = localDateTimeOf(end, timeZone);
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  const billingAnchor =
    `${pad(local.year, 4)}-${pad(local.month)}-${pad(local.day)}` +
    `T${pad(local.hour)}:${pad(local.minute)}:${pad(local.second)}`;
  const calendar = makeCalendar(timeZone, end, { ...local, millisecond: 0 });
  return {
    createdAt: formatInstant(boundaryOf(calendar, monthIndexOf(local) - 1)),
    billingAnchor,
  };
}

/**
 * A call's talk time: mostly a few minutes, now and then a long one; 20 s to 15 min.
 */
function talkSeconds(rand: () => number): number {
  return Math.min(900, 20 + Math.round(-Math.log(1 - rand()) * 150));
}

/** The calls of one account, answered between an hour after creation and `now` - 10 minutes. */
function traffic(
  accountId: string,
  name: string,
  count: number,
  createdAt: number,
  now: number,
): DemoStep[] {
  const rand = seededRandom(seedOf(name));
  const first = createdAt + HOUR_MS;
  const last = now - 10 * 60_000 - 900_000; // the longest call still ended 10 minutes ago
  const calls = Array.from({ length: count }, (_, i) => {
    const answeredAt = first + Math.floor(rand() * (last - first));
    const endedAt = answeredAt + talkSeconds(rand) * 1000 + Math.floor(rand() * 1000);
    return {
      callId: `${accountId}-call-${String(i + 1).padStart(3, '0')}`,
      accountId,
      direction: rand() < 0.9 ? 'inbound' : 'outbound',
      status: 'completed',
      answeredAt: formatInstant(answeredAt),
      endedAt: formatInstant(endedAt),
      ...(rand() < 0.1 ? { holdSeconds: 5 + Math.floor(rand() * 40) } : {}),
    } satisfies Record<string, unknown>;
  });
  // Webhooks are sent when a call ends.
  calls.sort((a, b) => a.endedAt.localeCompare(b.endedAt));
  // About 4% are delivered a second time, a few calls later (a retried webhook).
  const retries: { event: Record<string, unknown>; due: number }[] = [];
  const steps: DemoStep[] = [];
  calls.forEach((event, i) => {
    steps.push({ kind: 'call', event });
    for (const retry of retries.filter((r) => r.due === i)) {
      steps.push({ kind: 'redelivery', event: retry.event });
    }
    if (rand() < 0.04) retries.push({ event, due: i + 1 + Math.floor(rand() * 5) });
  });
  for (const retry of retries.filter((r) => r.due >= calls.length)) {
    steps.push({ kind: 'redelivery', event: retry.event });
  }
  return steps;
}

/**
 * The demo's plans and accounts for a run with `suffix`, every first cycle ending `cycleEndsInMs`
 * after `now`.
 */
export function demoSetup(suffix: string, now: number, cycleEndsInMs: number): DemoSetup {
  const cycleEnd = Math.ceil((now + cycleEndsInMs) / 1000) * 1000;
  const plans = plansOf(suffix);
  return {
    suffix,
    cycleEnd,
    graceSeconds: DEMO_GRACE_SECONDS,
    plans: Object.values(plans),
    accounts: accounts.map((a) => {
      const id = `${a.name}-${suffix}`;
      const { createdAt, billingAnchor } = cycleEndingAt(cycleEnd, a.timeZone);
      const steps = traffic(id, a.name, a.calls, Date.parse(createdAt), now);
      // The bad event arrives mid-way, about a call that ended a few hours ago.
      const bad = a.bad(id, now - 3 * HOUR_MS);
      steps.splice(Math.floor(steps.length / 2), 0, { kind: 'bad', ...bad });
      if (a.purchase !== undefined) {
        steps.splice(Math.floor(steps.length * a.purchase.afterShare), 0, {
          kind: 'purchase',
          purchaseId: `${id}-topup-1`,
          credits: a.purchase.credits,
        });
      }
      return {
        id,
        name: a.name,
        timeZone: a.timeZone,
        planId: plans[a.plan].id,
        createdAt,
        billingAnchor,
        graceSeconds: DEMO_GRACE_SECONDS,
        billingEmail: `billing+${suffix}@${a.name}.example`,
        steps,
      };
    }),
  };
}
