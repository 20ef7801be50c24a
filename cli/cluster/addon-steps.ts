/**
 * Bring-up steps for addons: apply a manifest through the gRPC API as the cluster admin (the
 * addon pods then get their ServiceAccount's bound token from ServiceAccount admission), then
 * check DNS from inside a node.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { clientFromFlags } from '../../lib/client/flags.js';
import { renderAddon, applyManifest } from './addons.js';
import { grpcAddr } from './components.js';
import { secureURL } from './credentials.js';
import type { ClusterLayout } from './layout.js';

const execFileP = promisify(execFile);

/** Applies addon `name` to the cluster; throws when this build has no such addon. */
export async function installAddon(name: string, c: ClusterLayout): Promise<void> {
  const text = renderAddon(name, { grpcServer: grpcAddr(c), apiServer: secureURL(c) });
  if (!text) throw new Error(`this build has no ${name} addon manifest`);
  // The admin kubeconfig carries the gRPC address and the admin's token.
  const client = clientFromFlags({ kubeconfig: c.kubeconfig });
  try {
    await applyManifest(client, text);
  } finally {
    client.close();
  }
}

/** True when the cluster DNS at dnsIP resolves kube-dns.kube-system from inside node namespace netns. */
export async function dnsAnswers(netns: string, dnsIP: string): Promise<boolean> {
  const script = `const r=new (require('node:dns').promises.Resolver)({timeout:1000,tries:1});r.setServers(['${dnsIP}']);` +
    `r.resolve4('kube-dns.kube-system.svc.cluster.local').then(a=>{console.log(a.join(','));process.exit(a.length?0:1)},()=>process.exit(1))`;
  try {
    await execFileP('nsenter', [`--net=/run/netns/${netns}`, '--', process.execPath, '-e', script], { timeout: 5000 });
    return true;
  } catch {
    return false;
  }
}
