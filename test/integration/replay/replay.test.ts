/**
 * The workflow histories committed under test/replay/histories (recorded by
 * record-histories.test.ts; test/replay/README.md) replay against the current workflow code, and a
 * deliberately changed workflow fails their replay: the check that a change to workflows/ keeps
 * the runs already in flight working.
 */
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, Worker, type WorkflowBundleOption } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { workflowsPath } from '../../../workers/workflow-bundle.js';
import { createLogger } from '../../../logging/logger.js';
import { loadHistories } from '../../harness/histories.js';
import { installTestRuntime } from '../../harness/workers.js';

const changedWorkflowInterceptor = fileURLToPath(
  new URL('./changed-workflow-interceptor.ts', import.meta.url),
);

const histories = loadHistories();

/** Replays every committed history on one replay worker; one result per history, in order. */
async function replayAll(workflowBundle: WorkflowBundleOption) {
  const results: { workflowId: string; error: Error | undefined }[] = [];
  for await (const { workflowId, error } of Worker.runReplayHistories(
    { workflowBundle },
    histories,
  )) {
    results.push({ workflowId, error });
  }
  return results;
}

describe('committed workflow histories', () => {
  beforeAll(() => installTestRuntime());

  it('there are histories of the account workflow: runs that continued as new, a close, an unknown account', () => {
    const names = histories.map((h) => h.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'account-lifecycle-run1',
        'account-lifecycle-run2',
        'account-unknown-run1',
      ]),
    );
    // The recorded lifecycle continued as new, and the unknown account's workflow completed.
    const endings = histories.map(({ history }) => {
      const last = history.events?.at(-1);
      if (last?.workflowExecutionContinuedAsNewEventAttributes) return 'continued-as-new';
      if (last?.workflowExecutionCompletedEventAttributes) return 'completed';
      return 'open';
    });
    expect(endings).toEqual(expect.arrayContaining(['continued-as-new', 'completed', 'open']));
  });

  it('every history replays against the current workflow code', async () => {
    const results = await replayAll({ codePath: inject('workflowBundlePath') });
    expect(results.map((r) => ({ workflowId: r.workflowId, error: r.error?.message }))).toEqual(
      histories.map((h) => ({ workflowId: h.workflowId, error: undefined })),
    );
  });

  it('a changed workflow (a timer before every activity) fails the replay of every history', async () => {
    const { code } = await bundleWorkflowCode({
      workflowsPath: workflowsPath(),
      workflowInterceptorModules: [changedWorkflowInterceptor],
      logger: createLogger('WARN'),
    });
    const results = await replayAll({ code });
    expect(results.map((r) => r.workflowId)).toEqual(histories.map((h) => h.workflowId));
    for (const { workflowId, error } of results) {
      expect(error, workflowId).toBeInstanceOf(DeterminismViolationError);
      // What changed: a timer where the history scheduled an activity.
      expect(error?.message, workflowId).toMatch(/Timer machine .*ActivityTaskScheduled/);
    }
  });
});
