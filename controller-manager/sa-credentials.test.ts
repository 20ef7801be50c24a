/**
 * --use-service-account-credentials against the real apiserver process with RBAC: the controller
 * manager's own identity may no longer touch workloads, each controller acts as its
 * ServiceAccount in kube-system with only its role's rights, and a Deployment and a Job still
 * run to completion with those credentials.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { httpsJson, writeKubeconfig } from '../apiserver/auth/testing.js';
import { freePort } from '../lib/testing/ports.js';
import { kubectl, startCluster, type TestCluster } from '../test/apiserver/harness.js';
import { waitFor } from '../lib/testing/wait.js';
import { ApiClient } from '../lib/client/api-client.js';
import { startFakeKubelet } from '../lib/testing/fake-kubelet.js';
import { startControllers } from './run.js';
import type { Recorder } from './recorder.js';
import { EventRecorder } from '../lib/client/event-recorder.js';

const NS = 'ksimt-sacreds';
let c: TestCluster;
let dir: string;
let port: number;
let ca: string;
let admin: ApiClient;
let kcm: ApiClient;

const call = (token: string, method: string, path: string, body?: unknown) => httpsJson(port, ca, token, method, path, body);
const quiet: Recorder = { event: () => undefined };

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ksimt-sacreds-'));
  writeFileSync(join(dir, 'tokens.csv'), 'admin-token,admin,u-admin,"system:masters"\nkcm-token,system:kube-controller-manager,u-kcm\n');
  port = await freePort();
  c = await startCluster(['--secure-port', String(port), '--cert-dir', join(dir, 'pki'), '--token-auth-file', join(dir, 'tokens.csv'), '--authorization-mode', 'Node,RBAC']);
  ca = readFileSync(join(dir, 'pki', 'ca.crt'), 'utf8');
  const grpc = `127.0.0.1:${c.grpcPort}`;
  admin = ApiClient.connect(grpc, { metadata: { authorization: 'Bearer admin-token' } });
  kcm = ApiClient.connect(grpc, { metadata: { authorization: 'Bearer kcm-token' } });
  assert.equal((await call('admin-token', 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } })).status, 201);
});
after(async () => {
  admin?.close();
  kcm?.close();
  await c?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('the controller manager\'s own identity keeps only its bootstrap rights: no pod writes, but list/watch, leases and controller tokens', async () => {
  const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } };
  assert.equal((await call('admin-token', 'POST', `/api/v1/namespaces/${NS}/pods`, pod)).status, 201);
  const del = await call('kcm-token', 'DELETE', `/api/v1/namespaces/${NS}/pods/p`);
  assert.equal(del.status, 403);
  assert.equal(del.body.message, `pods "p" is forbidden: User "system:kube-controller-manager" cannot delete resource "pods" in API group "" in the namespace "${NS}"`);
  assert.equal((await call('kcm-token', 'POST', `/api/v1/namespaces/${NS}/pods`, { ...pod, metadata: { name: 'q' } })).status, 403);
  assert.equal((await call('kcm-token', 'GET', `/api/v1/namespaces/${NS}/pods`)).status, 200, 'list for the shared informers');
  assert.equal((await call('kcm-token', 'GET', `/api/v1/namespaces/${NS}/pods/p`)).status, 403, 'no get of pods');
  assert.equal((await call('kcm-token', 'DELETE', '/api/v1/nodes/n1')).status, 403);
  assert.equal((await call('kcm-token', 'GET', '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kube-scheduler')).status, 403, 'only its own lease');
  // It mints tokens for accounts in kube-system (its controllers') only.
  const tokenRequest = { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: {} };
  assert.equal((await call('admin-token', 'POST', `/api/v1/namespaces/${NS}/serviceaccounts`, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'someone' } })).status, 201);
  assert.equal((await call('kcm-token', 'POST', `/api/v1/namespaces/${NS}/serviceaccounts/someone/token`, tokenRequest)).status, 403);
  assert.equal((await call('kcm-token', 'POST', `/api/v1/namespaces/${NS}/serviceaccounts`, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'other' } })).status, 403);
  assert.equal((await call('kcm-token', 'POST', '/api/v1/namespaces/kube-system/serviceaccounts', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'probe-controller' } })).status, 201);
  assert.equal((await call('kcm-token', 'POST', '/api/v1/namespaces/kube-system/serviceaccounts/probe-controller/token', tokenRequest)).status, 201);
  assert.equal((await call('admin-token', 'DELETE', '/api/v1/namespaces/kube-system/serviceaccounts/probe-controller')).status, 200);
  assert.equal((await call('admin-token', 'DELETE', `/api/v1/namespaces/${NS}/pods/p?gracePeriodSeconds=0`)).status, 200);
});

test('with --use-service-account-credentials a Deployment and a Job run, the garbage collector and namespace controller clean up, through the controllers\' own ServiceAccounts', async () => {
  const stop = new AbortController();
  startFakeKubelet(admin, stop.signal, { delayMs: 20, exitCode: (p) => (p.metadata?.labels?.['job-name'] ? 0 : undefined) });
  const running = startControllers(kcm, quiet, stop.signal, {
    controllers: 'replicaset,deployment,job,garbagecollector,namespace,serviceaccount,endpoints,endpointslice', workers: 2, nodeMonitorGracePeriodMs: 40_000, podEvictionTimeoutMs: 300_000, useServiceAccountCredentials: true,
    recorderFor: (client, component) => new EventRecorder(client, { component }),
  });
  running.catch(() => undefined);
  try {
    // The controller manager created the accounts it acts as.
    await waitFor('controller ServiceAccounts', async () => {
      const list = (await call('admin-token', 'GET', '/api/v1/namespaces/kube-system/serviceaccounts')).body;
      const names = (list.items ?? []).map((s: { metadata: { name: string } }) => s.metadata.name);
      return ['replicaset-controller', 'deployment-controller', 'job-controller'].every((n) => names.includes(n)) || undefined;
    }, { timeoutMs: 15_000 });
    const deploy = {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' },
      spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
    };
    assert.equal((await call('admin-token', 'POST', `/apis/apps/v1/namespaces/${NS}/deployments`, deploy)).status, 201);
    const job = {
      apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'once' },
      spec: { completions: 1, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } } },
    };
    assert.equal((await call('admin-token', 'POST', `/apis/batch/v1/namespaces/${NS}/jobs`, job)).status, 201);
    await waitFor('deployment available', async () => {
      const d = (await call('admin-token', 'GET', `/apis/apps/v1/namespaces/${NS}/deployments/web`)).body;
      return d.status?.availableReplicas === 2 || undefined;
    }, { timeoutMs: 30_000 });
    await waitFor('job complete', async () => {
      const j = (await call('admin-token', 'GET', `/apis/batch/v1/namespaces/${NS}/jobs/once`)).body;
      return j.status?.succeeded === 1 && j.status.conditions?.some((x: { type: string; status: string }) => x.type === 'Complete' && x.status === 'True') || undefined;
    }, { timeoutMs: 30_000 });
    // The apiserver's log (--v=2) names who made each write: the controllers' accounts.
    const writes = c.logs().split('\n').filter((l) => l.includes('"grpc" method=Create') && l.includes(`namespace=${NS}`));
    const creator = (resource: string) => writes.filter((l) => l.includes(`resource=${resource} `)).map((l) => /user=(\S+)/.exec(l)?.[1]);
    assert.deepEqual([...new Set(creator('pods'))].sort(), ['system:serviceaccount:kube-system:job-controller', 'system:serviceaccount:kube-system:replicaset-controller']);
    assert.deepEqual([...new Set(creator('replicasets.apps'))], ['system:serviceaccount:kube-system:deployment-controller']);
    // Events too: the deployment controller's ScalingReplicaSet is written as its account.
    await waitFor('ScalingReplicaSet event', async () => {
      const events = (await call('admin-token', 'GET', `/api/v1/namespaces/${NS}/events`)).body.items ?? [];
      return events.some((e: { reason: string }) => e.reason === 'ScalingReplicaSet') || undefined;
    }, { timeoutMs: 10_000 });
    const eventWriters = c.logs().split('\n').filter((l) => l.includes('"grpc" method=Create') && l.includes(`resource=events namespace=${NS}`)).map((l) => /user=(\S+)/.exec(l)?.[1]);
    assert.ok(eventWriters.includes('system:serviceaccount:kube-system:deployment-controller'), eventWriters.join(','));
    assert.ok(!eventWriters.includes('system:kube-controller-manager'), eventWriters.join(','));
    // ... and under the controllers' Kubernetes source names (kubectl describe's "From").
    const sources = async () => {
      const events: { reason: string; source?: { component?: string } }[] = (await call('admin-token', 'GET', `/api/v1/namespaces/${NS}/events`)).body.items ?? [];
      return new Map(events.map((e) => [e.reason, e.source?.component]));
    };
    await waitFor('SuccessfulCreate of the job', async () => (await sources()).has('SuccessfulCreate') || undefined, { timeoutMs: 10_000 });
    const from = await sources();
    assert.equal(from.get('ScalingReplicaSet'), 'deployment-controller');
    const events = (await call('admin-token', 'GET', `/api/v1/namespaces/${NS}/events`)).body.items as { reason: string; involvedObject: { kind: string }; source?: { component?: string } }[];
    const by = (kind: string, reason: string) => events.find((e) => e.involvedObject.kind === kind && e.reason === reason)?.source?.component;
    assert.equal(by('ReplicaSet', 'SuccessfulCreate'), 'replicaset-controller');
    assert.equal(by('Job', 'SuccessfulCreate'), 'job-controller');
    // The garbage collector (generic-garbage-collector) removes what the Deployment owned.
    assert.equal((await call('admin-token', 'DELETE', `/apis/apps/v1/namespaces/${NS}/deployments/web`)).status, 200);
    await waitFor('ReplicaSets and pods collected', async () => {
      const rs = (await call('admin-token', 'GET', `/apis/apps/v1/namespaces/${NS}/replicasets`)).body.items ?? [];
      const pods = (await call('admin-token', 'GET', `/api/v1/namespaces/${NS}/pods?labelSelector=app%3Dweb`)).body.items ?? [];
      return (rs.length === 0 && pods.length === 0) || undefined;
    }, { timeoutMs: 30_000 });
    // The ServiceAccount controller fills a new namespace, the namespace controller empties a deleted one.
    assert.equal((await call('admin-token', 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: `${NS}-gone` } })).status, 201);
    await waitFor('default ServiceAccount', async () => (await call('admin-token', 'GET', `/api/v1/namespaces/${NS}-gone/serviceaccounts/default`)).status === 200 || undefined, { timeoutMs: 15_000 });
    assert.equal((await call('admin-token', 'POST', `/api/v1/namespaces/${NS}-gone/configmaps`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } })).status, 201);
    assert.ok([200, 202].includes((await call('admin-token', 'DELETE', `/api/v1/namespaces/${NS}-gone`)).status));
    await waitFor('namespace deleted', async () => (await call('admin-token', 'GET', `/api/v1/namespaces/${NS}-gone`)).status === 404 || undefined, { timeoutMs: 30_000 });
    // A controller's account deleted under it: its token is refused, the controller manager makes
    // the account again and asks a fresh token at once, and the next Job still runs.
    const before = (await call('admin-token', 'GET', '/api/v1/namespaces/kube-system/serviceaccounts/job-controller')).body.metadata.uid;
    assert.equal((await call('admin-token', 'DELETE', '/api/v1/namespaces/kube-system/serviceaccounts/job-controller')).status, 200);
    assert.equal((await call('admin-token', 'POST', `/apis/batch/v1/namespaces/${NS}/jobs`, { ...job, metadata: { name: 'twice' } })).status, 201);
    await waitFor('job after the account came back', async () => {
      const j = (await call('admin-token', 'GET', `/apis/batch/v1/namespaces/${NS}/jobs/twice`)).body;
      return j.status?.succeeded === 1 || undefined;
    }, { timeoutMs: 40_000 });
    const after = (await call('admin-token', 'GET', '/api/v1/namespaces/kube-system/serviceaccounts/job-controller')).body.metadata.uid;
    assert.ok(after && after !== before, 'a new account');
  } finally {
    stop.abort();
    await running.catch(() => undefined);
    await call('admin-token', 'DELETE', `/apis/apps/v1/namespaces/${NS}/deployments/web`);
    await call('admin-token', 'DELETE', `/apis/batch/v1/namespaces/${NS}/jobs/once`);
    await call('admin-token', 'DELETE', `/apis/batch/v1/namespaces/${NS}/jobs/twice`);
    await call('admin-token', 'DELETE', `/api/v1/namespaces/${NS}-gone`);
  }
});

test('a controller\'s ServiceAccount can do its job and nothing else (kubectl auth can-i and real requests)', async () => {
  const tr = await call('admin-token', 'POST', '/api/v1/namespaces/kube-system/serviceaccounts/job-controller/token', { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: {} });
  if (tr.status === 404) {
    // Run alone: the account is made by the controller manager in the test above.
    assert.equal((await call('admin-token', 'POST', '/api/v1/namespaces/kube-system/serviceaccounts', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'job-controller' } })).status, 201);
  }
  const token = tr.status === 201 ? tr.body.status.token as string
    : (await call('admin-token', 'POST', '/api/v1/namespaces/kube-system/serviceaccounts/job-controller/token', { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: {} })).body.status.token as string;
  const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'by-job-controller' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } };
  assert.equal((await call(token, 'POST', `/api/v1/namespaces/${NS}/pods`, pod)).status, 201, 'creates pods');
  assert.equal((await call(token, 'DELETE', `/api/v1/namespaces/${NS}/pods/by-job-controller`)).status, 200, 'deletes pods');
  const node = await call(token, 'DELETE', '/api/v1/nodes/n1');
  assert.equal(node.status, 403);
  assert.equal(node.body.message, 'nodes "n1" is forbidden: User "system:serviceaccount:kube-system:job-controller" cannot delete resource "nodes" in API group "" at the cluster scope');
  assert.equal((await call(token, 'DELETE', `/apis/apps/v1/namespaces/${NS}/deployments/web`)).status, 403, 'not the deployment controller\'s work');
  assert.equal((await call(token, 'GET', `/api/v1/namespaces/${NS}/secrets`)).status, 403);
  const kc = writeKubeconfig(join(dir, 'kc-admin'), port, ca, { token: 'admin-token' }, NS);
  const canI = async (...args: string[]) => (await kubectl('/usr/bin/kubectl', c, ['--kubeconfig', kc, 'auth', 'can-i', ...args, '--as=system:serviceaccount:kube-system:job-controller'])).stdout.trim();
  assert.equal(await canI('create', 'pods'), 'yes');
  assert.equal(await canI('update', 'jobs/status'), 'yes');
  assert.equal(await canI('delete', 'nodes'), 'no');
  assert.equal(await canI('create', 'deployments.apps'), 'no');
});

test('the token cleaner\'s account deletes Secrets in kube-system only (a Role there, as Kubernetes\')', async () => {
  const kc = writeKubeconfig(join(dir, 'kc-admin'), port, ca, { token: 'admin-token' }, NS);
  const canI = async (...args: string[]) => (await kubectl('/usr/bin/kubectl', c, ['--kubeconfig', kc, 'auth', 'can-i', ...args, '--as=system:serviceaccount:kube-system:token-cleaner'])).stdout.trim();
  assert.equal(await canI('delete', 'secrets', '-n', 'kube-system'), 'yes');
  assert.equal(await canI('list', 'secrets', '-n', 'kube-system'), 'yes');
  assert.equal(await canI('delete', 'secrets', '-n', NS), 'no');
  assert.equal(await canI('list', 'secrets', '--all-namespaces'), 'no');
});
