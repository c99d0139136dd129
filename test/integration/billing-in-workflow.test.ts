/**
 * billing/ is imported by the account workflow, so it must run inside Temporal's deterministic
 * workflow sandbox (temporal-polyfill and Intl for time zones, zod, bigint), with the same results
 * as outside it, and replay to the same results. A test-only workflow
 * (test/integration/workflows/billing-preview.ts, bundled here on its own) previews every fixture
 * in test/fixtures on a worker of the harness's Temporal server; its recorded history is then
 * replayed through the same bundle.
 */
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Client, WorkflowExecutionDescription, WorkflowHandle } from '@temporalio/client';
import { type InjectedSinks, Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toJson } from '../../billing/json.js';
import { runPreview } from '../../billing/preview.js';
import {
  bundleTestWorkflows,
  connectTestClient,
  type InProcessWorkers,
  testWorkflowWorkers,
  uniqueTaskQueue,
} from '../harness/workers.js';
import {
  billingPreviewWorkflow,
  type PreviewScenario,
  type PreviewSinks,
} from './workflows/billing-preview.js';

const workflowsPath = fileURLToPath(new URL('./workflows/billing-preview.ts', import.meta.url));
const fixtures = fileURLToPath(new URL('../fixtures', import.meta.url));

const scenarios: PreviewScenario[] = readdirSync(fixtures)
  .filter((file) => file.endsWith('.scenario.json'))
  .sort()
  .map((file) => ({
    name: file.replace(/\.scenario\.json$/, ''),
    text: readFileSync(join(fixtures, file), 'utf8'),
  }));

const expectedText = (name: string) =>
  readFileSync(join(fixtures, `${name}.expected.json`), 'utf8');

/** JSON text without the whitespace outside strings: integers stay exact, whatever their size. */
const compact = (json: string) =>
  json.replace(/"(?:[^"\\]|\\.)*"|\s+/g, (token) => (token.startsWith('"') ? token : ''));

/** An output as the workflow computed it, and whether that was during a replay. */
interface Computed {
  name: string;
  json: string;
  replaying: boolean;
}

/** Sinks recording each output the workflow computes, replays included. */
function recordingSinks(into: Computed[]) {
  const sinks: InjectedSinks<PreviewSinks> = {
    preview: {
      computed: {
        fn: (info, name, json) => {
          into.push({ name, json, replaying: info.unsafe.isReplaying });
        },
        callDuringReplay: true,
      },
    },
  };
  return sinks;
}

describe('billing/ inside the Temporal workflow sandbox', () => {
  const taskQueue = uniqueTaskQueue('billing-sandbox');
  const workflowId = `billing-preview-${randomUUID()}`;
  const computed: Computed[] = [];
  let bundle: { code: string };
  let client: Client;
  let workers: InProcessWorkers;
  let outputs: string[];
  let history: Awaited<ReturnType<WorkflowHandle['fetchHistory']>>;
  let description: WorkflowExecutionDescription;

  beforeAll(async () => {
    bundle = await bundleTestWorkflows(workflowsPath);
    client = await connectTestClient();
    workers = await testWorkflowWorkers(taskQueue, {
      workflowBundle: bundle,
      sinks: recordingSinks(computed),
    });
    outputs = await workers.runUntil(
      client.workflow.execute(billingPreviewWorkflow, {
        taskQueue,
        workflowId,
        args: [scenarios],
        workflowExecutionTimeout: '1 minute',
      }),
    );
    const handle = client.workflow.getHandle(workflowId);
    history = await handle.fetchHistory();
    description = await handle.describe();
  });

  afterAll(async () => {
    await workers?.close();
    await client?.connection.close();
  });

  it('there are fixtures, each with its expectation', () => {
    expect(scenarios.length).toBeGreaterThan(0);
    for (const { name } of scenarios) expect(expectedText(name).length).toBeGreaterThan(0);
  });

  it('the outputs were computed by the workflow, in the sandbox, on this task queue', () => {
    expect(description.type).toBe('billingPreviewWorkflow');
    expect(description.taskQueue).toBe(taskQueue);
    expect(description.status.name).toBe('COMPLETED');
    expect(outputs).toHaveLength(scenarios.length);
    expect(computed).toEqual(
      scenarios.map(({ name }, i) => ({ name, json: outputs[i], replaying: false })),
    );
  });

  it.each(scenarios.map((s, i) => [s.name, i] as const))(
    '%s: the same JSON text as runPreview outside the sandbox and as its .expected.json',
    (name, i) => {
      const scenario = scenarios[i]!;
      const output = outputs[i]!;
      expect(output).toBe(toJson(runPreview(JSON.parse(scenario.text))));
      expect(compact(output)).toBe(compact(expectedText(name)));
    },
  );

  it('replaying the recorded history through the same bundle is deterministic and computes the same outputs', async () => {
    const replayed: Computed[] = [];
    // Throws (DeterminismViolationError, ReplayError) if the replay issues other commands or fails.
    await Worker.runReplayHistory(
      { workflowBundle: bundle, sinks: recordingSinks(replayed) },
      history,
      workflowId,
    );
    // The workflow's only command is its completion, whose result a replay does not compare: the
    // sink recorded what the replayed code computed.
    expect(replayed).toEqual(
      scenarios.map(({ name }, i) => ({ name, json: outputs[i], replaying: true })),
    );
  });
});
