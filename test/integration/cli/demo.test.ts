import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firstCycleSpan, makeCalendar } from '../../../billing/calendar.js';
import { parseLocalDateTime } from '../../../billing/units.js';
import { demoSetup, DEMO_GRACE_SECONDS } from '../../../cli/demo/accounts.js';
import { creditsText, moneyText, runDemo } from '../../../cli/demo/run-demo.js';
import { countCalls, listRejections } from '../../../db/repositories/calls.js';
import { listInvoices } from '../../../db/repositories/invoices.js';
import { listNotifications } from '../../../db/repositories/notifications.js';
import { freePort } from '../../../scripts/stack/ports.js';
import { accountTestbed, previewOfRecorded, type AccountTestbed } from '../../harness/accounts.js';
import { runBilling } from '../../harness/cli.js';
import { messagesTo } from '../../harness/mailbox.js';
import {
  harnessConfig,
  harnessEnv,
  inProcessWorkers,
  type InProcessWorkers,
  uniqueTaskQueue,
} from '../../harness/workers.js';

function printedTo(out: PassThrough): () => string {
  let printed = '';
  out.on('data', (chunk: Buffer) => (printed += chunk.toString()));
  return () => printed;
}

describe('the demo', () => {
  let bed: AccountTestbed;
  let workers: InProcessWorkers;

  beforeAll(async () => {
    bed = await accountTestbed('demo');
    workers = await inProcessWorkers(bed.database, bed.taskQueue);
  });
  afterAll(async () => {
    await workers?.close();
    await bed?.close();
  });

  it('builds 2 plans, 3 accounts whose first full cycle ends soon, and a few hundred calls', () => {
    const now = Date.now();
    const setup = demoSetup('t1', now, 15_000);
    expect(setup.cycleEnd % 1000).toBe(0);
    expect(setup.cycleEnd - now).toBeGreaterThanOrEqual(15_000);
    expect(setup.cycleEnd - now).toBeLessThan(16_000);
    expect(setup.plans).toHaveLength(2);
    expect(new Set(setup.accounts.map((a) => a.planId)).size).toBe(2);
    expect(new Set(setup.accounts.map((a) => a.timeZone)).size).toBe(3);
    // Another run gets other ids.
    expect(demoSetup('t2', now, 15_000).accounts.map((a) => a.id)).not.toEqual(
      setup.accounts.map((a) => a.id),
    );

    let events = 0;
    for (const a of setup.accounts) {
      expect(a.id).toMatch(/-t1$/);
      expect(a.graceSeconds).toBe(DEMO_GRACE_SECONDS);
      // A full month, created on the boundary before the one ending the cycle.
      const createdAt = Date.parse(a.createdAt);
      const calendar = makeCalendar(a.timeZone, createdAt, parseLocalDateTime(a.billingAnchor)!);
      const span = firstCycleSpan(calendar, createdAt);
      expect(span).toMatchObject({ start: createdAt, end: setup.cycleEnd, fullStart: createdAt });
      expect(setup.cycleEnd - createdAt).toBeGreaterThan(27 * 86_400_000);

      const calls = a.steps.flatMap((s) => (s.kind === 'call' ? [s.event] : []));
      expect(new Set(calls.map((c) => c.callId)).size).toBe(calls.length);
      for (const call of calls) {
        const answered = Date.parse(String(call.answeredAt));
        const ended = Date.parse(String(call.endedAt));
        expect(answered).toBeGreaterThan(createdAt);
        expect(ended).toBeLessThan(now);
        expect(ended - answered).toBeGreaterThanOrEqual(20_000);
        expect(ended - answered).toBeLessThan(901_000);
      }
      for (const s of a.steps) if (s.kind === 'redelivery') expect(calls).toContain(s.event);
      expect(a.steps.filter((s) => s.kind === 'bad').length).toBeGreaterThanOrEqual(1);
      events += a.steps.filter((s) => s.kind !== 'purchase').length;
    }
    expect(events).toBeGreaterThanOrEqual(300);
    expect(events).toBeLessThan(1000);
    const steps = setup.accounts.flatMap((a) => a.steps);
    expect(steps.filter((s) => s.kind === 'purchase')).toHaveLength(1);
    expect(steps.filter((s) => s.kind === 'redelivery').length).toBeGreaterThan(0);
  });

  it('runs through the account workflows, closes every first cycle, and prints what the usage query and PostgreSQL hold', async () => {
    const out = new PassThrough();
    const printed = printedTo(out);
    const config = harnessConfig(bed.database, bed.taskQueue);
    const { db } = bed.database;

    await workers.runUntil(
      (async () => {
        const run = await runDemo(config, out, { workerWaitMs: 30_000 });
        const text = printed();
        expect(run.accounts).toHaveLength(3);
        const rows = new Map(
          text
            .split('\n')
            .map((line) => line.split(/ {2,}/))
            .filter((cells) => run.accounts.some((a) => a.spec.id === cells[0]))
            .map((cells) => [cells[0]!, cells]),
        );
        expect(rows.size).toBe(3);

        for (const report of run.accounts) {
          const { id } = report.spec;
          // The test's own query, after the demo: the closed cycle as the workflow holds it.
          const usage = await bed.billing.usage(id);
          const closed = usage.closedCycles.find((c) => c.index === 0)!;
          expect(closed.closed).toBe(true);
          expect(closed.end).toBe(new Date(run.cycleEnd).toISOString());
          expect(closed.invoice).not.toBeNull();

          const calls = await countCalls(db, id);
          const rejections = await listRejections(db, id);
          const [invoice, ...more] = await listInvoices(db, id);
          const emails = await listNotifications(db, id);
          expect(more).toEqual([]);

          const row = rows.get(id)!;
          expect(row).toEqual([
            id,
            report.spec.timeZone,
            report.spec.planId,
            String(calls),
            `${creditsText(closed.usedMillicredits)} / ${creditsText(closed.availableMillicredits)}`,
            creditsText(closed.overageMillicredits),
            moneyText(String(invoice!.amount_minor), invoice!.currency),
            invoice!.status,
            closed.alerts.map((a) => `${a.thresholdPercent}%`).join(' ') || '-',
            String(emails.length),
            String(rejections.length),
          ]);
          // Every email the outbox sent reached the SMTP server (Mailpit), each once.
          expect(emails.every((e) => e.status === 'sent')).toBe(true);
          expect(emails.some((e) => e.kind === 'statement')).toBe(true);
          const inbox = await messagesTo(report.spec.billingEmail);
          expect(inbox.map((m) => `<${m.messageId}>`).sort()).toEqual(
            emails.map((e) => e.message_id).sort(),
          );
          expect(text).toContain(report.spec.billingEmail);
          expect(closed.invoice!.status).toBe(invoice!.status);
          expect(closed.overageChargeMinor).toBe(String(invoice!.amount_minor));

          // Every distinct call counted once, the bad event rejected, nothing else.
          expect(calls).toBe(report.sent.calls);
          expect(rejections).toHaveLength(report.sent.bad);

          // The core's figures for exactly what PostgreSQL recorded.
          const preview = await previewOfRecorded(bed.database, id, Date.now());
          const first = preview.cycles[0]!;
          expect(first.closed).toBe(true);
          expect(String(first.usedMillicredits)).toBe(closed.usedMillicredits);
          expect(String(first.purchasedMillicredits)).toBe(closed.purchasedMillicredits);
          expect(String(first.overageChargeMinor)).toBe(closed.overageChargeMinor);
          expect(first.alerts).toEqual(closed.alerts);
          expect(preview.rejected.map((r) => r.reason).sort()).toEqual(
            rejections.map((r) => r.reason).sort(),
          );

          expect(text).toContain(
            `${config.temporal.uiUrl}/namespaces/default/workflows/billing-${id}`,
          );
          const described = await bed.billing.handle(id).describe();
          expect(described.type).toBe('accountBilling');
        }

        // The story: one account in overage and charged, one bought credits, rejections shown.
        const cycles = run.accounts.map((a) => a.cycle);
        const charged = cycles.filter((c) => BigInt(c.overageChargeMinor ?? '0') > 0n);
        expect(charged.length).toBeGreaterThanOrEqual(1);
        for (const c of charged) expect(c.invoice?.status).toBe('paid');
        expect(cycles.filter((c) => c.purchasedMillicredits !== '0')).toHaveLength(1);
        expect(text).toMatch(/answer_required|ended_before_answered|invalid_event/);
        expect(text).toContain(`Mailpit ${config.smtp.inboxUrl}`);
      })(),
    );
  });

  it('fails with a clear message when no worker polls the task queue', async () => {
    const out = new PassThrough();
    const config = harnessConfig(bed.database, uniqueTaskQueue('demo-idle'));
    await expect(runDemo(config, out, { workerWaitMs: 500 })).rejects.toThrow(
      /no worker polls task queue 'test-demo-idle-[0-9a-f]+'/,
    );
  });

  it('`billing demo` exits 1 naming the address when Temporal does not answer', async () => {
    const env = {
      ...harnessEnv(bed.database, bed.taskQueue),
      TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}`,
    };
    const result = await runBilling(['demo'], env);
    expect(result.stderr).toMatch(/^billing demo: cannot reach Temporal at 127\.0\.0\.1:\d+/);
    expect(result.stderr).toContain('start the stack first: npm run dev');
    expect(result.code).toBe(1);
  });
});
