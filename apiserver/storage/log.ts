/** The structured logger the storage layer and registry accept (one JSON line per event by default). */

/** Log levels used here. */
export type Level = 'info' | 'warn' | 'error';

/** A structured log sink: a message plus key/value fields (e.g. resource=pods). */
export type LogFn = (level: Level, msg: string, fields?: Record<string, unknown>) => void;

/** Default sink: one JSON line on stderr with time, level and component=apiserver. */
export const stderrLog: LogFn = (level, msg, fields = {}) => {
  process.stderr.write(`${JSON.stringify({ ts: new Date().toISOString(), level, component: 'apiserver', msg, ...fields })}\n`);
};
