/**
 * The etcd members of a local cluster (`kubesim up --etcd-members 1|3`): their command lines,
 * ports and data dirs, the client URLs every component is given, and which member leads.
 * One member keeps the historic component name `etcd`; three are `etcd-1` … `etcd-3`, each its
 * own process with its own data dir and ports, listening on loopback and the underlay host
 * address only (peers on loopback). Clients and peers speak TLS with certificates of etcd's own
 * CA (<dir>/pki/etcd, made by ensureEtcdPki) and etcd refuses a client without one
 * (--client-cert-auth), as kubeadm sets etcd up.
 */
import { readFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { Etcd3, type IOptions } from 'etcd3';
import { ensureEtcdPki, etcdPkiFiles, type EtcdPkiFiles } from '../../lib/pki/cluster.js';
import { etcdCredentials } from '../../lib/etcd-tls.js';
import type { ClusterLayout } from './layout.js';
import type { ClusterState } from './state.js';
import type { StartSpec } from './supervisor.js';

/** Member counts `kubesim up` accepts (a quorum of 2 needs 3; 2 members tolerate no loss). */
export const ETCD_MEMBER_COUNTS = [1, 3];

/** One etcd member of a local cluster. */
export interface EtcdMember {
  /** Component name in cluster.json (and the member's --name): `etcd`, or `etcd-1` … */
  component: string;
  clientPort: number;
  peerPort: number;
  dataDir: string;
}

/** The members of a cluster with `count` members; member i uses the port pair after member i-1's. */
export function etcdMembers(c: ClusterLayout, count: number): EtcdMember[] {
  if (count === 1) return [{ component: 'etcd', clientPort: c.ports.etcdClient, peerPort: c.ports.etcdPeer, dataDir: join(c.dir, 'etcd') }];
  return Array.from({ length: count }, (_, i) => ({
    component: `etcd-${i + 1}`,
    clientPort: c.ports.etcdClient + 2 * i,
    peerPort: c.ports.etcdPeer + 2 * i,
    dataDir: join(c.dir, 'etcd', `etcd-${i + 1}`),
  }));
}

/** How many members cluster `state` was brought up with (1 for clusters from before the option). */
export function etcdMemberCount(state: ClusterState): number {
  const n = Number((state.options as { etcdMembers?: unknown }).etcdMembers ?? 1);
  return ETCD_MEMBER_COUNTS.includes(n) ? n : 1;
}

/** Client URLs of every member: on 127.0.0.1 (host-side tools, the apiserver) or the underlay host address (nodes). */
export function etcdClientURLs(c: ClusterLayout, count: number, where: 'loopback' | 'underlay'): string[] {
  const host = where === 'loopback' ? '127.0.0.1' : c.hostIP;
  return etcdMembers(c, count).map((m) => `https://${host}:${m.clientPort}`);
}

/** The etcd certificates of cluster `c` (in its cert dir, <dir>/pki). */
export function etcdPkiOf(c: ClusterLayout): EtcdPkiFiles { return etcdPkiFiles(join(c.dir, 'pki')); }

/** Makes etcd's CA and certificates (kept when there): the members serve 127.0.0.1 and the host's underlay address. */
export function ensureEtcdCerts(c: ClusterLayout): EtcdPkiFiles { return ensureEtcdPki(join(c.dir, 'pki'), [c.hostIP]); }

/** etcd3 client options for this host's tools (status, chaos, bring-up): every member, healthcheck-client certificate. */
export function etcdHostClientOptions(c: ClusterLayout, count: number): IOptions {
  const f = etcdPkiOf(c);
  return {
    hosts: etcdClientURLs(c, count, 'loopback'), ...etcdCredentials({ caFile: f.ca, certFile: f.healthcheckClient.cert, keyFile: f.healthcheckClient.key }),
    // 127.0.0.1 is verified as `localhost` (in every member's certificate): an IP is no TLS server name (RFC 6066).
    grpcOptions: { 'grpc.ssl_target_name_override': 'localhost' },
  };
}

/** True when every member's /health answers ok (it does only once the member sees a leader). */
export async function etcdMembersHealthy(c: ClusterLayout, count: number): Promise<boolean> {
  const f = etcdPkiOf(c);
  const tls = { ca: readFileSync(f.ca), cert: readFileSync(f.healthcheckClient.cert), key: readFileSync(f.healthcheckClient.key) };
  const one = (url: string) => new Promise<boolean>((resolve) => {
    const req = httpsRequest(`${url}/health`, { ...tls, timeout: 2000 }, (res) => { res.resume(); resolve(res.statusCode === 200); });
    req.on('timeout', () => req.destroy()).on('error', () => resolve(false)).end();
  });
  return (await Promise.all(etcdClientURLs(c, count, 'loopback').map(one))).every(Boolean);
}

/** etcdctl's TLS flags for this host's tools (kubesim etcdctl). */
export function etcdctlTlsArgs(c: ClusterLayout): string[] {
  const f = etcdPkiOf(c);
  return ['--cacert', f.ca, '--cert', f.healthcheckClient.cert, '--key', f.healthcheckClient.key];
}

/** The command lines of every member; a fresh data dir forms the cluster, an existing one rejoins it. */
export function etcdMemberSpecs(c: ClusterLayout, count: number): StartSpec[] {
  const members = etcdMembers(c, count);
  const peerURL = (m: EtcdMember) => `https://127.0.0.1:${m.peerPort}`;
  const f = etcdPkiOf(c);
  // A single member keeps the cluster's name as its etcd name (data dirs of older clusters).
  const etcdName = (m: EtcdMember) => (count === 1 ? c.name : m.component);
  const initialCluster = members.map((m) => `${etcdName(m)}=${peerURL(m)}`).join(',');
  return members.map((m) => ({
    component: m.component,
    command: 'etcd',
    args: ['--name', etcdName(m), '--data-dir', m.dataDir,
      '--listen-client-urls', `https://127.0.0.1:${m.clientPort},https://${c.hostIP}:${m.clientPort}`,
      '--advertise-client-urls', `https://${c.hostIP}:${m.clientPort}`,
      // Clients and peers: TLS, and a certificate of etcd's CA or no entry.
      '--cert-file', f.server.cert, '--key-file', f.server.key, '--client-cert-auth', '--trusted-ca-file', f.ca,
      '--peer-cert-file', f.peer.cert, '--peer-key-file', f.peer.key, '--peer-client-cert-auth', '--peer-trusted-ca-file', f.ca,
      '--listen-peer-urls', peerURL(m), '--initial-advertise-peer-urls', peerURL(m),
      '--initial-cluster', initialCluster, '--initial-cluster-state', 'new', '--initial-cluster-token', `kubesim-${c.name}`,
      '--log-level', 'warn', '--logger', 'zap'],
    log: join(c.dir, 'logs', `${m.component}.log`),
  }));
}

/** The component name of `member` (`etcd-2`, `2`, or nothing/`etcd` with one member); undefined when there is no such member. */
export function etcdMemberComponent(c: ClusterLayout, count: number, member?: string): string | undefined {
  const members = etcdMembers(c, count);
  if (member === undefined) return count === 1 ? members[0].component : undefined;
  const wanted = /^\d+$/.test(member) ? (count === 1 && member === '1' ? 'etcd' : `etcd-${member}`) : member;
  return members.find((m) => m.component === wanted)?.component;
}

/** What `kubesim status` shows about one member. */
export interface EtcdMemberStatus { component: string; endpoint: string; healthy: boolean; leader: boolean; raftIndex?: number; error?: string }

/** Asks every member for its status (member id, leader id, raft index); an unreachable member is reported unhealthy. */
export async function etcdMemberStatuses(c: ClusterLayout, count: number, timeoutMs = 1500): Promise<EtcdMemberStatus[]> {
  return Promise.all(etcdMembers(c, count).map(async (m) => {
    const endpoint = `https://127.0.0.1:${m.clientPort}`;
    // One client per member: the question is about this member, not the cluster.
    const client = new Etcd3({ ...etcdHostClientOptions(c, count), hosts: endpoint, dialTimeout: timeoutMs });
    try {
      const s = await withTimeout(client.maintenance.status(), timeoutMs);
      return { component: m.component, endpoint, healthy: true, leader: s.leader === s.header.member_id, raftIndex: Number(s.raftIndex) };
    } catch (err) {
      return { component: m.component, endpoint, healthy: false, leader: false, error: (err as Error).message };
    } finally {
      client.close();
    }
  }));
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms); })])
    .finally(() => clearTimeout(timer));
}
