/**
 * All activities, built from their dependencies: the worker wires the real database pool, SMTP
 * mailer and payment adapter; tests wire a fresh test database, a real local SMTP server and the
 * scripted payment gateway. Workflows import only the `Activities` type from here.
 */
import { createAccountsActivities, type AccountsDeps } from './accounts.js';
import { createIngestActivities, type IngestDeps } from './ingest.js';
import { createInvoiceActivities, type InvoiceDeps } from './invoices.js';
import { createNotifyActivities, type NotifyDeps } from './notify.js';
import { createProbeActivities, type ProbeDeps } from './probe.js';
import { createRequestActivities } from './requests.js';

export type ActivityDeps = ProbeDeps & AccountsDeps & IngestDeps & InvoiceDeps & NotifyDeps;

export function createActivities(deps: ActivityDeps) {
  return {
    ...createProbeActivities(deps),
    ...createAccountsActivities(deps),
    ...createIngestActivities(deps),
    ...createRequestActivities(deps),
    ...createInvoiceActivities(deps),
    ...createNotifyActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
export type { ProbeActivityInput, ProbeActivityResult } from './probe.js';
