/**
 * A per-watcher queue between a producer (the watch cache, an etcd watch) and an async consumer.
 * Bounded: a watcher that falls too far behind is closed (the client re-watches from its last
 * resourceVersion), as Kubernetes' cacheWatcher does, so one slow client cannot hold memory.
 */

/** Push side + async-iterable pull side of one watcher. */
export class EventQueue<T> implements AsyncIterable<T> {
  private items: T[] = [];
  private head = 0;
  private wake?: () => void;
  private done = false;
  private error?: unknown;
  /** Called once when the consumer stops (abort, error, overflow, end). */
  onClose?: () => void;

  private readonly detach?: () => void;

  constructor(private maxBuffered = 10_000, signal?: AbortSignal) {
    if (signal?.aborted) { this.done = true; return; }
    const onAbort = () => this.end();
    signal?.addEventListener('abort', onAbort, { once: true });
    this.detach = () => signal?.removeEventListener('abort', onAbort);
  }

  /** Queues one item; closes the queue when the consumer has fallen behind. */
  push(item: T): void {
    if (this.done) return;
    if (this.items.length - this.head >= this.maxBuffered) { this.end(); return; }
    this.items.push(item);
    this.wake?.();
  }

  /** Makes room for `n` more queued items (a watch's initial state must not count as falling behind). */
  allow(n: number): void { this.maxBuffered += n; }

  /** Ends the stream after the queued items. */
  end(): void {
    if (this.done) return;
    this.done = true;
    this.detach?.();
    this.wake?.();
    this.onClose?.();
  }

  /** Ends the stream with an error thrown to the consumer after the queued items. */
  fail(err: unknown): void {
    if (this.done) return;
    this.error = err;
    this.end();
  }

  get closed(): boolean { return this.done; }

  /**
   * A hand-written iterator rather than an async generator: every event reaches every watcher,
   * and a generator costs several promise hops per item where this resolves the waiting next()
   * directly from push(). return() (the consumer stopping) ends the queue, as a generator's finally did.
   */
  [Symbol.asyncIterator](): AsyncIterator<T> {
    const q = this;
    return {
      next(): Promise<IteratorResult<T>> {
        try {
          const r = q.take();
          if (r) return Promise.resolve(r);
        } catch (err) {
          return Promise.reject(err);
        }
        return new Promise<IteratorResult<T>>((resolve, reject) => {
          const wake = () => {
            try {
              const r = q.take();
              if (r) { q.wake = undefined; resolve(r); }
            } catch (err) {
              q.wake = undefined;
              reject(err);
            }
          };
          q.wake = wake;
        });
      },
      return(): Promise<IteratorResult<T>> {
        q.end();
        return Promise.resolve({ done: true, value: undefined });
      },
    };
  }

  /** The next result when one is ready now (an item, or the end), else undefined; throws the queue's error at its end. */
  private take(): IteratorResult<T> | undefined {
    if (this.head < this.items.length) {
      const item = this.items[this.head++];
      // compact the array now and then so a long-lived watch does not grow it forever
      if (this.head > 1024 && this.head * 2 > this.items.length) { this.items = this.items.slice(this.head); this.head = 0; }
      return { done: false, value: item };
    }
    if (!this.done) return undefined;
    if (this.error) { const err = this.error; this.error = undefined; throw err; }
    return { done: true, value: undefined };
  }
}
