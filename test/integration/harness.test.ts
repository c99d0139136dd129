import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runProbeWorkflow } from '../../client/probe.js';
import { findProbe } from '../../db/repositories/probes.js';
import { createTestDatabase, type TestDatabase } from '../harness/database.js';
import { uniqueRecipient, waitForMessagesTo } from '../harness/mailbox.js';
import {
  connectTestClient,
  harnessConfig,
  type InProcessWorkers,
  inProcessWorkers,
  uniqueTaskQueue,
} from '../harness/workers.js';

describe('the test harness: real Temporal, PostgreSQL and SMTP', () => {
  let database: TestDatabase;
  let client: Client;
  let worker: InProcessWorkers;
  const taskQueue = uniqueTaskQueue('harness');

  beforeAll(async () => {
    database = await createTestDatabase('harness');
    client = await connectTestClient();
    worker = await inProcessWorkers(database, taskQueue);
  });

  afterAll(async () => {
    await worker?.close();
    await client?.connection.close();
    await database?.drop();
  });

  it('runs a workflow whose activity writes a row to PostgreSQL and sends an email the SMTP server receives', async () => {
    const probeId = randomUUID();
    const recipient = uniqueRecipient('harness');
    const config = harnessConfig(database, taskQueue);

    const result = await worker.runUntil(
      runProbeWorkflow(client, config, { probeId, recipient, timeoutMs: 30_000 }),
    );

    const row = await findProbe(database.db, probeId);
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
      expect(other.name).not.toBe(database.name);
      await worker.runUntil(
        runProbeWorkflow(client, harnessConfig(database, taskQueue), {
          probeId: 'only-in-the-first',
          recipient: uniqueRecipient('isolation'),
          timeoutMs: 30_000,
        }),
      );
      expect(await findProbe(database.db, 'only-in-the-first')).toBeDefined();
      expect(await findProbe(other.db, 'only-in-the-first')).toBeUndefined();
    } finally {
      await other.drop();
    }
  });
});
