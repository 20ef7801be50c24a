/**
 * The registry's ServiceAllocation on the etcd allocators: a Service's ClusterIP, its NodePorts
 * (types NodePort and LoadBalancer) and healthCheckNodePort (LoadBalancer with
 * externalTrafficPolicy Local). Allocation errors become Kubernetes' 422 on the Service's field.
 */
import type { Namespace } from 'etcd3';
import type { KObject } from '../../lib/api/object.js';
import { invalid, isApiError } from '../../lib/errors.js';
import type { ServiceAllocation } from '../registry/context.js';
import { ClusterIPAllocator } from './cluster-ip.js';
import { NodePortAllocator } from './node-port.js';

interface ServicePort { port?: number; protocol?: string; nodePort?: number }
interface ServiceSpec {
  type?: string; clusterIP?: string; clusterIPs?: string[]; ports?: ServicePort[];
  healthCheckNodePort?: number; externalTrafficPolicy?: string; allocateLoadBalancerNodePorts?: boolean;
}

const specOf = (svc: KObject): ServiceSpec => (svc.spec ??= {}) as ServiceSpec;
const nameOf = (svc: KObject): string => svc.metadata?.name ?? '';

/** True when the service gets a ClusterIP (not ExternalName, not headless). */
export function needsClusterIP(spec: ServiceSpec): boolean {
  return (spec.type ?? 'ClusterIP') !== 'ExternalName' && spec.clusterIP !== 'None';
}

/** True when the service type has node ports at all (requested ones are honoured). */
function usesNodePorts(spec: ServiceSpec): boolean {
  return spec.type === 'NodePort' || spec.type === 'LoadBalancer';
}

/** True when ports without a nodePort get one allocated. */
export function needsNodePorts(spec: ServiceSpec): boolean {
  return spec.type === 'NodePort' || (spec.type === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts !== false);
}

/** True when the service gets a healthCheckNodePort. */
export function needsHealthCheckPort(spec: ServiceSpec): boolean {
  return spec.type === 'LoadBalancer' && spec.externalTrafficPolicy === 'Local';
}

/** Every node port a service holds. */
function heldPorts(spec: ServiceSpec): Set<number> {
  const out = new Set<number>();
  if (usesNodePorts(spec)) for (const p of spec.ports ?? []) if (p.nodePort) out.add(p.nodePort);
  if (needsHealthCheckPort(spec) && spec.healthCheckNodePort) out.add(spec.healthCheckNodePort);
  return out;
}

/** What one allocation round took, so a failed write can give it back. */
class Taken {
  readonly ips: string[] = [];
  readonly ports: number[] = [];
  constructor(private readonly alloc: EtcdServiceAllocation) {}
  async undo(): Promise<void> {
    await Promise.all([...this.ips.map((ip) => this.alloc.ips.release(ip)), ...this.ports.map((p) => this.alloc.ports.release(p))]);
  }
}

/** ServiceAllocation backed by ClusterIPAllocator and NodePortAllocator. */
export class EtcdServiceAllocation implements ServiceAllocation {
  constructor(readonly ips: ClusterIPAllocator, readonly ports: NodePortAllocator) {}

  /** Allocators for `--service-cluster-ip-range` and `--service-node-port-range` under `prefix`. */
  static create(client: Namespace, opts: { prefix?: string; serviceClusterIPRange?: string; serviceNodePortRange?: string } = {}): EtcdServiceAllocation {
    return new EtcdServiceAllocation(
      new ClusterIPAllocator(client, opts.serviceClusterIPRange ?? '10.96.0.0/12', { prefix: opts.prefix }),
      new NodePortAllocator(client, opts.serviceNodePortRange ?? '30000-32767', { prefix: opts.prefix }),
    );
  }

  async allocate(svc: KObject, dryRun: boolean): Promise<() => Promise<void>> {
    const taken = new Taken(this);
    try {
      const spec = specOf(svc);
      if (needsClusterIP(spec)) await this.takeIP(svc, spec, taken);
      await this.takePorts(svc, spec, new Set(), taken);
    } catch (err) {
      await taken.undo();
      throw err;
    }
    // A dry run checks and fills the fields like a real create, then gives everything back.
    if (dryRun) await taken.undo();
    return dryRun ? async () => {} : () => taken.undo();
  }

  async update(svc: KObject, old: KObject, dryRun: boolean): Promise<{ undo(): Promise<void>; releaseOld(): Promise<void> }> {
    const spec = specOf(svc);
    const before = (old.spec ?? {}) as ServiceSpec;
    const taken = new Taken(this);
    try {
      if (needsClusterIP(spec) && (!spec.clusterIP || spec.clusterIP !== before.clusterIP)) await this.takeIP(svc, spec, taken);
      await this.takePorts(svc, spec, heldPorts(before), taken);
    } catch (err) {
      await taken.undo();
      throw err;
    }
    if (dryRun) await taken.undo();
    const keptIP = needsClusterIP(spec) ? spec.clusterIP : undefined;
    const keptPorts = heldPorts(spec);
    return {
      undo: dryRun ? async () => {} : () => taken.undo(),
      releaseOld: async () => {
        if (dryRun) return;
        if (needsClusterIP(before) && before.clusterIP && before.clusterIP !== keptIP) await this.ips.release(before.clusterIP);
        for (const p of heldPorts(before)) if (!keptPorts.has(p)) await this.ports.release(p);
      },
    };
  }

  async release(svc: KObject): Promise<void> {
    const spec = (svc.spec ?? {}) as ServiceSpec;
    for (const ip of spec.clusterIPs?.length ? spec.clusterIPs : [spec.clusterIP]) {
      if (ip && ip !== 'None' && this.ips.contains(ip)) await this.ips.release(ip);
    }
    for (const p of heldPorts(spec)) if (this.ports.contains(p)) await this.ports.release(p);
  }

  /** Start-up repair: frees addresses and ports no service holds (older than `graceMs`), claims missing ones. */
  async repair(services: Iterable<KObject>, opts: { graceMs?: number } = {}): Promise<void> {
    const ips: string[] = [];
    const ports: number[] = [];
    for (const svc of services) {
      const spec = (svc.spec ?? {}) as ServiceSpec;
      if (needsClusterIP(spec) && spec.clusterIP) ips.push(...(spec.clusterIPs?.length ? spec.clusterIPs : [spec.clusterIP]));
      ports.push(...heldPorts(spec));
    }
    await this.ips.repair(ips, opts);
    await this.ports.repair(ports, opts);
  }

  private async takeIP(svc: KObject, spec: ServiceSpec, taken: Taken): Promise<void> {
    const requested = spec.clusterIP || spec.clusterIPs?.[0] || undefined;
    try {
      const ip = await this.ips.allocate(requested);
      taken.ips.push(ip);
      spec.clusterIP = ip;
      spec.clusterIPs = [ip];
    } catch (err) {
      if (!isApiError(err, 'Invalid')) throw err;
      throw invalid('Service', nameOf(svc), [{ type: 'FieldValueInvalid', field: 'spec.clusterIPs', value: [requested], message: err.message }]);
    }
  }

  /** Allocates node ports this spec needs and `held` does not cover (same port for TCP and UDP is one allocation). */
  private async takePorts(svc: KObject, spec: ServiceSpec, held: Set<number>, taken: Taken): Promise<void> {
    const mine = new Set(held);
    const take = async (field: string, requested: number | undefined): Promise<number> => {
      if (requested && mine.has(requested)) return requested;
      try {
        const port = await this.ports.allocate(requested);
        taken.ports.push(port);
        mine.add(port);
        return port;
      } catch (err) {
        if (!isApiError(err, 'Invalid')) throw err;
        throw invalid('Service', nameOf(svc), [{ type: 'FieldValueInvalid', field, value: requested, message: err.message }]);
      }
    };
    if (usesNodePorts(spec)) {
      for (const [i, p] of (spec.ports ?? []).entries()) {
        if (p.nodePort || needsNodePorts(spec)) p.nodePort = await take(`spec.ports[${i}].nodePort`, p.nodePort || undefined);
      }
    }
    if (needsHealthCheckPort(spec)) spec.healthCheckNodePort = await take('spec.healthCheckNodePort', spec.healthCheckNodePort || undefined);
  }
}
