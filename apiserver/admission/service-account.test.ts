import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../lib/api/object.js';
import { ApiError } from '../../lib/errors.js';
import { serviceAccountPlugin, TOKEN_MOUNT_PATH } from './service-account.js';
import { defaultStorageClass, defaultStorageClassPlugin } from './default-storage-class.js';
import type { AdmissionAttributes } from './types.js';

/** Stored objects by resource, as the registry lists them. */
const stored: Record<string, KObject[]> = {
  serviceaccounts: [
    { metadata: { name: 'default', namespace: 'team' } },
    { metadata: { name: 'quiet', namespace: 'team' }, automountServiceAccountToken: false } as KObject,
  ],
  storageclasses: [],
};
const store = { list: async (resource: string, ns: string) => (stored[resource] ?? []).filter((o) => !ns || o.metadata?.namespace === ns) };

const podCreate = (spec: Record<string, unknown>, resource = 'pods'): AdmissionAttributes => ({
  operation: 'CREATE', ref: { group: '', version: 'v1', resource }, def: {} as never, namespace: 'team', name: 'p',
  object: { apiVersion: 'v1', kind: resource === 'pods' ? 'Pod' : 'PersistentVolumeClaim', metadata: { name: 'p', namespace: 'team' }, spec } as KObject,
  ctx: { user: { username: 'admin', groups: ['system:masters'] } },
});
const specOf = (a: AdmissionAttributes) => a.object!.spec as any; // eslint-disable-line @typescript-eslint/no-explicit-any

test('ServiceAccount admission: default account, kube-api-access volume mounted read-only in every container', async () => {
  const a = podCreate({ initContainers: [{ name: 'init' }], containers: [{ name: 'a' }, { name: 'b', volumeMounts: [{ name: 'own', mountPath: TOKEN_MOUNT_PATH }] }] });
  await serviceAccountPlugin(store, true).admit(a);
  const spec = specOf(a);
  assert.equal(spec.serviceAccountName, 'default');
  assert.equal(spec.volumes.length, 1);
  const vol = spec.volumes[0];
  assert.match(vol.name, /^kube-api-access-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  assert.deepEqual(vol.projected.sources, [
    { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
    { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
    { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
  ]);
  assert.equal(vol.projected.defaultMode, 0o644);
  const mount = { name: vol.name, readOnly: true, mountPath: TOKEN_MOUNT_PATH };
  assert.deepEqual(spec.initContainers[0].volumeMounts, [mount]);
  assert.deepEqual(spec.containers[0].volumeMounts, [mount]);
  assert.deepEqual(spec.containers[1].volumeMounts, [{ name: 'own', mountPath: TOKEN_MOUNT_PATH }], 'an existing mount at the path is kept');
});

test('ServiceAccount admission: automount off on the pod or its account; no tokens without a signing key; missing account refused', async () => {
  for (const spec of [{ automountServiceAccountToken: false, containers: [{ name: 'a' }] }, { serviceAccountName: 'quiet', containers: [{ name: 'a' }] }]) {
    const a = podCreate(spec);
    await serviceAccountPlugin(store, true).admit(a);
    assert.equal(specOf(a).volumes, undefined);
  }
  const podWins = podCreate({ serviceAccountName: 'quiet', automountServiceAccountToken: true, containers: [{ name: 'a' }] });
  await serviceAccountPlugin(store, true).admit(podWins);
  assert.equal(specOf(podWins).volumes.length, 1, "the pod's choice beats its account's");
  const noKey = podCreate({ containers: [{ name: 'a' }] });
  await serviceAccountPlugin(store, false).admit(noKey);
  assert.equal(specOf(noKey).volumes, undefined);
  await assert.rejects(async () => serviceAccountPlugin(store, true).admit(podCreate({ serviceAccountName: 'ghost', containers: [{ name: 'a' }] })),
    (e: unknown) => e instanceof ApiError && e.code === 'Forbidden' && e.message === 'pods "p" is forbidden: error looking up service account team/ghost: serviceaccount "ghost" not found');
});

test('DefaultStorageClass: unset class gets the default (newest of several, then first name); explicit "" kept', async () => {
  const sc = (name: string, created: string, isDefault = true): KObject => ({ metadata: { name, creationTimestamp: created, annotations: isDefault ? { 'storageclass.kubernetes.io/is-default-class': 'true' } : {} as Record<string, string> } });
  assert.equal(defaultStorageClass([sc('old', '2026-01-01T00:00:00Z'), sc('new', '2026-02-01T00:00:00Z'), sc('newest-plain', '2026-03-01T00:00:00Z', false)]), 'new');
  assert.equal(defaultStorageClass([sc('b', '2026-01-01T00:00:00Z'), sc('a', '2026-01-01T00:00:00Z')]), 'a');
  assert.equal(defaultStorageClass([sc('x', '2026-01-01T00:00:00Z', false)]), undefined);
  stored.storageclasses = [sc('local-path', '2026-01-01T00:00:00Z'), sc('fast', '2026-01-02T00:00:00Z', false)];
  const plugin = defaultStorageClassPlugin(store);
  const unset = podCreate({ resources: { requests: { storage: '1Gi' } } }, 'persistentvolumeclaims');
  await plugin.admit(unset);
  assert.equal(specOf(unset).storageClassName, 'local-path');
  for (const explicit of ['', 'fast']) {
    const a = podCreate({ storageClassName: explicit }, 'persistentvolumeclaims');
    await plugin.admit(a);
    assert.equal(specOf(a).storageClassName, explicit);
  }
});
