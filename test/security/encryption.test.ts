/**
 * Encryption at rest: with an EncryptionConfiguration (aesgcm first, aescbc still readable),
 * Secrets are ciphertext in etcd (`etcdctl get` shows the k8s:enc prefix, never the value) yet
 * read back through the API; ConfigMaps stay plain.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { kubectlOk, startCluster } from '../apiserver/harness.js';
import { encryptionTransformer } from '../../apiserver/auth/encryption.js';

const config = (gcm: string, cbc: string) => [
  'apiVersion: apiserver.config.k8s.io/v1', 'kind: EncryptionConfiguration', 'resources:',
  '  - resources: [secrets]', '    providers:',
  `      - aesgcm: {keys: [{name: k2, secret: "${gcm}"}]}`,
  `      - aescbc: {keys: [{name: k1, secret: "${cbc}"}]}`,
  '      - identity: {}', ''].join('\n');

test('transformer: aesgcm and aescbc round-trip, rotation reads old values; a tampered GCM value fails; other resources untouched', () => {
  const t = encryptionTransformer(config(randomBytes(32).toString('base64'), randomBytes(32).toString('base64')));
  const plain = Buffer.from('{"data":{"password":"aHVudGVyMg=="}}');
  const enc = t.toStorage('/registry/secrets/default/s', plain);
  assert.match(enc.subarray(0, 22).toString(), /^k8s:enc:aesgcm:v1:k2:/);
  assert.ok(!enc.includes(Buffer.from('aHVudGVyMg')));
  assert.deepEqual(t.fromStorage('/registry/secrets/default/s', enc), plain);
  assert.deepEqual(t.toStorage('/registry/configmaps/default/c', plain), plain);
  // Rotation: a value written while aescbc was first is still read once aesgcm is put first.
  const gcm = randomBytes(32).toString('base64');
  const cbc = randomBytes(32).toString('base64');
  const oldCfg = config(gcm, cbc).replace(/( {6}- aesgcm.*\n)( {6}- aescbc.*\n)/, '$2$1');
  const written = encryptionTransformer(oldCfg).toStorage('/registry/secrets/a/b', plain);
  assert.match(written.subarray(0, 22).toString(), /^k8s:enc:aescbc:v1:k1:/);
  assert.deepEqual(encryptionTransformer(config(gcm, cbc)).fromStorage('/registry/secrets/a/b', written), plain);
  enc[enc.length - 20] ^= 1;
  assert.throws(() => t.fromStorage('/registry/secrets/default/s', enc));
  assert.throws(() => encryptionTransformer(config('c2hvcnQ=', randomBytes(32).toString('base64'))), /16, 24 or 32/);
});

test('apiserver with --encryption-provider-config: etcd holds ciphertext for secrets, the API plaintext', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ksimt-enc-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'enc.yaml'), config(randomBytes(32).toString('base64'), randomBytes(16).toString('base64')));
  const c = await startCluster(['--encryption-provider-config', join(dir, 'enc.yaml')]);
  t.after(() => c.stop());
  const bin = '/usr/bin/kubectl';
  await kubectlOk(bin, c, ['create', 'secret', 'generic', 'db', '--from-literal=password=hunter2-very-secret']);
  await kubectlOk(bin, c, ['create', 'configmap', 'plain', '--from-literal=k=visible-value']);
  const etcdctl = (key: string) => execFileSync('etcdctl', ['--endpoints', c.etcd.endpoint, 'get', key, '--print-value-only'], { env: { ...process.env, ETCDCTL_API: '3' } });
  const raw = etcdctl('/registry/secrets/default/db');
  assert.match(raw.subarray(0, 22).toString(), /^k8s:enc:aesgcm:v1:k2:/);
  assert.ok(!raw.includes(Buffer.from('hunter2')) && !raw.includes(Buffer.from(Buffer.from('hunter2-very-secret').toString('base64'))));
  assert.match(etcdctl('/registry/configmaps/default/plain').toString(), /visible-value/);
  const back = JSON.parse(await kubectlOk(bin, c, ['get', 'secret', 'db', '-o', 'json']));
  assert.equal(Buffer.from(back.data.password, 'base64').toString(), 'hunter2-very-secret');
});
