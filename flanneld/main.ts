#!/usr/bin/env node
/** flanneld: one per node; leases a subnet from etcd and runs the pod overlay (flags: flags.ts). */
import { runFlanneld } from './daemon.js';
import { flanneldCommand, toOptions, withEnvFlags } from './flags.js';
import { logger } from './log.js';

const log = logger('flanneld');
const program = flanneldCommand();
program.parse(withEnvFlags(program, process.argv, process.env));
const ctl = new AbortController();
for (const sig of ['SIGTERM', 'SIGINT'] as const) {
  process.once(sig, () => { log.info('shutting down', { signal: sig }); ctl.abort(); });
}
const opts = toOptions(program.opts());
opts.onListening = (p) => log.info('serving /healthz /metrics /chaos', { address: `${opts.httpHost}:${p}` });
runFlanneld(opts, ctl.signal).then(() => process.exit(0), (err) => {
  if (ctl.signal.aborted) process.exit(0); // stopped while still waiting for etcd: not a failure
  log.error('fatal', { err });
  process.exit(1);
});
