/**
 * The process configuration: the only module that reads `process.env`. Everything else receives a
 * parsed, frozen `Config` (or one of its parts), so a typo in a variable fails at start with a
 * message naming it, not minutes later inside an activity.
 *
 * Every default runs the local stack (`npm start`): Temporal dev server on :7233 (UI :8233), an
 * embedded PostgreSQL on its own port, Mailpit on :1025 (inbox :8025).
 */
import { isIP } from 'node:net';
import { hostname } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { readSecretFile, withSecretFiles, type ReadSecretFile } from './secret-files.js';

export const logLevels = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'] as const;
export type LogLevel = (typeof logLevels)[number];

export interface Config {
  readonly logLevel: LogLevel;
  /** Running under CI (`CI` set, not `false` or `0`): commands print plain lines, nothing redrawn. */
  readonly ci: boolean;
  readonly temporal: {
    readonly address: string;
    readonly namespace: string;
    readonly taskQueue: string;
    /** Ports the dev stack gives its Temporal dev server (gRPC and Web UI). */
    readonly port: number;
    readonly uiPort: number;
    readonly uiUrl: string;
  };
  readonly postgres: {
    readonly url: string;
    /** True when DATABASE_URL is unset: the dev stack then runs an embedded PostgreSQL. */
    readonly embedded: boolean;
    readonly embeddedPort: number;
  };
  readonly smtp: {
    readonly url: string;
    readonly from: string;
    /** Ports the dev stack gives Mailpit (SMTP and web inbox). */
    readonly port: number;
    readonly inboxPort: number;
    readonly inboxUrl: string;
    /** The domain of every Message-ID (`<kind.key…@domain>`): the sender's own domain. */
    readonly messageIdDomain: string;
  };
  /** Signed links to an account's billing page (emails carry them; the billing page checks them). */
  readonly links: {
    /** The HMAC key. The local stack's default is public: set BILLING_LINK_SECRET in production. */
    readonly secret: string;
    readonly secretIsDevDefault: boolean;
    readonly ttlSeconds: number;
    /** Where customers reach the billing page, e.g. https://billing.example.com. */
    readonly publicBaseUrl: string;
  };
  readonly worker: {
    readonly identity: string;
    readonly stickyQueueTimeoutMs: number;
    readonly shutdownGraceMs: number;
    /** Days a refused event's raw text is kept before the worker clears it. */
    readonly rejectedRawRetentionDays: number;
    /** A prebuilt workflow bundle (tests build one per run); null bundles at start. */
    readonly workflowBundlePath: string | null;
    /**
     * Where the SDK's Prometheus exporter serves `/metrics` (`ip:port`); null when disabled
     * (WORKER_METRICS_PORT=0).
     */
    readonly metricsBindAddress: string | null;
  };
  readonly activities: {
    readonly startToCloseTimeoutMs: number;
    readonly heartbeatTimeoutMs: number;
  };
  /** How each account workflow runs; read by the workflow through its start-of-run activity. */
  readonly accountWorkflow: {
    /** Continue-as-new once a run's history has this many events (or when Temporal suggests it). */
    readonly continueAsNewAfterEvents: number;
    /** A flush of buffered call events holds at most this many events and this many bytes. */
    readonly batchMaxEvents: number;
    readonly batchMaxBytes: number;
    /** Email sends are retried without end, backing off up to this interval (an SMTP outage). */
    readonly notifyRetryMaxIntervalMs: number;
  };
  readonly payments: {
    /** `ledger` records the amount to collect; `test` is the scripted gateway of the tests. */
    readonly adapter: 'ledger' | 'test';
    /** The test gateway's call log (JSON lines) and its behaviour file. */
    readonly testLogPath: string | null;
    readonly testControlPath: string | null;
  };
  readonly doctor: { readonly timeoutMs: number };
  /** The HTTP edge (edge/main.ts): webhooks of call events in, the public contract out. */
  readonly edge: {
    readonly host: string;
    readonly port: number;
    /** Larger bodies get 413; kept under Temporal's 2 MB payload limit for one update. */
    readonly bodyLimitBytes: number;
    /** How long a request may wait for its events to be recorded before it is answered 503. */
    readonly updateTimeoutMs: number;
    /** recordCalls updates one account may have in flight (the server allows 10 per workflow). */
    readonly updatesInFlightPerAccount: number;
    /** Requests of one account waiting for a slot; beyond this they are answered 429. */
    readonly queuedPerAccount: number;
    /** Requests of all accounts waiting for a slot; beyond this they are answered 429. */
    readonly queuedTotal: number;
    /** Requests one client IP may send per minute, any route; beyond this they are answered 429. */
    readonly rateLimitPerIpPerMinute: number;
    /** Requests one live API key may send per minute; beyond this they are answered 429. */
    readonly rateLimitPerKeyPerMinute: number;
    /** API key prefixes remembered as unknown, refused without a query for a minute. */
    readonly unknownKeyPrefixes: number;
    /** Where GET /metrics is served: its own listener, off the public port. */
    readonly metrics: { readonly host: string; readonly port: number };
  };
  /** The billing page the edge serves (web/billing-page/). */
  readonly billingPage: {
    /** Link keys still accepted while BILLING_LINK_SECRET is rotated (the current one signs). */
    readonly previousLinkSecrets: readonly string[];
  };
  readonly paths: { readonly root: string; readonly dataDir: string; readonly toolsDir: string };
}

/** Thrown when the environment does not parse; its message names every bad variable. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** The repository root: this file runs from `config/` under vitest and `dist/config/` compiled. */
const root = (() => {
  const parent = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  return basename(parent) === 'dist' ? dirname(parent) : parent;
})();

/** The local stack's link key: known to everyone, so never good outside a developer's machine. */
const DEV_LINK_SECRET = 'local-development-only-billing-link-secret';

const port = z.coerce.number().int().min(1).max(65_535);
const millis = (min: number) => z.coerce.number().int().min(min).max(86_400_000);

const schema = z.object({
  LOG_LEVEL: z
    .string()
    .transform((value) => value.toUpperCase())
    .pipe(z.enum(logLevels))
    .default('INFO'),
  TEMPORAL_PORT: port.default(7233),
  TEMPORAL_UI_PORT: port.default(8233),
  TEMPORAL_ADDRESS: z
    .string()
    .regex(/^[^\s:/]+:\d{1,5}$/, 'expected host:port, e.g. 127.0.0.1:7233')
    .optional(),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TASK_QUEUE: z.string().min(1).default('billing'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'expected a postgres:// URL')
    .optional(),
  EMBEDDED_POSTGRES_PORT: port.default(54329),
  SMTP_PORT: port.default(1025),
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'expected an smtp:// or smtps:// URL')
    .optional(),
  MAIL_FROM: z.string().min(3).default('Voice credits <billing@localhost>'),
  MAIL_MESSAGE_ID_DOMAIN: z
    .string()
    .regex(/^[A-Za-z0-9.-]+$/, 'expected a domain such as billing.example.com')
    .optional(),
  BILLING_LINK_SECRET: z.string().min(32, 'use at least 32 characters').optional(),
  // Comma-separated: the keys replaced by BILLING_LINK_SECRET whose links and sessions still work.
  BILLING_LINK_PREVIOUS_SECRETS: z
    .string()
    .transform((list) => list.split(',').map((key) => key.trim()))
    .pipe(z.array(z.string().min(32, 'use at least 32 characters for each key')))
    // Accepting the public key, even as a previous one, would let anyone forge a link.
    .refine(
      (keys) => !keys.includes(DEV_LINK_SECRET),
      'the public development key is never accepted',
    )
    .optional(),
  // Replaces the password of DATABASE_URL, so the URL can stay in the environment and the password
  // come from a file (DATABASE_PASSWORD_FILE).
  DATABASE_PASSWORD: z.string().min(1).optional(),
  BILLING_LINK_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .max(90 * 86_400)
    .default(14 * 86_400),
  PUBLIC_BASE_URL: z
    .string()
    .regex(/^https?:\/\/[^\s/]+(\/[^\s]*)?$/, 'expected an http(s):// URL')
    .transform((url) => url.replace(/\/+$/, ''))
    .default('http://localhost:3000'),
  NOTIFY_RETRY_MAX_INTERVAL_MS: millis(100).default(300_000),
  MAILPIT_UI_PORT: port.default(8025),
  WORKER_IDENTITY: z.string().min(1).optional(),
  STICKY_QUEUE_TIMEOUT_MS: millis(100).default(10_000),
  WORKER_SHUTDOWN_GRACE_MS: millis(0).default(10_000),
  // How long a refused event's raw text is kept (docs/security.md); its record stays.
  REJECTED_RAW_RETENTION_DAYS: z.coerce.number().int().min(1).max(3_650).default(30),
  WORKFLOW_BUNDLE_PATH: z.string().min(1).optional(),
  // The SDK's exporter binds a socket address, so the host is an IP literal, not a name.
  WORKER_METRICS_PORT: z.coerce.number().int().min(0).max(65_535).default(9464),
  WORKER_METRICS_HOST: z
    .string()
    .refine((host) => isIP(host) !== 0, 'expected an IP address, e.g. 127.0.0.1 or 0.0.0.0')
    .default('127.0.0.1'),
  ACTIVITY_START_TO_CLOSE_TIMEOUT_MS: millis(100).default(60_000),
  ACTIVITY_HEARTBEAT_TIMEOUT_MS: millis(100).default(20_000),
  DOCTOR_TIMEOUT_MS: millis(500).default(20_000),
  HTTP_PORT: port.default(3000),
  HTTP_HOST: z.string().min(1).default('127.0.0.1'),
  // 1 MiB holds 500 typical events (~250 bytes each) many times over; an update's JSON is never
  // larger than the body it came from, and Temporal refuses payloads over 2 MB.
  EDGE_BODY_LIMIT_BYTES: z.coerce.number().int().min(65_536).max(1_572_864).default(1_048_576),
  EDGE_UPDATE_TIMEOUT_MS: millis(100).default(10_000),
  EDGE_UPDATES_IN_FLIGHT: z.coerce.number().int().min(1).max(10).default(4),
  // Each waiting request holds its parsed body (up to EDGE_BODY_LIMIT_BYTES): the total bound keeps
  // the edge's memory for waiting bodies near 200 MiB at the default limit, whatever the accounts.
  EDGE_QUEUE_PER_ACCOUNT: z.coerce.number().int().min(0).max(10_000).default(20),
  EDGE_QUEUE_TOTAL: z.coerce.number().int().min(0).max(100_000).default(200),
  // A telephony platform sends from a few addresses at up to ~100 requests/s each (batches of 500
  // events each); a flood from one address is cut off before it fills the 10-connection pool.
  EDGE_RATE_LIMIT_PER_IP_PER_MINUTE: z.coerce.number().int().min(1).max(10_000_000).default(6_000),
  EDGE_RATE_LIMIT_PER_KEY_PER_MINUTE: z.coerce.number().int().min(1).max(10_000_000).default(6_000),
  EDGE_UNKNOWN_KEY_PREFIXES: z.coerce.number().int().min(0).max(1_000_000).default(10_000),
  EDGE_METRICS_PORT: z.coerce.number().int().min(0).max(65_535).default(9465),
  EDGE_METRICS_HOST: z
    .string()
    .refine((host) => isIP(host) !== 0, 'expected an IP address, e.g. 127.0.0.1 or 0.0.0.0')
    .default('127.0.0.1'),
  // Temporal's hard limit is 51,200 events; it suggests continue-as-new from 4,096 (or 4 MB).
  // Short runs keep the replay after a worker restart or cache eviction short (a busy account
  // reaches 2,000 events in about 10 s at 100 calls/s).
  CONTINUE_AS_NEW_AFTER_EVENTS: z.coerce.number().int().min(100).max(40_000).default(2_000),
  INGEST_BATCH_MAX_EVENTS: z.coerce.number().int().min(1).max(500).default(500),
  // At least one event of the largest size (32,768 bytes); well under the 2 MB payload limit.
  INGEST_BATCH_MAX_BYTES: z.coerce.number().int().min(32_768).max(1_048_576).default(262_144),
  PAYMENT_ADAPTER: z.enum(['ledger', 'test']).default('ledger'),
  PAYMENT_TEST_LOG: z.string().min(1).optional(),
  PAYMENT_TEST_CONTROL: z.string().min(1).optional(),
  DATA_DIR: z.string().min(1).optional(),
  TOOLS_DIR: z.string().min(1).optional(),
  CI: z.string().optional(),
});

/**
 * Variables whose values are secrets: they may come from `<NAME>_FILE`, and a configuration error
 * names them but never shows their value (URLs carry passwords).
 */
const secretVariables = [
  'BILLING_LINK_SECRET',
  'BILLING_LINK_PREVIOUS_SECRETS',
  'DATABASE_URL',
  'DATABASE_PASSWORD',
  'SMTP_URL',
] as const satisfies readonly (keyof typeof schema.shape)[];

function isLocalUrl(url: string): boolean {
  const host = new URL(url).hostname;
  return host === 'localhost' || host === '127.0.0.1' || host === '[::1]';
}

/** The domain of the sender's address (`Name <user@domain>`), for Message-IDs. */
function domainOf(from: string): string {
  const domain = /@([A-Za-z0-9.-]+)>?\s*$/.exec(from)?.[1];
  return domain ?? 'billing.local';
}

type Env = Readonly<Record<string, string | undefined>>;

/** The password of a postgres:// URL replaced (percent-encoded, as a URL holds it). */
function withPassword(url: string, password: string | undefined): string {
  if (password === undefined) return url;
  const parsed = new URL(url);
  parsed.password = encodeURIComponent(password);
  return parsed.toString();
}

/**
 * Parses an environment into a frozen Config. Empty values count as unset, as docker-compose and
 * shells often pass `X=` for "not given". Secrets may come from files (`<NAME>_FILE`, read with
 * `read`).
 */
export function parseConfig(env: Env, read: ReadSecretFile = readSecretFile): Config {
  const files = withSecretFiles(env, secretVariables, read);
  const present = Object.fromEntries(
    Object.keys(schema.shape).flatMap((key) => {
      const value = files.env[key];
      return value === undefined || value.trim() === '' ? [] : [[key, value.trim()]];
    }),
  );
  const parsed = schema.safeParse(present);
  const secret = new Set<string>(secretVariables);
  const problems = [
    ...files.problems,
    ...(parsed.success ? [] : parsed.error.issues).map((issue) => {
      const name = String(issue.path[0] ?? 'environment');
      // A secret's value is never echoed: configuration errors end up in logs and CI output.
      const given = !(name in present)
        ? ''
        : secret.has(name)
          ? ' (value hidden)'
          : ` (got '${String(present[name])}')`;
      return `  ${name}: ${issue.message}${given}`;
    }),
  ];
  if (!parsed.success || problems.length > 0) {
    throw new ConfigError(`invalid environment:\n${problems.join('\n')}`);
  }
  const e = parsed.data;
  if (e.PAYMENT_ADAPTER === 'test' && (!e.PAYMENT_TEST_LOG || !e.PAYMENT_TEST_CONTROL)) {
    throw new ConfigError(
      'invalid environment:\n  PAYMENT_ADAPTER: the test adapter needs PAYMENT_TEST_LOG and PAYMENT_TEST_CONTROL',
    );
  }
  const publicKey =
    e.BILLING_LINK_SECRET === undefined || e.BILLING_LINK_SECRET === DEV_LINK_SECRET;
  if (publicKey && !isLocalUrl(e.PUBLIC_BASE_URL)) {
    throw new ConfigError(
      'invalid environment:\n  BILLING_LINK_SECRET: required when PUBLIC_BASE_URL is not a local ' +
        `address (got PUBLIC_BASE_URL '${e.PUBLIC_BASE_URL}'): links in emails sign customers in`,
    );
  }
  const dataDir = resolve(root, e.DATA_DIR ?? '.data');
  const config: Config = {
    logLevel: e.LOG_LEVEL,
    ci: e.CI !== undefined && !['false', '0'].includes(e.CI.toLowerCase()),
    temporal: {
      address: e.TEMPORAL_ADDRESS ?? `127.0.0.1:${e.TEMPORAL_PORT}`,
      namespace: e.TEMPORAL_NAMESPACE,
      taskQueue: e.TASK_QUEUE,
      port: e.TEMPORAL_PORT,
      uiPort: e.TEMPORAL_UI_PORT,
      uiUrl: `http://localhost:${e.TEMPORAL_UI_PORT}`,
    },
    postgres: {
      url: withPassword(
        e.DATABASE_URL ?? `postgres://postgres@127.0.0.1:${e.EMBEDDED_POSTGRES_PORT}/billing`,
        e.DATABASE_PASSWORD,
      ),
      embedded: e.DATABASE_URL === undefined,
      embeddedPort: e.EMBEDDED_POSTGRES_PORT,
    },
    smtp: {
      url: e.SMTP_URL ?? `smtp://127.0.0.1:${e.SMTP_PORT}`,
      from: e.MAIL_FROM,
      port: e.SMTP_PORT,
      inboxPort: e.MAILPIT_UI_PORT,
      inboxUrl: `http://localhost:${e.MAILPIT_UI_PORT}`,
      messageIdDomain: e.MAIL_MESSAGE_ID_DOMAIN ?? domainOf(e.MAIL_FROM),
    },
    links: {
      secret: e.BILLING_LINK_SECRET ?? DEV_LINK_SECRET,
      secretIsDevDefault: publicKey,
      ttlSeconds: e.BILLING_LINK_TTL_SECONDS,
      publicBaseUrl: e.PUBLIC_BASE_URL,
    },
    worker: {
      identity: e.WORKER_IDENTITY ?? `${process.pid}@${hostname()}`,
      stickyQueueTimeoutMs: e.STICKY_QUEUE_TIMEOUT_MS,
      shutdownGraceMs: e.WORKER_SHUTDOWN_GRACE_MS,
      rejectedRawRetentionDays: e.REJECTED_RAW_RETENTION_DAYS,
      workflowBundlePath: e.WORKFLOW_BUNDLE_PATH ? resolve(root, e.WORKFLOW_BUNDLE_PATH) : null,
      metricsBindAddress:
        e.WORKER_METRICS_PORT === 0
          ? null
          : `${isIP(e.WORKER_METRICS_HOST) === 6 ? `[${e.WORKER_METRICS_HOST}]` : e.WORKER_METRICS_HOST}:${e.WORKER_METRICS_PORT}`,
    },
    activities: {
      startToCloseTimeoutMs: e.ACTIVITY_START_TO_CLOSE_TIMEOUT_MS,
      heartbeatTimeoutMs: e.ACTIVITY_HEARTBEAT_TIMEOUT_MS,
    },
    accountWorkflow: {
      continueAsNewAfterEvents: e.CONTINUE_AS_NEW_AFTER_EVENTS,
      batchMaxEvents: e.INGEST_BATCH_MAX_EVENTS,
      batchMaxBytes: e.INGEST_BATCH_MAX_BYTES,
      notifyRetryMaxIntervalMs: e.NOTIFY_RETRY_MAX_INTERVAL_MS,
    },
    payments: {
      adapter: e.PAYMENT_ADAPTER,
      testLogPath: e.PAYMENT_TEST_LOG ? resolve(root, e.PAYMENT_TEST_LOG) : null,
      testControlPath: e.PAYMENT_TEST_CONTROL ? resolve(root, e.PAYMENT_TEST_CONTROL) : null,
    },
    doctor: { timeoutMs: e.DOCTOR_TIMEOUT_MS },
    edge: {
      host: e.HTTP_HOST,
      port: e.HTTP_PORT,
      bodyLimitBytes: e.EDGE_BODY_LIMIT_BYTES,
      updateTimeoutMs: e.EDGE_UPDATE_TIMEOUT_MS,
      updatesInFlightPerAccount: e.EDGE_UPDATES_IN_FLIGHT,
      queuedPerAccount: e.EDGE_QUEUE_PER_ACCOUNT,
      queuedTotal: e.EDGE_QUEUE_TOTAL,
      rateLimitPerIpPerMinute: e.EDGE_RATE_LIMIT_PER_IP_PER_MINUTE,
      rateLimitPerKeyPerMinute: e.EDGE_RATE_LIMIT_PER_KEY_PER_MINUTE,
      unknownKeyPrefixes: e.EDGE_UNKNOWN_KEY_PREFIXES,
      metrics: { host: e.EDGE_METRICS_HOST, port: e.EDGE_METRICS_PORT },
    },
    billingPage: { previousLinkSecrets: e.BILLING_LINK_PREVIOUS_SECRETS ?? [] },
    paths: { root, dataDir, toolsDir: resolve(root, e.TOOLS_DIR ?? join('.tools', 'bin')) },
  };
  return deepFreeze(config);
}

let loaded: Config | undefined;

/** The configuration of this process, parsed from `process.env` on first use. */
export function loadConfig(): Config {
  loaded ??= parseConfig(process.env);
  return loaded;
}

/**
 * The environment for a child process: this process's environment with `overrides` applied
 * (`undefined` removes a variable). Lives here so that no other module reads `process.env`.
 */
export function childEnvironment(
  overrides: Readonly<Record<string, string | undefined>> = {},
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}

function deepFreeze<T extends object>(value: T): T {
  for (const child of Object.values(value)) {
    if (typeof child === 'object' && child !== null) deepFreeze(child as object);
  }
  return Object.freeze(value);
}
