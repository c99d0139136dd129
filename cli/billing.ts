/**
 * `billing <command>`: the project's command line. Each command lives in its own module under
 * cli/commands/ and is imported only when it runs, so a light command such as `preview` never
 * loads Temporal, PostgreSQL or SMTP code.
 */
type CommandModule = { run(args: string[]): Promise<number> };

const commands: Record<string, { summary: string; load: () => Promise<CommandModule> }> = {
  preview: {
    summary: 'print the statements the billing rules give for a scenario read from stdin',
    load: () => import('./commands/preview.js'),
  },
  doctor: {
    summary:
      'check PostgreSQL, SMTP and Temporal, and run a workflow end to end through the worker',
    load: () => import('./commands/doctor.js'),
  },
  simulate: {
    summary:
      'a month of calls for N accounts on the running stack, ending with a summary per account',
    load: () => import('./commands/simulate.js'),
  },
  notifications: {
    summary: "list an account's emails from the outbox: delivered, waiting or refused, and why",
    load: () => import('./commands/notifications.js'),
  },
  'render-emails': {
    summary: 'render every customer email with sample data to HTML and text files',
    load: () => import('./commands/render-emails.js'),
  },
  'api-keys': {
    summary:
      "create, list or revoke an account's API keys for the HTTP edge (POST /v1/call-events)",
    load: () => import('./commands/api-keys.js'),
  },
  migrate: {
    summary: 'bring the database (DATABASE_URL, or the embedded one) to the latest schema',
    load: () => import('./commands/migrate.js'),
  },
};

function usage(): string {
  const width = Math.max(...Object.keys(commands).map((name) => name.length));
  const lines = Object.entries(commands).map(
    ([name, { summary }]) => `  ${name.padEnd(width)}  ${summary}`,
  );
  return `usage: billing <command> [options]\n\ncommands:\n${lines.join('\n')}\n`;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    return name === undefined ? 2 : 0;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(`billing: unknown command '${name}'\n\n${usage()}`);
    return 2;
  }
  const module = await command.load();
  return module.run(args);
}

process.exitCode = await main(process.argv.slice(2));
