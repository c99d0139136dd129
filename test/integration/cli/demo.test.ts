import { PassThrough } from 'node:stream';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPreview } from '../../../billing/preview.js';
import { statementText } from '../../../activities/demo.js';
import { demoAccounts } from '../../../cli/demo/accounts.js';
import { runDemo } from '../../../cli/demo/run-demo.js';
import { deliveriesOf } from '../../../db/repositories/demo-call-deliveries.js';
import { createTestDatabase, type TestDatabase } from '../../harness/database.js';
import { waitForMessagesTo } from '../../harness/mailbox.js';
import {
  connectTestClient,
  harnessConfig,
  type InProcessWorkers,
  inProcessWorkers,
  uniqueTaskQueue,
} from '../../harness/workers.js';

const until = new Date('2026-03-15T12:00:00.000Z');

describe('the first demo', () => {
  let database: TestDatabase;
  let workers: InProcessWorkers;
  let client: Client;
  const taskQueue = uniqueTaskQueue('demo');

  beforeAll(async () => {
    database = await createTestDatabase('demo');
    workers = await inProcessWorkers(database, taskQueue);
    client = await connectTestClient();
  });
  afterAll(async () => {
    await client?.connection.close();
    await workers?.close();
    await database?.drop();
  });

  it('generates a few accounts and a few hundred calls, reproducibly', () => {
    const specs = demoAccounts(until);
    expect(specs.map((s) => s.account.id)).toEqual(['acme-dental', 'bistro-42', 'city-clinic']);
    const calls = specs.reduce((n, s) => n + s.deliveries.length, 0);
    expect(calls).toBeGreaterThanOrEqual(300);
    expect(calls).toBeLessThan(1000);
    expect(demoAccounts(until)).toEqual(specs);
    for (const spec of specs) {
      const arrivals = spec.deliveries.map((d) => d.arrivedAt);
      expect(arrivals).toEqual([...arrivals].sort());
      expect(arrivals.at(-1)! <= until.toISOString()).toBe(true);
    }
  });

  it('runs a workflow per account that stores the calls, rates them with the core and emails the statement', async () => {
    const out = new PassThrough();
    let printed = '';
    out.on('data', (chunk: Buffer) => (printed += chunk.toString()));
    const config = harnessConfig(database, taskQueue);

    const run = await workers.runUntil(runDemo(config, out, until));

    expect(run.runId).toBe('20260315-120000');
    const specs = demoAccounts(until);
    for (const [i, spec] of specs.entries()) {
      const result = run.results[i]!;
      // Every delivery is in PostgreSQL, as sent.
      const stored = await deliveriesOf(database.db, run.runId, spec.account.id);
      expect(result.storedDeliveries).toBe(spec.deliveries.length);
      expect(stored.map((d) => d.event)).toEqual(spec.deliveries.map((d) => d.event));
      expect(stored.map((d) => d.arrived_at.toISOString())).toEqual(
        spec.deliveries.map((d) => d.arrivedAt),
      );

      // The statement is what the core gives for the generated traffic.
      const expected = runPreview({
        account: spec.account,
        plan: spec.plan,
        until: until.toISOString(),
        operations: spec.deliveries.map((d) => ({ at: d.arrivedAt, type: 'call', event: d.event })),
      });
      const { statement } = result;
      expect(statement.accountId).toBe(spec.account.id);
      expect(statement.duplicates).toBe(expected.duplicates);
      expect(statement.rejected).toEqual(expected.rejected);
      expect(
        statement.cycles.map((c) => [c.start, c.usedMillicredits, c.overageChargeMinor]),
      ).toEqual(
        expected.cycles.map((c) => [
          c.start,
          c.usedMillicredits.toString(),
          c.overageChargeMinor?.toString() ?? null,
        ]),
      );
      expect(statement.cycles.length).toBeGreaterThanOrEqual(2);
      expect(statement.duplicates).toBeGreaterThan(0);
      expect(statement.rejected.map((r) => r.reason)).toContain('ended_before_answered');

      // The owner received the statement, once, with its stable Message-ID.
      const mail = await waitForMessagesTo(spec.owner);
      expect(mail.map((m) => m.messageId)).toEqual([
        `demo-statement.${run.runId}.${spec.account.id}@billing.local`,
      ]);
      expect(mail[0]!.text.trim()).toBe(statementText(run.runId, statement).trim());

      // The printed table has a row per cycle of the account.
      const rows = printed.split('\n').filter((l) => l.startsWith(`${spec.account.id} `));
      expect(rows).toHaveLength(statement.cycles.length);
    }
    expect(printed).toContain('Usage as of 2026-03-15 12:00 UTC');
    // The demo shows overage being charged for at least one closed cycle.
    const charged = run.results.flatMap((r) =>
      r.statement.cycles.filter((c) => c.closed && c.overageChargeMinor !== '0'),
    );
    expect(charged.length).toBeGreaterThan(0);

    // The workflows ran on Temporal and are there to look at.
    const described = await client.workflow.getHandle(`demo-${run.runId}-acme-dental`).describe();
    expect(described.status.name).toBe('COMPLETED');
    expect(described.type).toBe('demoAccountWorkflow');
  });
});
