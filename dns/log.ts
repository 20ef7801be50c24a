/** Structured one-line logs for cluster DNS (the shared client log format). */
export { clientLog as log } from '../lib/client/log.js';
