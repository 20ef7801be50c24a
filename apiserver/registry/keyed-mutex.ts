/** A mutex per key: callers with the same key run one after the other, other keys in parallel. */
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<unknown>>();

  /** Runs `fn` once every earlier holder of `key` has finished. */
  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.tails.get(key) ?? Promise.resolve();
    const mine = prev.then(fn, fn);
    const tail = mine.catch(() => undefined);
    this.tails.set(key, tail);
    try {
      return await mine;
    } finally {
      // Forget the key once nobody queued behind us, so the map does not grow with namespaces.
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}
