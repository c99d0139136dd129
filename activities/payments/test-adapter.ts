/**
 * A scripted card gateway for tests. Worker processes are SIGKILLed and replaced mid-charge, so it
 * keeps no memory of its own: what to do is read from a control file at every call, and what
 * happened is appended to a log file (JSON lines) that every process, and the test, reads.
 *
 * The control file is `{ "default": B, "accounts": { "<accountId>": B } }` (both optional; a
 * missing file means `succeed`), where B is a {@link PaymentBehaviour}.
 */
import { appendFileSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { type ChargeRequest, PaymentDeclinedError, type PaymentPort } from './port.js';

const behaviourSchema = z.enum(['succeed', 'decline', 'timeout-once', 'hang-after-charge-once']);

/**
 * - `succeed`: charge.
 * - `decline`: refuse with {@link PaymentDeclinedError} (`card_declined`).
 * - `timeout-once`: the first call for a key charges nothing, waits `hangMs` and then fails, so
 *   the caller's timeout fires first; later calls for the key succeed.
 * - `hang-after-charge-once`: charge, then wait `hangMs` before answering, as a worker killed
 *   right after the charge call; later calls for the key are replays of that charge.
 */
export type PaymentBehaviour = z.infer<typeof behaviourSchema>;

const controlSchema = z.object({
  default: behaviourSchema.optional(),
  accounts: z.record(z.string(), behaviourSchema).optional(),
});

/** The control file's content. */
export type PaymentControl = z.infer<typeof controlSchema>;

/**
 * What one call did: `charged` (a new charge), `replayed` (the key was already charged: the same
 * reference, nothing new charged), `declined`, `timed_out`, `hung_after_charge` (logged after
 * that call's `charged` line).
 */
export type PaymentOutcome =
  'charged' | 'replayed' | 'declined' | 'timed_out' | 'hung_after_charge';

/** One line of the log: one per call (two for a call that hangs after charging). */
export interface PaymentLogLine {
  /** ISO time of the write. */
  readonly at: string;
  /** The process that took the call: tells a replacement worker's calls from the killed one's. */
  readonly pid: number;
  readonly idempotencyKey: string;
  readonly accountId: string;
  readonly cycleStart: number;
  readonly attempt: number;
  /** The bigint amount as a decimal string (JSON has no bigint). */
  readonly amountMinor: string;
  readonly currency: string;
  readonly outcome: PaymentOutcome;
  /** Set on `charged`, `replayed` and `hung_after_charge`. */
  readonly reference?: string;
}

export interface TestPaymentAdapterOptions {
  readonly logPath: string;
  readonly controlPath: string;
  /** How long `timeout-once` and `hang-after-charge-once` leave a call unanswered (10 min). */
  readonly hangMs?: number;
}

/**
 * The gateway. A key that has a `charged` line is replayed whatever the behaviour, as a gateway
 * answers a repeated idempotency key with its first result; a decline or timeout charged nothing,
 * so a later call with the key is taken afresh.
 *
 * Deciding and logging are synchronous (no await between reading the log and appending to it), so
 * calls in one process never interleave there; across processes, Temporal runs one attempt of an
 * activity at a time, and an attempt left hanging has already written its lines.
 */
export function createTestPaymentAdapter(options: TestPaymentAdapterOptions): PaymentPort {
  const { logPath, controlPath, hangMs = 10 * 60_000 } = options;
  return {
    async charge(request) {
      const behaviour = behaviourFor(controlPath, request.accountId);
      const earlier = readPaymentLog(logPath).filter(
        (line) => line.idempotencyKey === request.idempotencyKey,
      );
      const reference = `ch_${request.idempotencyKey}`;
      const log = (outcome: PaymentOutcome) => appendLine(logPath, request, outcome, reference);

      if (earlier.some((line) => line.outcome === 'charged')) {
        log('replayed');
        return { reference };
      }
      switch (behaviour) {
        case 'decline':
          log('declined');
          throw new PaymentDeclinedError(
            `test gateway: card declined for account ${request.accountId} (key ${request.idempotencyKey})`,
            'card_declined',
          );
        case 'timeout-once':
          if (!earlier.some((line) => line.outcome === 'timed_out')) {
            log('timed_out');
            await sleep(hangMs);
            throw new Error(
              `test gateway: no answer within ${hangMs} ms for key ${request.idempotencyKey} (timeout-once)`,
            );
          }
          log('charged');
          return { reference };
        case 'hang-after-charge-once':
          // "Once" needs no check of its own: the next call for the key finds `charged`.
          log('charged');
          log('hung_after_charge');
          await sleep(hangMs);
          return { reference };
        case 'succeed':
          log('charged');
          return { reference };
      }
    },
  };
}

/** Every line of the log, oldest first; none if nothing was logged yet (no file). */
export function readPaymentLog(logPath: string): PaymentLogLine[] {
  const text = readIfExists(logPath);
  if (text === undefined) return [];
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as PaymentLogLine);
}

/** The lines that charged money: exactly one per key that was ever charged. */
export function successfulCharges(lines: readonly PaymentLogLine[]): PaymentLogLine[] {
  return lines.filter((line) => line.outcome === 'charged');
}

/** The behaviour for the account now: its own, else the default, else `succeed`. */
function behaviourFor(controlPath: string, accountId: string): PaymentBehaviour {
  const text = readIfExists(controlPath);
  if (text === undefined) return 'succeed';
  const parsed = controlSchema.safeParse(JSON.parse(text));
  if (!parsed.success) {
    throw new Error(`test gateway control file ${controlPath}: ${z.prettifyError(parsed.error)}`);
  }
  return parsed.data.accounts?.[accountId] ?? parsed.data.default ?? 'succeed';
}

/**
 * One write with O_APPEND: lines from several processes never interleave within a line. The
 * reference is logged only for outcomes that answer with it.
 */
function appendLine(
  logPath: string,
  request: ChargeRequest,
  outcome: PaymentOutcome,
  reference: string,
): void {
  const answered = outcome !== 'declined' && outcome !== 'timed_out';
  const line: PaymentLogLine = {
    at: new Date().toISOString(),
    pid: process.pid,
    idempotencyKey: request.idempotencyKey,
    accountId: request.accountId,
    cycleStart: request.cycleStart,
    attempt: request.attempt,
    amountMinor: request.amountMinor.toString(),
    currency: request.currency,
    outcome,
    ...(answered ? { reference } : {}),
  };
  appendFileSync(logPath, `${JSON.stringify(line)}\n`);
}

function readIfExists(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
