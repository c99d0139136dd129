import { describe, expect, it } from 'vitest';
import { localDateTimeOf } from '../../../billing/calendar.js';
import { runPreview, type PreviewOutput } from '../../../billing/preview.js';
import { daysFromCivil, formatInstant } from '../../../billing/units.js';
import { DEFAULT_OPTIONS } from '../../../cli/simulate/options.js';
import { placeRun } from '../../../cli/simulate/run-simulation.js';
import {
  SIM_GRACE_SECONDS,
  simulationScenario,
  type Scenario,
  type SimAccount,
} from '../../../cli/simulate/scenario.js';
import {
  BAD_EVENT_CODES,
  badCodesOf,
  generateTraffic,
  type Delivery,
  type Traffic,
} from '../../../cli/simulate/traffic.js';

const DAY = 86_400_000;
/** A fixed "now", so every run of the test checks the same month (November 2026). */
const NOW = Date.parse('2026-12-06T13:00:00Z');

function simulate(seed = 1, accounts = 3, days: number | null = null) {
  const options = { ...DEFAULT_OPTIONS, seed, accounts, days };
  const { cycleEnd, trafficEnd } = placeRun(options, NOW);
  const scenario = simulationScenario({ ...options, suffix: 't1', cycleEnd });
  const traffic = generateTraffic({ seed, accounts: scenario.accounts, trafficEnd });
  return { scenario, traffic, cycleEnd, trafficEnd };
}

const time = (value: unknown) => Date.parse(String(value));

/** What the billing core makes of an account's deliveries, each arriving when it is sent. */
function previewOf(scenario: Scenario, traffic: Traffic, account: SimAccount, until: number) {
  return runPreview({
    account: {
      id: account.id,
      timeZone: account.timeZone,
      createdAt: formatInstant(account.createdAt),
      billingAnchor: account.billingAnchor,
      graceSeconds: account.graceSeconds,
    },
    plan: scenario.plans.find((p) => p.id === account.planId),
    until: formatInstant(until),
    operations: traffic.deliveries
      .filter((d) => d.accountId === account.id)
      .map((d) => ({ at: formatInstant(d.at), type: 'call', event: d.event })),
  });
}

function percentUsed(preview: PreviewOutput): number {
  const c = preview.cycles[0]!;
  return Number((BigInt(c.usedMillicredits) * 100n) / BigInt(c.allowanceMillicredits));
}

describe('the simulated month', () => {
  const run = simulate();
  const { scenario, traffic, cycleEnd, trafficEnd } = run;

  it('is the same for the same seed and another for another seed', () => {
    const again = simulate();
    expect(again.traffic.deliveries).toEqual(traffic.deliveries);
    const other = simulate(2);
    expect(other.traffic.deliveries.map((d) => d.event.callId)).not.toEqual(
      traffic.deliveries.map((d) => d.event.callId),
    );
  });

  it('places every first cycle over the month, ending together after the traffic', () => {
    expect(cycleEnd % 1000).toBe(0);
    expect(trafficEnd).toBeLessThan(cycleEnd);
    expect(new Set(scenario.accounts.map((a) => a.timeZone)).size).toBe(3);
    // Only the plans the accounts are on.
    expect(scenario.plans.map((p) => p.id).sort()).toEqual(['clinic-t1', 'starter-t1']);
    for (const a of scenario.accounts) {
      expect(cycleEnd - a.createdAt).toBeGreaterThanOrEqual(28 * DAY - 3_600_000);
      expect(cycleEnd - a.createdAt).toBeLessThanOrEqual(31 * DAY + 3_600_000);
      expect(a.graceSeconds).toBe(SIM_GRACE_SECONDS);
    }
    // --days shorter than the month: a partial first cycle of exactly that many days.
    const week = simulate(1, 3, 7);
    for (const a of week.scenario.accounts) expect(week.cycleEnd - a.createdAt).toBe(7 * DAY);
  });

  it('sends in order of time, nothing before it happened nor after the traffic ends', () => {
    const { deliveries } = traffic;
    for (let i = 1; i < deliveries.length; i++) {
      expect(deliveries[i]!.at).toBeGreaterThanOrEqual(deliveries[i - 1]!.at);
    }
    for (const d of deliveries) {
      const account = scenario.accounts.find((a) => a.id === d.accountId)!;
      expect(d.at).toBeGreaterThanOrEqual(account.createdAt);
      expect(d.at).toBeLessThanOrEqual(trafficEnd);
      if (d.kind !== 'bad') {
        expect(time(d.event.endedAt)).toBeLessThanOrEqual(d.at);
        expect(time(d.event.answeredAt ?? d.event.endedAt)).toBeGreaterThan(account.createdAt);
      }
    }
  });

  it('peaks in working hours of the account’s own time zone and dips at weekends', () => {
    const busy = simulate(3, 9);
    const calls = busy.traffic.deliveries.filter((d) => d.kind === 'call' && !d.event.parentCallId);
    const hours = new Map<string, number[]>();
    const byDay = { weekday: 0, weekend: 0 };
    for (const d of calls) {
      const account = busy.scenario.accounts.find((a) => a.id === d.accountId)!;
      const local = localDateTimeOf(time(d.event.endedAt), account.timeZone);
      const weekday = (daysFromCivil(local.year, local.month, local.day) + 4) % 7;
      if (weekday === 0 || weekday === 6) byDay.weekend++;
      else byDay.weekday++;
      const list = hours.get(account.id) ?? [];
      list.push(local.hour);
      hours.set(account.id, list);
    }
    for (const list of hours.values()) {
      const working = list.filter((h) => h >= 8 && h < 18).length;
      const night = list.filter((h) => h < 6).length;
      expect(working / list.length).toBeGreaterThan(0.75);
      expect(night / list.length).toBeLessThan(0.05);
    }
    // Per day: about 8 weekdays' worth of weekend days a month, at under a third of the volume.
    expect(byDay.weekend / 8).toBeLessThan((byDay.weekday / 22) * 0.33);
  });

  it('has realistic calls: log-normal talk time, unanswered, outbound and transferred calls', () => {
    const events = traffic.deliveries.filter((d) => d.kind === 'call').map((d) => d.event);
    const talk = events
      .filter((e) => e.status === 'completed' && !e.parentCallId)
      .map((e) => (time(e.endedAt) - time(e.answeredAt)) / 1000)
      .sort((a, b) => a - b);
    const median = talk[Math.floor(talk.length / 2)]!;
    expect(median).toBeGreaterThan(60);
    expect(median).toBeLessThan(150);
    expect(talk.filter((s) => s > 600).length).toBeGreaterThan(0);
    expect(talk[0]).toBeGreaterThanOrEqual(4);
    const statuses = new Set(events.map((e) => e.status));
    expect(statuses).toEqual(new Set(['completed', 'no-answer', 'busy', 'failed', 'canceled']));
    for (const e of events.filter((e) => e.status !== 'completed')) expect(e.answeredAt).toBeNull();
    expect(events.some((e) => e.direction === 'outbound' && !e.parentCallId)).toBe(true);
    expect(events.some((e) => typeof e.holdSeconds === 'number')).toBe(true);
    expect(events.some((e) => typeof e.systemSeconds === 'number')).toBe(true);
    const legs = events.filter((e) => typeof e.parentCallId === 'string');
    expect(legs.length).toBeGreaterThan(0);
    for (const leg of legs) {
      const parent = events.find((e) => e.callId === leg.parentCallId)!;
      expect(leg.answeredAt).toBe(parent.handoffAt);
    }
    for (const e of events) {
      for (const field of ['holdSeconds', 'systemSeconds'] as const) {
        if (e[field] !== undefined) expect(Number.isInteger(e[field])).toBe(true);
      }
    }
  });

  it('resends about 2% with the same content, and sends some late, after later calls', () => {
    const { deliveries } = traffic;
    const calls = deliveries.filter((d) => d.kind === 'call' || d.kind === 'late');
    const duplicates = deliveries.filter((d) => d.kind === 'duplicate');
    expect(duplicates.length / calls.length).toBeGreaterThan(0.01);
    expect(duplicates.length / calls.length).toBeLessThan(0.04);
    for (const d of duplicates) {
      expect(calls.some((c) => c.event === d.event || c.event.callId === d.event.callId)).toBe(
        true,
      );
      expect(calls.find((c) => c.event.callId === d.event.callId)!.event).toEqual(d.event);
    }
    const late = deliveries.filter((d) => d.kind === 'late');
    expect(late.length).toBeGreaterThan(0);
    for (const d of late) {
      const endedAt = time(d.event.endedAt);
      expect(d.at).toBeGreaterThan(endedAt);
      expect(d.at - endedAt).toBeLessThanOrEqual(35 * DAY);
      // Sent after a call of the same account that ended later.
      const before = deliveries.filter((o) => o.accountId === d.accountId && o.at < d.at);
      expect(before.some((o) => o.kind !== 'bad' && time(o.event.endedAt) > endedAt)).toBe(true);
    }
    const signals = deliveries.filter((d) => d.via === 'signal').length;
    expect(signals / deliveries.length).toBeGreaterThan(0.05);
    expect(signals / deliveries.length).toBeLessThan(0.3);
  });

  it('spreads the rejection codes over the accounts, each account some', () => {
    for (const count of [1, 3, 10, 25]) {
      const all = Array.from({ length: count }, (_, i) => badCodesOf(i, count));
      expect(new Set(all.flat())).toEqual(new Set(BAD_EVENT_CODES));
      for (const codes of all) expect(codes.length).toBeGreaterThan(0);
    }
  });

  it('is what the billing core says it is: bad events rejected with their code, every other call counted once', () => {
    const rejected: string[] = [];
    for (const account of scenario.accounts) {
      const preview = previewOf(scenario, traffic, account, cycleEnd + 10_000);
      const mine = traffic.deliveries.filter((d) => d.accountId === account.id);
      const bad = mine.filter((d): d is Delivery & { rejection: string } => d.kind === 'bad');
      expect(preview.rejected.map((r) => r.reason).sort()).toEqual(
        bad.map((d) => d.rejection).sort(),
      );
      rejected.push(...preview.rejected.map((r) => r.reason));
      const counts = traffic.counts.get(account.id)!;
      expect(preview.duplicates).toBe(counts.duplicates);
      expect(counts.bad).toBe(bad.length);
      expect(counts.calls).toBe(mine.filter((d) => d.kind === 'call' || d.kind === 'late').length);
      const first = preview.cycles[0]!;
      expect(first.closed).toBe(true);
      expect(first.lateAdjustments).toBe(0);
    }
    expect(new Set(rejected)).toEqual(new Set(BAD_EVENT_CODES));
  });

  it('varies usage between accounts: one in overage, one near its top threshold, one well under', () => {
    const percents = scenario.accounts.map((a) =>
      percentUsed(previewOf(scenario, traffic, a, cycleEnd + 10_000)),
    );
    const [acme, bistro, city] = percents as [number, number, number];
    expect(acme).toBeGreaterThan(100);
    expect(bistro).toBeGreaterThanOrEqual(80);
    expect(bistro).toBeLessThan(100);
    expect(city).toBeLessThan(75);
    // Other seeds tell the same stories, within the spread of a month of calls.
    for (const seed of [2, 3]) {
      const other = simulate(seed);
      const [over, near, under] = other.scenario.accounts.map((a) =>
        percentUsed(previewOf(other.scenario, other.traffic, a, other.cycleEnd + 10_000)),
      ) as [number, number, number];
      expect(over).toBeGreaterThan(100);
      expect(near).toBeGreaterThan(70);
      expect(near).toBeLessThan(110);
      expect(under).toBeLessThan(75);
    }
  });
});
