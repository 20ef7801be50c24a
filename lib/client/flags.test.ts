import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { addClientFlags, resolveApiServer, fileTokenSource, DEFAULT_GRPC_PORT } from './flags.js';

test('the gRPC address comes from --grpc-server, env, the kubeconfig extension, then --master/kubeconfig host', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ksimt-kc-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const plain = join(dir, 'plain.yaml');
  writeFileSync(plain, 'apiVersion: v1\nkind: Config\ncurrent-context: c\ncontexts:\n- name: c\n  context: {cluster: k, user: u}\nclusters:\n- name: k\n  cluster: {server: "http://10.200.0.1:8080"}\nusers:\n- name: u\n  user: {token: s3cret}\n');
  const ext = join(dir, 'ext.yaml');
  writeFileSync(ext, 'current-context: c\ncontexts:\n- name: c\n  context: {cluster: k}\nclusters:\n- name: k\n  cluster:\n    server: http://127.0.0.1:8080\n    extensions:\n    - name: kubesim.io/grpc-server\n      extension: {server: "127.0.0.1:9999"}\n');

  const program = addClientFlags(new Command()).parse(['--kubeconfig', plain, '--master', 'http://localhost:8080'], { from: 'user' });
  assert.deepEqual(program.opts(), { kubeconfig: plain, master: 'http://localhost:8080' });
  assert.deepEqual(resolveApiServer({ grpcServer: 'h:1', master: 'http://x:8080' }, {}), { target: 'h:1', token: undefined });
  assert.deepEqual(resolveApiServer({ master: 'http://x:8080' }, { KUBESIM_GRPC_SERVER: 'e:2' }), { target: 'e:2', token: undefined });
  assert.deepEqual(resolveApiServer({ kubeconfig: ext }, {}), { target: '127.0.0.1:9999', token: undefined });
  assert.deepEqual(resolveApiServer({ kubeconfig: plain }, {}), { target: `10.200.0.1:${DEFAULT_GRPC_PORT}`, token: 's3cret' });
  assert.deepEqual(resolveApiServer({ kubeconfig: plain, master: 'https://[::1]:6443' }, {}), { target: `[::1]:${DEFAULT_GRPC_PORT}`, token: 's3cret' });
  assert.deepEqual(resolveApiServer({}, {}), { target: `127.0.0.1:${DEFAULT_GRPC_PORT}`, token: undefined });
});

test('in a pod without a kubeconfig the ServiceAccount token is used and re-read when it rotates', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ksimt-sa-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'token'), 'first\n');
  const r = resolveApiServer({ grpcServer: '10.200.0.1:8081' }, {}, dir);
  assert.deepEqual(r, { target: '10.200.0.1:8081', token: 'first', tokenFile: join(dir, 'token') });
  // A kubeconfig wins over the mounted token.
  const kc = join(dir, 'kc.yaml');
  writeFileSync(kc, 'current-context: c\ncontexts:\n- name: c\n  context: {cluster: k, user: u}\nclusters:\n- name: k\n  cluster: {server: "https://10.200.0.1:6443"}\nusers:\n- name: u\n  user: {token: mine}\n');
  assert.deepEqual(resolveApiServer({ kubeconfig: kc }, {}, dir), { target: `10.200.0.1:${DEFAULT_GRPC_PORT}`, token: 'mine' });
  assert.deepEqual(resolveApiServer({}, {}, join(dir, 'none')), { target: `127.0.0.1:${DEFAULT_GRPC_PORT}`, token: undefined });
  const source = fileTokenSource(join(dir, 'token'));
  assert.equal(source(), 'first');
  writeFileSync(join(dir, 'token'), 'second\n');
  // Re-read at most every 5 s: still the cached one right away.
  assert.equal(source(), 'first');
  const fresh = fileTokenSource(join(dir, 'token'));
  assert.equal(fresh(), 'second');
});
