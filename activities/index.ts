/**
 * All activities, built from their dependencies: the worker wires the real database pool and SMTP
 * mailer, tests wire a fresh test database and a real local SMTP server. Workflows import only the
 * `Activities` type from here.
 */
import { createDemoActivities, type DemoDeps } from './demo.js';
import { createProbeActivities, type ProbeDeps } from './probe.js';

export type ActivityDeps = ProbeDeps & DemoDeps;

export function createActivities(deps: ActivityDeps) {
  return {
    ...createProbeActivities(deps),
    ...createDemoActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
export type { ProbeActivityInput, ProbeActivityResult } from './probe.js';
export type { DemoAccount, DemoDelivery, DemoPlan, UsageCycle, UsageStatement } from './demo.js';
