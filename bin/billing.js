#!/usr/bin/env node
// `npm run -s billing -- <command>`: the billing CLI, run from compiled JS.
process.argv.splice(2, 0, 'cli/billing.js');
await import('./run-built.js');
