import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import {
  type ChargeRequest,
  PaymentDeclinedError,
  paymentIdempotencyKey,
} from '../../../activities/payments/index.js';
import {
  createTestPaymentAdapter,
  readPaymentLog,
  successfulCharges,
} from '../../../activities/payments/test-adapter.js';
import { paymentFiles } from '../../harness/payments.js';

const cycleStart = Date.UTC(2026, 10, 1);

function request(accountId: string, attempt = 1, amountMinor = 1234n): ChargeRequest {
  return {
    idempotencyKey: paymentIdempotencyKey(accountId, new Date(cycleStart).toISOString(), attempt),
    accountId,
    cycleStart,
    attempt,
    amountMinor,
    currency: 'EUR',
  };
}

/** 'answered' if the call settles within `ms`, else 'no answer'. */
function settlesWithin(call: Promise<unknown>, ms: number): Promise<'answered' | 'no answer'> {
  return Promise.race([
    call.then(
      () => 'answered' as const,
      () => 'answered' as const,
    ),
    sleep(ms).then(() => 'no answer' as const),
  ]);
}

function setup(label: string, hangMs = 150) {
  const files = paymentFiles(label);
  const gateway = createTestPaymentAdapter({
    logPath: files.logPath,
    controlPath: files.controlPath,
    hangMs,
  });
  return { files, gateway };
}

describe('the test payment gateway', () => {
  it('charges when there is no control file, logging the whole request', async () => {
    const { files, gateway } = setup('succeed');
    expect(existsSync(files.controlPath)).toBe(false);
    const charge = request('acme', 1, 2n ** 60n);

    const result = await gateway.charge(charge);

    expect(result).toEqual({ reference: `ch_acme:2026-11-01T00:00:00.000Z:1` });
    const lines = files.log();
    expect(lines).toEqual([
      {
        at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/) as unknown,
        pid: process.pid,
        idempotencyKey: 'acme:2026-11-01T00:00:00.000Z:1',
        accountId: 'acme',
        cycleStart,
        attempt: 1,
        amountMinor: '1152921504606846976',
        currency: 'EUR',
        outcome: 'charged',
        reference: 'ch_acme:2026-11-01T00:00:00.000Z:1',
      },
    ]);
    expect(successfulCharges(lines)).toEqual(lines);
  });

  it('replays a charged key: the same reference, nothing new charged', async () => {
    const { files, gateway } = setup('replay');
    const first = await gateway.charge(request('acme'));
    const again = await gateway.charge(request('acme'));
    expect(again).toEqual(first);
    expect(files.log().map((line) => [line.outcome, line.reference])).toEqual([
      ['charged', first.reference],
      ['replayed', first.reference],
    ]);
    expect(files.successfulCharges()).toHaveLength(1);

    // A new attempt is a new key, so a new charge.
    const second = await gateway.charge(request('acme', 2));
    expect(second.reference).toBe('ch_acme:2026-11-01T00:00:00.000Z:2');
    expect(files.successfulCharges('acme').map((line) => line.attempt)).toEqual([1, 2]);
  });

  it('declines with PaymentDeclinedError, card_declined, and charges nothing', async () => {
    const { files, gateway } = setup('decline');
    files.setBehaviour('default', 'decline');

    const error = await gateway.charge(request('acme')).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );

    expect(error).toBeInstanceOf(PaymentDeclinedError);
    expect(error).toMatchObject({
      name: 'PaymentDeclinedError',
      declineCode: 'card_declined',
      message: expect.stringMatching(/card declined for account acme/) as unknown,
    });
    expect(files.log().map((line) => line.outcome)).toEqual(['declined']);
    expect(files.log()[0]).not.toHaveProperty('reference');
    expect(files.successfulCharges()).toEqual([]);
  });

  it('timeout-once: the first call for a key logs timed_out and does not answer; the next charges', async () => {
    const hangMs = 150;
    const { files, gateway } = setup('timeout', hangMs);
    files.setBehaviour('acme', 'timeout-once');

    const started = Date.now();
    const first = gateway.charge(request('acme'));
    expect(await settlesWithin(first, 40)).toBe('no answer');
    expect(files.log().map((line) => line.outcome)).toEqual(['timed_out']);

    // The caller gave up and retries with the same key while the first call still hangs.
    const retry = await gateway.charge(request('acme'));
    expect(retry.reference).toBe('ch_acme:2026-11-01T00:00:00.000Z:1');

    await expect(first).rejects.toThrow(/no answer within 150 ms/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(hangMs - 5);
    expect(files.log().map((line) => line.outcome)).toEqual(['timed_out', 'charged']);
    expect(files.successfulCharges()).toHaveLength(1);

    // Once per key: another attempt's first call times out too.
    const other = gateway.charge(request('acme', 2));
    expect(await settlesWithin(other, 40)).toBe('no answer');
    await expect(other).rejects.toThrow(/timeout-once/);
    expect(files.log().map((line) => [line.attempt, line.outcome])).toEqual([
      [1, 'timed_out'],
      [1, 'charged'],
      [2, 'timed_out'],
    ]);
  });

  it('hang-after-charge-once: charges, then hangs; a retry of the key is a replay', async () => {
    const { files, gateway } = setup('hang', 150);
    files.setBehaviour('default', 'hang-after-charge-once');

    const first = gateway.charge(request('acme'));
    expect(await settlesWithin(first, 40)).toBe('no answer');
    expect(files.log().map((line) => line.outcome)).toEqual(['charged', 'hung_after_charge']);

    // The replacement worker's attempt, while the killed one never answers.
    const retry = await gateway.charge(request('acme'));
    expect(retry.reference).toBe('ch_acme:2026-11-01T00:00:00.000Z:1');
    expect(files.log().map((line) => line.outcome)).toEqual([
      'charged',
      'hung_after_charge',
      'replayed',
    ]);

    await expect(first).resolves.toEqual(retry);
    expect(files.successfulCharges()).toHaveLength(1);
  });

  it('takes an account’s own behaviour over the default, and re-reads the file at every call', async () => {
    const { files, gateway } = setup('switching');
    writeFileSync(
      files.controlPath,
      JSON.stringify({ default: 'decline', accounts: { good: 'succeed' } }),
    );
    await expect(gateway.charge(request('good'))).resolves.toEqual({
      reference: 'ch_good:2026-11-01T00:00:00.000Z:1',
    });
    await expect(gateway.charge(request('bad'))).rejects.toBeInstanceOf(PaymentDeclinedError);

    // Edited between calls: the declined key is taken afresh and charges.
    writeFileSync(files.controlPath, JSON.stringify({ accounts: { good: 'decline' } }));
    await expect(gateway.charge(request('bad'))).resolves.toEqual({
      reference: 'ch_bad:2026-11-01T00:00:00.000Z:1',
    });
    // A charged key is replayed even when its account now declines.
    await expect(gateway.charge(request('good'))).resolves.toEqual({
      reference: 'ch_good:2026-11-01T00:00:00.000Z:1',
    });
    await expect(gateway.charge(request('good', 2))).rejects.toBeInstanceOf(PaymentDeclinedError);

    // The harness edits the same file.
    files.setBehaviour('good', 'succeed');
    await expect(gateway.charge(request('good', 2))).resolves.toEqual({
      reference: 'ch_good:2026-11-01T00:00:00.000Z:2',
    });
    // No file: succeed.
    rmSync(files.controlPath);
    await expect(gateway.charge(request('bad', 2))).resolves.toEqual({
      reference: 'ch_bad:2026-11-01T00:00:00.000Z:2',
    });

    expect(files.log().map((line) => `${line.accountId}/${line.attempt} ${line.outcome}`)).toEqual([
      'good/1 charged',
      'bad/1 declined',
      'bad/1 charged',
      'good/1 replayed',
      'good/2 declined',
      'good/2 charged',
      'bad/2 charged',
    ]);
    expect(files.successfulCharges('good').map((line) => line.attempt)).toEqual([1, 2]);
    expect(files.successfulCharges('bad').map((line) => line.attempt)).toEqual([1, 2]);
  });

  it('refuses a control file with an unknown behaviour, naming it', async () => {
    const { files, gateway } = setup('invalid');
    writeFileSync(files.controlPath, JSON.stringify({ accounts: { acme: 'explode' } }));
    await expect(gateway.charge(request('acme'))).rejects.toThrow(/control\.json[\s\S]*accounts/);
    expect(files.log()).toEqual([]);
  });

  it('reads a missing log as empty', () => {
    const { files } = setup('empty');
    expect(readPaymentLog(join(files.logPath, '..', 'never-written.jsonl'))).toEqual([]);
    expect(files.log()).toEqual([]);
  });
});
