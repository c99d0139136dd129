/**
 * An account testbed on the harness servers (test files get it through `useStack`, stack.ts): a
 * fresh database, a task queue of its own, account provisioning and the account workflow client;
 * and helpers to build plans, accounts whose cycle ends seconds from now, call events, and the
 * `preview` scenario of what the workflow recorded.
 */
import { randomBytes } from 'node:crypto';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { boundaryOf, localDateTimeOf, makeCalendar, monthIndexOf } from '../../billing/calendar.js';
import { parseCallEvent } from '../../billing/call-event.js';
import { parsePlan } from '../../billing/plan.js';
import { runPreview, type PreviewOutput } from '../../billing/preview.js';
import { rateCall } from '../../billing/rating.js';
import { formatInstant } from '../../billing/units.js';
import { AccountProvisioning } from '../../client/account-provisioning.js';
import { AccountWorkflowClient } from '../../client/account-workflow-client.js';
import { listCalls, listRejections } from '../../db/repositories/calls.js';
import { findAccount } from '../../db/repositories/accounts.js';
import { findPlan } from '../../db/repositories/plans.js';
import { listRequests } from '../../db/repositories/requests.js';
import type { UsageReply } from '../../contract/usage-reply.js';
import { createTestDatabase, type TestDatabase } from './database.js';
import { connectTestClient, uniqueTaskQueue } from './workers.js';

export interface AccountTestbed {
  readonly database: TestDatabase;
  readonly taskQueue: string;
  readonly temporal: Client;
  readonly billing: AccountWorkflowClient;
  readonly provisioning: AccountProvisioning;
  /** The account's workflow as Temporal describes it (status, run id, history length). */
  handleDescription(accountId: string): ReturnType<WorkflowHandle['describe']>;
  close(): Promise<void>;
}

/**
 * An account id of its own: workflow ids are unique per namespace, and every test file shares the
 * harness's `default` namespace, so two files using `acme` would reach the same workflow.
 */
export function uniqueAccountId(name: string): string {
  return `${name}-${randomBytes(3).toString('hex')}`;
}

export async function accountTestbed(label: string): Promise<AccountTestbed> {
  const database = await createTestDatabase(label);
  const taskQueue = uniqueTaskQueue(label);
  const temporal = await connectTestClient();
  const billing = new AccountWorkflowClient({ temporal, taskQueue });
  const provisioning = new AccountProvisioning({ db: database.db, workflows: billing });
  return {
    database,
    taskQueue,
    temporal,
    billing,
    provisioning,
    handleDescription: (accountId) => billing.handle(accountId).describe(),
    async close() {
      await temporal.connection.close();
      await database.drop();
    },
  };
}

export const growthPlan = {
  id: 'growth',
  name: 'Growth',
  allowanceCredits: '10',
  creditsPerMinute: '1',
  overagePricePerCredit: '0.12',
  currency: 'USD',
  alertThresholdsPercent: [50, 80, 100],
};

/**
 * `createdAt` and `billingAnchor` for an account whose first cycle is a full one that ends
 * `endsInMs` (rounded up to a whole second) from now: created on the boundary a month earlier.
 */
export function cycleEndingIn(
  endsInMs: number,
  timeZone = 'UTC',
): { createdAt: string; billingAnchor: string; cycleEnd: number } {
  const end = Math.ceil((Date.now() + endsInMs) / 1000) * 1000;
  const local = localDateTimeOf(end, timeZone);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  const billingAnchor = `${pad(local.year, 4)}-${pad(local.month)}-${pad(local.day)}T${pad(local.hour)}:${pad(local.minute)}:${pad(local.second)}`;
  const calendar = makeCalendar(timeZone, end, { ...local, millisecond: 0 });
  const createdAt = boundaryOf(calendar, monthIndexOf(local) - 1);
  return { createdAt: formatInstant(createdAt), billingAnchor, cycleEnd: end };
}

let callSeq = 0;

/** A completed inbound call of `seconds`, answered `agoMs` before now (default: ended 1 min ago). */
export function completedCall(
  accountId: string,
  seconds: number,
  options: { callId?: string; agoMs?: number; answeredAt?: number } = {},
): Record<string, unknown> {
  const answeredAt = options.answeredAt ?? Date.now() - (options.agoMs ?? seconds * 1000 + 60_000);
  return {
    callId: options.callId ?? `CA${process.pid}x${++callSeq}`,
    accountId,
    direction: 'inbound',
    status: 'completed',
    answeredAt: formatInstant(answeredAt),
    endedAt: formatInstant(answeredAt + seconds * 1000),
  };
}

function batchSeq(batchId: string): number {
  return Number(batchId.slice(batchId.lastIndexOf(':') + 1));
}

/**
 * The `preview` of exactly what the workflow recorded: every stored call, rejected event and
 * request at the arrival the workflow gave it, in the order it applied them, up to `until`.
 */
export async function previewOfRecorded(
  database: TestDatabase,
  accountId: string,
  until: number,
): Promise<PreviewOutput> {
  const account = await findAccount(database.db, accountId);
  if (account === undefined) throw new Error(`no account ${accountId}`);
  const plan = await findPlan(database.db, account.plan_id);
  type Op = { at: number; order: [number, number]; op: Record<string, unknown> };
  const ops: Op[] = [];
  for (const c of await listCalls(database.db, accountId, 1_000_000)) {
    ops.push({
      at: c.arrived_at.getTime(),
      order: [batchSeq(c.batch_id), c.position],
      op: { type: 'call', event: JSON.parse(c.raw) as unknown },
    });
  }
  for (const r of await listRejections(database.db, accountId, 1_000_000)) {
    if (r.raw === null) continue; // too large to keep: it never reached the ledger either
    ops.push({
      at: r.arrived_at.getTime(),
      order: [batchSeq(r.batch_id), r.position],
      op: { type: 'call', event: JSON.parse(r.raw) as unknown },
    });
  }
  for (const q of await listRequests(database.db, accountId)) {
    const request = q.request as Record<string, unknown>;
    const at = q.arrived_at.getTime();
    const order: [number, number] = [Number.MAX_SAFE_INTEGER, 0];
    if (q.kind === 'purchaseCredits') {
      ops.push({ at, order, op: { type: 'purchase', ...request } });
    } else if (q.kind === 'cancelPurchase') {
      ops.push({ at, order, op: { type: 'cancelPurchase', purchaseId: request.purchaseId } });
    } else if (q.kind === 'changePlan') {
      const changed = await findPlan(database.db, String(request.planId));
      ops.push({
        at,
        order,
        op: { type: 'changePlan', plan: changed?.definition, effective: request.effective },
      });
    }
  }
  ops.sort((a, b) => a.at - b.at || a.order[0] - b.order[0] || a.order[1] - b.order[1]);
  return runPreview({
    account: {
      id: account.id,
      timeZone: account.time_zone,
      createdAt: formatInstant(account.created_at.getTime()),
      ...(account.billing_anchor === null ? {} : { billingAnchor: account.billing_anchor }),
      graceSeconds: account.grace_seconds,
      maxLateSeconds: account.max_late_seconds,
    },
    plan: plan?.definition,
    until: formatInstant(until),
    operations: ops.map((o) => ({ at: formatInstant(o.at), ...o.op })),
  });
}

/** Polls the `usage` query until `done` holds; returns that reply. */
export async function waitForUsage(
  billing: AccountWorkflowClient,
  accountId: string,
  done: (usage: UsageReply) => boolean,
  what: string,
  timeoutMs = 30_000,
): Promise<UsageReply> {
  const deadline = Date.now() + timeoutMs;
  let last: UsageReply | undefined;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      last = await billing.usage(accountId);
      if (done(last)) return last;
    } catch (error) {
      lastError = error;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(
    `timed out after ${timeoutMs} ms waiting for ${what}; last usage: ${JSON.stringify(last)}; last error: ${String(lastError)}`,
  );
}

/** Fisher-Yates with a seeded generator, so a failing order can be reproduced. */
export function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let s = seed >>> 0;
  const next = () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Runs `work` over `items` with at most `limit` in flight. */
export async function inParallel<T>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        await work(items[i]!, i);
      }
    }),
  );
}

/** `count` distinct calls answered over the last 9 days, 10 s to 10 min long. */
export function distinctCalls(accountId: string, count: number): Record<string, unknown>[] {
  return Array.from({ length: count }, (_, i) =>
    completedCall(accountId, 10 + ((i * 37) % 590), {
      callId: `${accountId}-call-${i}`,
      answeredAt: Date.now() - 9 * 86_400_000 + i * Math.floor((8 * 86_400_000) / count),
    }),
  );
}

/** The credits of these events on `plan` (the growth plan by default), by the billing core. */
export function expectedMillicredits(
  accountId: string,
  events: readonly unknown[],
  planInput: unknown = growthPlan,
): bigint {
  const plan = parsePlan(planInput);
  let total = 0n;
  for (const raw of events) {
    const parsed = parseCallEvent(raw, accountId);
    if (!('ok' in parsed)) throw new Error('fixture event is invalid');
    total += rateCall(parsed.call, plan).millicredits;
  }
  return total;
}
