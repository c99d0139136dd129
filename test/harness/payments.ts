/**
 * The test payment gateway's files for integration tests: a fresh temporary directory per call, so
 * files running in parallel never share a log. Pass `logPath` and `controlPath` to workers as
 * PAYMENT_TEST_LOG and PAYMENT_TEST_CONTROL (with PAYMENT_ADAPTER=test).
 */
import { mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type PaymentBehaviour,
  type PaymentControl,
  type PaymentLogLine,
  readPaymentLog,
  successfulCharges,
} from '../../activities/payments/test-adapter.js';

export interface PaymentFiles {
  readonly logPath: string;
  readonly controlPath: string;
  /**
   * Sets one account's behaviour, or with `'default'` the behaviour of accounts without one of
   * their own; the gateway reads it at its next call, in whichever process.
   */
  setBehaviour(accountId: string, behaviour: PaymentBehaviour): void;
  /** Every call the gateway logged, oldest first. */
  log(): PaymentLogLine[];
  /** The calls that charged money, of one account or of all. */
  successfulCharges(accountId?: string): PaymentLogLine[];
}

/** The gateway's files under a new directory of `os.tmpdir()`; no control file means `succeed`. */
export function paymentFiles(label: string): PaymentFiles {
  const dir = mkdtempSync(join(tmpdir(), `payments-${label.replace(/[^A-Za-z0-9-]+/g, '_')}-`));
  const logPath = join(dir, 'calls.jsonl');
  const controlPath = join(dir, 'control.json');
  const control = (): PaymentControl => {
    try {
      return JSON.parse(readFileSync(controlPath, 'utf8')) as PaymentControl;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw error;
    }
  };
  return {
    logPath,
    controlPath,
    setBehaviour(accountId, behaviour) {
      const current = control();
      const next: PaymentControl =
        accountId === 'default'
          ? { ...current, default: behaviour }
          : { ...current, accounts: { ...current.accounts, [accountId]: behaviour } };
      // Write then rename: a worker reading the file mid-update sees the old or the new, whole.
      const temporary = `${controlPath}.${process.pid}.tmp`;
      writeFileSync(temporary, JSON.stringify(next, null, 2));
      renameSync(temporary, controlPath);
    },
    log: () => readPaymentLog(logPath),
    successfulCharges: (accountId) =>
      successfulCharges(readPaymentLog(logPath)).filter(
        (line) => accountId === undefined || line.accountId === accountId,
      ),
  };
}
