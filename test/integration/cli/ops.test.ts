/**
 * The ops commands, each run through the compiled `billing` CLI against the harness servers (one
 * database, one task queue and one in-process worker for the file), checking the parsed `--json`
 * output against what the workflow, PostgreSQL and Mailpit hold, and the exit codes: 0 done,
 * 1 failed, 2 bad usage or input, 3 not found.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode } from '@temporalio/worker';
import { beforeAll, describe, expect, it } from 'vitest';
import { listCalls } from '../../../db/repositories/calls.js';
import { listNotifications } from '../../../db/repositories/notifications.js';
import { freePort } from '../../../scripts/stack/ports.js';
import { createLogger } from '../../../logging/logger.js';
import { workflowsPath } from '../../../workers/workflow-bundle.js';
import {
  completedCall,
  cycleEndingIn,
  growthPlan,
  uniqueAccountId,
  waitForUsage,
} from '../../harness/accounts.js';
import { type CliResult, runBilling } from '../../harness/cli.js';
import { messagesTo } from '../../harness/mailbox.js';
import { useStack } from '../../harness/stack.js';

/** 1 credit included: a 10-minute call is 9 credits over, charged at the close. */
const tinyPlan = { ...growthPlan, id: 'tiny', name: 'Tiny', allowanceCredits: '1' };
const scalePlan = { ...growthPlan, id: 'scale', name: 'Scale', allowanceCredits: '30' };

const bed = useStack('ops-cli', { workers: { running: true }, payments: true, plans: [tinyPlan] });
const scratch = mkdtempSync(join(tmpdir(), 'ops-cli-'));

const acme = uniqueAccountId('acme');
const acmeEmail = `billing+${acme}@acme.example`;
const unpaid = uniqueAccountId('unpaid');

async function billing(args: string[], input?: string): Promise<CliResult> {
  return runBilling(args, bed.env, { input });
}

/** Runs a `--json` command and returns its exit code and parsed document. */
async function json<T = Record<string, unknown>>(
  args: string[],
  extraEnv: Record<string, string> = {},
): Promise<{ code: number | null; body: T; stderr: string }> {
  const result = await runBilling([...args, '--json'], { ...bed.env, ...extraEnv });
  let body: T;
  try {
    body = JSON.parse(result.stdout) as T;
  } catch {
    throw new Error(
      `billing ${args.join(' ')} printed no JSON (exit ${result.code}):\n${result.stdout}\n${result.stderr}`,
    );
  }
  return { code: result.code, body, stderr: result.stderr };
}

type ErrorBody = { error: { kind: string; message: string } };
type ErrorBodyResult = { code: number | null; body: ErrorBody };
type Listed = { id: string; planId: string; status: string | null; usagePercent: number | null };

/**
 * `accounts list <args>` until `done` holds for its accounts (visibility lags the workflow by a
 * moment) or 20 s have passed; returns them.
 */
async function listedUntil(
  args: string[],
  done: (accounts: Listed[]) => boolean,
): Promise<Listed[]> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const { code, body } = await json<{ accounts: Listed[] }>(['accounts', 'list', ...args]);
    expect(code).toBe(0);
    if (done(body.accounts) || Date.now() > deadline) return body.accounts;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

// An account whose first cycle closes seconds from now in overage, and whose charge is declined:
// it closes while the other tests run, for retry-payment and `accounts list --status`.
beforeAll(async () => {
  bed.gateway.setBehaviour(unpaid, 'decline');
  const cycle = cycleEndingIn(8_000);
  await bed.provisioning.createAccount({
    id: unpaid,
    planId: tinyPlan.id,
    timeZone: 'UTC',
    createdAt: cycle.createdAt,
    billingAnchor: cycle.billingAnchor,
    graceSeconds: 2,
  });
  await bed.billing.recordCalls(unpaid, [completedCall(unpaid, 600)]);
});

describe('billing ops commands', () => {
  it('--help on every command, and usage errors exit 2 naming what to change', async () => {
    const top = await billing(['--help']);
    expect(top.code).toBe(0);
    for (const name of [
      'plans',
      'accounts',
      'calls',
      'purchase',
      'cancel-purchase',
      'change-plan',
      'retry-payment',
      'notifications',
      'replay',
    ]) {
      expect(top.stdout).toMatch(new RegExp(`^  ${name} `, 'm'));
    }
    const helps = [
      ['plans', 'create', '--help'],
      ['accounts', 'list', '--help'],
      ['accounts', 'create', '--help'],
      ['calls', '--help'],
      ['purchase', '--help'],
      ['notifications', 'resend', '--help'],
      ['replay', '--help'],
    ];
    // Independent runs side by side: each is a Node start-up.
    const [group, migrated, unknownSub, badOption, missingArg, ...helped] = await Promise.all([
      billing(['accounts', '--help']),
      // The worker migrated this database already: nothing to apply.
      json<{ applied: string[] }>(['migrate']),
      json<ErrorBody>(['accounts', 'close']),
      json<ErrorBody>(['accounts', 'list', '--colour']),
      json<ErrorBody>(['purchase']),
      ...helps.map((args) => billing(args)),
    ]);
    helps.forEach((args, i) => {
      const result = helped[i]!;
      expect(result.code, args.join(' ')).toBe(0);
      expect(result.stdout, args.join(' ')).toContain(`usage: billing ${args[0]}`);
      expect(result.stdout).toContain('3 not found');
    });
    expect(group.code).toBe(0);
    expect(group.stdout).toMatch(/^ {2}show /m);
    expect(migrated.code).toBe(0);
    expect(migrated.body.applied).toEqual([]);

    expect(unknownSub.code).toBe(2);
    expect(unknownSub.body.error).toEqual({
      kind: 'usage',
      message: "unknown subcommand 'close'",
    });
    expect(badOption.code).toBe(2);
    expect(badOption.body.error.message).toContain("'--colour'");
    expect(missingArg.code).toBe(2);
    expect(missingArg.body.error.message).toBe('expected 1 argument(s), got 0');
    expect(missingArg.stderr).toContain('usage: billing purchase');
  });

  it('plans create (file and stdin) and list; a changed or invalid plan is refused with 2', async () => {
    const file = join(scratch, 'growth.json');
    writeFileSync(file, JSON.stringify(growthPlan));
    const created = await json<{ plan: { id: string; allowanceMillicredits: string } }>([
      'plans',
      'create',
      file,
    ]);
    expect(created.code).toBe(0);
    expect(created.body.plan).toMatchObject({ id: 'growth', allowanceMillicredits: '10000' });

    const fromStdin = await runBilling(['plans', 'create', '-', '--json'], bed.env, {
      input: JSON.stringify(scalePlan),
    });
    expect(fromStdin.code).toBe(0);
    expect(JSON.parse(fromStdin.stdout)).toMatchObject({ plan: { id: 'scale' } });
    // The same plan again is harmless.
    expect((await json(['plans', 'create', file])).code).toBe(0);

    const changedFile = join(scratch, 'growth-changed.json');
    writeFileSync(changedFile, JSON.stringify({ ...growthPlan, allowanceCredits: '11' }));
    const invalidFile = join(scratch, 'invalid.json');
    writeFileSync(invalidFile, JSON.stringify({ ...growthPlan, id: 'bad', currency: 'XXX' }));
    const [changed, invalid, missing] = await Promise.all([
      json<ErrorBody>(['plans', 'create', changedFile]),
      json<ErrorBody>(['plans', 'create', invalidFile]),
      json<ErrorBody>(['plans', 'create', join(scratch, 'none.json')]),
    ]);
    expect(changed.code).toBe(2);
    expect(changed.body.error.message).toBe('plan growth exists with a different definition');
    expect(invalid.code).toBe(2);
    expect(invalid.body.error.message).toContain('currency');
    expect(missing.code).toBe(2);
    expect(missing.body.error.message).toContain('cannot read');

    const listed = await json<{ plans: { id: string; definition: unknown }[] }>(['plans', 'list']);
    expect(listed.code).toBe(0);
    expect(listed.body.plans.map((p) => p.id)).toEqual(['growth', 'scale', 'tiny']);
    expect(listed.body.plans[0]!.definition).toEqual(growthPlan);
  });

  it('accounts create, set-emails and their refusals', async () => {
    const created = await json<{ account: Record<string, unknown> }>([
      'accounts',
      'create',
      '--id',
      acme,
      '--plan',
      'growth',
      '--time-zone',
      'Europe/Berlin',
      '--billing-email',
      acmeEmail,
      // Billed from two days ago, so the calls below (minutes ago) are in its first cycle.
      '--created-at',
      new Date(Date.now() - 2 * 86_400_000).toISOString(),
    ]);
    expect(created.code).toBe(0);
    expect(created.body.account).toMatchObject({
      id: acme,
      planId: 'growth',
      timeZone: 'Europe/Berlin',
      billingEmails: [acmeEmail],
    });
    expect((await bed.handleDescription(acme)).status.name).toBe('RUNNING');

    const other = `ops+${acme}@acme.example`;
    const [badZone, noPlan, badEmail, nobody] = await Promise.all([
      json<ErrorBody>([
        'accounts',
        'create',
        '--id',
        uniqueAccountId('zone'),
        '--plan',
        'growth',
        '--time-zone',
        'Mars/Olympus',
      ]),
      json<ErrorBody>(['accounts', 'create', '--id', 'x', '--time-zone', 'UTC']),
      json<ErrorBody>(['accounts', 'set-emails', acme, 'bob@']),
      json<ErrorBody>(['accounts', 'set-emails', 'no-such-account', other]),
    ]);
    expect(badZone.code).toBe(2);
    expect(badZone.body.error.message).toContain('unknown time zone "Mars/Olympus"');
    expect(noPlan.code).toBe(2);
    expect(noPlan.body.error.message).toBe('missing --plan');

    const set = await json<{ account: { billingEmails: string[] } }>([
      'accounts',
      'set-emails',
      acme,
      acmeEmail,
      other,
    ]);
    expect(set.code).toBe(0);
    expect(set.body.account.billingEmails).toEqual([acmeEmail, other]);
    expect(badEmail.code).toBe(2);
    expect(badEmail.body.error.message).toContain('"bob@"');
    expect(nobody.code).toBe(3);
    expect(nobody.body.error).toEqual({
      kind: 'not_found',
      message: 'no account has id no-such-account (billing accounts list shows them)',
    });
    // Back to one contact, so the emails below go to one inbox.
    expect((await json(['accounts', 'set-emails', acme, acmeEmail])).code).toBe(0);
  });

  it('calls lists the recorded calls, and --rejected the refused events with their reasons', async () => {
    const calls = [completedCall(acme, 120), completedCall(acme, 300)];
    const bad: Record<string, unknown> = { ...completedCall(acme, 60), answeredAt: null };
    await bed.billing.recordCalls(acme, [...calls, calls[0], bad]);

    const [listed, limited, rejected, zero, nobody] = await Promise.all([
      json<{ calls: { callId: string; endedAt: string }[] }>(['calls', acme]),
      json<{ calls: unknown[] }>(['calls', acme, '--limit', '1']),
      json<{ rejected: { callId: string; reason: string; detail: string }[] }>([
        'calls',
        acme,
        '--rejected',
      ]),
      json<ErrorBody>(['calls', acme, '--limit', '0']),
      json<ErrorBody>(['calls', 'nobody-here']),
    ]);
    expect(listed.code).toBe(0);
    const stored = await listCalls(bed.database.db, acme);
    expect(listed.body.calls.map((c) => c.callId)).toEqual(stored.map((c) => c.call_id));
    expect(listed.body.calls.map((c) => c.callId).sort()).toEqual(
      calls.map((c) => String(c.callId)).sort(),
    );
    expect(limited.body.calls).toHaveLength(1);

    expect(rejected.code).toBe(0);
    expect(rejected.body.rejected).toEqual([
      expect.objectContaining({ callId: bad.callId, reason: 'answer_required' }),
    ]);
    expect(rejected.body.rejected[0]!.detail).not.toBe('');

    expect(zero.code).toBe(2);
    expect(nobody.code).toBe(3);
  });

  it('purchase (generated id, replayed with the same id), cancel-purchase and change-plan', async () => {
    const bought = await json<{
      purchaseId: string;
      purchasedMillicredits: string;
      replayed: boolean;
      cycle: { purchasedMillicredits: string };
    }>(['purchase', acme, '--credits', '2.5']);
    expect(bought.code).toBe(0);
    expect(bought.body.purchaseId).toMatch(/^purchase-[0-9a-f-]{36}$/);
    expect(bought.body).toMatchObject({ purchasedMillicredits: '2500', replayed: false });
    expect(bought.body.cycle.purchasedMillicredits).toBe('2500');
    // The rest side by side (the workflow takes the requests one at a time, in any order).
    const [again, [recurring, cancelled], nothing, changed, ...refused] = await Promise.all([
      json<typeof bought.body>([
        'purchase',
        acme,
        '--credits',
        '2.5',
        '--purchase-id',
        bought.body.purchaseId,
      ]),
      (async () => {
        const monthly = await json<{ purchaseId: string; recurring: boolean }>([
          'purchase',
          acme,
          '--credits',
          '1',
          '--recurring',
          '--purchase-id',
          `monthly-${acme}`,
        ]);
        return [monthly, await json(['cancel-purchase', acme, `monthly-${acme}`])] as const;
      })(),
      json(['cancel-purchase', acme, 'never-bought']),
      json(['change-plan', acme, 'scale', '--effective', 'now']),
      json<ErrorBody>(['purchase', acme, '--credits', '1.2345']),
      json<ErrorBody>(['purchase', acme]),
      json<ErrorBody>(['purchase', 'nobody-here', '--credits', '1']),
      json<ErrorBody>(['change-plan', acme, 'platinum']),
      json<ErrorBody>(['change-plan', acme, 'scale', '--effective', 'soon']),
    ]);
    // The same purchase id again: the first result, nothing bought twice.
    expect(again.code).toBe(0);
    expect(again.body).toMatchObject({ purchaseId: bought.body.purchaseId, replayed: true });
    expect(again.body.cycle.purchasedMillicredits).toBe('2500');

    const [badCredits, noCredits, nobody, noPlan, badTiming] = refused as ErrorBodyResult[];
    expect(badCredits!.code).toBe(2);
    expect(badCredits!.body.error.message).toContain('at most 12 integer digits and 3 decimals');
    expect(noCredits!.code).toBe(2);
    expect(noCredits!.body.error.message).toBe('missing --credits');
    expect(nobody!.code).toBe(3);
    expect(noPlan!.code).toBe(3);
    expect(noPlan!.body.error.message).toContain('no plan has id platinum');
    expect(badTiming!.code).toBe(2);
    expect(badTiming!.body.error.message).toContain('effective');

    expect(recurring.body).toMatchObject({ purchaseId: `monthly-${acme}`, recurring: true });
    expect(cancelled.code).toBe(0);
    expect(cancelled.body).toMatchObject({ purchaseId: `monthly-${acme}`, cancelled: true });
    expect(nothing.body).toMatchObject({ cancelled: false, replayed: false });
    expect(changed.code).toBe(0);
    expect(changed.body).toMatchObject({ planId: 'scale', effective: 'now' });
    const usage = await bed.billing.usage(acme);
    expect(usage.cycle.planId).toBe('scale');
  });

  it('accounts show: usage, insights and last statements, as the usage query has them', async () => {
    const [shown, text, missing, down] = await Promise.all([
      json<{
        account: { id: string };
        usage: {
          status: string;
          cycle: { usedMillicredits: string; purchasedMillicredits: string; planId: string };
          insights: { daily: unknown[] };
          closedCycles: unknown[];
        };
      }>(['accounts', 'show', acme]),
      billing(['accounts', 'show', acme]),
      json<ErrorBody>(['accounts', 'show', 'nobody-here']),
      // Temporal down: the account exists, its workflow cannot be asked.
      freePort().then((port) =>
        json<ErrorBody>(['accounts', 'show', acme], { TEMPORAL_ADDRESS: `127.0.0.1:${port}` }),
      ),
    ]);
    expect(shown.code).toBe(0);
    const usage = await bed.billing.usage(acme);
    expect(shown.body.account.id).toBe(acme);
    expect(shown.body.usage.cycle).toEqual(usage.cycle);
    // 120 s + 300 s at 1 credit a minute, recorded once each.
    expect(shown.body.usage.cycle.usedMillicredits).toBe('7000');
    expect(shown.body.usage.insights.daily.length).toBeGreaterThan(0);
    expect(text.stdout).toContain(`account ${acme} (Europe/Berlin), plan scale`);

    expect(missing.code).toBe(3);
    expect(down.code).toBe(1);
    expect(down.body.error.message).toMatch(/^cannot reach Temporal at 127\.0\.0\.1:\d+/);
  });

  it('retry-payment charges the declined invoice again; the close showed it in accounts show', async () => {
    const declined = await waitForUsage(
      bed.billing,
      unpaid,
      (u) => u.unpaidInvoices.length === 1,
      'the declined invoice',
      40_000,
    );
    expect(declined.status).toBe('payment_failed');
    const shown = await json<{ usage: { closedCycles: { invoice: { status: string } }[] } }>([
      'accounts',
      'show',
      unpaid,
    ]);
    expect(shown.body.usage.closedCycles[0]!.invoice.status).toBe('payment_failed');
    const failing = await listedUntil(['--status', 'payment_failed'], (accounts) =>
      accounts.some((a) => a.id === unpaid),
    );
    expect(failing).toEqual([
      expect.objectContaining({ id: unpaid, status: 'payment_failed', planId: 'tiny' }),
    ]);

    bed.gateway.setBehaviour(unpaid, 'succeed');
    const retried = await json<{ invoices: { status: string; amountMinor: string }[] }>([
      'retry-payment',
      unpaid,
      '--request-id',
      `retry-${unpaid}`,
    ]);
    expect(retried.code).toBe(0);
    expect(retried.body.invoices).toEqual([
      expect.objectContaining({ status: 'paid', amountMinor: '108' }),
    ]);
    expect(bed.gateway.successfulCharges(unpaid)).toHaveLength(1);
    const replayed = await json(['retry-payment', unpaid, '--request-id', `retry-${unpaid}`]);
    expect(replayed.body).toMatchObject({ replayed: true });
    expect(bed.gateway.successfulCharges(unpaid)).toHaveLength(1);
    expect((await json(['retry-payment', 'nobody-here'])).code).toBe(3);
  });

  it('accounts list: every account of this database with its status, and --status by visibility', async () => {
    const [listed, byPlan, badStatus] = await Promise.all([
      json<{ accounts: Listed[] }>(['accounts', 'list']),
      json<{ accounts: Listed[] }>(['accounts', 'list', '--plan', 'tiny']),
      json<ErrorBody>(['accounts', 'list', '--status', 'late']),
    ]);
    expect(listed.code).toBe(0);
    expect(listed.body.accounts.map((a) => a.id)).toEqual([acme, unpaid].sort());
    // The plan in effect: acme moved to scale.
    expect(listed.body.accounts.find((a) => a.id === acme)).toMatchObject({ planId: 'scale' });
    expect(byPlan.body.accounts.map((a) => a.id)).toEqual([unpaid]);
    expect(badStatus.code).toBe(2);
    expect(badStatus.body.error.message).toBe(
      "--status is one of ok, low, overage, payment_failed, got 'late'",
    );

    // Both are `ok` now: acme uses 7 credits of more than 30 on scale, unpaid paid and is in a
    // new cycle with nothing used.
    const ok = await listedUntil(['--status', 'ok'], (accounts) => accounts.length === 2);
    const usage = await bed.billing.usage(acme);
    expect(ok).toEqual([
      expect.objectContaining({
        id: acme,
        status: 'ok',
        planId: 'scale',
        usagePercent: usage.cycle.percentUsed,
      }),
      expect.objectContaining({ id: unpaid, status: 'ok', planId: 'tiny', usagePercent: 0 }),
    ]);
    const [okTiny, failing] = await Promise.all([
      json<{ accounts: Listed[] }>(['accounts', 'list', '--status', 'ok', '--plan', 'tiny']),
      json<{ accounts: Listed[] }>(['accounts', 'list', '--status', 'payment_failed']),
    ]);
    expect(okTiny.body.accounts.map((a) => a.id)).toEqual([unpaid]);
    expect(failing.body.accounts).toEqual([]);
  });

  it('notifications resend: a new outbox row with its own Message-ID, once per request id', async () => {
    const db = bed.database.db;
    // The first purchase's receipt, sent by the worker.
    const deadline = Date.now() + 20_000;
    let receipt: Awaited<ReturnType<typeof listNotifications>>[number] | undefined;
    while (Date.now() < deadline) {
      receipt = (await listNotifications(db, acme)).find(
        (n) => n.kind === 'receipt' && n.status === 'sent',
      );
      if (receipt) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(receipt).toBeDefined();
    // Every email decided so far is out, so the inbox changes only by what the resend sends.
    while (Date.now() < deadline) {
      if ((await listNotifications(db, acme)).every((n) => n.status !== 'pending')) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const listed = await json<{ id: string; kind: string }[]>(['notifications', acme]);
    expect(listed.body.find((n) => n.id === String(receipt!.id))?.kind).toBe('receipt');
    const before = (await messagesTo(acmeEmail)).length;

    const resent = await json<{
      requestId: string;
      replayed: boolean;
      resendOf: string;
      notification: { id: string; messageId: string; status: string; resendOf: string };
    }>(['notifications', 'resend', acme, String(receipt!.id)]);
    expect(resent.code).toBe(0);
    expect(resent.body).toMatchObject({ replayed: false, resendOf: String(receipt!.id) });
    expect(resent.body.notification).toMatchObject({
      status: 'sent',
      resendOf: String(receipt!.id),
    });
    expect(resent.body.notification.messageId).not.toBe(receipt!.message_id);
    const inbox = await messagesTo(acmeEmail);
    expect(inbox).toHaveLength(before + 1);
    const copy = inbox.find((m) => `<${m.messageId}>` === resent.body.notification.messageId);
    expect(copy?.subject).toBe(
      inbox.find((m) => `<${m.messageId}>` === receipt!.message_id)?.subject,
    );

    const again = await json<typeof resent.body>([
      'notifications',
      'resend',
      acme,
      String(receipt!.id),
      '--request-id',
      resent.body.requestId,
    ]);
    expect(again.code).toBe(0);
    expect(again.body).toMatchObject({ replayed: true, notification: resent.body.notification });
    expect(await messagesTo(acmeEmail)).toHaveLength(before + 1);
    expect((await listNotifications(db, acme)).filter((n) => n.resend_of !== null)).toHaveLength(1);

    const unknown = await json<ErrorBody>(['notifications', 'resend', acme, '999999']);
    expect(unknown.code).toBe(3);
    expect(unknown.body.error.message).toBe(`account ${acme} has no notification 999999`);
    expect((await json(['notifications', 'resend', acme, 'first'])).code).toBe(2);
  });

  it('replay: every run of the account replays on the current code; a changed workflow exits 1', async () => {
    const replayed = await json<{ ok: boolean; runs: { runId: string; outcome: string }[] }>([
      'replay',
      unpaid,
    ]);
    expect(replayed.code).toBe(0);
    // The first cycle closed: at least the run that continued as new, and the one running now.
    expect(replayed.body.runs.length).toBeGreaterThanOrEqual(2);
    expect(replayed.body.runs.every((r) => r.outcome === 'ok')).toBe(true);
    expect(replayed.body.ok).toBe(true);
    expect((await json(['replay', 'nobody-here'])).code).toBe(3);
    expect((await json(['replay', 'not an id'])).code).toBe(2);

    // Workflow code that waits a second before each activity would break these runs.
    const { code } = await bundleWorkflowCode({
      workflowsPath: workflowsPath(),
      workflowInterceptorModules: [
        fileURLToPath(new URL('../replay/changed-workflow-interceptor.ts', import.meta.url)),
      ],
      logger: createLogger('WARN'),
    });
    const changedBundle = join(scratch, 'changed-bundle.js');
    writeFileSync(changedBundle, code);
    const broken = await json<{ ok: boolean; runs: { outcome: string; error: string }[] }>(
      ['replay', unpaid],
      { WORKFLOW_BUNDLE_PATH: changedBundle },
    );
    expect(broken.code).toBe(1);
    expect(broken.body.ok).toBe(false);
    expect(broken.body.runs.map((r) => r.outcome)).toEqual(
      replayed.body.runs.map(() => 'nondeterminism'),
    );
  });
});
