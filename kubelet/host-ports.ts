/**
 * hostPort (`containers[].ports[].hostPort`): the node forwards its port to the pod, as the CNI
 * portmap plugin does with DNAT — here in userspace with kube-proxy's TCP proxy (one listener
 * per host port, the pod as its only endpoint). TCP only; a UDP hostPort is logged and skipped.
 * Level-triggered: sync() is given every pod and converges the listeners.
 */
import type { Pod } from '../lib/api/types.js';
import { LoadBalancer } from '../kube-proxy/load-balancer.js';
import { ProxyMetrics } from '../kube-proxy/metrics.js';
import type { ServicePortInfo } from '../kube-proxy/service-port.js';
import { TcpListener } from '../kube-proxy/tcp-proxy.js';
import type { Logger } from './runtime/log.js';

/** One forwarded port: where the node listens, where the pod serves. */
export interface HostPortMapping { key: string; hostIP: string; hostPort: number; podIP: string; containerPort: number; pod: string }

/** The mappings running pods ask for (`defaultHostIP` when a port names no hostIP). */
export function hostPortMappings(pods: Pod[], defaultHostIP: string): HostPortMapping[] {
  const out: HostPortMapping[] = [];
  for (const pod of pods) {
    const podIP = pod.status?.podIP;
    if (!podIP || pod.spec?.hostNetwork || pod.metadata?.deletionTimestamp || pod.status?.phase !== 'Running') continue;
    for (const c of pod.spec?.containers ?? []) {
      for (const p of c.ports ?? []) {
        if (!p.hostPort || (p.protocol ?? 'TCP') !== 'TCP') continue;
        const hostIP = p.hostIP || defaultHostIP;
        out.push({ key: `${hostIP}:${p.hostPort}/TCP`, hostIP, hostPort: p.hostPort, podIP, containerPort: p.containerPort!, pod: `${pod.metadata!.namespace}/${pod.metadata!.name}` });
      }
    }
  }
  return out;
}

interface Active { mapping: HostPortMapping; listener: TcpListener; lb: LoadBalancer }

/** Keeps one TCP listener per host port of the node's running pods. */
export class HostPorts {
  private readonly active = new Map<string, Active>();
  private readonly metrics = new ProxyMetrics();

  constructor(private readonly nodeName: string, private readonly defaultHostIP: string, private readonly log: Logger) {}

  /** Opens, retargets and closes listeners to match the pods; a busy port is retried next time. */
  async sync(pods: Pod[]): Promise<void> {
    const want = new Map<string, HostPortMapping>();
    for (const m of hostPortMappings(pods, this.defaultHostIP)) if (!want.has(m.key)) want.set(m.key, m); // first pod wins, as the scheduler prevents two
    for (const [key, a] of this.active) if (!want.has(key)) { a.listener.destroy(); this.active.delete(key); this.log.info('hostPort closed', { port: key, pod: a.mapping.pod }); }
    for (const [key, m] of want) {
      const a = this.active.get(key);
      if (a) { a.mapping = m; a.lb.update(this.portInfo(m), [{ ip: m.podIP, port: m.containerPort, nodeName: this.nodeName }]); continue; }
      const lb = new LoadBalancer(this.portInfo(m), this.nodeName);
      lb.update(this.portInfo(m), [{ ip: m.podIP, port: m.containerPort, nodeName: this.nodeName }]);
      const listener = new TcpListener({ key, host: m.hostIP, port: m.hostPort, kind: 'external', lb: () => lb, metrics: this.metrics });
      try {
        await listener.listen();
        this.active.set(key, { mapping: m, listener, lb });
        this.log.info('hostPort open', { port: key, pod: m.pod, target: `${m.podIP}:${m.containerPort}` });
      } catch (err) {
        this.log.warn('hostPort listen failed', { port: key, pod: m.pod, err: (err as Error).message });
      }
    }
  }

  /** Closes every listener (kubelet shutdown). */
  close(): void {
    for (const a of this.active.values()) a.listener.destroy();
    this.active.clear();
  }

  private portInfo(m: HostPortMapping): ServicePortInfo {
    return {
      key: m.key, namespace: m.pod.split('/')[0], name: m.pod.split('/')[1], portName: String(m.hostPort), protocol: 'TCP', port: m.hostPort,
      nodePort: 0, externalIPs: [], loadBalancerIPs: [], affinitySeconds: 0, externalLocal: false, internalLocal: false, healthCheckNodePort: 0,
    };
  }
}
