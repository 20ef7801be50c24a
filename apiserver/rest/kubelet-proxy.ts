/**
 * Proxies pod subresources served by kubelets: `log` over plain HTTP (streamed, follow included)
 * and `exec`/`attach`/`portforward` as a raw tunnel of the HTTP upgrade (WebSocket) to the kubelet
 * of the pod's node, found from the Node's InternalIP and daemonEndpoints.kubeletEndpoint.Port.
 */
import { request as httpRequest, type ClientRequest, type IncomingMessage, type RequestOptions, type ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { Duplex } from 'node:stream';
import { ApiError } from '../../lib/errors.js';
import type { KObject } from '../../lib/api/object.js';
import type { Registry, RequestContext } from '../registry/types.js';
import type { ResourceRequest } from './request-info.js';

/** Default kubelet port (as Kubernetes' 10250). */
export const DEFAULT_KUBELET_PORT = 10250;

/** The apiserver's client certificate for kubelets and the CA their serving certificates chain to (PEM). */
export interface KubeletClientTls { cert: string; key: string; ca?: string }

let kubeletTls: KubeletClientTls | undefined;

/**
 * Process-wide (set once by main.ts from --kubelet-client-certificate/-key and
 * --kubelet-certificate-authority): kubelets are then reached over HTTPS with that certificate.
 */
export function setKubeletClientTls(tls: KubeletClientTls | undefined): void { kubeletTls = tls; }

function tlsOptions(host: string): { cert: string; key: string; ca?: string; rejectUnauthorized: boolean; servername?: string } | undefined {
  if (!kubeletTls) return undefined;
  // Without --kubelet-certificate-authority the kubelet's certificate is not verified (as kube-apiserver).
  return { cert: kubeletTls.cert, key: kubeletTls.key, ca: kubeletTls.ca, rejectUnauthorized: !!kubeletTls.ca, ...(/^[\d.]+$|:/.test(host) ? {} : { servername: host }) };
}

/** An HTTP(S) request to a kubelet (HTTPS with the client certificate when configured). */
export function kubeletRequest(target: { host: string; port: number }, opts: RequestOptions, cb: (res: IncomingMessage) => void): ClientRequest {
  const tls = tlsOptions(target.host);
  return tls ? httpsRequest({ ...opts, host: target.host, port: target.port, ...tls }, cb) : httpRequest({ ...opts, host: target.host, port: target.port }, cb);
}

/** A raw connection to a kubelet (TLS when configured); emits 'ready' once the stream can carry HTTP. */
function kubeletConnect(target: { host: string; port: number }): Socket {
  const tls = tlsOptions(target.host);
  if (!tls) return netConnect(target.port, target.host).once('connect', function (this: Socket) { this.emit('ready'); });
  return tlsConnect({ host: target.host, port: target.port, ...tls }).once('secureConnect', function (this: Socket) { this.emit('ready'); });
}

interface PodShape { spec?: { nodeName?: string; containers?: { name: string }[]; initContainers?: { name: string }[]; ephemeralContainers?: { name: string }[] }; metadata?: { name?: string; namespace?: string } }
interface NodeShape { status?: { addresses?: { type: string; address: string }[]; daemonEndpoints?: { kubeletEndpoint?: { Port?: number } } } }

/** Where the kubelet of `pod`'s node listens. */
export async function kubeletAddress(registry: Registry, ctx: RequestContext, pod: KObject): Promise<{ host: string; port: number }> {
  const p = pod as PodShape;
  const nodeName = p.spec?.nodeName;
  if (!nodeName) throw new ApiError('BadRequest', `pod ${p.metadata?.name} does not have a host assigned`);
  return nodeKubeletAddress(registry, ctx, nodeName);
}

/** Where the kubelet of node `nodeName` listens (InternalIP, else ExternalIP, else Hostname). */
export async function nodeKubeletAddress(registry: Registry, ctx: RequestContext, nodeName: string): Promise<{ host: string; port: number }> {
  const node = (await registry.get(ctx, { group: '', version: 'v1', resource: 'nodes' }, undefined, nodeName)) as NodeShape;
  const addrs = node.status?.addresses ?? [];
  const host = (addrs.find((a) => a.type === 'InternalIP') ?? addrs.find((a) => a.type === 'ExternalIP') ?? addrs.find((a) => a.type === 'Hostname'))?.address;
  if (!host) throw new ApiError('Unavailable', `no kubelet address is known for node "${nodeName}"`);
  return { host, port: node.status?.daemonEndpoints?.kubeletEndpoint?.Port ?? DEFAULT_KUBELET_PORT };
}

/** The container a request means: ?container=, or the only one; Kubernetes' error when ambiguous. */
export function containerOf(pod: KObject, query: URLSearchParams): string {
  const asked = query.get('container');
  const p = pod as PodShape;
  const names = (p.spec?.containers ?? []).map((c) => c.name);
  if (asked) {
    // Any container of the pod may be named: init and ephemeral ones too (kubectl logs -c, kubectl debug -it).
    const all = [...names, ...(p.spec?.initContainers ?? []).map((c) => c.name), ...(p.spec?.ephemeralContainers ?? []).map((c) => c.name)];
    if (!all.includes(asked)) throw new ApiError('BadRequest', `container ${asked} is not valid for pod ${p.metadata?.name}`);
    return asked;
  }
  if (names.length === 1) return names[0];
  throw new ApiError('BadRequest', `a container name must be specified for pod ${p.metadata?.name}, choose one of: [${names.join(' ')}]`);
}

/** Kubelet path for a subresource request. */
export function kubeletPath(info: ResourceRequest, pod: KObject, query: URLSearchParams): string {
  // Port-forward names ports of the pod, not a container (a pod of several containers is fine).
  if (info.subresource === 'portforward') return `/portforward/${encodeURIComponent(info.namespace ?? '')}/${encodeURIComponent(info.name ?? '')}`;
  const container = containerOf(pod, query);
  const q = new URLSearchParams(query);
  q.delete('container');
  const base = info.subresource === 'log' ? 'containerLogs' : info.subresource!;
  const qs = q.toString();
  return `/${base}/${encodeURIComponent(info.namespace ?? '')}/${encodeURIComponent(info.name ?? '')}/${encodeURIComponent(container)}${qs ? `?${qs}` : ''}`;
}

const KUBELET_ERRORS: Record<number, ApiError['code']> = { 400: 'BadRequest', 404: 'NotFound', 403: 'Forbidden', 401: 'Unauthorized' };

/** Streams `GET .../log` from the kubelet; kubelet errors become Status errors. */
export async function proxyLog(res: ServerResponse, target: { host: string; port: number }, path: string, signal: AbortSignal): Promise<number> {
  const upstream = await new Promise<IncomingMessage>((resolve, reject) => {
    const req = kubeletRequest(target, { path, method: 'GET', signal }, resolve);
    req.on('error', (err) => reject(new ApiError('Unavailable', `error dialing backend: ${err.message}`)));
    req.end();
  });
  if (upstream.statusCode !== 200) {
    let text = '';
    for await (const chunk of upstream) text += chunk;
    throw new ApiError(KUBELET_ERRORS[upstream.statusCode ?? 0] ?? 'Internal', text.trim() || `kubelet answered ${upstream.statusCode}`);
  }
  res.writeHead(200, { 'Content-Type': 'text/plain', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
  res.flushHeaders();
  upstream.pipe(res);
  await new Promise<void>((resolve) => { res.once('close', resolve); upstream.once('error', () => { res.destroy(); resolve(); }); });
  return 200;
}

/** Writes an HTTP error response (a Status) on a raw upgrade socket and closes it. */
export function rejectUpgrade(socket: Duplex, err: ApiError): void {
  const body = JSON.stringify(err.toStatus());
  socket.end(`HTTP/1.1 ${err.httpStatus} ${err.reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

/** Tunnels an upgrade request (exec/attach/portforward) to the kubelet byte for byte after rewriting its path. */
export function tunnelUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, target: { host: string; port: number }, path: string): void {
  const upstream = kubeletConnect(target);
  const lines = [`${req.method} ${path} HTTP/1.1`];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i];
    if (name.toLowerCase() === 'host') lines.push(`Host: ${target.host}:${target.port}`);
    else if (name.toLowerCase() !== 'authorization') lines.push(`${name}: ${req.rawHeaders[i + 1]}`);
  }
  upstream.once('ready', () => {
    upstream.write(lines.join('\r\n') + '\r\n\r\n');
    if (head.length) upstream.write(head);
    upstream.pipe(socket);
    socket.pipe(upstream);
  });
  upstream.once('error', (err) => {
    if (!upstream.bytesRead) rejectUpgrade(socket, new ApiError('Unavailable', `error dialing backend: ${err.message}`));
    else socket.destroy();
  });
  socket.once('error', () => upstream.destroy());
  socket.once('close', () => upstream.destroy());
}
