import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectOptions } from './connect.js';

test('connect options: kubeconfig server for REST, its gRPC extension and token; flags win; SA token file', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ksimt-dash-kc-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const kc = join(dir, 'config');
  writeFileSync(kc, `apiVersion: v1
kind: Config
current-context: ctx
contexts: [{name: ctx, context: {cluster: c, user: u}}]
clusters: [{name: c, cluster: {server: "http://10.200.0.1:8080/", extensions: [{name: kubesim.io/grpc-server, extension: "10.200.0.1:8081"}]}}]
users: [{name: u, user: {token: kc-token}}]
`);
  const none = join(dir, 'no-sa-token');
  assert.deepEqual(connectOptions({ kubeconfig: kc }, {}, none), { grpcServer: '10.200.0.1:8081', restURL: 'http://10.200.0.1:8080', token: 'kc-token' });
  assert.equal(connectOptions({ kubeconfig: kc, restUrl: 'http://127.0.0.1:9/' }, {}, none).restURL, 'http://127.0.0.1:9');
  assert.deepEqual(connectOptions({ grpcServer: '127.0.0.1:7000,127.0.0.2:7000' }, {}, none), { grpcServer: '127.0.0.1:7000,127.0.0.2:7000', restURL: 'http://127.0.0.1:8080', token: undefined });
  const sa = join(dir, 'token');
  writeFileSync(sa, 'sa-token\n');
  assert.equal(connectOptions({ kubeconfig: kc }, {}, sa).token, 'sa-token');
});
