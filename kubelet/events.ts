/** Kubernetes Events the kubelet posts about pods (Pulled, Created, Started, Killing, BackOff, FailedMount...). */
import { randomBytes } from 'node:crypto';
import type { Pod } from '../lib/api/types.js';
import type { ApiClient } from '../lib/client/api-client.js';
import type { Logger } from './runtime/log.js';

/** Events waiting to be posted beyond this are dropped (the apiserver is gone; events are best effort). */
const MAX_PENDING = 1000;

/**
 * Posts events one at a time in the order they happened (as Kubernetes' broadcaster does), so
 * `kubectl get events --watch` shows Pulling → Pulled → Created → Started; failures are logged,
 * never thrown (events are best effort).
 */
export class EventRecorder {
  private tail: Promise<void> = Promise.resolve();
  private pending = 0;

  constructor(private readonly client: ApiClient, private readonly nodeName: string, private readonly log: Logger) {}

  /** Records one event about a pod (and optionally one of its containers). */
  emit(pod: Pod, type: 'Normal' | 'Warning', reason: string, message: string, container?: string): void {
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const md = pod.metadata!;
    const ev = {
      apiVersion: 'v1', kind: 'Event',
      metadata: { name: `${md.name}.${randomBytes(8).toString('hex')}`, namespace: md.namespace },
      involvedObject: { apiVersion: 'v1', kind: 'Pod', name: md.name, namespace: md.namespace, uid: md.uid, fieldPath: container ? `spec.containers{${container}}` : undefined },
      reason, message, type, count: 1, firstTimestamp: now, lastTimestamp: now,
      source: { component: 'kubelet', host: this.nodeName }, reportingComponent: 'kubelet', reportingInstance: this.nodeName,
    };
    const lost = (err: Error) => this.log.warn('event not recorded', { reason, pod: `${md.namespace}/${md.name}`, err: err.message });
    if (this.pending >= MAX_PENDING) { lost(new Error('too many events pending')); return; }
    this.pending++;
    this.tail = this.tail
      .then(() => this.client.create({ resource: 'events', namespace: md.namespace! }, ev as never))
      .then(() => undefined, lost)
      .finally(() => { this.pending--; });
  }

  /** Resolves once every event emitted so far has been posted (or given up). */
  flushed(): Promise<void> {
    return this.tail;
  }
}
