/**
 * What ops see in the Temporal Web UI: accounts found by status, plan and usage percent through
 * visibility queries on the workflow's search attributes, after their status changes (calls,
 * a purchase, a declined overage charge and the continue-as-new of the next cycle); the static
 * summary and the current details; and a worker that refuses a namespace lacking the attributes.
 */
import { join } from 'node:path';
import { msToTs } from '@temporalio/common/lib/time.js';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@temporalio/client';
import { formatInstant } from '../../../billing/units.js';
import { waitUntil } from '../../../scripts/stack/managed-process.js';
import { customSearchAttributes } from '../../../workers/registered-search-attributes.js';
import {
  completedCall,
  cycleEndingIn,
  growthPlan,
  uniqueAccountId,
  waitForUsage,
} from '../../harness/accounts.js';
import { runCompiled } from '../../harness/cli.js';
import { useStack } from '../../harness/stack.js';
import { harnessEnv } from '../../harness/workers.js';
import { accountWorkflowId } from '../../../contract/ids.js';
import { cycleEndKey } from '../../../contract/search-attributes.js';

const ok = uniqueAccountId('vis-ok');
const low = uniqueAccountId('vis-low');
const over = uniqueAccountId('vis-over');
const failed = uniqueAccountId('vis-failed');
const mine = [ok, low, over, failed];

const bed = useStack('visibility', { payments: true });

beforeAll(async () => {
  bed.gateway.setBehaviour(failed, 'decline');
  await bed.startWorkerProcess('visibility');
});

/** The account ids of this file's running workflows that `query` finds, sorted. */
async function accountsWhere(temporal: Client, query: string): Promise<string[]> {
  const found: string[] = [];
  const scoped = `${query} AND TaskQueue = '${bed.taskQueue}' AND ExecutionStatus = 'Running'`;
  for await (const wf of temporal.workflow.list({ query: scoped })) {
    const id = mine.find((a) => accountWorkflowId(a) === wf.workflowId);
    if (id !== undefined) found.push(id);
  }
  return found.sort();
}

/** Waits until `query` finds exactly `expected` (visibility is eventually consistent). */
async function expectFound(query: string, expected: string[]): Promise<void> {
  const wanted = [...expected].sort();
  const deadline = Date.now() + 20_000;
  let last: string[] = [];
  while (Date.now() < deadline) {
    last = await accountsWhere(bed.temporal, query);
    if (JSON.stringify(last) === JSON.stringify(wanted)) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  expect(last, `accounts where ${query}`).toEqual(wanted);
}

describe('accounts in the Temporal Web UI', () => {
  it('are found by status, plan and usage percent as their status changes', async () => {
    await bed.provisioning.createPlan(growthPlan);
    await bed.provisioning.createPlan({ ...growthPlan, id: 'tiny', allowanceCredits: '1' });
    // Created an hour ago: the calls below were answered after that.
    const createdAt = formatInstant(Date.now() - 3_600_000);
    for (const id of [ok, low, over]) {
      await bed.provisioning.createAccount({
        id,
        planId: 'growth',
        timeZone: 'Europe/Berlin',
        createdAt,
      });
    }
    const cycle = cycleEndingIn(5_000);
    await bed.provisioning.createAccount({
      id: failed,
      planId: 'tiny',
      timeZone: 'UTC',
      createdAt: cycle.createdAt,
      billingAnchor: cycle.billingAnchor,
      graceSeconds: 1,
    });
    // 10 credits included at 1 credit a minute: 1, 8.5 and 12 minutes; tiny: 10 of 1.
    await bed.billing.recordCalls(ok, [completedCall(ok, 60)]);
    await bed.billing.recordCalls(low, [completedCall(low, 510)]);
    await bed.billing.recordCalls(over, [completedCall(over, 720)]);
    await bed.billing.recordCalls(failed, [completedCall(failed, 600)]);

    // The declined overage charge of the closed cycle outlasts the continue-as-new.
    await waitForUsage(bed.billing, failed, (u) => u.status === 'payment_failed', 'declined');
    await expectFound(`BillingStatus = 'payment_failed'`, [failed]);
    await expectFound(`BillingStatus = 'ok'`, [ok]);
    await expectFound(`BillingStatus = 'low'`, [low]);
    await expectFound(`BillingStatus = 'overage'`, [over]);
    await expectFound(`BillingUsagePercent >= 80`, [low, over]);
    await expectFound(`BillingPlan = 'tiny'`, [failed]);
    await expectFound(`BillingAccountId = '${over}'`, [over]);

    // The failed account's run continued as new into its next cycle, which the attributes show.
    const description = await bed.billing.handle(failed).describe();
    expect(description.raw.workflowExecutionInfo?.firstRunId).not.toBe(description.runId);
    const cycleEnd = description.typedSearchAttributes.get(cycleEndKey);
    expect(cycleEnd?.getTime()).toBeGreaterThan(cycle.cycleEnd);

    // A purchase takes `over` from 120% to 60% (12 of 20 credits): it leaves the overage list.
    await bed.billing.purchaseCredits(over, { purchaseId: 'vis-topup', credits: '10' });
    await expectFound(`BillingStatus = 'overage'`, []);
    await expectFound(`BillingStatus = 'ok'`, [ok, over]);
    await expectFound(`BillingUsagePercent = 60`, [over]);
  });

  it('shows a summary at start and the open cycle in the current details', async () => {
    const handle = bed.billing.handle(over);
    const description = await handle.describe();
    expect(await description.staticSummary()).toBe(`Billing of account ${over}`);
    const usage = await bed.billing.usage(over);
    await waitUntil(
      async () => {
        const metadata = await handle.query<{ currentDetails?: string }>(
          '__temporal_workflow_metadata',
        );
        return metadata.currentDetails?.includes('**Status:** ok') === true;
      },
      { what: 'current details to show the status after the purchase', timeoutMs: 10_000 },
    );
    const { currentDetails } = await handle.query<{ currentDetails: string }>(
      '__temporal_workflow_metadata',
    );
    expect(currentDetails).toContain(`**Cycle ${usage.cycle.index}:** ${usage.cycle.start}`);
    expect(currentDetails).toContain('**Used:** 12 of 20 credits (60%)');
    expect(currentDetails).toContain(`billing accounts show ${over}`);
  });

  it('keeps a worker from starting on a namespace without the search attributes', async () => {
    const namespace = `bare-${process.pid}`;
    await bed.temporal.connection.workflowService.registerNamespace({
      namespace,
      workflowExecutionRetentionPeriod: msToTs(86_400_000),
    });
    const result = await runCompiled(join('workers', 'main.js'), [], {
      ...harnessEnv(bed.database, `${bed.taskQueue}-bare`),
      TEMPORAL_NAMESPACE: namespace,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`namespace ${namespace} lacks search attributes`);
    for (const { name, type } of customSearchAttributes) {
      expect(result.stderr).toContain(
        `temporal operator search-attribute create --namespace ${namespace} --name ${name} --type ${type}`,
      );
    }
  });
});
