/** Structured one-line logs for the ingress controller (the shared client log format). */
export { clientLog as log } from '../lib/client/log.js';
