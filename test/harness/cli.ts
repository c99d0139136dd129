import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { childEnvironment, parseConfig } from '../../config/config.js';

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  /** Written to the child's standard input (closed empty when absent). */
  readonly input?: string;
  readonly timeoutMs?: number;
}

/**
 * Runs a compiled entry point (`dist/<entry>`) as a child process with `env` over this process's
 * environment; `undefined` removes a variable. Kills it after `timeoutMs`.
 */
export function runCompiled(
  entry: string,
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  { input = '', timeoutMs = 60_000 }: RunOptions = {},
): Promise<CliResult> {
  const root = parseConfig({}).paths.root;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, 'dist', entry), ...args], {
      env: childEnvironment(env),
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: timeoutMs,
    });
    child.stdin.end(input);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** `billing <args>` from the compiled CLI. */
export function runBilling(
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  options: RunOptions = {},
): Promise<CliResult> {
  return runCompiled(join('cli', 'billing.js'), args, env, options);
}
