/**
 * Leader election on a coordination.k8s.io/v1 Lease, as client-go's leaderelection: candidates
 * try to acquire or renew every retry period; a lease is free when its holder has not renewed it
 * for a lease duration *as observed locally* (no trust in other clocks); a leader that cannot
 * renew within the renew deadline stops leading (its callback's signal aborts).
 */
import type { Lease } from '../api/types.js';
import { isApiError } from '../errors.js';
import type { ApiClient } from './api-client.js';
import { sleep } from './backoff.js';
import { clientLog } from './log.js';

/** Options of a LeaderElector (durations as client-go's defaults: 15 s / 10 s / 2 s). */
export interface LeaderElectorOptions {
  client: ApiClient;
  /** The Lease, e.g. kube-system/kube-scheduler. */
  lease: { namespace: string; name: string };
  /** This candidate's identity (hostname_uuid in Kubernetes). */
  identity: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  /** Give the lease up when the run signal aborts, so another candidate takes over at once. */
  releaseOnCancel?: boolean;
  /** Runs while leading; `signal` aborts when leadership is lost or run() is cancelled. */
  onStartedLeading(signal: AbortSignal): void | Promise<void>;
  onStoppedLeading?(): void;
  /** Called when the observed leader changes (including to this candidate). */
  onNewLeader?(identity: string): void;
}

const LEASES = { group: 'coordination.k8s.io', resource: 'leases' };

/** RFC3339 with microseconds (metav1.MicroTime). */
function microTime(d: Date): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** One candidate in a leader election. */
export class LeaderElector {
  private observedRecord = '';
  private observedTime = 0;
  private observedLease: Lease | undefined;
  private leader = '';
  private readonly leaseDurationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;

  constructor(private readonly opts: LeaderElectorOptions) {
    this.leaseDurationMs = opts.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = opts.renewDeadlineMs ?? 10_000;
    this.retryPeriodMs = opts.retryPeriodMs ?? 2_000;
    if (this.leaseDurationMs <= this.renewDeadlineMs) throw new Error('leaseDuration must be greater than renewDeadline');
  }

  /** True while this candidate holds the lease. */
  isLeader(): boolean { return this.leader === this.opts.identity; }

  /** The identity last observed holding the lease. */
  getLeader(): string { return this.leader; }

  /** Acquires, leads until the lease is lost or `signal` aborts, then returns (like client-go's Run). */
  async run(signal: AbortSignal): Promise<void> {
    if (!(await this.acquire(signal))) return;
    const leading = new AbortController();
    const stop = () => leading.abort();
    signal.addEventListener('abort', stop, { once: true });
    clientLog('info', 'became leader', { lease: `${this.opts.lease.namespace}/${this.opts.lease.name}`, identity: this.opts.identity });
    const work = Promise.resolve().then(() => this.opts.onStartedLeading(leading.signal)).catch((err) => clientLog('error', 'leader callback failed', { error: (err as Error).message }));
    await this.renewLoop(leading.signal);
    leading.abort();
    signal.removeEventListener('abort', stop);
    if (signal.aborted && this.opts.releaseOnCancel) await this.release();
    this.leader = this.leader === this.opts.identity ? '' : this.leader;
    clientLog('info', 'stopped leading', { lease: `${this.opts.lease.namespace}/${this.opts.lease.name}`, identity: this.opts.identity });
    this.opts.onStoppedLeading?.();
    await work;
  }

  private jittered(): number { return this.retryPeriodMs * (1 + Math.random() * 0.2); }

  private async acquire(signal: AbortSignal): Promise<boolean> {
    while (!signal.aborted) {
      if (await this.tryAcquireOrRenew()) return true;
      await sleep(this.jittered(), signal);
    }
    return false;
  }

  private async renewLoop(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      await sleep(this.retryPeriodMs, signal);
      if (signal.aborted) return;
      const deadline = Date.now() + this.renewDeadlineMs;
      let renewed = false;
      while (!signal.aborted && Date.now() < deadline) {
        if (await this.tryAcquireOrRenew()) { renewed = true; break; }
        await sleep(Math.min(this.retryPeriodMs, Math.max(0, deadline - Date.now())), signal);
      }
      if (!renewed) return; // lost the lease (or cancelled)
    }
  }

  private observe(lease: Lease | undefined): void {
    const holder = lease?.spec?.holderIdentity ?? '';
    const record = JSON.stringify([holder, lease?.spec?.renewTime, lease?.spec?.acquireTime, lease?.spec?.leaseTransitions]);
    if (record !== this.observedRecord) { this.observedRecord = record; this.observedTime = Date.now(); }
    this.observedLease = lease;
    if (holder !== this.leader) { this.leader = holder; if (holder) this.opts.onNewLeader?.(holder); }
  }

  /** One attempt: create the lease, renew ours, or take over an expired one. */
  private async tryAcquireOrRenew(): Promise<boolean> {
    const { client, lease: ref, identity } = this.opts;
    const now = new Date();
    const durationSeconds = Math.max(1, Math.ceil(this.leaseDurationMs / 1000));
    try {
      let current: Lease | undefined;
      try {
        current = await client.get<Lease>({ ...LEASES, namespace: ref.namespace, name: ref.name });
      } catch (err) {
        if (!isApiError(err, 'NotFound')) throw err;
        const created = await client.create<Lease>({ ...LEASES, namespace: ref.namespace }, {
          apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: ref.name, namespace: ref.namespace },
          spec: { holderIdentity: identity, leaseDurationSeconds: durationSeconds, acquireTime: microTime(now), renewTime: microTime(now), leaseTransitions: 0 },
        });
        this.observe(created);
        return true;
      }
      this.observe(current);
      const holder = current.spec?.holderIdentity ?? '';
      const expired = this.observedTime + this.leaseDurationMs < Date.now();
      if (holder && holder !== identity && !expired) return false;
      const next = structuredClone(current);
      const spec = (next.spec ??= {});
      if (holder !== identity) {
        spec.acquireTime = microTime(now);
        spec.leaseTransitions = (spec.leaseTransitions ?? 0) + (holder ? 1 : 0);
      }
      spec.holderIdentity = identity;
      spec.leaseDurationSeconds = durationSeconds;
      spec.renewTime = microTime(now);
      this.observe(await client.update<Lease>({ ...LEASES, namespace: ref.namespace }, next));
      return true;
    } catch (err) {
      if (!isApiError(err, 'Conflict') && !isApiError(err, 'AlreadyExists')) clientLog('warn', 'lease acquire/renew failed', { lease: `${ref.namespace}/${ref.name}`, error: (err as Error).message });
      return false;
    }
  }

  /** Gives the lease up (holder cleared, 1 s duration), only if we still hold it. */
  private async release(): Promise<void> {
    const lease = this.observedLease;
    if (!lease || lease.spec?.holderIdentity !== this.opts.identity) return;
    const next = structuredClone(lease);
    next.spec = { ...next.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: microTime(new Date()) };
    try { await this.opts.client.update({ ...LEASES, namespace: this.opts.lease.namespace }, next); } catch { /* someone else moved on */ }
  }
}
