import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setupPodVolumes, type VolumeSources } from './pod-volumes.js';
import { teardownPodVolumes } from './volumes/volumes.js';
import type { Pod, Secret } from '../lib/api/types.js';

test('a secret volume keeps its files across syncs and follows an update of the Secret', async () => {
  const podDir = mkdtempSync(join(tmpdir(), 'ksimt-podvol-'));
  let secret: Secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db', namespace: 'default' }, data: { password: Buffer.from('s3cr3t').toString('base64') } };
  const src: VolumeSources = { configMap: () => undefined, secret: () => secret, pvc: () => undefined, pv: () => undefined, nfsRoot: podDir };
  const pod: Pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default', uid: 'u1' }, spec: { containers: [], volumes: [{ name: 'creds', secret: { secretName: 'db' } }] } };
  try {
    for (let sync = 1; sync <= 3; sync++) {
      const dir = (await setupPodVolumes(pod, podDir, src)).get('creds')!;
      assert.equal(readFileSync(join(dir, 'password'), 'utf8'), 's3cr3t', `after sync ${sync}`);
    }
    secret = { ...secret, data: { password: Buffer.from('n3w').toString('base64') } };
    const dir = (await setupPodVolumes(pod, podDir, src)).get('creds')!;
    assert.equal(readFileSync(join(dir, 'password'), 'utf8'), 'n3w');
  } finally {
    await teardownPodVolumes(podDir);
  }
});
