/**
 * `npm run -s billing -- preview < scenario.json` as a process: the compiled CLI (built once
 * here; bin/run-built.js rebuilds on its own when a source is newer than the build).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { runBilling } from '../harness/cli.js';
import { callLasting, callOp, planJson, scenario } from './builders.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const fixtures = join(root, 'test', 'fixtures');

const preview = (input: string) => runBilling(['preview'], {}, { input });
const previewJson = (value: unknown) => preview(JSON.stringify(value));

/** Same values and same key order. */
const canonical = (text: string) => JSON.stringify(JSON.parse(text));

beforeAll(() => {
  // Compiles once, and only when a source is newer than the last build, before the concurrent
  // runs below (which would otherwise race to rebuild).
  execFileSync(process.execPath, [join(root, 'bin', 'billing.js'), 'help'], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
});

const scenarioFiles = existsSync(fixtures)
  ? readdirSync(fixtures)
      .filter((name) => name.endsWith('.scenario.json'))
      .sort()
  : [];

describe('preview on the fixtures in test/fixtures', () => {
  it('there are fixtures with expectations beside them', () => {
    expect(scenarioFiles.length).toBeGreaterThan(0);
    for (const name of scenarioFiles) {
      expect(existsSync(join(fixtures, name.replace('.scenario.json', '.expected.json')))).toBe(
        true,
      );
    }
  });

  it.concurrent.each(scenarioFiles)(
    '%s: exit 0, stdout equal to its .expected.json',
    async (name) => {
      const run = await preview(readFileSync(join(fixtures, name), 'utf8'));
      const expected = readFileSync(
        join(fixtures, name.replace('.scenario.json', '.expected.json')),
        'utf8',
      );
      expect(run.code).toBe(0);
      expect(canonical(run.stdout)).toBe(canonical(expected));
      expect(run.stdout.endsWith('}\n')).toBe(true);
    },
  );
});

describe.concurrent('preview on scenarios checked by hand', () => {
  it('a recurring purchase, an overage and a late call: the whole output', async () => {
    // UTC, boundaries on the 1st; plan 10 credits (10,000 mc) at 1 credit/min, $0.12, alert 50%.
    // r1: 2 credits recurring, bought 5 Jan: every cycle has 10,000 + 2,000 = 12,000 mc.
    // January: a = 660 s = 11,000 mc at 10 Jan 00:20 (11,000 * 100 >= 50 * 12,000: 50% fires).
    // b (answered 31 Jan 22:00, 120 s) arrives 1 Feb 02:00, after January closed at 01:00:
    // a late adjustment of 2,000 mc in February. c = 1,260 s = 21,000 mc on 10 Feb 00:30:
    // 23,000 of 12,000 (50% fires); overage 11,000 mc = 11 credits * 12 cents = 132 cents.
    // until 1 Mar 01:00 = February's end + grace: February is closed, March open.
    const run = await previewJson(
      scenario({
        plan: planJson({ allowanceCredits: '10', alertThresholdsPercent: [50] }),
        until: '2026-03-01T01:00:00Z',
        operations: [
          {
            at: '2026-01-05T00:00:00Z',
            type: 'purchase',
            purchaseId: 'r1',
            credits: '2',
            recurring: true,
          },
          callOp('2026-01-10T00:20:00Z', callLasting('a', '2026-01-10T00:00:00Z', 660)),
          callOp('2026-02-01T02:00:00Z', callLasting('b', '2026-01-31T22:00:00Z', 120)),
          callOp('2026-02-10T00:30:00Z', callLasting('c', '2026-02-10T00:00:00Z', 1_260)),
        ],
      }),
    );
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({
      cycles: [
        {
          index: 0,
          start: '2026-01-01T00:00:00.000Z',
          end: '2026-02-01T00:00:00.000Z',
          closed: true,
          planId: 'growth',
          allowanceMillicredits: 10_000,
          purchasedMillicredits: 2_000,
          usedMillicredits: 11_000,
          billableSeconds: 660,
          lateAdjustments: 0,
          overageMillicredits: 0,
          overageChargeMinor: 0,
          // A version 2 key: r1's first addition, free under a plan without a purchase price.
          grantedMillicredits: 0,
          writtenOffMillicredits: 0,
          purchases: [
            {
              source: 'purchase',
              id: 'r1',
              at: '2026-01-05T00:00:00.000Z',
              millicredits: 2_000,
              chargeMinor: 0,
              currency: 'USD',
            },
          ],
          alerts: [{ thresholdPercent: 50, at: '2026-01-10T00:20:00.000Z' }],
        },
        {
          index: 1,
          start: '2026-02-01T00:00:00.000Z',
          end: '2026-03-01T00:00:00.000Z',
          closed: true,
          planId: 'growth',
          allowanceMillicredits: 10_000,
          purchasedMillicredits: 2_000,
          usedMillicredits: 23_000,
          billableSeconds: 1_380,
          lateAdjustments: 1,
          overageMillicredits: 11_000,
          overageChargeMinor: 132,
          grantedMillicredits: 0,
          writtenOffMillicredits: 0,
          purchases: [
            {
              source: 'purchase',
              id: 'r1',
              at: '2026-02-01T00:00:00.000Z',
              millicredits: 2_000,
              chargeMinor: 0,
              currency: 'USD',
            },
          ],
          alerts: [{ thresholdPercent: 50, at: '2026-02-10T00:30:00.000Z' }],
        },
        {
          index: 2,
          start: '2026-03-01T00:00:00.000Z',
          end: '2026-04-01T00:00:00.000Z',
          closed: false,
          planId: 'growth',
          allowanceMillicredits: 10_000,
          purchasedMillicredits: 2_000,
          usedMillicredits: 0,
          billableSeconds: 0,
          lateAdjustments: 0,
          overageMillicredits: 0,
          overageChargeMinor: null,
          grantedMillicredits: 0,
          writtenOffMillicredits: 0,
          purchases: [
            {
              source: 'purchase',
              id: 'r1',
              at: '2026-03-01T00:00:00.000Z',
              millicredits: 2_000,
              chargeMinor: 0,
              currency: 'USD',
            },
          ],
          alerts: [],
        },
      ],
      rejected: [],
      duplicates: 0,
      admissions: [],
    });
  });

  it('integers past 2^53 are printed exactly: 1,439,999,999,999,998,560 mc and 17,279,999,999,999,983 cents', async () => {
    const run = await previewJson(
      scenario({
        plan: planJson({ allowanceCredits: '0', creditsPerMinute: '999999999999.999' }),
        until: '2026-02-01T01:00:00Z',
        operations: [
          callOp('2026-01-11T00:00:00Z', callLasting('CA1', '2026-01-10T00:00:00Z', 86_400)),
        ],
      }),
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('"usedMillicredits": 1439999999999998560,');
    expect(run.stdout).toContain('"overageMillicredits": 1439999999999998560,');
    expect(run.stdout).toContain('"overageChargeMinor": 17279999999999983,');
  });

  it('rejected events and duplicates are reported, the scenario still exits 0', async () => {
    const event = callLasting('CA1', '2026-01-10T00:00:00Z', 60);
    const run = await previewJson(
      scenario({
        operations: [
          callOp('2026-01-10T00:05:00Z', event),
          callOp('2026-01-10T00:06:00Z', event),
          callOp('2026-01-10T00:07:00Z', { ...event, holdSeconds: 5 }),
          callOp('2026-01-10T00:08:00Z', { callId: 7 }),
        ],
      }),
    );
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout) as { rejected: unknown; duplicates: number };
    expect(out.rejected).toEqual([
      { callId: 'CA1', at: '2026-01-10T00:07:00.000Z', reason: 'conflicting_duplicate' },
      { callId: null, at: '2026-01-10T00:08:00.000Z', reason: 'invalid_event' },
    ]);
    expect(out.duplicates).toBe(1);
  });

  it('--help prints the usage and exits 0', async () => {
    const run = await runBilling(['preview', '--help'], {});
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/usage: billing preview/);
  });
});

describe.concurrent('malformed input: exit 2, a message on stderr, nothing on stdout', () => {
  const valid = scenario();
  const account = valid.account as Record<string, unknown>;
  const cases: [string, string, RegExp][] = [
    ['not JSON', '{"account": ', /not JSON/],
    ['empty input', '', /not JSON/],
    ['a JSON array', '[]', /malformed/],
    ['a missing plan', JSON.stringify({ ...valid, plan: undefined }), /plan/],
    [
      'an unknown currency',
      JSON.stringify({ ...valid, plan: planJson({ currency: 'XBT' }) }),
      /plan\.currency/,
    ],
    [
      'a JSON number for credits',
      JSON.stringify({ ...valid, plan: planJson({ allowanceCredits: 1000 }) }),
      /plan\.allowanceCredits/,
    ],
    [
      'a bad time zone',
      JSON.stringify({ ...valid, account: { ...account, timeZone: 'Europe/Atlantis' } }),
      /account\.timeZone/,
    ],
    ['a bad until', JSON.stringify({ ...valid, until: '2026-03-01' }), /until/],
    [
      'an operation before createdAt',
      JSON.stringify({
        ...valid,
        operations: [{ at: '2025-12-31T23:59:59Z', type: 'cancelPurchase', purchaseId: 'p' }],
      }),
      /operations\.0\.at/,
    ],
    [
      'an operation after until',
      JSON.stringify({
        ...valid,
        operations: [{ at: '2026-03-01T00:00:00.001Z', type: 'cancelPurchase', purchaseId: 'p' }],
      }),
      /operations\.0\.at/,
    ],
    [
      'a bad recurring flag',
      JSON.stringify({
        ...valid,
        operations: [
          {
            at: '2026-01-05T00:00:00Z',
            type: 'purchase',
            purchaseId: 'p',
            credits: '1',
            recurring: 'true',
          },
        ],
      }),
      /operations\.0\.recurring/,
    ],
    [
      'a bad effective',
      JSON.stringify({
        ...valid,
        operations: [
          {
            at: '2026-01-05T00:00:00Z',
            type: 'changePlan',
            plan: planJson(),
            effective: 'tomorrow',
          },
        ],
      }),
      /operations\.0\.effective/,
    ],
    [
      'an unknown operation type',
      JSON.stringify({ ...valid, operations: [{ at: '2026-01-05T00:00:00Z', type: 'refund' }] }),
      /operations\.0/,
    ],
  ];

  it.each(cases)('%s', async (_label, input, message) => {
    const run = await preview(input);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(message);
  });
});
