/**
 * `billing render-emails [--out <dir>]`: renders every customer email with the sample data
 * (emails/samples.ts) to `<kind>.html` and `<kind>.txt`, plus an `index.html` linking them, to
 * look at in a browser. Loads only the email templates: no Temporal, PostgreSQL or SMTP code.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { escapeHtml } from '../../format/html.js';
import { renderEmail } from '../../emails/render.js';
import { emailSamples } from '../../emails/samples.js';

const DEFAULT_OUT = join('screenshots', 'emails');

const HELP = `usage: billing render-emails [--out <dir>] [--json]

Renders every customer email (${emailSamples.map((s) => s.kind).join(', ')})
with the sample data to <dir>/<kind>.html and <dir>/<kind>.txt, plus <dir>/index.html,
and prints the paths (--json: {"files": [...], "index": path}). <dir> defaults to ${DEFAULT_OUT}.
Exit 0 on success; 2 with a message on stderr for bad arguments.
`;

type Parsed = { help: true } | { help: false; out: string; json: boolean } | { error: string };

function parseArgs(args: string[]): Parsed {
  let out = DEFAULT_OUT;
  let json = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (arg === '--help' || arg === '-h') return { help: true };
    if (arg === '--json') {
      json = true;
      continue;
    }
    if (arg === '--out' || arg.startsWith('--out=')) {
      const value = arg === '--out' ? args[++i] : arg.slice('--out='.length);
      if (value === undefined || value === '') return { error: '--out needs a directory' };
      out = value;
    } else {
      return { error: `unknown argument '${arg}'` };
    }
  }
  return { help: false, out, json };
}

function indexHtml(entries: { kind: string; subject: string }[]): string {
  const items = entries.map(
    ({ kind, subject }) =>
      `<li><a href="${kind}.html">${escapeHtml(subject)}</a> (${kind}, ` +
      `<a href="${kind}.txt">plain text of ${kind}</a>)</li>`,
  );
  return (
    '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Customer emails</title>' +
    `</head>\n<body><main><h1>Customer emails (sample data)</h1><ul>\n${items.join('\n')}\n` +
    '</ul></main></body></html>\n'
  );
}

export async function run(args: string[]): Promise<number> {
  const parsed = parseArgs(args);
  if ('error' in parsed) {
    process.stderr.write(`billing render-emails: ${parsed.error}\n\n${HELP}`);
    if (args.includes('--json')) {
      const error = { kind: 'usage', message: parsed.error };
      process.stdout.write(`${JSON.stringify({ error }, null, 2)}\n`);
    }
    return 2;
  }
  if (parsed.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const dir = resolve(parsed.out);
  await mkdir(dir, { recursive: true });
  const entries: { kind: string; subject: string }[] = [];
  const files: string[] = [];
  const print = (path: string) => {
    files.push(path);
    if (!parsed.json) process.stdout.write(`${path}\n`);
  };
  for (const { kind, content, context } of emailSamples) {
    const email = renderEmail(content, context);
    for (const [extension, body] of [
      ['html', email.html],
      ['txt', email.text],
    ] as const) {
      const path = join(dir, `${kind}.${extension}`);
      await writeFile(path, body);
      print(path);
    }
    entries.push({ kind, subject: email.subject });
  }
  const index = join(dir, 'index.html');
  await writeFile(index, indexHtml(entries));
  if (parsed.json) process.stdout.write(`${JSON.stringify({ files, index }, null, 2)}\n`);
  else process.stdout.write(`${index}\n`);
  return 0;
}
