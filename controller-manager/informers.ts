/**
 * One shared informer per resource for every controller of the process (as client-go's
 * SharedInformerFactory): controllers ask for what they watch; start() runs them all.
 */
import type { KObject } from '../lib/api/object.js';
import type { ApiClient, ResourceTarget } from '../lib/client/api-client.js';
import { SharedInformer } from '../lib/client/informer.js';

/** Shares informers by group/resource. */
export class InformerFactory {
  private readonly informers = new Map<string, SharedInformer>();
  private signal?: AbortSignal;

  constructor(private readonly client: ApiClient) {}

  /** The informer for a resource, created on first use (and started if the factory already runs). */
  informer<T extends KObject = KObject>(target: ResourceTarget): SharedInformer<T> {
    const key = `${target.group ?? ''}/${target.resource}`;
    let inf = this.informers.get(key);
    if (!inf) {
      inf = new SharedInformer(this.client, { group: target.group, version: target.version, resource: target.resource });
      this.informers.set(key, inf);
      if (this.signal) void inf.run(this.signal);
    }
    return inf as unknown as SharedInformer<T>;
  }

  /** Runs every informer until signal aborts. */
  start(signal: AbortSignal): void {
    this.signal = signal;
    for (const inf of this.informers.values()) void inf.run(signal);
  }

  /** Resolves once every informer has listed once (or rejects when signal aborts). */
  async waitForSync(signal: AbortSignal): Promise<void> {
    while (![...this.informers.values()].every((i) => i.hasSynced())) {
      if (signal.aborted) throw new Error('aborted before caches synced');
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}
