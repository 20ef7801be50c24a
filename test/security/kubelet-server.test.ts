/**
 * The kubelet's server with TLS: a request without a client certificate, with a certificate of
 * another CA, or with a cluster certificate that is not the apiserver's is refused; the
 * apiserver's kubelet-client certificate is served.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:https';
import { createCA, issueCert, type CertKeyPair } from '../../lib/pki/pki.js';
import { startKubeletServer } from '../../kubelet/server.js';
import type { CriClient } from '../../kubelet/runtime/cri-client.js';

// The paths asked here (/healthz, /pods) never reach the runtime.
const noCri = {} as CriClient;

test('kubelet server only accepts the apiserver client certificate', async (t) => {
  const logRoot = mkdtempSync(join(tmpdir(), 'ksimt-kls-'));
  const ca = createCA();
  const serving = issueCert(ca, { commonName: 'node-1', hosts: ['127.0.0.1'], usage: 'server' });
  const apiserver = issueCert(ca, { commonName: 'kube-apiserver-kubelet-client', organizations: ['kubeadm:cluster-admins'], usage: 'client' });
  const someone = issueCert(ca, { commonName: 'jane', usage: 'client' });
  const rogue = issueCert(createCA('rogue'), { commonName: 'kube-apiserver-kubelet-client', usage: 'client' });
  const kubelet = await startKubeletServer({ cri: noCri, logRoot, nodeName: 'node-1', pods: () => [], getPod: () => undefined }, '127.0.0.1', 0,
    { cert: serving.cert, key: serving.key, clientCA: ca.cert, allowedUsers: ['kube-apiserver-kubelet-client'] });
  t.after(async () => { await kubelet.close(); rmSync(logRoot, { recursive: true, force: true }); });
  const ask = (client?: CertKeyPair) => new Promise<number | string>((resolve) => {
    request({ host: '127.0.0.1', port: kubelet.port, path: '/pods', ca: ca.cert, cert: client?.cert, key: client?.key }, (res) => { res.resume(); resolve(res.statusCode ?? 0); })
      .on('error', (err) => resolve(`refused: ${err.message}`)).end();
  });
  assert.equal(await ask(apiserver), 200);
  assert.match(String(await ask()), /^refused/);
  assert.match(String(await ask(rogue)), /^refused/);
  assert.equal(await ask(someone), 403);
});
