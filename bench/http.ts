/**
 * `npm run bench:http [-- --accounts N --events M --concurrency C --raw-concurrency R]`: call
 * events through the HTTP edge. N accounts x M events are posted to POST /v1/call-events in
 * batches of 100 (at most C requests in flight, accounts taken in turn), each answered once its
 * events are durably recorded: events/s from the first post to the last answer.
 *
 * Printed beside a raw baseline measured in the same run on the same server: the same number of
 * events, one signal-with-start of `callCompleted` each (R in flight), to workflows on a task queue
 * no worker polls, as `bench:ingest` measures it. The edge runs in this process, beside the
 * client and the worker of the bench stack.
 */
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { AccountWorkflowClient } from '../client/account-workflow-client.js';
import { insertApiKey } from '../db/repositories/api-keys.js';
import { generateApiKey } from '../edge/api-key.js';
import { buildEdgeServer } from '../edge/server.js';
import { createLogger } from '../logging/logger.js';
import {
  benchCall,
  benchPlan,
  cpuMeter,
  describeCpu,
  fmt,
  intFlags,
  percentile,
  runBench,
  say,
  sendAll,
  waitLoaded,
} from './stack.js';

const flags = intFlags(process.argv.slice(2), {
  accounts: 10,
  events: 1_000,
  concurrency: 16,
  'raw-concurrency': 64,
});
const ACCOUNTS = flags.accounts;
const EVENTS = flags.events;
const BATCH = 100;
const CALL_SECONDS = 60;

interface Post {
  readonly accountId: string;
  readonly key: string;
  readonly events: Record<string, unknown>[];
}

/** Batch k goes to account k mod N, so every account receives its batches spread over the run. */
function makePosts(
  prefix: string,
  keys: ReadonlyMap<string, string>,
  answeredFrom: number,
): Post[] {
  const perAccount = Math.ceil(EVENTS / BATCH);
  const posts: Post[] = [];
  for (let b = 0; b < perAccount; b++) {
    for (let a = 0; a < ACCOUNTS; a++) {
      const accountId = `${prefix}${a}`;
      const size = Math.min(BATCH, EVENTS - b * BATCH);
      const events = Array.from({ length: size }, (_, i) => {
        const j = b * BATCH + i;
        return benchCall(accountId, `CA${a}x${j}`, answeredFrom + j * 100, CALL_SECONDS);
      });
      posts.push({ accountId, key: keys.get(accountId) ?? '', events });
    }
  }
  return posts;
}

const ms = (n: number) => `${n.toFixed(1)} ms`;
const spread = (latencies: readonly number[]) =>
  `p50 ${ms(percentile(latencies, 50))}, p95 ${ms(percentile(latencies, 95))}, ` +
  `p99 ${ms(percentile(latencies, 99))}`;

await runBench({ label: 'http' }, async (stack, aborted) => {
  await stack.provisioning.createPlan(benchPlan);
  const createdAt = Date.now() - 2 * 86_400_000;
  const answeredFrom = Date.now() - 86_400_000;
  const accountIds = Array.from({ length: ACCOUNTS }, (_, a) => `acct${a}`);
  const keys = new Map<string, string>();
  for (const id of accountIds) {
    await stack.provisioning.createAccount({
      id,
      planId: benchPlan.id,
      timeZone: 'UTC',
      createdAt: new Date(createdAt).toISOString(),
    });
    const key = generateApiKey();
    await insertApiKey(stack.db, {
      account_id: id,
      prefix: key.prefix,
      secret_hash: key.secretHash,
      name: 'bench',
      revoked_at: null,
      last_used_at: null,
    });
    keys.set(id, key.key);
  }
  await Promise.all(accountIds.map((id) => waitLoaded(stack, id)));

  const edge = await buildEdgeServer({
    billing: stack.billing,
    db: stack.db,
    // One client address and a few keys send everything: the limits would measure themselves.
    config: {
      ...stack.config.edge,
      rateLimitPerIpPerMinute: 10_000_000,
      rateLimitPerKeyPerMinute: 10_000_000,
    },
    logger: createLogger('WARN'),
  });
  await edge.listen({ host: '127.0.0.1', port: 0 });
  const url = `http://127.0.0.1:${(edge.server.address() as AddressInfo).port}/v1/call-events`;
  try {
    const outcomes = new Map<string, number>();
    const statuses = new Map<number, number>();
    const post = async (p: Post) => {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${p.key}` },
        body: JSON.stringify({ events: p.events }),
      });
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      const body = (await response.json()) as { outcomes?: { outcome: string }[] };
      for (const o of body.outcomes ?? [])
        outcomes.set(o.outcome, (outcomes.get(o.outcome) ?? 0) + 1);
    };

    // The raw baseline: the same client code, a task queue nobody polls.
    const raw = new AccountWorkflowClient({
      temporal: stack.temporal,
      taskQueue: 'bench-unpolled',
    });
    const total = ACCOUNTS * EVENTS;
    const rawSends = makePosts('raw', keys, answeredFrom).flatMap((p) =>
      p.events.map((event) => ({ accountId: p.accountId, event })),
    );
    say('warm-up');
    await sendAll(
      Math.min(1_000, total),
      flags['raw-concurrency'],
      (i) => raw.sendCallEvent(`warm${rawSends[i]!.accountId}`, rawSends[i]!.event),
      aborted,
    );

    say(`raw baseline: ${fmt(total)} signal-with-start to an unpolled task queue`);
    const rawCpu = cpuMeter();
    const rawStart = performance.now();
    const rawLatencies = await sendAll(
      total,
      flags['raw-concurrency'],
      (i) => raw.sendCallEvent(rawSends[i]!.accountId, rawSends[i]!.event),
      aborted,
    );
    const rawMs = performance.now() - rawStart;
    const rawUse = rawCpu?.() ?? null;

    const posts = makePosts('acct', keys, answeredFrom);
    say(
      `http: ${fmt(total)} events in ${fmt(posts.length)} posts of up to ${BATCH} to ${ACCOUNTS} accounts`,
    );
    const httpCpu = cpuMeter();
    const httpStart = performance.now();
    const httpLatencies = await sendAll(
      posts.length,
      flags.concurrency,
      (i) => post(posts[i]!),
      aborted,
    );
    const httpMs = performance.now() - httpStart;
    const httpUse = httpCpu?.() ?? null;
    if (aborted.aborted) return 130;

    const stored = await sql<{ n: string }>`SELECT count(*)::text AS n FROM calls`.execute(
      stack.db,
    );
    const storedCalls = Number(stored.rows[0]?.n ?? 0);
    const rawRate = total / (rawMs / 1000);
    const httpRate = total / (httpMs / 1000);
    const lines = [
      `bench:http  ${ACCOUNTS} accounts x ${EVENTS} events = ${fmt(total)} call events, ` +
        `batches of ${BATCH}, ${flags.concurrency} requests in flight, ` +
        `${stack.config.edge.updatesInFlightPerAccount} updates in flight per account, ` +
        `${stack.postgres}, ${new Date().toISOString()}`,
      `code: ${stack.code}`,
      `http (POST -> answered, durably recorded): ${fmt(httpRate)} events/s  ` +
        `(${(httpMs / 1000).toFixed(2)} s; ${fmt(posts.length / (httpMs / 1000))} requests/s; ` +
        `per request ${spread(httpLatencies)})`,
      `raw baseline (signal-with-start, no worker): ${fmt(rawRate)} events/s  ` +
        `(${(rawMs / 1000).toFixed(2)} s; ${flags['raw-concurrency']} in flight; per signal ${spread(rawLatencies)})`,
      `ratio http / raw:                          ${(httpRate / rawRate).toFixed(3)}`,
      `http ${describeCpu(httpUse)}`,
      `raw  ${describeCpu(rawUse)}`,
      `check: statuses ${[...statuses].map(([s, n]) => `${s} x${n}`).join(', ')}; outcomes ` +
        `${[...outcomes].map(([o, n]) => `${o} ${fmt(n)}`).join(', ')}; ` +
        `${fmt(storedCalls)} calls stored in PostgreSQL (expected ${fmt(total)})`,
      '',
    ];
    process.stdout.write(lines.join('\n'));
    return storedCalls === total && (outcomes.get('accepted') ?? 0) === total ? 0 : 1;
  } finally {
    await edge.close();
  }
});
