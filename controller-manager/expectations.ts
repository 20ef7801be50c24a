/**
 * Controller expectations (as Kubernetes' ControllerExpectations): after a controller issues N
 * creates or deletes it waits to observe them in its cache before acting on that owner again,
 * so a stale cache never makes it double-create. Expectations expire after 5 minutes.
 */
const TTL_MS = 5 * 60_000;

interface Expectation { add: number; del: number; at: number }

/** Pending creates/deletes per owner key. */
export class Expectations {
  private readonly items = new Map<string, Expectation>();

  /** Records that `adds` creates and `dels` deletes were issued for key. */
  expect(key: string, adds: number, dels: number): void {
    this.items.set(key, { add: adds, del: dels, at: Date.now() });
  }

  /** One create (by a pod add event) observed. */
  creationObserved(key: string): void { this.lower(key, 'add'); }
  /** One delete observed. */
  deletionObserved(key: string): void { this.lower(key, 'del'); }

  /** True when nothing is pending (or the expectation expired) — the owner may be synced. */
  satisfied(key: string): boolean {
    const e = this.items.get(key);
    if (!e) return true;
    if ((e.add <= 0 && e.del <= 0) || Date.now() - e.at > TTL_MS) return true;
    return false;
  }

  /** Forgets key (owner deleted). */
  delete(key: string): void { this.items.delete(key); }

  private lower(key: string, f: 'add' | 'del'): void {
    const e = this.items.get(key);
    if (e) e[f]--;
  }
}
