import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { runProbeWorkflow } from '../../client/probe.js';
import { findProbe } from '../../db/repositories/probes.js';
import { createTestDatabase } from '../harness/database.js';
import { uniqueRecipient, waitForMessagesTo } from '../harness/mailbox.js';
import { useStack } from '../harness/stack.js';

describe('the test harness: real Temporal, PostgreSQL and SMTP', () => {
  const bed = useStack('harness', { workers: {} });

  it('runs a workflow whose activity writes a row to PostgreSQL and sends an email the SMTP server receives', async () => {
    const probeId = randomUUID();
    const recipient = uniqueRecipient('harness');
    const result = await bed.workers.runUntil(
      runProbeWorkflow(bed.temporal, bed.config, { probeId, recipient, timeoutMs: 30_000 }),
    );

    const row = await findProbe(bed.database.db, probeId);
    expect(row).toBeDefined();
    expect(typeof row!.id).toBe('bigint'); // int8 comes back exact, not as a string or float
    expect(row).toMatchObject({
      probe_id: probeId,
      worker_identity: `in-process-${process.pid}`,
      activity_attempt: 1,
      email_message_id: `<probe.${probeId}@billing.local>`,
    });
    expect(result).toEqual({
      probeId,
      rowId: row!.id.toString(),
      workerIdentity: row!.worker_identity,
      activityAttempt: 1,
      emailMessageId: row!.email_message_id,
    });

    const [message, ...more] = await waitForMessagesTo(recipient);
    expect(more).toHaveLength(0);
    expect(message!.messageId).toBe(`probe.${probeId}@billing.local`);
    expect(message!.subject).toBe(`Billing probe ${probeId}`);
    expect(message!.to).toEqual([recipient]);
    expect(message!.from).toBe('billing@localhost');
    expect(message!.text).toContain(`(row ${row!.id})`);
  });

  it('gives each test file a database of its own', async () => {
    const other = await createTestDatabase('harness_other');
    try {
      expect(other.name).not.toBe(bed.database.name);
      await bed.workers.runUntil(
        runProbeWorkflow(bed.temporal, bed.config, {
          probeId: 'only-in-the-first',
          recipient: uniqueRecipient('isolation'),
          timeoutMs: 30_000,
        }),
      );
      expect(await findProbe(bed.database.db, 'only-in-the-first')).toBeDefined();
      expect(await findProbe(other.db, 'only-in-the-first')).toBeUndefined();
    } finally {
      await other.drop();
    }
  });
});
