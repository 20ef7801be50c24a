/** Abortable waiting and retry helpers for flanneld's loops. */

/** Resolves after ms, or early (without throwing) when signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done(): void { clearTimeout(t); signal?.removeEventListener('abort', done); resolve(); }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Exponential backoff with full jitter: attempt 0 → up to base ms, capped at cap ms. */
export function backoff(attempt: number, base = 200, cap = 10_000): number {
  return Math.random() * Math.min(cap, base * 2 ** Math.min(attempt, 16));
}
