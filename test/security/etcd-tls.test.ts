/**
 * etcd with TLS and client-certificate auth (as `kubesim up` and compose run it): the etcd3
 * client with etcd's CA and a client certificate of it gets in; without a certificate, with one
 * of the cluster CA, or over plain http it does not; the apiserver process with
 * --etcd-cafile/--etcd-certfile/--etcd-keyfile stores objects there, and fails /readyz without them.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Etcd3 } from 'etcd3';
import { startEtcd, type TestEtcd } from '../../lib/testing/etcd.js';
import { freePort } from '../../lib/testing/ports.js';
import { waitFor } from '../../lib/testing/wait.js';
import { ensureClusterPki, ensureEtcdPki, type EtcdPkiFiles } from '../../lib/pki/cluster.js';
import { etcdCredentials } from '../../lib/etcd-tls.js';

const MAIN = fileURLToPath(new URL('../../apiserver/main.js', import.meta.url));
let dir: string;
let pki: EtcdPkiFiles;
let etcd: TestEtcd;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ksimt-etcdtls-'));
  pki = ensureEtcdPki(join(dir, 'pki'));
  ensureClusterPki(join(dir, 'pki'));
  etcd = await startEtcd({ tls: pki });
});
after(async () => {
  await etcd?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** True when a put and get through a client with these options work within 3 s. */
async function works(hosts: string, files: { caFile?: string; certFile?: string; keyFile?: string }): Promise<boolean> {
  const client = new Etcd3({ hosts, dialTimeout: 3000, ...etcdCredentials(files) });
  try {
    await Promise.race([client.put('/ksimt/probe').value('x'), new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 3000))]);
    return true;
  } catch {
    return false;
  } finally {
    client.close();
  }
}

test('etcd admits a client certificate of its own CA only, over TLS only', async () => {
  assert.match(etcd.endpoint, /^https:/);
  assert.equal(await works(etcd.endpoint, { caFile: pki.ca, certFile: pki.flanneldClient.cert, keyFile: pki.flanneldClient.key }), true);
  assert.equal(await works(etcd.endpoint, { caFile: pki.ca }), false, 'no client certificate');
  assert.equal(await works(etcd.endpoint, { caFile: pki.ca, certFile: join(dir, 'pki', 'admin.crt'), keyFile: join(dir, 'pki', 'admin.key') }), false, 'a certificate of the cluster CA');
  assert.equal(await works(etcd.endpoint.replace('https:', 'http:'), {}), false, 'plain http');
  assert.throws(() => etcdCredentials({ certFile: pki.flanneldClient.cert }), /--etcd-cafile/);
});

test('the apiserver stores objects in TLS etcd with --etcd-cafile/--etcd-certfile/--etcd-keyfile; without them it is not ready', async (t) => {
  const start = async (extra: string[]) => {
    const port = await freePort();
    const child = spawn(process.execPath, [MAIN, '--etcd-servers', etcd.endpoint, '--port', String(port), '--grpc-port', '-1', '--secure-port', '-1', ...extra], { stdio: 'ignore' });
    t.after(() => { child.kill('SIGTERM'); });
    return `http://127.0.0.1:${port}`;
  };
  const good = await start(['--etcd-cafile', pki.ca, '--etcd-certfile', pki.apiserverClient.cert, '--etcd-keyfile', pki.apiserverClient.key]);
  await waitFor('apiserver ready on TLS etcd', async () => (await fetch(`${good}/readyz`).catch(() => undefined))?.ok, { timeoutMs: 20_000 });
  const res = await fetch(`${good}/api/v1/namespaces/default/configmaps`, { method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ksimt-tls' }, data: { k: 'v' } }) });
  assert.equal(res.status, 201);
  const client = new Etcd3({ hosts: etcd.endpoint, ...etcdCredentials({ caFile: pki.ca, certFile: pki.healthcheckClient.cert, keyFile: pki.healthcheckClient.key }) });
  try {
    assert.ok(await client.get('/registry/configmaps/default/ksimt-tls').string());
  } finally {
    client.close();
  }
  // Only the CA: etcd refuses the handshake, the apiserver never gets ready.
  const bad = await start(['--etcd-cafile', pki.ca]);
  await assert.rejects(waitFor('apiserver ready without an etcd client certificate', async () => (await fetch(`${bad}/readyz`).catch(() => undefined))?.ok, { timeoutMs: 6000 }), /ready without/);
});
