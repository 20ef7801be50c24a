/**
 * `kubesim compose pki` (no Docker): the stack's credentials name every address the apiserver is
 * reached by, give each node its own identity, are made once and kept, and the host kubeconfig
 * carries the admin's certificate for the published loopback port.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { composeNodeIP, ensureComposeCredentials, writeHostKubeconfig } from '../../cli/commands/compose-pki.js';

it('makes the stack\'s credentials once, with every apiserver address and a kubelet identity per node', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ksimt-pki-'));
  try {
    ensureComposeCredentials({ dir, apiservers: ['10.201.0.5', '10.201.0.6'], names: ['apiserver', 'apiserver2'], nodes: ['node-1', 'node-2'] });
    const serving = new X509Certificate(readFileSync(join(dir, 'pki', 'apiserver.crt')));
    for (const san of ['IP Address:127.0.0.1', 'IP Address:10.201.0.5', 'IP Address:10.201.0.6', 'IP Address:10.96.0.1', 'DNS:apiserver', 'DNS:apiserver2', 'DNS:kubernetes.default.svc']) {
      assert.ok(serving.subjectAltName?.split(', ').includes(san), `serving certificate lacks ${san}: ${serving.subjectAltName}`);
    }
    const kubelet = parse(readFileSync(join(dir, 'kubeconfigs', 'kubelet-node-2.kubeconfig'), 'utf8')) as { clusters: { cluster: { server: string } }[]; users: { user: { token?: string } }[] };
    assert.equal(kubelet.clusters[0].cluster.server, 'https://10.201.0.5:6443');
    assert.ok(kubelet.users[0].user.token, 'the kubelet has a gRPC token');
    const nodeServing = new X509Certificate(readFileSync(join(dir, 'pki', 'kubelet-server-node-2.crt')));
    assert.ok(nodeServing.subjectAltName?.includes('IP Address:10.201.0.12'));
    assert.match(readFileSync(join(dir, 'pki', 'tokens.csv'), 'utf8'), /,system:node:node-2,/);

    // Again, with a node more (add-node): the CA and the others' files stay as they were.
    const ca = readFileSync(join(dir, 'pki', 'ca.crt'), 'utf8');
    const tokens = readFileSync(join(dir, 'pki', 'tokens.csv'), 'utf8');
    ensureComposeCredentials({ dir, apiservers: ['10.201.0.5'], names: [], nodes: ['node-4'] });
    assert.equal(readFileSync(join(dir, 'pki', 'ca.crt'), 'utf8'), ca);
    const after = readFileSync(join(dir, 'pki', 'tokens.csv'), 'utf8');
    assert.ok(after.startsWith(tokens) && /,system:node:node-4,/.test(after));

    const file = join(dir, 'out', 'kubeconfig');
    assert.equal(writeHostKubeconfig(dir, file, '7443'), 'https://127.0.0.1:7443');
    const host = parse(readFileSync(file, 'utf8')) as { users: { user: Record<string, string> }[] };
    const cert = new X509Certificate(Buffer.from(host.users[0].user['client-certificate-data'], 'base64'));
    assert.match(cert.subject, /CN=kubernetes-admin/);
    assert.equal(statSync(file).mode & 0o777, 0o600, 'the admin key is not world-readable');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it('refuses node names that are not compose nodes', () => {
  assert.equal(composeNodeIP('node-4'), '10.201.0.14');
  for (const bad of ['node-0', 'node-118', 'worker-1', 'node-1; rm']) assert.throws(() => composeNodeIP(bad), /not a compose node name/);
});
