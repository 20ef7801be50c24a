/** Exponential backoff with a cap and jitter, and an abortable sleep: what every retry loop here uses. */

/** Backoff options: delays grow initialMs·factor^n up to maxMs, each with up to `jitter`×delay added at random. */
export interface BackoffOptions { initialMs?: number; maxMs?: number; factor?: number; jitter?: number }

/** Exponential backoff with cap and jitter (client-go's reflector uses 800 ms → 30 s, factor 2, jitter 1). */
export class Backoff {
  private current: number;
  private readonly initialMs: number;
  private readonly maxMs: number;
  private readonly factor: number;
  private readonly jitter: number;

  constructor(opts: BackoffOptions = {}) {
    this.initialMs = opts.initialMs ?? 800;
    this.maxMs = opts.maxMs ?? 30_000;
    this.factor = opts.factor ?? 2;
    this.jitter = opts.jitter ?? 1;
    this.current = this.initialMs;
  }

  /** The next delay (ms), then grows the base for the one after. */
  next(): number {
    const base = this.current;
    this.current = Math.min(this.current * this.factor, this.maxMs);
    return Math.min(base + Math.random() * this.jitter * base, this.maxMs * (1 + this.jitter));
  }

  /** Back to the initial delay (after a success). */
  reset(): void { this.current = this.initialMs; }
}

/** Resolves after `ms` or as soon as `signal` aborts (never rejects). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) { resolve(); return; }
    const done = () => { clearTimeout(timer); signal?.removeEventListener('abort', done); resolve(); };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
