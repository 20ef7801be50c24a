/**
 * Reflector: keeps a sink in step with the apiserver by List then Watch (client-go's reflector).
 * The watch resumes from the last resourceVersion seen (events and bookmarks); a 410 Gone (the
 * revision was compacted) re-lists at once; other failures retry with capped, jittered backoff.
 */
import type { KObject } from '../api/object.js';
import { isApiError } from '../errors.js';
import type { ApiClient, ResourceTarget } from './api-client.js';
import { Backoff, sleep, type BackoffOptions } from './backoff.js';
import { clientLog } from './log.js';

/** Where a reflector delivers what it sees. */
export interface ReflectorSink<T extends KObject = KObject> {
  /** The full state after a (re-)list, with its resourceVersion. */
  replace(items: T[], resourceVersion: string): void;
  add(obj: T): void;
  update(obj: T): void;
  delete(obj: T): void;
}

/** Options of a Reflector. */
export interface ReflectorOptions {
  labelSelector?: string;
  fieldSelector?: string;
  /** List page size (0 = no paging). Default 500. */
  pageSize?: number;
  backoff?: BackoffOptions;
}

/** Lists and watches one resource into a sink until its signal aborts. */
export class Reflector<T extends KObject = KObject> {
  private rv: string | undefined;
  private readonly backoff: Backoff;
  /** How many times the reflector has listed (first sync + re-lists). */
  listCount = 0;

  constructor(private readonly client: ApiClient, private readonly target: ResourceTarget, private readonly sink: ReflectorSink<T>, private readonly opts: ReflectorOptions = {}) {
    this.backoff = new Backoff(opts.backoff);
  }

  /** The resourceVersion the reflector last synced to. */
  lastSyncResourceVersion(): string | undefined { return this.rv; }

  /** Runs until `signal` aborts; never throws. */
  async run(signal: AbortSignal): Promise<void> {
    const what = `${this.target.resource}${this.target.group ? `.${this.target.group}` : ''}`;
    while (!signal.aborted) {
      try {
        if (this.rv === undefined) await this.list(signal);
        // the server may end a stream cleanly (shutdown, timeout): watch again from where we are,
        // after a backoff if it brought nothing, so a server that keeps closing is not hammered
        if ((await this.watch(signal)) === 0) await sleep(this.backoff.next(), signal);
      } catch (err) {
        if (signal.aborted) return;
        if (isApiError(err, 'Gone')) {
          clientLog('info', 'watch expired, re-listing', { resource: what, resourceVersion: this.rv });
          this.rv = undefined;
          continue;
        }
        const delay = this.backoff.next();
        clientLog('warn', 'list/watch failed, retrying', { resource: what, error: (err as Error).message, delayMs: Math.round(delay) });
        await sleep(delay, signal);
      }
    }
  }

  private async list(signal: AbortSignal): Promise<void> {
    const items: T[] = [];
    let cont: string | undefined;
    let rv = '';
    const limit = this.opts.pageSize ?? 500;
    do {
      const page = await this.client.list<T>(this.target, { labelSelector: this.opts.labelSelector, fieldSelector: this.opts.fieldSelector, limit: limit || undefined, continue: cont, signal });
      if (!cont) rv = page.metadata.resourceVersion ?? '';
      items.push(...page.items);
      cont = page.metadata.continue || undefined;
    } while (cont && !signal.aborted);
    if (signal.aborted) return;
    this.listCount++;
    this.sink.replace(items, rv);
    this.rv = rv;
    this.backoff.reset();
  }

  /** Watches until the stream ends; returns how many events arrived. */
  private async watch(signal: AbortSignal): Promise<number> {
    let count = 0;
    const events = this.client.watch<T>(this.target, {
      labelSelector: this.opts.labelSelector, fieldSelector: this.opts.fieldSelector,
      resourceVersion: this.rv, allowBookmarks: true, signal,
    });
    for await (const ev of events) {
      const rv = ev.object.metadata?.resourceVersion;
      switch (ev.type) {
        case 'ADDED': this.sink.add(ev.object); break;
        case 'MODIFIED': this.sink.update(ev.object); break;
        case 'DELETED': this.sink.delete(ev.object); break;
        default: break; // BOOKMARK: only the resourceVersion moves
      }
      if (rv) this.rv = rv;
      this.backoff.reset();
      count++;
    }
    return count;
  }
}
