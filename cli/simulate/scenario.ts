/**
 * Who the simulation bills: three plans sized for the chosen calls a day, and N accounts in
 * several time zones, each calling a set share of its plan (some stay well under their allowance,
 * some end near a threshold, some go into overage). Every account's first cycle spans the
 * simulated month and ends at the same instant. Pure: ids carry the run's suffix, so the
 * simulation runs again against the same stack.
 */
import { boundaryOf, localDateTimeOf, makeCalendar, monthIndexOf } from '../../billing/calendar.js';
import { parseCallEventFast } from '../../billing/call-event.js';
import { parsePlan, type Rounding } from '../../billing/plan.js';
import { rateCall } from '../../billing/rating.js';
import type { EpochMs } from '../../billing/units.js';
import { callEventOf, sampleCallShape } from './call-shapes.js';
import { seededRandom } from './seeded-random.js';

export const SIM_GRACE_SECONDS = 5;

/** A plan as the simulation creates it (BILLING-RULES.md section 2). */
export interface SimPlan {
  readonly id: string;
  readonly name: string;
  readonly allowanceCredits: string;
  readonly creditsPerMinute: string;
  readonly rounding: Rounding;
  readonly minimumSeconds?: number;
  readonly freeSeconds?: number;
  readonly billOutbound?: boolean;
  readonly overagePricePerCredit: string;
  readonly currency: string;
  readonly alertThresholdsPercent: readonly number[];
}

export interface SimAccount {
  readonly id: string;
  readonly name: string;
  readonly timeZone: string;
  readonly planId: string;
  readonly createdAt: EpochMs;
  readonly billingAnchor: string;
  readonly graceSeconds: number;
  readonly billingEmail: string;
  /** Its weekday calls as a share of what its plan is sized for. */
  readonly usageShare: number;
  /** The calls it makes on an average weekday. */
  readonly weekdayCalls: number;
}

export interface Scenario {
  readonly plans: readonly SimPlan[];
  readonly accounts: readonly SimAccount[];
}

type PlanKey = 'starter' | 'growth' | 'clinic';

/** The plans before sizing: how each rates and charges. */
const PLAN_TEMPLATES: Readonly<Record<PlanKey, Omit<SimPlan, 'id' | 'allowanceCredits'>>> = {
  starter: {
    name: 'Starter',
    creditsPerMinute: '1',
    rounding: { mode: 'minute' },
    overagePricePerCredit: '0.12',
    currency: 'USD',
    alertThresholdsPercent: [50, 80, 100],
  },
  growth: {
    name: 'Growth',
    creditsPerMinute: '1',
    rounding: { mode: 'second' },
    freeSeconds: 10,
    billOutbound: true,
    overagePricePerCredit: '0.10',
    currency: 'USD',
    alertThresholdsPercent: [75, 90, 100],
  },
  clinic: {
    name: 'Clinic',
    creditsPerMinute: '1.5',
    rounding: { mode: 'block', firstBlockSeconds: 30, blockSeconds: 6 },
    minimumSeconds: 30,
    overagePricePerCredit: '0.08',
    currency: 'EUR',
    alertThresholdsPercent: [50, 75, 90, 100],
  },
};

/**
 * The accounts, in order; past the list they repeat with a number. The shares cycle through
 * overage, near the top threshold and well under, so any three accounts tell all three stories.
 */
const PROFILES: readonly {
  readonly name: string;
  readonly timeZone: string;
  readonly plan: PlanKey;
  readonly share: number;
}[] = [
  { name: 'acme-dental', timeZone: 'Europe/Berlin', plan: 'starter', share: 1.35 },
  { name: 'bistro-42', timeZone: 'America/New_York', plan: 'starter', share: 0.9 },
  { name: 'city-clinic', timeZone: 'Asia/Tokyo', plan: 'clinic', share: 0.55 },
  { name: 'delta-law', timeZone: 'Europe/London', plan: 'growth', share: 1.2 },
  { name: 'echo-realty', timeZone: 'America/Los_Angeles', plan: 'growth', share: 0.95 },
  { name: 'fjord-hotel', timeZone: 'Europe/Oslo', plan: 'clinic', share: 0.65 },
  { name: 'gum-tree-vets', timeZone: 'Australia/Sydney', plan: 'starter', share: 1.1 },
  { name: 'harbor-plumbing', timeZone: 'America/Chicago', plan: 'growth', share: 0.5 },
  { name: 'ivy-salon', timeZone: 'Asia/Kolkata', plan: 'clinic', share: 0.85 },
];

/** Relative call volume by local weekday (0 = Sunday): busy weekdays, quiet weekends. */
export const DAY_WEIGHTS: readonly number[] = [0.12, 1.05, 1, 1, 1, 0.9, 0.3];

/** Calls in an average month for `weekdayCalls` on an average weekday. */
export function callsPerMonth(weekdayCalls: number): number {
  const week = DAY_WEIGHTS.reduce((sum, w) => sum + w, 0);
  return (weekdayCalls * week * 365.25) / 7 / 12;
}

/** FNV-1a of a text, as a seed. */
export function seedOf(text: string): number {
  let hash = 2_166_136_261;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 16_777_619);
  return hash >>> 0;
}

/**
 * The average credits of one call under `plan`, in millicredits, by the billing core's own rating
 * of a fixed sample of call shapes: what a plan's allowance is sized with.
 */
export function averageCallMillicredits(plan: SimPlan, sample = 2_000): bigint {
  const rated = parsePlan(plan);
  const rand = seededRandom(seedOf(`sizing:${plan.id}`));
  let total = 0n;
  for (let i = 0; i < sample; i++) {
    const call = parseCallEventFast(callEventOf(sampleCallShape(rand), `s${i}`, 'sizing', 0));
    if (call === undefined) throw new Error('a sampled call shape is not a valid call event');
    total += rateCall(call, rated).millicredits;
  }
  return total / BigInt(sample);
}

/** Two significant digits, at least 1: allowances people would sell. */
function roundNicely(credits: number): number {
  if (credits < 10) return Math.max(1, Math.round(credits));
  const unit = 10 ** (Math.floor(Math.log10(credits)) - 1);
  return Math.round(credits / unit) * unit;
}

/** Each plan with the allowance of a month of `callsPerDay` weekday calls. */
export function sizedPlans(suffix: string, callsPerDay: number): Record<PlanKey, SimPlan> {
  const sized = (key: PlanKey): SimPlan => {
    const id = `${key}-${suffix}`;
    const template = { ...PLAN_TEMPLATES[key], id, allowanceCredits: '0' };
    // Sized on the template's id, so every run's plans are the same size.
    const perCall = averageCallMillicredits({ ...template, id: key });
    const credits = roundNicely((Number(perCall) * callsPerMonth(callsPerDay)) / 1000);
    return { ...template, allowanceCredits: String(credits) };
  };
  return { starter: sized('starter'), growth: sized('growth'), clinic: sized('clinic') };
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/**
 * The first cycle of an account in `timeZone` that ends at `end` (a whole second): anchored on
 * `end`'s local time, created on the boundary a month earlier, or `days` before `end` when that is
 * later (a partial first cycle, its allowance prorated by the core).
 */
export function firstCycleEndingAt(
  end: EpochMs,
  timeZone: string,
  days: number | null,
): { createdAt: EpochMs; billingAnchor: string } {
  const local = localDateTimeOf(end, timeZone);
  const billingAnchor =
    `${pad(local.year, 4)}-${pad(local.month)}-${pad(local.day)}` +
    `T${pad(local.hour)}:${pad(local.minute)}:${pad(local.second)}`;
  const calendar = makeCalendar(timeZone, end, { ...local, millisecond: 0 });
  const monthStart = boundaryOf(calendar, monthIndexOf(local) - 1);
  const createdAt = days === null ? monthStart : Math.max(monthStart, end - days * 86_400_000);
  return { createdAt, billingAnchor };
}

export interface ScenarioInput {
  readonly suffix: string;
  readonly seed: number;
  readonly accounts: number;
  readonly callsPerDay: number;
  readonly days: number | null;
  /** When every first cycle ends (epoch ms, a whole second). */
  readonly cycleEnd: EpochMs;
}

export function simulationScenario(input: ScenarioInput): Scenario {
  const plans = sizedPlans(input.suffix, input.callsPerDay);
  const rand = seededRandom(seedOf(`accounts:${input.seed}`));
  const accounts = Array.from({ length: input.accounts }, (_, i): SimAccount => {
    const profile = PROFILES[i % PROFILES.length]!;
    const round = Math.floor(i / PROFILES.length);
    const name = round === 0 ? profile.name : `${profile.name}-${round + 1}`;
    const id = `${name}-${input.suffix}`;
    // A little spread, so repeated profiles do not call exactly alike.
    const usageShare = profile.share * (0.97 + 0.06 * rand());
    return {
      id,
      name,
      timeZone: profile.timeZone,
      planId: plans[profile.plan].id,
      ...firstCycleEndingAt(input.cycleEnd, profile.timeZone, input.days),
      graceSeconds: SIM_GRACE_SECONDS,
      billingEmail: `billing+${input.suffix}@${name}.example`,
      usageShare,
      weekdayCalls: input.callsPerDay * usageShare,
    };
  });
  const used = new Set(accounts.map((a) => a.planId));
  return { plans: Object.values(plans).filter((p) => used.has(p.id)), accounts };
}
