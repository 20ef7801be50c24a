import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startControlPlane, type TestControlPlane } from '../../lib/testing/control-plane.js';
import { waitFor } from '../../lib/testing/wait.js';
import { InformerFactory } from '../../lib/client/informer.js';
import { caFromKubeconfig, RootCAPublisher, ROOT_CA_CONFIGMAP } from './root-ca-publisher.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KObject } from '../../lib/api/object.js';

const CA = '-----BEGIN CERTIFICATE-----\nksimt-test-ca\n-----END CERTIFICATE-----\n';
let cp: TestControlPlane;
const stop = new AbortController();
before(async () => {
  cp = await startControlPlane();
  const informers = new InformerFactory(cp.client);
  const c = new RootCAPublisher(informers, cp.client, CA);
  informers.start(stop.signal);
  await informers.waitForCacheSync(stop.signal);
  void c.run(1, stop.signal);
});
after(async () => { stop.abort(); await cp.stop(); });

const caOf = async (ns: string) => ((await cp.client.get({ resource: 'configmaps', namespace: ns, name: ROOT_CA_CONFIGMAP }).catch(() => undefined)) as KObject & { data?: Record<string, string> } | undefined)?.data?.['ca.crt'];

test('every namespace gets kube-root-ca.crt with the CA; deleted → recreated, edited → restored', async () => {
  await waitFor('default has it', async () => (await caOf('default')) === CA);
  await waitFor('kube-system has it', async () => (await caOf('kube-system')) === CA);
  await cp.client.create({ resource: 'namespaces' }, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ksimt-rootca' } } as KObject);
  await waitFor('new namespace has it', async () => (await caOf('ksimt-rootca')) === CA);
  await cp.client.delete({ resource: 'configmaps', namespace: 'ksimt-rootca', name: ROOT_CA_CONFIGMAP });
  await waitFor('recreated', async () => (await caOf('ksimt-rootca')) === CA);
  const cm = await cp.client.get({ resource: 'configmaps', namespace: 'ksimt-rootca', name: ROOT_CA_CONFIGMAP }) as KObject & { data: Record<string, string> };
  cm.data['ca.crt'] = 'tampered';
  await cp.client.update({ resource: 'configmaps', namespace: 'ksimt-rootca' }, cm);
  await waitFor('restored', async () => (await caOf('ksimt-rootca')) === CA);
  assert.equal(await caOf('ksimt-rootca'), CA);
});

test('without --root-ca-file the CA comes from the kubeconfig (inline data or a file beside it)', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ksimt-kc-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const kc = (cluster: Record<string, string>) => {
    const file = join(dir, 'kc');
    writeFileSync(file, JSON.stringify({ 'current-context': 'c', contexts: [{ name: 'c', context: { cluster: 'k' } }], clusters: [{ name: 'other', cluster: {} }, { name: 'k', cluster }] }));
    return file;
  };
  assert.equal(caFromKubeconfig(kc({ server: 'https://x', 'certificate-authority-data': Buffer.from(CA).toString('base64') })), CA);
  writeFileSync(join(dir, 'ca.crt'), CA);
  assert.equal(caFromKubeconfig(kc({ server: 'https://x', 'certificate-authority': 'ca.crt' })), CA);
  assert.equal(caFromKubeconfig(kc({ server: 'http://x' })), undefined);
});
