/**
 * The first demo's accounts and their call traffic: three businesses on three plans, a few hundred
 * calls over the last 45 days (so each has a closed cycle with its overage charge and an open
 * one), delivered the way telephony webhooks deliver them: a few twice, one broken.
 * Deterministic for a given `until`: each account's traffic comes from a seeded generator.
 */
import type { DemoAccount, DemoDelivery, DemoPlan } from '../../activities/index.js';

export interface DemoAccountSpec {
  readonly account: DemoAccount;
  readonly plan: DemoPlan;
  readonly owner: string;
  readonly deliveries: DemoDelivery[];
}

const DAY_MS = 86_400_000;

const plans = {
  starter: {
    id: 'starter',
    name: 'Starter',
    allowanceCredits: '100',
    creditsPerMinute: '1',
    rounding: { mode: 'minute' },
    freeSeconds: 5,
    overagePricePerCredit: '0.12',
    currency: 'USD',
    alertThresholdsPercent: [50, 80, 100],
  },
  growth: {
    id: 'growth',
    name: 'Growth',
    allowanceCredits: '250',
    creditsPerMinute: '1',
    rounding: { mode: 'second' },
    billOutbound: true,
    overagePricePerCredit: '0.10',
    currency: 'USD',
    alertThresholdsPercent: [80, 100],
  },
  clinic: {
    id: 'clinic',
    name: 'Clinic',
    allowanceCredits: '300',
    creditsPerMinute: '1.5',
    rounding: { mode: 'block', firstBlockSeconds: 30, blockSeconds: 6 },
    minimumSeconds: 30,
    overagePricePerCredit: '0.08',
    currency: 'EUR',
    alertThresholdsPercent: [75, 90, 100],
  },
} satisfies Record<string, DemoPlan>;

const accounts = [
  {
    id: 'acme-dental',
    timeZone: 'Europe/Berlin',
    plan: plans.starter,
    calls: 90,
    meanSeconds: 150,
  },
  {
    id: 'bistro-42',
    timeZone: 'America/New_York',
    plan: plans.growth,
    calls: 150,
    meanSeconds: 140,
  },
  { id: 'city-clinic', timeZone: 'Asia/Tokyo', plan: plans.clinic, calls: 160, meanSeconds: 170 },
] as const;

/** mulberry32: a tiny seeded PRNG, so a demo run's traffic is reproducible. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function seedOf(text: string): number {
  let hash = 2_166_136_261;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 16_777_619);
  return hash >>> 0;
}

const iso = (ms: number) => new Date(ms).toISOString();

function traffic(
  accountId: string,
  count: number,
  meanSeconds: number,
  createdAt: number,
  until: number,
): DemoDelivery[] {
  const rand = random(seedOf(accountId));
  const pick = <T>(weighted: readonly (readonly [T, number])[]): T => {
    let r = rand();
    for (const [value, weight] of weighted) {
      if ((r -= weight) < 0) return value;
    }
    return weighted[weighted.length - 1]![0];
  };
  // Calls start between an hour after creation and an hour before `until`.
  const span = until - createdAt - 2 * 3_600_000;
  const starts = Array.from(
    { length: count },
    () => createdAt + 3_600_000 + Math.floor(rand() * span),
  );
  starts.sort((a, b) => a - b);

  const arrivals: { at: number; event: Record<string, unknown> }[] = [];
  starts.forEach((start, i) => {
    const callId = `${accountId}:${String(i + 1).padStart(4, '0')}`;
    const status = pick([
      ['completed', 0.88],
      ['no-answer', 0.05],
      ['busy', 0.04],
      ['failed', 0.03],
    ] as const);
    const direction = rand() < 0.8 ? 'inbound' : 'outbound';
    // Exponential talk time with the account's mean, at least 3 s, at most 40 minutes.
    const talk = Math.min(2_400, Math.max(3, Math.round(-Math.log(1 - rand()) * meanSeconds)));
    const answered = status === 'completed';
    const endedAt = start + (answered ? talk * 1000 + Math.floor(rand() * 1000) : 20_000);
    const event: Record<string, unknown> = {
      callId,
      accountId,
      direction,
      status,
      answeredAt: answered ? iso(start) : null,
      endedAt: iso(endedAt),
      handoffAt: answered && rand() < 0.05 ? iso(start + Math.floor(talk * 600)) : null,
      holdSeconds: answered && rand() < 0.1 ? Math.floor(rand() * Math.min(60, talk / 2)) : 0,
      systemSeconds: answered ? Math.floor(rand() * 3) : 0,
      parentCallId: null,
    };
    const at = endedAt + 1_000 + Math.floor(rand() * 20_000);
    arrivals.push({ at, event });
    // Webhooks retry: about 2% arrive a second time, minutes later.
    if (rand() < 0.02) arrivals.push({ at: at + 60_000 + Math.floor(rand() * 240_000), event });
  });
  // And one broken sender: a call that "ended" before it was answered is rejected, not counted.
  const broken = starts[Math.floor(count / 2)]!;
  arrivals.push({
    at: broken + 120_000,
    event: {
      callId: `${accountId}:broken`,
      accountId,
      direction: 'inbound',
      status: 'completed',
      answeredAt: iso(broken + 60_000),
      endedAt: iso(broken),
    },
  });

  arrivals.sort((a, b) => a.at - b.at);
  return arrivals.map((a, seq) => ({ seq, arrivedAt: iso(Math.min(a.at, until)), event: a.event }));
}

/** The demo's accounts, created 45 days before `until` (whole hours), with their deliveries. */
export function demoAccounts(until: Date): DemoAccountSpec[] {
  const end = until.getTime();
  const createdAt = Math.floor((end - 45 * DAY_MS) / 3_600_000) * 3_600_000;
  return accounts.map((a) => ({
    account: { id: a.id, timeZone: a.timeZone, createdAt: iso(createdAt) },
    plan: a.plan,
    owner: `owner@${a.id}.example`,
    deliveries: traffic(a.id, a.calls, a.meanSeconds, createdAt, end),
  }));
}
