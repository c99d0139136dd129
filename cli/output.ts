/**
 * What every ops command shares: argument parsing, `--help` and `--json`, the exit codes, the
 * error messages, and the connections a command opens (only the ones it uses, closed at the end).
 *
 * Exit codes (docs/ops-cli.md): 0 done; 1 failed (a server unreachable, a request the workflow
 * refused, a replay that failed); 2 bad usage or invalid input (the message says what to change);
 * 3 not found (no such account, plan or notification).
 *
 * With `--json`, stdout holds exactly one JSON document: the command's result, or
 * `{"error": {"kind", "message"}}` when it fails. The message goes to stderr either way.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Kysely } from 'kysely';
import { InvalidPlanError } from '../billing/plan.js';
import { AccountProvisioning } from '../client/account-provisioning.js';
import { AccountWorkflowClient } from '../client/account-workflow-client.js';
import { BillingInputError, BillingRequestError } from '../client/billing-errors.js';
import { connectClient, TemporalUnavailableError } from '../client/temporal-client.js';
import { isFailure, UNKNOWN_ACCOUNT_ERROR, UNKNOWN_PLAN_ERROR } from '../contract/failures.js';
import { createDb } from '../db/connection.js';
import { findAccount } from '../db/repositories/accounts.js';
import type { AccountRow, Database } from '../db/schema.js';
import { type Config, ConfigError, loadConfig } from '../config/config.js';

export const EXIT = { ok: 0, failed: 1, usage: 2, notFound: 3 } as const;
type ErrorKind = 'failed' | 'usage' | 'not_found';
const CODE_OF: Record<ErrorKind, number> = {
  failed: EXIT.failed,
  usage: EXIT.usage,
  not_found: EXIT.notFound,
};

/** A failure a command reports as is: its kind decides the exit code. */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    readonly kind: ErrorKind,
    message: string,
  ) {
    super(message);
  }
}

export const usageError = (message: string) => new CliError('usage', message);
export const notFound = (message: string) => new CliError('not_found', message);
export const failed = (message: string) => new CliError('failed', message);

type Options = NonNullable<ParseArgsConfig['options']>;

export interface CommandSpec<O extends Options> {
  /** `billing <name>` as it appears in messages, e.g. `accounts show`. */
  readonly name: string;
  /** The usage line(s) and a short description, printed by `--help`. */
  readonly help: string;
  readonly options: O;
  /** How many positional arguments the command takes, at least and at most. */
  readonly positionals: readonly [min: number, max: number];
}

/** What a command produces: the JSON document, and the text a person reads. */
export interface Output {
  readonly json: unknown;
  readonly text: string;
  /** Exit code when not 0 (a replay with a failed run still prints its report). */
  readonly code?: number;
}

/** The connections a command may use; each is opened on first use and closed after the run. */
export interface Context {
  config(): Config;
  db(): Kysely<Database>;
  temporal(): Promise<Client>;
  billing(): Promise<AccountWorkflowClient>;
  provisioning(): Promise<AccountProvisioning>;
}

function createContext(): Context & { close(): Promise<void> } {
  let config: Config | undefined;
  let db: Kysely<Database> | undefined;
  let temporal: Promise<Client> | undefined;
  const getConfig = () => (config ??= loadConfig());
  const getDb = () => (db ??= createDb(getConfig().postgres.url, { maxConnections: 2 }));
  const getTemporal = () => (temporal ??= connectClient(getConfig(), 5_000));
  const getBilling = async () =>
    new AccountWorkflowClient({
      temporal: await getTemporal(),
      taskQueue: getConfig().temporal.taskQueue,
    });
  return {
    config: getConfig,
    db: getDb,
    temporal: getTemporal,
    billing: getBilling,
    async provisioning() {
      return new AccountProvisioning({ db: getDb(), workflows: await getBilling() });
    },
    async close() {
      const client = await temporal?.catch(() => undefined);
      await client?.connection.close().catch(() => undefined);
      await db?.destroy().catch(() => undefined);
    },
  };
}

function messageOf(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return messageOf(error.errors[0]);
  return error instanceof Error ? error.message || error.name : String(error);
}

/** The kind of a failure that is not a CliError: what the client and the servers throw. */
function classify(error: unknown): { kind: ErrorKind; message: string } {
  const message = messageOf(error);
  if (error instanceof CliError) return { kind: error.kind, message };
  if (
    error instanceof ConfigError ||
    error instanceof BillingInputError ||
    error instanceof InvalidPlanError
  ) {
    return { kind: 'usage', message };
  }
  if (error instanceof BillingRequestError) {
    if (isFailure(error, UNKNOWN_ACCOUNT_ERROR, UNKNOWN_PLAN_ERROR)) {
      return { kind: 'not_found', message };
    }
    return { kind: 'failed', message: `refused by the account workflow: ${message}` };
  }
  if (error instanceof WorkflowNotFoundError) {
    return { kind: 'not_found', message: `${message}: is its account created?` };
  }
  if (error instanceof TemporalUnavailableError) {
    return { kind: 'failed', message: `${message} (is the stack running? npm run dev)` };
  }
  return { kind: 'failed', message };
}

function helpText(spec: CommandSpec<Options>): string {
  return (
    `${spec.help.trimEnd()}\n\n` +
    'Common options: --json (one JSON document on stdout), --help.\n' +
    'Exit codes: 0 done, 1 failed, 2 bad usage or input, 3 not found (docs/ops-cli.md).\n'
  );
}

/**
 * Parses `args` by `spec`, runs `body` with the parsed values and the connections it asks for,
 * prints its output (text, or JSON with `--json`) and returns the exit code. Every failure,
 * expected or not, becomes a message and its code: nothing escapes as a stack trace.
 */
export async function runCommand<O extends Options>(
  spec: CommandSpec<O>,
  args: readonly string[],
  body: (
    parsed: {
      values: ReturnType<typeof parseArgs<{ options: O; allowPositionals: true }>>['values'];
      positionals: string[];
    },
    context: Context,
  ) => Promise<Output>,
): Promise<number> {
  const json = args.includes('--json');
  const report = (kind: ErrorKind, message: string): number => {
    process.stderr.write(`billing ${spec.name}: ${message}\n`);
    if (kind === 'usage') process.stderr.write(`\n${helpText(spec)}`);
    if (json) process.stdout.write(`${JSON.stringify({ error: { kind, message } }, null, 2)}\n`);
    return CODE_OF[kind];
  };

  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      allowPositionals: true,
      strict: true,
      options: {
        ...spec.options,
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    return report('usage', messageOf(error));
  }
  if ((parsed.values as { help?: boolean }).help) {
    process.stdout.write(helpText(spec));
    return EXIT.ok;
  }
  const [min, max] = spec.positionals;
  if (parsed.positionals.length < min || parsed.positionals.length > max) {
    const expected =
      min === max ? `${min}` : max === Infinity ? `${min} or more` : `${min} to ${max}`;
    return report(
      'usage',
      `expected ${expected} argument(s), got ${parsed.positionals.length}` +
        (parsed.positionals.length > 0 ? ` (${parsed.positionals.join(' ')})` : ''),
    );
  }

  const context = createContext();
  try {
    const output = await body({ values: parsed.values, positionals: parsed.positionals }, context);
    process.stdout.write(
      json ? `${JSON.stringify(output.json, null, 2)}\n` : `${output.text.trimEnd()}\n`,
    );
    return output.code ?? EXIT.ok;
  } catch (error) {
    const { kind, message } = classify(error);
    return report(kind, message);
  } finally {
    await context.close();
  }
}

/** A whole number from an option, within bounds, or a usage error naming the option. */
export function intOption(name: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < min || value > max) {
    throw usageError(`--${name} is a whole number from ${min} to ${max}, got '${text}'`);
  }
  return value;
}

/** One of `choices`, or a usage error listing them. */
export function choiceOption<T extends string>(
  name: string,
  text: string,
  choices: readonly T[],
): T {
  if (!(choices as readonly string[]).includes(text)) {
    throw usageError(`--${name} is one of ${choices.join(', ')}, got '${text}'`);
  }
  return text as T;
}

/** Rows of cells as aligned columns (two spaces apart), for the text output. */
export function table(rows: readonly (readonly string[])[]): string {
  if (rows.length === 0) return '';
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((r) => (r[col] ?? '').length)));
  return rows
    .map((r) =>
      r
        .map((cell, col) => cell.padEnd(widths[col]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** The account's row, or a not-found error: checked before any request reaches its workflow. */
export async function requireAccount(context: Context, accountId: string): Promise<AccountRow> {
  const account = await findAccount(context.db(), accountId);
  if (account === undefined) {
    throw notFound(`no account has id ${accountId} (billing accounts list shows them)`);
  }
  return account;
}

/**
 * A command group (`billing accounts <sub>`): runs the named subcommand, prints the group's help
 * for `--help` or none, and refuses an unknown one with code 2 (as JSON too with `--json`).
 */
export async function runGroup(
  group: string,
  args: readonly string[],
  subcommands: Readonly<Record<string, { summary: string; run(args: string[]): Promise<number> }>>,
  fallback?: (args: string[]) => Promise<number>,
): Promise<number> {
  const [sub, ...rest] = args;
  const sub0 = sub ?? '';
  const entry = Object.hasOwn(subcommands, sub0) ? subcommands[sub0] : undefined;
  if (entry) return entry.run(rest);
  const width = Math.max(...Object.keys(subcommands).map((name) => name.length));
  const help =
    `usage: billing ${group} <${Object.keys(subcommands).join('|')}> ... [--json]\n\n` +
    Object.entries(subcommands)
      .map(([name, { summary }]) => `  ${name.padEnd(width)}  ${summary}`)
      .join('\n') +
    `\n\nbilling ${group} <subcommand> --help for its options.\n`;
  if (sub === '--help' || sub === '-h') {
    process.stdout.write(help);
    return EXIT.ok;
  }
  if (fallback !== undefined && sub !== undefined && !sub.startsWith('-')) {
    return fallback([...args]);
  }
  const message =
    sub === undefined || sub === '--json'
      ? 'a subcommand is required'
      : `unknown subcommand '${sub}'`;
  process.stderr.write(`billing ${group}: ${message}\n\n${help}`);
  if (args.includes('--json')) {
    process.stdout.write(`${JSON.stringify({ error: { kind: 'usage', message } }, null, 2)}\n`);
  }
  return EXIT.usage;
}
