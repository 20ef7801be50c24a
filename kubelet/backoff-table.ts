/**
 * Per-key restart back-off as the kubelet keeps it (flowcontrol.Backoff): the first retry is
 * immediate, then base, 2×base, ... up to max, measured from the last failure.
 */

/** Back-off state per key (pod uid / container name). */
export class BackoffTable {
  private readonly entries = new Map<string, { delayMs: number; at: number }>();
  constructor(private readonly baseMs: number, private readonly maxMs: number) {}

  /** Current delay for the key (0 before the first failure). */
  delay(key: string): number { return this.entries.get(key)?.delayMs ?? 0; }

  /** When the key last moved to its next step (ms epoch), 0 if never. */
  lastAt(key: string): number { return this.entries.get(key)?.at ?? 0; }

  /** Milliseconds still to wait after a failure at `sinceMs` before retrying. */
  remaining(key: string, sinceMs: number): number {
    const e = this.entries.get(key);
    if (!e) return 0;
    return Math.max(0, sinceMs + e.delayMs - Date.now());
  }

  /** Records a retry: the next wait doubles (starting at base). */
  next(key: string): void {
    const e = this.entries.get(key);
    this.entries.set(key, { delayMs: e ? Math.min(this.maxMs, Math.max(this.baseMs, e.delayMs * 2)) : this.baseMs, at: Date.now() });
  }

  /** Forgets a key (success). */
  reset(key: string): void { this.entries.delete(key); }

  /** Forgets all keys with a prefix (a deleted pod). */
  dropPrefix(prefix: string): void {
    for (const k of this.entries.keys()) if (k.startsWith(prefix)) this.entries.delete(k);
  }
}
