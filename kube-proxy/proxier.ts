/**
 * The userspace proxier: turns the change trackers' pending changes into listeners and service
 * addresses. One sync drains every pending change and touches only the service ports named in
 * them (O(changed)); syncs never overlap, and a burst of events during a sync becomes one more
 * sync. Traffic is never blocked: listeners and load balancers are swapped in place.
 */
import type { Endpoints, Service } from '../lib/api/types.js';
import { applyChanges } from './change-tracker.js';
import { sameEndpoints, type EndpointInfo, type TrafficKind } from './endpoints.js';
import { EndpointsChangeTracker } from './endpoints-change-tracker.js';
import { LoadBalancer } from './load-balancer.js';
import { log } from './log.js';
import { ProxyMetrics } from './metrics.js';
import { ServiceChangeTracker } from './service-change-tracker.js';
import { ServiceHealthServers } from './service-health.js';
import { ServiceIPInterface } from './service-ip-interface.js';
import { ensureSysctls } from './sysctl.js';
import { samePort, type ServicePortInfo } from './service-port.js';
import { TcpListener } from './tcp-proxy.js';
import { UdpListener } from './udp-proxy.js';

/** Settings of a Proxier. */
export interface ProxierOptions {
  /** This node's name (for traffic policy Local). */
  nodeName: string;
  /** Addresses NodePorts bind to (default ['0.0.0.0']: every address of the node). */
  nodePortAddresses?: string[];
  /** The service address interface (default kube-ipvs0). */
  iface?: ServiceIPInterface;
  udpIdleTimeoutMs?: number;
  connectTimeoutMs?: number;
  /** How soon a listener that could not bind is tried again. */
  bindRetryMs?: number;
  metrics?: ProxyMetrics;
  /** Set kube-proxy's sysctls in this network namespace on start (default true; see sysctl.ts). */
  sysctls?: boolean;
}

interface Listener { id: string; ip: string; onInterface: boolean; sock: TcpListener | UdpListener }

interface PortState { info: ServicePortInfo; lb: LoadBalancer; listeners: Map<string, Listener> }

/** Result of one sync. */
export interface SyncResult { touched: number; durationMs: number }

/** Userspace kube-proxy: feed it Service/Endpoints events, it keeps the data plane matching them. */
export class Proxier {
  readonly services = new ServiceChangeTracker();
  readonly endpoints = new EndpointsChangeTracker();
  readonly metrics: ProxyMetrics;
  readonly iface: ServiceIPInterface;
  private readonly serviceMap = new Map<string, ServicePortInfo>();
  private readonly endpointsMap = new Map<string, EndpointInfo[]>();
  private readonly ports = new Map<string, PortState>();
  /** How many listeners use each interface address. */
  private readonly addrRefs = new Map<string, number>();
  private syncing?: Promise<void>;
  private again = false;
  private initialized = false;
  private lastSync: SyncResult = { touched: 0, durationMs: 0 };
  private readonly syncWaiters: (() => void)[] = [];
  private readonly retryKeys = new Set<string>();
  private retryTimer?: NodeJS.Timeout;
  private readonly retryMs: number;
  private readonly health = new ServiceHealthServers();

  constructor(private readonly o: ProxierOptions) {
    this.metrics = o.metrics ?? new ProxyMetrics();
    this.iface = o.iface ?? new ServiceIPInterface();
    this.retryMs = o.bindRetryMs ?? 5000;
  }

  private scheduleRetry(key: string): void {
    this.retryKeys.add(key);
    if (this.retryTimer || !this.initialized) return;
    this.retryTimer = setTimeout(() => { this.retryTimer = undefined; if (this.initialized) this.requestSync(); }, this.retryMs);
    this.retryTimer.unref();
  }

  /** Informer handlers for Services. */
  onService = { onAdd: (s: Service) => this.changed(this.services.onAdd(s)), onUpdate: (a: Service, b: Service) => this.changed(this.services.onUpdate(a, b)), onDelete: (s: Service) => this.changed(this.services.onDelete(s)) };
  /** Informer handlers for Endpoints. */
  onEndpoints = { onAdd: (e: Endpoints) => this.changed(this.endpoints.onAdd(e)), onUpdate: (a: Endpoints, b: Endpoints) => this.changed(this.endpoints.onUpdate(a, b)), onDelete: (e: Endpoints) => this.changed(this.endpoints.onDelete(e)) };

  private changed(pending: boolean): void { if (pending && this.initialized) this.requestSync(); }

  /** Creates the interface and runs the first full sync, removing stale addresses left by a previous run. */
  async start(): Promise<void> {
    await this.iface.ensure();
    if (this.o.sysctls ?? true) ensureSysctls();
    this.initialized = true;
    await this.syncNow();
    const wanted = new Set(this.addrRefs.keys());
    const stale = (await this.iface.list()).filter((ip) => !wanted.has(ip));
    if (stale.length) {
      log('info', 'removing stale service addresses', { count: stale.length });
      await this.iface.apply([], stale);
    }
  }

  /** Schedules a sync (coalesced with any already pending). */
  requestSync(): void {
    if (this.syncing) { this.again = true; return; }
    this.syncing = this.loop();
  }

  /** Runs a sync now (after the one in progress) and resolves when the data plane matches the trackers. */
  async syncNow(): Promise<SyncResult> {
    // A sync in flight has already drained the trackers (draining is synchronous); only pending changes need another.
    if (!this.syncing || this.services.size || this.endpoints.size) this.requestSync();
    while (this.syncing) await this.syncing;
    return this.lastSync;
  }

  /** The last sync's size and duration. */
  lastSyncResult(): SyncResult { return this.lastSync; }

  /** Resolves after the next completed sync (tests, bench). */
  nextSync(): Promise<void> { return new Promise((r) => this.syncWaiters.push(r)); }

  private async loop(): Promise<void> {
    try {
      do {
        this.again = false;
        try { await this.syncOnce(); } catch (err) { log('error', 'sync failed', { error: (err as Error).message }); }
        for (const w of this.syncWaiters.splice(0)) w();
      } while (this.again);
    } finally {
      this.syncing = undefined;
    }
  }

  private async syncOnce(): Promise<void> {
    const t0 = performance.now();
    const touched = applyChanges(this.serviceMap, this.services.drain(), samePort);
    // Ports whose listener could not bind (e.g. a NodePort someone else holds) are tried again.
    for (const k of this.retryKeys) touched.add(k);
    this.retryKeys.clear();
    for (const k of applyChanges(this.endpointsMap, this.endpoints.drain(), sameEndpoints)) touched.add(k);
    const addAddrs = new Set<string>();
    const dropAddrs = new Set<string>();
    const opens: Array<() => Promise<void>> = [];
    for (const key of touched) this.syncPort(key, addAddrs, dropAddrs, opens);
    // Addresses must exist before a listener can bind to them.
    // An address that cannot be added shows up as a listener that cannot bind (and is retried);
    // the rest of the sync goes on either way.
    await this.iface.apply([...addAddrs].filter((ip) => !dropAddrs.has(ip)), [])
      .catch((err: Error) => log('error', 'cannot add service addresses', { error: err.message }));
    await Promise.all(opens.map((open) => open()));
    await this.iface.apply([], [...dropAddrs].filter((ip) => !this.addrRefs.has(ip)))
      .catch((err: Error) => log('error', 'cannot remove service addresses', { error: err.message }));
    this.metrics.servicePorts.set(this.ports.size);
    const durationMs = performance.now() - t0;
    this.metrics.syncDuration.observe(durationMs / 1000);
    this.lastSync = { touched: touched.size, durationMs };
    if (touched.size) log('debug', 'synced', { servicePorts: touched.size, ms: durationMs.toFixed(2) });
  }

  /** Converges one service port: its load balancer, then its listeners. */
  private syncPort(key: string, addAddrs: Set<string>, dropAddrs: Set<string>, opens: Array<() => Promise<void>>): void {
    const info = this.serviceMap.get(key);
    let st = this.ports.get(key);
    if (!info) {
      if (st) {
        for (const l of st.listeners.values()) this.closeListener(l, dropAddrs);
        st.lb.dispose();
        this.ports.delete(key);
        if (st.info.healthCheckNodePort) this.health.update(st.info.healthCheckNodePort, st.info.namespace, st.info.name, key, undefined);
      }
      return;
    }
    if (!st) {
      st = { info, lb: new LoadBalancer(info, this.o.nodeName), listeners: new Map() };
      this.ports.set(key, st);
    }
    if (st.info.healthCheckNodePort && st.info.healthCheckNodePort !== info.healthCheckNodePort) {
      this.health.update(st.info.healthCheckNodePort, info.namespace, info.name, key, undefined);
    }
    st.info = info;
    st.lb.update(info, this.endpointsMap.get(key) ?? []);
    if (info.healthCheckNodePort) this.health.update(info.healthCheckNodePort, info.namespace, info.name, key, st.lb.size('external'));
    const wanted = this.wantedListeners(info);
    for (const [id, l] of st.listeners) {
      if (!wanted.has(id)) { this.closeListener(l, dropAddrs); st.listeners.delete(id); }
    }
    for (const [id, w] of wanted) {
      if (st.listeners.has(id)) continue;
      const l = this.makeListener(key, id, w);
      st.listeners.set(id, l);
      if (l.onInterface) {
        this.addrRefs.set(l.ip, (this.addrRefs.get(l.ip) ?? 0) + 1);
        addAddrs.add(l.ip);
      }
      const state = st;
      opens.push(() => l.sock.listen().catch((err: Error) => {
        log('error', 'cannot listen', { servicePort: key, listener: id, error: err.message, retryInMs: this.retryMs });
        if (state.listeners.get(id) === l) { state.listeners.delete(id); this.closeListener(l, dropAddrs); }
        this.scheduleRetry(key);
      }));
    }
  }

  private wantedListeners(info: ServicePortInfo): Map<string, { ip: string; port: number; kind: TrafficKind; onInterface: boolean }> {
    const out = new Map<string, { ip: string; port: number; kind: TrafficKind; onInterface: boolean }>();
    const add = (ip: string, port: number, kind: TrafficKind, onInterface: boolean) => out.set(`${info.protocol}:${ip}:${port}`, { ip, port, kind, onInterface });
    if (info.clusterIP) add(info.clusterIP, info.port, 'internal', true);
    for (const ip of info.externalIPs) add(ip, info.port, 'external', true);
    for (const ip of info.loadBalancerIPs) add(ip, info.port, 'external', true);
    if (info.nodePort) for (const ip of this.o.nodePortAddresses ?? ['0.0.0.0']) add(ip, info.nodePort, 'external', false);
    return out;
  }

  private makeListener(key: string, id: string, w: { ip: string; port: number; kind: TrafficKind; onInterface: boolean }): Listener {
    const lb = () => this.ports.get(key)?.lb;
    const common = { key, host: w.ip, port: w.port, kind: w.kind, lb, metrics: this.metrics };
    const sock = id.startsWith('UDP:')
      ? new UdpListener({ ...common, idleTimeoutMs: this.o.udpIdleTimeoutMs })
      : new TcpListener({ ...common, connectTimeoutMs: this.o.connectTimeoutMs });
    return { id, ip: w.ip, onInterface: w.onInterface, sock };
  }

  private closeListener(l: Listener, dropAddrs: Set<string>): void {
    l.sock.close();
    if (!l.onInterface) return;
    const n = (this.addrRefs.get(l.ip) ?? 1) - 1;
    if (n > 0) { this.addrRefs.set(l.ip, n); return; }
    this.addrRefs.delete(l.ip);
    dropAddrs.add(l.ip);
  }

  /** Closes every listener and connection. The addresses stay (a restart rebuilds from them) unless `removeAddresses`. */
  async stop(opts: { removeAddresses?: boolean } = {}): Promise<void> {
    while (this.syncing) await this.syncing;
    this.initialized = false;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    for (const st of this.ports.values()) {
      for (const l of st.listeners.values()) l.sock.destroy();
      st.lb.dispose();
    }
    this.health.close();
    this.ports.clear();
    if (opts.removeAddresses) await this.iface.apply([], [...this.addrRefs.keys()]);
    this.addrRefs.clear();
  }

  /** Listener addresses per service port key (for tests and debugging). */
  snapshot(): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const [key, st] of this.ports) out[key] = [...st.listeners.keys()].sort();
    return out;
  }
}
