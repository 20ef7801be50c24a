import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { startEtcd } from '../../lib/testing/etcd.js';
import { clientFromFlags } from '../../lib/client/flags.js';
import { R } from '../../lib/client/resources.js';
import { waitFor } from '../../lib/testing/wait.js';
import type { ConfigMap } from '../../lib/api/types.js';

const MAIN = fileURLToPath(new URL('../main.js', import.meta.url));

test('the apiserver process serves REST and gRPC over one registry: writes on one facade are seen on the other', async (t) => {
  const etcd = await startEtcd();
  t.after(() => etcd.stop());
  const child = spawn(process.execPath, [MAIN, '--etcd-servers', etcd.endpoint, '--port', '0', '--grpc-port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise((r) => child.once('exit', r));
  t.after(async () => { if (child.exitCode === null) { child.kill('SIGTERM'); await exited; } });
  let stderr = '';
  child.stderr!.on('data', (d) => { stderr = (stderr + d).slice(-2000); });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', () => reject(new Error(`apiserver exited: ${stderr}`)));
  });
  const { httpPort, grpcPort } = JSON.parse(line) as { httpPort: number; grpcPort: number };

  const client = clientFromFlags({ master: `http://127.0.0.1:${httpPort}`, grpcServer: `127.0.0.1:${grpcPort}` });
  t.after(() => client.close());
  const ac = new AbortController();
  t.after(() => ac.abort());
  const cms = { ...R.configmaps, namespace: 'default' };
  const seen: string[] = [];
  const watching = (async () => { for await (const ev of client.watch<ConfigMap>(cms, { signal: ac.signal })) seen.push(`${ev.type} ${ev.object.metadata?.name}`); })();

  // write over REST, read over gRPC
  const res = await fetch(`http://127.0.0.1:${httpPort}/api/v1/namespaces/default/configmaps`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'from-rest' }, data: { a: '1' } }),
  });
  assert.equal(res.status, 201);
  const viaGrpc = await client.get<ConfigMap>({ ...cms, name: 'from-rest' });
  assert.deepEqual(viaGrpc.data, { a: '1' });

  // write over gRPC, read over REST: the same JSON
  const created = await client.create<ConfigMap>(cms, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'from-grpc' }, data: { b: '2' } });
  const viaRest = await (await fetch(`http://127.0.0.1:${httpPort}/api/v1/namespaces/default/configmaps/from-grpc`)).json();
  assert.deepEqual(viaRest, created);

  await waitFor('watch saw both', () => seen.includes('ADDED from-rest') && seen.includes('ADDED from-grpc'));
  ac.abort();
  await watching;
});
