/** Structured one-line logs for kube-proxy (the shared client log format). */
export { clientLog as log } from '../lib/client/log.js';
