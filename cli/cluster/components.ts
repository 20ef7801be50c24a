/**
 * The command lines of every process of a local cluster. Flags use the real components' names.
 */
import { join } from 'node:path';
import type { ClusterLayout, NodeLayout } from './layout.js';
import type { StartSpec } from './supervisor.js';

/** dist/ of this installation (cli/cluster/components.js lives in dist/cli/cluster/). */
export const DIST = join(import.meta.dirname, '..', '..');

const node = process.execPath;

/** Where each node's flanneld serves /healthz, /metrics and /chaos (on the node's underlay address). */
export const FLANNEL_HEALTHZ_PORT = 8471;

export interface ClusterOptions { backend: string; fastFailover: boolean; v: number }

/** etcd for the cluster, listening on loopback and the underlay host address. */
export function etcdSpec(c: ClusterLayout): StartSpec {
  const client = `http://127.0.0.1:${c.ports.etcdClient},http://${c.hostIP}:${c.ports.etcdClient}`;
  const peer = `http://127.0.0.1:${c.ports.etcdPeer}`;
  return {
    component: 'etcd',
    command: 'etcd',
    args: ['--name', c.name, '--data-dir', join(c.dir, 'etcd'), '--listen-client-urls', client,
      '--advertise-client-urls', `http://${c.hostIP}:${c.ports.etcdClient}`, '--listen-peer-urls', peer,
      '--initial-advertise-peer-urls', peer, '--initial-cluster', `${c.name}=${peer}`, '--log-level', 'warn', '--logger', 'zap'],
    log: join(c.dir, 'logs', 'etcd.log'),
  };
}

/** The etcd URL components on nodes use. */
export function etcdURL(c: ClusterLayout): string { return `http://${c.hostIP}:${c.ports.etcdClient}`; }
/** The REST URL of the apiserver as nodes see it. */
export function apiURL(c: ClusterLayout): string { return `http://${c.hostIP}:${c.ports.apiserver}`; }
/** The gRPC address of the apiserver as nodes see it. */
export function grpcAddr(c: ClusterLayout): string { return `${c.hostIP}:${c.ports.grpc}`; }

/** Control-plane processes (host namespace). */
export function controlPlaneSpecs(c: ClusterLayout, o: ClusterOptions): StartSpec[] {
  const common = ['--master', apiURL(c), '--grpc-server', grpcAddr(c), `--v=${o.v}`];
  return [
    {
      component: 'apiserver', command: node, log: join(c.dir, 'logs', 'apiserver.log'),
      args: [join(DIST, 'apiserver', 'main.js'), '--etcd-servers', `http://127.0.0.1:${c.ports.etcdClient}`,
        '--bind-address', c.hostIP, '--port', String(c.ports.apiserver), '--grpc-port', String(c.ports.grpc),
        '--service-cluster-ip-range', c.serviceCIDR, `--v=${o.v}`],
    },
    { component: 'scheduler', command: node, log: join(c.dir, 'logs', 'scheduler.log'), args: [join(DIST, 'scheduler', 'main.js'), ...common, '--leader-elect'] },
    {
      component: 'controller-manager', command: node, log: join(c.dir, 'logs', 'controller-manager.log'),
      args: [join(DIST, 'controller-manager', 'main.js'), ...common, '--leader-elect', '--cluster-cidr', c.clusterCIDR,
        ...(o.fastFailover ? ['--node-monitor-grace-period', '10s', '--pod-eviction-timeout', '10s'] : [])],
    },
  ];
}

/** Per-node processes, each inside the node's network namespace (flanneld first: the others need its subnet.env). */
export function nodeSpecs(c: ClusterLayout, n: NodeLayout, o: ClusterOptions): StartSpec[] {
  const subnetFile = join(n.dir, 'run', 'flannel', 'subnet.env');
  const criSocket = join(n.dir, 'run', 'runtime.sock');
  const podLogs = join(n.dir, 'pods');
  const logs = (comp: string) => join(c.dir, 'logs', n.name, `${comp}.log`);
  const base = { node: n.name, netns: n.netns };
  return [
    {
      ...base, component: 'flanneld', command: node, log: logs('flanneld'),
      args: [join(DIST, 'flanneld', 'main.js'), '--etcd-endpoints', etcdURL(c), '--public-ip', n.underlayIP,
        '--iface', 'eth0', '--subnet-file', subnetFile, '--ip-masq', '--healthz-ip', n.underlayIP, '--healthz-port', String(FLANNEL_HEALTHZ_PORT)],
    },
    {
      ...base, component: 'runtime', command: node, log: logs('runtime'),
      args: [join(DIST, 'kubelet', 'runtime', 'main.js'), '--listen', `unix://${criSocket}`, '--root-dir', join(n.dir, 'runtime'),
        '--log-root', podLogs, '--subnet-file', subnetFile, '--netns-prefix', `${n.netns}-`, '--cgroup-prefix', `kubesim-${c.name}-${n.name}`],
    },
    {
      ...base, component: 'kubelet', command: node, log: logs('kubelet'),
      args: [join(DIST, 'kubelet', 'main.js'), '--master', apiURL(c), '--grpc-server', grpcAddr(c), '--node-name', n.name,
        '--node-ip', n.underlayIP, '--address', n.underlayIP, '--container-runtime-endpoint', `unix://${criSocket}`, '--root-dir', join(n.dir, 'kubelet'),
        '--pod-log-root', podLogs, '--cluster-dns', c.dnsIP, '--cluster-domain', 'cluster.local', '--flannel-subnet-file', subnetFile, `--v=${o.v}`],
    },
    {
      ...base, component: 'kube-proxy', command: node, log: logs('kube-proxy'),
      args: [join(DIST, 'kube-proxy', 'main.js'), '--master', apiURL(c), '--grpc-server', grpcAddr(c), '--hostname-override', n.name,
        '--cluster-cidr', c.clusterCIDR, `--v=${o.v}`],
    },
  ];
}

/** The subnet.env flanneld writes for node n. */
export function subnetFileOf(n: NodeLayout): string { return join(n.dir, 'run', 'flannel', 'subnet.env'); }
