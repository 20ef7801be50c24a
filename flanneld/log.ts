/** Structured one-line logs for flanneld: `time level component msg key=value ...` on stderr. */
export type Level = 'debug' | 'info' | 'warn' | 'error';

const order: Record<Level, number> = { debug: 0, info: 1, warn: 2, error: 3 };
let minLevel: Level = (process.env.KUBESIM_LOG_LEVEL as Level) in order ? process.env.KUBESIM_LOG_LEVEL as Level : 'info';

/** Sets the lowest level printed. */
export function setLogLevel(l: Level): void { minLevel = l; }

function fmt(v: unknown): string {
  const s = v instanceof Error ? v.message : typeof v === 'string' ? v : JSON.stringify(v);
  return /[\s"=]/.test(s) ? JSON.stringify(s) : s;
}

/** A logger bound to a component name. */
export interface Logger {
  debug(msg: string, kv?: Record<string, unknown>): void;
  info(msg: string, kv?: Record<string, unknown>): void;
  warn(msg: string, kv?: Record<string, unknown>): void;
  error(msg: string, kv?: Record<string, unknown>): void;
}

/** Returns a logger whose lines carry component=<name>. */
export function logger(component: string): Logger {
  const emit = (level: Level, msg: string, kv: Record<string, unknown> = {}): void => {
    if (order[level] < order[minLevel]) return;
    const pairs = Object.entries(kv).map(([k, v]) => `${k}=${fmt(v)}`).join(' ');
    process.stderr.write(`${new Date().toISOString()} ${level} component=${component} msg=${fmt(msg)}${pairs ? ' ' + pairs : ''}\n`);
  };
  return {
    debug: (m, kv) => emit('debug', m, kv),
    info: (m, kv) => emit('info', m, kv),
    warn: (m, kv) => emit('warn', m, kv),
    error: (m, kv) => emit('error', m, kv),
  };
}
