/**
 * Watch streaming over HTTP: a chunked application/json stream with one `{"type","object"}` line
 * per event, flushed per event. Ends on timeoutSeconds or when the client goes away. A Gone (410)
 * during the watch is sent in-stream as an ERROR event carrying a Status, as Kubernetes does.
 */
import type { ServerResponse } from 'node:http';
import { once } from 'node:events';
import { isApiError } from '../../lib/errors.js';
import type { WatchEvent } from '../registry/types.js';
import { sendError, toApiError } from './respond.js';

/** Default server-side watch timeout range (Kubernetes: --min-request-timeout 1800s, randomised up to 2x). */
const DEFAULT_TIMEOUT_MS = 1800_000;

// How long we wait for the first event before committing to a 200: lets immediate errors
// (bad selector, unknown namespace) still be answered as a plain error response.
const EARLY_ERROR_WINDOW_MS = 30;

/** What the handler passes to `serveWatch`. */
export interface WatchStream {
  /** Starts the registry watch; called once with a signal that aborts when the stream ends. */
  open(signal: AbortSignal): AsyncIterable<WatchEvent>;
  /** Serializes each event to its JSON line (e.g. as a Table row; the newline is added when missing); undefined drops it. */
  encode(ev: WatchEvent): string | undefined;
  timeoutSeconds?: number;
  /** Aborts when the server shuts down: open watches end cleanly instead of holding close(). */
  shutdown?: AbortSignal;
}

type Next = IteratorResult<WatchEvent> | { error: unknown } | 'aborted';

/** Streams a watch to `res`; resolves when the stream has ended. Returns the HTTP status sent. */
export async function serveWatch(res: ServerResponse, stream: WatchStream): Promise<number> {
  const ac = new AbortController();
  const stop = () => ac.abort();
  res.once('close', stop);
  stream.shutdown?.addEventListener('abort', stop, { once: true });
  // timeoutSeconds=0 means "server default", as in Kubernetes.
  const timeoutMs = stream.timeoutSeconds ? stream.timeoutSeconds * 1000 : DEFAULT_TIMEOUT_MS * (1 + Math.random());
  const timer = setTimeout(stop, timeoutMs);
  // The wait for the next event also ends on abort (an iterator may only notice it on its next event).
  // One resolver slot, not Promise.race against a long-lived promise: that would keep a reaction per event.
  let wakeOnAbort: ((r: Next) => void) | undefined;
  ac.signal.addEventListener('abort', () => wakeOnAbort?.('aborted'), { once: true });
  let iterator: AsyncIterator<WatchEvent> | undefined;
  const nextEvent = (): Promise<Next> => {
    if (ac.signal.aborted) return Promise.resolve('aborted');
    return new Promise<Next>((resolve) => {
      wakeOnAbort = resolve;
      iterator!.next().then(resolve, (error: unknown) => resolve({ error }));
    });
  };
  try {
    iterator = stream.open(ac.signal)[Symbol.asyncIterator]();
    let pending = nextEvent();
    const early = await Promise.race([pending, new Promise<'wait'>((r) => setTimeout(() => r('wait'), EARLY_ERROR_WINDOW_MS))]);
    if (early !== 'wait' && early !== 'aborted' && 'error' in early && !isApiError(early.error, 'Gone')) return sendError(res, early.error);
    res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
    res.flushHeaders();
    for (;;) {
      const next = await pending;
      if (next === 'aborted') break;
      if ('error' in next) {
        if (!ac.signal.aborted) await write(res, JSON.stringify({ type: 'ERROR', object: toApiError(next.error).toStatus() }) + '\n', ac.signal);
        break;
      }
      if (next.done) break;
      const line = stream.encode(next.value);
      if (line !== undefined) {
        const ok = write(res, line.endsWith('\n') ? line : line + '\n', ac.signal);
        if (ok === false || (ok !== true && !(await ok))) break;
      }
      pending = nextEvent();
    }
    if (!res.writableEnded && !res.destroyed) res.end();
    return 200;
  } catch (err) {
    return sendError(res, err);
  } finally {
    clearTimeout(timer);
    res.off('close', stop);
    stream.shutdown?.removeEventListener('abort', stop);
    ac.abort();
    // Do not await: an iterator blocked in next() may only notice the abort on its next event.
    void iterator?.return?.().catch(() => undefined);
  }
}

/** Writes one event line (with its newline); waits for 'drain' under backpressure. False when the client is gone. */
function write(res: ServerResponse, line: string, signal: AbortSignal): boolean | Promise<boolean> {
  if (res.destroyed || res.writableEnded) return false;
  if (res.write(line)) return true;
  return once(res, 'drain', { signal }).then(() => true, () => false);
}

// Serialized events shared between watchers: the same event reaches every watcher of a resource,
// and type + uid + resourceVersion identify its content. Saves one
// JSON.stringify per watcher on fan-out (Kubernetes caches serializations the same way).
const SHARED_LINES = new Map<string, string>();
const SHARED_LINES_MAX = 1024;
// The watch cache hands the watchers of one live event the same object: found by identity first,
// without building the key string per watcher.
const LINES_BY_OBJECT = new WeakMap<object, { type: string; line: string }>();

/** The JSON line (newline included) of a plain (object-representation) watch event, serialized once for all watchers. */
export function sharedEventLine(ev: WatchEvent): string {
  const known = LINES_BY_OBJECT.get(ev.object);
  if (known !== undefined && known.type === ev.type) return known.line;
  const line = sharedLineByKey(ev);
  LINES_BY_OBJECT.set(ev.object, { type: ev.type, line });
  return line;
}

function sharedLineByKey(ev: WatchEvent): string {
  const meta = ev.object.metadata;
  if (!meta?.resourceVersion) return JSON.stringify(ev) + '\n';
  const key = `${ev.type}/${meta.uid ?? ''}/${meta.namespace ?? ''}/${meta.name ?? ''}/${meta.resourceVersion}`;
  let line = SHARED_LINES.get(key);
  if (line === undefined) {
    line = JSON.stringify(ev) + '\n';
    if (SHARED_LINES.size >= SHARED_LINES_MAX) SHARED_LINES.delete(SHARED_LINES.keys().next().value as string);
    SHARED_LINES.set(key, line);
  }
  return line;
}
