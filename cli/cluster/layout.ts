/**
 * Where a local cluster lives: its state dir, address plan and ports. Everything `kubesim up`
 * creates is named from here so `kubesim down` can find and remove it again.
 */
import { join } from 'node:path';

/** Root of all local clusters' state. */
export const STATE_ROOT = process.env.KUBESIM_STATE_ROOT ?? '/var/lib/kubesim';

export interface NodeLayout {
  name: string;          // Kubernetes node name, e.g. node-1
  netns: string;         // network namespace, e.g. ksim-kubesim-node-1
  hostVeth: string;      // veth end on the underlay bridge (root namespace)
  underlayIP: string;    // the node's InternalIP, e.g. 10.200.0.11
  dir: string;           // node state dir (runtime root, subnet.env, pod logs)
}

export interface ClusterLayout {
  name: string;
  index: number;         // 0 for the default cluster; others get their own /24 and port block
  dir: string;
  bridge: string;
  hostIP: string;        // 10.200.<index>.1
  underlayCIDR: string;  // 10.200.<index>.0/24
  ports: { etcdClient: number; etcdPeer: number; apiserver: number; grpc: number; secure: number };
  kubeconfig: string;
  clusterCIDR: string;
  serviceCIDR: string;
  dnsIP: string;
}

/** The layout of cluster `name` at slot `index`. */
export function clusterLayout(name: string, index: number): ClusterLayout {
  const dir = join(STATE_ROOT, name);
  const offset = index * 100;
  return {
    name,
    index,
    dir,
    bridge: index === 0 ? 'kubesim0' : `kubesim${index}`,
    hostIP: `10.200.${index}.1`,
    underlayCIDR: `10.200.${index}.0/24`,
    ports: { etcdClient: 2379 + offset, etcdPeer: 2380 + offset, apiserver: 8080 + offset, grpc: 8081 + offset, secure: 6443 + offset },
    kubeconfig: join(dir, 'kubeconfig'),
    clusterCIDR: '10.244.0.0/16',
    serviceCIDR: '10.96.0.0/12',
    dnsIP: '10.96.0.10',
  };
}

/** The layout of node number `i` (1-based) of a cluster. */
export function nodeLayout(c: ClusterLayout, i: number, name = `node-${i}`): NodeLayout {
  return {
    name,
    netns: `ksim-${c.name}-${name}`,
    hostVeth: `ks${c.index}-${name.replace(/^node-/, 'n')}`.slice(0, 15),
    underlayIP: `10.200.${c.index}.${10 + i}`,
    dir: join(c.dir, 'nodes', name),
  };
}
