import { describe, expect, it } from 'vitest';
import {
  DEFAULT_OPTIONS,
  parseSimulateArgs,
  parseSpeed,
  speedText,
} from '../../../cli/simulate/options.js';

describe('billing simulate options', () => {
  it('defaults to 3 accounts, the whole month, 48 simulated hours a second, seed 1', () => {
    expect(parseSimulateArgs([])).toEqual({ kind: 'run', options: DEFAULT_OPTIONS });
    expect(DEFAULT_OPTIONS).toMatchObject({ accounts: 3, days: null, seed: 1, json: false });
    expect(speedText(DEFAULT_OPTIONS.speed)).toBe('at 48h of calls a second');
  });

  it('takes every option, as --name value or --name=value', () => {
    const parsed = parseSimulateArgs([
      '--accounts',
      '12',
      '--days=7',
      '--speed',
      '90m',
      '--seed=42',
      '--calls-per-day',
      '200',
      '--json',
    ]);
    expect(parsed).toEqual({
      kind: 'run',
      options: {
        accounts: 12,
        days: 7,
        speed: { kind: 'paced', simMsPerSecond: 90 * 60_000 },
        seed: 42,
        callsPerDay: 200,
        json: true,
      },
    });
    expect(parseSimulateArgs(['--speed', 'max'])).toMatchObject({
      options: { speed: { kind: 'max' } },
    });
  });

  it('reads speeds with and without a unit, and refuses slower than real time or faster than a year', () => {
    expect(parseSpeed('3600')).toEqual({ kind: 'paced', simMsPerSecond: 3_600_000 });
    expect(parseSpeed('2d')).toEqual({ kind: 'paced', simMsPerSecond: 2 * 86_400_000 });
    expect(parseSpeed('1s')).toEqual({ kind: 'paced', simMsPerSecond: 1000 });
    for (const bad of ['0', '0.5', '-1h', '1w', '367d', 'fast', '']) {
      expect(parseSpeed(bad)).toBeUndefined();
    }
  });

  it('says what is wrong with bad usage', () => {
    const cases: [string[], string][] = [
      [['--accounts', '0'], "--accounts: expected a number of accounts from 1 to 500, got '0'"],
      [['--accounts'], '--accounts needs a value: a number of accounts from 1 to 500'],
      [['--days', '32'], "--days: expected a number of days from 1 to 31, got '32'"],
      [['--speed', 'fast'], '--speed: expected max, or simulated time per real second'],
      [['--seed', '4294967296'], '--seed: expected an integer from 0 to 4294967295'],
      [['--calls-per-day', '1.5'], '--calls-per-day: expected a number of calls from 1 to 5000'],
      [['--json=yes'], '--json takes no value'],
      [['--accounts', '2', '--accounts', '3'], '--accounts given twice'],
      [['--acounts', '2'], "unknown option '--acounts'"],
      [['extra'], "unknown option 'extra'"],
      [
        ['--accounts', '500', '--calls-per-day', '41'],
        '--accounts times --calls-per-day is at most 20000 (about half a million events a month); got 20500',
      ],
    ];
    for (const [args, message] of cases) {
      const parsed = parseSimulateArgs(args);
      expect(parsed.kind).toBe('error');
      expect(parsed.kind === 'error' && parsed.message).toContain(message);
    }
  });

  it('asks for help with -h or --help, wherever it stands', () => {
    expect(parseSimulateArgs(['--accounts', '2', '-h'])).toEqual({ kind: 'help' });
    expect(parseSimulateArgs(['--help'])).toEqual({ kind: 'help' });
  });
});
