/**
 * Storage half of the subnet manager (flannel's "registry"): reads the network config and
 * reads/writes/watches subnet leases in etcd with flannel's key layout. No policy here.
 */
import type { Etcd3, IKeyValue, Lease as EtcdLease, Watcher } from 'etcd3';
import { formatCidr, parseSubnetKey, subnetKey, type IPv4Net } from './cidr.js';
import { parseNetworkConfig } from './config.js';

/** The JSON value of a lease key, field names as flannel writes them. */
export interface LeaseAttrs {
  PublicIP: string;
  BackendType: string;
  BackendData?: Record<string, unknown> | null;
}

/** One subnet lease as stored. */
export interface SubnetLease {
  subnet: IPv4Net;
  attrs: LeaseAttrs;
  /** etcd lease id holding the key ('0' = none). */
  leaseId: string;
  modRevision: string;
}

/** A change seen on the subnets prefix. */
export type LeaseEvent = { type: 'put'; lease: SubnetLease } | { type: 'delete'; subnet: IPv4Net };

/** Parses one stored key/value; undefined for foreign or broken entries (they are skipped, not fatal). */
export function leaseFromKv(prefix: string, kv: IKeyValue): SubnetLease | undefined {
  const key = kv.key.toString();
  const subnet = parseSubnetKey(key.slice(`${prefix}/subnets/`.length));
  if (!subnet) return undefined;
  try {
    const attrs = JSON.parse(kv.value.toString()) as LeaseAttrs;
    if (!attrs || typeof attrs.PublicIP !== 'string') return undefined;
    return { subnet, attrs, leaseId: String(kv.lease ?? '0'), modRevision: String(kv.mod_revision) };
  } catch {
    return undefined;
  }
}

/** etcd access for one flannel prefix (default /coreos.com/network). */
export class SubnetRegistry {
  constructor(readonly client: Etcd3, readonly prefix = '/coreos.com/network') {}

  /** The raw config JSON, or undefined when the key does not exist yet. */
  async getConfig(): Promise<string | undefined> {
    return (await this.client.get(`${this.prefix}/config`).string()) ?? undefined;
  }

  /** Validates and writes the config (cluster bring-up, tests); a bad one throws an Invalid ApiError. */
  async putConfig(json: string): Promise<void> {
    parseNetworkConfig(json);
    await this.client.put(`${this.prefix}/config`).value(json);
  }

  private key(subnet: IPv4Net): string { return `${this.prefix}/subnets/${subnetKey(subnet)}`; }

  /** All leases plus the revision the list was read at (to start a watch after it). */
  async listLeases(): Promise<{ leases: SubnetLease[]; revision: string }> {
    const res = await this.client.getAll().prefix(`${this.prefix}/subnets/`).exec();
    const leases = res.kvs.map((kv) => leaseFromKv(this.prefix, kv)).filter((l): l is SubnetLease => !!l);
    return { leases, revision: String(res.header.revision) };
  }

  /** Grants an etcd lease of ttl seconds (no automatic keepalive: the manager renews it). */
  async grant(ttlSeconds: number): Promise<EtcdLease> {
    const lease = this.client.lease(ttlSeconds, { autoKeepAlive: false });
    await lease.grant();
    return lease;
  }

  /**
   * Writes the lease key on etcdLease in one transaction: only if the key is absent
   * (expectModRevision undefined) or still at expectModRevision. False when someone was faster.
   */
  async writeLease(subnet: IPv4Net, attrs: LeaseAttrs, etcdLease: EtcdLease, expectModRevision?: string): Promise<boolean> {
    const key = this.key(subnet);
    const id = await etcdLease.grant();
    const cmp = expectModRevision === undefined
      ? this.client.if(key, 'Create', '==', 0)
      : this.client.if(key, 'Mod', '==', Number(expectModRevision));
    const res = await cmp.then(this.client.put(key).value(JSON.stringify(attrs)).lease(id)).commit();
    return res.succeeded;
  }

  /** Revokes an etcd lease no key sits on any more (the one a restarted node's key was moved from). */
  async revokeLease(id: string): Promise<void> {
    await this.client.leaseClient.leaseRevoke({ ID: id });
  }

  /** Deletes a lease key (used by tests and by an operator removing a node). */
  async deleteLease(subnet: IPv4Net): Promise<void> {
    await this.client.delete().key(this.key(subnet));
  }

  /** Watches the subnets prefix after `revision`; the etcd3 watcher reconnects and resumes by itself. */
  async watchLeases(revision: string, onEvent: (e: LeaseEvent) => void, onReconnect: () => void, onLost: () => void = () => {}): Promise<Watcher> {
    const w = await this.client.watch().prefix(`${this.prefix}/subnets/`).startRevision(String(BigInt(revision) + 1n)).create();
    let lost = false;
    w.on('put', (kv) => {
      const lease = leaseFromKv(this.prefix, kv);
      if (lease) onEvent({ type: 'put', lease });
    });
    w.on('delete', (kv) => {
      const subnet = parseSubnetKey(kv.key.toString().slice(`${this.prefix}/subnets/`.length));
      if (subnet) onEvent({ type: 'delete', subnet });
    });
    const lose = (): void => { if (!lost) { lost = true; onLost(); } };
    w.on('disconnected', lose);
    w.on('error', lose);
    w.on('connected', () => { if (lost) { lost = false; onReconnect(); } });
    return w;
  }
}

/** For logs: `10.244.3.0/24 via 10.200.0.12`. */
export function describeLease(l: SubnetLease): string { return `${formatCidr(l.subnet)} via ${l.attrs.PublicIP}`; }
