/**
 * The layers, as a rule `npm run lint` checks (dependency-cruiser; docs/architecture.md draws them).
 *
 * `layers` names every top-level source folder and the folders it may import. The rules below are
 * made from it, so the table is the one place to change; loading this file fails when a folder with
 * TypeScript in it is missing from the table, or when the table itself has a cycle. Every import a
 * folder makes must be in its row, so the folders' real imports cannot form a cycle either.
 * Type-only imports count (`tsPreCompilationDeps`): a type import still ties one folder's
 * compilation and meaning to the other.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Each folder: what it may import (`imports`), and of those, the folders it may import for types
 * only (`typesOnly`): workflows run in Temporal's sandbox and name their activities by type only.
 */
export const layers = {
  billing: { imports: [] },
  config: { imports: [] },
  db: { imports: ['contract'], typesOnly: ['contract'] },
  links: { imports: [] },
  mail: { imports: [] },
  contract: { imports: ['billing'] },
  format: { imports: ['billing'] },
  logging: { imports: ['config'] },
  emails: { imports: ['billing', 'format'] },
  activities: { imports: ['billing', 'config', 'contract', 'db', 'emails', 'links', 'mail'] },
  workflows: { imports: ['activities', 'billing', 'contract'], typesOnly: ['activities'] },
  client: {
    imports: ['activities', 'billing', 'config', 'contract', 'db', 'workflows'],
    typesOnly: ['activities', 'workflows'],
  },
  workers: { imports: ['activities', 'config', 'contract', 'db', 'logging', 'mail'] },
  services: { imports: ['activities', 'billing', 'config', 'db', 'emails', 'links', 'mail'] },
  web: {
    imports: [
      'billing',
      'client',
      'config',
      'contract',
      'db',
      'emails',
      'format',
      'links',
      'mail',
      'services',
    ],
  },
  edge: { imports: ['billing', 'client', 'config', 'contract', 'db', 'logging', 'mail', 'web'] },
  cli: {
    imports: [
      'billing',
      'client',
      'config',
      'contract',
      'db',
      'edge',
      'emails',
      'format',
      'links',
      'logging',
      'mail',
      'services',
      'workers',
    ],
  },
  scripts: { imports: ['cli', 'client', 'config', 'contract', 'db', 'workers'] },
  bench: {
    imports: [
      'activities',
      'billing',
      'client',
      'config',
      'contract',
      'db',
      'edge',
      'logging',
      'mail',
      'scripts',
      'workers',
    ],
  },
};

/** Folders that are not source layers: tests (checked below), and what holds no TypeScript. */
const notLayers = new Set([
  'test',
  'docs',
  'bin',
  'node_modules',
  'dist',
  'coverage',
  'screenshots',
]);

function holdsTypeScript(dir) {
  return readdirSync(dir, { withFileTypes: true }).some((entry) =>
    entry.isDirectory() ? holdsTypeScript(join(dir, entry.name)) : entry.name.endsWith('.ts'),
  );
}

const undeclared = readdirSync(import.meta.dirname, { withFileTypes: true })
  .filter((e) => e.isDirectory() && !e.name.startsWith('.') && !notLayers.has(e.name))
  .filter((e) => !(e.name in layers) && holdsTypeScript(join(import.meta.dirname, e.name)))
  .map((e) => e.name);
if (undeclared.length > 0) {
  throw new Error(
    `.dependency-cruiser.js: no layer for ${undeclared.join(', ')}: add each to \`layers\` ` +
      '(and to docs/architecture.md) with the folders it may import',
  );
}

/** A cycle in the table, as `a -> b -> a`, or null. */
export function cycleIn(table) {
  const state = new Map();
  const visit = (folder, path) => {
    if (state.get(folder) === 'done') return null;
    if (state.get(folder) === 'open') return [...path.slice(path.indexOf(folder)), folder];
    state.set(folder, 'open');
    for (const next of table[folder]?.imports ?? []) {
      const found = visit(next, [...path, folder]);
      if (found) return found;
    }
    state.set(folder, 'done');
    return null;
  };
  for (const folder of Object.keys(table)) {
    const found = visit(folder, []);
    if (found) return found.join(' -> ');
  }
  return null;
}

const cycle = cycleIn(layers);
if (cycle !== null) throw new Error(`.dependency-cruiser.js: the layers have a cycle: ${cycle}`);

const folders = Object.keys(layers);
const anyOf = (names) => `^(${names.join('|')})/`;

/** Folder `name` imports only itself and its row; test/ is no layer, so nothing imports it. */
function layerRule(name) {
  const { imports } = layers[name];
  return {
    name: `layer-${name}`,
    comment: imports.length
      ? `${name}/ imports only ${imports.map((f) => `${f}/`).join(', ')} (docs/architecture.md)`
      : `${name}/ imports nothing of the project outside ${name}/ (docs/architecture.md)`,
    severity: 'error',
    from: { path: `^${name}/` },
    to: { path: anyOf([...folders, 'test']), pathNot: anyOf([name, ...imports]) },
  };
}

function typesOnlyRule(name) {
  const { typesOnly } = layers[name];
  return {
    name: `types-only-${name}`,
    comment:
      `${name}/ imports ${typesOnly.map((f) => `${f}/`).join(' and ')} for types only ` +
      '(`import type`): their code never runs in it',
    severity: 'error',
    from: { path: `^${name}/` },
    to: { path: anyOf(typesOnly), dependencyTypesNot: ['type-only'] },
  };
}

/** npm packages a folder bundled into the workflow sandbox may import; nothing of Node's. */
const sandboxPackages = {
  billing: ['zod', 'temporal-polyfill'],
  contract: ['zod', '@temporalio/common', '@temporalio/workflow'],
  workflows: ['zod', '@temporalio/common', '@temporalio/workflow'],
};

function sandboxRules(name) {
  const allowed = sandboxPackages[name].map((p) => p.replace('/', '[/]')).join('|');
  return [
    {
      name: `no-node-${name}`,
      comment:
        `${name}/ runs in Temporal's deterministic workflow sandbox (workflows bundle it): ` +
        'no Node built-ins',
      severity: 'error',
      from: { path: `^${name}/` },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: `packages-${name}`,
      comment:
        `${name}/ runs in the workflow sandbox: of npm packages only ` +
        `${sandboxPackages[name].join(', ')} (no pg, kysely, nodemailer, fastify, I/O of any kind)`,
      severity: 'error',
      from: { path: `^${name}/` },
      to: {
        dependencyTypes: [
          'npm',
          'npm-dev',
          'npm-optional',
          'npm-peer',
          'npm-no-pkg',
          'npm-unknown',
        ],
        pathNot: `node_modules/(${allowed})/`,
      },
    },
  ];
}

export default {
  forbidden: [
    {
      name: 'no-folder-cycle',
      comment:
        'No two folders import each other, directly or through others (type-only imports count)',
      severity: 'error',
      scope: 'folder',
      // Judged from top-level folders, so a cycle is reported by the folders it joins, not also
      // by each of their subfolders.
      from: { path: '^[^/]+$' },
      to: { circular: true },
    },
    {
      // A module may name its owner's type (workflows/account/requests.ts takes the BillingRun
      // that creates it); a cycle of runtime imports makes evaluation order matter, so none.
      name: 'no-module-cycle',
      comment: 'No module imports itself through others at runtime',
      severity: 'error',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    ...folders.map(layerRule),
    ...folders.filter((name) => layers[name].typesOnly).map(typesOnlyRule),
    ...Object.keys(sandboxPackages).flatMap(sandboxRules),
  ],
  options: {
    // test/ is checked too: it may import every layer, and no layer may import it.
    exclude: { path: '^(dist|docs|coverage|screenshots|[.]tools|[.]data)/' },
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.json'],
    },
  },
};
