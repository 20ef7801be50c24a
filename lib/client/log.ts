/** Structured one-line JSON logs for the client machinery (component from KUBESIM_COMPONENT or the program's folder, e.g. scheduler). */
import { basename, dirname } from 'node:path';
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const threshold: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/** Writes one log line to stderr: {ts, level, component, msg, ...fields}; KUBESIM_LOG_LEVEL filters (default info). */
export function clientLog(level: LogLevel, msg: string, fields: Record<string, unknown> = {}): void {
  const min = (process.env.KUBESIM_LOG_LEVEL as LogLevel | undefined) ?? 'info';
  if (threshold[level] < (threshold[min] ?? 1)) return;
  const component = process.env.KUBESIM_COMPONENT ?? (process.argv[1] ? basename(dirname(process.argv[1])) : process.title);
  process.stderr.write(`${JSON.stringify({ ts: new Date().toISOString(), level, component, msg, ...fields })}\n`);
}
