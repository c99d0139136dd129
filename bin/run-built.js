#!/usr/bin/env node
// Runs a compiled entry point from dist/, rebuilding first when any TypeScript source is newer
// than the last build (a fresh clone, or a pull without a rebuild). Kept dependency-free and cheap:
// a few dozen stat calls, so `preview` stays fast when it is run thousands of times.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const sourceDirs = [
  'billing',
  'config',
  'logging',
  'mail',
  'contract',
  'links',
  'emails',
  'format',
  'web',
  'workflows',
  'activities',
  'workers',
  'db',
  'client',
  'cli',
  'edge',
  'services',
  'bench',
  'scripts',
];
const stamp = join(root, 'dist', '.built');

function newestSource(dir) {
  let newest = 0;
  if (!existsSync(dir)) return newest;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

const builtAt = existsSync(stamp) ? statSync(stamp).mtimeMs : 0;
const force = process.argv[2] === '--build-only';
const sourcesAt = Math.max(...sourceDirs.map((d) => newestSource(join(root, d))));
if (force || sourcesAt > builtAt) {
  process.stderr.write('billing: compiling TypeScript (sources changed since the last build)...\n');
  execFileSync(
    process.execPath,
    [
      join(root, 'node_modules', 'typescript', 'bin', 'tsc'),
      '-p',
      join(root, 'tsconfig.build.json'),
    ],
    {
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  writeFileSync(stamp, `${new Date().toISOString()}\n`);
}

const [entry, ...args] = process.argv.slice(2);
if (entry === '--build-only') process.exit(0);
if (!entry) {
  process.stderr.write('usage: run-built.js <entry relative to dist/> [args...]\n');
  process.exit(2);
}
process.argv = [process.argv[0], join(root, 'dist', entry), ...args];
await import(pathToFileURL(join(root, 'dist', entry)).href);
