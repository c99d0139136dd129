/**
 * Workflow histories committed under test/replay/histories, which the replay test runs against the
 * current workflow code (test/replay/README.md says when and how to re-record them).
 *
 * A test fetches the history of each run it drove and saves it with `saveHistory`; the file is only
 * written when the run was asked to record (`RECORD_HISTORIES=1`), so an ordinary test run leaves
 * the committed files alone. `loadHistories` reads them all back for the replayer.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Client, HistoryAndWorkflowId, WorkflowHandle } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { format, resolveConfig } from 'prettier';

type History = temporal.api.history.v1.IHistory;

// ---------------------------------------------------------------------------------------------
// History <-> JSON, in the proto3 JSON form of Temporal's other tools (`temporal workflow show
// --output json`, the web UI's download). This is what `historyToJSON` and `historyFromJSON` of
// @temporalio/common/lib/proto-utils do, but those throw "type must be a Type" in this install:
// @grpc/proto-loader keeps protobufjs 7 at the top of node_modules, so @temporalio/common and
// @temporalio/proto each get a copy of protobufjs 8 of their own, and the JSON code of the one
// rejects the message types of the other. Here the JSON code is taken from the copy that
// @temporalio/proto was built with, whatever the layout.

const require = createRequire(import.meta.url);
const proto = require('@temporalio/proto') as { temporal: typeof temporal };
const { patchProtobufRoot } = require('@temporalio/proto/lib/patch-protobuf-root') as {
  patchProtobufRoot: <T>(root: T) => T;
};
const protojson = createRequire(require.resolve('@temporalio/proto'))(
  'protobufjs/ext/protojson',
) as {
  toJson: (type: unknown, message: unknown) => unknown;
  fromJson: (type: unknown, json: unknown, options: { ignoreUnknownFields: boolean }) => unknown;
};
const historyType = (
  patchProtobufRoot(proto) as unknown as { lookupType(name: string): unknown }
).lookupType('temporal.api.history.v1.History');
const HistoryMessage = proto.temporal.api.history.v1.History;

/** A history as pretty-printed proto3 JSON. */
export function historyToJSON(history: History): string {
  return JSON.stringify(protojson.toJson(historyType, HistoryMessage.fromObject(history)), null, 2);
}

/** A history from its proto3 JSON (unknown fields, as from a newer server, are ignored). */
export function historyFromJSON(json: unknown): History {
  return protojson.fromJson(historyType, json, { ignoreUnknownFields: true }) as History;
}

// ---------------------------------------------------------------------------------------------

/** Where the committed histories live: `<name>.json`, each one run's history. */
export const HISTORIES_DIR = fileURLToPath(new URL('../replay/histories/', import.meta.url));

/**
 * Whether this test run records histories: `RECORD_HISTORIES=1`. Read here, in test code only:
 * the application's configuration (config/config.ts) has nothing to do with it.
 */
export function recordingHistories(): boolean {
  return process.env.RECORD_HISTORIES === '1';
}

/**
 * One run's history and a name for it. Histories do not hold the workflow id, and the account
 * workflow checks its id against its argument: a history replays under `billing-<accountId>` of
 * its start argument (its file name when it has none).
 */
export interface NamedHistory extends HistoryAndWorkflowId {
  readonly name: string;
  readonly history: History;
}

const NAME_RE = /^[A-Za-z0-9._-]+$/;

function pathOf(name: string): string {
  if (!NAME_RE.test(name)) throw new Error(`a history name is [A-Za-z0-9._-]+, not ${name}`);
  return join(HISTORIES_DIR, `${name}.json`);
}

/**
 * Fetches the history of the handle's run (its latest run when the handle has no run id) and,
 * when recording, writes it to `test/replay/histories/<name>.json`. Returns it either way, so the
 * test can replay what it just recorded.
 */
export async function saveHistory(handle: WorkflowHandle, name: string): Promise<NamedHistory> {
  const path = pathOf(name);
  const history = await handle.fetchHistory();
  if (recordingHistories()) {
    mkdirSync(HISTORIES_DIR, { recursive: true });
    // Formatted as the project's Prettier would, so `prettier --check .` passes on them.
    const options = await resolveConfig(path);
    writeFileSync(path, await format(historyToJSON(history), { ...options, filepath: path }));
  }
  return { name, workflowId: workflowIdOf(history, name), history };
}

/** `billing-<accountId>` of the run's start argument, or `fallback`. */
function workflowIdOf(history: History, fallback: string): string {
  const data =
    history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0]?.data;
  if (data === undefined || data === null) return fallback;
  const input = JSON.parse(Buffer.from(data).toString('utf8')) as { accountId?: unknown };
  return typeof input.accountId === 'string' ? `billing-${input.accountId}` : fallback;
}

/**
 * When recording, removes the committed histories whose name starts with `prefix`, so a scenario
 * that now has fewer runs leaves no stale file behind. Does nothing otherwise.
 */
export function removeHistories(prefix: string): void {
  if (!recordingHistories() || !existsSync(HISTORIES_DIR)) return;
  for (const file of readdirSync(HISTORIES_DIR)) {
    if (file.startsWith(prefix) && file.endsWith('.json')) rmSync(join(HISTORIES_DIR, file));
  }
}

/** Every committed history, by name. */
export function loadHistories(): NamedHistory[] {
  if (!existsSync(HISTORIES_DIR)) return [];
  return readdirSync(HISTORIES_DIR)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => {
      const name = file.replace(/\.json$/, '');
      const history = historyFromJSON(JSON.parse(readFileSync(join(HISTORIES_DIR, file), 'utf8')));
      return { name, workflowId: workflowIdOf(history, name), history };
    });
}

type HistoryEvent = NonNullable<History['events']>[number];

function lastEvent(history: History): HistoryEvent | undefined {
  return history.events?.[history.events.length - 1];
}

/**
 * The run ids of a workflow's chain, first to latest: the first from the latest run's start
 * event, the next ones by following each run's continue-as-new. Reads histories, which the
 * server keeps consistent (a visibility query could lag behind).
 */
export async function runChain(client: Client, workflowId: string): Promise<string[]> {
  const latest = await client.workflow.getHandle(workflowId).fetchHistory();
  const started = latest.events?.[0]?.workflowExecutionStartedEventAttributes;
  let runId: string | null | undefined = started?.firstExecutionRunId;
  if (!runId) throw new Error(`${workflowId}: no first run id in its start event`);
  const runs: string[] = [];
  while (runId) {
    runs.push(runId);
    const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    runId = lastEvent(history)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId;
  }
  return runs;
}

/** Saves every run of a workflow's chain as `<prefix>-run1`, `<prefix>-run2`, ... */
export async function saveRunChain(
  client: Client,
  workflowId: string,
  prefix: string,
): Promise<NamedHistory[]> {
  const saved: NamedHistory[] = [];
  for (const [i, runId] of (await runChain(client, workflowId)).entries()) {
    saved.push(
      await saveHistory(client.workflow.getHandle(workflowId, runId), `${prefix}-run${i + 1}`),
    );
  }
  return saved;
}

/**
 * Waits until the workflow's latest run has no workflow task and no activity pending, so its
 * history ends on a completed workflow task (or its close) rather than mid-step.
 */
export async function waitUntilSettled(handle: WorkflowHandle, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { raw } = await handle.describe();
    if (!raw.pendingWorkflowTask && (raw.pendingActivities ?? []).length === 0) return;
    if (Date.now() > deadline) throw new Error(`${handle.workflowId} did not settle`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
