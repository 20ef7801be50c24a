/**
 * The compose stack's credentials, made with the same code as `kubesim up`'s
 * (cli/cluster/credentials.ts) into the `pki` volume, mounted at /pki:
 *   /pki/pki          CA, apiserver serving cert, client certs, tokens.csv, sa.key (--cert-dir)
 *   /pki/pki/etcd     etcd's CA, its members' serving and peer certs, the healthcheck client cert
 *                     (the apiserver's and flanneld's etcd client certs are in /pki/pki)
 *   /pki/kubeconfigs  one kubeconfig per identity: kube-scheduler, kube-controller-manager,
 *                     kube-proxy, kubelet-node-N, admin (in-stack, for the addons job)
 * The apiserver's serving certificate names every address it is reached by: 127.0.0.1 (the port
 * published on the host), its fixed addresses on the node network, its compose service names
 * and the `kubernetes` ClusterIP.
 */
import { chmodSync, chownSync, existsSync, readFileSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { ensureClusterPki, ensureEtcdPki, pkiPaths } from '../../lib/pki/cluster.js';
import { ensureClusterCredentials, ensureNodeCredentials, kubeconfigOf, pkiDirOf } from '../cluster/credentials.js';
import { writeKubeconfig } from '../cluster/kubeconfig.js';
import type { ClusterLayout } from '../cluster/layout.js';
import { UserError } from './up.js';

/** Names and addresses of the stack's etcd members (compose.yaml; etcd2 and etcd3 in the ha profile). */
export const COMPOSE_ETCD_HOSTS = ['etcd', 'etcd2', 'etcd3', '10.201.0.2', '10.201.0.3', '10.201.0.4'];

/** The cluster name kubeconfigs of the compose stack carry. */
export const COMPOSE_CLUSTER = 'kubesim-compose';

/** A ClusterLayout standing for the compose stack: credentials under `dir`, apiserver at `apiserverIP`. */
export function composeLayout(dir: string, apiserverIP = '10.201.0.5'): ClusterLayout {
  return {
    name: COMPOSE_CLUSTER, index: 0, dir, bridge: '', hostIP: apiserverIP, underlayCIDR: '10.201.0.0/24',
    ports: { etcdClient: 2379, etcdPeer: 2380, apiserver: 8080, grpc: 8081, secure: 6443 },
    kubeconfig: kubeconfigOf({ dir } as ClusterLayout, 'admin'),
    clusterCIDR: '10.244.0.0/16', serviceCIDR: '10.96.0.0/12', dnsIP: '10.96.0.10',
  };
}

/** The address of compose node `name` (node-N → 10.201.0.(10+N)). */
export function composeNodeIP(name: string): string {
  const m = /^node-(\d+)$/.exec(name);
  if (!m || Number(m[1]) < 1 || Number(m[1]) > 117) throw new UserError(`--nodes: ${JSON.stringify(name)} is not a compose node name (node-1 .. node-117)`);
  return `10.201.0.${10 + Number(m[1])}`;
}

/** Options of `kubesim compose pki`. */
export interface ComposePkiOptions { dir: string; apiservers: string[]; names: string[]; nodes: string[] }

/** Creates (or completes: existing files are kept) the stack's credentials; returns the node names done. */
export function ensureComposeCredentials(o: ComposePkiOptions): string[] {
  const c = composeLayout(o.dir, o.apiservers[0]);
  // The serving certificate first, with every name and address; ensureClusterCredentials keeps it.
  ensureClusterPki(pkiDirOf(c), [...o.names, ...o.apiservers, '10.96.0.1']);
  ensureClusterCredentials(c);
  // etcd's own CA and certificates: its members by name and address, clients with certificates only.
  ensureEtcdPki(pkiDirOf(c), COMPOSE_ETCD_HOSTS);
  for (const n of o.nodes) ensureNodeCredentials(c, n, composeNodeIP(n));
  return o.nodes;
}

/** True when the stack runs secure (the pki job has made the credentials). */
export function composeSecure(dir: string): boolean {
  return existsSync(pkiPaths(pkiDirOf(composeLayout(dir)), 'admin').cert);
}

/** The host's kubeconfig: HTTPS on the published 127.0.0.1 port with the admin's client certificate. */
export function writeHostKubeconfig(pki: string, file: string, port: string): string {
  if (!composeSecure(pki)) throw new UserError(`no credentials in ${pki} (the pki job makes them)`);
  const dir = pkiDirOf(composeLayout(pki));
  const read = (name: string, what: 'cert' | 'key') => readFileSync(pkiPaths(dir, name)[what], 'utf8');
  const server = `https://127.0.0.1:${port}`;
  writeKubeconfig(file, COMPOSE_CLUSTER, server, undefined,
    { caCert: read('ca', 'cert'), clientCert: read('admin', 'cert'), clientKey: read('admin', 'key'), user: `${COMPOSE_CLUSTER}-admin` });
  // It holds the admin's private key: readable by the owner of the folder it lands in only (a
  // user who made ./.kubesim before `up` gets a file of their own; otherwise root's).
  const owner = statSync(dirname(file));
  chmodSync(file, 0o600);
  chownSync(file, owner.uid, owner.gid);
  return server;
}

/** Where the in-stack admin kubeconfig is (addons job). */
export function adminKubeconfig(dir: string): string { return kubeconfigOf(composeLayout(dir), 'admin'); }
