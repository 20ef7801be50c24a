/** Structured one-line JSON logs on stderr for the runtime (component, level, message, keys). */

/** Log fields: object keys such as pod=default/web-0, container=nginx. */
export type LogFields = Record<string, string | number | boolean | undefined>;

/** A logger bound to a component name. */
export interface Logger {
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

/** A logger writing JSON lines to stderr; `quiet` drops info lines (tests). */
export function createLogger(component: string, quiet = false): Logger {
  const write = (level: string, msg: string, fields?: LogFields) => {
    if (quiet && level === 'info') return;
    process.stderr.write(JSON.stringify({ ts: new Date().toISOString(), level, component, msg, ...fields }) + '\n');
  };
  return {
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
  };
}
