import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const nodeBuiltins = [
  'assert',
  'buffer',
  'child_process',
  'cluster',
  'crypto',
  'dgram',
  'dns',
  'events',
  'fs',
  'fs/promises',
  'http',
  'http2',
  'https',
  'module',
  'net',
  'os',
  'path',
  'perf_hooks',
  'process',
  'readline',
  'stream',
  'timers',
  'tls',
  'url',
  'util',
  'v8',
  'vm',
  'worker_threads',
  'zlib',
];

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', '.tools/', '.data/', 'coverage/', 'screenshots/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: globals.node,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // The environment is parsed once, in workers/config.ts; every other module gets a Config.
    files: ['{workflows,activities,workers,db,client,cli,edge,services,scripts}/**/*.ts'],
    ignores: ['workers/config.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        {
          object: 'process',
          property: 'env',
          message: 'Read configuration through workers/config.ts.',
        },
      ],
    },
  },
  {
    // Workflow code runs in Temporal's deterministic sandbox: no I/O, no Node built-ins.
    // The pure billing core is imported by workflows, so the same ban applies to it.
    files: ['workflows/**/*.ts', 'billing/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            ...nodeBuiltins.flatMap((name) => [
              { name, message: 'Node built-ins are not allowed in workflow or billing code.' },
              {
                name: `node:${name}`,
                message: 'Node built-ins are not allowed in workflow or billing code.',
              },
            ]),
            { name: 'pg', message: 'Database access belongs in activities/ and db/.' },
            { name: 'kysely', message: 'Database access belongs in activities/ and db/.' },
            { name: 'nodemailer', message: 'Email belongs in activities/.' },
          ],
          patterns: [
            {
              group: ['node:*'],
              message: 'Node built-ins are not allowed in workflow or billing code.',
            },
            {
              group: ['**/activities/*', '!**/activities/index.js'],
              allowTypeImports: true,
              message: 'Import activities by type only.',
            },
            {
              group: ['**/db/*', '**/workers/*'],
              message: 'Workflow and billing code must not import I/O modules.',
            },
          ],
        },
      ],
    },
  },
  {
    // The public contract: every layer imports it, and it imports nothing of the project but the
    // billing core (workflows bundle it, so no Node built-ins either).
    files: ['contract/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins.map((name) => ({
            name,
            message: 'The contract is bundled into workflows: no Node built-ins.',
          })),
          patterns: [
            {
              group: ['node:*'],
              message: 'The contract is bundled into workflows: no Node built-ins.',
            },
            {
              group: [
                'activities',
                'bench',
                'cli',
                'client',
                'db',
                'edge',
                'emails',
                'scripts',
                'test',
                'web',
                'workers',
                'workflows',
              ].map((folder) => `**/${folder}/*`),
              message: 'The contract imports nothing of the project but billing/.',
            },
          ],
        },
      ],
    },
  },
  {
    // Activities implement what the contract and workflows ask; they never import workflow code.
    files: ['activities/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/workflows/*', '**/workflows'],
              message: 'Activities import the contract (contract/), not workflows/.',
            },
          ],
        },
      ],
    },
  },
);
