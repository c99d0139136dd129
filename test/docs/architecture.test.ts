/**
 * docs/architecture.md says what each folder may import; .dependency-cruiser.js enforces it. The
 * page's table must say what the rule file's `layers` say, for the folders that exist, and its
 * picture must put every folder above everything it imports.
 */
import { readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { layers } = (await import(pathToFileURL(join(root, '.dependency-cruiser.js')).href)) as {
  layers: Record<string, { imports: string[]; typesOnly?: string[] }>;
};
const page = readFileSync(join(root, 'docs', 'architecture.md'), 'utf8');

/** The folder names written as `name/` in a piece of the page. */
const foldersIn = (text: string) => [...text.matchAll(/`([a-z-]+)\/`/g)].map((m) => m[1] ?? '');

/** The table's rows: folder -> its "may import" cell. */
function tableRows(): Map<string, string> {
  const section = page.slice(
    page.indexOf('## The folders'),
    page.indexOf('\n## ', page.indexOf('## The folders') + 1),
  );
  const rows = new Map<string, string>();
  for (const line of section.split('\n')) {
    const cells = line.split('|').map((cell) => cell.trim());
    const folder = /^`([a-z-]+)\/`$/.exec(cells[1] ?? '')?.[1];
    if (folder !== undefined) rows.set(folder, cells[3] ?? '');
  }
  return rows;
}

/** The picture's rows, top first: each a list of folder names. */
function pictureRows(): string[][] {
  const section = page.slice(page.indexOf('## The picture'));
  const block = /```\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
  return block
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => line.trim().split(/\s+/));
}

describe('docs/architecture.md', () => {
  it('has a row for every folder of the rule file, and for test/', () => {
    expect([...tableRows().keys()].sort()).toEqual([...Object.keys(layers), 'test'].sort());
  });

  it('names only folders that exist (the rule file refuses a folder of TypeScript without a row)', () => {
    for (const folder of tableRows().keys()) {
      expect({
        folder,
        exists: statSync(join(root, folder), { throwIfNoEntry: false })?.isDirectory(),
      }).toEqual({
        folder,
        exists: true,
      });
    }
  });

  it('gives each folder the imports of its layer, the types-only ones said so', () => {
    for (const [folder, cell] of tableRows()) {
      if (folder === 'test') continue;
      const [all = '', typesOnly = ''] = cell.split('for types only');
      const layer = layers[folder];
      expect({ folder, imports: foldersIn(cell).sort() }).toEqual({
        folder,
        imports: [...(layer?.imports ?? [])].sort(),
      });
      expect({ folder, typesOnly: foldersIn(typesOnly).sort() }).toEqual({
        folder,
        typesOnly: [...(layer?.typesOnly ?? [])].sort(),
      });
      // What comes before "for types only" are the other imports.
      expect(foldersIn(all).every((f) => !(layer?.typesOnly ?? []).includes(f))).toBe(true);
    }
  });

  it('draws each folder once, above every folder it may import', () => {
    const rows = pictureRows();
    const rowOf = new Map(rows.flatMap((names, i) => names.map((name) => [name, i] as const)));
    expect(rows.flat().sort()).toEqual(Object.keys(layers).sort());
    for (const [folder, { imports }] of Object.entries(layers)) {
      for (const imported of imports) {
        expect({
          folder,
          imported,
          below: (rowOf.get(imported) ?? -1) > (rowOf.get(folder) ?? -1),
        }).toEqual({
          folder,
          imported,
          below: true,
        });
      }
    }
  });
});
