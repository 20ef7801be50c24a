/**
 * A terminal into a container: the browser's WebSocket upgrade on /api/exec is passed through to
 * the apiserver's pods/exec (which tunnels it to the pod's kubelet) with the dashboard's own
 * credentials added. The bytes are not touched: the browser speaks Kubernetes' channel protocol
 * (v5.channel.k8s.io: a channel byte before each message) end to end, as kubectl does.
 */
import type { IncomingMessage } from 'node:http';
import { connect as tcpConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { existsSync, readFileSync } from 'node:fs';
import type { Duplex } from 'node:stream';
import { ApiError } from '../../lib/errors.js';
import { rejectUpgrade } from '../../apiserver/rest/kubelet-proxy.js';
import type { RestTarget } from './logs.js';

/** The in-pod ServiceAccount CA (used for an https apiserver when present). */
export const SA_CA_PATH = '/var/run/secrets/kubernetes.io/serviceaccount/ca.crt';

/** The apiserver path of an interactive exec (tty: stderr comes merged on stdout, as kubectl -it). */
export function execPath(q: URLSearchParams): string {
  const ns = q.get('namespace'); const name = q.get('name');
  if (!ns) throw new ApiError('BadRequest', 'namespace is required');
  if (!name) throw new ApiError('BadRequest', 'name is required');
  const p = new URLSearchParams({ stdin: 'true', stdout: 'true', tty: 'true' });
  const command = q.getAll('command').length ? q.getAll('command') : ['sh'];
  for (const c of command) p.append('command', c);
  const container = q.get('container');
  if (container) p.set('container', container);
  return `/api/v1/namespaces/${encodeURIComponent(ns)}/pods/${encodeURIComponent(name)}/exec?${p}`;
}

/** A page on another site must not open a shell with the dashboard's identity. */
function checkOrigin(req: IncomingMessage): void {
  const origin = req.headers.origin;
  if (origin && new URL(origin).host !== req.headers.host) throw new ApiError('Forbidden', `exec from origin ${origin} is not allowed`);
}

/** Tunnels the browser's upgrade to the apiserver's exec of the pod in `url`'s query. */
export function tunnelExec(rest: RestTarget, req: IncomingMessage, socket: Duplex, head: Buffer, url: URL): void {
  checkOrigin(req);
  const path = execPath(url.searchParams);
  const api = new URL(rest.restURL);
  const port = Number(api.port) || (api.protocol === 'https:' ? 443 : 80);
  const upstream = api.protocol === 'https:'
    ? tlsConnect({ host: api.hostname, port, servername: api.hostname, ca: existsSync(SA_CA_PATH) ? readFileSync(SA_CA_PATH) : undefined })
    : tcpConnect(port, api.hostname);
  const lines = [`GET ${path} HTTP/1.1`, `Host: ${api.host}`];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i].toLowerCase();
    // Keep the WebSocket handshake (key, version, protocols); drop the browser's host, cookies, origin.
    if (name.startsWith('sec-websocket-') || name === 'upgrade' || name === 'connection') lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
  }
  if (rest.token) lines.push(`Authorization: Bearer ${rest.token}`);
  upstream.once(api.protocol === 'https:' ? 'secureConnect' : 'connect', () => {
    upstream.write(lines.join('\r\n') + '\r\n\r\n');
    if (head.length) upstream.write(head);
    upstream.pipe(socket);
    socket.pipe(upstream);
  });
  upstream.once('error', (err) => {
    if (!upstream.bytesRead) rejectUpgrade(socket, new ApiError('Unavailable', `apiserver unreachable for exec: ${err.message}`));
    else socket.destroy();
  });
  socket.once('error', () => upstream.destroy());
  socket.once('close', () => upstream.destroy());
}
