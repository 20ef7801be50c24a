/** Test helpers for the secure port: one JSON request with a bearer token, and a kubeconfig for kubectl. */
import { writeFileSync } from 'node:fs';
import { request } from 'node:https';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** One HTTPS request to 127.0.0.1:`port` trusting `ca`, with a bearer token; resolves status and JSON body. */
export function httpsJson(port: number, ca: string, token: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: Json }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, ca, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } }, (res) => {
      let data = '';
      res.on('data', (d) => { data += d; }).on('end', () => resolve({ status: res.statusCode ?? 0, body: data ? JSON.parse(data) as Json : {} }));
    });
    req.on('error', reject).end(body === undefined ? undefined : JSON.stringify(body));
  });
}

/** Writes a kubeconfig for https://127.0.0.1:`port` with `ca` and the `user` entry; returns its path. */
export function writeKubeconfig(file: string, port: number, ca: string, user: Record<string, string>, namespace = 'default'): string {
  writeFileSync(file, JSON.stringify({
    apiVersion: 'v1', kind: 'Config', 'current-context': 'c',
    clusters: [{ name: 'c', cluster: { server: `https://127.0.0.1:${port}`, 'certificate-authority-data': Buffer.from(ca).toString('base64') } }],
    contexts: [{ name: 'c', context: { cluster: 'c', user: 'u', namespace } }],
    users: [{ name: 'u', user }],
  }));
  return file;
}
