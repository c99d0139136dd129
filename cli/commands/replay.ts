/**
 * `billing replay <accountId>`: fetches the history of every run of the account's workflow (the
 * runs it continued as new through, and the one running now) from Temporal and replays each
 * against the workflow code this installation would deploy. A run that replays differently is a
 * change that would break the runs in flight: it needs `patched` or a new workflow type before it
 * ships (test/replay/README.md). Exit 1 when any run fails to replay.
 */
import type { Client } from '@temporalio/client';
import { Runtime, Worker } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { ACCOUNT_ID_MESSAGE, ACCOUNT_ID_RE, accountWorkflowId } from '../../contract/ids.js';
import { createLogger } from '../../logging/logger.js';
import { loadWorkflowBundle } from '../../workers/workflow-bundle.js';
import { EXIT, notFound, runCommand, table, usageError } from '../output.js';

const spec = {
  name: 'replay',
  help: `usage: billing replay <accountId> [--json]

Replays every run of the account's workflow (from Temporal's history) against the current
workflow code (WORKFLOW_BUNDLE_PATH, or bundled from workflows/ now) and reports each run as ok,
nondeterminism (the code would take another path: it needs patching) or failed.
Exit 1 when any run does not replay; 3 when Temporal has no run of this account.`,
  options: {},
  positionals: [1, 1],
} as const;

interface RunInfo {
  runId: string;
  status: string;
  startTime: string;
  closeTime: string | null;
  events: number;
}

/** Every run of the workflow id, oldest first (visibility lists them newest first). */
async function runsOf(client: Client, workflowId: string): Promise<RunInfo[]> {
  const runs: RunInfo[] = [];
  for await (const info of client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) {
    runs.push({
      runId: info.runId,
      status: info.status.name,
      startTime: info.startTime.toISOString(),
      closeTime: info.closeTime?.toISOString() ?? null,
      events: 0,
    });
  }
  return runs.sort((a, b) => a.startTime.localeCompare(b.startTime));
}

export function run(args: string[]): Promise<number> {
  return runCommand(spec, args, async ({ positionals }, context) => {
    const accountId = positionals[0]!;
    if (!ACCOUNT_ID_RE.test(accountId)) {
      throw usageError(`${ACCOUNT_ID_MESSAGE}, got '${accountId}'`);
    }
    const workflowId = accountWorkflowId(accountId);
    const client = await context.temporal();
    const runs = await runsOf(client, workflowId);
    if (runs.length === 0) {
      throw notFound(`Temporal has no run of workflow ${workflowId}: is ${accountId} an account?`);
    }
    const histories = await Promise.all(
      runs.map(async (r) => {
        const history = await client.workflow.getHandle(workflowId, r.runId).fetchHistory();
        r.events = history.events?.length ?? 0;
        return { workflowId, history };
      }),
    );
    // The replay worker's log goes to stderr, so stdout stays the report (or its JSON).
    // Core's own lines (the nondeterminism each run reports below) are forwarded there too.
    Runtime.install({
      logger: createLogger('ERROR'),
      shutdownSignals: [],
      telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' }, forward: {} } },
    });
    const workflowBundle = await loadWorkflowBundle(context.config().worker.workflowBundlePath);
    const results: { outcome: 'ok' | 'nondeterminism' | 'failed'; error: string | null }[] = [];
    for await (const { error } of Worker.runReplayHistories(
      { workflowBundle, replayName: `billing-replay-${accountId}` },
      histories,
    )) {
      results.push({
        outcome:
          error === undefined
            ? 'ok'
            : error instanceof DeterminismViolationError
              ? 'nondeterminism'
              : 'failed',
        error: error === undefined ? null : error.message,
      });
    }
    // Results come in the order the histories went in, one each.
    const report = runs.map((r, i) => ({
      ...r,
      ...(results[i] ?? { outcome: 'failed', error: 'no result' }),
    }));
    const failedRuns = report.filter((r) => r.outcome !== 'ok').length;
    return {
      json: { accountId, workflowId, ok: failedRuns === 0, runs: report },
      text:
        table([
          ['RUN', 'STATUS', 'STARTED', 'EVENTS', 'REPLAY'],
          ...report.map((r) => [r.runId, r.status, r.startTime, String(r.events), r.outcome]),
        ]) +
        report
          .filter((r) => r.error !== null)
          .map((r) => `\n\n${r.runId}: ${r.error}`)
          .join('') +
        `\n\n${failedRuns === 0 ? `all ${report.length} run(s) replay` : `${failedRuns} of ${report.length} run(s) do not replay`}`,
      code: failedRuns === 0 ? EXIT.ok : EXIT.failed,
    };
  });
}
