/**
 * dashboard/server/main.ts as a process: flags (--grpc-server, --rest-url, --bind-address,
 * --port 0), prints its URL, serves the stream from a real control plane, exits 0 on SIGTERM;
 * a bad --port is refused with exit code 2.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startControlPlane } from '../../lib/testing/control-plane.js';
import { waitFor } from '../../lib/testing/wait.js';
import { followStream } from './sse-client.js';

const MAIN = fileURLToPath(new URL('../../dashboard/server/main.js', import.meta.url));

test('dashboard main: serves a control plane on the printed URL, exits cleanly on SIGTERM', async (t) => {
  const cp = await startControlPlane();
  t.after(() => cp.stop());
  const child = spawn(process.execPath, [MAIN, '--grpc-server', cp.grpcTarget, '--rest-url', cp.restURL, '--bind-address', '127.0.0.1', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  t.after(() => { if (child.exitCode === null) child.kill('SIGKILL'); });
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.resume();
  const url = await waitFor('printed URL', () => /Dashboard: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out)?.[1], { timeoutMs: 20_000 });
  const stream = await followStream(url);
  t.after(() => stream.close());
  await waitFor('informers synced', async () => (await (await fetch(new URL('api/info', url))).json() as { synced: boolean }).synced, { timeoutMs: 10_000 });
  await cp.client.create({ resource: 'nodes' }, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'ksimt-main-n1' } });
  await waitFor('node streamed', () => stream.objects.has('Node//ksimt-main-n1'), { timeoutMs: 10_000 });
  stream.close();
  const code = await new Promise<number | null>((r) => { child.once('exit', (c) => r(c)); child.kill('SIGTERM'); });
  assert.equal(code, 0);
});

test('dashboard main: an invalid --port exits 2 with a message', async () => {
  const child = spawn(process.execPath, [MAIN, '--grpc-server', '127.0.0.1:1', '--port', 'abc'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d) => { err += d; });
  const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
  assert.equal(code, 2);
  assert.match(err, /invalid --port/);
});
