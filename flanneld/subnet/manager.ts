/**
 * Policy half of the subnet manager: picks and keeps this node's lease (same subnet after a
 * restart), renews it before expiry, and keeps an up-to-date view of the other nodes' leases
 * (watch + periodic resync). While etcd is unreachable the last known view stays in force.
 */
import { randomInt } from 'node:crypto';
import { EtcdLeaseInvalidError, type Lease as EtcdLease, type Watcher } from 'etcd3';
import { backoff, sleep } from '../abort.js';
import { logger } from '../log.js';
import { allSubnets, parseNetworkConfig, type NetworkConfig } from './config.js';
import { formatCidr, maskOf, netContains, parseCidr, sameNet, subnetKey, type IPv4Net } from './cidr.js';
import { describeLease, type LeaseAttrs, type LeaseEvent, type SubnetLease, type SubnetRegistry } from './registry.js';
import { readSubnetEnv } from './subnet-env.js';

const log = logger('flanneld/subnet');

/** What a backend is told about the other nodes. */
export interface LeaseListener {
  /** A node's lease appeared or changed (PublicIP, backend data). */
  onAdd(lease: SubnetLease): void;
  /** A node's lease expired or was deleted. */
  onRemove(lease: SubnetLease): void;
}

/** Options of a SubnetManager. */
export interface SubnetManagerOptions {
  registry: SubnetRegistry;
  /** subnet.env of a previous run: its FLANNEL_SUBNET is asked for first. */
  subnetFile?: string;
  /** Lease TTL in seconds (flannel: 24 h). */
  ttlSeconds?: number;
  /** Renew this long before the lease ends (flannel: 1 h); at most half the TTL is waited. */
  renewMarginSeconds?: number;
  /** Full re-list period, a safety net under the watch. */
  resyncMs?: number;
  /** Called when a lost lease could only be replaced by a different subnet (pods must be re-addressed). */
  onSubnetChanged?: (lease: SubnetLease) => void;
}

/** Keeps this node's subnet lease and the other nodes' leases in sync with etcd. */
export class SubnetManager {
  config!: NetworkConfig;
  own?: SubnetLease;
  /** Other nodes' leases by subnet key. */
  readonly peers = new Map<string, SubnetLease>();
  private etcdLease?: EtcdLease;
  private attrs?: LeaseAttrs;
  private listener?: LeaseListener;
  private readonly ttl: number;
  private readonly resyncMs: number;

  constructor(private readonly opts: SubnetManagerOptions) {
    this.ttl = opts.ttlSeconds ?? 24 * 3600;
    this.resyncMs = opts.resyncMs ?? 60_000;
  }

  /** Waits until `<prefix>/config` exists and parses it (an invalid config is an error, not a wait). */
  async loadConfig(signal: AbortSignal): Promise<NetworkConfig> {
    for (let attempt = 0; !signal.aborted; attempt++) {
      let text: string | undefined;
      try {
        text = await this.opts.registry.getConfig();
      } catch (err) {
        log.warn('reading network config failed', { err });
      }
      if (text !== undefined) return (this.config = parseNetworkConfig(text));
      if (attempt === 0) log.info('waiting for network config', { key: `${this.opts.registry.prefix}/config` });
      await sleep(Math.max(200, backoff(attempt, 200, 5000)), signal);
    }
    throw new Error('aborted');
  }

  /** Leases a subnet for this node (previous one if possible) and returns it. */
  async acquire(attrs: LeaseAttrs, signal: AbortSignal): Promise<SubnetLease> {
    this.attrs = attrs;
    const previous = await this.previousSubnet();
    for (let attempt = 0; !signal.aborted; attempt++) {
      try {
        const got = await this.tryAcquire(attrs, previous ?? this.own?.subnet);
        if (got) {
          const before = this.own;
          this.own = got;
          if (before && !sameNet(before.subnet, got.subnet)) this.opts.onSubnetChanged?.(got);
          log.info('acquired subnet lease', { subnet: formatCidr(got.subnet), publicIP: attrs.PublicIP, ttl: this.ttl });
          return got;
        }
      } catch (err) {
        if ((err as { code?: string }).code === 'Invalid') throw err;
        log.warn('acquiring a subnet failed, retrying', { err, attempt });
      }
      await sleep(backoff(attempt, 50, 3000), signal);
    }
    throw new Error('aborted');
  }

  private async previousSubnet(): Promise<IPv4Net | undefined> {
    if (!this.opts.subnetFile) return undefined;
    const env = await readSubnetEnv(this.opts.subnetFile);
    if (!env.FLANNEL_SUBNET) return undefined;
    try {
      const n = parseCidr(env.FLANNEL_SUBNET);
      return n.prefixLen === this.config.subnetLen ? n : undefined;
    } catch {
      return undefined;
    }
  }

  private inRange(n: IPv4Net): boolean {
    return n.prefixLen === this.config.subnetLen && netContains(this.config.network, n.ip)
      && n.ip >= this.config.subnetMin && n.ip <= this.config.subnetMax;
  }

  /** One round: read all leases, choose, write in a transaction. undefined = lost a race. */
  private async tryAcquire(attrs: LeaseAttrs, previous: IPv4Net | undefined): Promise<SubnetLease | undefined> {
    const reg = this.opts.registry;
    const { leases } = await reg.listLeases();
    const taken = new Map(leases.map((l) => [l.subnet.ip, l]));
    let choice: { subnet: IPv4Net; expect?: string } | undefined;
    if (previous && this.inRange(previous)) {
      const cur = taken.get(previous.ip);
      if (!cur) choice = { subnet: previous };
      else if (cur.attrs.PublicIP === attrs.PublicIP) choice = { subnet: previous, expect: cur.modRevision };
    }
    if (!choice) {
      const mine = leases.find((l) => l.attrs.PublicIP === attrs.PublicIP && this.inRange(l.subnet));
      if (mine) choice = { subnet: mine.subnet, expect: mine.modRevision };
    }
    if (!choice) {
      const free = allSubnets(this.config).filter((ip) => !taken.has(ip));
      if (free.length === 0) throw new Error(`no free subnet left in ${formatCidr(this.config.network)}`);
      // Random like flannel, so nodes starting together rarely collide on the first try.
      choice = { subnet: { ip: free[randomInt(free.length)], prefixLen: this.config.subnetLen } };
    }
    const etcdLease = await reg.grant(this.ttl);
    const ok = await reg.writeLease(choice.subnet, attrs, etcdLease, choice.expect).catch(async (err) => {
      await etcdLease.revoke().catch(() => undefined);
      throw err;
    });
    if (!ok) {
      await etcdLease.revoke().catch(() => undefined);
      return undefined;
    }
    // Taken over from a previous run of this node: its old etcd lease holds nothing now.
    const replaced = choice.expect !== undefined ? taken.get(choice.subnet.ip)?.leaseId : undefined;
    if (replaced && replaced !== '0') await reg.revokeLease(replaced).catch(() => undefined);
    this.etcdLease?.release();
    this.etcdLease = etcdLease;
    return { subnet: choice.subnet, attrs, leaseId: await etcdLease.grant(), modRevision: '0' };
  }

  /** Watches, resyncs and renews until signal aborts; listener hears about other nodes. */
  async run(listener: LeaseListener, signal: AbortSignal): Promise<void> {
    this.listener = listener;
    await Promise.all([this.renewLoop(signal), this.syncLoop(signal)]);
  }

  private async renewLoop(signal: AbortSignal): Promise<void> {
    // flannel renews an hour before a 24 h lease ends; short test TTLs renew at a third.
    const margin = this.opts.renewMarginSeconds ?? 3600;
    const every = this.ttl > 2 * margin ? (this.ttl - margin) * 1000 : (this.ttl * 1000) / 3;
    let wait = every;
    for (let attempt = 0; !signal.aborted;) {
      await sleep(wait, signal);
      if (signal.aborted) break;
      try {
        const res = await this.etcdLease!.keepaliveOnce();
        if (Number(res.TTL) <= 0) throw Object.assign(new Error('lease expired'), { expired: true });
        attempt = 0;
        wait = every;
        log.debug('renewed subnet lease', { subnet: this.own && formatCidr(this.own.subnet) });
      } catch (err) {
        // etcd3 reports a revoked or timed-out lease as EtcdLeaseInvalidError ("... is expired or revoked").
        if ((err as { expired?: boolean }).expired || err instanceof EtcdLeaseInvalidError || /expired or revoked|lease not found/i.test(String(err))) {
          log.warn('subnet lease expired, acquiring again', { subnet: this.own && formatCidr(this.own.subnet) });
          await this.acquire(this.attrs!, signal).catch(() => undefined);
          wait = every;
        } else {
          log.warn('renewing subnet lease failed (etcd unreachable?), keeping the current one', { err });
          wait = Math.max(500, backoff(attempt++, 1000, 30_000));
        }
      }
    }
    this.etcdLease?.release();
  }

  private async syncLoop(signal: AbortSignal): Promise<void> {
    let watcher: Watcher | undefined;
    let resyncNow = false;
    for (let attempt = 0; !signal.aborted;) {
      try {
        const rev = await this.resync();
        if (!watcher) {
          watcher = await this.opts.registry.watchLeases(rev, (e) => this.onEvent(e, signal), () => {
            log.info('lease watch reconnected, resyncing');
            resyncNow = true;
          }, () => log.warn('lease watch lost (etcd unreachable?), keeping the last known leases', { peers: this.peers.size }));
        }
        attempt = 0;
      } catch (err) {
        log.warn('listing subnet leases failed (etcd unreachable?), keeping the last known ones', { err, peers: this.peers.size });
        attempt++;
      }
      const until = Date.now() + (attempt > 0 ? Math.max(500, backoff(attempt, 1000, this.resyncMs)) : this.resyncMs);
      while (!signal.aborted && !resyncNow && Date.now() < until) await sleep(Math.min(250, until - Date.now()), signal);
      resyncNow = false;
    }
    await watcher?.cancel().catch(() => undefined);
  }

  /** Re-lists everything and applies the difference to the view; returns the list revision. */
  async resync(): Promise<string> {
    const { leases, revision } = await this.opts.registry.listLeases();
    const seen = new Set<string>();
    for (const l of leases) {
      if (this.isOwn(l.subnet) || !netContains(this.config.network, l.subnet.ip)) continue;
      seen.add(subnetKey(l.subnet));
      this.apply({ type: 'put', lease: l });
    }
    for (const [k, l] of this.peers) if (!seen.has(k)) this.apply({ type: 'delete', subnet: l.subnet });
    return revision;
  }

  private isOwn(n: IPv4Net): boolean { return !!this.own && sameNet(this.own.subnet, n); }

  private onEvent(e: LeaseEvent, signal: AbortSignal): void {
    const subnet = e.type === 'put' ? e.lease.subnet : e.subnet;
    if (this.isOwn(subnet)) {
      // Someone removed our key (an operator, or it expired while etcd was away): take it back.
      if (e.type === 'delete' && !signal.aborted) {
        log.warn('own subnet lease was deleted, acquiring again', { subnet: formatCidr(subnet) });
        void this.acquire(this.attrs!, signal).catch(() => undefined);
      }
      return;
    }
    if (!netContains(this.config.network, subnet.ip) || ((subnet.ip & maskOf(subnet.prefixLen)) >>> 0) !== subnet.ip) return;
    this.apply(e);
  }

  private apply(e: LeaseEvent): void {
    if (e.type === 'put') {
      const k = subnetKey(e.lease.subnet);
      const old = this.peers.get(k);
      if (old && JSON.stringify(old.attrs) === JSON.stringify(e.lease.attrs)) { this.peers.set(k, e.lease); return; }
      this.peers.set(k, e.lease);
      log.info(old ? 'subnet lease changed' : 'subnet lease added', { lease: describeLease(e.lease) });
      this.listener?.onAdd(e.lease);
    } else {
      const k = subnetKey(e.subnet);
      const old = this.peers.get(k);
      if (!old) return;
      this.peers.delete(k);
      log.info('subnet lease removed', { lease: describeLease(old) });
      this.listener?.onRemove(old);
    }
  }
}
