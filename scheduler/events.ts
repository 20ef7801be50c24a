/**
 * Kubernetes Events for what users see in `kubectl describe pod` (core/v1 Event, From =
 * source.component). A repeat of the same reason+message for the same object within 10 minutes
 * bumps `count`/`lastTimestamp` of the first event instead of creating another, as client-go's
 * event correlator does, so a pod failing for an hour shows `(x12 over 1h)`.
 * Writes go through a bounded queue with a few writers, as client-go's broadcaster: events
 * never hold up bindings, and when the queue is full new events are dropped (and counted).
 */
import { hostname } from 'node:os';
import type { ApiClient } from '../lib/client/api-client.js';
import { clientLog } from '../lib/client/log.js';
import type { KObject } from '../lib/api/object.js';

/** Records an event about an object; never throws (events are best effort). */
export interface EventSink {
  event(obj: KObject, type: 'Normal' | 'Warning', reason: string, message: string, action?: string): void;
}

const AGGREGATE_WINDOW_MS = 10 * 60_000;
const MAX_TRACKED = 4096;
const MAX_PENDING = 1000;
const WRITERS = 2;

interface Pending { obj: KObject; type: string; reason: string; message: string; action: string }

/** An EventSink writing core/v1 Events through the gRPC ApiClient. */
export class ApiEventRecorder implements EventSink {
  private readonly seen = new Map<string, { name: string; namespace: string; count: number; first: string; at: number }>();
  private readonly instance = hostname();
  private readonly pending: Pending[] = [];
  private writers = 0;
  private idle: (() => void)[] = [];
  /** Events dropped because the queue was full. */
  dropped = 0;

  constructor(private readonly client: ApiClient, private readonly component: string) {}

  event(obj: KObject, type: 'Normal' | 'Warning', reason: string, message: string, action = 'Scheduling'): void {
    if (this.pending.length >= MAX_PENDING) {
      if (this.dropped++ % 100 === 0) clientLog('warn', 'event queue full, dropping events', { dropped: this.dropped });
      return;
    }
    this.pending.push({ obj, type, reason, message, action });
    if (this.writers < WRITERS) void this.drain();
  }

  /** Resolves once every queued event has been written (or failed). */
  flush(): Promise<void> {
    if (this.writers === 0 && this.pending.length === 0) return Promise.resolve();
    return new Promise((r) => this.idle.push(r));
  }

  private async drain(): Promise<void> {
    this.writers++;
    for (let e = this.pending.shift(); e; e = this.pending.shift()) {
      await this.write(e.obj, e.type, e.reason, e.message, e.action).catch((err) => {
        clientLog('warn', 'event not recorded', { object: `${e!.obj.metadata?.namespace}/${e!.obj.metadata?.name}`, reason: e!.reason, error: (err as Error).message });
      });
    }
    if (--this.writers === 0) { const w = this.idle; this.idle = []; for (const f of w) f(); }
  }

  private async write(obj: KObject, type: string, reason: string, message: string, action: string): Promise<void> {
    const namespace = obj.metadata?.namespace ?? 'default';
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const key = `${obj.metadata?.uid}\u0000${reason}\u0000${message}`;
    const prev = this.seen.get(key);
    if (prev && Date.now() - prev.at < AGGREGATE_WINDOW_MS) {
      prev.count++;
      prev.at = Date.now();
      await this.client.patch({ resource: 'events', namespace: prev.namespace, name: prev.name }, 'merge', { count: prev.count, lastTimestamp: now });
      return;
    }
    const name = `${obj.metadata?.name}.${(Date.now() * 1e6 + Math.floor(Math.random() * 1e6)).toString(16)}`;
    const ev: KObject = {
      apiVersion: 'v1', kind: 'Event',
      metadata: { name, namespace },
      involvedObject: { apiVersion: obj.apiVersion ?? 'v1', kind: obj.kind ?? 'Pod', namespace, name: obj.metadata?.name, uid: obj.metadata?.uid, resourceVersion: obj.metadata?.resourceVersion },
      reason, message, type, count: 1, firstTimestamp: now, lastTimestamp: now,
      source: { component: this.component }, reportingComponent: this.component, reportingInstance: `${this.component}-${this.instance}`, action,
    };
    await this.client.create({ resource: 'events', namespace }, ev);
    if (this.seen.size >= MAX_TRACKED) this.seen.delete(this.seen.keys().next().value!);
    this.seen.set(key, { name, namespace, count: 1, first: now, at: Date.now() });
  }
}
