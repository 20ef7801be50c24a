/**
 * The command lines of every process of a local cluster. Flags use the real components' names.
 */
import { join } from 'node:path';
import type { ClusterLayout, NodeLayout } from './layout.js';
import type { StartSpec } from './supervisor.js';
import { etcdClientURLs, etcdPkiOf } from './etcd.js';
import type { EtcdTlsFiles } from '../../lib/etcd-tls.js';
import { kubeconfigOf, pkiDirOf, secureURL, tokenFileOf, type NodeCredentials } from './credentials.js';

/** dist/ of this installation (cli/cluster/components.js lives in dist/cli/cluster/). */
export const DIST = join(import.meta.dirname, '..', '..');

const node = process.execPath;

/** Where each node's flanneld serves /healthz, /metrics and /chaos (on the node's underlay address). */
export const FLANNEL_HEALTHZ_PORT = 8471;

export interface ClusterOptions { backend: string; fastFailover: boolean; v: number; /** etcd members (1 when absent). */ etcdMembers?: number }

/** The etcd client URLs components on nodes use (every member, comma-separated). */
export function etcdURL(c: ClusterLayout, o?: ClusterOptions): string { return etcdClientURLs(c, o?.etcdMembers ?? 1, 'underlay').join(','); }
/**
 * The apiserver's plain-HTTP port, bound to 127.0.0.1 only (every caller there is admin, as
 * kube-apiserver's old insecure port): for this host's CLI (status, chaos, node add); nodes, pods
 * and users go through the HTTPS port (secureURL) with their own credentials.
 */
export function apiURL(c: ClusterLayout): string { return `http://127.0.0.1:${c.ports.apiserver}`; }
/** The gRPC address of the apiserver as nodes see it. */
export function grpcAddr(c: ClusterLayout): string { return `${c.hostIP}:${c.ports.grpc}`; }

/** Control-plane processes (host namespace). */
export function controlPlaneSpecs(c: ClusterLayout, o: ClusterOptions): StartSpec[] {
  // Each component presents its own identity (kubeconfig: client certificate + gRPC token).
  const common = (id: string) => ['--kubeconfig', kubeconfigOf(c, id), '--grpc-server', grpcAddr(c), `--v=${o.v}`];
  const pki = pkiDirOf(c);
  const etcdTls = etcdPkiOf(c);
  return [
    {
      component: 'apiserver', command: node, log: join(c.dir, 'logs', 'apiserver.log'),
      args: [join(DIST, 'apiserver', 'main.js'), '--etcd-servers', etcdClientURLs(c, o.etcdMembers ?? 1, 'loopback').join(','),
        '--etcd-cafile', etcdTls.ca, '--etcd-certfile', etcdTls.apiserverClient.cert, '--etcd-keyfile', etcdTls.apiserverClient.key,
        '--bind-address', c.hostIP, '--advertise-address', c.hostIP, '--secure-port', String(c.ports.secure), '--cert-dir', pki,
        '--insecure-bind-address', '127.0.0.1', '--port', String(c.ports.apiserver), '--grpc-port', String(c.ports.grpc),
        '--authorization-mode', 'Node,RBAC', '--token-auth-file', tokenFileOf(c), '--enable-bootstrap-token-auth',
        '--kubelet-client-certificate', join(pki, 'apiserver-kubelet-client.crt'), '--kubelet-client-key', join(pki, 'apiserver-kubelet-client.key'),
        '--kubelet-certificate-authority', join(pki, 'ca.crt'),
        '--service-cluster-ip-range', c.serviceCIDR, `--v=${o.v}`],
    },
    { component: 'scheduler', command: node, log: join(c.dir, 'logs', 'scheduler.log'), args: [join(DIST, 'scheduler', 'main.js'), ...common('kube-scheduler'), '--leader-elect'] },
    {
      component: 'controller-manager', command: node, log: join(c.dir, 'logs', 'controller-manager.log'),
      args: [join(DIST, 'controller-manager', 'main.js'), ...common('kube-controller-manager'), '--leader-elect', '--cluster-cidr', c.clusterCIDR,
        '--root-ca-file', join(pki, 'ca.crt'), '--cluster-signing-cert-file', join(pki, 'ca.crt'), '--cluster-signing-key-file', join(pki, 'ca.key'), '--use-service-account-credentials', '--service-account-private-key-file', join(pki, 'sa.key'),
        ...(o.fastFailover ? ['--node-monitor-grace-period', '10s', '--pod-eviction-timeout', '10s'] : [])],
    },
  ];
}

/** What a node's four processes need to know (shared by `kubesim up` and `kubesim join`). */
export interface NodeProcessParams {
  nodeName: string;
  nodeIp: string;
  /** The node's state dir (run/, runtime/, kubelet/, pods/). */
  dir: string;
  /** Where the components' logs go (<logDir>/<component>.log). */
  logDir: string;
  /** The node's network namespace when the processes must join one. */
  netns?: string;
  iface: string;
  etcd: string;
  apiURL: string;
  grpcServer: string;
  clusterCidr: string;
  clusterDns: string;
  netnsPrefix: string;
  cgroupPrefix: string;
  v: number;
  /** etcd's CA and flanneld's client certificate (https etcd). */
  etcdTls?: EtcdTlsFiles;
  /** Extra flanneld flags (e.g. --ip-masq, --healthz-ip). */
  flannelArgs?: string[];
  /** Extra kubelet flags (e.g. a shorter node Lease with --fast-failover). */
  kubeletArgs?: string[];
  /** kubeconfig for kube-proxy (and the kubelet when kubeletKubeconfig is not given). */
  kubeconfig?: string;
  /** The kubelet's own kubeconfig (system:node:<name>). */
  kubeletKubeconfig?: string;
  /** The kubelet server's certificate and the CA of the clients it accepts (the apiserver's). */
  kubeletTls?: Pick<NodeCredentials, 'tlsCertFile' | 'tlsKeyFile' | 'clientCAFile'>;
  /** TLS bootstrapping: the kubelet asks for its client certificate with this bootstrap kubeconfig, keeps it in certDir and rotates it. */
  kubeletBootstrap?: NodeCredentials['bootstrap'];
}

/** A node's processes, flanneld first (the others need its subnet.env). */
export function nodeProcessSpecs(p: NodeProcessParams): StartSpec[] {
  const subnetFile = join(p.dir, 'run', 'flannel', 'subnet.env');
  const criSocket = join(p.dir, 'run', 'runtime.sock');
  const podLogs = join(p.dir, 'pods');
  const client = ['--master', p.apiURL, '--grpc-server', p.grpcServer];
  const kubeletKc = p.kubeletKubeconfig ?? p.kubeconfig;
  const etcdTls = p.etcdTls?.caFile ? ['--etcd-cafile', p.etcdTls.caFile, ...(p.etcdTls.certFile && p.etcdTls.keyFile ? ['--etcd-certfile', p.etcdTls.certFile, '--etcd-keyfile', p.etcdTls.keyFile] : [])] : [];
  const tls = p.kubeletTls ? ['--tls-cert-file', p.kubeletTls.tlsCertFile, '--tls-private-key-file', p.kubeletTls.tlsKeyFile, '--client-ca-file', p.kubeletTls.clientCAFile] : [];
  const bootstrap = p.kubeletBootstrap ? ['--bootstrap-kubeconfig', p.kubeletBootstrap.kubeconfig, '--cert-dir', p.kubeletBootstrap.certDir, '--rotate-certificates'] : [];
  const spec = (component: string, script: string[], args: string[]): StartSpec => ({
    node: p.nodeName, ...(p.netns ? { netns: p.netns } : {}), component, command: node, log: join(p.logDir, `${component}.log`), args: [join(DIST, ...script), ...args],
  });
  return [
    spec('flanneld', ['flanneld', 'main.js'], ['--etcd-endpoints', p.etcd, ...etcdTls, '--public-ip', p.nodeIp, '--iface', p.iface, '--subnet-file', subnetFile, ...(p.flannelArgs ?? [])]),
    spec('runtime', ['kubelet', 'runtime', 'main.js'], ['--listen', `unix://${criSocket}`, '--root-dir', join(p.dir, 'runtime'),
      '--log-root', podLogs, '--subnet-file', subnetFile, '--netns-prefix', p.netnsPrefix, '--cgroup-prefix', p.cgroupPrefix]),
    spec('kubelet', ['kubelet', 'main.js'], [...(kubeletKc ? ['--kubeconfig', kubeletKc] : []), ...bootstrap, ...client, ...tls, '--node-name', p.nodeName, '--node-ip', p.nodeIp, '--address', p.nodeIp,
      '--container-runtime-endpoint', `unix://${criSocket}`, '--root-dir', join(p.dir, 'kubelet'), '--pod-log-root', podLogs,
      '--cluster-dns', p.clusterDns, '--cluster-domain', 'cluster.local', '--flannel-subnet-file', subnetFile, `--v=${p.v}`, ...(p.kubeletArgs ?? [])]),
    spec('kube-proxy', ['kube-proxy', 'main.js'], [...(p.kubeconfig ? ['--kubeconfig', p.kubeconfig] : []), ...client,
      '--hostname-override', p.nodeName, '--cluster-cidr', p.clusterCidr, `--v=${p.v}`]),
  ];
}

/** Per-node processes of a local cluster, each inside the node's network namespace; `creds` from ensureNodeCredentials. */
export function nodeSpecs(c: ClusterLayout, n: NodeLayout, o: ClusterOptions, creds: NodeCredentials): StartSpec[] {
  const { kubeconfig: kubeletKubeconfig, tlsCertFile, tlsKeyFile, clientCAFile } = creds;
  const kubeletTls = { tlsCertFile, tlsKeyFile, clientCAFile };
  return nodeProcessSpecs({
    nodeName: n.name, nodeIp: n.underlayIP, dir: n.dir, logDir: join(c.dir, 'logs', n.name), netns: n.netns, iface: 'eth0',
    kubeconfig: kubeconfigOf(c, 'kube-proxy'), kubeletKubeconfig, kubeletTls, kubeletBootstrap: creds.bootstrap,
    etcd: etcdURL(c, o), etcdTls: flanneldEtcdTls(c), apiURL: secureURL(c), grpcServer: grpcAddr(c), clusterCidr: c.clusterCIDR, clusterDns: c.dnsIP,
    netnsPrefix: `${n.netns}-`, cgroupPrefix: `kubesim-${c.name}-${n.name}`, v: o.v,
    flannelArgs: ['--ip-masq', '--healthz-ip', n.underlayIP, '--healthz-port', String(FLANNEL_HEALTHZ_PORT)],
    // A 10 s grace period (--fast-failover) needs renewals well within it: Kubernetes renews every
    // quarter of the Lease, so a 10 s Lease gives four per grace period, as 40 s does for 40 s.
    // With the default 40 s Lease (a renewal every 10 s) one late renewal marks the node NotReady.
    ...(o.fastFailover ? { kubeletArgs: ['--node-lease-duration-seconds', '10'] } : {}),
  });
}

/** etcd's CA and flanneld's client certificate in cluster c's cert dir. */
export function flanneldEtcdTls(c: ClusterLayout): EtcdTlsFiles {
  const f = etcdPkiOf(c);
  return { caFile: f.ca, certFile: f.flanneldClient.cert, keyFile: f.flanneldClient.key };
}

/** The subnet.env flanneld writes for node n. */
export function subnetFileOf(n: NodeLayout): string { return join(n.dir, 'run', 'flannel', 'subnet.env'); }
