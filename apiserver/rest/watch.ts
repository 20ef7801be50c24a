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

type Next = IteratorResult<WatchEvent> | { error: unknown };

function settle(p: Promise<IteratorResult<WatchEvent>>): Promise<Next> {
  return p.then((r) => r, (error) => ({ error }));
}

/** Streams a watch to `res`; resolves when the stream has ended. Returns the HTTP status sent. */
export async function serveWatch(res: ServerResponse, stream: WatchStream): Promise<number> {
  const ac = new AbortController();
  const stop = () => ac.abort();
  res.once('close', stop);
  stream.shutdown?.addEventListener('abort', stop, { once: true });
  // timeoutSeconds=0 means "server default", as in Kubernetes.
  const timeoutMs = stream.timeoutSeconds ? stream.timeoutSeconds * 1000 : DEFAULT_TIMEOUT_MS * (1 + Math.random());
  const timer = setTimeout(stop, timeoutMs);
  const aborted = new Promise<'aborted'>((resolve) => ac.signal.addEventListener('abort', () => resolve('aborted'), { once: true }));
  let iterator: AsyncIterator<WatchEvent> | undefined;
  try {
    iterator = stream.open(ac.signal)[Symbol.asyncIterator]();
    let pending = settle(iterator.next());
    const early = await Promise.race([pending, new Promise<'wait'>((r) => setTimeout(() => r('wait'), EARLY_ERROR_WINDOW_MS))]);
    if (early !== 'wait' && 'error' in early && !isApiError(early.error, 'Gone')) return sendError(res, early.error);
    res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
    res.flushHeaders();
    for (;;) {
      const next = await Promise.race([pending, aborted]);
      if (next === 'aborted') break;
      if ('error' in next) {
        if (!ac.signal.aborted) await write(res, JSON.stringify({ type: 'ERROR', object: toApiError(next.error).toStatus() }) + '\n', ac.signal);
        break;
      }
      if (next.done) break;
      const line = stream.encode(next.value);
      if (line !== undefined && !(await write(res, line.endsWith('\n') ? line : line + '\n', ac.signal))) break;
      pending = settle(iterator.next());
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
async function write(res: ServerResponse, line: string, signal: AbortSignal): Promise<boolean> {
  if (res.destroyed || res.writableEnded) return false;
  if (res.write(line)) return true;
  try {
    await once(res, 'drain', { signal });
    return true;
  } catch {
    return false;
  }
}

// Serialized events shared between watchers: the same event reaches every watcher of a resource,
// and type + uid + resourceVersion identify its content. Saves one
// JSON.stringify per watcher on fan-out (Kubernetes caches serializations the same way).
const SHARED_LINES = new Map<string, string>();
const SHARED_LINES_MAX = 1024;

/** The JSON line (newline included) of a plain (object-representation) watch event, serialized once for all watchers. */
export function sharedEventLine(ev: WatchEvent): string {
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
