/**
 * Delivery through the outbox when things go wrong: the SMTP server is down, the worker dies
 * while a message is in flight, or dies in the one window after the server accepted a message.
 */
import { describe, expect, it } from 'vitest';
import { formatInstant } from '../../../billing/units.js';
import { listNotifications } from '../../../db/repositories/notifications.js';
import {
  completedCall,
  growthPlan,
  uniqueAccountId,
  waitForUsage,
} from '../../harness/accounts.js';
import { uniqueRecipient } from '../../harness/mailbox.js';
import { deliveryCounts } from '../../harness/smtp-sink.js';
import { useStack, type StackOptions } from '../../harness/stack.js';

/**
 * A stack of the describe block's own: an SMTP server of its own, the Growth plan, workers in this
 * process while it runs when `workers` is given (else the test starts worker processes), and an
 * account with one billing contact that `createAccount` creates.
 */
function mailStack(label: string, workers?: Omit<NonNullable<StackOptions['workers']>, 'running'>) {
  const bed = useStack(label, {
    smtpSink: true,
    plans: [growthPlan],
    ...(workers === undefined ? {} : { workers: { ...workers, running: true } }),
  });
  const id = uniqueAccountId(label);
  const to = uniqueRecipient(label);
  const createAccount = async () => {
    await bed.provisioning.createAccount({
      id,
      planId: 'growth',
      timeZone: 'UTC',
      createdAt: formatInstant(Date.now() - 86_400_000),
      billingEmails: [to],
    });
  };
  return { bed, id, to, createAccount };
}

describe('email delivery', () => {
  describe('an SMTP outage', () => {
    const { bed, id, to, createAccount } = mailStack('outage', {
      env: { NOTIFY_RETRY_MAX_INTERVAL_MS: '1000' },
    });
    it('an SMTP outage delays mail without losing it or holding up ingestion', async () => {
      await createAccount();
      await bed.sink.down();
      // 5 credits (50%): the alert is decided while the server refuses connections.
      const first = await bed.billing.recordCalls(id, [completedCall(id, 300)]);
      expect(first.outcomes.map((o) => o.outcome)).toEqual(['accepted']);
      const deadline = Date.now() + 20_000;
      let pending = await listNotifications(bed.database.db, id);
      while ((pending[0]?.attempts ?? 0) < 2 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        pending = await listNotifications(bed.database.db, id);
      }
      expect(pending).toHaveLength(1);
      expect(pending[0]).toMatchObject({ kind: 'threshold', key: '50', status: 'pending' });
      expect(pending[0]!.attempts).toBeGreaterThanOrEqual(2);
      expect(pending[0]!.last_error).toMatch(/ECONNREFUSED|connect/i);
      // Ingestion goes on while the mail waits: 3 more credits are counted at once.
      const started = Date.now();
      const more = await bed.billing.recordCalls(id, [completedCall(id, 180)]);
      expect(more.outcomes.map((o) => o.outcome)).toEqual(['accepted']);
      expect(Date.now() - started).toBeLessThan(10_000);
      await waitForUsage(bed.billing, id, (u) => u.cycle.usedMillicredits === '8000', '8 credits');
      expect(bed.sink.to(to)).toHaveLength(0);

      await bed.sink.up();
      const received = await bed.sink.waitFor(to, 2);
      await new Promise((resolve) => setTimeout(resolve, 2000));
      expect(deliveryCounts(bed.sink.to(to))).toEqual({ deliveries: 2, messageIds: 2 });
      expect(received.map((m) => m.subject).join(' | ')).toMatch(/50%.*\|.*80%/);
      const rows = await listNotifications(bed.database.db, id);
      expect(rows.map((r) => r.status)).toEqual(['sent', 'sent']);
    });
  });

  describe('a worker killed mid-send', () => {
    const { bed, id, to, createAccount } = mailStack('kill-mail');
    it('a worker killed while its email is in flight: the next worker sends it, once', async () => {
      const env = {
        NOTIFY_RETRY_MAX_INTERVAL_MS: '1000',
        ACTIVITY_START_TO_CLOSE_TIMEOUT_MS: '3000',
      };
      const first = await bed.startWorkerProcess('mail-1', env);
      await createAccount();
      const held = bed.sink.hold();
      const call = completedCall(id, 300);
      await bed.billing.recordCalls(id, [call, call]);
      // The server holds its answer to DATA: the worker dies waiting for "250".
      await held.held;
      first.child.kill('SIGKILL');
      await first.exited;
      await held.clientGone;
      held.release();
      await bed.startWorkerProcess('mail-2', env);
      await bed.billing.recordCalls(id, [call, completedCall(id, 180), call]);
      await bed.sink.waitFor(to, 2);
      await new Promise((resolve) => setTimeout(resolve, 3000));
      expect(deliveryCounts(bed.sink.to(to))).toEqual({ deliveries: 2, messageIds: 2 });
      const rows = (await listNotifications(bed.database.db, id)).reverse();
      expect(rows.map((r) => `${r.key}:${r.status}`)).toEqual(['50:sent', '80:sent']);
      expect(rows[0]!.attempts).toBe(2);
    }, 90_000);
  });

  describe('the one window', () => {
    let lost = false;
    const { bed, id, to, createAccount } = mailStack('window', {
      env: { NOTIFY_RETRY_MAX_INTERVAL_MS: '1000', ACTIVITY_START_TO_CLOSE_TIMEOUT_MS: '2000' },
      deps: {
        afterSmtpAccept: () => {
          if (lost) return;
          lost = true;
          throw new Error('worker lost after the SMTP server accepted the message');
        },
      },
    });
    it('the one window: lost after the server accepted, the message goes again with the same Message-ID', async () => {
      await createAccount();
      await bed.billing.recordCalls(id, [completedCall(id, 300)]);
      const received = await bed.sink.waitFor(to, 2);
      await new Promise((resolve) => setTimeout(resolve, 2000));
      expect(deliveryCounts(bed.sink.to(to))).toEqual({ deliveries: 2, messageIds: 1 });
      // The same message: same id, subject and body (a receiver can tell it is a copy).
      expect(received[1]!.messageId).toBe(received[0]!.messageId);
      expect(received[1]!.subject).toBe(received[0]!.subject);
      expect(received[1]!.text).toBe(received[0]!.text);
      const [row] = await listNotifications(bed.database.db, id);
      expect(row).toMatchObject({ status: 'sent', attempts: 2 });
    }, 60_000);
  });

  describe('a refused mailbox', () => {
    const { bed, id, to, createAccount } = mailStack('refused', {
      env: { NOTIFY_RETRY_MAX_INTERVAL_MS: '1000' },
    });
    it('a mailbox refused for good is recorded; the next email goes on, to changed contacts', async () => {
      bed.sink.refuse(to);
      await createAccount();
      await bed.billing.recordCalls(id, [completedCall(id, 300)]);
      await bed.billing.recordCalls(id, [completedCall(id, 180)]);
      const settled = async () =>
        (await listNotifications(bed.database.db, id)).filter((n) => n.status !== 'pending');
      const deadline = Date.now() + 20_000;
      while ((await settled()).length < 2 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      const refused = (await listNotifications(bed.database.db, id)).reverse();
      expect(refused.map((n) => `${n.key}:${n.status}:${n.attempts}`)).toEqual([
        '50:rejected:1',
        '80:rejected:1',
      ]);
      expect(refused[0]!.last_error).toMatch(/550/);
      // Ops fix the contact: the next email goes to the new address.
      const fixed = uniqueRecipient('fixed');
      await bed.provisioning.setBillingEmails(id, [fixed]);
      await bed.billing.recordCalls(id, [completedCall(id, 120)]);
      const [exhausted] = await bed.sink.waitFor(fixed, 1);
      expect(exhausted!.subject).toMatch(/used up|exhausted|overage/i);
      expect(bed.sink.to(to)).toEqual([]);
    });
  });

  describe('an outage across continue-as-new', () => {
    const { bed, id, to, createAccount } = mailStack('outage-can', {
      env: { NOTIFY_RETRY_MAX_INTERVAL_MS: '1000', CONTINUE_AS_NEW_AFTER_EVENTS: '100' },
    });
    it('emails decided across continue-as-new during an outage are each sent once afterwards', async () => {
      await createAccount();
      const firstRun = (await bed.handleDescription(id)).runId;
      await bed.sink.down();
      // 10 minutes in 20 updates of 30 s: 50%, 80% and exhausted, while the runs roll over.
      for (let i = 0; i < 20; i++) await bed.billing.recordCalls(id, [completedCall(id, 30)]);
      await waitForUsage(
        bed.billing,
        id,
        (u) => u.cycle.usedMillicredits === '10000',
        '10 credits',
      );
      const runs = (await bed.handleDescription(id)).runId;
      expect(runs).not.toBe(firstRun);
      // Recorded in the outbox (ops see them) while the server is down.
      let waiting = await listNotifications(bed.database.db, id);
      for (let i = 0; i < 100 && waiting.length < 3; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        waiting = await listNotifications(bed.database.db, id);
      }
      expect(waiting.map((n) => n.status)).toEqual(['pending', 'pending', 'pending']);
      await bed.sink.up();
      await bed.sink.waitFor(to, 3);
      await new Promise((resolve) => setTimeout(resolve, 3000));
      expect(deliveryCounts(bed.sink.to(to))).toEqual({ deliveries: 3, messageIds: 3 });
      const sent = (await listNotifications(bed.database.db, id)).reverse();
      expect(sent.map((n) => `${n.kind}:${n.key}:${n.status}`)).toEqual([
        'threshold:50:sent',
        'threshold:80:sent',
        'exhausted:credits:sent',
      ]);
    }, 90_000);
  });
});
