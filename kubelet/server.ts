/**
 * The kubelet's HTTP server (port 10250 in Kubernetes), for the apiserver's log proxy and for
 * metrics collection: GET /healthz, /pods, /containerLogs/<ns>/<pod>/<container>
 * (?follow, tailLines, timestamps, previous, sinceSeconds, limitBytes), /stats/summary, and
 * /exec/<ns>/<pod>/<container> and /attach/<ns>/<pod>/<container> as a WebSocket or SPDY
 * (exec-stream.ts, exec-spdy.ts), and /portforward/<ns>/<pod> over SPDY, plain or tunnelled in a
 * WebSocket (portforward-spdy.ts).
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { existsSync, readFileSync, readdirSync, statSync, createReadStream } from 'node:fs';
import { join } from 'node:path';
import type { Pod } from '../lib/api/types.js';
import type { CriClient } from './runtime/cri-client.js';
import { renderCriLog, type LogOptions } from './cri-log.js';
import { podLogDir, LABEL_POD_UID, LABEL_CONTAINER_NAME } from './pod-config.js';
import { handleExecUpgrade } from './exec-stream.js';
import { handlePortForwardUpgrade } from './portforward-spdy.js';

/** What the server reads. */
export interface ServerDeps { cri: CriClient; logRoot: string; nodeName: string; pods(): Pod[]; getPod(ns: string, name: string): Pod | undefined }

function send(res: ServerResponse, code: number, body: string, type = 'text/plain; charset=utf-8'): void {
  res.writeHead(code, { 'Content-Type': type });
  res.end(body);
}

/** Log files of a container, newest attempt last. */
export function containerLogFiles(logRoot: string, pod: Pod, container: string): string[] {
  const dir = join(podLogDir(logRoot, pod), container);
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => /^\d+\.log$/.test(f)).sort((a, b) => parseInt(a) - parseInt(b)).map((f) => join(dir, f));
}

async function serveLogs(d: ServerDeps, res: ServerResponse, ns: string, name: string, container: string | undefined, q: URLSearchParams, signal: AbortSignal): Promise<void> {
  const pod = d.getPod(ns, name);
  if (!pod) return send(res, 404, `pod "${name}" not found on node ${d.nodeName}`);
  const cname = container || pod.spec?.containers?.[0]?.name || '';
  const files = containerLogFiles(d.logRoot, pod, cname);
  const previous = q.get('previous') === 'true';
  const file = files[files.length - (previous ? 2 : 1)];
  if (!file) return send(res, 400, previous ? `previous terminated container "${cname}" in pod "${name}" not found` : `container "${cname}" in pod "${name}" is waiting to start`);
  const opts: LogOptions = { timestamps: q.get('timestamps') === 'true' };
  if (q.has('tailLines')) opts.tailLines = Number(q.get('tailLines'));
  if (q.has('limitBytes')) opts.limitBytes = Number(q.get('limitBytes'));
  if (q.has('sinceSeconds')) opts.sinceTime = new Date(Date.now() - Number(q.get('sinceSeconds')) * 1000).toISOString();
  if (q.has('sinceTime')) opts.sinceTime = q.get('sinceTime')!;
  res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.write(renderCriLog(readFileSync(file, 'utf8'), opts));
  if (q.get('follow') !== 'true' || previous) { res.end(); return; }
  // Follow: stream what is appended until the container stops or the client goes away.
  let offset = statSync(file).size;
  const uid = pod.metadata!.uid!;
  while (!signal.aborted) {
    await new Promise((r) => setTimeout(r, 250));
    const size = statSync(file).size;
    if (size > offset) {
      const chunk = await new Promise<string>((resolve) => { let s = ''; createReadStream(file, { start: offset, end: size - 1, encoding: 'utf8' }).on('data', (c) => { s += c; }).on('end', () => resolve(s)); });
      offset = size;
      res.write(renderCriLog(chunk, { timestamps: opts.timestamps }));
    }
    const list = (await d.cri.call('ListContainers', { filter: { label_selector: { [LABEL_POD_UID]: uid, [LABEL_CONTAINER_NAME]: cname } } })).containers as Array<{ state: number; created_at: number }>;
    const newest = list.sort((a, b) => b.created_at - a.created_at)[0];
    if (!newest || newest.state !== 1) break;
  }
  res.end();
}

async function statsSummary(d: ServerDeps): Promise<object> {
  const stats = (await d.cri.call('ListContainerStats', {})).stats as Array<{ attributes: { labels: Record<string, string>; metadata: { name: string } }; cpu: { timestamp: number; usage_core_nano_seconds: { value: number } }; memory: { working_set_bytes: { value: number }; usage_bytes: { value: number } } }>;
  const byUid = new Map(d.pods().map((p) => [p.metadata!.uid!, p]));
  const pods = new Map<string, { podRef: object; containers: object[] }>();
  for (const s of stats) {
    const pod = byUid.get(s.attributes.labels[LABEL_POD_UID]);
    if (!pod) continue;
    const uid = pod.metadata!.uid!;
    if (!pods.has(uid)) pods.set(uid, { podRef: { name: pod.metadata!.name, namespace: pod.metadata!.namespace, uid }, containers: [] });
    pods.get(uid)!.containers.push({
      name: s.attributes.metadata.name,
      // Sub-second times (Go marshals RFC 3339 with nanoseconds): consumers turn two samples into a CPU rate.
      cpu: { time: new Date(s.cpu.timestamp / 1e6).toISOString(), usageCoreNanoSeconds: s.cpu.usage_core_nano_seconds.value },
      memory: { time: new Date(s.cpu.timestamp / 1e6).toISOString(), workingSetBytes: s.memory.working_set_bytes.value, usageBytes: s.memory.usage_bytes.value },
    });
  }
  return { node: { nodeName: d.nodeName }, pods: [...pods.values()] };
}

/** HTTPS for the server: only clients with a certificate from `clientCA` (and, when set, one of `allowedUsers` as CN) get in. */
export interface KubeletServerTls { cert: string; key: string; clientCA: string; allowedUsers?: string[] }

/** Starts the server on host:port (port 0 = any); close() stops it. */
export async function startKubeletServer(d: ServerDeps, host: string, port: number, tls?: KubeletServerTls): Promise<{ server: Server; port: number; close: () => Promise<void> }> {
  const ac = new AbortController();
  const handler: Parameters<typeof createServer>[1] = (req, res) => {
    const url = new URL(req.url ?? '/', 'http://kubelet');
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    const closed = new AbortController();
    res.on('close', () => closed.abort());
    const signal = AbortSignal.any([ac.signal, closed.signal]);
    const handle = async () => {
      if (req.method !== 'GET') return send(res, 405, 'method not allowed');
      if (url.pathname === '/healthz') return send(res, 200, 'ok');
      if (url.pathname === '/pods') return send(res, 200, JSON.stringify({ kind: 'PodList', apiVersion: 'v1', items: d.pods() }), 'application/json');
      if (url.pathname === '/stats/summary') return send(res, 200, JSON.stringify(await statsSummary(d)), 'application/json');
      if (parts[0] === 'containerLogs' && parts.length >= 3) return serveLogs(d, res, parts[1], parts[2], parts[3], url.searchParams, signal);
      return send(res, 404, 'not found');
    };
    handle().catch((err: Error) => { if (!res.headersSent) send(res, 500, err.message); else res.end(); });
  };
  // With TLS the handshake itself refuses clients without a certificate of the cluster CA.
  const server: Server = tls
    ? createHttpsServer({ cert: tls.cert, key: tls.key, ca: tls.clientCA, requestCert: true, rejectUnauthorized: true }, (req, res) => {
      if (!allowedPeer(req.socket as TLSSocket, tls.allowedUsers)) return send(res, 403, 'Forbidden: this client certificate may not use the kubelet API');
      handler(req, res);
    }) as unknown as Server
    : createServer(handler);
  server.on('upgrade', (req, socket) => {
    if (tls && !allowedPeer(req.socket as TLSSocket, tls.allowedUsers)) return socket.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n');
    handleExecUpgrade(req, socket, d.cri, d.getPod).then(async (handled) => handled || handlePortForwardUpgrade(req, socket, d.cri, d.getPod))
      .then((handled) => { if (!handled) socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n'); })
      .catch((err: Error) => socket.end(`HTTP/1.1 500 Internal Server Error\r\nContent-Length: ${Buffer.byteLength(err.message)}\r\n\r\n${err.message}`));
  });
  await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(port, host, resolve); });
  const addr = server.address();
  return {
    server, port: typeof addr === 'object' && addr ? addr.port : port,
    close: () => { ac.abort(); server.closeAllConnections(); return new Promise<void>((r) => server.close(() => r())); },
  };
}

function allowedPeer(socket: TLSSocket, allowed?: string[]): boolean {
  if (!socket.authorized) return false;
  if (!allowed?.length) return true;
  const cn = /(?:^|\n)CN=([^\n]*)/.exec(socket.getPeerX509Certificate()?.subject ?? '')?.[1];
  return !!cn && allowed.includes(cn);
}
