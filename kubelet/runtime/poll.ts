/** Waits for a condition by polling, up to a deadline (runtime-internal, e.g. a shim's pid file). */
import { setTimeout as sleep } from 'node:timers/promises';

/** Polls `check` every `intervalMs` until it is true or `timeoutMs` passed; returns whether it became true. */
export async function pollUntil(check: () => boolean, timeoutMs: number, intervalMs = 5, signal?: AbortSignal): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (check()) return true;
    if (Date.now() >= deadline || signal?.aborted) return false;
    await sleep(intervalMs);
  }
}
