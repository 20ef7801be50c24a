/** Go-style durations: shared with the other components in lib/duration.ts. */
export { parseDurationMs } from '../lib/duration.js';
