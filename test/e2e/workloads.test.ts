/**
 * Seed labs on workloads (seeds 000, 003, 004), walked with the real kubectl on a 3-node cluster:
 * Deployment → ReplicaSet → pods, rolling update with rollout status/history/undo, StatefulSet
 * ordering and stable names, DaemonSet on every node including one added later, Job with
 * completions, CronJob firing.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { upCluster, podNetns, inNetns, type E2ECluster } from './helpers.js';
import { applyYaml, podRows, waitRunning, jsonpath } from './lab-helpers.js';
import { waitFor } from '../../lib/testing/wait.js';
import { addNode } from '../../cli/commands/node.js';

let c: E2ECluster;
before(async () => {
  c = await upCluster(3);
  // The CronJob goes first: it fires at the next minute boundary while the other labs run.
  await c.kubectl('create', 'cronjob', 'hello', '--image=busybox', '--schedule=*/1 * * * *', '--', 'sh', '-c', 'echo hello from cron');
});
after(async () => { await c?.down(); });

test('a Deployment makes a ReplicaSet named <deploy>-<template hash> that makes the pods (seed 004)', async () => {
  await c.kubectl('create', 'deployment', 'whoami', '--image=traefik/whoami', '--replicas=3');
  const pods = await waitRunning(c, 'app=whoami', 3);
  const hash = await jsonpath(c, 'deploy', 'whoami', '{.metadata.name}');
  assert.equal(hash, 'whoami');
  const rs = await c.kubectl('get', 'rs', '-owide');
  const m = /^(whoami-([a-z0-9]+))\s+3\s+3\s+3\s/m.exec(rs);
  assert.ok(m, `get rs -owide shows whoami-<hash> 3/3/3:\n${rs}`);
  assert.equal(await jsonpath(c, 'rs', m[1], '{.metadata.labels.pod-template-hash}'), m[2]);
  assert.ok(pods.every((p) => p.name.startsWith(`${m[1]}-`)), 'pods are named after their ReplicaSet');
  assert.match(await c.kubectl('get', 'deploy', '-owide'), /^whoami\s+3\/3\s+3\s+3\s.*traefik\/whoami\s+app=whoami/m);
  assert.equal((await c.kubectl('get', 'po', '-l', 'app=whoami', '--no-headers')).trim().split('\n').length, 3);
});

test('rolling update, rollout status, rollout history, rollout undo --to-revision=1 (seed 004)', async () => {
  const rs1 = (await c.kubectl('get', 'rs', '-l', 'app=whoami', '-o', 'jsonpath={.items[0].metadata.name}')).trim();
  await c.kubectl('set', 'env', 'deployment/whoami', 'VERSION=v2');
  const status = await c.kubectl('rollout', 'status', 'deployment', 'whoami', '--timeout=90s');
  assert.match(status, /successfully rolled out/);
  const v2 = await waitRunning(c, 'app=whoami', 3);
  assert.ok(v2.every((p) => !p.name.startsWith(`${rs1}-`)), 'every pod now comes from the new ReplicaSet');
  assert.match(await c.kubectl('get', 'rs', rs1, '--no-headers'), new RegExp(`^${rs1}\\s+0\\s+0\\s+0`), 'the old ReplicaSet is kept, scaled to 0');
  const history = await c.kubectl('rollout', 'history', 'deployment', 'whoami');
  assert.match(history, /REVISION/);
  assert.match(history, /^1\s/m);
  assert.match(history, /^2\s/m);
  await c.kubectl('rollout', 'undo', 'deployment', 'whoami', '--to-revision=1');
  assert.match(await c.kubectl('rollout', 'status', 'deployment', 'whoami', '--timeout=90s'), /successfully rolled out/);
  const back = await waitRunning(c, 'app=whoami', 3);
  assert.ok(back.every((p) => p.name.startsWith(`${rs1}-`)), 'undo scales the revision-1 ReplicaSet back up');
  assert.equal(await jsonpath(c, 'deploy', 'whoami', '{.spec.template.spec.containers[0].env}'), '', 'the template is revision 1 again');
  assert.match(await c.kubectl('rollout', 'history', 'deployment', 'whoami'), /^3\s/m, 'the undo is recorded as revision 3');
  await c.kubectl('delete', 'deployment', 'whoami');
});

test('StatefulSet: pods created in order 0,1,2 each after the previous is Ready, stable names come back (seed 003)', async () => {
  await applyYaml(c, 'kubia-sts.yaml', `apiVersion: v1
kind: Service
metadata:
  name: kubia
spec:
  clusterIP: None
  selector:
    app: kubia
  ports:
  - port: 80
    targetPort: 8080
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: kubia
spec:
  serviceName: kubia
  replicas: 3
  selector:
    matchLabels:
      app: kubia
  template:
    metadata:
      labels:
        app: kubia
    spec:
      containers:
      - name: kubia
        image: luksa/kubia-pet
        ports:
        - containerPort: 8080
`);
  // Watch the order: when kubia-N first shows up, kubia-(N-1) must already be Ready.
  const violations: string[] = [];
  const seen = new Set<string>();
  await waitFor('kubia-0..2 Running and Ready', async () => {
    const p = await podRows(c, 'app=kubia');
    for (const x of p) {
      if (seen.has(x.name)) continue;
      seen.add(x.name);
      const ord = Number(x.name.split('-').pop());
      const prev = p.find((y) => y.name === `kubia-${ord - 1}`);
      if (ord > 0 && !prev?.ready) violations.push(`${x.name} appeared before kubia-${ord - 1} was Ready`);
    }
    return p.length === 3 && p.every((x) => x.ready);
  }, { timeoutMs: 90_000, intervalMs: 200 });
  assert.deepEqual(violations, []);
  assert.deepEqual([...seen].sort(), ['kubia-0', 'kubia-1', 'kubia-2']);
  assert.equal((await c.kubectl('exec', 'kubia-1', '--', 'hostname')).trim(), 'kubia-1');
  const oldUid = await jsonpath(c, 'pod', 'kubia-1', '{.metadata.uid}');
  await c.kubectl('delete', 'pod', 'kubia-1', '--wait=false');
  await waitFor('kubia-1 recreated under the same name', async () => {
    const uid = await jsonpath(c, 'pod', 'kubia-1', '{.metadata.uid}').catch(() => '');
    return uid && uid !== oldUid && (await podRows(c, 'app=kubia')).find((p) => p.name === 'kubia-1')?.ready;
  }, { timeoutMs: 60_000, intervalMs: 500 });
  assert.equal((await c.kubectl('exec', 'kubia-1', '--', 'hostname')).trim(), 'kubia-1', 'same name, same hostname');
  // Stable network identity through the headless Service: <pod>.<service> resolves to the pod.
  const sts = await podRows(c, 'app=kubia');
  const k0 = sts.find((p) => p.name === 'kubia-0')!;
  const k1ns = await podNetns(c.name, sts.find((p) => p.name === 'kubia-1')!.ip);
  assert.equal((await inNetns(k1ns, 'dig', ['+short', '+time=3', '@10.96.0.10', 'kubia-0.kubia.default.svc.cluster.local'])).trim(), k0.ip);
  await c.kubectl('delete', 'statefulset', 'kubia');
  await c.kubectl('delete', 'service', 'kubia');
});

test('DaemonSet runs one pod on every node, and on a node added later (seed 000)', async () => {
  await applyYaml(c, 'ds.yaml', `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: node-agent
spec:
  selector:
    matchLabels:
      app: node-agent
  template:
    metadata:
      labels:
        app: node-agent
    spec:
      containers:
      - name: agent
        image: busybox
        command: ["sleep", "infinity"]
`);
  const three = await waitRunning(c, 'app=node-agent', 3);
  assert.deepEqual(three.map((p) => p.node).sort(), ['node-1', 'node-2', 'node-3']);
  await addNode(c.name, 'node-4');
  const four = await waitRunning(c, 'app=node-agent', 4, 60_000);
  assert.deepEqual(four.map((p) => p.node).sort(), ['node-1', 'node-2', 'node-3', 'node-4']);
  assert.match(await c.kubectl('get', 'ds', 'node-agent', '--no-headers'), /^node-agent\s+4\s+4\s+4\s+4\s+4\s/);
  await c.kubectl('delete', 'ds', 'node-agent');
});

test('Job with completions: 3 pods succeed one after another, the Job is Complete (seed 000)', async () => {
  await applyYaml(c, 'job.yaml', `apiVersion: batch/v1
kind: Job
metadata:
  name: pi
spec:
  completions: 3
  parallelism: 1
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: pi
        image: busybox
        command: ["sh", "-c", "echo computed"]
`);
  await c.kubectl('wait', '--for=condition=complete', 'job/pi', '--timeout=90s');
  assert.equal(await jsonpath(c, 'job', 'pi', '{.status.succeeded}'), '3');
  const pods = await podRows(c, 'job-name=pi');
  assert.equal(pods.filter((p) => p.phase === 'Succeeded').length, 3);
  assert.match(await c.kubectl('logs', pods[0].name), /computed/);
  assert.match(await c.kubectl('get', 'job', 'pi', '--no-headers'), /^pi\s+(Complete\s+)?3\/3\s/);
  await c.kubectl('delete', 'job', 'pi');
});

test('CronJob fires at the minute boundary and its Job runs to completion', async () => {
  const job = await waitFor('a Job created by CronJob hello', async () => {
    const out = JSON.parse(await c.kubectl('get', 'jobs', '-o', 'json')) as { items: { metadata: { name: string; ownerReferences?: { kind: string; name: string }[] }; status: { succeeded?: number } }[] };
    // The newest one: older Jobs may already be trimmed by the history limit.
    return out.items.reverse().find((j) => j.metadata.ownerReferences?.some((o) => o.kind === 'CronJob' && o.name === 'hello') && j.status.succeeded === 1)?.metadata.name;
  }, { timeoutMs: 130_000, intervalMs: 1000 });
  assert.match(job, /^hello-\d+$/);
  // Its pod is still there: Completed, one for the one completion. It once vanished: the node had
  // been marked NotReady (a Lease renewal every 10 s against a 10 s --fast-failover grace period;
  // `kubesim up --fast-failover` now renews every 2.5 s) and after the 10 s eviction timeout the
  // taint manager deleted every pod on it, completed ones included, as Kubernetes does. The
  // history limit (3 successful Jobs) deletes only Jobs older than the newest one picked here.
  const pods = await c.kubectl('get', 'pods', '-l', `job-name=${job}`, '--no-headers');
  if (!new RegExp(`^${job}-[a-z0-9]+\\s+0/1\\s+Completed\\s`).test(pods) || pods.trim().split('\n').length !== 1) {
    const evictions = await c.kubectl('get', 'events', '-A', '--field-selector', 'reason=TaintManagerEviction');
    assert.fail(`expected exactly one Completed pod of ${job}, found:\n${pods}\nevictions:\n${evictions}\nnodes:\n${await c.kubectl('get', 'nodes')}`);
  }
  // When the Job's pod is gone, say what the cluster shows.
  const logs = await c.kubectl('logs', `job/${job}`).catch(async (err: Error) => {
    throw new Error(`${err.message}\n${await c.kubectl('get', 'pods', '-o', 'wide')}\n${await c.kubectl('get', 'events', '--field-selector', `involvedObject.name=${job}`)}`);
  });
  assert.match(logs, /hello from cron/);
  assert.notEqual(await jsonpath(c, 'cronjob', 'hello', '{.status.lastScheduleTime}'), '');
});
