/**
 * One-line structured logs for the client machinery, in the apiserver's format
 * (`time level component "msg" key=value ...`). The component is $KUBESIM_COMPONENT or the
 * program's folder (dist/scheduler/main.js → scheduler); $KUBESIM_LOG_LEVEL filters (default info).
 */
import { basename, dirname } from 'node:path';

/** Log levels, lowest first. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const threshold: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

function fmt(v: unknown): string {
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return /[\s"=]/.test(s ?? '') ? JSON.stringify(s) : String(s);
}

/** Writes one log line to stderr. */
export function clientLog(level: LogLevel, msg: string, fields: Record<string, unknown> = {}): void {
  const min = (process.env.KUBESIM_LOG_LEVEL as LogLevel | undefined) ?? 'info';
  if (threshold[level] < (threshold[min] ?? 1)) return;
  const component = process.env.KUBESIM_COMPONENT ?? (process.argv[1] ? basename(dirname(process.argv[1])) : process.title);
  const kv = Object.entries(fields).filter(([, v]) => v !== undefined).map(([k, v]) => `${k}=${fmt(v)}`).join(' ');
  process.stderr.write(`${new Date().toISOString()} ${level} ${component} ${JSON.stringify(msg)}${kv ? ` ${kv}` : ''}\n`);
}
