/**
 * The scheduling queue, after kube-scheduler's PriorityQueue: an active queue ordered by
 * priority then arrival, a backoff queue (per-pod exponential backoff, 1 s doubling to 10 s)
 * and an unschedulable set. Cluster events (node added/updated, pod deleted) move
 * unschedulable pods back; leftovers are retried after `unschedulableTimeoutMs` (60 s).
 */
import { podKey, type Pod } from '../framework/types.js';
import { KeyedHeap } from './heap.js';

/** A pod in the queue with its bookkeeping. */
export interface QueuedPod {
  pod: Pod;
  key: string;
  /** When the pod first entered the queue (orders equal priorities). */
  timestamp: number;
  /** Scheduling attempts so far (drives the backoff). */
  attempts: number;
  /** When the pod last failed (start of its backoff and of its unschedulable wait). */
  lastFailure: number;
  /** The scheduling cycle in which the pod was popped. */
  cycle: number;
}

/** Timing knobs (defaults as the issue asks); the clock is injectable for tests. */
export interface QueueOptions {
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  unschedulableTimeoutMs?: number;
  now?: () => number;
}

const priority = (p: Pod) => p.spec.priority ?? 0;

/** Active, backoff and unschedulable queues with Kubernetes' move rules. */
export class SchedulingQueue {
  private readonly active = new KeyedHeap<QueuedPod>((q) => q.key, (a, b) => priority(a.pod) > priority(b.pod) || (priority(a.pod) === priority(b.pod) && a.timestamp < b.timestamp));
  private readonly backoff = new KeyedHeap<QueuedPod>((q) => q.key, (a, b) => this.backoffExpiry(a) < this.backoffExpiry(b));
  private readonly unschedulable = new Map<string, QueuedPod>();
  /** Popped pods not yet finished: updates and deletes seen meanwhile land here. */
  private readonly inFlight = new Map<string, { pod: Pod | null }>();
  private schedulingCycle = 0;
  private moveRequestCycle = -1;
  private waiters: (() => void)[] = [];
  private readonly initialBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly unschedulableTimeoutMs: number;
  private readonly now: () => number;

  constructor(opts: QueueOptions = {}) {
    this.initialBackoffMs = opts.initialBackoffMs ?? 1000;
    this.maxBackoffMs = opts.maxBackoffMs ?? 10_000;
    this.unschedulableTimeoutMs = opts.unschedulableTimeoutMs ?? 60_000;
    this.now = opts.now ?? Date.now;
  }

  /** Sizes of the three queues (metrics, tests). */
  get lengths(): { active: number; backoff: number; unschedulable: number } {
    return { active: this.active.size, backoff: this.backoff.size, unschedulable: this.unschedulable.size };
  }

  /** Adds a new unscheduled pod to the active queue. */
  add(pod: Pod): void {
    const key = podKey(pod);
    if (this.inFlight.has(key)) { this.inFlight.get(key)!.pod = pod; return; }
    const existing = this.find(key);
    if (existing) { this.update(pod); return; }
    this.active.push({ pod, key, timestamp: this.now(), attempts: 0, lastFailure: 0, cycle: 0 });
    this.wake();
  }

  /** A queued pod changed: keep its place, but an unschedulable pod gets another try (its spec may now fit). */
  update(pod: Pod): void {
    const key = podKey(pod);
    const flying = this.inFlight.get(key);
    if (flying) { flying.pod = pod; return; }
    const inActive = this.active.get(key);
    if (inActive) { this.active.push({ ...inActive, pod }); return; }
    const inBackoff = this.backoff.get(key);
    if (inBackoff) { this.backoff.push({ ...inBackoff, pod }); return; }
    const parked = this.unschedulable.get(key);
    if (parked) {
      this.unschedulable.delete(key);
      this.requeue({ ...parked, pod });
      return;
    }
    this.add(pod);
  }

  /** Replaces the queued object of a pod (e.g. after a status-only change) without moving it or granting a retry. */
  refresh(pod: Pod): void {
    const key = podKey(pod);
    const flying = this.inFlight.get(key);
    if (flying) { if (flying.pod) flying.pod = pod; return; }
    const inActive = this.active.get(key);
    if (inActive) { this.active.push({ ...inActive, pod }); return; }
    const inBackoff = this.backoff.get(key);
    if (inBackoff) { this.backoff.push({ ...inBackoff, pod }); return; }
    const parked = this.unschedulable.get(key);
    if (parked) this.unschedulable.set(key, { ...parked, pod });
  }

  /** Removes a pod from wherever it is (deleted, or bound by someone else). */
  delete(pod: Pod): void {
    const key = podKey(pod);
    const flying = this.inFlight.get(key);
    if (flying) flying.pod = null;
    this.active.delete(key);
    this.backoff.delete(key);
    this.unschedulable.delete(key);
  }

  /** Waits for the highest-priority active pod; resolves undefined when `signal` aborts. */
  async pop(signal: AbortSignal): Promise<QueuedPod | undefined> {
    while (!signal.aborted) {
      const next = this.active.pop();
      if (next) {
        this.schedulingCycle++;
        const popped = { ...next, attempts: next.attempts + 1, cycle: this.schedulingCycle };
        this.inFlight.set(popped.key, { pod: popped.pod });
        return popped;
      }
      await new Promise<void>((resolve) => {
        const onAbort = () => resolve();
        signal.addEventListener('abort', onAbort, { once: true });
        this.waiters.push(() => { signal.removeEventListener('abort', onAbort); resolve(); });
      });
    }
    return undefined;
  }

  /** The popped pod was scheduled (or handed to binding): forget it. */
  done(key: string): void {
    this.inFlight.delete(key);
  }

  /**
   * The popped pod failed. If a cluster event arrived since it was popped, it goes to backoff
   * (the event may have made it fit); otherwise it waits in the unschedulable set. `error`
   * failures always back off.
   */
  addUnschedulable(q: QueuedPod, error = false): void {
    const flying = this.inFlight.get(q.key);
    this.inFlight.delete(q.key);
    if (flying && flying.pod === null) return;
    const latest: QueuedPod = { ...q, pod: flying?.pod ?? q.pod, lastFailure: this.now() };
    if (error || this.moveRequestCycle >= q.cycle) this.backoff.push(latest);
    else this.unschedulable.set(q.key, latest);
  }

  /** A cluster event that may make pods fit (node add/update, pod delete): move every unschedulable pod on. */
  moveAllToActiveOrBackoff(_event: string): void {
    for (const q of this.unschedulable.values()) this.requeue(q);
    this.unschedulable.clear();
    this.moveRequestCycle = this.schedulingCycle;
  }

  /** Moves backoff pods whose backoff expired to the active queue. */
  flushBackoffCompleted(): void {
    const now = this.now();
    let moved = false;
    for (let top = this.backoff.peek(); top && this.backoffExpiry(top) <= now; top = this.backoff.peek()) {
      this.active.push(this.backoff.pop()!);
      moved = true;
    }
    if (moved) this.wake();
  }

  /** Retries pods that stayed unschedulable longer than the timeout, even without an event. */
  flushUnschedulableLeftover(): void {
    const now = this.now();
    for (const [key, q] of this.unschedulable) {
      if (now - q.lastFailure >= this.unschedulableTimeoutMs) {
        this.unschedulable.delete(key);
        this.requeue(q);
      }
    }
  }

  /** Runs the periodic flushes (backoff each second, leftovers every 30 s) until `signal` aborts. */
  run(signal: AbortSignal): void {
    const backoffTimer = setInterval(() => this.flushBackoffCompleted(), 1000);
    const leftoverTimer = setInterval(() => this.flushUnschedulableLeftover(), 30_000);
    signal.addEventListener('abort', () => { clearInterval(backoffTimer); clearInterval(leftoverTimer); this.wake(); }, { once: true });
  }

  /** The backoff a pod gets after `attempts` tries: initial × 2^(attempts−1), capped. */
  backoffDuration(attempts: number): number {
    let d = this.initialBackoffMs;
    for (let i = 1; i < attempts && d < this.maxBackoffMs; i++) d *= 2;
    return Math.min(d, this.maxBackoffMs);
  }

  private backoffExpiry(q: QueuedPod): number {
    return q.lastFailure + this.backoffDuration(q.attempts);
  }

  private requeue(q: QueuedPod): void {
    if (this.backoffExpiry(q) > this.now()) this.backoff.push(q);
    else { this.active.push(q); this.wake(); }
  }

  private find(key: string): QueuedPod | undefined {
    return this.active.get(key) ?? this.backoff.get(key) ?? this.unschedulable.get(key);
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
}
