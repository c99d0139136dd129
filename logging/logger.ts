import { DefaultLogger, type LogEntry, type Logger } from '@temporalio/worker';
import type { LogLevel } from '../config/config.js';

/**
 * One line per event: `<ISO time> <LEVEL> <message> <JSON attributes>`, so `grep accountId=`-style
 * searches and log shippers see whole events. Temporal's own logger prints attributes over several
 * lines. Activity and workflow loggers add their context (workflow id, activity type) as attributes.
 */
export function createLogger(
  level: LogLevel,
  write = (line: string) => process.stderr.write(line),
): Logger {
  return new DefaultLogger(level, (entry: LogEntry) => {
    const time = new Date(Number(entry.timestampNanos / 1_000_000n)).toISOString();
    const meta = entry.meta && Object.keys(entry.meta).length > 0 ? ` ${json(entry.meta)}` : '';
    write(`${time} ${entry.level} ${entry.message}${meta}\n`);
  });
}

function json(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === 'bigint') return v.toString();
    if (v instanceof Error) return { name: v.name, message: v.message };
    return v;
  });
}
