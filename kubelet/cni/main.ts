#!/usr/bin/env node
/**
 * CNI executable entry: `CNI_COMMAND=ADD|DEL|CHECK|VERSION CNI_CONTAINERID=… CNI_NETNS=/run/netns/x
 * CNI_IFNAME=eth0 kubesim-cni < netconf.json`. Prints the CNI result (ADD) or a CNI error object.
 */
import { readFileSync } from 'node:fs';
import { cniAdd, cniCheck, cniDel, type BridgeNetConf } from './bridge-plugin.js';

async function main(): Promise<void> {
  const cmd = process.env.CNI_COMMAND ?? '';
  if (cmd === 'VERSION') {
    process.stdout.write(JSON.stringify({ cniVersion: '1.0.0', supportedVersions: ['0.4.0', '1.0.0'] }));
    return;
  }
  const conf = JSON.parse(readFileSync(0, 'utf8')) as BridgeNetConf;
  const args = { containerId: process.env.CNI_CONTAINERID ?? '', netns: process.env.CNI_NETNS ?? '', ifName: process.env.CNI_IFNAME ?? 'eth0' };
  if (!args.containerId) throw new Error('CNI_CONTAINERID is required');
  if (cmd === 'ADD') process.stdout.write(JSON.stringify(await cniAdd(conf, args)));
  else if (cmd === 'DEL') await cniDel(conf, args);
  else if (cmd === 'CHECK') await cniCheck(conf, args);
  else throw new Error(`unknown CNI_COMMAND ${JSON.stringify(cmd)}`);
}

main().catch((err: Error) => {
  // CNI error convention: a JSON error object on stdout and a non-zero exit.
  process.stdout.write(JSON.stringify({ cniVersion: '1.0.0', code: 999, msg: err.message }));
  process.exit(1);
});
