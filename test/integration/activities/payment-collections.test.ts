import { describe, expect, it } from 'vitest';
import { createLedgerPaymentAdapter } from '../../../activities/payments/ledger-adapter.js';
import { type ChargeRequest, paymentIdempotencyKey } from '../../../activities/payments/port.js';
import { listCollections, recordCollection } from '../../../db/repositories/payment-collections.js';
import { useTestDatabase } from '../../harness/stack.js';

const cycleStart = Date.UTC(2026, 10, 1, 5, 30);

function request(accountId: string, attempt: number, amountMinor: bigint): ChargeRequest {
  return {
    idempotencyKey: paymentIdempotencyKey(accountId, new Date(cycleStart).toISOString(), attempt),
    accountId,
    cycleStart,
    attempt,
    amountMinor,
    currency: 'JPY',
  };
}

describe('the ledger payment adapter', () => {
  const database = useTestDatabase('payment_collections');

  it('records the amount to collect once per key; a repeat gets the same reference', async () => {
    const ledger = createLedgerPaymentAdapter(database.db);
    const key = 'acme:2026-11-01T05:30:00.000Z:1';

    const first = await ledger.charge(request('acme', 1, 2n ** 62n + 1n));
    const repeat = await ledger.charge(request('acme', 1, 999n));

    expect(first).toEqual({ reference: `collect:${key}` });
    expect(repeat).toEqual(first);
    const rows = await listCollections(database.db, 'acme');
    expect(rows).toEqual([
      {
        idempotency_key: key,
        account_id: 'acme',
        cycle_start: new Date(cycleStart),
        amount_minor: 2n ** 62n + 1n,
        currency: 'JPY',
        created_at: expect.any(Date) as unknown,
      },
    ]);
  });

  it('records distinct attempts as distinct rows, and lists only the account asked for', async () => {
    const ledger = createLedgerPaymentAdapter(database.db);
    const one = await ledger.charge(request('globex', 1, 500n));
    const two = await ledger.charge(request('globex', 2, 500n));
    await ledger.charge(request('initech', 1, 700n));

    expect(one.reference).toBe('collect:globex:2026-11-01T05:30:00.000Z:1');
    expect(two.reference).toBe('collect:globex:2026-11-01T05:30:00.000Z:2');
    const rows = await listCollections(database.db, 'globex');
    expect(rows.map((row) => [row.idempotency_key, row.amount_minor])).toEqual([
      ['globex:2026-11-01T05:30:00.000Z:1', 500n],
      ['globex:2026-11-01T05:30:00.000Z:2', 500n],
    ]);
    expect(await listCollections(database.db, 'nobody')).toEqual([]);
  });

  it('keeps racing records of one key to one row, the same one returned to each', async () => {
    const rows = await Promise.all(
      [100n, 200n, 300n, 400n].map((amount) =>
        recordCollection(database.db, {
          idempotency_key: 'race:1',
          account_id: 'race',
          cycle_start: new Date(cycleStart),
          amount_minor: amount,
          currency: 'EUR',
        }),
      ),
    );
    expect(new Set(rows.map((row) => row.amount_minor)).size).toBe(1);
    expect(rows.every((row) => row.created_at.getTime() === rows[0]!.created_at.getTime())).toBe(
      true,
    );
    expect(await listCollections(database.db, 'race')).toEqual([rows[0]]);
  });
});
