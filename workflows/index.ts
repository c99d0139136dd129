// Every workflow the worker registers: each function exported here is a workflow type.
export { accountBilling } from './account/account-billing.js';
export type { AccountBillingRunInput, AccountBillingResult } from './account/account-billing.js';
export { probeWorkflow } from './probe.js';
export type { ProbeWorkflowInput } from './probe.js';
