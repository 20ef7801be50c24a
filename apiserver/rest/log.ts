/**
 * One-line structured logs for the apiserver (`time level component msg key=value ...`), with a
 * verbosity threshold like klog's --v.
 */

let verbosity = 0;
const component = 'apiserver';

/** Sets the --v threshold for `logV`. */
export function setVerbosity(v: number): void { verbosity = v; }

/** The current --v threshold. */
export function getVerbosity(): number { return verbosity; }

function fmt(v: unknown): string {
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return /[\s"=]/.test(s ?? '') ? JSON.stringify(s) : String(s);
}

/** Writes one log line to stderr. */
export function logLine(level: 'info' | 'warn' | 'error', msg: string, fields: Record<string, unknown> = {}): void {
  const kv = Object.entries(fields).filter(([, v]) => v !== undefined).map(([k, v]) => `${k}=${fmt(v)}`).join(' ');
  process.stderr.write(`${new Date().toISOString()} ${level} ${component} ${JSON.stringify(msg)}${kv ? ' ' + kv : ''}\n`);
}

/** Logs at info level only when --v >= `level`. */
export function logV(level: number, msg: string, fields: Record<string, unknown> = {}): void {
  if (verbosity >= level) logLine('info', msg, fields);
}
