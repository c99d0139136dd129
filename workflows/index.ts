// Every workflow the worker registers: each function exported here is a workflow type.
export { probeWorkflow } from './probe.js';
export type { ProbeWorkflowInput } from './probe.js';
