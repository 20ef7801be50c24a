/**
 * Service LoadBalancer (as MetalLB's layer-2 controller does on bare metal): every Service of type
 * LoadBalancer gets `status.loadBalancer.ingress[{ip}]` from a pool (--load-balancer-ip-range);
 * `spec.loadBalancerIP` is honoured when it is in the pool and free. The IP is released when the
 * Service is deleted or stops being a LoadBalancer. Who holds what is rebuilt from the Services'
 * status (level-triggered); one worker allocates, so two Services never get the same IP.
 */
import ipaddr from 'ipaddr.js';
import type { Service } from '../../lib/api/types.js';
import type { ApiClient } from '../../lib/client/api-client.js';
import type { SharedInformer } from '../../lib/client/informer.js';
import { keyOf, splitKey } from '../../lib/client/indexer.js';
import { WorkQueue, runWorkers } from '../../lib/client/workqueue.js';
import { clientLog } from '../../lib/client/log.js';
import { isApiError } from '../../lib/errors.js';
import type { InformerFactory } from '../../lib/client/informer.js';
import type { Recorder } from '../recorder.js';

/** The default pool: the top of the local underlay. */
export const DEFAULT_LB_RANGE = '10.200.0.200-10.200.0.250';

/** An IPv4 pool `first-last` (or a CIDR). */
export class IpPool {
  readonly first: number;
  readonly last: number;

  constructor(range: string) {
    const toNum = (s: string) => {
      if (!ipaddr.IPv4.isValidFourPartDecimal(s)) throw new Error(`--load-balancer-ip-range: "${s}" is not an IPv4 address`);
      return ipaddr.IPv4.parse(s).toByteArray().reduce((n, b) => n * 256 + b, 0);
    };
    if (range.includes('/')) {
      const [, bits] = ipaddr.IPv4.parseCIDR(range);
      const base = toNum(ipaddr.IPv4.networkAddressFromCIDR(range).toString());
      this.first = base + 1;
      this.last = base + 2 ** (32 - bits) - 2;
    } else {
      const [a, b] = range.split('-').map((s) => s.trim());
      this.first = toNum(a);
      this.last = toNum(b ?? a);
    }
    if (this.last < this.first) throw new Error(`--load-balancer-ip-range: "${range}" is empty`);
  }

  /** True when ip is inside the pool. */
  contains(ip: string): boolean {
    if (!ipaddr.IPv4.isValidFourPartDecimal(ip)) return false;
    const n = ipaddr.IPv4.parse(ip).toByteArray().reduce((x, b) => x * 256 + b, 0);
    return n >= this.first && n <= this.last;
  }

  /** The lowest address not in `used`, or undefined when the pool is exhausted. */
  next(used: Set<string>): string | undefined {
    for (let n = this.first; n <= this.last; n++) {
      const ip = [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
      if (!used.has(ip)) return ip;
    }
    return undefined;
  }
}

function ingressIP(s: Service): string | undefined {
  return s.status?.loadBalancer?.ingress?.[0]?.ip;
}

/** The LoadBalancer IP allocator. */
export class ServiceLBController {
  readonly queue = new WorkQueue({ name: 'service-lb' });
  private readonly services: SharedInformer<Service>;
  private readonly pool: IpPool;
  /** IPs this controller has handed out, by service key, ahead of the cache. */
  private readonly held = new Map<string, string>();

  constructor(informers: InformerFactory, private readonly client: ApiClient, private readonly recorder: Recorder, range = DEFAULT_LB_RANGE) {
    this.pool = new IpPool(range);
    this.services = informers.informerFor<Service>({ resource: 'services' });
    this.services.addEventHandler({
      onAdd: (s) => this.observe(s),
      onUpdate: (_o, s) => this.observe(s),
      onDelete: (s) => { this.held.delete(keyOf(s)); this.requeueWaiting(); },
    });
  }

  private observe(s: Service): void {
    const ip = ingressIP(s);
    if (s.spec?.type === 'LoadBalancer' && ip && this.pool.contains(ip)) this.held.set(keyOf(s), ip);
    this.queue.add(keyOf(s));
  }

  /** Services still waiting for an IP get another try (one was freed). */
  private requeueWaiting(): void {
    for (const s of this.services.lister.list()) if (s.spec?.type === 'LoadBalancer' && !ingressIP(s)) this.queue.add(keyOf(s));
  }

  /** Runs one allocating worker until signal aborts (one on purpose: allocation is serial). */
  run(_workers: number, signal: AbortSignal): Promise<void> {
    return runWorkers(this.queue, 1, (k) => this.sync(k), signal, (key, err) => clientLog('warn', 'service lb sync failed', { key, error: (err as Error).message }));
  }

  /** Converges one Service's load balancer status. */
  async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const svc = this.services.lister.get(namespace, name);
    if (!svc) { this.held.delete(key); return; }
    const cur = ingressIP(svc);
    if (svc.spec?.type !== 'LoadBalancer') {
      if (this.held.delete(key) || (cur && this.pool.contains(cur))) {
        await this.writeIngress(svc, undefined);
        this.requeueWaiting();
      }
      return;
    }
    const wanted = svc.spec.loadBalancerIP;
    if (cur && this.pool.contains(cur) && (!wanted || wanted === cur) && this.ownerOf(cur) === key) return;
    const used = new Set([...this.held].filter(([k]) => k !== key).map(([, ip]) => ip));
    let ip: string | undefined;
    if (wanted) {
      if (!this.pool.contains(wanted) || used.has(wanted)) {
        this.recorder.event(svc, 'Warning', 'AllocationFailed', `Failed to allocate IP for "${key}": "${wanted}" is not allowed in config or already in use`);
        return;
      }
      ip = wanted;
    } else {
      ip = this.pool.next(used);
      if (!ip) {
        this.recorder.event(svc, 'Warning', 'AllocationFailed', `Failed to allocate IP for "${key}": no available IPs`);
        return;
      }
    }
    this.held.set(key, ip);
    await this.writeIngress(svc, ip);
    clientLog('info', 'assigned load balancer IP', { service: key, ip });
    this.recorder.event(svc, 'Normal', 'IPAllocated', `Assigned IP ["${ip}"]`);
  }

  private ownerOf(ip: string): string | undefined {
    for (const [k, v] of this.held) if (v === ip) return k;
    return undefined;
  }

  private async writeIngress(svc: Service, ip: string | undefined): Promise<void> {
    const next = structuredClone(svc);
    next.status = { ...next.status, loadBalancer: ip ? { ingress: [{ ip, ipMode: 'VIP' }] } : {} };
    await this.client.updateStatus({ resource: 'services', namespace: svc.metadata!.namespace! }, next).catch((err) => {
      if (!isApiError(err, 'NotFound')) throw err;
    });
  }
}
