/**
 * Container logs for the page, through the apiserver's pods/log subresource (which streams from
 * the pod's node kubelet), piped to the browser as plain text; `follow` keeps the pipe open.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError } from '../../lib/errors.js';

/** Where the apiserver's REST API is and how to authenticate to it. */
export interface RestTarget { restURL: string; token?: string }

/** Query of a log request. */
export interface LogQuery { namespace: string; name: string; container?: string; follow?: boolean; tailLines?: number }

/** The apiserver path of a pod's log with its query. */
export function logPath(q: LogQuery): string {
  const p = new URLSearchParams();
  if (q.container) p.set('container', q.container);
  if (q.follow) p.set('follow', 'true');
  if (q.tailLines !== undefined && Number.isInteger(q.tailLines) && q.tailLines >= 0) p.set('tailLines', String(q.tailLines));
  const qs = p.toString();
  return `/api/v1/namespaces/${encodeURIComponent(q.namespace)}/pods/${encodeURIComponent(q.name)}/log${qs ? `?${qs}` : ''}`;
}

/** Streams the log to `res`; the upstream request ends when the browser goes away. */
export async function pipeLogs(rest: RestTarget, q: LogQuery, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const ac = new AbortController();
  req.on('close', () => ac.abort());
  let upstream: Response;
  try {
    upstream = await fetch(rest.restURL + logPath(q), { signal: ac.signal, headers: rest.token ? { authorization: `Bearer ${rest.token}` } : {} });
  } catch (err) {
    throw new ApiError('Unavailable', `apiserver unreachable for logs: ${(err as Error).message}`);
  }
  if (!upstream.ok) {
    const text = await upstream.text();
    let status: { message?: string; reason?: string; code?: number; details?: unknown };
    try { status = JSON.parse(text); } catch { status = { message: text || upstream.statusText, code: upstream.status }; }
    throw ApiError.fromStatus({ ...status, code: status.code ?? upstream.status } as never);
  }
  res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
  if (!upstream.body) { res.end(); return; }
  try {
    for await (const chunk of upstream.body as unknown as AsyncIterable<Uint8Array>) res.write(chunk);
  } catch {
    // The browser left (abort) or the kubelet went away: end what we sent.
  }
  res.end();
}
