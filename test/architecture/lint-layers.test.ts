/**
 * The layers rule that `npm run lint` runs (`lint:layers`: dependency-cruiser with
 * .dependency-cruiser.js): files that add forbidden imports fail it, each naming its rule, and
 * the tree without them passes. The fixtures are cruised on their own (dependency-cruiser follows
 * their imports), with the same command and config as the lint, so the failing case stays fast.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

interface Layer {
  imports: string[];
  typesOnly?: string[];
}
const ruleFile = (await import(pathToFileURL(join(root, '.dependency-cruiser.js')).href)) as {
  layers: Record<string, Layer>;
  cycleIn: (table: Record<string, Layer>) => string | null;
};

/** `lint:layers` as package.json has it, and proof that `lint` runs it. */
function lintLayersCommand(): { bin: string; args: string[] } {
  const { scripts } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  expect(scripts.lint).toMatch(/&& npm run -s lint:layers$/);
  const [bin = '', ...args] = (scripts['lint:layers'] ?? '').split(' ');
  // The last argument is what to cruise: the whole tree.
  expect(args.at(-1)).toBe('.');
  return { bin, args: args.slice(0, -1) };
}

function lintLayers(targets: string[]): Promise<{ code: number; output: string }> {
  const { bin, args } = lintLayersCommand();
  return new Promise((resolve) => {
    execFile(
      join(root, 'node_modules', '.bin', bin),
      [...args, ...targets],
      { cwd: root, timeout: 120_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
        resolve({ code, output: `${stdout}${stderr}` });
      },
    );
  });
}

/** `rule` -> the modules it was reported from (err output: `error <rule>: <from> → <to>`). */
function violations(output: string): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (const [, rule = '', from = ''] of output.matchAll(/^\s*error (\S+): (\S+) →/gm)) {
    found.set(rule, [...(found.get(rule) ?? []), from]);
  }
  return found;
}

/**
 * Writes the fixtures, runs `body`, and removes them whatever happens. Their mtime is set to
 * 1970 so that bin/run-built.js, which rebuilds dist/ when a source is newer than the last
 * build, does not rebuild for them while integration tests run beside this one.
 */
async function withFiles(files: Record<string, string>, body: () => Promise<void>) {
  try {
    for (const [path, source] of Object.entries(files)) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), source);
      utimesSync(join(root, path), 0, 0);
    }
    await body();
  } finally {
    for (const path of Object.keys(files)) rmSync(join(root, path), { force: true });
  }
}

const fixture = (folder: string) => `${folder}/__layers_fixture__.ts`;
const pgFixture = 'workflows/__layers_fixture_pg__.ts';
/** A whole-tree cruise takes seconds alone, and more beside the integration tests. */
const slow = { timeout: 120_000 };

describe('npm run lint: the layers', () => {
  it('fails on a forbidden import, naming the rule and the file', slow, async () => {
    const files = {
      // Type-only imports count: billing/ is the pure core.
      [fixture('billing')]:
        "import type { Database } from '../db/schema.js';\nexport type Tables = keyof Database;\n",
      // Workflows may name activities by type only, and do no I/O.
      [fixture('workflows')]:
        "import { createActivities } from '../activities/index.js';\nexport const make = createActivities;\n",
      [pgFixture]: "export { Pool } from 'pg';\n",
      [fixture('activities')]: "export { parseCookies } from '../web/billing-page/cookies.js';\n",
      [fixture('contract')]: "export { readFileSync } from 'node:fs';\n",
      // cli/ imports config/: this makes the two folders import each other.
      [fixture('config')]: "export { EXIT } from '../cli/output.js';\n",
      [fixture('db')]: "export { waitForMessagesTo } from '../test/harness/mailbox.js';\n",
    };
    await withFiles(files, async () => {
      const { code, output } = await lintLayers(Object.keys(files));
      expect(code, output).not.toBe(0);
      const found = violations(output);
      expect(found.get('layer-billing')).toEqual([fixture('billing')]);
      expect(found.get('types-only-workflows')).toEqual([fixture('workflows')]);
      expect(found.get('packages-workflows')).toEqual([pgFixture]);
      expect(found.get('layer-activities')).toEqual([fixture('activities')]);
      expect(found.get('no-node-contract')).toEqual([fixture('contract')]);
      expect(found.get('layer-config')).toEqual([fixture('config')]);
      expect(found.get('layer-db')).toEqual([fixture('db')]);
      // The folder cycle is reported as one: config -> cli -> config.
      expect(output).toMatch(/error no-folder-cycle: config → \s+cli →\s+config\n/);
    });
  });

  it('fails on a folder of TypeScript that has no layer', slow, async () => {
    const files = { '__layers_fixture__/orphan.ts': 'export const orphan = 1;\n' };
    try {
      await withFiles(files, async () => {
        const { code, output } = await lintLayers(Object.keys(files));
        expect(code).not.toBe(0);
        expect(output).toContain('no layer for __layers_fixture__');
      });
    } finally {
      rmSync(join(root, '__layers_fixture__'), { recursive: true, force: true });
    }
  });

  it('passes the tree as it is (the fixtures above removed)', slow, async () => {
    const { code, output } = await lintLayers(['.']);
    expect(output).toContain('no dependency violations found');
    expect(code).toBe(0);
  });
});

describe('the layers table', () => {
  it('has no cycle', () => {
    expect(ruleFile.cycleIn(ruleFile.layers)).toBeNull();
  });

  it('would name a cycle if it had one', () => {
    const table = { a: { imports: ['b'] }, b: { imports: ['c'] }, c: { imports: ['a'] } };
    expect(ruleFile.cycleIn(table)).toBe('a -> b -> c -> a');
  });
});
