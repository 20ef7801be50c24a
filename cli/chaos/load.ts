/**
 * Background load a scenario runs while it does chaos: an HTTP probe against a Service's
 * NodePort on one node (records every failure streak, so "no request failed for longer than
 * 5 s" can be judged), and a set of watchers on ConfigMaps that reconnect as clients do
 * (resume from the last resourceVersion, re-list on 410) and remember which names they saw.
 */

/** An HTTP probe's record: outages as [start, end) in ms since epoch (end undefined = ongoing). */
export class HttpProbe {
  readonly outages: { start: number; end?: number }[] = [];
  ok = 0;
  failed = 0;
  lastOk = false;

  constructor(readonly name: string, readonly url: string, private readonly intervalMs: number, private readonly timeoutMs = 3000) {}

  /** Probes until signal aborts. */
  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const started = Date.now();
      const good = await fetch(this.url, { signal: AbortSignal.any([signal, AbortSignal.timeout(this.timeoutMs)]) })
        .then(async (r) => { await r.arrayBuffer(); return r.ok; }, () => false);
      if (signal.aborted) return;
      this.note(good, started);
      await sleep(this.intervalMs - (Date.now() - started), signal);
    }
  }

  /** Records one result (at its start time: a timed-out request failed from when it was sent). */
  note(good: boolean, at: number): void {
    const open = this.outages.at(-1);
    if (good) {
      this.ok++;
      if (open && open.end === undefined) open.end = at;
    } else {
      this.failed++;
      if (!open || open.end !== undefined) this.outages.push({ start: at });
    }
    this.lastOk = good;
  }

  /** Longest failure streak in ms (an ongoing one counts up to now). */
  longestOutageMs(now = Date.now()): number {
    return Math.max(0, ...this.outages.map((o) => (o.end ?? now) - o.start));
  }
}

/** Watchers on the ConfigMaps of a namespace. */
export class WatchLoad {
  readonly seen: Set<string>[] = [];
  reconnects = 0;

  constructor(readonly name: string, private readonly apiURL: string, private readonly namespace: string, readonly watchers: number) {
    for (let i = 0; i < watchers; i++) this.seen.push(new Set());
  }

  /** Runs every watcher until signal aborts. */
  async run(signal: AbortSignal): Promise<void> {
    await Promise.all(this.seen.map((seen) => this.watchOne(seen, signal)));
  }

  /** How many watchers have seen ConfigMap `name`. */
  sawCount(name: string): number { return this.seen.filter((s) => s.has(name)).length; }

  private async watchOne(seen: Set<string>, signal: AbortSignal): Promise<void> {
    const base = `${this.apiURL}/api/v1/namespaces/${this.namespace}/configmaps`;
    let rv = '';
    for (let attempt = 0; !signal.aborted; attempt++) {
      try {
        if (!rv) {
          const list = await (await fetch(base, { signal })).json() as { metadata?: { resourceVersion?: string }; items?: { metadata: { name: string } }[] };
          for (const item of list.items ?? []) seen.add(item.metadata.name);
          rv = list.metadata?.resourceVersion ?? '';
        }
        const res = await fetch(`${base}?watch=1&allowWatchBookmarks=true&resourceVersion=${rv}`, { signal });
        if (!res.ok || !res.body) throw new Error(`watch HTTP ${res.status}`);
        attempt = 0;
        let buf = '';
        for await (const chunk of res.body.pipeThrough(new TextDecoderStream())) {
          buf += chunk;
          let nl: number;
          while ((nl = buf.indexOf('\n')) >= 0) {
            const line = buf.slice(0, nl); buf = buf.slice(nl + 1);
            if (!line.trim()) continue;
            const ev = JSON.parse(line) as { type: string; object: { code?: number; metadata?: { name?: string; resourceVersion?: string } } };
            if (ev.type === 'ERROR') { if (ev.object.code === 410) rv = ''; throw new Error(`watch error ${ev.object.code}`); }
            if (ev.object.metadata?.resourceVersion) rv = ev.object.metadata.resourceVersion;
            if (ev.type !== 'BOOKMARK' && ev.object.metadata?.name) seen.add(ev.object.metadata.name);
          }
        }
      } catch { /* reconnect below */ }
      if (signal.aborted) return;
      this.reconnects++;
      await sleep(Math.min(2000, 100 * 2 ** attempt) * (0.5 + Math.random() / 2), signal);
    }
  }
}

/** Sleeps ms (≤ 0 returns at once), waking early when signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0 || signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done(): void { clearTimeout(t); signal?.removeEventListener('abort', done); resolve(); }
    signal?.addEventListener('abort', done, { once: true });
  });
}
