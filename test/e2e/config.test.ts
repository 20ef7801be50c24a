/**
 * Seed labs on configuration and storage (seeds 002, 004), walked with the real kubectl on a
 * 2-node cluster: ConfigMaps made three ways (literal, file, YAML) and consumed three ways (env,
 * command arguments, a volume that follows updates), a Secret, and PV/PVC binding with access modes.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { upCluster, type E2ECluster } from './helpers.js';
import { applyYaml, jsonpath, waitRunning } from './lab-helpers.js';
import { waitFor } from '../../lib/testing/wait.js';

let c: E2ECluster;
before(async () => { c = await upCluster(2); });
after(async () => { await c?.down(); });

const MULTIMAP = `kind: ConfigMap
apiVersion: v1
metadata:
  name: multimap
data:
  given: Nigel
  family: Poulton
`;

test('ConfigMaps from literals, from a file and from YAML; describe shows the data (seed 004)', async () => {
  await c.kubectl('create', 'configmap', 'testmap1', '--from-literal', 'shortname=msb.com', '--from-literal', 'longname=magicsandbox.com');
  const dir = mkdtempSync(join(tmpdir(), 'ksimt-cm-'));
  try {
    writeFileSync(join(dir, 'cmfile.txt'), 'Magic Sandbox, hands-on learning that blurs the lines between training and the real world.\n');
    await c.kubectl('create', 'configmap', 'testmap2', '--from-file', join(dir, 'cmfile.txt'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const d = await c.kubectl('describe', 'cm', 'testmap1');
  assert.match(d, /shortname:\s*\n-+\s*\nmsb\.com/);
  assert.match(d, /longname:\s*\n-+\s*\nmagicsandbox\.com/);
  assert.match(await jsonpath(c, 'cm', 'testmap2', '{.data.cmfile\\.txt}'), /^Magic Sandbox, hands-on learning/);
  await applyYaml(c, 'multimap.yml', MULTIMAP);
  await applyYaml(c, 'singlemap.yml', `kind: ConfigMap
apiVersion: v1
metadata:
  name: test-config
data:
  test.conf: |
    env = plex-test
    endpoint = 0.0.0.0:31001
    char = utf8
    vault = PLEX/test
    log-size = 512M
`);
  assert.match(await jsonpath(c, 'cm', 'test-config', '{.data.test\\.conf}'), /^env = plex-test\nendpoint = 0\.0\.0\.0:31001\n/);
});

test('ConfigMap as environment variables: kubectl exec envpod -- env (seed 004)', async () => {
  await applyYaml(c, 'envPod.yml', `apiVersion: v1
kind: Pod
metadata:
  labels:
    chapter: configmaps
  name: envpod
spec:
  containers:
  - name: ctr1
    image: busybox
    command: ["sleep"]
    args: ["infinity"]
    env:
    - name: FIRSTNAME
      valueFrom:
        configMapKeyRef:
          name: multimap
          key: given
    - name: LASTNAME
      valueFrom:
        configMapKeyRef:
          name: multimap
          key: family
`);
  await waitRunning(c, 'chapter=configmaps', 1);
  const env = await c.kubectl('exec', 'envpod', '--', 'env');
  assert.match(env, /^HOSTNAME=envpod$/m);
  assert.match(env, /^FIRSTNAME=Nigel$/m);
  assert.match(env, /^LASTNAME=Poulton$/m);
});

test('ConfigMap in the start command: $(FIRSTNAME) expands, kubectl logs and describe (seed 004)', async () => {
  await applyYaml(c, 'startuppod.yml', `apiVersion: v1
kind: Pod
metadata:
  name: startup-pod
  labels:
    chapter: configmaps
spec:
  restartPolicy: OnFailure
  containers:
  - name: args1
    image: busybox
    command: [ "/bin/sh", "-c", "echo First name $(FIRSTNAME) last name $(LASTNAME)", "wait" ]
    env:
    - name: FIRSTNAME
      valueFrom:
        configMapKeyRef:
          name: multimap
          key: given
    - name: LASTNAME
      valueFrom:
        configMapKeyRef:
          name: multimap
          key: family
`);
  await waitFor('startup-pod Succeeded', async () => (await jsonpath(c, 'pod', 'startup-pod', '{.status.phase}')) === 'Succeeded', { timeoutMs: 60_000, intervalMs: 500 });
  assert.equal((await c.kubectl('logs', 'startup-pod', '-c', 'args1')).trim(), 'First name Nigel last name Poulton');
  const d = await c.kubectl('describe', 'po', 'startup-pod');
  assert.match(d, /FIRSTNAME:\s+<set to the key 'given' of config map 'multimap'>\s+Optional: false/);
  assert.match(d, /LASTNAME:\s+<set to the key 'family' of config map 'multimap'>\s+Optional: false/);
});

test('ConfigMap as a volume: one file per key, and an edit reaches the running container (seed 004)', async () => {
  await applyYaml(c, 'cmpod.yml', `apiVersion: v1
kind: Pod
metadata:
  name: cmvol
  labels:
    lab: cmvol
spec:
  volumes:
  - name: volmap
    configMap:
      name: multimap
  containers:
  - name: ctr
    image: nginx
    volumeMounts:
    - name: volmap
      mountPath: /etc/name
`);
  await waitRunning(c, 'lab=cmvol', 1);
  assert.deepEqual((await c.kubectl('exec', 'cmvol', '--', 'ls', '/etc/name')).trim().split('\n'), ['family', 'given']);
  assert.equal(await c.kubectl('exec', 'cmvol', '--', 'cat', '/etc/name/given'), 'Nigel');
  await c.kubectl('patch', 'configmap', 'multimap', '--type=merge', '-p', '{"data":{"given":"Ada"}}');
  await waitFor('the edit shows up in the running container', async () => (await c.kubectl('exec', 'cmvol', '--', 'cat', '/etc/name/given')) === 'Ada', { timeoutMs: 90_000, intervalMs: 1000 });
  assert.match(await c.kubectl('exec', 'envpod', '--', 'env'), /^FIRSTNAME=Nigel$/m, 'environment variables stay as they were at start');
});

test('Secret: env and a volume; kubectl get secret shows only base64 (seed 002)', async () => {
  await c.kubectl('create', 'secret', 'generic', 'db', '--from-literal=password=s3cr3t');
  assert.equal(await jsonpath(c, 'secret', 'db', '{.data.password}'), Buffer.from('s3cr3t').toString('base64'));
  await applyYaml(c, 'secretpod.yml', `apiVersion: v1
kind: Pod
metadata:
  name: secretpod
  labels:
    lab: secret
spec:
  volumes:
  - name: creds
    secret:
      secretName: db
  containers:
  - name: app
    image: busybox
    command: ["sleep", "infinity"]
    env:
    - name: DB_PASSWORD
      valueFrom:
        secretKeyRef:
          name: db
          key: password
    volumeMounts:
    - name: creds
      mountPath: /etc/creds
      readOnly: true
`);
  await waitRunning(c, 'lab=secret', 1);
  assert.match(await c.kubectl('exec', 'secretpod', '--', 'env'), /^DB_PASSWORD=s3cr3t$/m);
  assert.equal(await c.kubectl('exec', 'secretpod', '--', 'cat', '/etc/creds/password'), 's3cr3t');
});

test('PV and PVC: a RWO volume binds to one claim only, the other stays Pending; a pod writes through the claim (seed 004)', async () => {
  await applyYaml(c, 'pv.yml', `apiVersion: v1
kind: PersistentVolume
metadata:
  name: pv1
spec:
  storageClassName: manual
  capacity:
    storage: 1Gi
  accessModes:
  - ReadWriteOnce
  hostPath:
    path: /tmp/ksimt-pv1
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: claim-a
spec:
  storageClassName: manual
  accessModes:
  - ReadWriteOnce
  resources:
    requests:
      storage: 1Gi
`);
  await waitFor('claim-a Bound to pv1', async () => (await jsonpath(c, 'pvc', 'claim-a', '{.status.phase}/{.spec.volumeName}')) === 'Bound/pv1', { timeoutMs: 30_000, intervalMs: 500 });
  assert.match(await c.kubectl('get', 'pv', 'pv1', '--no-headers'), /^pv1\s+1Gi\s+RWO\s+Retain\s+Bound\s+default\/claim-a\s+manual/);
  // A second claim, and one asking for ReadOnlyMany, find no volume: one PV binds one PVC.
  await applyYaml(c, 'pvc2.yml', `apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: claim-b
spec:
  storageClassName: manual
  accessModes:
  - ReadWriteOnce
  resources:
    requests:
      storage: 1Gi
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: claim-rox
spec:
  storageClassName: manual
  accessModes:
  - ReadOnlyMany
  resources:
    requests:
      storage: 1Gi
`);
  await waitFor('claim-b reported Pending', async () => (await jsonpath(c, 'pvc', 'claim-b', '{.status.phase}')) === 'Pending', { timeoutMs: 10_000 });
  assert.equal(await jsonpath(c, 'pvc', 'claim-rox', '{.status.phase}'), 'Pending');
  await applyYaml(c, 'pvpod.yml', `apiVersion: v1
kind: Pod
metadata:
  name: pvpod
  labels:
    lab: pv
spec:
  volumes:
  - name: data
    persistentVolumeClaim:
      claimName: claim-a
  containers:
  - name: app
    image: busybox
    command: ["sh", "-c", "echo persisted > /data/file && sleep infinity"]
    volumeMounts:
    - name: data
      mountPath: /data
`);
  await waitRunning(c, 'lab=pv', 1);
  await waitFor('the file is written', async () => (await c.kubectl('exec', 'pvpod', '--', 'cat', '/data/file').catch(() => '')).trim() === 'persisted', { timeoutMs: 20_000, intervalMs: 500 });
  await c.kubectl('delete', 'pod', 'pvpod', '--grace-period=1');
  await c.kubectl('delete', 'pvc', 'claim-a', 'claim-b', 'claim-rox', '--wait=false');
  await c.kubectl('delete', 'pv', 'pv1', '--wait=false');
  rmSync('/tmp/ksimt-pv1', { recursive: true, force: true });
});
