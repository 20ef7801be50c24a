/** dns/addon.yaml is accepted whole by the real apiserver and asks for the well-known DNS address. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import type { KObject } from '../lib/api/object.js';
import type { Service } from '../lib/api/types.js';
import { R } from '../lib/client/resources.js';
import { startControlPlane } from '../lib/testing/control-plane.js';

test('the DNS addon manifest applies to a real apiserver; kube-dns gets 10.96.0.10', async (t) => {
  const cp = await startControlPlane();
  t.after(() => cp.stop());
  // dist/dns → repository root
  const text = readFileSync(fileURLToPath(new URL('../../dns/addon.yaml', import.meta.url)), 'utf8');
  const docs = parseAllDocuments(text).map((d) => d.toJSON() as KObject);
  assert.deepEqual(docs.map((d) => `${d.kind}/${d.metadata?.name}`), ['ServiceAccount/coredns', 'ClusterRole/system:coredns', 'ClusterRoleBinding/system:coredns', 'Deployment/coredns', 'Service/kube-dns']);
  await cp.client.create({ ...R.deployments, namespace: 'kube-system' }, docs[3]);
  const svc = await cp.client.create<Service>({ ...R.services, namespace: 'kube-system' }, docs[4] as Service);
  assert.equal(svc.spec?.clusterIP, '10.96.0.10');
  assert.deepEqual(svc.spec?.ports?.map((p) => `${p.port}/${p.protocol}`), ['53/UDP', '53/TCP', '9153/TCP']);
});
