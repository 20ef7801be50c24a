/** Calls to the dashboard server's API; errors come back as Kubernetes Status objects. */
import type { Status } from './types';

/** An error carrying the apiserver's Status (message + field causes). */
export class StatusError extends Error {
  constructor(readonly status: Status) { super(status.message ?? 'request failed'); }
}

async function parse<T>(res: Response): Promise<T> {
  const text = await res.text();
  let body: unknown;
  try { body = JSON.parse(text); } catch { body = { message: text || res.statusText, code: res.status }; }
  if (!res.ok) throw new StatusError(body as Status);
  return body as T;
}

/** POSTs JSON to an API path. */
export async function post<T = unknown>(path: string, body: unknown): Promise<T> {
  return parse<T>(await fetch(`api/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }));
}

/** GETs an API path with a query. */
export async function get<T = unknown>(path: string, query: Record<string, string | undefined>): Promise<T> {
  const q = new URLSearchParams(Object.entries(query).filter(([, v]) => v !== undefined) as [string, string][]);
  return parse<T>(await fetch(`api/${path}?${q}`));
}

/** Streams a pod's log into `onText` until `signal` aborts; rejects with StatusError on refusal. */
export async function streamLogs(q: { namespace: string; name: string; container?: string; follow: boolean }, onText: (t: string) => void, signal: AbortSignal): Promise<void> {
  const params = new URLSearchParams({ namespace: q.namespace, name: q.name, follow: String(q.follow), tailLines: '500' });
  if (q.container) params.set('container', q.container);
  const res = await fetch(`api/logs?${params}`, { signal });
  if (!res.ok) await parse(res);
  const reader = res.body!.getReader();
  const dec = new TextDecoder();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    onText(dec.decode(value, { stream: true }));
  }
}
