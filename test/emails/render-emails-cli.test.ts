/**
 * `billing render-emails`: its `run()` in this process (output captured), on a temporary
 * directory; and the modules it loads, which must stay clear of Temporal, PostgreSQL and SMTP.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { run } from '../../cli/commands/render-emails.js';
import { emailSamples } from '../../emails/samples.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dirs: string[] = [];

afterEach(() => {
  vi.restoreAllMocks();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function runCaptured(args: string[]) {
  let stdout = '';
  let stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  const code = await run(args);
  vi.restoreAllMocks();
  return { code, stdout, stderr };
}

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'render-emails-'));
  dirs.push(dir);
  return dir;
}

describe('billing render-emails', () => {
  it('writes <kind>.html and <kind>.txt for every kind, and an index, and prints the paths', async () => {
    const out = join(tempDir(), 'nested', 'emails');
    const { code, stdout, stderr } = await runCaptured(['--out', out]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const expected = [
      ...emailSamples.flatMap(({ kind }) => [join(out, `${kind}.html`), join(out, `${kind}.txt`)]),
      join(out, 'index.html'),
    ];
    expect(stdout.trimEnd().split('\n')).toEqual(expected);
    expect(expected).toHaveLength(13);
    for (const path of expected) {
      expect(existsSync(path)).toBe(true);
      expect(statSync(path).size).toBeGreaterThan(200);
    }
    expect(readFileSync(join(out, 'statement.html'), 'utf8')).toContain('USD 5.76');
    expect(readFileSync(join(out, 'payment-failed.txt'), 'utf8')).toContain('JPY 500');
    const index = readFileSync(join(out, 'index.html'), 'utf8');
    for (const { kind } of emailSamples) expect(index).toContain(`href="${kind}.html"`);
  });

  it('--json prints the same paths as one JSON document', async () => {
    const out = tempDir();
    const { code, stdout } = await runCaptured(['--out', out, '--json']);
    expect(code).toBe(0);
    const printed = JSON.parse(stdout) as { files: string[]; index: string };
    expect(printed.index).toBe(join(out, 'index.html'));
    expect(printed.files).toEqual(
      emailSamples.flatMap(({ kind }) => [join(out, `${kind}.html`), join(out, `${kind}.txt`)]),
    );
    for (const path of printed.files) expect(existsSync(path)).toBe(true);
  });

  it('accepts --out=<dir>', async () => {
    const out = tempDir();
    const { code } = await runCaptured([`--out=${out}`]);
    expect(code).toBe(0);
    expect(existsSync(join(out, 'threshold.html'))).toBe(true);
  });

  it('--help prints the usage and exits 0', async () => {
    for (const flag of ['--help', '-h']) {
      const { code, stdout, stderr } = await runCaptured([flag]);
      expect(code).toBe(0);
      expect(stderr).toBe('');
      expect(stdout).toMatch(/^usage: billing render-emails \[--out <dir>\]/);
      expect(stdout).toContain('screenshots/emails');
    }
  });

  it.each([[['--out']], [['--out=']], [['--bogus']], [['emails']]])(
    'bad arguments %j: exit 2 with the usage on stderr, nothing written',
    async (args) => {
      const { code, stdout, stderr } = await runCaptured(args);
      expect(code).toBe(2);
      expect(stdout).toBe('');
      expect(stderr).toMatch(/^billing render-emails: .+\n\nusage: billing render-emails/);
    },
  );

  it('loads only the email templates, the formatting, the units, the calendar and Node built-ins', () => {
    const seen = new Set<string>();
    const outside: string[] = [];
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const source = readFileSync(file, 'utf8');
      // A type-only import loads nothing.
      for (const [, specifier = ''] of source.matchAll(
        /^(?:import|export)\s(?!type\s)[^;]*?from\s+'([^']+)'/gm,
      )) {
        if (specifier.startsWith('node:')) continue;
        if (!specifier.startsWith('.')) {
          outside.push(`${file}: ${specifier}`);
          continue;
        }
        visit(resolve(dirname(file), specifier.replace(/\.js$/, '.ts')));
      }
    };
    visit(join(root, 'cli', 'commands', 'render-emails.ts'));
    // Local dates come from the billing calendar, on the TC39 Temporal polyfill (not Temporal's SDK).
    expect(outside).toEqual([`${join(root, 'billing', 'calendar.ts')}: temporal-polyfill`]);
    const modules = [...seen].map((file) => file.slice(root.length + 1)).sort();
    expect(modules.filter((m) => !m.startsWith('emails/'))).toEqual([
      'billing/calendar.ts',
      'billing/units.ts',
      'cli/commands/render-emails.ts',
      'format/dates.ts',
      'format/html.ts',
      'format/numbers.ts',
    ]);
  });
});
