/**
 * `kubectl port-forward` (portforward.k8s.io over SPDY/3.1, or that SPDY session tunnelled in
 * WebSocket binary messages as kubectl ≥ 1.31 sends it): for each local connection kubectl
 * opens an error stream and a data stream sharing a `requestid` and naming the `port`. The
 * kubelet dials the port inside the pod's network namespace — by running a tiny Node.js relay in
 * one of the pod's running containers through the runtime's streaming Exec (as dockershim used
 * socat/nsenter) — and copies bytes both ways; a dial failure is reported on the error stream.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Pod } from '../lib/api/types.js';
import type { CriClient } from './runtime/cri-client.js';
import { LABEL_POD_UID } from './pod-config.js';
import { SpdyConnection, type SpdyStreamHandlers } from './spdy-conn.js';
import { acceptKey, webSocketTunnel } from './websocket.js';

const PROTOCOL = 'portforward.k8s.io';
const WS_PROTOCOL = `SPDY/3.1+${PROTOCOL}`;
// Connects to 127.0.0.1:<port> in the pod and relays stdin/stdout; a failure exits 1 with the reason.
const RELAY = 'const s=require("net").connect(+process.argv[1],"127.0.0.1");process.stdin.pipe(s);s.pipe(process.stdout);' +
  's.on("error",(e)=>{process.stderr.write(e.message);process.exit(1)})';

function reject(socket: Duplex, code: number, text: string): void {
  socket.end(`HTTP/1.1 ${code} ${code === 404 ? 'Not Found' : 'Bad Request'}\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`);
}

/** Handles /portforward/<ns>/<pod>[/...] upgrades; returns false for other paths. */
export async function handlePortForwardUpgrade(req: IncomingMessage, socket: Duplex, cri: CriClient, getPod: (ns: string, name: string) => Pod | undefined): Promise<boolean> {
  const url = new URL(req.url ?? '/', 'http://kubelet');
  const [kind, ns, name] = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  if (kind?.toLowerCase() !== 'portforward' || !name) return false;
  // kubectl ≥ 1.31 tunnels the same SPDY session through a WebSocket (subprotocol SPDY/3.1+portforward.k8s.io).
  const wsKey = /^websocket$/i.test(String(req.headers.upgrade ?? '')) ? req.headers['sec-websocket-key'] : undefined;
  const wsOffered = String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((v) => v.trim());
  if (wsKey && !wsOffered.includes(WS_PROTOCOL)) { reject(socket, 400, `port-forward over WebSocket needs subprotocol ${WS_PROTOCOL}`); return true; }
  if (!wsKey && !/^spdy\//i.test(String(req.headers.upgrade ?? ''))) { reject(socket, 400, 'port-forward needs an SPDY/3.1 or WebSocket upgrade'); return true; }
  const offered = (req.headersDistinct['x-stream-protocol-version'] ?? []).flatMap((v) => v.split(',')).map((v) => v.trim());
  if (!wsKey && !offered.includes(PROTOCOL)) { reject(socket, 400, `port-forward needs stream protocol ${PROTOCOL}`); return true; }
  const pod = getPod(ns, name);
  if (!pod) { reject(socket, 404, `pod "${name}" not found`); return true; }
  const running = (await cri.call('ListContainers', { filter: { state: { state: 1 }, label_selector: { [LABEL_POD_UID]: pod.metadata!.uid! } } })).containers as Array<{ id: string }>;
  if (!running.length) { reject(socket, 400, `pod "${name}" has no running container`); return true; }
  if (wsKey) socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${acceptKey(String(wsKey))}\r\nSec-WebSocket-Protocol: ${WS_PROTOCOL}\r\n\r\n`);
  else socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: ${PROTOCOL}\r\n\r\n`);
  serveForwards(wsKey ? webSocketTunnel(socket) : socket, cri, running[0].id, pod);
  return true;
}

/** Runs the port-forward SPDY session on an upgraded byte stream. */
function serveForwards(socket: Duplex, cri: CriClient, containerId: string, pod: Pod): void {
  const name = pod.metadata!.name!;
  const pairs = new Map<string, { error?: number; data?: number; port: number; pending: Buffer[]; ended: boolean; relay?: ReturnType<CriClient['exec']> }>();
  const relays = new Set<ReturnType<CriClient['exec']>>();
  socket.on('close', () => { for (const r of relays) r.cancel(); });
  socket.on('error', () => undefined);
  const conn = new SpdyConnection(socket, (id, headers): SpdyStreamHandlers => {
    const requestId = headers.requestid?.[0] ?? String(id);
    const pair = pairs.get(requestId) ?? { port: Number(headers.port?.[0]), pending: [], ended: false };
    pairs.set(requestId, pair);
    if (headers.streamtype?.[0] === 'error') pair.error = id; else pair.data = id;
    if (pair.error !== undefined && pair.data !== undefined && !pair.relay) {
      const relay = (pair.relay = cri.exec(containerId, [process.execPath, '-e', RELAY, String(pair.port)]));
      relays.add(relay);
      for (const d of pair.pending) relay.write({ stdin_data: d });
      if (pair.ended) relay.write({ stdin_close: true });
      let stderr = '';
      relay.on('data', (m: { stdout?: Buffer; stderr?: Buffer; exited?: boolean; exit_code?: number }) => {
        if (m.stdout?.length) conn.send(pair.data!, m.stdout);
        if (m.stderr?.length) stderr += m.stderr.toString();
        if (!m.exited) return;
        relays.delete(relay);
        const failed = m.exit_code !== 0 ? `error forwarding port ${pair.port} to pod ${name}, uid ${pod.metadata!.uid}: ${stderr || `exit code ${m.exit_code}`}` : '';
        conn.send(pair.error!, Buffer.from(failed), true);
        conn.send(pair.data!, Buffer.alloc(0), true);
        pairs.delete(requestId);
      });
      relay.on('error', () => relays.delete(relay));
    }
    if (headers.streamtype?.[0] === 'error') return {};
    return {
      onData: (d) => { if (pair.relay) pair.relay.write({ stdin_data: d }); else pair.pending.push(d); },
      onEnd: () => { if (pair.relay) pair.relay.write({ stdin_close: true }); else pair.ended = true; },
    };
  });
}
