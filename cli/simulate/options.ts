/**
 * The options of `billing simulate`, parsed from its arguments without side effects, so bad usage
 * is told precisely (and exits 2) before anything connects to the stack.
 */

/** How fast simulated time is sent: simulated milliseconds per real second, or no pacing. */
export type Speed = { readonly kind: 'paced'; readonly simMsPerSecond: number } | { kind: 'max' };

export interface SimulateOptions {
  readonly accounts: number;
  /** Days of simulated traffic; null for the whole monthly cycle (28 to 31 days). */
  readonly days: number | null;
  readonly speed: Speed;
  readonly seed: number;
  /** The weekday calls each plan is sized for; accounts call about 0.5x to 1.4x that. */
  readonly callsPerDay: number;
  readonly json: boolean;
}

export const DEFAULT_SPEED = '48h';

export const DEFAULT_OPTIONS: SimulateOptions = {
  accounts: 3,
  days: null,
  speed: { kind: 'paced', simMsPerSecond: 48 * 3_600_000 },
  seed: 1,
  callsPerDay: 20,
  json: false,
};

export const SIMULATE_USAGE = `usage: billing simulate [options]

Simulates a month of calls for N accounts on the running stack (\`npm run dev\`): each account's
first cycle spans the simulated month and ends a few seconds after the last call is sent, so the
cycle closes with its invoice, overage charge and statement email. Prints a summary per account.

options:
  --accounts <n>        accounts to simulate, 1 to 500 (default 3)
  --days <d>            days of traffic, 1 to 31 (default: the whole monthly cycle); fewer days
                        than the cycle make a partial first cycle with a prorated allowance
  --speed <s>           simulated time sent per real second: a number of seconds, or with a unit
                        (s, m, h, d), e.g. 90m or 48h; or max, as fast as the stack takes it
                        (default ${DEFAULT_SPEED}: a month in about 15 s)
  --calls-per-day <n>   the weekday calls a plan is sized for, 1 to 5000 (default 20); accounts
                        call 0.5x to 1.4x that, much less at weekends; accounts x calls a day
                        is at most 20000
  --seed <n>            seed of the generated traffic, 0 to 4294967295 (default 1)
  --json                print the summary as JSON on stdout (progress stays on stderr)
  -h, --help            show this help
`;

export type ParsedArgs =
  | { readonly kind: 'run'; readonly options: SimulateOptions }
  | { readonly kind: 'help' }
  | { readonly kind: 'error'; readonly message: string };

const UNIT_MS: Readonly<Record<string, number>> = {
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/** `max`, or simulated time per real second: `90`, `90s`, `15m`, `48h`, `2d`. */
export function parseSpeed(text: string): Speed | undefined {
  if (text === 'max') return { kind: 'max' };
  const match = /^([1-9][0-9]{0,9})(s|m|h|d)?$/.exec(text);
  if (match === null) return undefined;
  const simMsPerSecond = Number(match[1]) * UNIT_MS[match[2] ?? 's']!;
  // At least real time (the regex): slower would send calls before they ended. At most a year.
  return simMsPerSecond > 366 * 86_400_000 ? undefined : { kind: 'paced', simMsPerSecond };
}

function integerIn(text: string, min: number, max: number): number | undefined {
  if (!/^[0-9]{1,10}$/.test(text)) return undefined;
  const n = Number(text);
  return n >= min && n <= max ? n : undefined;
}

/** Weekday calls of all accounts together: the month is generated in memory before it is sent. */
export const MAX_DAILY_CALLS = 20_000;

/** The options that take a value, with what the value must be. */
const VALUE_FLAGS: Readonly<Record<string, string>> = {
  '--accounts': 'a number of accounts from 1 to 500',
  '--days': 'a number of days from 1 to 31',
  '--speed': 'max, or simulated time per real second such as 3600, 90m, 48h or 2d',
  '--seed': 'an integer from 0 to 4294967295',
  '--calls-per-day': 'a number of calls from 1 to 5000',
};

/** Parses the arguments after `simulate`; `--name value` and `--name=value` both work. */
export function parseSimulateArgs(args: readonly string[]): ParsedArgs {
  let options: SimulateOptions = DEFAULT_OPTIONS;
  const seen = new Set<string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '-h' || arg === '--help') return { kind: 'help' };
    const [name, inline] = arg.startsWith('--') ? splitOnce(arg) : [arg, undefined];
    if (name === '--json') {
      if (inline !== undefined) return { kind: 'error', message: '--json takes no value' };
      options = { ...options, json: true };
      continue;
    }
    const expected = VALUE_FLAGS[name];
    if (expected === undefined) {
      return { kind: 'error', message: `unknown option '${arg}'` };
    }
    if (seen.has(name)) return { kind: 'error', message: `${name} given twice` };
    seen.add(name);
    const value = inline ?? args[++i];
    if (value === undefined || value === '') {
      return { kind: 'error', message: `${name} needs a value: ${expected}` };
    }
    const bad = {
      kind: 'error',
      message: `${name}: expected ${expected}, got '${value}'`,
    } as const;
    switch (name) {
      case '--accounts': {
        const accounts = integerIn(value, 1, 500);
        if (accounts === undefined) return bad;
        options = { ...options, accounts };
        break;
      }
      case '--days': {
        const days = integerIn(value, 1, 31);
        if (days === undefined) return bad;
        options = { ...options, days };
        break;
      }
      case '--speed': {
        const speed = parseSpeed(value);
        if (speed === undefined) return bad;
        options = { ...options, speed };
        break;
      }
      case '--seed': {
        const seed = integerIn(value, 0, 4_294_967_295);
        if (seed === undefined) return bad;
        options = { ...options, seed };
        break;
      }
      case '--calls-per-day': {
        const callsPerDay = integerIn(value, 1, 5000);
        if (callsPerDay === undefined) return bad;
        options = { ...options, callsPerDay };
        break;
      }
    }
  }
  if (options.accounts * options.callsPerDay > MAX_DAILY_CALLS) {
    return {
      kind: 'error',
      message:
        `--accounts times --calls-per-day is at most ${MAX_DAILY_CALLS} (about half a million ` +
        `events a month); got ${options.accounts * options.callsPerDay}`,
    };
  }
  return { kind: 'run', options };
}

function splitOnce(arg: string): [string, string | undefined] {
  const at = arg.indexOf('=');
  return at < 0 ? [arg, undefined] : [arg.slice(0, at), arg.slice(at + 1)];
}

/** How a speed reads in messages: `at 48h of calls a second`. */
export function speedText(speed: Speed): string {
  if (speed.kind === 'max') return 'as fast as the stack takes them';
  const ms = speed.simMsPerSecond;
  for (const unit of ['h', 'm'] as const) {
    if (ms % UNIT_MS[unit]! === 0) return `at ${ms / UNIT_MS[unit]!}${unit} of calls a second`;
  }
  return `at ${ms / 1000}s of calls a second`;
}
