import { describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { findProbe, recordProbeOnce } from '../../../db/repositories/probes.js';
import { useTestDatabase } from '../../harness/stack.js';

describe('probes repository', () => {
  const database = useTestDatabase('probes');

  const probe = (probeId: string, worker: string, attempt: number) => ({
    probe_id: probeId,
    worker_identity: worker,
    activity_attempt: attempt,
    email_message_id: `<probe.${probeId}@billing.local>`,
  });

  it('keeps the first write of a probe id; a retry gets that row back', async () => {
    const first = await recordProbeOnce(database.db, probe('p-1', 'worker-a', 1));
    const retry = await recordProbeOnce(database.db, probe('p-1', 'worker-b', 2));
    expect(retry).toEqual(first);
    expect(first).toMatchObject({ worker_identity: 'worker-a', activity_attempt: 1 });
    const count = await database.db
      .selectFrom('probes')
      .select((eb) => eb.fn.countAll<bigint>().as('n'))
      .where('probe_id', '=', 'p-1')
      .executeTakeFirstOrThrow();
    expect(count.n).toBe(1n);
  });

  it('keeps racing first attempts to one row', async () => {
    const rows = await Promise.all(
      ['w1', 'w2', 'w3', 'w4'].map((w) => recordProbeOnce(database.db, probe('p-race', w, 1))),
    );
    expect(new Set(rows.map((r) => r.id)).size).toBe(1);
  });

  it('reads int8 as an exact bigint, beyond what a JS number holds', async () => {
    const big = 2n ** 62n + 1n;
    const { rows } = await sql<{ v: bigint }>`SELECT ${big.toString()}::int8 AS v`.execute(
      database.db,
    );
    expect(rows[0]?.v).toBe(big);
    const row = await recordProbeOnce(database.db, probe('p-int8', 'w', 1));
    expect(typeof row.id).toBe('bigint');
    expect(row.created_at).toBeInstanceOf(Date);
  });

  it('finds nothing for an unknown probe id', async () => {
    expect(await findProbe(database.db, 'never-written')).toBeUndefined();
  });
});
