import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { countCalls, listRejections } from '../../../db/repositories/calls.js';
import { listInvoices } from '../../../db/repositories/invoices.js';
import { listNotifications } from '../../../db/repositories/notifications.js';
import { DEFAULT_OPTIONS, parseSpeed, type Speed } from '../../../cli/simulate/options.js';
import { Progress } from '../../../cli/simulate/progress.js';
import { SUMMARY_HEADER, summaryText } from '../../../cli/simulate/report.js';
import { runSimulation } from '../../../cli/simulate/run-simulation.js';
import { creditsText } from '../../../cli/format.js';
import { formatMoney } from '../../../format/numbers.js';
import { verifyBillingLink } from '../../../links/signed-link.js';
import { freePort } from '../../../scripts/stack/ports.js';
import { previewOfRecorded } from '../../harness/accounts.js';
import { runBilling } from '../../harness/cli.js';
import { messagesTo } from '../../harness/mailbox.js';
import { useStack } from '../../harness/stack.js';
import { harnessConfig, uniqueTaskQueue } from '../../harness/workers.js';

function captured() {
  const out = new PassThrough();
  let text = '';
  out.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return { out, text: () => text };
}

const ALERT_KINDS = ['threshold', 'exhausted', 'projection'];

describe('billing simulate', () => {
  const bed = useStack('simulate', { workers: {} });

  it('sends a month of calls through the account workflows, closes every first cycle, and prints what the usage query, the invoices and the outbox hold', async () => {
    const log = captured();
    const progressOut = captured();
    const { config } = bed;
    const { db } = bed.database;
    // A month in about 8 s, at 8 weekday calls per plan size: about 500 events.
    const speed = parseSpeed('90h') as Speed;
    const options = { ...DEFAULT_OPTIONS, speed, callsPerDay: 8, workerWaitMs: 30_000 };

    await bed.workers.runUntil(
      (async () => {
        const run = await runSimulation(config, options, {
          log: log.out,
          progress: new Progress(progressOut.out, false),
        });
        const text = summaryText(run.summary);
        expect(run.summary.accounts).toHaveLength(3);
        const lines = text.split('\n');
        const header = lines.find((line) => line.startsWith('account'))!;
        expect(header.split(/ {2,}/)).toEqual([...SUMMARY_HEADER]);
        const rows = new Map(
          lines
            .map((line) => line.split(/ {2,}/))
            .filter((cells) => run.scenario.accounts.some((a) => a.id === cells[0]))
            .map((cells) => [cells[0]!, cells]),
        );
        expect(rows.size).toBe(3);

        for (const account of run.scenario.accounts) {
          const { id } = account;
          // The test's own reads, after the run: the closed cycle as the workflow holds it.
          const usage = await bed.billing.usage(id);
          const closed = usage.closedCycles.find((c) => c.index === 0)!;
          expect(closed.closed).toBe(true);
          expect(closed.end).toBe(new Date(run.cycleEnd).toISOString());
          expect(Date.parse(closed.start)).toBe(account.createdAt);
          const [invoice, ...more] = await listInvoices(db, id);
          expect(more).toEqual([]);
          expect(closed.invoice!.status).toBe(invoice!.status);
          expect(closed.overageChargeMinor).toBe(String(invoice!.amount_minor));
          const emails = await listNotifications(db, id);
          const calls = await countCalls(db, id);
          const rejections = await listRejections(db, id);
          const counts = run.traffic.counts.get(id)!;

          const used = BigInt(closed.usedMillicredits);
          const available = BigInt(closed.availableMillicredits);
          expect(rows.get(id)).toEqual([
            id,
            closed.planId,
            `${creditsText(closed.usedMillicredits)} / ${creditsText(closed.allowanceMillicredits)}`,
            creditsText(String(used < available ? available - used : 0n)),
            creditsText(closed.overageMillicredits),
            formatMoney(String(invoice!.amount_minor), invoice!.currency),
            closed.alerts.map((a) => `${a.thresholdPercent}%`).join(' ') || '-',
            String(emails.filter((e) => ALERT_KINDS.includes(e.kind)).length),
            `${calls} / ${counts.duplicates} / ${rejections.length}`,
          ]);

          // The engine found exactly the traffic's distinct calls, resends and bad events.
          expect(calls).toBe(counts.calls);
          expect(rejections.map((r) => r.reason).sort()).toEqual(
            run.traffic.deliveries
              .filter((d) => d.accountId === id && d.kind === 'bad')
              .map((d) => d.rejection)
              .sort(),
          );
          expect(closed.lateAdjustments).toBe(0);

          // Every email the outbox sent reached the SMTP server (Mailpit), each once.
          expect(emails.every((e) => e.status === 'sent')).toBe(true);
          expect(emails.some((e) => e.kind === 'statement')).toBe(true);
          const inbox = await messagesTo(account.billingEmail);
          expect(inbox.map((m) => `<${m.messageId}>`).sort()).toEqual(
            emails.map((e) => e.message_id).sort(),
          );

          // The core's figures for exactly what PostgreSQL recorded.
          const preview = await previewOfRecorded(bed.database, id, Date.now());
          const first = preview.cycles[0]!;
          expect(first.closed).toBe(true);
          expect(String(first.usedMillicredits)).toBe(closed.usedMillicredits);
          expect(String(first.allowanceMillicredits)).toBe(closed.allowanceMillicredits);
          expect(String(first.overageChargeMinor)).toBe(closed.overageChargeMinor);
          expect(first.alerts).toEqual(closed.alerts);
          // (An event too large to keep is not stored, so the preview cannot see it.)
          expect(preview.rejected.map((r) => r.reason).sort()).toEqual(
            rejections
              .filter((r) => r.raw !== null)
              .map((r) => r.reason)
              .sort(),
          );

          expect(text).toContain(
            `${config.temporal.uiUrl}/namespaces/default/workflows/billing-${id}`,
          );
          // The account's billing page link opens that account's page, as its emails' do.
          const link = new URL(
            run.summary.accounts.find((a) => a.accountId === id)!.billingPageUrl,
          );
          expect(text).toContain(link.href);
          expect(
            verifyBillingLink(
              {
                accountId: decodeURIComponent(link.pathname.replace('/billing/', '')),
                expires: link.searchParams.get('expires') ?? undefined,
                sig: link.searchParams.get('sig') ?? undefined,
              },
              config.links.secret,
              Date.now(),
            ),
          ).toMatchObject({ ok: true, accountId: id });
        }

        // The story: one account charged for overage, one near a threshold, all got alerts.
        const summaries = run.summary.accounts;
        const charged = summaries.filter((a) => BigInt(a.chargeMinor) > 0n);
        expect(charged.length).toBeGreaterThanOrEqual(1);
        for (const a of charged) expect(a.invoiceStatus).toBe('paid');
        expect(summaries.filter((a) => a.alertEmailsSent > 0).length).toBeGreaterThanOrEqual(2);
        expect(text).toContain(`Mailpit          ${config.smtp.inboxUrl}`);
        expect(text).toContain('npm run -s billing -- accounts show <account>');

        // The progress went its own way, in plain lines, ending at 100%.
        expect(progressOut.text()).toMatch(/\[simulate\] 100% {2}[\d,]+ of [\d,]+ events/);
        expect(log.text()).toMatch(/\[simulate\] sent in \d+\.\d s/);
      })(),
    );
  });

  it('fails with a clear message when no worker polls the task queue', async () => {
    const config = harnessConfig(bed.database, uniqueTaskQueue('simulate-idle'));
    const progress = new Progress(new PassThrough(), false);
    await expect(
      runSimulation(
        config,
        { ...DEFAULT_OPTIONS, workerWaitMs: 500 },
        { log: new PassThrough(), progress },
      ),
    ).rejects.toThrow(/no worker polls task queue 'test-simulate-idle-[0-9a-f]+'/);
  });

  it('`billing simulate` exits 2 on bad usage, 0 for --help, and 1 naming the address when Temporal does not answer', async () => {
    const { env } = bed;
    const bad = await runBilling(['simulate', '--accounts', 'many'], env);
    expect(bad.stderr).toMatch(/^billing simulate: --accounts: expected a number of accounts/);
    expect(bad.stderr).toContain('usage: billing simulate [options]');
    expect(bad.code).toBe(2);

    const help = await runBilling(['simulate', '--help'], env);
    expect(help.stdout).toContain('--speed <s>');
    expect(help.code).toBe(0);

    const down = await runBilling(['simulate'], {
      ...env,
      TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}`,
    });
    expect(down.stderr).toMatch(/^billing simulate: cannot reach Temporal at 127\.0\.0\.1:\d+/m);
    expect(down.stderr).toContain('start the stack first: npm run dev');
    expect(down.code).toBe(1);
  });
});
