/**
 * `npm run bench:hot [-- --rate R --seconds S --sample P --continue-as-new-after E]`: one hot
 * account driven at a steady R call events/s (default 100) for S seconds (default 60) by
 * signal-with-start. Every P seconds (default 5) it samples the `usage` query and the current run;
 * at the end it prints the sustained rate, the lag (last send until usage shows everything), the
 * largest backlog seen (acknowledged sends not yet counted), each run of the workflow's chain with
 * its history length (continue-as-new at a cycle boundary, when Temporal suggests it, or after
 * CONTINUE_AS_NEW_AFTER_EVENTS history events) and anything lost (sent minus counted: must be 0).
 */
import { sql } from 'kysely';
import { parsePlan } from '../billing/plan.js';
import { billedSeconds, creditsForSeconds } from '../billing/rating.js';
import { accountWorkflowId } from '../contract/ids.js';
import {
  benchCall,
  benchPlan,
  cpuMeter,
  describeCpu,
  describeError,
  describeRefusals,
  fmt,
  intFlags,
  pause,
  percentile,
  type QueryRefusals,
  runBench,
  runCosts,
  say,
  usageOf,
  waitLoaded,
} from './stack.js';

const flags = intFlags(process.argv.slice(2), {
  rate: 100,
  seconds: 60,
  sample: 5,
  'max-in-flight': 256,
  'drain-timeout': 120,
  /** 0 keeps the worker's configuration (CONTINUE_AS_NEW_AFTER_EVENTS, default 10,000). */
  'continue-as-new-after': 0,
});
const RATE = flags.rate;
const SECONDS = flags.seconds;
const SAMPLE_SECONDS = flags.sample;
const MAX_IN_FLIGHT = flags['max-in-flight'];
const DRAIN_TIMEOUT_MS = flags['drain-timeout'] * 1000;
const CAN_AFTER = flags['continue-as-new-after'];
const ACCOUNT = 'hot';
const CALL_SECONDS = 60;

const out = (line: string) => void process.stdout.write(`${line}\n`);
const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

await runBench(
  {
    label: 'hot',
    workerEnv: CAN_AFTER > 0 ? { CONTINUE_AS_NEW_AFTER_EVENTS: String(CAN_AFTER) } : {},
  },
  async (stack, aborted) => {
    const { billing, provisioning, temporal } = stack;
    const plan = parsePlan(benchPlan);
    await provisioning.createPlan(benchPlan);
    const perCall = creditsForSeconds(billedSeconds(CALL_SECONDS, plan), plan);
    await provisioning.createAccount({
      id: ACCOUNT,
      planId: plan.id,
      timeZone: 'UTC',
      createdAt: new Date(Date.now() - 2 * 86_400_000).toISOString(),
    });
    const workflowId = accountWorkflowId(ACCOUNT);
    await waitLoaded(stack, ACCOUNT);

    const total = RATE * SECONDS;
    const answeredFrom = Date.now() - 86_400_000;
    let acked = 0;
    let failed = 0;
    let lastError = '';
    let inFlight = 0;
    let late = 0;
    let lastAckAt = 0;
    const latencies: number[] = [];
    let wake: (() => void) | null = null;

    const refusals: QueryRefusals = { count: 0, last: '' };
    /** Usage now: events counted, events pending in the workflow. */
    const counted = async () => {
      const reply = await usageOf(stack, ACCOUNT, refusals, aborted);
      return {
        counted: Number(BigInt(reply.cycle.usedMillicredits) / perCall),
        pending: reply.pendingEvents,
      };
    };

    const runsSeen = new Set<string>();
    let maxBacklog = 0;
    let maxPending = 0;
    let sending = true;
    const t0 = performance.now();
    out(
      `bench:hot  one account, ${fmt(RATE)} events/s for ${SECONDS} s (${fmt(total)} events), ` +
        `signal-with-start, ${stack.postgres}, continue-as-new after ` +
        `${fmt(stack.config.accountWorkflow.continueAsNewAfterEvents)} events, ${new Date().toISOString()}`,
    );
    out(`code: ${stack.code}`);
    out('     t     sent  counted  backlog  pending  run  history  query ms');

    const sample = async () => {
      const asked = performance.now();
      const at = asked - t0;
      const [usage, described] = await Promise.all([
        counted(),
        temporal.workflow.getHandle(workflowId).describe(),
      ]);
      // Read after the answer: an event counted there was acknowledged, or is about to be.
      const ackedNow = acked;
      const queryMs = performance.now() - asked;
      runsSeen.add(described.runId);
      const backlog = ackedNow - usage.counted;
      maxBacklog = Math.max(maxBacklog, backlog);
      maxPending = Math.max(maxPending, usage.pending);
      out(
        `${(at / 1000).toFixed(1).padStart(6)} ${String(ackedNow).padStart(8)} ${String(usage.counted).padStart(8)} ` +
          `${String(backlog).padStart(8)} ${String(usage.pending).padStart(8)} ${String(runsSeen.size).padStart(4)} ` +
          `${String(described.historyLength).padStart(8)}  ${queryMs.toFixed(0).padStart(8)}`,
      );
    };
    const sampler = (async () => {
      while (sending && !aborted.aborted) {
        await pause(SAMPLE_SECONDS * 1000, aborted);
        if (sending && !aborted.aborted) await sample();
      }
    })();
    sampler.catch(() => undefined); // awaited (and rethrown) once the sends are done

    const cpu = cpuMeter();
    const sends: Promise<void>[] = [];
    for (let i = 0; i < total && !aborted.aborted; i++) {
      const due = t0 + (i * 1000) / RATE;
      const wait = due - performance.now();
      if (wait > 0) await pause(wait, aborted);
      else if (wait < -100) late++;
      while (inFlight >= MAX_IN_FLIGHT) {
        await new Promise<void>((resolve) => (wake = resolve));
      }
      inFlight++;
      const start = performance.now();
      const event = benchCall(ACCOUNT, `CA${i}`, answeredFrom + i * 10, CALL_SECONDS);
      sends.push(
        billing.sendCallEvent(ACCOUNT, event).then(
          () => {
            acked++;
            lastAckAt = performance.now();
            latencies.push(lastAckAt - start);
          },
          (error: unknown) => {
            failed++;
            lastError = describeError(error);
          },
        ),
      );
      void sends.at(-1)!.finally(() => {
        inFlight--;
        const w = wake;
        wake = null;
        w?.();
      });
    }
    await Promise.all(sends);
    const sendMs = lastAckAt - t0;
    const atEnd = await counted();
    const cpuUse = cpu?.() ?? null;
    sending = false;
    await sampler;
    if (aborted.aborted) return 130;

    say('all sent; waiting until usage shows every event');
    let final = atEnd;
    const deadline = performance.now() + DRAIN_TIMEOUT_MS;
    while (final.counted < acked && performance.now() < deadline && !aborted.aborted) {
      await pause(50, aborted);
      final = await counted();
    }
    const allAt = performance.now();
    if (aborted.aborted) return 130;
    await sample();

    const stored = await sql<{ n: string }>`SELECT count(*)::text AS n FROM calls`.execute(
      stack.db,
    );
    const storedCalls = Number(stored.rows[0]?.n ?? 0);
    const runs = await runCosts(temporal, workflowId);
    const signals = runs.reduce((a, r) => a + r.signals, 0);
    const lost = acked - final.counted;
    const complete = final.counted >= acked;

    out('');
    out(
      `offered: ${fmt(acked)} events acknowledged in ${secs(sendMs)} = ${fmt(acked / (sendMs / 1000))} events/s` +
        ` (target ${fmt(RATE)}; ${failed} sends failed${failed > 0 ? `, last: ${lastError}` : ''}; ` +
        `${late} sent >100 ms late; send p50 ${percentile(latencies, 50).toFixed(1)} ms, ` +
        `p95 ${percentile(latencies, 95).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms)`,
    );
    out(
      `sustained: ${fmt(atEnd.counted / (sendMs / 1000))} events/s counted during the send window ` +
        `(${fmt(atEnd.counted)} of ${fmt(acked)} visible at the last send)`,
    );
    out(
      complete
        ? `lag: usage showed every event ${secs(allAt - (t0 + sendMs))} after the last send ` +
            `(overall ${fmt(acked / ((allAt - t0) / 1000))} events/s)`
        : `lag: NOT caught up ${secs(DRAIN_TIMEOUT_MS)} after the last send`,
    );
    out(
      `backlog: max ${fmt(maxBacklog)} events acknowledged but not counted, ` +
        `max ${fmt(maxPending)} pending in the workflow (at the ${SAMPLE_SECONDS} s samples)`,
    );
    const refused = describeRefusals(refusals);
    if (refused !== null) out(refused);
    out(describeCpu(cpuUse));
    out(`runs of ${workflowId} (oldest first):`);
    out(
      '   run  run id                                history  signals  wf tasks  failed  activities  ended',
    );
    runs.forEach((r, i) =>
      out(
        `  ${String(i + 1).padStart(4)}  ${r.runId.padEnd(36)}  ${String(r.events).padStart(7)}  ` +
          `${String(r.signals).padStart(7)}  ${String(r.workflowTasks).padStart(8)}  ` +
          `${String(r.failedWorkflowTasks).padStart(6)}  ${String(r.activities).padStart(10)}  ${r.closed}`,
      ),
    );
    for (const cause of new Set(runs.flatMap((r) => r.failureCauses))) {
      out(`  failed workflow task: ${cause}`);
    }
    const threshold = stack.config.accountWorkflow.continueAsNewAfterEvents;
    for (const [i, r] of runs.entries()) {
      // A run checks its length between batches: a small overshoot is normal, 10% is not.
      if (r.events > threshold * 1.1) {
        out(
          `WARNING: run ${i + 1} reached ${fmt(r.events)} history events, far past the continue-as-new ` +
            `threshold of ${fmt(threshold)} (Temporal refuses signals past 10,000 per run and ` +
            'terminates a run at 51,200 events)',
        );
      }
    }
    out(
      `lost: ${fmt(lost)} (acknowledged ${fmt(acked)} - counted ${fmt(final.counted)}); ` +
        `${fmt(storedCalls)} calls stored in PostgreSQL; ${fmt(signals)} signals in the chain's histories` +
        (lost === 0 && storedCalls === acked && signals === acked
          ? ': nothing lost'
          : ': MISMATCH') +
        (failed > 0
          ? `; ${fmt(failed)} sends REFUSED (never delivered; a caller must retry them)`
          : ''),
    );
    return complete && lost === 0 && failed === 0 && storedCalls === acked ? 0 : 1;
  },
);
