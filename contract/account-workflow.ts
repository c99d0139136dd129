/**
 * The account workflow as a client starts it: its workflow type, the task queue its workers poll
 * by default, and its start argument. Its id is `accountWorkflowId` (ids.ts).
 */

export const ACCOUNT_WORKFLOW_TYPE = 'accountBilling';
export const DEFAULT_TASK_QUEUE = 'billing';

export interface AccountBillingInput {
  accountId: string;
}
