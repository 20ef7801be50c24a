/**
 * A real etcd and the real apiserver as a separate process (so the scheduler under test and the
 * apiserver each get their own event loop and CPU, as in a cluster), on free loopback ports.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { startEtcd, type TestEtcd } from '../../lib/testing/etcd.js';

/** A running etcd + apiserver pair. */
export interface ApiServerProcess { grpcTarget: string; etcd: TestEtcd; proc: ChildProcess; stop(): Promise<void> }

const APISERVER_MAIN = fileURLToPath(new URL('../../apiserver/main.js', import.meta.url));

/** Starts etcd and `dist/apiserver/main.js --port 0 --grpc-port 0`; resolves once it printed its ports. */
export async function startApiServerProcess(): Promise<ApiServerProcess> {
  const etcd = await startEtcd();
  const proc = spawn(process.execPath, [APISERVER_MAIN, '--etcd-servers', etcd.endpoint, '--port', '0', '--grpc-port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  // Keep the last lines of its log to explain a failed start; drain the rest.
  const tail: string[] = [];
  createInterface({ input: proc.stderr! }).on('line', (l) => { tail.push(l); if (tail.length > 20) tail.shift(); });
  const stop = async () => {
    if (proc.exitCode === null) {
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    await etcd.stop();
  };
  try {
    const ports = await new Promise<{ grpcPort: number }>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('apiserver did not report its ports within 20 s')), 20_000);
      proc.once('exit', (code) => reject(new Error(`apiserver exited with ${code}: ${tail.join('\n')}`)));
      createInterface({ input: proc.stdout! }).on('line', (line) => {
        try { const p = JSON.parse(line); if (p.grpcPort) { clearTimeout(timer); resolve(p); } } catch { /* a log line */ }
      });
    });
    return { grpcTarget: `127.0.0.1:${ports.grpcPort}`, etcd, proc, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
