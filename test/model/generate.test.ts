/**
 * The scenario generator itself: version 1 scenarios are exactly what they always were (the golden
 * file of test/billing/preview-golden.test.ts holds 2,000 of them, sampled with its seed), and the
 * mixed arbitrary the differential test uses exercises every path of version 2 often enough,
 * counted by the reference model's trace.
 */
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { scenarioArb, scenarioArbV1, toScenarioText, type Json } from './generate.js';
import { referencePreview, ReferenceMalformed } from './reference.js';

const here = dirname(fileURLToPath(import.meta.url));

describe('scenario generator', () => {
  it('version 1: reproduces the 2,000 generated scenarios of the golden file', () => {
    const text = gunzipSync(readFileSync(join(here, '../golden/preview-v1.jsonl.gz'))).toString();
    const stored = text
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as { name: string; scenario: string })
      .filter((g) => g.name.startsWith('generated-'));
    expect(stored).toHaveLength(2000);
    const sampled = fc.sample(scenarioArbV1, { seed: 20_261_208, numRuns: 2000 });
    const differing = stored.filter(
      (g, i) => g.name !== `generated-${i}` || toScenarioText(sampled[i]!.scenario) !== g.scenario,
    );
    expect(differing.map((g) => g.name)).toEqual([]);
  }, 60_000);

  it('version 1: no version 2 operation or plan field', () => {
    const v2 =
      /"(grant|setOverageLimit|admit|setAutoTopUp)"|"pricePerCredit"|purchasePricePerCredit|overageLimitCredits|admission(Minimum|Reserve)Seconds/;
    for (const { scenario } of fc.sample(scenarioArbV1, { seed: 5, numRuns: 500 }))
      expect(JSON.stringify(scenario)).not.toMatch(v2);
  });

  it('the mixed arbitrary exercises every version 2 path', () => {
    const N = 1500;
    const scenarios = new Map<string, number>(); // how many scenarios saw each
    const bump = (k: string): void => void scenarios.set(k, (scenarios.get(k) ?? 0) + 1);
    let malformed = 0;
    let v2 = 0;
    for (const { intent, scenario } of fc.sample(scenarioArb, { seed: 99, numRuns: N })) {
      if (intent.v2 !== undefined) v2++;
      const seen = new Set<string>(); // TraceName values and a few of this test's own
      try {
        const o = referencePreview(JSON.parse(toScenarioText(scenario)) as Json, {
          trace: (what) => seen.add(what),
        });
        for (const op of (scenario as { operations: { type: string }[] }).operations)
          seen.add(`op.${op.type}`);
        if (o.admissions.some((a) => a.maxSeconds !== null && a.maxSeconds > 0 && !a.allowed))
          seen.add('admission.refusedWithSeconds');
        if (
          o.cycles.some((c) => c.purchases.some((p) => p.currency === 'JPY' && p.chargeMinor > 0n))
        )
          seen.add('purchase.chargedJPY');
      } catch (e) {
        if (!(e instanceof ReferenceMalformed)) throw e;
        malformed++;
        if (intent.v2 !== undefined && intent.v2.mutation !== 'none') seen.add('malformed.v2');
      }
      for (const k of seen) bump(k);
    }
    expect(v2 / N).toBeGreaterThan(0.7);
    expect(v2 / N).toBeLessThan(0.9);
    expect(malformed / N).toBeLessThan(0.2);
    const atLeast: Record<string, number> = {
      'op.grant': 300,
      'op.setOverageLimit': 300,
      'op.admit': 300,
      'op.setAutoTopUp': 300,
      'admission.recorded': 100,
      'admission.replayed': 100,
      'admission.noLimit': 100,
      'admission.tooMany': 1,
      'admission.allowed': 200,
      'admission.refused': 50,
      'admission.refusedWithSeconds': 10,
      'reservation.released': 100,
      'reservation.expiredSeen': 100,
      writtenOff: 50,
      'writtenOff.late': 10,
      'topUp.operation': 200,
      'topUp.cycleStart': 50,
      'topUp.capped': 50,
      'topUp.afterReservation': 20,
      'purchase.agreedPrice': 150,
      'purchase.charged': 150,
      'purchase.chargedJPY': 20,
      'purchase.recurringAddition': 100,
      grant: 150,
      'grant.repeated': 30,
      'alert.afterTopUp': 10,
      'malformed.v2': 30,
    };
    const short = Object.entries(atLeast)
      .filter(([k, n]) => (scenarios.get(k) ?? 0) < n)
      .map(([k, n]) => `${k}: ${scenarios.get(k) ?? 0} < ${n}`);
    expect(short).toEqual([]);
  }, 120_000);
});
