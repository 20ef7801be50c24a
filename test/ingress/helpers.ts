/**
 * Ingress test helpers: small HTTP backends on 127.0.0.x that answer with their name and the
 * headers they got, the ingress controller PROCESS (dist/ingress/main.js), and a GET with a Host.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../lib/testing/ports.js';
import { waitFor } from '../../lib/testing/wait.js';
// tsconfig's include does not list ingress/ yet: this reference makes tsc build dist/ingress/main.js too.
import type {} from '../../ingress/main.js';

const MAIN = join(dirname(fileURLToPath(import.meta.url)), '../../ingress/main.js');

/** A backend: its address and a close(). */
export interface Backend { name: string; ip: string; port: number; close(): Promise<void> }

/** Starts a backend on ip:0 answering JSON {backend, url, headers}. */
export async function startBackend(name: string, ip: string): Promise<Backend> {
  const server: Server = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ backend: name, url: req.url, headers: req.headers }));
  });
  await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(0, ip, () => resolve()); });
  const port = (server.address() as AddressInfo).port;
  return {
    name, ip, port,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

/** A response as the tests look at it. */
export interface Reply { status: number; body: string; json?: { backend: string; url: string; headers: Record<string, string> } }

/** GET http://127.0.0.1:port/path with a Host header (no keep-alive, so each request is fresh). */
export function get(port: number, host: string, path: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { host }, agent: false, timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { body += c; });
      res.on('end', () => {
        let json: Reply['json'];
        try { json = JSON.parse(body) as Reply['json']; } catch { json = undefined; }
        resolve({ status: res.statusCode ?? 0, body, json });
      });
    });
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end();
  });
}

/** The backend name answering host+path, or `<status>` when the proxy answered itself. */
export async function whoAnswers(port: number, host: string, path: string): Promise<string> {
  const r = await get(port, host, path);
  return r.json?.backend ?? String(r.status);
}

/** A running controller process. */
export interface ControllerProcess { port: number; healthPort: number; proc: ChildProcess; logs(): string; stop(): Promise<void> }

/** Spawns dist/ingress/main.js against `grpcTarget`, listening on 127.0.0.1; waits for its port. */
export async function startController(grpcTarget: string, extraArgs: string[] = []): Promise<ControllerProcess> {
  const port = await freePort();
  const healthPort = await freePort();
  let logs = '';
  const proc = spawn(process.execPath, [MAIN, `--grpc-server=${grpcTarget}`, '--bind-address=127.0.0.1', `--http-port=${port}`, `--health-port=${healthPort}`, '--https-port=-1', ...extraArgs], { stdio: ['ignore', 'ignore', 'pipe'] });
  proc.stderr!.setEncoding('utf8').on('data', (d: string) => { logs += d; });
  // 'close' (not 'exit'): stderr is fully read by then, so a failure report carries the whole log.
  let closed: string | undefined;
  const exited = new Promise<void>((resolve) => proc.once('close', (code, signal) => { closed = `code ${code} signal ${signal}`; resolve(); }));
  const stop = async () => {
    if (!closed) {
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
  };
  try {
    await waitFor('ingress controller serving', async () => {
      if (closed) throw new Error(`controller exited (${closed}): ${logs}`);
      return (await get(port, 'probe.invalid', '/healthz')).status === 200;
    }, { timeoutMs: 20_000 });
  } catch (err) {
    await stop();
    throw err;
  }
  return { port, healthPort, proc, logs: () => logs, stop };
}
