/**
 * Alert emails from the account workflow through the outbox to a real SMTP server that keeps every
 * delivery (no duplicate suppression): each firing arrives once, with the core's numbers.
 */
import { describe, expect, it } from 'vitest';
import { formatInstant } from '../../../billing/units.js';
import { listNotifications } from '../../../db/repositories/notifications.js';
import type { NotificationRow } from '../../../db/schema.js';
import type { NotificationContent } from '../../../billing/notification-content.js';
import {
  completedCall,
  cycleEndingIn,
  growthPlan,
  uniqueAccountId,
  waitForUsage,
} from '../../harness/accounts.js';
import { uniqueRecipient } from '../../harness/mailbox.js';
import { deliveryCounts } from '../../harness/smtp-sink.js';
import { runBilling } from '../../harness/cli.js';
import { useStack } from '../../harness/stack.js';

const bed = useStack('alert-emails', {
  smtpSink: true,
  workers: { running: true, env: { NOTIFY_RETRY_MAX_INTERVAL_MS: '1000' } },
  plans: [growthPlan],
});

/** An account on the Growth plan (10 credits; 50, 80 and 100%), with one billing contact. */
async function newAccount(
  name: string,
  extra: { createdAt?: string; billingAnchor?: string; graceSeconds?: number } = {},
): Promise<{ id: string; to: string }> {
  const id = uniqueAccountId(name);
  const to = uniqueRecipient(name);
  await bed.provisioning.createAccount({
    id,
    planId: 'growth',
    timeZone: 'UTC',
    createdAt: formatInstant(Date.now() - 2 * 86_400_000),
    billingEmails: [to],
    ...extra,
  });
  return { id, to };
}

async function outbox(accountId: string): Promise<NotificationRow[]> {
  return (await listNotifications(bed.database.db, accountId)).reverse();
}

function contentOf(row: NotificationRow): NotificationContent {
  return row.content as NotificationContent;
}

/** What each delivered email was about, in order: `kind:key#firing` from the outbox row. */
async function firings(accountId: string): Promise<string[]> {
  return (await outbox(accountId)).map((r) => `${r.kind}:${r.key}#${r.firing}`);
}

describe('threshold and exhausted emails', () => {
  it('arrive once per firing with the core numbers, despite duplicates and SMTP retries', async () => {
    const { id, to } = await newAccount('once');
    // The first two deliveries are answered "451 try again later": the activity retries.
    bed.sink.failNext(2);
    const half = completedCall(id, 300);
    const more = completedCall(id, 180);
    const rest = completedCall(id, 120);
    await bed.billing.recordCalls(id, [half, half]);
    await bed.billing.sendCallEvent(id, half);
    await bed.billing.recordCalls(id, [more, half, more]);
    await bed.billing.recordCalls(id, [rest, rest, more]);
    const received = await bed.sink.waitFor(to, 3);
    // Nothing more comes: wait past a few retry intervals.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(deliveryCounts(bed.sink.to(to))).toEqual({ deliveries: 3, messageIds: 3 });

    expect(await firings(id)).toEqual(['threshold:50#1', 'threshold:80#1', 'exhausted:credits#1']);
    const rows = await outbox(id);
    expect(rows.map((r) => r.status)).toEqual(['sent', 'sent', 'sent']);
    expect(rows[0]!.attempts).toBe(3);
    expect(rows.map((r) => `<${received[rows.indexOf(r)]!.messageId}>`)).toEqual(
      rows.map((r) => r.message_id),
    );
    // The numbers are the core's: 5, 8 and exactly 10 of 10 credits (>= at exactly 100%).
    const usage = rows.map((r) => {
      const c = contentOf(r);
      return c.kind === 'threshold' || c.kind === 'exhausted'
        ? [c.usage.usedMillicredits, c.usage.availableMillicredits, c.usage.percentUsed]
        : null;
    });
    expect(usage).toEqual([
      ['5000', '10000', 50],
      ['8000', '10000', 80],
      ['10000', '10000', 100],
    ]);
    expect(received[0]!.subject).toContain('50%');
    expect(received[1]!.subject).toContain('80%');
    expect(received[0]!.text).toContain('5 credits');
    expect(received[2]!.text).toContain('10 credits');
    expect(received[0]!.to).toEqual([to]);
    expect(received[0]!.text).toMatch(/\/billing\/[^?\s]+\?expires=\d+&sig=/);

    // Ops read the same rows through the CLI.
    const { env } = bed;
    const listed = await runBilling(['notifications', id, '--json'], env);
    expect(listed.code).toBe(0);
    const json = JSON.parse(listed.stdout) as { kind: string; status: string; attempts: number }[];
    expect(json.map((n) => [n.kind, n.status, n.attempts])).toEqual([
      ['exhausted', 'sent', 1],
      ['threshold', 'sent', 1],
      ['threshold', 'sent', 3],
    ]);
    const text = await runBilling(['notifications', id, '--status', 'sent'], env);
    expect(text.stdout).toContain('threshold:50#1');
    expect((await runBilling(['notifications', id, '--status', 'lost'], env)).code).toBe(2);
  });

  it('sends a re-armed threshold again after a purchase, and again in the next cycle', async () => {
    const cycle = cycleEndingIn(20_000);
    const { id, to } = await newAccount('rearm', { ...cycle, graceSeconds: 2 });
    await bed.billing.recordCalls(id, [completedCall(id, 600)]);
    await bed.sink.waitFor(to, 3);
    // 10 more credits: used 10 of 20 re-arms 80% and `exhausted` (50% stays reached).
    await bed.billing.purchaseCredits(id, { purchaseId: 'top-up-1', credits: '10' });
    await bed.billing.recordCalls(id, [completedCall(id, 360)]);
    await bed.billing.recordCalls(id, [completedCall(id, 240)]);
    await bed.sink.waitFor(to, 6);
    expect(await firings(id)).toEqual([
      'threshold:50#1',
      'threshold:80#1',
      'exhausted:credits#1',
      'receipt:top-up-1#1',
      'threshold:80#2',
      'exhausted:credits#2',
    ]);
    // The next cycle starts with every threshold armed.
    await waitForUsage(bed.billing, id, (u) => u.cycle.index === 1, 'the next cycle', 30_000);
    // A call answered in the new cycle whose end is at most 300 s after its arrival.
    await new Promise((resolve) => setTimeout(resolve, cycle.cycleEnd + 1500 - Date.now()));
    await bed.billing.recordCalls(id, [
      completedCall(id, 300, { answeredAt: cycle.cycleEnd + 500 }),
    ]);
    const all = await bed.sink.waitFor(to, 8);
    const rows = await outbox(id);
    const next = rows.filter((r) => r.cycle_start.getTime() === cycle.cycleEnd);
    expect(next.map((r) => `${r.kind}:${r.key}#${r.firing}`)).toEqual(['threshold:50#1']);
    expect(rows.some((r) => r.kind === 'statement')).toBe(true);
    expect(deliveryCounts(all)).toEqual({ deliveries: 8, messageIds: 8 });
  }, 60_000);

  it('sends nothing for a booking into a cycle in grace; its statement shows it', async () => {
    const cycle = cycleEndingIn(6_000);
    const { id, to } = await newAccount('grace', { ...cycle, graceSeconds: 8 });
    await bed.billing.recordCalls(id, [completedCall(id, 240)]);
    await waitForUsage(bed.billing, id, (u) => u.cycle.index === 1, 'the next cycle', 30_000);
    // 5 more credits for the cycle in grace: 9 of 10 would cross 50% and 80% in an open cycle.
    const late = completedCall(id, 300, { answeredAt: cycle.cycleEnd - 310_000 });
    const reply = await bed.billing.recordCalls(id, [late]);
    expect(reply.outcomes.map((o) => o.outcome)).toEqual(['accepted']);
    const usage = await bed.billing.usage(id);
    expect(usage.inGrace?.usedMillicredits).toBe('9000');
    const [statement] = await bed.sink.waitFor(to, 1, 30_000);
    expect(await firings(id)).toEqual(['statement:statement#1']);
    expect(statement!.subject).toMatch(/statement/i);
    const row = (await outbox(id))[0]!;
    const content = contentOf(row);
    expect(content.kind === 'statement' && content.statement.usedMillicredits).toBe('9000');
    expect(statement!.text).toContain('9 credits');
  }, 60_000);

  it('warns once per cycle when the projection runs out before the reset', async () => {
    const plan = {
      ...growthPlan,
      id: 'projected',
      allowanceCredits: '100',
      alertThresholdsPercent: [95],
    };
    await bed.provisioning.createPlan(plan);
    const id = uniqueAccountId('projection');
    const to = uniqueRecipient('projection');
    const createdAt = Date.now() - 7 * 86_400_000;
    await bed.provisioning.createAccount({
      id,
      planId: 'projected',
      timeZone: 'UTC',
      createdAt: formatInstant(createdAt),
      billingEmails: [to],
    });
    // 8 credits at noon (UTC) on each of the 6 complete days since the day of creation: 48 of
    // 100, at a pace of 8 a day.
    const creationDay = Math.floor(createdAt / 86_400_000) * 86_400_000;
    const days = Array.from({ length: 6 }, (_, d) =>
      completedCall(id, 480, { answeredAt: creationDay + (d + 1) * 86_400_000 + 43_200_000 }),
    );
    await bed.billing.recordCalls(id, days);
    const [mail] = await bed.sink.waitFor(to, 1);
    await bed.billing.recordCalls(id, [completedCall(id, 240)]);
    await waitForUsage(bed.billing, id, (u) => u.cycle.usedMillicredits === '52000', '52 credits');
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(await firings(id)).toEqual(['projection:expected#1']);
    const content = contentOf((await outbox(id))[0]!);
    if (content.kind !== 'projection') throw new Error('expected the projection email');
    const usage = await bed.billing.usage(id);
    // The run-out date lies before the reset, about a week ahead at 8 credits a day.
    expect(content.projection.runsOutOn < content.usage.resetOn).toBe(true);
    expect(BigInt(content.projection.expectedMillicredits)).toBeGreaterThan(100_000n);
    expect(usage.insights.projection.runsOutOn).not.toBeNull();
    expect(mail!.subject).toMatch(/run out/i);
    expect(mail!.text).toContain('48 credits');
  }, 60_000);
});
