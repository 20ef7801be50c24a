/**
 * The kubelet keeps trying to register its Node (as the real one does) instead of exiting when the
 * apiserver refuses it at first: here the node's identity gets its rights only after the first
 * refusals, as when a node starts before its RBAC binding exists.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { httpsJson } from '../apiserver/auth/testing.js';
import { freePort } from '../lib/testing/ports.js';
import { startCluster } from '../test/apiserver/harness.js';
import { waitFor } from '../lib/testing/wait.js';
import { ApiClient } from '../lib/client/api-client.js';
import { registerNodeUntilDone } from './node-status.js';

test('node registration is retried with backoff until the apiserver lets the node in; it ends when the kubelet stops', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ksimt-noderegister-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  // n1's token carries no group: no role lets it write its Node until a binding appears.
  writeFileSync(join(dir, 'tokens.csv'), 'admin-token,admin,u-admin,"system:masters"\nn1-token,system:node:n1,u-n1\nn2-token,system:node:n2,u-n2\n');
  const port = await freePort();
  const c = await startCluster(['--secure-port', String(port), '--cert-dir', join(dir, 'pki'), '--token-auth-file', join(dir, 'tokens.csv'), '--authorization-mode', 'RBAC']);
  t.after(() => c.stop());
  const ca = readFileSync(join(dir, 'pki', 'ca.crt'), 'utf8');
  const n1 = ApiClient.connect(`127.0.0.1:${c.grpcPort}`, { metadata: { authorization: 'Bearer n1-token' } });
  t.after(() => n1.close());

  const warnings: string[] = [];
  const stop = new AbortController();
  t.after(() => stop.abort());
  const done = registerNodeUntilDone(n1, { name: 'n1', ip: '10.200.0.11' }, stop.signal, (msg, f) => warnings.push(`${msg}: ${f.err}`));
  await waitFor('two refused registrations', () => warnings.length >= 2 || undefined, { timeoutMs: 10_000 });
  assert.match(warnings[0], /^Unable to register node with API server: .*forbidden/i);
  const binding = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'n1-is-a-node' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:node' }, subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'system:node:n1' }] };
  assert.equal((await httpsJson(port, ca, 'admin-token', 'POST', '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', binding)).status, 201);
  await done;
  const node = await httpsJson(port, ca, 'admin-token', 'GET', '/api/v1/nodes/n1');
  assert.equal(node.status, 200);
  assert.ok(node.body.status.conditions.some((x: { type: string; status: string }) => x.type === 'Ready' && x.status === 'True'), 'registered with its status');

  // A kubelet that stops while still refused ends the attempts (and rejects).
  const n2 = ApiClient.connect(`127.0.0.1:${c.grpcPort}`, { metadata: { authorization: 'Bearer n2-token' } });
  t.after(() => n2.close());
  const quit = new AbortController();
  const tries: string[] = [];
  const pending = registerNodeUntilDone(n2, { name: 'n2', ip: '10.200.0.12' }, quit.signal, (msg) => tries.push(msg));
  await waitFor('a refused registration of n2', () => tries.length >= 1 || undefined, { timeoutMs: 10_000 });
  quit.abort();
  await assert.rejects(pending);
});
