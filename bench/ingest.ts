/**
 * `npm run bench:ingest [-- --accounts N --events M --concurrency C]`: end-to-end ingest through
 * the account workflows. N accounts x M call events are sent at full speed by signal-with-start
 * (`AccountWorkflowClient.sendCallEvent`, at most C in flight), then the `usage` query is polled until every
 * account shows exactly the credits of its calls: events/s counted end to end, from the first send
 * until every event is visible in usage.
 *
 * Printed beside a raw baseline measured in the same run on the same server: the same events, count
 * and concurrency, signal-with-start of `callCompleted` to workflows on a task queue that no worker
 * polls (the server accepts and stores each signal; nothing processes it).
 */
import { sql } from 'kysely';
import { parsePlan } from '../billing/plan.js';
import { billedSeconds, creditsForSeconds } from '../billing/rating.js';
import { AccountWorkflowClient } from '../client/account-workflow-client.js';
import { accountWorkflowId } from '../contract/ids.js';
import {
  benchCall,
  benchPlan,
  type BenchStack,
  cpuMeter,
  describeCpu,
  describeRefusals,
  fmt,
  intFlags,
  pause,
  percentile,
  type QueryRefusals,
  runBench,
  type RunCost,
  runCosts,
  say,
  sendAll,
  usageOf,
  waitLoaded,
} from './stack.js';

const flags = intFlags(process.argv.slice(2), {
  accounts: 20,
  events: 500,
  concurrency: 64,
  'drain-timeout': 300,
});
const ACCOUNTS = flags.accounts;
const EVENTS = flags.events;
const CONCURRENCY = flags.concurrency;
const CALL_SECONDS = 60;
/** How long the workflows may take to show every event once all are sent. */
const DRAIN_TIMEOUT_MS = flags['drain-timeout'] * 1000;
const GOAL = 0.8;

interface Send {
  accountId: string;
  event: Record<string, unknown>;
}

/** Event k goes to account k mod N: every account receives its events spread over the run. */
function makeSends(prefix: string, answeredFrom: number): Send[] {
  const sends: Send[] = [];
  for (let k = 0; k < ACCOUNTS * EVENTS; k++) {
    const account = k % ACCOUNTS;
    const j = Math.floor(k / ACCOUNTS);
    const accountId = `${prefix}${account}`;
    sends.push({
      accountId,
      event: benchCall(accountId, `CA${account}x${j}`, answeredFrom + j * 100, CALL_SECONDS),
    });
  }
  return sends;
}

interface Measured {
  ms: number;
  latencies: number[];
}

async function push(
  billing: AccountWorkflowClient,
  sends: readonly Send[],
  aborted: AbortSignal,
): Promise<Measured> {
  const start = performance.now();
  const latencies = await sendAll(
    sends.length,
    CONCURRENCY,
    (i) => billing.sendCallEvent(sends[i]!.accountId, sends[i]!.event),
    aborted,
  );
  return { ms: performance.now() - start, latencies };
}

/** Usage queries the workflows refused, reported with the figures. */
const refusals: QueryRefusals = { count: 0, last: '' };

/** Polls usage until every account shows `expected` millicredits; ms until then, or null. */
async function drain(
  stack: BenchStack,
  accountIds: readonly string[],
  expected: bigint,
  start: number,
  aborted: AbortSignal,
): Promise<{ ms: number | null; counted: bigint }> {
  const used = new Map<string, bigint>(accountIds.map((id) => [id, -1n]));
  const deadline = performance.now() + DRAIN_TIMEOUT_MS;
  for (;;) {
    const open = accountIds.filter((id) => used.get(id) !== expected);
    await Promise.all(
      open.map(async (id) => {
        const reply = await usageOf(stack, id, refusals, aborted);
        used.set(id, BigInt(reply.cycle.usedMillicredits));
      }),
    );
    const counted = [...used.values()].reduce((a, b) => a + (b > 0n ? b : 0n), 0n);
    if ([...used.values()].every((u) => u === expected)) {
      return { ms: performance.now() - start, counted };
    }
    if ([...used.values()].some((u) => u > expected)) {
      throw new Error(`an account shows more than the ${expected} millicredits it was sent`);
    }
    if (performance.now() > deadline || aborted.aborted) return { ms: null, counted };
    await pause(100, aborted);
  }
}

const ms = (n: number) => `${n.toFixed(1)} ms`;

await runBench({ label: 'ingest' }, async (stack, aborted) => {
  const plan = parsePlan(benchPlan);
  await stack.provisioning.createPlan(benchPlan);
  const perCall = creditsForSeconds(billedSeconds(CALL_SECONDS, plan), plan);
  const expected = perCall * BigInt(EVENTS);
  const createdAt = Date.now() - 2 * 86_400_000;
  const answeredFrom = Date.now() - 86_400_000; // after createdAt; calls 100 ms apart

  const accountIds = Array.from({ length: ACCOUNTS }, (_, a) => `acct${a}`);
  for (const id of accountIds) {
    await stack.provisioning.createAccount({
      id,
      planId: plan.id,
      timeZone: 'UTC',
      createdAt: new Date(createdAt).toISOString(),
    });
  }
  await Promise.all(accountIds.map((id) => waitLoaded(stack, id)));

  // The raw baseline: the same client code, a task queue nobody polls.
  const raw = new AccountWorkflowClient({ temporal: stack.temporal, taskQueue: 'bench-unpolled' });
  // Warm-up (connections, JIT) on both paths, outside the measured events.
  say('warm-up');
  const warm = Math.min(1_000, ACCOUNTS * EVENTS);
  await push(raw, makeSends('warmraw', answeredFrom).slice(0, warm), aborted);

  const total = ACCOUNTS * EVENTS;
  say(`raw baseline: ${fmt(total)} signal-with-start to an unpolled task queue`);
  const rawCpu = cpuMeter();
  const rawRun = await push(raw, makeSends('raw', answeredFrom), aborted);
  const rawUse = rawCpu?.() ?? null;

  say(`ingest: ${fmt(total)} events to ${ACCOUNTS} account workflows`);
  const ingestCpu = cpuMeter();
  const start = performance.now();
  const sent = await push(stack.billing, makeSends('acct', answeredFrom), aborted);
  const drained = await drain(stack, accountIds, expected, start, aborted);
  const ingestUse = ingestCpu?.() ?? null;
  if (aborted.aborted) return 130;

  const costs = (
    await Promise.all(accountIds.map((id) => runCosts(stack.temporal, accountWorkflowId(id))))
  ).flat();
  const sum = (pick: (c: RunCost) => number) => costs.reduce((a, c) => a + pick(c), 0);
  const batches = await sql<{ n: string }>`SELECT count(*)::text AS n FROM ingest_batches`.execute(
    stack.db,
  );
  const batchCount = Number(batches.rows[0]?.n ?? 0);

  const stored = await sql<{ n: string }>`SELECT count(*)::text AS n FROM calls`.execute(stack.db);
  const storedCalls = Number(stored.rows[0]?.n ?? 0);
  const pending = await Promise.all(
    accountIds.map(async (id) => (await usageOf(stack, id, refusals, aborted)).pendingEvents),
  );

  const rawRate = total / (rawRun.ms / 1000);
  const sendRate = total / (sent.ms / 1000);
  const lines = [
    `bench:ingest  ${ACCOUNTS} accounts x ${EVENTS} events = ${fmt(total)} call events, ` +
      `signal-with-start, ${CONCURRENCY} in flight, ${stack.postgres}, ${new Date().toISOString()}`,
    `code: ${stack.code}`,
  ];
  if (drained.ms === null) {
    lines.push(
      `ingest end to end:  NOT COMPLETE after ${DRAIN_TIMEOUT_MS / 1000}s: usage shows ` +
        `${drained.counted / perCall} of ${total} events`,
    );
  } else {
    const rate = total / (drained.ms / 1000);
    lines.push(
      `ingest end to end (sent -> visible in usage): ${fmt(rate)} events/s  (${(drained.ms / 1000).toFixed(2)} s)`,
      `  sends alone:                                ${fmt(sendRate)} events/s  (${(sent.ms / 1000).toFixed(2)} s; ` +
        `p50 ${ms(percentile(sent.latencies, 50))}, p95 ${ms(percentile(sent.latencies, 95))}, ` +
        `p99 ${ms(percentile(sent.latencies, 99))})`,
      `  usage caught up ${((drained.ms - sent.ms) / 1000).toFixed(2)} s after the last send`,
      `raw baseline (signal-with-start, no worker):  ${fmt(rawRate)} events/s  (${(rawRun.ms / 1000).toFixed(2)} s; ` +
        `p50 ${ms(percentile(rawRun.latencies, 50))}, p95 ${ms(percentile(rawRun.latencies, 95))}, ` +
        `p99 ${ms(percentile(rawRun.latencies, 99))})`,
      `ratio ingest / raw:                           ${(rate / rawRate).toFixed(3)}`,
      `goal ratio >= ${GOAL}:                            ${rate / rawRate >= GOAL ? 'met' : 'NOT met'}`,
    );
  }
  const refused = describeRefusals(refusals);
  if (refused !== null) lines.push(refused);
  lines.push(
    `ingest ${describeCpu(ingestUse)}`,
    `raw    ${describeCpu(rawUse)}`,
    `workflow work: ${costs.length} runs, ${fmt(sum((c) => c.events))} history events, ` +
      `${fmt(sum((c) => c.workflowTasks))} workflow tasks, ${fmt(batchCount)} ingest batches ` +
      `(${(total / Math.max(1, batchCount)).toFixed(1)} events per batch) for ${fmt(total)} events`,
  );
  lines.push(
    `check: ${fmt(storedCalls)} calls stored in PostgreSQL (expected ${fmt(total)}), ` +
      `${fmt(pending.reduce((a, b) => a + b, 0))} events pending in the workflows, ` +
      `${drained.counted} millicredits used (expected ${expected * BigInt(ACCOUNTS)})`,
    '',
  );
  process.stdout.write(lines.join('\n'));
  return drained.ms === null || storedCalls !== total ? 1 : 0;
});
