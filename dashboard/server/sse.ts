/**
 * The live stream to one browser as Server-Sent Events: a `snapshot` event with every slim view,
 * then a `delta` event per hub batch. A comment line every 15 s keeps proxies from closing an
 * idle stream. EventSource reconnects by itself and gets a fresh snapshot.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ClusterHub } from './hub.js';

const KEEPALIVE_MS = 15_000;
/** A browser this far behind is cut off; EventSource reconnects and starts from a fresh snapshot. */
const MAX_BUFFERED = 16 << 20;

/** Encodes one SSE message (data is JSON on one line, so no multi-line splitting is needed). */
export function sseMessage(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** Serves the stream until the browser leaves or `signal` aborts. */
export function serveStream(hub: ClusterHub, req: IncomingMessage, res: ServerResponse, signal: AbortSignal): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
  const { snapshot, unsubscribe } = hub.subscribe((d) => {
    if (res.writableLength > MAX_BUFFERED) { end(); return; }
    res.write(sseMessage('delta', d));
  });
  res.write('retry: 1000\n');
  res.write(sseMessage('snapshot', { objects: snapshot, network: hub.network(), connections: hub.connections(), synced: hub.synced(), at: Date.now() }));
  const keepalive = setInterval(() => res.write(': keepalive\n\n'), KEEPALIVE_MS);
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    clearInterval(keepalive);
    unsubscribe();
    signal.removeEventListener('abort', end);
    res.end();
  };
  req.on('close', end);
  signal.addEventListener('abort', end, { once: true });
}
