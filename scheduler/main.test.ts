import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startControlPlane } from '../lib/testing/control-plane.js';
import { waitFor } from '../lib/testing/wait.js';
import { makeNode, makePod } from './framework/testing.js';
import { parseDurationMs } from './duration.js';
import { podObject, registerNode } from './testing-api.js';
import type { KObject } from '../lib/api/object.js';

const MAIN = fileURLToPath(new URL('./main.js', import.meta.url));

test('durations parse as Go does and bad ones are refused', () => {
  assert.equal(parseDurationMs('15s'), 15_000);
  assert.equal(parseDurationMs('1m30s'), 90_000);
  assert.equal(parseDurationMs('500ms'), 500);
  assert.throws(() => parseDurationMs('15'), /invalid duration "15"/);
  assert.throws(() => parseDurationMs(''), /invalid duration/);
});

test('two kube-scheduler processes with --leader-elect: one leads and binds; killing it hands over', async (t) => {
  const cp = await startControlPlane();
  const procs: ChildProcess[] = [];
  t.after(async () => {
    for (const p of procs) if (p.exitCode === null && p.signalCode === null) { const gone = new Promise((r) => p.once('exit', r)); p.kill('SIGKILL'); await gone; }
    await cp.stop();
  });
  const { client } = cp;
  await registerNode(client, makeNode('n1'));

  const start = () => {
    const p = spawn(process.execPath, [MAIN, '--grpc-server', cp.grpcTarget, '--leader-elect',
      '--leader-elect-lease-duration', '3s', '--leader-elect-renew-deadline', '2s', '--leader-elect-retry-period', '200ms', '--v=4', '--port', '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
    const log: string[] = [];
    p.stderr!.on('data', (b) => log.push(String(b)));
    procs.push(p);
    return { p, log };
  };
  const a = start();
  const b = start();

  const holder = async () => ((await client.get({ group: 'coordination.k8s.io', resource: 'leases', namespace: 'kube-system', name: 'kube-scheduler' }).catch(() => undefined))?.spec as { holderIdentity?: string } | undefined)?.holderIdentity;
  const first = await waitFor('a leader', holder, { timeoutMs: 30_000 });
  const pod = (name: string) => podObject(makePod(name));
  const boundTo = (name: string) => waitFor(`${name} bound`, async () => ((await client.get({ resource: 'pods', namespace: 'default', name })).spec as { nodeName?: string }).nodeName, { timeoutMs: 15_000 });
  await client.create({ resource: 'pods', namespace: 'default' }, pod('p1'));
  assert.equal(await boundTo('p1'), 'n1');

  // Exactly one process scheduled p1: the leader. Kill it without a chance to release the lease.
  const leader = await waitFor('the leader logged the binding', () => [a, b].find((x) => x.log.join('').includes('"bound pod"')));
  const other = leader === a ? b : a;
  assert.ok(!other.log.join('').includes('"bound pod"'), 'the standby must not schedule');
  // --v=4: the decision for p1 is in the log, with each plugin's verdict per node and the scores.
  const logText = leader.log.join('');
  assert.match(logText, / info kube-scheduler "scheduling decision" pod=default\/p1 selected=n1 nodes=1 feasible=1\n/);
  assert.match(logText, / "node verdict" pod=default\/p1 node=n1 filter=passed\n/);
  // The leader's /metrics counts the attempt; /healthz is ok.
  const addr = /"serving \/healthz \/metrics" address=(\S+)/.exec(logText)![1];
  const metricsText = await (await fetch(`http://${addr}/metrics`)).text();
  assert.match(metricsText, /scheduler_schedule_attempts_total\{profile="default-scheduler",result="scheduled"\} 1/);
  assert.match(metricsText, /scheduler_pending_pods\{queue="active"\} 0/);
  assert.equal(await (await fetch(`http://${addr}/healthz`)).text(), 'ok');
  const gone = new Promise((r) => leader.p.once('exit', r));
  leader.p.kill('SIGKILL');
  await gone;
  await client.create({ resource: 'pods', namespace: 'default' }, pod('p2'));
  assert.equal(await boundTo('p2'), 'n1');
  const second = await holder();
  assert.notEqual(second, first);
  await waitFor('the new leader logged the binding', () => other.log.join('').includes('"bound pod"'));

  // SIGTERM: the new leader exits 0 and releases the lease.
  const exited = new Promise<number | null>((r) => other.p.once('exit', (code) => r(code)));
  other.p.kill('SIGTERM');
  assert.equal(await exited, 0);
  assert.equal(await holder(), '');
});

test('--config: profiles and leaderElection come from a KubeSchedulerConfiguration file', async (t) => {
  const cp = await startControlPlane();
  const dir = mkdtempSync(join(tmpdir(), 'ksimt-sched-'));
  let proc: ChildProcess | undefined;
  t.after(async () => {
    if (proc && proc.exitCode === null && proc.signalCode === null) { const gone = new Promise((r) => proc!.once('exit', r)); proc.kill('SIGKILL'); await gone; }
    rmSync(dir, { recursive: true, force: true });
    await cp.stop();
  });
  const { client } = cp;
  await registerNode(client, makeNode('n1'));
  const config = join(dir, 'config.yaml');
  writeFileSync(config, `apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
leaderElection: {leaderElect: true, resourceName: my-scheduler-lock, leaseDuration: 4s, renewDeadline: 2s, retryPeriod: 500ms}
profiles:
- schedulerName: my-scheduler
`);
  proc = spawn(process.execPath, [MAIN, '--grpc-server', cp.grpcTarget, '--config', config, '--port', '-1'], { stdio: 'ignore' });
  const lease = await waitFor('the configured Lease', () => client.get({ group: 'coordination.k8s.io', resource: 'leases', namespace: 'kube-system', name: 'my-scheduler-lock' }).catch(() => undefined), { timeoutMs: 30_000 });
  assert.equal((lease.spec as { leaseDurationSeconds?: number }).leaseDurationSeconds, 4);
  await client.create({ resource: 'pods', namespace: 'default' }, podObject(makePod('mine'), 'my-scheduler'));
  const node = await waitFor('pod of my-scheduler bound', async () => ((await client.get({ resource: 'pods', namespace: 'default', name: 'mine' })).spec as { nodeName?: string }).nodeName, { timeoutMs: 15_000 });
  assert.equal(node, 'n1');
});

test('SIGKILL as soon as it starts binding a burst, restart: every pod ends up bound, from state alone', async (t) => {
  const cp = await startControlPlane();
  const procs: ChildProcess[] = [];
  t.after(async () => {
    for (const p of procs) if (p.exitCode === null && p.signalCode === null) { const gone = new Promise((r) => p.once('exit', r)); p.kill('SIGKILL'); await gone; }
    await cp.stop();
  });
  const { client } = cp;
  for (const n of ['n1', 'n2', 'n3']) await registerNode(client, makeNode(n, { cpu: '8' }));
  const start = () => { const p = spawn(process.execPath, [MAIN, '--grpc-server', cp.grpcTarget, '--port', '-1'], { stdio: 'ignore' }); procs.push(p); return p; };
  const first = start();
  const N = 60;
  const bound = async () => (await client.list<KObject & { spec: { nodeName?: string } }>({ resource: 'pods', namespace: 'default' })).items.filter((p) => p.spec.nodeName).length;
  for (let i = 0; i < N; i++) await client.create({ resource: 'pods', namespace: 'default' }, podObject(makePod(`p-${i}`, { cpu: '100m' })));
  await waitFor('some pods bound', async () => (await bound()) > 0, { timeoutMs: 30_000 });
  const gone = new Promise((r) => first.once('exit', r));
  first.kill('SIGKILL');
  await gone;
  start();
  await waitFor(`all ${N} pods bound after the restart`, async () => (await bound()) === N, { timeoutMs: 30_000 });
  const pods = (await client.list<KObject & { spec: { nodeName?: string } }>({ resource: 'pods', namespace: 'default' })).items;
  const perNode = new Map<string, number>();
  for (const p of pods) perNode.set(p.spec.nodeName!, (perNode.get(p.spec.nodeName!) ?? 0) + 1);
  assert.equal([...perNode.values()].reduce((a, b) => a + b, 0), N);
  assert.equal(perNode.size, 3, 'spread over all nodes');
});
