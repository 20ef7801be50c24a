/**
 * EventRecorder: writes core/v1 Events about objects, the way users see them in `kubectl describe`.
 * Like client-go's EventCorrelator, an event identical to one already written (same object, type,
 * reason, message, source) bumps that Event's `count` and `lastTimestamp` instead of creating a
 * new object. Like its spam filter, each (source, object) pair has a token bucket (burst 25, one
 * more every 5 minutes): events beyond it are dropped. Writes happen in the background, one at a
 * time in the order recorded (at most 1,000 waiting); recording never throws or blocks.
 */
import type { KObject } from '../api/object.js';
import type { Event, ObjectReference } from '../api/types.js';
import { isApiError } from '../errors.js';
import type { ApiClient } from './api-client.js';
import { clientLog } from './log.js';

/** Event type as Kubernetes knows it. */
export type EventType = 'Normal' | 'Warning';

interface Seen { namespace: string; name: string; count: number }

/** Spam filter settings (client-go: burst 25, qps 1/300). */
export interface SpamFilterOptions { burst?: number; refillEveryMs?: number }

/** A limit on event writes per second (the kubelet's --event-qps/--event-burst; kube-scheduler's events go through a client limited to --kube-api-qps). */
export interface WriteRateOptions { qps: number; burst: number }

/** Kubernetes' defaults for event writes: 50 per second, bursts of 100. */
export const DEFAULT_EVENT_RATE: WriteRateOptions = { qps: 50, burst: 100 };

interface Bucket { tokens: number; at: number }

const MAX_CACHED = 4096;
/** Writes waiting beyond this are dropped: the apiserver is gone for a while and events are best effort. */
const MAX_PENDING = 1000;
const EVENTS = { resource: 'events' };

function rfc3339(d: Date): string { return d.toISOString().replace(/\.\d{3}Z$/, 'Z'); }

/** The ObjectReference of an object (involvedObject of its events). */
export function referenceOf(obj: KObject): ObjectReference {
  const m = obj.metadata ?? {};
  const ref: ObjectReference = { kind: obj.kind, name: m.name, apiVersion: obj.apiVersion };
  if (m.namespace) ref.namespace = m.namespace;
  if (m.uid) ref.uid = m.uid;
  if (m.resourceVersion) ref.resourceVersion = m.resourceVersion;
  return ref;
}

/** Records Events for one component (source.component, e.g. "default-scheduler", "kubelet"). */
export class EventRecorder {
  private readonly seen = new Map<string, Seen>();
  private tail: Promise<void> = Promise.resolve();
  private readonly buckets = new Map<string, Bucket>();
  private readonly burst: number;
  private readonly refillEveryMs: number;
  private pending = 0;
  /** Events dropped so far (spam filter, or too many writes waiting). */
  dropped = 0;

  private writeTokens: number;
  private writeAt = Date.now();

  /** `rate` limits writes (queued events wait for a token; beyond 1,000 waiting they are dropped, as client-go drops). */
  constructor(private readonly client: ApiClient, private readonly source: { component: string; host?: string }, spam: SpamFilterOptions = {}, private readonly rate?: WriteRateOptions) {
    this.burst = spam.burst ?? 25;
    this.refillEveryMs = spam.refillEveryMs ?? 300_000;
    this.writeTokens = rate?.burst ?? 0;
  }

  // Waits for a write token: refilled at `qps` up to `burst`. Writes are one chain, so one waiter at a time.
  private async writeToken(): Promise<void> {
    const r = this.rate;
    if (!r || r.qps <= 0) return;
    for (;;) {
      const now = Date.now();
      this.writeTokens = Math.min(r.burst, this.writeTokens + ((now - this.writeAt) / 1000) * r.qps);
      this.writeAt = now;
      if (this.writeTokens >= 1) { this.writeTokens -= 1; return; }
      await new Promise((resolve) => setTimeout(resolve, Math.ceil(((1 - this.writeTokens) / r.qps) * 1000)));
    }
  }

  // One token per event per (source, object); refilled at a steady rate up to the burst.
  private allow(ref: ObjectReference): boolean {
    const key = JSON.stringify([ref.kind, ref.namespace, ref.name, ref.uid, ref.fieldPath]);
    const now = Date.now();
    const b = this.buckets.get(key) ?? { tokens: this.burst, at: now };
    b.tokens = Math.min(this.burst, b.tokens + (now - b.at) / this.refillEveryMs);
    b.at = now;
    this.buckets.delete(key);
    this.buckets.set(key, b);
    if (this.buckets.size > MAX_CACHED) this.buckets.delete(this.buckets.keys().next().value as string);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  /** Records an event about `obj` (queued; see flush()); `fieldPath` names a part, e.g. `spec.containers{web}`. */
  event(obj: KObject, type: EventType, reason: string, message: string, fieldPath?: string): void {
    const ref = referenceOf(obj);
    if (fieldPath) ref.fieldPath = fieldPath;
    if (!this.allow(ref) || this.pending >= MAX_PENDING) { this.dropped++; return; }
    const now = new Date();
    // One chain: events are written in the order they were recorded (Pulling → Pulled → Created → Started).
    this.pending++;
    this.tail = this.tail.then(() => this.writeToken()).then(() => this.write(ref, type, reason, message, now)).catch((err) => {
      clientLog('warn', 'could not write event', { object: `${ref.namespace ?? ''}/${ref.name}`, reason, error: (err as Error).message });
    }).finally(() => { this.pending--; });
  }

  /** Printf-style convenience: eventf(obj, 'Normal', 'Scheduled', 'Successfully assigned %s to %s', a, b). */
  eventf(obj: KObject, type: EventType, reason: string, format: string, ...args: unknown[]): void {
    let i = 0;
    this.event(obj, type, reason, format.replace(/%[sdv]/g, () => String(args[i++])));
  }

  /** Resolves when every event recorded so far has been written (or failed). */
  flush(): Promise<void> { return this.tail; }

  private async write(ref: ObjectReference, type: EventType, reason: string, message: string, now: Date): Promise<void> {
    const key = JSON.stringify([ref.kind, ref.namespace, ref.name, ref.uid, ref.apiVersion, ref.fieldPath, type, reason, message, this.source.component, this.source.host]);
    const prev = this.seen.get(key);
    if (prev) {
      try {
        const patched = await this.client.patch<Event>({ ...EVENTS, namespace: prev.namespace, name: prev.name }, 'merge', { count: prev.count + 1, lastTimestamp: rfc3339(now) });
        this.remember(key, { ...prev, count: patched.count ?? prev.count + 1 });
        return;
      } catch (err) {
        if (!isApiError(err, 'NotFound')) throw err;
        this.seen.delete(key); // expired (event TTL): start a new series
      }
    }
    const namespace = ref.namespace || 'default';
    const name = `${ref.name}.${(BigInt(now.getTime()) * 1_000_000n + BigInt(Math.floor(Math.random() * 1_000_000))).toString(16)}`;
    const ts = rfc3339(now);
    const ev: Event = {
      apiVersion: 'v1', kind: 'Event', metadata: { name, namespace },
      involvedObject: ref, reason, message, type, count: 1, firstTimestamp: ts, lastTimestamp: ts,
      source: { component: this.source.component, ...(this.source.host ? { host: this.source.host } : {}) },
      reportingComponent: this.source.component, reportingInstance: this.source.host ?? '',
    };
    await this.client.create<Event>({ ...EVENTS, namespace }, ev);
    this.remember(key, { namespace, name, count: 1 });
  }

  private remember(key: string, s: Seen): void {
    this.seen.delete(key); // re-insert: Map order is our LRU order
    this.seen.set(key, s);
    if (this.seen.size > MAX_CACHED) this.seen.delete(this.seen.keys().next().value as string);
  }
}
