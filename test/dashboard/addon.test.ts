/** dashboard/addon.yaml is accepted whole by the real apiserver (validation, RBAC kinds, NodePort). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startControlPlane } from '../../lib/testing/control-plane.js';
import { applyManifest } from '../../dashboard/server/actions.js';

test('the dashboard addon manifest applies cleanly to a real apiserver', async (t) => {
  const cp = await startControlPlane();
  t.after(() => cp.stop());
  // dist/test/dashboard → repository root
  const text = readFileSync(fileURLToPath(new URL('../../../dashboard/addon.yaml', import.meta.url)), 'utf8');
  const results = await applyManifest(cp.client, text);
  assert.deepEqual(results.map((r) => `${r.kind}/${r.name} ${r.action}`), [
    'ServiceAccount/kubesim-dashboard created', 'ClusterRole/kubesim-dashboard created', 'ClusterRoleBinding/kubesim-dashboard created',
    'Deployment/kubesim-dashboard created', 'Service/kubesim-dashboard created',
  ]);
  const svc = await cp.client.get<{ spec: { ports: Array<{ nodePort: number }> } } & Record<string, unknown>>({ resource: 'services', namespace: 'kube-system', name: 'kubesim-dashboard' });
  assert.equal(svc.spec.ports[0].nodePort, 30880);
  // Applying again is a no-op configure, not an error.
  assert.ok((await applyManifest(cp.client, text)).every((r) => r.action === 'configured'));
});
