/**
 * Four files list the source folders by hand: the compiler's two configurations, the rebuild check
 * of bin/run-built.js and the image's Dockerfile. A folder missing from one of them compiles in
 * the editor and then is absent from dist/ or the image, so each must list exactly the layers of
 * .dependency-cruiser.js (which fails to load when a folder of TypeScript has no layer).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { layers } = (await import(pathToFileURL(join(root, '.dependency-cruiser.js')).href)) as {
  layers: Record<string, unknown>;
};
const folders = Object.keys(layers).sort();
const read = (path: string) => readFileSync(join(root, path), 'utf8');
const includes = (path: string) => (JSON.parse(read(path)) as { include: string[] }).include;

describe('every layer is built', () => {
  it('tsconfig.build.json compiles exactly the layers', () => {
    expect([...includes('tsconfig.build.json')].sort()).toEqual(folders);
  });

  it('tsconfig.json checks the layers, the tests and the root files', () => {
    expect([...includes('tsconfig.json')].sort()).toEqual([...folders, '*.ts', 'test'].sort());
  });

  it('bin/run-built.js rebuilds when any layer changes', () => {
    const list = /const sourceDirs = \[([^\]]*)\]/.exec(read('bin/run-built.js'))?.[1] ?? '';
    expect([...list.matchAll(/'([^']+)'/g)].map((m) => m[1]).sort()).toEqual(folders);
  });

  it('the Dockerfile copies every layer into the build', () => {
    const copied = [...read('Dockerfile').matchAll(/^COPY (\S+) \.\/(\S+)$/gm)]
      .filter(([, from, to]) => from === to)
      .map((m) => m[1]);
    expect(copied.sort()).toEqual(folders);
  });
});
