/**
 * A work queue with client-go semantics: a key waiting in the queue is stored once (dirty set),
 * a key is never handed to two workers at once (processing set; re-adds while processing are
 * parked until done()), rate-limited requeue with per-item exponential backoff, addAfter, and
 * shutDown that wakes every waiting worker.
 */

/** Per-item exponential backoff: base·2^failures, capped (client-go's ItemExponentialFailureRateLimiter). */
export class ExponentialRateLimiter {
  private readonly failures = new Map<string, number>();
  constructor(private readonly baseMs = 5, private readonly maxMs = 1000_000) {}
  /** Delay before the next retry of `key` (and counts this failure). */
  when(key: string): number {
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    return Math.min(this.baseMs * 2 ** n, this.maxMs);
  }
  /** Failures counted for `key`. */
  numRequeues(key: string): number { return this.failures.get(key) ?? 0; }
  /** Stops tracking `key` (after a success). */
  forget(key: string): void { this.failures.delete(key); }
}

/** Options of WorkQueue. */
export interface WorkQueueOptions { name?: string; rateLimiter?: ExponentialRateLimiter }

/** A rate-limited, delaying, deduplicating work queue of string keys. */
export class WorkQueue {
  private readonly queue: string[] = [];
  private readonly dirty = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly waiters: Array<(key: string | undefined) => void> = [];
  private readonly timers = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  private shutting = false;
  readonly rateLimiter: ExponentialRateLimiter;

  constructor(readonly opts: WorkQueueOptions = {}) {
    this.rateLimiter = opts.rateLimiter ?? new ExponentialRateLimiter();
  }

  /** Queues `key` unless it is already waiting; a key being processed is re-queued when done(). */
  add(key: string): void {
    if (this.shutting || this.dirty.has(key)) return;
    this.dirty.add(key);
    if (this.processing.has(key)) return;
    const waiter = this.waiters.shift();
    if (waiter) { this.dirty.delete(key); this.processing.add(key); waiter(key); return; }
    this.queue.push(key);
  }

  /** Queues `key` after `delayMs`; an earlier pending addAfter for the same key wins. */
  addAfter(key: string, delayMs: number): void {
    if (this.shutting) return;
    if (delayMs <= 0) { this.add(key); return; }
    const at = Date.now() + delayMs;
    const pending = this.timers.get(key);
    if (pending && pending.at <= at) return;
    if (pending) clearTimeout(pending.timer);
    const timer = setTimeout(() => { this.timers.delete(key); this.add(key); }, delayMs);
    this.timers.set(key, { at, timer });
  }

  /** Queues `key` after its backoff delay (each call doubles it until forget()). */
  addRateLimited(key: string): void { this.addAfter(key, this.rateLimiter.when(key)); }

  /** Resets the backoff of `key` (call after a successful sync). */
  forget(key: string): void { this.rateLimiter.forget(key); }

  /** Times `key` was requeued with addRateLimited since the last forget(). */
  numRequeues(key: string): number { return this.rateLimiter.numRequeues(key); }

  /** Next key to process (marks it processing); undefined once shut down. Call done(key) after. */
  get(): Promise<string | undefined> {
    if (this.queue.length) {
      const key = this.queue.shift()!;
      this.dirty.delete(key);
      this.processing.add(key);
      return Promise.resolve(key);
    }
    if (this.shutting) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Ends processing of `key`; if it was re-added meanwhile it goes back in the queue. */
  done(key: string): void {
    this.processing.delete(key);
    if (this.dirty.has(key)) {
      this.dirty.delete(key);
      this.add(key);
    }
  }

  /** Keys waiting (not counting ones being processed or delayed). */
  len(): number { return this.queue.length; }

  /** Stops accepting keys and wakes waiting workers with undefined; queued keys are still handed out. */
  shutDown(): void {
    this.shutting = true;
    for (const { timer } of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    for (const w of this.waiters.splice(0)) w(undefined);
  }

  /** True after shutDown(). */
  shuttingDown(): boolean { return this.shutting; }
}

/**
 * Runs `workers` loops that take keys and call `sync(key)`; a throw requeues the key rate-limited,
 * success forgets its backoff. Resolves when the queue is shut down (done on `signal` abort).
 */
export async function runWorkers(queue: WorkQueue, workers: number, sync: (key: string) => Promise<void>, signal: AbortSignal, onError?: (key: string, err: unknown) => void): Promise<void> {
  signal.addEventListener('abort', () => queue.shutDown(), { once: true });
  if (signal.aborted) queue.shutDown();
  const loop = async () => {
    for (;;) {
      const key = await queue.get();
      if (key === undefined || signal.aborted) { if (key !== undefined) queue.done(key); return; }
      try {
        await sync(key);
        queue.forget(key);
      } catch (err) {
        onError?.(key, err);
        queue.addRateLimited(key);
      } finally {
        queue.done(key);
      }
    }
  };
  await Promise.all(Array.from({ length: workers }, loop));
}
