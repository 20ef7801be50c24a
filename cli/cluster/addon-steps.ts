/** Bring-up steps for addons: apply a manifest through the gRPC API, then check DNS from inside a node. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ApiClient } from '../../lib/client/api-client.js';
import { renderAddon, applyManifest } from './addons.js';
import { apiURL, grpcAddr } from './components.js';
import type { ClusterLayout } from './layout.js';

const execFileP = promisify(execFile);

/** Applies addon `name` to the cluster; throws when this build has no such addon. */
export async function installAddon(name: string, c: ClusterLayout): Promise<void> {
  const text = renderAddon(name, { grpcServer: grpcAddr(c), apiServer: apiURL(c) });
  if (!text) throw new Error(`this build has no ${name} addon manifest`);
  const client = ApiClient.connect(grpcAddr(c));
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
