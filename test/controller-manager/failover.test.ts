/**
 * Controller-manager failover: two real controller-manager processes with --leader-elect on one
 * control plane; a 30-replica Deployment (maxSurge 3, maxUnavailable 0) is rolling when the leader
 * (holder of Lease kube-system/kube-controller-manager) is killed with SIGKILL. The standby takes
 * the Lease and finishes the rollout; a pod informer in the test watches every change and checks
 * that live pods never exceed 30 + maxSurge and ready pods never drop below 30.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startControlPlane } from '../../lib/testing/control-plane.js';
import { startFakeKubelet } from '../../lib/testing/fake-kubelet.js';
import { waitFor } from '../../lib/testing/wait.js';
import { SharedInformer } from '../../lib/client/informer.js';
import { isPodActive, isPodReady } from '../../controller-manager/pods.js';
import type { Deployment, Lease, Pod } from '../../lib/api/types.js';

const MAIN = fileURLToPath(new URL('../../controller-manager/main.js', import.meta.url));
const REPLICAS = 30;
const SURGE = 3;

interface Cm { proc: ChildProcess; log: string[]; mentions(identity: string): boolean }

function startControllerManager(grpcTarget: string, name: string): Cm {
  const proc = spawn(process.execPath, [MAIN, '--grpc-server', grpcTarget, '--leader-elect',
    '--leader-elect-lease-duration', '3s', '--leader-elect-renew-deadline', '2s', '--leader-elect-retry-period', '500ms',
    '--controllers', '*'], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, KUBESIM_COMPONENT: name, KUBESIM_LOG_LEVEL: 'info' } });
  const log: string[] = [];
  proc.stderr!.setEncoding('utf8').on('data', (d: string) => { log.push(...d.split('\n').filter(Boolean)); if (log.length > 2000) log.splice(0, log.length - 2000); });
  // Each process logs its own identity when it becomes leader: that maps the Lease holder to a process.
  return { proc, log, mentions: (identity) => log.some((l) => l.includes('became leader') && l.includes(identity)) };
}

function kill(c: Cm): Promise<void> {
  if (c.proc.exitCode !== null || c.proc.signalCode !== null) return Promise.resolve();
  return new Promise((r) => { c.proc.once('exit', () => r()); c.proc.kill('SIGKILL'); });
}

test('the standby controller-manager finishes a rolling update after the leader is SIGKILLed, within maxSurge and without losing ready pods', { timeout: 180_000 }, async (t) => {
  const cp = await startControlPlane();
  const stop = new AbortController();
  const cms: Cm[] = [];
  t.after(async () => {
    stop.abort();
    await Promise.all(cms.map(kill));
    await cp.stop();
  });
  cms.push(startControllerManager(cp.grpcTarget, 'cm-1'));
  cms.push(startControllerManager(cp.grpcTarget, 'cm-2'));
  startFakeKubelet(cp.client, stop.signal, { delayMs: 300 });

  // Every pod change, in etcd order: the invariants are checked on each state the cluster passes through.
  let rolling = false;
  let maxLive = 0;
  let minReady = Infinity;
  const pods = new SharedInformer<Pod>(cp.client, { resource: 'pods', namespace: 'default' });
  const check = () => {
    const active = pods.lister.list().filter(isPodActive);
    maxLive = Math.max(maxLive, active.length);
    if (rolling) minReady = Math.min(minReady, active.filter(isPodReady).length);
  };
  pods.addEventHandler({ onAdd: check, onUpdate: check, onDelete: check });
  void pods.run(stop.signal);

  const D = { group: 'apps', resource: 'deployments', namespace: 'default' };
  await cp.client.create<Deployment>(D, {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' },
    spec: { replicas: REPLICAS, selector: { matchLabels: { app: 'web' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: SURGE, maxUnavailable: 0 } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx', env: [{ name: 'V', value: '1' }] }] } } },
  });
  const done = async (gen: number) => {
    const d = await cp.client.get<Deployment>({ ...D, name: 'web' });
    const s = d.status ?? {};
    return (s.observedGeneration ?? 0) >= gen && s.updatedReplicas === REPLICAS && s.readyReplicas === REPLICAS && s.replicas === REPLICAS && s.availableReplicas === REPLICAS;
  };
  await waitFor('first rollout complete', () => done(1), { timeoutMs: 60_000, intervalMs: 200 });
  await waitFor('pod cache has 30 ready pods', () => pods.lister.list().filter((p) => isPodActive(p) && isPodReady(p)).length === REPLICAS);

  const leaderLease = () => cp.client.get<Lease>({ group: 'coordination.k8s.io', resource: 'leases', namespace: 'kube-system', name: 'kube-controller-manager' });
  const firstHolder = (await leaderLease()).spec?.holderIdentity;
  assert.ok(firstHolder);
  const leaders = cms.filter((c) => c.mentions(firstHolder));
  assert.equal(leaders.length, 1, 'exactly one controller-manager leads');
  const [leader] = leaders;
  const standby = cms.find((c) => c !== leader)!;

  rolling = true;
  minReady = Infinity;
  const patched = await cp.client.patch<Deployment>({ ...D, name: 'web' }, 'strategic', { spec: { template: { spec: { containers: [{ name: 'c', env: [{ name: 'V', value: '2' }] }] } } } });
  const newPod = (p: Pod) => p.spec?.containers?.[0]?.env?.[0]?.value === '2';
  await waitFor('rollout a third done', () => pods.lister.list().filter((p) => isPodActive(p) && isPodReady(p) && newPod(p)).length >= 10, { timeoutMs: 60_000, intervalMs: 20 });
  const atKill = pods.lister.list().filter((p) => isPodActive(p) && newPod(p)).length;
  assert.ok(atKill < REPLICAS, 'the leader dies mid-rollout');
  await kill(leader);

  await waitFor('standby takes the lease', async () => {
    const h = (await leaderLease()).spec?.holderIdentity;
    return h && h !== firstHolder && standby.mentions(h);
  }, { timeoutMs: 20_000, intervalMs: 200 });
  await waitFor('rollout finished by the standby', () => done(patched.metadata!.generation!), { timeoutMs: 90_000, intervalMs: 200 });
  const final = pods.lister.list().filter(isPodActive);
  assert.equal(final.length, REPLICAS);
  assert.ok(final.every(newPod), 'every pod runs the new template');
  const rss = (await cp.client.list({ group: 'apps', resource: 'replicasets', namespace: 'default' })).items;
  assert.equal(rss.length, 2, 'the new leader adopted the rollout: one old and one new ReplicaSet, no duplicate');
  t.diagnostic(`live pods peaked at ${maxLive}, ready pods never below ${minReady}, ${atKill} new pods when the leader died`);
  assert.ok(maxLive <= REPLICAS + SURGE, `live pods peaked at ${maxLive} (limit ${REPLICAS + SURGE})`);
  assert.ok(minReady >= REPLICAS, `ready pods dropped to ${minReady} during the rollout`);
});
