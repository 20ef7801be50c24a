/**
 * Bound ServiceAccount tokens end to end: the real apiserver process (HTTPS, signing key in
 * --cert-dir, Node,RBAC, token lifetimes capped at 30 s), the root CA publisher, and a real
 * kubelet — running as its node's identity — with a real runtime. A pod gets the kube-api-access volume from admission; its container prints the
 * projected token, CA and namespace; the token authenticates as the pod's ServiceAccount, is
 * rotated before it expires, and is refused once the pod is deleted.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { httpsJson as call } from '../../apiserver/auth/testing.js';
import type { Pod } from '../../lib/api/types.js';
import { ApiClient } from '../../lib/client/api-client.js';
import { InformerFactory } from '../../lib/client/informer.js';
import { freePort } from '../../lib/testing/ports.js';
import { waitFor } from '../../lib/testing/wait.js';
import { startCluster } from '../../test/apiserver/harness.js';
import { RootCAPublisher } from '../../controller-manager/controllers/root-ca-publisher.js';
import { Kubelet } from '../kubelet.js';
import { createLogger } from '../runtime/log.js';
import { startRuntimeHarness } from '../testing/runtime-harness.js';
import { renderCriLog } from '../cri-log.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The whole-line output of every container log of a pod so far. */
function podOutput(logRoot: string, pod: Pod): string {
  const dir = join(logRoot, `${pod.metadata!.namespace}_${pod.metadata!.name}_${pod.metadata!.uid}`);
  try {
    return readdirSync(dir).flatMap((cn) => readdirSync(join(dir, cn)).map((f) => renderCriLog(readFileSync(join(dir, cn, f), 'utf8')))).join('');
  } catch { return ''; }
}

test('a pod reads a real bound token: it authenticates as its ServiceAccount, rotates, and dies with the pod', { timeout: 240_000 }, async (t) => {
  // Cleanups run last-registered first (kubelet, runtime, clients, then the apiserver and files).
  const cleanups: (() => unknown)[] = [];
  t.after(async () => { for (const f of cleanups.reverse()) await Promise.resolve().then(f).catch(() => undefined); });
  const dir = mkdtempSync(join(tmpdir(), 'ksimt-satok-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const node = 'ksimt-satok-node';
  // The kubelet runs as its node (Node authorizer + NodeRestriction), the test and the publisher as admin.
  writeFileSync(join(dir, 'tokens.csv'), `admin-token,admin,u-admin,"system:masters"\nnode-token,system:node:${node},u-node,"system:nodes"\n`);
  const securePort = await freePort();
  const c = await startCluster(['--secure-port', String(securePort), '--cert-dir', join(dir, 'pki'), '--token-auth-file', join(dir, 'tokens.csv'),
    '--authorization-mode', 'Node,RBAC', '--service-account-min-token-expiration', '20s', '--service-account-max-token-expiration', '30s']);
  cleanups.push(() => c.stop());
  const ca = readFileSync(join(dir, 'pki', 'ca.crt'), 'utf8');
  const client = ApiClient.connect(`127.0.0.1:${c.grpcPort}`, { metadata: { authorization: 'Bearer admin-token' } });
  cleanups.push(() => client.close());
  const stop = new AbortController();
  cleanups.push(() => stop.abort());

  // The root CA publisher (controller-manager) fills kube-root-ca.crt in every namespace.
  const informers = new InformerFactory(client);
  const publisher = new RootCAPublisher(informers, client, ca);
  informers.start(stop.signal);
  await informers.waitForCacheSync(stop.signal);
  void publisher.run(1, stop.signal);

  const h = await startRuntimeHarness(37);
  cleanups.push(() => h.cleanup());
  const kubeletClient = ApiClient.connect(`127.0.0.1:${c.grpcPort}`, { metadata: { authorization: 'Bearer node-token' } });
  cleanups.push(() => kubeletClient.close());
  const kubelet = new Kubelet({
    client: kubeletClient, criEndpoint: `unix://${join(h.dir, 'cri.sock')}`, rootDir: join(h.dir, 'kubelet'), logRoot: join(h.dir, 'pod-logs'),
    node: { name: node, ip: '10.200.0.98' }, cluster: { clusterDns: ['10.96.0.10'], clusterDomain: 'cluster.local', nodeResolvConf: 'nameserver 192.0.2.53\n' },
    log: createLogger('kubelet', !process.env.KSIM_LOGS), relistMs: 300, heartbeatMs: 2000, serverHost: '127.0.0.1', serverPort: -1, nfsRoot: join(h.dir, 'nfs'),
  });
  const kubeletStop = new AbortController();
  const running = kubelet.run(kubeletStop.signal);
  cleanups.push(async () => { kubeletStop.abort(); await running.catch(() => undefined); });

  const sa = '/var/run/secrets/kubernetes.io/serviceaccount';
  const created = await client.create<Pod>({ resource: 'pods', namespace: 'default' }, {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'reader' },
    spec: { nodeName: node, terminationGracePeriodSeconds: 0, containers: [{ name: 'c', image: 'busybox', command: ['sh', '-c',
      `while true; do echo "token=$(cat ${sa}/token) ns=$(cat ${sa}/namespace) ca=$(grep -c BEGIN ${sa}/ca.crt)"; sleep 2; done`] }] },
  } as Pod);
  cleanups.push(() => client.delete({ resource: 'pods', namespace: 'default', name: 'reader' }, { gracePeriodSeconds: 0 }).catch(() => undefined));
  // Admission: serviceAccountName default, the kube-api-access-xxxxx projected volume, a read-only mount.
  assert.equal(created.spec?.serviceAccountName, 'default');
  const vol = created.spec?.volumes?.find((v) => /^kube-api-access-[a-z0-9]{5}$/.test(v.name ?? ''));
  assert.ok(vol?.projected, JSON.stringify(created.spec?.volumes));
  assert.deepEqual(created.spec?.containers?.[0].volumeMounts, [{ name: vol.name, readOnly: true, mountPath: sa }]);

  const tokens = (): string[] => [...podOutput(join(h.dir, 'pod-logs'), created).matchAll(/^token=(\S+) ns=default ca=1$/gm)].map((m) => m[1]);
  const events = async () => (await client.list({ resource: 'events', namespace: 'default' })).items.map((e) => (e as Json).message).join('\n');
  const first = await waitFor('container prints the token, namespace and CA', () => tokens()[0], { timeoutMs: 90_000 })
    .catch(async (err: Error) => { throw new Error(`${err.message}; events:\n${await events()}`); });
  const whoami = await call(securePort, ca, first, 'POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' });
  assert.equal(whoami.status, 201, JSON.stringify(whoami.body));
  assert.equal(whoami.body.status.userInfo.username, 'system:serviceaccount:default:default');
  assert.deepEqual(whoami.body.status.userInfo.extra['authentication.kubernetes.io/pod-name'], ['reader']);
  assert.deepEqual(whoami.body.status.userInfo.extra['authentication.kubernetes.io/node-name'], [node]);
  // RBAC gives the default account nothing: authenticated (403), not unknown (401).
  assert.equal((await call(securePort, ca, first, 'GET', '/api/v1/namespaces/default/secrets')).status, 403);

  // Lifetimes are capped at 30 s here: the kubelet requests a new token after 80 % (24 s).
  const rotated = await waitFor('the token file is rotated', () => tokens().find((x) => x !== first), { timeoutMs: 90_000 });
  assert.equal((await call(securePort, ca, rotated, 'POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' })).status, 201);

  await client.delete({ resource: 'pods', namespace: 'default', name: 'reader' }, { gracePeriodSeconds: 0 });
  await waitFor('pod gone', async () => (await client.get({ resource: 'pods', namespace: 'default', name: 'reader' }).catch(() => undefined)) === undefined, { timeoutMs: 30_000 });
  await waitFor('the pod\'s token is refused (401)', async () => (await call(securePort, ca, rotated, 'GET', '/api/v1/namespaces/default/pods')).status === 401, { timeoutMs: 10_000 });
});
