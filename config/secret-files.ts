/**
 * `<NAME>_FILE` variables: a secret read from a file (Docker and Compose mount `secrets:` at
 * /run/secrets/<name>), so it never sits in the environment, `docker inspect` or a process
 * listing. Only the variables named here are read so; giving a variable and its file is an error.
 */
import { readFileSync } from 'node:fs';

type Env = Readonly<Record<string, string | undefined>>;

export type ReadSecretFile = (path: string) => string;

export const readSecretFile: ReadSecretFile = (path) => readFileSync(path, 'utf8');

/**
 * `env` with each `<NAME>_FILE` of `names` replaced by `<NAME>` set to the file's content (one
 * trailing newline dropped, as `echo` and editors add one), and the problems found, each naming
 * the variable and never the secret.
 */
export function withSecretFiles(
  env: Env,
  names: readonly string[],
  read: ReadSecretFile,
): { env: Env; problems: string[] } {
  const resolved: Record<string, string | undefined> = { ...env };
  const problems: string[] = [];
  for (const name of names) {
    const path = env[`${name}_FILE`]?.trim();
    if (path === undefined || path === '') continue;
    if ((env[name] ?? '').trim() !== '') {
      problems.push(`  ${name}_FILE: give ${name} or ${name}_FILE, not both`);
      continue;
    }
    try {
      resolved[name] = read(path).replace(/\r?\n$/, '');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
      problems.push(`  ${name}_FILE: cannot read ${path} (${code})`);
    }
  }
  return { env: resolved, problems };
}
