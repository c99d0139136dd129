/**
 * What the integration global setup hands every test file (vitest `provide`/`inject`): addresses
 * of the servers it started once for the whole run.
 */
export interface HarnessContext {
  /** Temporal dev server frontend, `127.0.0.1:<port>`, namespace `default`. */
  temporalAddress: string;
  /** A database on the test PostgreSQL server from which to CREATE and DROP per-file databases. */
  postgresAdminUrl: string;
  /** Mailpit's SMTP server. */
  smtpUrl: string;
  /** Mailpit's HTTP API base, `http://127.0.0.1:<port>`. */
  mailpitUrl: string;
  /** The workflow bundle built once for the run; workers load it instead of bundling again. */
  workflowBundlePath: string;
  /** Where this run keeps logs and scratch files. */
  runDir: string;
  /** .tools/bin, for tests that start a server of their own. */
  toolsDir: string;
}

declare module 'vitest' {
  // Declaration merging is how vitest types `inject`; it has to be an interface.
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  export interface ProvidedContext extends HarnessContext {}
}
